import { AF_INET, SO_PROTOCOL, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, SOL_UDP } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, sk_of } from './__fixtures__/util.js';
import {
  IPPROTO_UDPLITE,
  parse_sockaddr_in,
  SOL_UDPLITE,
  sockaddr_in,
  UDPLITE_RECV_CSCOV,
  UDPLITE_SEND_CSCOV,
} from './uapi/in.js';
import type { UdpSock } from './udp.js';

const NOTICE =
  'UDPLite: UDP-Lite is deprecated and scheduled to be removed in 2025, please contact the netdev mailing list';

describe('UDP-Lite (udplite4_register)', () => {
  it('creates UDP-Lite sockets, logging the deprecation notice once (as the host kernel did)', () => {
    const k = boot();
    const t = k.spawn();
    const a = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    const b = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    expect(k.log.filter((l) => l === NOTICE).length).toBe(1);
    expect(t.getsockoptInt(a, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_UDPLITE);
    expect(t.getsockoptInt(a, SOL_SOCKET, SO_RCVBUF)).toBe(212992);
    expect(sk_of<UdpSock>(t, a).pcflag).toBe(1);
    expect(sk_of(t, a).sk_prot.name).toBe('UDP-Lite');
    t.close(a);
    t.close(b);
    expect(k.sk_allocated).toBe(0);
  });

  it('has its own port space, /proc/net/udplite and the UDPLITE sockstat row', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    const l = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    t.bind(u, sockaddr_in('127.0.0.1', 9000));
    t.bind(l, sockaddr_in('127.0.0.1', 9000));
    expect(k.proc.read('/proc/net/udplite')).toContain('0100007F:2328');
    expect(k.proc.read('/proc/net/sockstat')).toContain('UDP: inuse 1 mem 0\nUDPLITE: inuse 1\n');
    // Datagrams stay within their protocol.
    const l2 = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    t.sendto(l2, Uint8Array.of(7), 0, sockaddr_in('127.0.0.1', 9000));
    const r = t.recvfrom(l, 4);
    expect([...r.data]).toEqual([7]);
    expect(parse_sockaddr_in(r.addr!).port).toBe(parse_sockaddr_in(t.getsockname(l2)).port);
    expect(sk_of(t, u).sk_receive_queue.qlen).toBe(0);
    for (const fd of [u, l, l2]) t.close(fd);
    expect(k.proc.read('/proc/net/sockstat')).toContain('UDPLITE: inuse 0\n');
  });
});

describe('UDP-Lite checksum coverage (UDPLITE_SEND_CSCOV, UDPLITE_RECV_CSCOV)', () => {
  it('rounds a coverage under the header up to 8 and caps it at 65535; UDP only reads 0 (Linux 6.18)', () => {
    const t = boot().spawn();
    const s = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    const seen = [0, 1, 7, 8, 9, 70000, -1].map((v) => {
      t.setsockopt(s, SOL_UDPLITE, UDPLITE_SEND_CSCOV, v);
      t.setsockopt(s, SOL_UDPLITE, UDPLITE_RECV_CSCOV, v);
      return [
        t.getsockoptInt(s, SOL_UDPLITE, UDPLITE_SEND_CSCOV),
        t.getsockoptInt(s, SOL_UDPLITE, UDPLITE_RECV_CSCOV),
      ];
    });
    expect(seen).toEqual([
      [0, 0],
      [8, 8],
      [8, 8],
      [8, 8],
      [9, 9],
      [65535, 65535],
      [8, 8],
    ]);
    // SOL_UDP reads the same; a plain UDP socket answers either level with 0 and refuses to set it.
    expect(t.getsockoptInt(s, SOL_UDP, UDPLITE_SEND_CSCOV)).toBe(8);
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(t.getsockoptInt(u, SOL_UDPLITE, UDPLITE_SEND_CSCOV)).toBe(0);
    expect(() => t.setsockopt(u, SOL_UDP, UDPLITE_SEND_CSCOV, 8)).toThrow(/ENOPROTOOPT/);
  });
});
