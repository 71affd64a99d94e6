/**
 * ioctl(2) against Linux 6.18: fixtures/ioctl-probe.py asked the host (x86-64, a fresh network namespace,
 * lo plus a veth pair) what the generic socket ioctls answer on a netlink socket — whose family ioctl
 * knows no command, as the test family's — and stored every struct ifreq as it came back in
 * fixtures/linux-6.18-ioctl-netlink.json. Each case is replayed here through `task.raw.ioctl()` with the
 * same input bytes and must give the same errno and the same 40 bytes (bytes the kernel leaves alone show
 * as the probe's 0xaa filler).
 *
 * The namespace is rebuilt as the probe built it: veth1 (ifindex 2) and veth0 (3) are registered
 * directly (ksock models no veth driver), with the probe's MAC addresses and IPv4 addresses.
 */
import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { dev_change_flags, dev_get_by_name, inet_insert_ifa, NetDevice, register_netdevice } from './dev.js';
import { errname } from './errors.js';
import { Kernel } from './kernel.js';
import { kernel_enter, kernel_leave } from './sched.js';
import type { Task } from './task.js';
import { F_GETFD, F_GETFL, FASYNC, O_NONBLOCK } from './uapi/fcntl.js';
import { ARPHRD_ETHER, IFF_BROADCAST, IFF_MULTICAST, IFF_UP, RT_SCOPE_UNIVERSE } from './uapi/if.js';
import { CLONE_NEWNET } from './uapi/sched.js';
import * as S from './uapi/socket.js';

const FIXTURE = '../fixtures/linux-6.18-ioctl-netlink.json';
const linux = ((await import(/* @vite-ignore */ FIXTURE)) as { default: IoctlFixture }).default;

type Case = Record<string, unknown>;
interface IoctlFixture {
  kernel: string;
  socket: string;
  phases: Record<string, Case[]>;
}

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
  kernel_enter(t);
  try {
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
  } finally {
    kernel_leave();
  }
}

/** A root task in a fresh namespace with a socket whose family has no ioctl of its own. */
function setup() {
  const fam = testFamily(S.AF_VSOCK);
  const k = new Kernel({ modules: fam.module });
  const t = k.spawn({ uid: 0 });
  t.unshare(CLONE_NEWNET);
  const fd = t.socket(S.AF_VSOCK, S.SOCK_DGRAM, 0);
  return { k, t, fd };
}

describe(`ioctl() on a socket, against Linux ${linux.kernel} (${linux.socket} socket)`, () => {
  it('was recorded on Linux 6.18', () => {
    expect(linux.kernel).toMatch(/^6\.18\./);
  });

  it('every phase, case by case: errno and the struct ifreq / ifconf as it came back', () => {
    const { t, fd } = setup();
    const P = linux.phases;
    expect(P.fresh!.map((c) => replay(t, fd, c))).toEqual(P.fresh);
    build_netns(t);
    for (const phase of ['get', 'ifconf', 'vfs']) {
      const got = P[phase]!.map((c) => replay(t, fd, c));
      for (let i = 0; i < got.length; i++) expect(got[i], `${phase}[${i}]`).toEqual(P[phase]![i]);
    }
    // The probe's unprivileged child: fork, drop to nobody (every capability gone).
    const child = t.fork();
    child.setgid(65534);
    child.setuid(65534);
    expect(P.unprivileged!.map((c) => replay(child, fd, c))).toEqual(P.unprivileged);
    const got = P.set!.map((c) => replay(t, fd, c));
    for (let i = 0; i < got.length; i++) expect(got[i], `set[${i}]`).toEqual(P.set![i]);
  });

  it('SIOCGIFCONF: a buffer shorter than ifc_len says is a bad address; a non-ifconf argument too', () => {
    const { t, fd } = setup();
    build_netns(t);
    expect(t.raw.ioctl(fd, S.SIOCGIFCONF, { ifc_len: 80, ifc_buf: new Uint8Array(40) })).toBe(-14);
    expect(t.raw.ioctl(fd, S.SIOCGIFCONF, 0)).toBe(-14);
    expect(t.raw.ioctl(fd, S.SIOCGIFCONF, new Uint8Array(16))).toBe(-14);
    expect(() => t.ioctl(fd, S.SIOCGIFCONF, { ifc_len: 0.5 } as never)).toThrow(/ifc_len/);
  });

  it('/dev/null has the VFS ioctls and nothing else', () => {
    const { t } = setup();
    const on = new Uint8Array([1, 0, 0, 0]);
    expect(t.ioctl(0, S.FIONBIO, on)).toBe(0);
    expect(t.fcntl(0, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(t.ioctl(0, S.FIOCLEX)).toBe(0);
    expect(t.fcntl(0, F_GETFD)).toBe(1);
    expect(t.raw.ioctl(0, S.FIOASYNC, on)).toBe(-25); // no ->fasync: ENOTTY
    expect(t.raw.ioctl(0, S.FIONREAD, new Uint8Array(4))).toBe(-25);
    expect(t.raw.ioctl(0, S.SIOCGIFINDEX, new Uint8Array(40))).toBe(-25);
    expect(t.raw.ioctl(99, S.FIOCLEX)).toBe(-9);
  });
});
