/**
 * Multicast memberships and IP_MULTICAST_IF: every expectation is what Linux 6.18 answered to the same
 * calls in a fresh network namespace with only lo up.
 */
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, SOL_IP } from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import * as IN from './uapi/in.js';

const ip = (a: string) => Uint8Array.from(a.split('.').map(Number));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const int = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
};

describe('IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (ip_mc_join_group(), ip_mc_leave_group())', () => {
  it('joins on an interface named by address or index, once, up to igmp_max_memberships', () => {
    const t = boot().spawn({});
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    const g = ip('239.1.2.3');
    const lo = ip('127.0.0.1');
    const any = ip('0.0.0.0');
    const set = (name: number, v: Uint8Array, fd = s) => errnoOf(() => t.setsockopt(fd, SOL_IP, name, v));
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(g, any))).toBe('ENODEV'); // no route to the group
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(g, lo))).toBe('OK');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(g, lo))).toBe('EADDRINUSE');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.1.2.4'), any, int(1)))).toBe('OK');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.1.2.5'), any, int(99)))).toBe('ENODEV');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('10.0.0.1'), lo))).toBe('EINVAL');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.1.2.6'), ip('10.9.9.9')))).toBe('ENODEV');
    expect(set(IN.IP_DROP_MEMBERSHIP, cat(ip('239.9.9.9'), lo))).toBe('EADDRNOTAVAIL');
    expect(set(IN.IP_DROP_MEMBERSHIP, cat(g, lo))).toBe('OK');
    expect(set(IN.IP_DROP_MEMBERSHIP, cat(g, lo))).toBe('EADDRNOTAVAIL');
    // Leaving: a group with no route and no interface is ENODEV; a local address has a route (lo).
    expect(set(IN.IP_DROP_MEMBERSHIP, cat(g, any))).toBe('ENODEV');
    expect(set(IN.IP_DROP_MEMBERSHIP, cat(lo, any, int(0)))).toBe('EADDRNOTAVAIL');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(g, ip('0.0.0')))).toBe('EINVAL');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.1.3.1'), lo, Uint8Array.of(0)))).toBe('OK');
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    let joined = 0;
    while (set(IN.IP_ADD_MEMBERSHIP, cat(ip(`239.2.0.${joined}`), lo), u) === 'OK') joined++;
    expect(joined).toBe(20);
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.2.0.99'), lo), u)).toBe('ENOBUFS');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(g, lo), t.socket(AF_INET, SOCK_STREAM, 0))).toBe('EPROTO');
    expect(errnoOf(() => t.getsockopt(s, SOL_IP, IN.IP_ADD_MEMBERSHIP, 8))).toBe('ENOPROTOOPT');
    // net.ipv4.igmp_max_memberships bounds the next join.
    t.sysctl('net.ipv4.igmp_max_memberships', '25');
    expect(set(IN.IP_ADD_MEMBERSHIP, cat(ip('239.2.0.99'), lo), u)).toBe('OK');
  });
});

describe('IP_MULTICAST_IF', () => {
  it('takes an in_addr, ip_mreq or ip_mreqn and reads back the address', () => {
    const t = boot().spawn({});
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    const lo = ip('127.0.0.1');
    const any = ip('0.0.0.0');
    const set = (v: Uint8Array) => errnoOf(() => t.setsockopt(s, SOL_IP, IN.IP_MULTICAST_IF, v));
    const get = (len: number) => [...t.getsockopt(s, SOL_IP, IN.IP_MULTICAST_IF, len)];
    expect(set(lo)).toBe('OK');
    expect(get(4)).toEqual([127, 0, 0, 1]);
    expect(get(12)).toEqual([127, 0, 0, 1]);
    expect(set(cat(any, any, int(1)))).toBe('OK');
    expect(get(4)).toEqual([0, 0, 0, 0]);
    expect(set(cat(lo, any))).toBe('OK');
    expect(set(any)).toBe('OK');
    expect(set(cat(any, any, int(99)))).toBe('EADDRNOTAVAIL');
    expect(set(int(1))).toBe('EADDRNOTAVAIL'); // 1.0.0.0 is nobody's address
    expect(set(new Uint8Array(0))).toBe('EINVAL');
    expect(
      errnoOf(() => t.setsockopt(t.socket(AF_INET, SOCK_STREAM, 0), SOL_IP, IN.IP_MULTICAST_IF, lo)),
    ).toBe('EINVAL');
  });
});
