// ip_cmsg.test.ts — the ancillary data a UDP socket asks for with IP_PKTINFO, IP_RECVTTL, IP_RECVTOS and
// IP_RECVORIGDSTADDR, byte for byte as Linux 6.18 answers (recorded with Python's recvmsg in a fresh
// network namespace, lo up: the port bytes of IP_ORIGDSTADDR are the socket's own).

import { AF_INET, cmsgs, MSG_CTRUNC, SOCK_DGRAM } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { INADDR_LOOPBACK, parse_sockaddr_in, sockaddr_in } from './uapi/in.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const IP_PKTINFO = 8;
const IP_RECVTTL = 12;
const IP_RECVTOS = 13;
const IP_RECVORIGDSTADDR = 20;
const IP_TOS = 1;
const IP_TTL = 2;

function socket_with(opts: number[]) {
  const k = boot();
  const t = k.spawn();
  const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
  for (const o of opts) t.setsockopt(fd, 0, o, 1);
  t.bind(fd, sockaddr_in(INADDR_LOOPBACK, 0));
  const self = t.getsockname(fd);
  return { k, t, fd, self, port: parse_sockaddr_in(self).port };
}

describe('ip_cmsg_recv on UDP', () => {
  it('gives in_pktinfo, the TTL, the TOS and the original destination, in Linux’s order', () => {
    const { t, fd, self, port } = socket_with([IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVORIGDSTADDR]);
    t.setsockopt(fd, 0, IP_TOS, 0x10);
    t.setsockopt(fd, 0, IP_TTL, 33);
    t.sendto(fd, Uint8Array.of(1, 2), 0, self);
    const r = t.recvmsg(fd, 10, 0, 256);
    const portHex = port.toString(16).padStart(4, '0');
    expect([...cmsgs(r.control)].map((c) => [c.level, c.type, hex(c.data)])).toEqual([
      [0, 8, '010000007f0000017f000001'],
      [0, 2, '21000000'],
      [0, 1, '10'],
      [0, 20, `0200${portHex}7f0000010000000000000000`],
    ]);
    expect(r.flags & MSG_CTRUNC).toBe(0);
  });

  it('cuts in_pktinfo short with MSG_CTRUNC when the control buffer has room for 24 bytes', () => {
    const { t, fd, self } = socket_with([IP_PKTINFO]);
    t.sendto(fd, Uint8Array.of(1), 0, self);
    const r = t.recvmsg(fd, 10, 0, 24);
    expect([...cmsgs(r.control)].map((c) => [c.level, c.type, hex(c.data)])).toEqual([
      [0, 8, '010000007f000001'],
    ]);
    expect(r.flags & MSG_CTRUNC).toBe(MSG_CTRUNC);
  });

  it('gives nothing to a socket that asked for nothing', () => {
    const { t, fd, self } = socket_with([]);
    t.sendto(fd, Uint8Array.of(1), 0, self);
    expect(t.recvmsg(fd, 10, 0, 256).control.length).toBe(0);
  });
});
