/**
 * UDP errors that come back from the receiving side over lo, and sockets bound to a device. Every
 * expectation is what Linux 6.18 answered to the same calls in a fresh network namespace with lo up.
 */
import {
  AF_INET,
  MSG_DONTWAIT,
  MSG_MORE,
  MSG_OOB,
  SHUT_WR,
  SO_BINDTODEVICE,
  SO_BINDTOIFINDEX,
  SO_BROADCAST,
  SO_ERROR,
  SO_PEEK_OFF,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_IP,
  SOL_SOCKET,
  SOL_UDP,
} from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { sockaddr_in } from './index.js';
import * as IN from './uapi/in.js';

const to = (port: number) => sockaddr_in('127.0.0.1', port);
const x = Uint8Array.of(0x78);

describe('UDP: ICMP port unreachable (__udp4_lib_err)', () => {
  it('a connected socket gets ECONNREFUSED on its next call, once per datagram that found nobody', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(u, to(47002));
    expect(t.sendto(u, x)).toBe(1);
    // The error the first datagram earned is reported by the next send, which therefore sends nothing.
    expect(errnoOf(() => t.sendto(u, x))).toBe('ECONNREFUSED');
    expect(t.sendto(u, x)).toBe(1);
    expect(t.getsockoptInt(u, SOL_SOCKET, SO_ERROR)).toBe(111);
    expect(errnoOf(() => t.recvfrom(u, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    t.sendto(u, x);
    expect(t.getsockoptInt(u, SOL_SOCKET, SO_ERROR)).toBe(111);
    expect(t.getsockoptInt(u, SOL_SOCKET, SO_ERROR)).toBe(0);
    t.sendto(u, x);
    // connect() does not clear it; the receive reports it.
    t.connect(u, to(47003));
    expect(errnoOf(() => t.recvfrom(u, 10, MSG_DONTWAIT))).toBe('ECONNREFUSED');
  });

  it('an unconnected socket hears nothing unless it set IP_RECVERR; a connected one only from its peer', () => {
    const t = boot().spawn({});
    const v = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(v, x, 0, to(47002));
    expect(errnoOf(() => t.recvfrom(v, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    t.setsockopt(v, SOL_IP, IN.IP_RECVERR, 1);
    t.sendto(v, x, 0, to(47002));
    expect(errnoOf(() => t.recvfrom(v, 10, MSG_DONTWAIT))).toBe('ECONNREFUSED');
    expect(t.getsockoptInt(v, SOL_SOCKET, SO_ERROR)).toBe(0);
    // The ICMP error names the port the datagram went to: a socket connected elsewhere is not found.
    const w = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(w, to(47004));
    t.sendto(w, x, 0, to(47005));
    expect(errnoOf(() => t.recvfrom(w, 10, MSG_DONTWAIT))).toBe('EAGAIN');
  });
});

describe('sockets bound to a device (SO_BINDTOIFINDEX, SO_BINDTODEVICE)', () => {
  it('a device that does not exist is ENODEV when the socket routes', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(u, SOL_SOCKET, SO_BINDTOIFINDEX, 99);
    expect(t.getsockoptInt(u, SOL_SOCKET, SO_BINDTOIFINDEX)).toBe(99);
    expect(errnoOf(() => t.getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, 16))).toBe('ENODEV');
    expect(errnoOf(() => t.sendto(u, x, 0, to(47001)))).toBe('ENODEV');
    expect(errnoOf(() => t.recvfrom(u, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    expect(errnoOf(() => t.connect(u, to(47001)))).toBe('ENODEV');
    // The failed send still autobound the socket.
    expect(errnoOf(() => t.bind(u, to(0)))).toBe('EINVAL');
    const s = t.socket(AF_INET, SOCK_STREAM, 0);
    t.setsockopt(s, SOL_SOCKET, SO_BINDTOIFINDEX, 99);
    expect(errnoOf(() => t.connect(s, to(47001)))).toBe('ENODEV');
  });

  it('bound to lo, a socket talks as before; bound elsewhere, it does not hear lo', () => {
    const t = boot().spawn({});
    const r = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(r, SOL_SOCKET, SO_BINDTOIFINDEX, 99);
    t.bind(r, to(47010));
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(s, to(47010));
    expect(t.sendto(s, x)).toBe(1);
    expect(errnoOf(() => t.recvfrom(r, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    expect(errnoOf(() => t.recvfrom(s, 10, MSG_DONTWAIT))).toBe('ECONNREFUSED');
    const r2 = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(r2, SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode('lo'));
    t.bind(r2, to(47011));
    t.connect(s, to(47011));
    t.sendto(s, Uint8Array.of(0x79));
    expect([...t.recvfrom(r2, 10, MSG_DONTWAIT).data]).toEqual([0x79]);
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.setsockopt(l, SOL_SOCKET, SO_BINDTOIFINDEX, 99);
    t.bind(l, to(47012));
    t.listen(l, 5);
    expect(errnoOf(() => t.connect(t.socket(AF_INET, SOCK_STREAM, 0), to(47012)))).toBe('ECONNREFUSED');
    const l2 = t.socket(AF_INET, SOCK_STREAM, 0);
    t.setsockopt(l2, SOL_SOCKET, SO_BINDTOIFINDEX, 1);
    t.bind(l2, to(47013));
    t.listen(l2, 5);
    expect(errnoOf(() => t.connect(t.socket(AF_INET, SOCK_STREAM, 0), to(47013)))).toBe('OK');
  });

  it('disconnecting (AF_UNSPEC) also unbinds the device (__udp_disconnect())', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(u, SOL_SOCKET, SO_BINDTOIFINDEX, 1);
    t.connect(u, to(9));
    t.connect(u, new Uint8Array(16));
    expect(t.getsockoptInt(u, SOL_SOCKET, SO_BINDTOIFINDEX)).toBe(0);
  });
});

describe('UDP corking (MSG_MORE, UDP_CORK)', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it('appends to one datagram until a send without MSG_MORE; appends skip the address checks', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    const v = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(v, to(47030));
    expect(t.sendto(u, bytes('a'.repeat(10)), MSG_MORE, to(47030))).toBe(10);
    expect(t.sendto(u, bytes('bbbbb'), MSG_MORE, to(0))).toBe(5);
    // Too long for one datagram: EMSGSIZE, and what was corked is dropped.
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65500), MSG_MORE, to(47030)))).toBe('EMSGSIZE');
    expect(errnoOf(() => t.recvfrom(v, 100000, MSG_DONTWAIT))).toBe('EAGAIN');
    expect(t.sendto(u, bytes('ddd'), 0, to(47030))).toBe(3);
    expect(text(t.recvfrom(v, 100, MSG_DONTWAIT).data)).toBe('ddd');
    // The first send fixes the destination; the last one's address is not even routed.
    t.sendto(u, bytes('e'), MSG_MORE, to(47030));
    t.sendto(u, bytes('f'), MSG_MORE, to(47031));
    t.sendto(u, bytes('g'), 0, sockaddr_in('1.2.3.4', 5));
    expect(text(t.recvfrom(v, 100, MSG_DONTWAIT).data)).toBe('efg');
    // A corked datagram dies with its socket.
    const w = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(w, bytes('z'), MSG_MORE, to(47030));
    t.close(w);
    expect(errnoOf(() => t.recvfrom(v, 100, MSG_DONTWAIT))).toBe('EAGAIN');
  });

  it('a connect() while corked sends the pending datagram to the new address, even one that failed', () => {
    const t = boot().spawn({});
    const v = t.socket(AF_INET, SOCK_DGRAM, 0);
    const w = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(v, to(47030));
    t.bind(w, to(47031));
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(s, bytes('a'), MSG_MORE, to(47030));
    t.connect(s, to(47031));
    t.sendto(s, bytes('b'));
    expect(errnoOf(() => t.recvfrom(v, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    expect(text(t.recvfrom(w, 10, MSG_DONTWAIT).data)).toBe('ab');
    // Unreachable: the connect fails, and the datagram is lost on the way.
    const s2 = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(s2, bytes('c'), MSG_MORE, to(47030));
    expect(errnoOf(() => t.connect(s2, sockaddr_in('10.1.1.1', 5)))).toBe('ENETUNREACH');
    t.sendto(s2, bytes('d'), 0, to(47030));
    expect(errnoOf(() => t.recvfrom(v, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    // A broadcast address without SO_BROADCAST is refused, but the flow is already redirected: nobody
    // listens there, and a broadcast earns no ICMP error, where the original port would have.
    const s3 = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(s3, to(0));
    t.sendto(s3, bytes('e'), MSG_MORE, to(47002));
    expect(errnoOf(() => t.connect(s3, sockaddr_in('127.255.255.255', 103)))).toBe('EACCES');
    t.sendto(s3, new Uint8Array(0), 0, sockaddr_in('10.11.12.13', 47002));
    expect(t.getsockoptInt(s3, SOL_SOCKET, SO_ERROR)).toBe(0);
  });

  it('UDP_CORK holds every send until it is turned off', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    const v = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(v, to(47030));
    t.setsockopt(u, SOL_UDP, 1 /* UDP_CORK */, 1);
    t.sendto(u, bytes('h'), 0, to(47030));
    expect(errnoOf(() => t.recvfrom(v, 100, MSG_DONTWAIT))).toBe('EAGAIN');
    t.setsockopt(u, SOL_UDP, 1, 0);
    expect(text(t.recvfrom(v, 100, MSG_DONTWAIT).data)).toBe('h');
    t.setsockopt(u, SOL_UDP, 1, 1);
    t.sendto(u, bytes('i'), 0, to(47030));
    t.sendto(u, bytes('j'), 0, to(47030));
    t.setsockopt(u, SOL_UDP, 1, 1);
    t.sendto(u, bytes('k'), 0, to(47030));
    expect(errnoOf(() => t.recvfrom(v, 100, MSG_DONTWAIT))).toBe('EAGAIN');
    t.setsockopt(u, SOL_UDP, 1, 0);
    expect(text(t.recvfrom(v, 100, MSG_DONTWAIT).data)).toBe('ijk');
  });

  it('a corked datagram to a closed port earns its error when it is sent', () => {
    const t = boot().spawn({});
    const x = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(x, to(47040));
    t.sendto(x, bytes('1'), MSG_MORE);
    expect(t.sendto(x, bytes('2'), MSG_MORE)).toBe(1);
    expect(t.sendto(x, bytes('3'))).toBe(1);
    expect(errnoOf(() => t.sendto(x, bytes('4')))).toBe('ECONNREFUSED');
  });

  it('checks in udp_sendmsg() order: EMSGSIZE over 65535, then MSG_OOB, addresses, route, 65507', () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65510), MSG_OOB, to(9)))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65600), MSG_OOB, to(9)))).toBe('EMSGSIZE');
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65510), 0, to(0)))).toBe('EINVAL');
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65510), 0, sockaddr_in('10.1.1.1', 9)))).toBe(
      'ENETUNREACH',
    );
    expect(errnoOf(() => t.sendto(u, new Uint8Array(65510), 0, to(9)))).toBe('EMSGSIZE');
  });
});

describe('UDP broadcast to a subnet broadcast address (127.255.255.255)', () => {
  it('needs SO_BROADCAST, then reaches every socket on the port that accepts it', () => {
    const t = boot().spawn({});
    const bound = (addr: string) => {
      const s = t.socket(AF_INET, SOCK_DGRAM, 0);
      t.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, 1);
      t.bind(s, sockaddr_in(addr, 47050));
      return s;
    };
    const any = bound('0.0.0.0');
    const bcast = bound('127.255.255.255');
    const lo = bound('127.0.0.1');
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    const dst = sockaddr_in('127.255.255.255', 47050);
    expect(errnoOf(() => t.sendto(s, x, 0, dst))).toBe('EACCES');
    expect(errnoOf(() => t.connect(s, dst))).toBe('EACCES');
    t.setsockopt(s, SOL_SOCKET, SO_BROADCAST, 1);
    expect(t.sendto(s, Uint8Array.of(0x62), 0, dst)).toBe(1);
    expect([...t.recvfrom(any, 10, MSG_DONTWAIT).data]).toEqual([0x62]);
    expect([...t.recvfrom(bcast, 10, MSG_DONTWAIT).data]).toEqual([0x62]);
    expect(errnoOf(() => t.recvfrom(lo, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    // Nobody on the port: no ICMP error for a broadcast.
    t.sendto(s, x, 0, sockaddr_in('127.255.255.255', 47051));
    expect(errnoOf(() => t.recvfrom(s, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    t.connect(s, dst);
    t.sendto(s, Uint8Array.of(0x64));
    expect([...t.recvfrom(any, 10, MSG_DONTWAIT).data]).toEqual([0x64]);
    expect(errnoOf(() => t.connect(t.socket(AF_INET, SOCK_STREAM, 0), dst))).toBe('ENETUNREACH');
  });
});

describe('UDP send and receive edges (Linux 6.18)', () => {
  it('MSG_OOB is EOPNOTSUPP; a failed send still autobinds; EPIPE after SHUT_WR; SO_PEEK_OFF works', () => {
    const t = boot().spawn({});
    const dst = to(47001);
    const a = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.sendto(a, new Uint8Array(4), MSG_OOB | MSG_DONTWAIT, dst))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => t.sendto(a, new Uint8Array(4), MSG_DONTWAIT, new Uint8Array(8)))).toBe('EINVAL');
    expect(errnoOf(() => t.bind(a, to(47002)))).toBe('EINVAL'); // already bound by the send
    const b = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.shutdown(b, SHUT_WR))).toBe('ENOTCONN');
    expect(errnoOf(() => t.sendto(b, Uint8Array.of(1), MSG_DONTWAIT, dst))).toBe('EPIPE');
    t.setsockopt(b, SOL_SOCKET, SO_PEEK_OFF, 0);
    expect(t.getsockoptInt(b, SOL_SOCKET, SO_PEEK_OFF)).toBe(0);
  });
});

describe('an accepted TCP socket', () => {
  it("inherits the listener's options, as sk_clone_lock() copies them (Linux 6.18)", () => {
    const t = boot().spawn({});
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    const opts: Array<[number, number, number]> = [
      [SOL_IP, IN.IP_RECVERR, 1],
      [SOL_SOCKET, 36 /* SO_MARK */, 5],
      [SOL_SOCKET, 12 /* SO_PRIORITY */, 3],
      [SOL_SOCKET, 9 /* SO_KEEPALIVE */, 1],
      [SOL_IP, IN.IP_FREEBIND, 1],
      [SOL_IP, IN.IP_MINTTL, 7],
      [SOL_IP, IN.IP_PKTINFO, 1],
      [SOL_SOCKET, SO_BINDTOIFINDEX, 1],
      [SOL_SOCKET, 46 /* SO_BUSY_POLL */, 5],
      [SOL_SOCKET, 60 /* SO_ZEROCOPY */, 1],
      [SOL_SOCKET, 43 /* SO_NOFCS */, 1],
    ];
    for (const [level, name, value] of opts) t.setsockopt(l, level, name, value);
    t.bind(l, to(47060));
    t.listen(l, 5);
    t.connect(t.socket(AF_INET, SOCK_STREAM, 0), to(47060));
    const a = t.accept(l);
    expect(opts.map(([level, name]) => t.getsockoptInt(a, level, name))).toEqual([
      1, 5, 0, 1, 1, 7, 1, 1, 5, 1, 1,
    ]);
  });
});
