/**
 * Raw sockets' connect, disconnect and send checks. Every expectation is what Linux 6.18 answered to the
 * same calls as root in a fresh network namespace with lo up.
 */
import { AF_INET, AF_UNSPEC, MSG_DONTWAIT, MSG_OOB, SOCK_RAW } from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { sockaddr_in } from './index.js';

describe('raw sockets', () => {
  it('connect() as a datagram socket does; disconnecting takes the socket out of the raw table', () => {
    const k = boot();
    const t = k.spawn({});
    const r = t.socket(AF_INET, SOCK_RAW, 1);
    t.connect(r, sockaddr_in('127.0.0.1', 5));
    expect(t.getpeername(r)).toEqual(sockaddr_in('127.0.0.1', 5));
    expect(t.getsockname(r)).toEqual(sockaddr_in('127.0.0.1', 1));
    expect(k.proc.read('/proc/net/raw').split('\n').filter(Boolean).length - 1).toBe(1);
    const unspec = new Uint8Array(16); // AF_UNSPEC
    expect(new DataView(unspec.buffer).getUint16(0, true)).toBe(AF_UNSPEC);
    t.connect(r, unspec);
    expect(errnoOf(() => t.getpeername(r))).toBe('ENOTCONN');
    expect(k.proc.read('/proc/net/raw').split('\n').filter(Boolean).length - 1).toBe(0);
    const r2 = t.socket(AF_INET, SOCK_RAW, 1);
    t.bind(r2, sockaddr_in('127.0.0.1', 0));
    t.connect(r2, sockaddr_in('127.0.0.1', 0));
    t.connect(r2, unspec);
    expect(t.getsockname(r2)).toEqual(sockaddr_in('0.0.0.0', 0));
  });

  it('sendto() checks as raw_sendmsg() does before it would transmit', () => {
    const k = boot();
    const t = k.spawn({});
    const lo = sockaddr_in('127.0.0.1', 0);
    const x = (n: number) => new Uint8Array(n).fill(0x78);
    const row = (protocol: number) => {
      const s = t.socket(AF_INET, SOCK_RAW, protocol);
      return [
        errnoOf(() => t.sendto(s, x(0), 0, lo)),
        errnoOf(() => t.sendto(s, x(1), 0, lo)),
        errnoOf(() => t.sendto(s, x(30), 0)),
        errnoOf(() => t.sendto(s, x(30), 0, sockaddr_in('10.1.1.1', 0))),
        errnoOf(() => t.sendto(s, x(30), MSG_OOB, lo)),
        errnoOf(() => t.sendto(s, x(30), 0, sockaddr_in('127.255.255.255', 0))),
        errnoOf(() => t.sendto(s, x(30), 0, new Uint8Array(8))),
      ];
    };
    // Linux transmits where ksock answers EOPNOTSUPP (it builds no IP packets).
    expect(row(1)).toEqual([
      'EFAULT',
      'EFAULT',
      'EDESTADDRREQ',
      'ENETUNREACH',
      'EOPNOTSUPP',
      'EACCES',
      'EINVAL',
    ]);
    expect(row(17)).toEqual([
      'EOPNOTSUPP',
      'EOPNOTSUPP',
      'EDESTADDRREQ',
      'ENETUNREACH',
      'EOPNOTSUPP',
      'EACCES',
      'EINVAL',
    ]);
    // IPPROTO_RAW sends whole IP packets: shorter than a header, or a header length past the data, is EINVAL.
    expect(row(255)).toEqual([
      'EINVAL',
      'EINVAL',
      'EDESTADDRREQ',
      'ENETUNREACH',
      'EOPNOTSUPP',
      'EACCES',
      'EINVAL',
    ]);
    const s = t.socket(AF_INET, SOCK_RAW, 255);
    const hdr = x(30);
    hdr[0] = 0x4f; // ihl 15: 60 bytes of header in 30
    expect(errnoOf(() => t.sendto(s, hdr, 0, lo))).toBe('EINVAL');
    expect(errnoOf(() => t.sendto(s, x(65600), 0, lo))).toBe('EMSGSIZE');
  });

  it('recvmsg(MSG_OOB) is EOPNOTSUPP (raw_recvmsg())', () => {
    const t = boot().spawn({});
    const r = t.socket(AF_INET, SOCK_RAW, 1);
    expect(errnoOf(() => t.recvfrom(r, 16, MSG_OOB | MSG_DONTWAIT))).toBe('EOPNOTSUPP');
  });
});
