import {
  AF_INET,
  AF_NETLINK,
  AF_UNSPEC,
  CAP_NET_ADMIN,
  cmsgs,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  SO_BINDTODEVICE,
  SO_BINDTOIFINDEX,
  SO_PEERNAME,
  SO_RCVBUF,
  SO_REUSEPORT,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_NETLINK,
  SOL_SOCKET,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { bindnl, boot, modref, nlsocket } from './__fixtures__/test_util.js';
import { netlink_table } from './af_netlink.js';
import {
  decode_sockaddr_nl,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_LIST_MEMBERSHIPS,
  NETLINK_NO_ENOBUFS,
  NETLINK_PKTINFO,
  NETLINK_USERSOCK,
  sockaddr_nl,
} from './uapi.js';

const err = (code: string) => expect.objectContaining({ code });
const enc = (s: string) => new TextEncoder().encode(s);

describe('socket(AF_NETLINK, …)', () => {
  it('autoloads af_netlink and creates through netlink_create → __netlink_create → sk_alloc → sock_init_data', () => {
    const k = boot();
    const t = k.spawn();
    const tr = k.trace(() => nlsocket(t, NETLINK_USERSOCK));
    expect(tr.error).toBeUndefined();
    const names = tr.events.filter((e) => !e.note).map((e) => e.name);
    const rm = tr.events.find((e) => e.name === 'request_module')!;
    expect(rm.args).toBe('"net-pf-16"');
    const idx = (n: string) => names.indexOf(n);
    expect(idx('request_module')).toBeGreaterThanOrEqual(0);
    expect(idx('load_module')).toBeGreaterThan(idx('request_module'));
    expect(idx('netlink_create')).toBeGreaterThan(idx('load_module'));
    expect(idx('__netlink_create')).toBeGreaterThan(idx('netlink_create'));
    expect(idx('sk_alloc')).toBeGreaterThan(idx('__netlink_create'));
    expect(idx('sock_init_data')).toBeGreaterThan(idx('sk_alloc'));
    const create = tr.events.find((e) => e.name === 'netlink_create')!;
    const inner = tr.events.find((e) => e.name === '__netlink_create')!;
    const ska = tr.events.find((e) => e.name === 'sk_alloc')!;
    expect(inner.depth).toBe(create.depth + 1);
    expect(ska.depth).toBe(inner.depth + 1);
    expect(ska.args).toBe('family=16, prot=NETLINK, kern=0');
    expect(create.args).toBe('protocol=2, kern=0');
    // No protocol module was asked for: NETLINK_USERSOCK is registered at init.
    expect(tr.events.filter((e) => e.name === 'request_module')).toHaveLength(1);
    expect(tr.text).toContain('netlink_create(protocol=2, kern=0) {');
  });

  it('checks the type before the protocol, then the range', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    expect(() => nlsocket(t, 99, SOCK_STREAM)).toThrow(err('ESOCKTNOSUPPORT'));
    expect(() => nlsocket(t, 32)).toThrow(err('EPROTONOSUPPORT'));
    expect(() => nlsocket(t, -1)).toThrow(err('EPROTONOSUPPORT'));
    expect(nlsocket(t, NETLINK_USERSOCK, SOCK_RAW)).toBeGreaterThan(2);
  });

  it('asks for net-pf-16-proto-N for an unregistered protocol, then EPROTONOSUPPORT', () => {
    const k = boot();
    const t = k.spawn();
    const tr = k.trace(() => nlsocket(t, 5));
    expect(tr.error).toEqual(err('EPROTONOSUPPORT'));
    expect(tr.events.some((e) => e.name === 'request_module' && e.args === '"net-pf-16-proto-5"')).toBe(true);
    expect(modref(k, 'af_netlink')).toBe(0);
    expect(k.sock_inode_cache.active_objs).toBe(0);
  });

  it('holds ops, proto and table module references while open and drops them all on close', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    expect(modref(k, 'af_netlink')).toBe(3);
    const fd2 = nlsocket(t, NETLINK_USERSOCK);
    expect(modref(k, 'af_netlink')).toBe(6);
    bindnl(t, fd);
    t.close(fd);
    t.close(fd2);
    expect(modref(k, 'af_netlink')).toBe(0);
    expect(k.sk_allocated).toBe(0);
    expect(k.init_net.sock_inuse).toBe(0);
    expect(k.proc.read('/proc/net/protocols')).toMatch(/^NETLINK\s+1096\s+0 /m);
    t.exit(0);
    k.modules.unload('af_netlink');
    expect(modref(k, 'af_netlink')).toBeUndefined();
  });

  it('starts unbound with Linux defaults', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    expect(t.getsockname(fd)).toEqual(sockaddr_nl(0, 0));
    expect(t.getpeername(fd)).toEqual(sockaddr_nl(0, 0));
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(212992);
  });
});

describe('bind', () => {
  it('binds an explicit portid, refuses a taken one and keeps the requested pid on failure', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 4242);
    expect(decode_sockaddr_nl(t.getsockname(a)).nl_pid).toBe(4242);
    expect(() => bindnl(t, b, 4242)).toThrow(err('EADDRINUSE'));
    expect(decode_sockaddr_nl(t.getsockname(b)).nl_pid).toBe(4242);
    // Same portid again: a no-op; another: EINVAL.
    bindnl(t, a, 4242);
    expect(() => bindnl(t, a, 1)).toThrow(err('EINVAL'));
    expect(() => bindnl(t, a, 0)).toThrow(err('EINVAL'));
  });

  it('checks the address length and family', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    expect(() => t.bind(fd, sockaddr_nl(1).subarray(0, 11))).toThrow(err('EINVAL'));
    expect(() => t.bind(fd, sockaddr_nl(1, 0, AF_INET))).toThrow(err('EINVAL'));
  });

  it('autobinds to the tgid first, then to negative portids', () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a);
    expect(decode_sockaddr_nl(t.getsockname(a)).nl_pid).toBe(t.pid);
    bindnl(t, b);
    const pid = decode_sockaddr_nl(t.getsockname(b)).nl_pid;
    expect(pid).toBeGreaterThanOrEqual(0x80000000);
    expect(pid).toBeLessThanOrEqual(0xffffefff);
  });

  it('needs CAP_NET_ADMIN for groups on NETLINK_USERSOCK (NONROOT_SEND only)', () => {
    const k = boot();
    const u = k.spawn({ uid: 1000 });
    const fd = nlsocket(u, NETLINK_USERSOCK);
    expect(() => bindnl(u, fd, 0, 1)).toThrow(err('EPERM'));
    expect(() => u.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1)).toThrow(err('EPERM'));
    const a = k.spawn({ uid: 1000, caps: [CAP_NET_ADMIN] });
    const fd2 = nlsocket(a, NETLINK_USERSOCK);
    bindnl(a, fd2, 0, 0b101);
    expect(decode_sockaddr_nl(a.getsockname(fd2)).nl_groups).toBe(0b101);
    // The low 32 bits are replaced, not OR-ed.
    bindnl(a, fd2, a.pid, 0b10);
    expect(decode_sockaddr_nl(a.getsockname(fd2)).nl_groups).toBe(0b10);
  });
});

describe('send and receive', () => {
  it('unicasts between user sockets with the sender address, MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 100);
    bindnl(t, b, 200);
    expect(t.sendto(a, enc('hello world'), 0, sockaddr_nl(200))).toBe(11);
    const peek = t.recvfrom(b, 100, MSG_PEEK);
    expect(new TextDecoder().decode(peek.data)).toBe('hello world');
    const tr = t.recvfrom(b, 5, MSG_TRUNC);
    expect(tr.len).toBe(11);
    expect(tr.data).toEqual(enc('hello'));
    expect(tr.flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(decode_sockaddr_nl(tr.addr!)).toEqual({
      nl_family: AF_NETLINK,
      nl_pad: 0,
      nl_pid: 100,
      nl_groups: 0,
    });
    expect(() => t.recvfrom(b, 100, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });

  it("never shows a received message another message's bytes, while data areas are reused", () => {
    const k = boot();
    const t = k.spawn(); // root: joining a group and sending to it
    const [a, b, c, d] = [0, 0, 0, 0].map(() => nlsocket(t, NETLINK_USERSOCK)) as [
      number,
      number,
      number,
      number,
    ];
    bindnl(t, a, 100);
    bindnl(t, b, 200);
    bindnl(t, c, 300, 0b1);
    bindnl(t, d, 400, 0b1);
    t.setsockopt(b, SOL_SOCKET, SO_RCVBUF, 1 << 20);
    const payload = (n: number) =>
      new Uint8Array(700 + (n % 300)).fill(n & 0xff).map((x, i) => x ^ (i & 0x0f));
    const kept: Array<[number, Uint8Array]> = [];
    const unread: number[] = []; // sent to b, not yet received: their areas must survive every reuse
    let n = 0;
    // b reads with a lag of more than a block, so areas stay in flight while blocks fill and come back;
    // among the reads are peeks and short reads, and multicasts whose clones share one area between c
    // and d. Sends and reads alternate, so a block can be taken again between any two reads.
    while (n < 1200) {
      t.sendto(a, payload(n), 0, sockaddr_nl(200));
      unread.push(n++);
      if (n % 7 === 0) {
        // to group 1 (c and d), then to portid 0, which USERSOCK has no kernel socket for
        expect(() => t.sendto(a, payload(n), 0, sockaddr_nl(0, 0b1))).toThrow(err('ECONNREFUSED'));
        kept.push([n, t.recvfrom(c, 2048).data], [n, t.recvfrom(d, 2048).data]);
        n++;
      }
      if (unread.length > 60) {
        const m = unread.shift()!;
        if (m % 5 === 0) expect(t.recvfrom(b, 2048, MSG_PEEK).data).toEqual(payload(m));
        if (m % 11 === 0) expect(t.recvfrom(b, 100).data).toEqual(payload(m).subarray(0, 100));
        else kept.push([m, t.recvfrom(b, 2048).data]);
      }
    }
    const wrong = kept.filter(([m, data]) => {
      const want = payload(m);
      return data.length !== want.length || data.some((x, i) => x !== want[i]);
    });
    expect(wrong.map(([m]) => m)).toEqual([]);
  });

  it('refuses unknown portids, empty messages, bad addresses and oversize messages', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const a = nlsocket(t, NETLINK_USERSOCK);
    expect(() => t.sendto(a, enc('x'), 0, sockaddr_nl(999))).toThrow(err('ECONNREFUSED'));
    // Sending autobound the socket.
    expect(decode_sockaddr_nl(t.getsockname(a)).nl_pid).toBe(t.pid);
    expect(() => t.sendto(a, new Uint8Array(0), 0, sockaddr_nl(999))).toThrow(err('ENODATA'));
    expect(() => t.sendto(a, enc('x'), 0, sockaddr_nl(1).subarray(0, 8))).toThrow(err('EINVAL'));
    expect(() => t.sendto(a, enc('x'), 0, sockaddr_nl(1, 0, AF_INET))).toThrow(err('EINVAL'));
    expect(() => t.sendto(a, new Uint8Array(212961), 0, sockaddr_nl(t.pid))).toThrow(err('EMSGSIZE'));
    // No kernel socket on NETLINK_USERSOCK: to pid 0 is refused.
    expect(() => t.sendto(a, enc('x'))).toThrow(err('ECONNREFUSED'));
    expect(() => t.sendto(a, enc('x'), 0x1)).toThrow(err('EOPNOTSUPP'));
  });

  it('broadcasts to group members but the sender, then unicasts (ECONNREFUSED to pid 0)', () => {
    const k = boot();
    const root = k.spawn();
    const m1 = nlsocket(root, NETLINK_USERSOCK);
    const m2 = nlsocket(root, NETLINK_USERSOCK);
    const other = nlsocket(root, NETLINK_USERSOCK);
    bindnl(root, m1, 11, 0b1);
    bindnl(root, m2, 12, 0b11);
    bindnl(root, other, 13, 0b10);
    expect(() => root.sendto(m1, enc('g1'), 0, sockaddr_nl(0, 0b1))).toThrow(err('ECONNREFUSED'));
    const r = root.recvfrom(m2, 100);
    expect(r.data).toEqual(enc('g1'));
    expect(decode_sockaddr_nl(r.addr!)).toMatchObject({ nl_pid: 11, nl_groups: 1 });
    expect(() => root.recvfrom(m1, 100, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
    expect(() => root.recvfrom(other, 100, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
    // Group 2 plus a unicast to 11: both delivered.
    expect(root.sendto(other, enc('g2'), 0, sockaddr_nl(11, 0b10))).toBe(2);
    expect(root.recvfrom(m2, 100).data).toEqual(enc('g2'));
    expect(root.recvfrom(m1, 100).data).toEqual(enc('g2'));
  });

  it('lets unprivileged users send to groups on NETLINK_USERSOCK', () => {
    const k = boot();
    const root = k.spawn();
    const u = k.spawn({ uid: 1000 });
    const m = nlsocket(root, NETLINK_USERSOCK);
    bindnl(root, m, 50, 1);
    const s = nlsocket(u, NETLINK_USERSOCK);
    expect(() => u.sendto(s, enc('hi'), 0, sockaddr_nl(0, 1))).toThrow(err('ECONNREFUSED'));
    expect(root.recvfrom(m, 10).data).toEqual(enc('hi'));
  });

  it('connects: default destination, getpeername, only the peer may send to it, AF_UNSPEC disconnects', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    const c = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 1);
    bindnl(t, b, 2);
    bindnl(t, c, 3);
    t.connect(a, sockaddr_nl(2, 0b110));
    expect(decode_sockaddr_nl(t.getpeername(a))).toMatchObject({ nl_pid: 2, nl_groups: 0b10 });
    t.connect(b, sockaddr_nl(1));
    expect(t.sendto(a, enc('x'))).toBe(1);
    expect(t.recvfrom(b, 10).data).toEqual(enc('x'));
    expect(() => t.sendto(c, enc('y'), 0, sockaddr_nl(2))).toThrow(err('ECONNREFUSED'));
    t.connect(b, Uint8Array.of(AF_UNSPEC, 0));
    expect(t.sendto(c, enc('y'), 0, sockaddr_nl(2))).toBe(1);
    expect(() => t.connect(a, Uint8Array.of(1))).toThrow(err('EINVAL'));
    expect(() => t.connect(a, sockaddr_nl(2, 0, AF_INET))).toThrow(err('EINVAL'));
  });

  it('autobinds on connect', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const a = nlsocket(t, NETLINK_USERSOCK);
    t.connect(a, sockaddr_nl(77));
    expect(decode_sockaddr_nl(t.getsockname(a)).nl_pid).toBe(t.pid);
  });

  it('reports a broadcast overrun as ENOBUFS once, then the data; NETLINK_NO_ENOBUFS silences it', () => {
    const k = boot();
    const root = k.spawn();
    const r = nlsocket(root, NETLINK_USERSOCK);
    const q = nlsocket(root, NETLINK_USERSOCK);
    const s = nlsocket(root, NETLINK_USERSOCK);
    bindnl(root, r, 10, 1);
    bindnl(root, q, 11, 1);
    root.setsockopt(q, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
    bindnl(root, s, 20);
    root.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 1); // minimum: SOCK_MIN_RCVBUF
    root.setsockopt(q, SOL_SOCKET, SO_RCVBUF, 1);
    const big = new Uint8Array(3000);
    for (let i = 0; i < 3; i++) {
      expect(() => root.sendto(s, big, 0, sockaddr_nl(0, 1))).toThrow(err('ECONNREFUSED'));
    }
    expect(() => root.recvfrom(r, 4000)).toThrow(err('ENOBUFS'));
    expect(root.recvfrom(r, 4000).len).toBe(3000);
    expect(() => root.recvfrom(r, 4000, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
    expect(root.recvfrom(q, 4000).len).toBe(3000);
    expect(() => root.recvfrom(q, 4000, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });

  it('fails a non-blocking unicast to a full receiver with EAGAIN and no ENOBUFS', () => {
    const k = boot();
    const t = k.spawn();
    const r = nlsocket(t, NETLINK_USERSOCK);
    const s = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, r, 10);
    t.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 1);
    t.sendto(s, new Uint8Array(3000), 0, sockaddr_nl(10));
    expect(() => t.sendto(s, new Uint8Array(3000), MSG_DONTWAIT, sockaddr_nl(10))).toThrow(err('EAGAIN'));
    expect(t.recvfrom(r, 4000).len).toBe(3000);
    expect(() => t.recvfrom(r, 4000, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });

  it('wakes a blocked sender when the receiver drains its queue', async () => {
    const k = boot();
    const t = k.spawn();
    const r = nlsocket(t, NETLINK_USERSOCK);
    const s = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, r, 10);
    t.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 1);
    t.sendto(s, new Uint8Array(3000), 0, sockaddr_nl(10));
    const p = t.sendtoAsync(s, enc('second'), 0, sockaddr_nl(10));
    expect(t.recvfrom(r, 4000).len).toBe(3000);
    await expect(p).resolves.toBe(6);
    expect(t.recvfrom(r, 100).data).toEqual(enc('second'));
  });

  it('a blocked send to a group and a full receiver broadcasts once, then delivers the unicast', async () => {
    const k = boot();
    const t = k.spawn();
    const m = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, m, 11, 1);
    const r = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, r, 10);
    t.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 1);
    const s = nlsocket(t, NETLINK_USERSOCK);
    t.sendto(s, new Uint8Array(3000), 0, sockaddr_nl(10));
    const p = t.sendtoAsync(s, enc('both'), 0, sockaddr_nl(10, 1));
    await Promise.resolve();
    expect(t.recvfrom(r, 4000).len).toBe(3000);
    await expect(p).resolves.toBe(4);
    expect(t.recvfrom(r, 100).data).toEqual(enc('both'));
    expect(t.recvfrom(m, 100).data).toEqual(enc('both'));
    expect(() => t.recvfrom(m, 100, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });

  it('a blocked reader wakes when data arrives', async () => {
    const k = boot();
    const t = k.spawn();
    const r = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, r, 10);
    const p = t.recvfromAsync(r, 100);
    const s = nlsocket(t, NETLINK_USERSOCK);
    t.sendto(s, enc('wake'), 0, sockaddr_nl(10));
    expect((await p).data).toEqual(enc('wake'));
  });
});

describe('socket options', () => {
  it('ADD/DROP_MEMBERSHIP, LIST_MEMBERSHIPS and the range check', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 3);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 32);
    expect(() => t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 33)).toThrow(err('EINVAL'));
    expect(() => t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 0)).toThrow(err('EINVAL'));
    const list = t.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 64);
    expect(list.length).toBe(4);
    expect(new DataView(list.buffer, list.byteOffset).getUint32(0, true)).toBe(0x80000004);
    expect(decode_sockaddr_nl(t.getsockname(fd))).toMatchObject({ nl_pid: 0, nl_groups: 0x80000004 });
    t.setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, 3);
    expect(decode_sockaddr_nl(t.getsockname(fd)).nl_groups).toBe(0x80000000);
    expect(() => t.setsockopt(fd, SOL_SOCKET + 1, 1, 1)).toThrow(err('ENOPROTOOPT'));
    expect(() => t.setsockopt(fd, SOL_NETLINK, 99, 1)).toThrow(err('ENOPROTOOPT'));
  });

  it('SOL_SOCKET answers that depend on the family, as Linux 6.18 gives them for netlink', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    // Port sharing is for inet sockets only; turning it off is allowed.
    expect(() => t.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1)).toThrow(err('EOPNOTSUPP'));
    t.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 0);
    // SO_PEERNAME copies exactly the length asked for: more than the 12-byte address is EINVAL.
    expect(() => t.getsockopt(fd, SOL_SOCKET, SO_PEERNAME, 256)).toThrow(err('EINVAL'));
    expect([...t.getsockopt(fd, SOL_SOCKET, SO_PEERNAME, 12)]).toEqual([16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...t.getsockopt(fd, SOL_SOCKET, SO_PEERNAME, 4)]).toEqual([16, 0, 0, 0]);
    expect(t.getsockopt(fd, SOL_SOCKET, SO_PEERNAME, 0).length).toBe(0);
    // SO_BINDTODEVICE: any socket may name a device of its namespace; reading it needs IFNAMSIZ bytes.
    const lo = new TextEncoder().encode('lo');
    expect(t.getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 16).length).toBe(0);
    expect(() => t.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, enc('nosuch'))).toThrow(err('ENODEV'));
    t.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, lo);
    expect([...t.getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 16)]).toEqual([...lo, 0]);
    expect(() => t.getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 3)).toThrow(err('EINVAL'));
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_BINDTOIFINDEX)).toBe(1);
    // The name ends at its first NUL and is cut to IFNAMSIZ - 1 bytes; an empty one unbinds.
    t.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, enc('lo\0junk-junk-junk'));
    expect(() => t.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, enc('loXXXXXXXXXXXXXXXX'))).toThrow(
      err('ENODEV'),
    );
    t.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, new Uint8Array(0));
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_BINDTOIFINDEX)).toBe(0);
    expect(() => t.setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, -1)).toThrow(err('EINVAL'));
    expect(() => t.setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, Uint8Array.of(1))).toThrow(err('EINVAL'));
    // Moving a socket already bound to a device needs CAP_NET_RAW.
    t.setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, 99);
    const user = k.spawn({ uid: 1000 });
    const ufd = nlsocket(user, NETLINK_USERSOCK);
    user.setsockopt(ufd, SOL_SOCKET, SO_BINDTOIFINDEX, 1);
    expect(() => user.setsockopt(ufd, SOL_SOCKET, SO_BINDTOIFINDEX, 0)).toThrow(err('EPERM'));
    expect(() => t.getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 16)).toThrow(err('ENODEV'));
  });

  it('flag options read back as 0/1 and need an int of room', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    for (const o of [NETLINK_PKTINFO, NETLINK_BROADCAST_ERROR, NETLINK_NO_ENOBUFS, NETLINK_CAP_ACK]) {
      expect(t.getsockoptInt(fd, SOL_NETLINK, o)).toBe(0);
      t.setsockopt(fd, SOL_NETLINK, o, 7);
      expect(t.getsockoptInt(fd, SOL_NETLINK, o)).toBe(1);
    }
    expect(() => t.getsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, 2)).toThrow(err('EINVAL'));
    expect(() => t.getsockopt(fd, SOL_NETLINK, 99, 4)).toThrow(err('ENOPROTOOPT'));
    // A short option value reads as 0.
    t.setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, Uint8Array.of(1));
    expect(t.getsockoptInt(fd, SOL_NETLINK, NETLINK_PKTINFO)).toBe(0);
  });

  it('NETLINK_PKTINFO delivers the group number as a control message', () => {
    const k = boot();
    const t = k.spawn();
    const r = nlsocket(t, NETLINK_USERSOCK);
    t.setsockopt(r, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5);
    bindnl(t, r, 9);
    t.setsockopt(r, SOL_NETLINK, NETLINK_PKTINFO, 1);
    const s = nlsocket(t, NETLINK_USERSOCK);
    t.sendto(s, enc('p'), 0, sockaddr_nl(9, 1 << 4));
    const m = t.recvmsg(r, 10);
    const c = [...cmsgs(m.control)];
    expect(c).toEqual([{ level: SOL_NETLINK, type: NETLINK_PKTINFO, data: Uint8Array.of(5, 0, 0, 0) }]);
  });
});

describe('namespaces and /proc', () => {
  it('keeps portids and deliveries per namespace', () => {
    const k = boot();
    const a = k.spawn();
    const b = k.spawn();
    b.unshare(0x40000000);
    const fa = nlsocket(a, NETLINK_USERSOCK);
    const fb = nlsocket(b, NETLINK_USERSOCK);
    bindnl(a, fa, 77, 1);
    bindnl(b, fb, 77, 1);
    const sb = nlsocket(b, NETLINK_USERSOCK);
    expect(() => b.sendto(sb, enc('n'), 0, sockaddr_nl(0, 1))).toThrow(err('ECONNREFUSED'));
    expect(b.recvfrom(fb, 10).data).toEqual(enc('n'));
    expect(() => a.recvfrom(fa, 10, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });

  it('/proc/net/netlink lists bound sockets as netlink_seq_show prints them', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, fd, 1234, 0b1001);
    const ino = Number(/socket:\[(\d+)\]/.exec(k.proc.readlink(`/proc/${t.pid}/fd/${fd}`, t))![1]);
    const text = k.proc.read('/proc/net/netlink', t);
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^[0-9a-f]{16} 2   1234       00000009 0        0        0     2        0        ${ino}\\s*$`,
      ),
    );
    expect(netlink_table(k)![NETLINK_USERSOCK]!.mc_list).toHaveLength(1);
    t.close(fd);
    expect(k.proc.read('/proc/net/netlink', t).split('\n')).toHaveLength(2);
    expect(netlink_table(k)![NETLINK_USERSOCK]!.mc_list).toHaveLength(0);
  });
});

describe('received bytes belong to the receiver', () => {
  it('each member of a group gets its own copy; changing one changes nothing else', () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    const sender = nlsocket(t, NETLINK_USERSOCK);
    t.bind(a, sockaddr_nl(201, 1));
    t.bind(b, sockaddr_nl(202, 1));
    const payload = new Uint8Array([1, 2, 3, 4]);
    try {
      t.sendto(sender, payload, 0, sockaddr_nl(0, 1));
    } catch {
      // the group send reached both members; ECONNREFUSED only reports that nobody holds portid 0
    }
    payload[0] = 9; // the sender's buffer was copied at send time
    const ra = t.recvfrom(a, 64).data;
    ra[1] = 7;
    expect(ra).toEqual(new Uint8Array([1, 7, 3, 4]));
    expect(t.recvfrom(b, 64).data).toEqual(new Uint8Array([1, 2, 3, 4]));
    // A unicast message is handed over whole (no copy needed); a peek still copies.
    t.sendto(sender, new Uint8Array([5, 6]), 0, sockaddr_nl(201));
    const peek = t.recvfrom(a, 64, MSG_PEEK).data;
    peek[0] = 0;
    expect(t.recvfrom(a, 64).data).toEqual(new Uint8Array([5, 6]));
  });

  it('a received array never shows other messages through .buffer, though kernel buffers share blocks', () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, b, 300);
    const one = new Uint8Array(1024).fill(1);
    const two = new Uint8Array(1024).fill(2);
    t.sendto(a, one, 0, sockaddr_nl(300));
    t.sendto(a, two, 0, sockaddr_nl(300));
    for (const want of [one, two]) {
      const got = t.recvfrom(b, 4096).data;
      expect(got).toEqual(want);
      expect(got.byteOffset).toBe(0);
      expect(got.buffer.byteLength).toBe(1024);
    }
  });

  it('receives into a buffer the caller owns, as recv(2) does: copied, truncated with MSG_TRUNC', () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, b, 400);
    const buf = new Uint8Array(8).fill(0xee);
    t.sendto(a, enc('abc'), 0, sockaddr_nl(400));
    const r = t.recvfrom(b, buf);
    expect(r.len).toBe(3);
    expect(r.data).toEqual(enc('abc'));
    expect(r.data.buffer).toBe(buf.buffer);
    expect([...buf]).toEqual([0x61, 0x62, 0x63, 0xee, 0xee, 0xee, 0xee, 0xee]);
    expect(decode_sockaddr_nl(r.addr!).nl_pid).toBe(decode_sockaddr_nl(t.getsockname(a)).nl_pid);
    t.sendto(a, new Uint8Array(100).fill(7), 0, sockaddr_nl(400));
    const m = t.recvmsg(b, buf, MSG_TRUNC);
    expect(m.len).toBe(100);
    expect(m.flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(m.data).toEqual(new Uint8Array(8).fill(7));
    expect(() => t.recvfrom(b, buf, MSG_DONTWAIT)).toThrow(err('EAGAIN'));
  });
});
