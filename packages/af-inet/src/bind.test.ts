import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  CAP_NET_BIND_SERVICE,
  IFF_UP,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
  type Task,
  TCP_LISTEN,
} from '@ksock/core';
import { dev_change_flags, inet_insert_ifa, NetDevice, register_netdevice } from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { host } from './__fixtures__/host.js';
import { boot, sk_of } from './__fixtures__/util.js';
import type { InetSock } from './inet_sock.js';
import * as IN from './uapi/in.js';

const { sockaddr_in, parse_sockaddr_in } = IN;

/** The bind cases of tools/host_probe.c, replayed on ksock. */
function bind_cases(t: Task): Record<string, string | boolean | number> {
  const out: Record<string, string | boolean | number> = {};
  const try_bind = (type: number, ip: string, port: number, family: number, len: number) => {
    const fd = t.socket(AF_INET, type, 0);
    const r = errnoOf(() => t.bind(fd, sockaddr_in(ip, port, family).subarray(0, len)));
    t.close(fd);
    return r;
  };
  out.short_len_15 = try_bind(SOCK_STREAM, '127.0.0.1', 0, AF_INET, 15);
  out.family_inet6 = try_bind(SOCK_STREAM, '127.0.0.1', 0, AF_INET6, 16);
  out.unspec_any = try_bind(SOCK_STREAM, '0.0.0.0', 0, AF_UNSPEC, 16);
  out.unspec_loopback = try_bind(SOCK_STREAM, '127.0.0.1', 0, AF_UNSPEC, 16);
  out.nonlocal_192_0_2_1 = try_bind(SOCK_STREAM, '192.0.2.1', 0, AF_INET, 16);
  out.loopback_127_1_2_3 = try_bind(SOCK_DGRAM, '127.1.2.3', 0, AF_INET, 16);
  out.broadcast_255 = try_bind(SOCK_DGRAM, '255.255.255.255', 0, AF_INET, 16);
  out.multicast_224_0_0_1_udp = try_bind(SOCK_DGRAM, '224.0.0.1', 0, AF_INET, 16);
  out.port_80_tcp = try_bind(SOCK_STREAM, '127.0.0.1', 80, AF_INET, 16);
  out.port_1023_udp = try_bind(SOCK_DGRAM, '0.0.0.0', 1023, AF_INET, 16);
  out.port_1024_udp = try_bind(SOCK_DGRAM, '0.0.0.0', 1024, AF_INET, 16);

  const fd = t.socket(AF_INET, SOCK_STREAM, 0);
  t.bind(fd, sockaddr_in('127.0.0.1', 0));
  out.bind_twice = errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', 0)));
  const name = t.getsockname(fd);
  const port = parse_sockaddr_in(name).port;
  out.ephemeral_in_range = port >= 32768 && port <= 60999;
  out.getsockname_len = name.length;
  let fd2 = t.socket(AF_INET, SOCK_STREAM, 0);
  out.tcp_same_port = errnoOf(() => t.bind(fd2, sockaddr_in('127.0.0.1', port)));
  t.close(fd2);
  fd2 = t.socket(AF_INET, SOCK_STREAM, 0);
  t.setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, 1);
  t.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  out.tcp_same_port_both_reuseaddr_unlistened = errnoOf(() => t.bind(fd2, sockaddr_in('127.0.0.1', port)));
  t.close(fd2);
  t.listen(fd, 5);
  fd2 = t.socket(AF_INET, SOCK_STREAM, 0);
  t.setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, 1);
  out.tcp_same_port_reuseaddr_listener = errnoOf(() => t.bind(fd2, sockaddr_in('127.0.0.1', port)));
  t.close(fd2);
  t.close(fd);

  let u1 = t.socket(AF_INET, SOCK_DGRAM, 0);
  let u2 = t.socket(AF_INET, SOCK_DGRAM, 0);
  t.setsockopt(u1, SOL_SOCKET, SO_REUSEPORT, 1);
  t.setsockopt(u2, SOL_SOCKET, SO_REUSEPORT, 1);
  t.bind(u1, sockaddr_in('127.0.0.1', 0));
  const uport = parse_sockaddr_in(t.getsockname(u1)).port;
  out.udp_same_port_reuseport = errnoOf(() => t.bind(u2, sockaddr_in('127.0.0.1', uport)));
  t.close(u2);
  u2 = t.socket(AF_INET, SOCK_DGRAM, 0);
  out.udp_same_port = errnoOf(() => t.bind(u2, sockaddr_in('127.0.0.1', uport)));
  t.close(u2);
  u2 = t.socket(AF_INET, SOCK_DGRAM, 0);
  out.udp_any_same_port = errnoOf(() => t.bind(u2, sockaddr_in('0.0.0.0', uport)));
  t.close(u2);
  t.close(u1);
  u1 = t.socket(AF_INET, SOCK_DGRAM, 0);
  out.udp_listen = errnoOf(() => t.listen(u1, 5));
  t.close(u1);
  u1 = t.socket(AF_INET, SOCK_STREAM, 0);
  const lr = errnoOf(() => t.listen(u1, 5));
  out.tcp_listen_unbound_autobinds = lr === 'OK' && parse_sockaddr_in(t.getsockname(u1)).port !== 0;
  t.close(u1);
  return out;
}

describe('inet_bind against Linux 6.18', () => {
  it('root gets the answers the host kernel gave', () => {
    const k = boot();
    const t = k.spawn();
    expect(bind_cases(t)).toEqual(host.bind_root);
    expect(k.sk_allocated).toBe(0);
    expect(k.proc.read('/proc/net/sockstat')).toBe(
      'sockets: used 0\nTCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n',
    );
  });

  it('an unprivileged task (no CAP_NET_BIND_SERVICE) gets the answers the host gave uid 65534', () => {
    const k = boot();
    const t = k.spawn({ uid: 65534, gid: 65534 });
    expect(bind_cases(t)).toEqual(host.bind_unprivileged);
    expect(k.sk_allocated).toBe(0);
  });

  it('CAP_NET_BIND_SERVICE alone allows ports below ip_unprivileged_port_start; the sysctl moves the line', () => {
    const k = boot();
    const root = k.spawn();
    const svc = k.spawn({ uid: 1000, caps: [CAP_NET_BIND_SERVICE] });
    const user = k.spawn({ uid: 1001 });
    const a = svc.socket(AF_INET, SOCK_STREAM, 0);
    svc.bind(a, sockaddr_in('127.0.0.1', 80));
    const b = user.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => user.bind(b, sockaddr_in('127.0.0.1', 443)))).toBe('EACCES');
    root.sysctl('net.ipv4.ip_unprivileged_port_start', '443');
    user.bind(b, sockaddr_in('127.0.0.1', 443));
    // Port 0 is never privileged.
    const c = user.socket(AF_INET, SOCK_DGRAM, 0);
    user.bind(c, sockaddr_in('0.0.0.0', 0));
    for (const [t, fd] of [
      [svc, a],
      [user, b],
      [user, c],
    ] as const)
      t.close(fd);
  });

  it('checks in Linux order: family before address, address before port privilege, privilege before EINVAL', () => {
    const k = boot();
    const user = k.spawn({ uid: 1000 });
    const fd = user.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => user.bind(fd, sockaddr_in('192.0.2.1', 80, AF_INET6)))).toBe('EAFNOSUPPORT');
    expect(errnoOf(() => user.bind(fd, sockaddr_in('192.0.2.1', 80)))).toBe('EADDRNOTAVAIL');
    user.bind(fd, sockaddr_in('127.0.0.1', 5000));
    expect(errnoOf(() => user.bind(fd, sockaddr_in('127.0.0.1', 80)))).toBe('EACCES');
    expect(errnoOf(() => user.bind(fd, sockaddr_in('127.0.0.1', 5001)))).toBe('EINVAL');
    expect(errnoOf(() => user.bind(fd, new Uint8Array(0)))).toBe('EINVAL');
    user.close(fd);
  });

  it("accepts the addresses of the namespace's devices, and IP_FREEBIND / ip_nonlocal_bind any address", () => {
    const k = boot();
    const t = k.spawn();
    t.socket(AF_INET, SOCK_DGRAM, 0); // load af_inet
    const dev = new NetDevice('eth0', 1);
    register_netdevice(k.init_net, dev);
    dev_change_flags(dev, dev.flags | IFF_UP);
    const local = IN.inet_aton('192.0.2.2');
    inet_insert_ifa(dev, {
      ifa_local: local,
      ifa_address: local,
      ifa_broadcast: IN.inet_aton('192.0.2.255'),
      ifa_prefixlen: 24,
      ifa_scope: 0,
      ifa_flags: 0,
      ifa_label: 'eth0',
    });
    const a = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(a, sockaddr_in('192.0.2.2', 0));
    expect(parse_sockaddr_in(t.getsockname(a)).addr).toBe(local);
    const b = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(b, sockaddr_in('192.0.2.255', 0)); // the subnet broadcast: bindable, source left to the device
    expect(sk_of<InetSock>(t, b).inet_saddr).toBe(0);
    expect(sk_of<InetSock>(t, b).inet_rcv_saddr).toBe(IN.inet_aton('192.0.2.255'));
    const c = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.bind(c, sockaddr_in('198.51.100.1', 0)))).toBe('EADDRNOTAVAIL');
    t.setsockopt(c, 0, IN.IP_FREEBIND, 1);
    t.bind(c, sockaddr_in('198.51.100.1', 0));
    const d = t.socket(AF_INET, SOCK_STREAM, 0);
    t.sysctl('net.ipv4.ip_nonlocal_bind', '1');
    t.bind(d, sockaddr_in('198.51.100.2', 0));
  });

  it('picks port 0 from ip_local_port_range and answers EADDRINUSE when the range is exhausted', () => {
    const k = boot();
    const t = k.spawn();
    t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sysctl('net.ipv4.ip_local_port_range', '40000 40003');
    for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
      const fds: number[] = [];
      const ports = new Set<number>();
      for (let i = 0; i < 4; i++) {
        const fd = t.socket(AF_INET, type, 0);
        t.bind(fd, sockaddr_in('127.0.0.1', 0));
        ports.add(parse_sockaddr_in(t.getsockname(fd)).port);
        fds.push(fd);
      }
      expect([...ports].sort()).toEqual([40000, 40001, 40002, 40003]);
      const fd = t.socket(AF_INET, type, 0);
      expect(errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', 0)))).toBe('EADDRINUSE');
      // A failed bind leaves the socket unbound: the address is cleared again.
      expect(parse_sockaddr_in(t.getsockname(fd))).toEqual({ family: AF_INET, port: 0, addr: 0 });
      t.close(fd);
      for (const f of fds) t.close(f);
    }
  });

  it('draws ephemeral ports from the kernel generator: one random_seed, one sequence of ports', () => {
    const ports = (seed: number) => {
      const k = boot([], seed);
      const t = k.spawn();
      const out: number[] = [];
      for (const type of [SOCK_DGRAM, SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM, SOCK_DGRAM]) {
        const fd = t.socket(AF_INET, type, 0);
        t.bind(fd, sockaddr_in('127.0.0.1', 0));
        out.push(parse_sockaddr_in(t.getsockname(fd)).port);
      }
      return out;
    };
    const a = ports(42);
    expect(ports(42)).toEqual(a);
    expect(ports(43)).not.toEqual(a);
    expect(a.every((p) => p >= 32768 && p <= 60999)).toBe(true);
  });

  it('property: any set of distinct explicit ports binds, and the same ports again are EADDRINUSE', () => {
    const k = boot();
    const t = k.spawn();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1024, max: 65535 }), { minLength: 1, maxLength: 8 }),
        (ports) => {
          const fds = ports.map((p) => {
            const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
            t.bind(fd, sockaddr_in('0.0.0.0', p));
            return fd;
          });
          for (const p of ports) {
            const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
            expect(errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', p)))).toBe('EADDRINUSE');
            t.close(fd);
          }
          for (const fd of fds) t.close(fd);
          expect(k.sk_allocated).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('raw sockets bind an address only (raw_bind), with EINVAL for a short address and EADDRNOTAVAIL', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_RAW, IN.IPPROTO_ICMP);
    expect(errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', 0).subarray(0, 15)))).toBe('EINVAL');
    expect(errnoOf(() => t.bind(fd, sockaddr_in('192.0.2.9', 0)))).toBe('EADDRNOTAVAIL');
    t.bind(fd, sockaddr_in('127.0.0.1', 9999));
    // raw_bind() does not check the family and keeps the protocol as the "port".
    expect(parse_sockaddr_in(t.getsockname(fd))).toEqual({
      family: AF_INET,
      port: 1,
      addr: IN.INADDR_LOOPBACK,
    });
    t.bind(fd, sockaddr_in('127.0.0.2', 0, AF_INET6));
    t.close(fd);
  });
});

describe('getsockname, listen', () => {
  it('getsockname gives 16 bytes: family, port and address in network order, zero padding', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.getsockname(fd)).toEqual(sockaddr_in(0, 0));
    t.bind(fd, sockaddr_in('127.0.0.1', 0x1234));
    expect([...t.getsockname(fd)]).toEqual([2, 0, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(errnoOf(() => t.getpeername(fd))).toBe('ENOTCONN');
    t.close(fd);
  });

  it('listen sets LISTEN and the backlog (capped at somaxconn); a second listen only changes the backlog', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(fd, sockaddr_in('127.0.0.1', 5555));
    t.listen(fd, 7);
    const sk = sk_of<InetSock>(t, fd);
    expect(sk.sk_state).toBe(TCP_LISTEN);
    expect(sk.sk_max_ack_backlog).toBe(7);
    t.listen(fd, 100000);
    expect(sk.sk_max_ack_backlog).toBe(4096);
    expect(t.getsockoptInt(fd, SOL_SOCKET, 30 /* SO_ACCEPTCONN */)).toBe(1);
    // Binding a listener is EINVAL (not CLOSE).
    expect(errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', 5556)))).toBe('EINVAL');
    t.close(fd);
    // The port is free again once the listener is gone.
    const fd2 = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(fd2, sockaddr_in('127.0.0.1', 5555));
    t.close(fd2);
  });

  it('listen: EOPNOTSUPP for UDP and raw, EADDRINUSE when a listener already owns the port', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.listen(u, 1))).toBe('EOPNOTSUPP');
    const r = t.socket(AF_INET, SOCK_RAW, 6);
    expect(errnoOf(() => t.listen(r, 1))).toBe('EOPNOTSUPP');
    const a = t.socket(AF_INET, SOCK_STREAM, 0);
    const b = t.socket(AF_INET, SOCK_STREAM, 0);
    for (const fd of [a, b]) t.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    t.bind(a, sockaddr_in('127.0.0.1', 6000));
    t.bind(b, sockaddr_in('127.0.0.1', 6000));
    t.listen(a, 1);
    expect(errnoOf(() => t.listen(b, 1))).toBe('EADDRINUSE');
    expect(sk_of<InetSock>(t, b).sk_state).toBe(7);
    for (const fd of [u, r, a, b]) t.close(fd);
    expect(k.sk_allocated).toBe(0);
  });

  it('shutdown on an unconnected socket answers ENOTCONN; a bad how is EINVAL', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.shutdown(fd, 3))).toBe('EINVAL');
    expect(errnoOf(() => t.shutdown(fd, 0))).toBe('ENOTCONN');
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.listen(l, 1);
    t.shutdown(l, 0); // SHUT_RD on a listener disconnects it
    expect(sk_of<InetSock>(t, l).sk_state).toBe(7);
    t.close(fd);
    t.close(l);
    expect(k.sk_allocated).toBe(0);
  });
});
