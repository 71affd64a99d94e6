/**
 * Every reference taken is put back: module references, the socket inode cache, files, socks, the UNIX
 * slab, sockets in use per namespace, /proc/net/protocols — whatever order sockets are closed in and
 * whatever is still queued when they are.
 */
import { AF_UNIX, CLONE_NEWNET, MSG_DONTWAIT, SOCK_DGRAM } from '@ksock/core';
import { sock_prot_inuse_get } from '@ksock/core/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unix_unlink } from './af_unix.js';
import { unix_nets } from './state.js';
import { boot, bytes, counters, dgram } from './test_util.js';
import { sockaddr_un, sockaddr_un_abstract, sockaddr_un_unnamed } from './uapi.js';

describe('refcounts', () => {
  it('a sender closed while its datagrams sit in a queue lives on until they are read', () => {
    const { k, t } = boot();
    const r = dgram(t);
    t.bind(r, sockaddr_un_abstract('r'));
    const start = counters(k);
    const s = dgram(t);
    t.bind(s, sockaddr_un('/s'));
    t.sendto(s, bytes('one'), 0, sockaddr_un_abstract('r'));
    t.sendto(s, bytes('two'), 0, sockaddr_un_abstract('r'));
    t.close(s);
    // The sock, and with it the module reference sk_alloc() took, waits for its buffers
    // (r's socket holds two references: its ops and its sock).
    expect(k.sk_allocated).toBe(2);
    expect(k.modules.find('unix')!.refcnt).toBe(3);
    // It still names itself as the sender.
    expect(t.recvfrom(r, 10).addr).toEqual(sockaddr_un('/s'));
    expect(k.sk_allocated).toBe(2);
    t.recvfrom(r, 10);
    expect(k.sk_allocated).toBe(1);
    expect(k.modules.find('unix')!.refcnt).toBe(2);
    unix_unlink(k, '/s');
    expect(counters(k)).toEqual(start);
  });

  it('closing the receiver frees what was queued, giving senders their buffer space back', () => {
    const { k, t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    for (let i = 0; i < 278; i++) t.sendto(a, new Uint8Array(1), MSG_DONTWAIT);
    expect(() => t.sendto(a, new Uint8Array(1), MSG_DONTWAIT)).toThrow(
      expect.objectContaining({ code: 'EAGAIN' }),
    );
    t.close(b);
    // b's sock lives on (a still points at it as its peer), but its queue is gone and a has room again.
    expect(k.sk_allocated).toBe(2);
    expect(() => t.sendto(a, new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    expect(k.sk_allocated).toBe(1);
    t.close(a);
    expect(k.sk_allocated).toBe(0);
    expect(k.modules.find('unix')!.refcnt).toBe(0);
    expect(sock_prot_inuse_get(k.init_net, k.proto_list.find((p) => p.name === 'UNIX')!)).toBe(0);
    k.modules.unload('unix');
    expect(k.modules.list()).toEqual([]);
  });

  it('a namespace with af_unix sockets goes away once its last socket and task are gone', () => {
    const { k } = boot();
    const child = k.spawn();
    child.unshare(CLONE_NEWNET);
    const net = child.nsproxy_net;
    const fd = dgram(child);
    child.bind(fd, sockaddr_un_abstract('x'));
    child.exit(0);
    // exit() closed the socket; with it went the last reference on the namespace, and af_unix's pernet exit ran.
    expect(net.dead).toBe(true);
    expect(unix_nets.has(net)).toBe(false);
    expect(k.net_namespace_list).not.toContain(net);
  });

  it('any sequence of binds, connects, sends, receives, shutdowns and closes ends with nothing held', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('bind' as const), s: fc.nat(4), name: fc.nat(3), path: fc.boolean() }),
      fc.record({ kind: fc.constant('autobind' as const), s: fc.nat(4) }),
      fc.record({ kind: fc.constant('connect' as const), s: fc.nat(4), name: fc.nat(3), path: fc.boolean() }),
      fc.record({ kind: fc.constant('unspec' as const), s: fc.nat(4) }),
      fc.record({
        kind: fc.constant('send' as const),
        s: fc.nat(4),
        name: fc.option(fc.nat(3)),
        len: fc.nat(3000),
      }),
      fc.record({ kind: fc.constant('recv' as const), s: fc.nat(4), peek: fc.boolean() }),
      fc.record({ kind: fc.constant('shutdown' as const), s: fc.nat(4), how: fc.nat(2) }),
      fc.record({ kind: fc.constant('close' as const), s: fc.nat(4) }),
      fc.record({ kind: fc.constant('pair' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { k, t } = boot();
        t.close(dgram(t)); // load the module
        const start = counters(k);
        const fds: number[] = [];
        for (let i = 0; i < 5; i++) fds.push(dgram(t));
        const addr = (n: number, path: boolean) =>
          path ? sockaddr_un(`/p${n}`) : sockaddr_un_abstract(`a${n}`);
        const fd = (s: number) => fds[s % fds.length];
        for (const o of ops) {
          try {
            const f = o.kind === 'pair' ? -1 : fd(o.s);
            if (f === undefined) continue;
            switch (o.kind) {
              case 'bind':
                t.bind(f, addr(o.name, o.path));
                break;
              case 'autobind':
                t.bind(f, sockaddr_un_unnamed());
                break;
              case 'connect':
                t.connect(f, addr(o.name, o.path));
                break;
              case 'unspec':
                t.connect(f, new Uint8Array(2));
                break;
              case 'send':
                t.sendto(
                  f,
                  new Uint8Array(o.len),
                  MSG_DONTWAIT,
                  o.name === null ? null : addr(o.name, false),
                );
                break;
              case 'recv':
                t.recvfrom(f, 100, MSG_DONTWAIT | (o.peek ? 2 : 0));
                break;
              case 'shutdown':
                t.shutdown(f, o.how);
                break;
              case 'close':
                t.close(f);
                fds.splice(fds.indexOf(f), 1);
                break;
              case 'pair':
                fds.push(...t.socketpair(AF_UNIX, SOCK_DGRAM, 0));
                break;
            }
          } catch (e) {
            if (!(e instanceof Error && e.name === 'KernelError')) throw e;
          }
        }
        for (const f of fds) t.close(f);
        expect(counters(k)).toEqual(start);
        expect(k.proc.read('/proc/net/unix')).toBe(
          'Num       RefCount Protocol Flags    Type St Inode Path\n',
        );
        k.modules.unload('unix');
      }),
      { numRuns: 150 },
    );
  });
});
