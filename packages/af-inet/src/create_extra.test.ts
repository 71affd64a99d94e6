import {
  AF_INET,
  EADDRINUSE,
  EPERM,
  type Kernel,
  SO_REUSEPORT,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from '@ksock/core';
import {
  type Module,
  type Proto,
  proto_register,
  proto_unregister,
  sock_create,
  sock_create_kern,
  sock_release,
} from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { type InetProtosw, inet_register_protosw, inet_unregister_protosw } from './af_inet.js';
import { InetSock } from './inet_sock.js';
import { inet_state } from './state.js';
import { IPPROTO_ICMP, sockaddr_in } from './uapi/in.js';

describe('inet_create: the remaining branches', () => {
  it('kernel sockets (sock_create_kern) skip the CAP_NET_RAW check that user sockets fail', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn({ uid: 1000 });
    const user = k.run(() => sock_create(AF_INET, SOCK_RAW, IPPROTO_ICMP), t);
    expect(user).toBe(-EPERM);
    const ks = k.run(() => sock_create_kern(t.nsproxy_net, AF_INET, SOCK_RAW, IPPROTO_ICMP), t);
    if (typeof ks === 'number') throw new Error(`sock_create_kern: ${ks}`);
    const sk = ks.sk!;
    expect(sk.sk_kern_sock).toBe(true);
    expect(sk.sk_net_refcnt).toBe(false);
    expect(k.proc.read('/proc/net/raw').split('\n').length).toBe(3);
    expect(k.proc.read('/proc/net/sockstat')).toContain('sockets: used 0\n'); // kernel socks are not counted
    k.run(() => sock_release(ks), t);
    expect(k.sk_allocated).toBe(0);
  });

  it('a failing prot->hash for a raw protocol releases the new sock (out_sk_release)', () => {
    const k = boot();
    k.modules.load('af_inet');
    const st = inet_state(k);
    const prot: Proto = {
      name: 'BADRAW',
      owner: null,
      obj_size: 1152,
      sk_class: InetSock,
      hash: () => -EADDRINUSE,
      close: () => {},
    };
    proto_register(k, prot, true);
    const sw: InetProtosw = { type: SOCK_RAW, protocol: 99, prot, ops: st.inet_sockraw_ops, flags: 0 };
    inet_register_protosw(k, sw);
    const t = k.spawn();
    const r = k.trace(() => t.socket(AF_INET, SOCK_RAW, 99));
    expect((r.error as { code: string }).code).toBe('EADDRINUSE');
    expect(r.events.some((e) => e.name === 'inet_create' && e.errno === 'EADDRINUSE')).toBe(true);
    expect(k.sk_allocated).toBe(0);
    expect(k.modules.find('af_inet')!.refcnt).toBe(0);
    // Other raw protocols still reach the wildcard entry.
    t.close(t.socket(AF_INET, SOCK_RAW, 98));
    inet_unregister_protosw(k, sw);
    proto_unregister(k, prot);
  });

  it('sk_alloc takes the proto owner: a module whose proto is going away cannot get new socks', () => {
    const k = boot();
    k.modules.load('af_inet');
    const st = inet_state(k);
    const fake = { state: 'Going', refcnt: 0, name: 'going' } as unknown as Module;
    const prot: Proto = { ...st.udp_prot, name: 'GOING', owner: fake, slab: null };
    proto_register(k, prot, true);
    const sw: InetProtosw = { type: 4, protocol: 7, prot, ops: st.inet_dgram_ops, flags: 0 };
    inet_register_protosw(k, sw);
    const t = k.spawn();
    expect(errnoOf(() => t.socket(AF_INET, 4, 7))).toBe('ENOMEM');
    inet_unregister_protosw(k, sw);
    proto_unregister(k, prot);
  });
});

describe('bind conflicts beyond the host cases', () => {
  function two(k: Kernel) {
    return k.spawn();
  }
  it('TCP: different specific addresses share a port; a wildcard conflicts with both', () => {
    const k = boot();
    const t = two(k);
    const a = t.socket(AF_INET, SOCK_STREAM, 0);
    const b = t.socket(AF_INET, SOCK_STREAM, 0);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(a, sockaddr_in('127.0.0.1', 7100));
    t.bind(b, sockaddr_in('127.0.0.2', 7100));
    expect(errnoOf(() => t.bind(c, sockaddr_in('0.0.0.0', 7100)))).toBe('EADDRINUSE');
  });

  it('SO_REUSEPORT lets sockets of the same owner share a port, not those of another uid', () => {
    const k = boot();
    const alice = k.spawn({ uid: 1000 });
    const bob = k.spawn({ uid: 1001 });
    const a1 = alice.socket(AF_INET, SOCK_STREAM, 0);
    const a2 = alice.socket(AF_INET, SOCK_STREAM, 0);
    const b1 = bob.socket(AF_INET, SOCK_STREAM, 0);
    for (const [t, fd] of [
      [alice, a1],
      [alice, a2],
      [bob, b1],
    ] as const)
      t.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    alice.bind(a1, sockaddr_in('127.0.0.1', 7200));
    alice.listen(a1, 1);
    alice.bind(a2, sockaddr_in('127.0.0.1', 7200));
    alice.listen(a2, 1);
    expect(errnoOf(() => bob.bind(b1, sockaddr_in('127.0.0.1', 7200)))).toBe('EADDRINUSE');
  });
});
