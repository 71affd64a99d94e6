// ifaces.ts — the answers glibc computes internally (if_nametoindex, if_indextoname, if_nameindex,
// getifaddrs), taken from the task's network namespace, and /proc reads (PROTOCOL.md ops 40–44).

import {
  AF_INET,
  AF_PACKET,
  ENODEV,
  ENXIO,
  IFF_BROADCAST,
  IFF_POINTOPOINT,
  KernelError,
  type Task,
} from '@ksock/core';
import type { NetDevice } from '@ksock/core/kernel';
import type { Reply } from './syscalls.js';

const enc = new TextEncoder();

function devices(task: Task): readonly NetDevice[] {
  return task.nsproxy_net.dev_base;
}

/** struct sockaddr_in of a host-order address. */
function sockaddr_in(addr: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint32(4, addr >>> 0, false);
  return b;
}

/** struct sockaddr_ll of a device, as getifaddrs() lists one AF_PACKET entry per link. */
function sockaddr_ll(dev: NetDevice, hw: Uint8Array): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setInt32(4, dev.ifindex, true);
  v.setUint16(8, dev.type, true);
  b[11] = hw.length;
  b.set(hw.subarray(0, 8), 12);
  return b;
}

const EMPTY = new Uint8Array(0);

export function if_nametoindex(task: Task, name: string): Reply {
  const d = devices(task).find((x) => x.name === name);
  return { ret: d?.ifindex ?? 0 };
}

export function if_indextoname(task: Task, index: number): Reply {
  const d = devices(task).find((x) => x.ifindex === index);
  return d === undefined ? { ret: -ENXIO } : { ret: 0, bufs: [enc.encode(d.name)] };
}

export function if_nameindex(task: Task): Reply {
  const ds = devices(task);
  return { ret: ds.length, ints: ds.map((d) => d.ifindex), bufs: ds.map((d) => enc.encode(d.name)) };
}

/**
 * getifaddrs(): glibc lists one AF_PACKET entry per link (RTM_GETLINK), then one per address
 * (RTM_GETADDR); ksock has IPv4 addresses only. The broadcast member carries the broadcast address when
 * IFF_BROADCAST is set, the peer's with IFF_POINTOPOINT.
 */
export function getifaddrs(task: Task): Reply {
  const ints: number[] = [];
  const bufs: Uint8Array[] = [];
  const ds = devices(task);
  for (const d of ds) {
    ints.push(d.flags, AF_PACKET, d.ifindex);
    bufs.push(enc.encode(d.name), sockaddr_ll(d, d.dev_addr), EMPTY, sockaddr_ll(d, d.broadcast));
  }
  for (const d of ds) {
    for (const a of d.ifa_list) {
      ints.push(d.flags, AF_INET, d.ifindex);
      const mask = a.ifa_prefixlen === 0 ? 0 : (0xffffffff << (32 - a.ifa_prefixlen)) >>> 0;
      const other =
        (d.flags & IFF_BROADCAST) !== 0
          ? sockaddr_in(a.ifa_broadcast)
          : (d.flags & IFF_POINTOPOINT) !== 0
            ? sockaddr_in(a.ifa_address)
            : EMPTY;
      bufs.push(enc.encode(a.ifa_label || d.name), sockaddr_in(a.ifa_local), sockaddr_in(mask), other);
    }
  }
  return { ret: ints.length / 3, ints, bufs };
}

/** The /proc files the bridge answers: the reader's /proc/self and /proc/<pid> mean its own task. */
export function proc_read(task: Task, host_pid: number, path: string): Reply {
  const own = new RegExp(`^/proc/(self|${host_pid})/net/`);
  const p = path.replace(own, '/proc/net/');
  try {
    return { ret: 0, bufs: [enc.encode(task.kernel.proc.read(p, task))] };
  } catch (e) {
    if (e instanceof KernelError) return { ret: -e.errno };
    return { ret: -ENODEV };
  }
}
