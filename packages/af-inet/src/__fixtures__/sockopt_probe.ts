/**
 * The ksock side of tools/sockopt_probe.py: the same reads and writes of one socket option on fresh TCP,
 * UDP and raw (IPPROTO_RAW) sockets, answered in the probe's format ("ok:<hex>" for a read, "ok" for a
 * write, or the errno's name), so a test can compare them with what Linux answered.
 */
import type { Task } from '@ksock/core';
import { AF_INET, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';

const KINDS: Record<string, [number, number]> = {
  tcp: [SOCK_STREAM, 0],
  udp: [SOCK_DGRAM, 0],
  raw: [SOCK_RAW, 255],
};

function int(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

const VALUES: Record<string, Uint8Array> = {
  '0': int(0),
  '1': int(1),
  '-1': int(-1),
  '2': int(2),
  '256': int(256),
  byte1: Uint8Array.of(1),
  empty: new Uint8Array(0),
};

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Python names errno 95 ENOTSUP, Linux's headers (and ksock) EOPNOTSUPP: the same number. */
export function errno_name(name: string): string {
  return name === 'ENOTSUP' ? 'EOPNOTSUPP' : name;
}

/** What ksock answers to the probe's calls for option `opt` at `level`, kind by kind. */
export function probe_sockopt(t: Task, level: number, opt: number): Record<string, Record<string, string>> {
  const get = (fd: number, room: number) => {
    let out = '';
    const e = errnoOf(() => {
      out = `ok:${hex(t.getsockopt(fd, level, opt, room))}`;
    });
    return e === 'OK' ? out : e;
  };
  const got: Record<string, Record<string, string>> = {};
  for (const [kind, [type, protocol]] of Object.entries(KINDS)) {
    const fd = t.socket(AF_INET, type, protocol);
    const r: Record<string, string> = {};
    for (const room of [4, 1, 0, 64]) r[`get${room}`] = get(fd, room);
    t.close(fd);
    for (const [name, value] of Object.entries(VALUES)) {
      const s = t.socket(AF_INET, type, protocol);
      const e = errnoOf(() => t.setsockopt(s, level, opt, value));
      r[`set${name}`] = `${e === 'OK' ? 'ok' : e} ${get(s, 4)}`;
      t.close(s);
    }
    got[kind] = r;
  }
  return got;
}

/** Copy the host's recorded sysctls (buffer limits, tcp_rmem…) into the task's kernel. */
export function apply_host_sysctls(t: Task, sysctl: Record<string, string>): void {
  // net.ipv4.* exists once af_inet is loaded: the first inet socket loads it.
  t.close(t.socket(AF_INET, SOCK_DGRAM, 0));
  for (const [name, value] of Object.entries(sysctl)) t.sysctl(name, value);
}

/** The recorded answers with Python's errno spellings made ksock's. */
export function linux_answers(
  row: Record<string, Record<string, string>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [kind, r] of Object.entries(row)) {
    out[kind] = Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, v.split(' ').map(errno_name).join(' ')]),
    );
  }
  return out;
}
