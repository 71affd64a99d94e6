import { AF_INET, IFF_UP, SOCK_DGRAM, SOCK_STREAM } from '@ksock/core';
import { dev_change_flags } from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { sockaddr_in } from './uapi/in.js';

const CLONE_NEWNET = 0x40000000;

describe('network namespaces', () => {
  it("a new namespace's lo is down: 127.0.0.1 is not local (EADDRNOTAVAIL) until it is brought up", () => {
    const k = boot();
    const t = k.spawn();
    t.unshare(CLONE_NEWNET);
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.bind(fd, sockaddr_in('127.0.0.1', 5000)))).toBe('EADDRNOTAVAIL');
    t.bind(fd, sockaddr_in('0.0.0.0', 5000));
    const lo = t.nsproxy_net.loopback_dev!;
    dev_change_flags(lo, lo.flags | IFF_UP);
    const fd2 = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(fd2, sockaddr_in('127.0.0.1', 5001));
  });

  it('ports, sysctls and datagrams are per namespace', () => {
    const k = boot();
    const a = k.spawn();
    const b = k.spawn();
    b.unshare(CLONE_NEWNET);
    const lo = b.nsproxy_net.loopback_dev!;
    dev_change_flags(lo, lo.flags | IFF_UP);
    const fa = a.socket(AF_INET, SOCK_STREAM, 0);
    const fb = b.socket(AF_INET, SOCK_STREAM, 0);
    a.bind(fa, sockaddr_in('127.0.0.1', 8000));
    b.bind(fb, sockaddr_in('127.0.0.1', 8000));
    a.listen(fa, 1);
    // b's namespace has no listener on 8000 other than its own unlistened socket: refused.
    const cb = b.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => b.connect(cb, sockaddr_in('127.0.0.1', 8000)))).toBe('ECONNREFUSED');
    b.sysctl('net.ipv4.ip_default_ttl', '9');
    expect(k.proc.read('/proc/sys/net/ipv4/ip_default_ttl', a)).toBe('64\n');
    expect(k.proc.read('/proc/sys/net/ipv4/ip_default_ttl', b)).toBe('9\n');
    const ua = a.socket(AF_INET, SOCK_DGRAM, 0);
    a.bind(ua, sockaddr_in('127.0.0.1', 8001));
    const ub = b.socket(AF_INET, SOCK_DGRAM, 0);
    b.sendto(ub, Uint8Array.of(1), 0, sockaddr_in('127.0.0.1', 8001));
    expect(errnoOf(() => a.recvfrom(ua, 4, 0x40))).toBe('EAGAIN');
    expect(k.proc.read('/proc/net/tcp', a).split('\n').length).toBe(3);
    expect(k.proc.read('/proc/net/tcp', b).split('\n').length).toBe(2);
  });

  it('a namespace dies with its last socket and task; af_inet can then be unloaded', () => {
    const k = boot();
    const t = k.spawn();
    t.unshare(CLONE_NEWNET);
    const net = t.nsproxy_net;
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(fd, sockaddr_in('0.0.0.0', 0));
    t.exit(0);
    expect(net.dead).toBe(true);
    k.modules.unload('af_inet');
    expect(k.sk_allocated).toBe(0);
  });
});
