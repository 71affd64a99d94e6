import {
  AF_INET,
  type Kernel,
  SO_PROTOCOL,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
} from '@ksock/core';
import { type Module, proto_register, proto_unregister } from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { SctpLikeSock, sctp_like } from './__fixtures__/sctp_like.js';
import { boot, sk_of } from './__fixtures__/util.js';
import {
  INET_PROTOSW_PERMANENT,
  type InetProtosw,
  inet_register_protosw,
  inet_unregister_protosw,
  inetsw_list,
} from './af_inet.js';
import { inet_state } from './state.js';
import { IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, parse_sockaddr_in, sockaddr_in } from './uapi/in.js';

const refcnt = (k: Kernel, name: string) => k.modules.find(name)?.refcnt;

describe('a third-party protocol registered with inet_register_protosw', () => {
  it('is autoloaded by socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) and serves STREAM and SEQPACKET', () => {
    const k = boot([sctp_like]);
    const t = k.spawn();
    expect(errnoOf(() => t.socket(AF_INET, SOCK_SEQPACKET, 0))).toBe('ESOCKTNOSUPPORT');
    const r = k.trace(() => t.socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
    const fd = r.result!;
    expect(r.events.filter((e) => e.name === 'request_module').map((e) => e.args)).toEqual([
      '"net-pf-2-proto-132-type-1"',
      '"net-pf-2-proto-132"',
    ]);
    expect(k.modules.list().map((m) => [m.name, m.usedBy])).toEqual([
      ['sctp_like', []],
      ['af_inet', ['sctp_like']],
    ]);
    const sk = sk_of<SctpLikeSock>(t, fd);
    expect(sk).toBeInstanceOf(SctpLikeSock);
    expect([sk.inits, sk.sk_protocol, sk.is_icsk, sk.sk_reuse]).toEqual([1, IPPROTO_SCTP, false, 0]);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_SCTP);
    // SEQPACKET with protocol 0 takes the first (here the only) entry of its list.
    const sp = t.socket(AF_INET, SOCK_SEQPACKET, 0);
    expect(t.getsockoptInt(sp, SOL_SOCKET, SO_TYPE)).toBe(SOCK_SEQPACKET);
    expect(t.getsockoptInt(sp, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_SCTP);
    // TCP is still what SOCK_STREAM with protocol 0 or 6 gives: permanent entries stay first.
    const tcp = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(sk_of(t, tcp).sk_prot.name).toBe('TCP');
    expect(inetsw_list(k, SOCK_STREAM).map((p) => p.prot.name)).toEqual(['TCP', 'SCTP']);
    // The generic inet calls work on it: bind, getsockname, listen.
    t.bind(fd, sockaddr_in('127.0.0.1', 0));
    expect(parse_sockaddr_in(t.getsockname(fd)).port).toBeGreaterThanOrEqual(32768);
    t.listen(fd, 3);
    for (const f of [fd, sp, tcp]) t.close(f);
    expect(k.sk_allocated).toBe(0);
  });

  it('holds its module (ops owner + proto owner) while its sockets live, and can be unloaded after', () => {
    const k = boot([sctp_like]);
    const t = k.spawn();
    t.modprobe('sctp_like');
    expect(refcnt(k, 'sctp_like')).toBe(0);
    const a = t.socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    expect(refcnt(k, 'sctp_like')).toBe(2);
    const b = t.socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
    expect(refcnt(k, 'sctp_like')).toBe(4);
    expect(errnoOf(() => t.rmmod('sctp_like'))).toBe('EAGAIN');
    expect(errnoOf(() => t.rmmod('af_inet'))).toBe('EAGAIN'); // used by sctp_like
    t.close(a);
    expect(refcnt(k, 'sctp_like')).toBe(2);
    t.close(b);
    expect(refcnt(k, 'sctp_like')).toBe(0);
    t.rmmod('sctp_like');
    // Unregistered: the STREAM list is back to TCP alone, and the protocol is gone until reloaded.
    expect(inetsw_list(k, SOCK_STREAM).map((p) => p.prot.name)).toEqual(['TCP']);
    expect(inetsw_list(k, SOCK_SEQPACKET)).toEqual([]);
    expect(k.proc.read('/proc/net/protocols')).not.toContain('SCTP');
    const c = t.socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP); // autoloaded again
    expect(refcnt(k, 'sctp_like')).toBe(2);
    t.close(c);
    t.rmmod('sctp_like');
    t.rmmod('af_inet');
    expect(k.modules.list()).toEqual([]);
  });
});

describe("inet_register_protosw / inet_unregister_protosw follow Linux's rules", () => {
  function loaded(): { k: Kernel; mod: Module } {
    const k = boot();
    k.modules.load('af_inet');
    return { k, mod: inet_state(k).mod };
  }
  const entry = (k: Kernel, type: number, protocol: number, flags = 0): InetProtosw => {
    const st = inet_state(k);
    return { type, protocol, prot: st.udp_prot, ops: st.inet_dgram_ops, flags };
  };

  it('refuses to override a permanent protocol, and ignores an invalid socket type', () => {
    const { k } = loaded();
    inet_register_protosw(k, entry(k, SOCK_STREAM, IPPROTO_TCP));
    expect(k.log).toContain('Attempt to override permanent protocol 6.');
    inet_register_protosw(k, entry(k, 11, 0));
    expect(k.log).toContain('Ignoring attempt to register invalid socket type 11.');
    expect(inetsw_list(k, SOCK_STREAM).length).toBe(1);
  });

  it('inserts after the last permanent entry, so a newer entry shadows an older non-permanent one', () => {
    const { k } = loaded();
    const t = k.spawn();
    t.sysctl('net.ipv4.ping_group_range', '0 0');
    expect(sk_of(t, t.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)).sk_prot.name).toBe('PING');
    // A module's own struct proto for ICMP datagrams.
    const prot = { ...inet_state(k).ping_prot, name: 'MYICMP', owner: null, slab: null };
    proto_register(k, prot, true);
    const mine: InetProtosw = { ...entry(k, SOCK_DGRAM, IPPROTO_ICMP), prot };
    inet_register_protosw(k, mine);
    expect(inetsw_list(k, SOCK_DGRAM).map((p) => p.prot.name)).toEqual(['UDP', 'UDP-Lite', 'MYICMP', 'PING']);
    const fd = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    expect(sk_of(t, fd).sk_prot.name).toBe('MYICMP');
    t.close(fd);
    inet_unregister_protosw(k, mine);
    proto_unregister(k, prot);
    expect(sk_of(t, t.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)).sk_prot.name).toBe('PING');
  });

  it('a wildcard (IPPROTO_IP) entry matches any protocol but not protocol 0', () => {
    const { k } = loaded();
    const t = k.spawn();
    const wild = entry(k, SOCK_SEQPACKET, 0);
    inet_register_protosw(k, wild);
    expect(errnoOf(() => t.socket(AF_INET, SOCK_SEQPACKET, 0))).toBe('EPROTONOSUPPORT');
    const fd = t.socket(AF_INET, SOCK_SEQPACKET, 99);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL)).toBe(99);
    t.close(fd);
    inet_unregister_protosw(k, wild);
    expect(errnoOf(() => t.socket(AF_INET, SOCK_SEQPACKET, 99))).toBe('ESOCKTNOSUPPORT');
  });

  it('does not unregister a permanent entry', () => {
    const { k } = loaded();
    const tcp = inetsw_list(k, SOCK_STREAM)[0]!;
    expect(tcp.flags & INET_PROTOSW_PERMANENT).not.toBe(0);
    inet_unregister_protosw(k, tcp);
    expect(k.log).toContain('Attempt to unregister permanent protocol 6.');
    expect(inetsw_list(k, SOCK_STREAM)).toEqual([tcp]);
  });

  it('a module that registers a protosw on load is found by the retry after request_module', () => {
    const k = boot([sctp_like]);
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
    // af_inet came first (sctp_like depends on it), then sctp_like through "net-pf-2-proto-132".
    expect(k.modules.list().map((m) => [m.name, m.state])).toEqual([
      ['sctp_like', 'Live'],
      ['af_inet', 'Live'],
    ]);
    t.close(fd);
  });
});
