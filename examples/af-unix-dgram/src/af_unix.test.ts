/**
 * AF_UNIX datagram behaviour compared with what Linux 6.18 answered to the same calls
 * (__fixtures__/probe.c → __fixtures__/linux-6.18.json).
 */
import {
  AF_INET,
  AF_UNIX,
  AF_UNSPEC,
  CLONE_NEWNET,
  errnoNames,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  SHUT_RD,
  SHUT_WR,
  SIOCATMARK,
  SIOCINQ,
  SIOCOUTQ,
  SO_PEEK_OFF,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
} from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { unix_unlink } from './af_unix.js';
import { boot, bytes, dgram, LINUX, linuxErrno, procRow, rowShape, text } from './test_util.js';
import { parse_sockaddr_un, sockaddr_un, sockaddr_un_abstract, sockaddr_un_unnamed } from './uapi.js';

const fam = (f: number, len: number) => {
  const b = new Uint8Array(len);
  b[0] = f;
  return b;
};

describe('unix_create', () => {
  it('checks the protocol before the type, as Linux', () => {
    const { t } = boot();
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_STREAM, 2))).toBe(linuxErrno('socket_stream_proto2'));
    expect(errnoOf(() => t.close(t.socket(AF_UNIX, SOCK_DGRAM, 1)))).toBe(linuxErrno('socket_dgram_proto1'));
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_DGRAM, 2))).toBe(linuxErrno('socket_dgram_proto2'));
    expect(errnoOf(() => t.socket(AF_UNIX, 0, 0))).toBe(linuxErrno('socket_type0'));
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_RDM, 0))).toBe(linuxErrno('socket_rdm'));
  });

  it('turns SOCK_RAW into SOCK_DGRAM', () => {
    const { t } = boot();
    const fd = t.socket(AF_UNIX, SOCK_RAW, 0);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_TYPE)).toBe(LINUX.raw_so_type);
  });

  it('refuses SOCK_STREAM and SOCK_SEQPACKET (a documented deviation: Linux accepts them)', () => {
    const { t } = boot();
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_STREAM, 0))).toBe('ESOCKTNOSUPPORT');
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_SEQPACKET, 0))).toBe('ESOCKTNOSUPPORT');
  });

  it('shows a fresh socket in /proc/net/unix with two references (the fd and the table)', () => {
    const { k, t } = boot();
    const fd = dgram(t);
    expect(rowShape(procRow(k, t, fd))).toBe(rowShape(LINUX.proc_fresh as string));
    expect(Array.from(t.getsockname(fd))).toEqual([AF_UNIX, 0]);
    expect(LINUX.getsockname_unbound_len).toBe(2);
    expect(errnoOf(() => t.getpeername(fd))).toBe(linuxErrno('getpeername_unbound'));
  });
});

describe('unix_bind', () => {
  it('answers EINVAL for bad lengths and families', () => {
    const { t } = boot();
    const fd = dgram(t);
    expect(errnoOf(() => t.bind(fd, fam(AF_UNIX, 0)))).toBe(linuxErrno('bind_len0'));
    expect(errnoOf(() => t.bind(fd, fam(AF_UNIX, 1)))).toBe(linuxErrno('bind_len1'));
    expect(errnoOf(() => t.bind(fd, fam(AF_UNIX, 111)))).toBe(linuxErrno('bind_len111'));
    expect(errnoOf(() => t.bind(fd, fam(AF_INET, 3)))).toBe(linuxErrno('bind_badfamily_len3'));
    expect(errnoOf(() => t.bind(fd, fam(AF_INET, 2)))).toBe(linuxErrno('bind_badfamily_len2'));
  });

  it('autobinds a 2-byte address to five hex digits in the abstract namespace, once', () => {
    const { k, t } = boot();
    const fd = dgram(t);
    t.bind(fd, sockaddr_un_unnamed());
    const name = t.getsockname(fd);
    expect(name.length).toBe(LINUX.autobind_len);
    expect(name[2]).toBe(0);
    expect(text(name.subarray(3))).toMatch(/^[0-9a-f]{5}$/);
    expect(LINUX.autobind_name).toMatch(/^[0-9a-f]{5}$/);
    expect(procRow(k, t, fd)).toMatch(
      new RegExp(`^00000002 00000000 00000000 0002 01 +\\d+ @${text(name.subarray(3))}$`),
    );
    expect(errnoOf(() => t.bind(fd, sockaddr_un_unnamed()))).toBe(linuxErrno('autobind_again'));
    expect(t.getsockname(fd)).toEqual(name);
    expect(errnoOf(() => t.bind(fd, sockaddr_un_abstract('ksock-x')))).toBe(
      linuxErrno('bind_abstract_when_bound'),
    );
    expect(errnoOf(() => t.bind(fd, sockaddr_un('/tmp/new')))).toBe(linuxErrno('bind_path_when_bound'));
    // The path it created for that failed bind was removed again.
    expect(LINUX.bind_path_when_bound_left_file).toBe(0);
    expect(errnoOf(() => t.bind(dgram(t), sockaddr_un('/tmp/new')))).toBe('OK');
  });

  it('binds abstract names by their exact bytes and length', () => {
    const { k, t } = boot();
    const x = dgram(t);
    const y = dgram(t);
    const a = sockaddr_un_abstract('ksock-probe');
    expect(errnoOf(() => t.bind(x, a))).toBe(linuxErrno('bind_abstract'));
    expect(errnoOf(() => t.bind(y, a))).toBe(linuxErrno('bind_abstract_inuse'));
    expect(errnoOf(() => t.bind(y, a.subarray(0, a.length - 1)))).toBe(linuxErrno('bind_abstract_shorter'));
    expect(t.getsockname(y).length).toBe(LINUX.abstract_shorter_len);
    expect(rowShape(procRow(k, t, x))).toBe(rowShape(LINUX.proc_abstract as string));
    expect(parse_sockaddr_un(t.getsockname(x))).toEqual({ kind: 'abstract', name: 'ksock-probe' });
  });

  it('stores a pathname with its NUL, even when the caller passed none; 108-byte paths come back as 111 bytes', () => {
    const { k, t } = boot();
    const p = dgram(t);
    const path = '/tmp/uprobe/p';
    const noNul = sockaddr_un(path).subarray(0, 2 + path.length);
    expect(errnoOf(() => t.bind(p, noNul))).toBe(linuxErrno('bind_path_len_exact'));
    expect(t.getsockname(p).length).toBe(LINUX.path_getsockname_len);
    expect(Array.from(t.getsockname(p).subarray(-1))).toEqual([0]);
    expect(rowShape(procRow(k, t, p))).toBe(rowShape(LINUX.proc_path as string));
    expect(errnoOf(() => t.bind(dgram(t), sockaddr_un(path)))).toBe(linuxErrno('bind_path_inuse'));
    const l = dgram(t);
    const long = `/tmp/uprobe/${'a'.repeat(96)}`;
    expect(sockaddr_un(long).length).toBe(110);
    expect(errnoOf(() => t.bind(l, sockaddr_un(long)))).toBe(linuxErrno('bind_path108'));
    expect(t.getsockname(l).length).toBe(LINUX.path108_getsockname_len);
    expect(parse_sockaddr_un(t.getsockname(l))).toEqual({ kind: 'pathname', name: long });
  });

  it("keeps a closed socket's path taken until it is unlinked", () => {
    const { k, t } = boot();
    const p = dgram(t);
    const a = sockaddr_un('/tmp/uprobe/p');
    t.bind(p, a);
    t.close(p);
    const g = dgram(t);
    expect(errnoOf(() => t.sendto(g, bytes('x'), 0, a))).toBe(linuxErrno('sendto_path_closed'));
    expect(errnoOf(() => t.bind(g, a))).toBe(linuxErrno('bind_path_stale'));
    expect(unix_unlink(k, '/tmp/uprobe/p')).toBe(0);
    expect(unix_unlink(k, '/tmp/uprobe/p')).toBe(-2);
    expect(errnoOf(() => t.sendto(g, bytes('x'), 0, a))).toBe(linuxErrno('sendto_path_missing'));
    expect(errnoOf(() => t.bind(g, a))).toBe('OK');
  });
});

describe('unix_dgram_sendmsg / unix_dgram_recvmsg', () => {
  it('answers each send error as Linux', () => {
    const { t } = boot();
    const c = dgram(t);
    expect(errnoOf(() => t.sendto(c, bytes('x')))).toBe(linuxErrno('send_noaddr_unconnected'));
    expect(errnoOf(() => t.sendto(c, bytes('x'), 0, sockaddr_un_abstract('ksock-nobody')))).toBe(
      linuxErrno('sendto_abstract_unbound'),
    );
    expect(errnoOf(() => t.sendto(c, bytes('x'), 0, sockaddr_un('/tmp/uprobe/nonexistent')))).toBe(
      linuxErrno('sendto_path_missing'),
    );
    expect(errnoOf(() => t.sendto(c, bytes('x'), 0, sockaddr_un_unnamed()))).toBe(linuxErrno('sendto_len2'));
    expect(errnoOf(() => t.sendto(c, bytes('x'), MSG_OOB, sockaddr_un('/tmp/uprobe/nonexistent')))).toBe(
      linuxErrno('send_oob'),
    );
  });

  it('limits a datagram to sk_sndbuf − 32 bytes and delivers the largest one whole', () => {
    const { t } = boot();
    const x = dgram(t);
    const c = dgram(t);
    const a = sockaddr_un_abstract('ksock-probe');
    t.bind(x, a);
    const sb = t.getsockoptInt(c, SOL_SOCKET, SO_SNDBUF);
    expect(sb).toBe(LINUX.sndbuf);
    expect(errnoOf(() => t.sendto(c, new Uint8Array(sb - 31), 0, a))).toBe(linuxErrno('sendto_emsgsize'));
    expect(t.sendto(c, new Uint8Array(sb - 32), MSG_DONTWAIT, a)).toBe(LINUX.sendto_max);
    const r = t.recvfrom(x, 300000, MSG_DONTWAIT);
    expect(r.len).toBe(LINUX.recv_max);
    // The sender is unbound: no address comes back (Linux: addrlen 0).
    expect(r.addr).toBeNull();
    expect(LINUX.recv_from_unbound_addrlen).toBe(0);
  });

  it('queues max_dgram_qlen + 1 datagrams to an unconnected receiver, then EAGAIN', () => {
    const { t } = boot();
    const x = dgram(t);
    const c = dgram(t);
    const a = sockaddr_un_abstract('ksock-probe');
    t.bind(x, a);
    let sent = 0;
    let err = '';
    for (let i = 0; i < 100 && err === ''; i++) {
      err = errnoOf(() => t.sendto(c, bytes('y'), MSG_DONTWAIT, a));
      if (err === 'OK') {
        sent++;
        err = '';
      }
    }
    expect(sent).toBe(LINUX.qlen_accepted);
    expect(err).toBe(linuxErrno('qfull_errno'));
  });

  it('peeks, truncates and reports MSG_TRUNC as Linux', () => {
    const { t } = boot();
    const x = dgram(t);
    const c = dgram(t);
    const a = sockaddr_un_abstract('ksock-probe');
    t.bind(x, a);
    t.bind(c, sockaddr_un('/tmp/sender'));
    t.sendto(c, bytes('hello'), 0, a);
    const peek = t.recvfrom(x, 2, MSG_PEEK | MSG_TRUNC);
    expect(peek.len).toBe(LINUX.recv_peek_trunc);
    expect(text(peek.data)).toBe('he');
    const r = t.recvmsg(x, 2, 0);
    expect(r.len).toBe(LINUX.recvmsg_trunc_ret);
    expect(r.flags).toBe(LINUX.recvmsg_trunc_flags);
    expect(parse_sockaddr_un(r.addr!)).toEqual({ kind: 'pathname', name: '/tmp/sender' });
    expect(errnoOf(() => t.recvfrom(x, 10, MSG_DONTWAIT))).toBe(linuxErrno('recv_empty_nonblock'));
  });

  it('connects, disconnects with AF_UNSPEC, and honours shutdown on both sides', () => {
    const { k, t } = boot();
    const x = dgram(t);
    const c = dgram(t);
    const a = sockaddr_un_abstract('ksock-probe');
    t.bind(x, a);
    expect(errnoOf(() => t.connect(c, a.subarray(0, 1)))).toBe(linuxErrno('connect_len1'));
    expect(errnoOf(() => t.connect(c, a))).toBe(linuxErrno('connect'));
    expect(rowShape(procRow(k, t, c))).toBe(rowShape(LINUX.proc_connected as string));
    expect(rowShape(procRow(k, t, x))).toBe(rowShape(LINUX.proc_connect_target as string));
    expect(t.getpeername(c).length).toBe(LINUX.getpeername_len);
    expect(t.sendto(c, bytes('z'))).toBe(LINUX.send_connected);
    expect(t.recvfrom(x, 10).addr).toBeNull();
    expect(errnoOf(() => t.shutdown(x, SHUT_RD))).toBe(linuxErrno('shut_rd_recv_side'));
    expect(errnoOf(() => t.sendto(c, bytes('z')))).toBe(linuxErrno('send_to_rcv_shutdown'));
    expect(errnoOf(() => t.recvfrom(x, 10, MSG_DONTWAIT))).toBe(
      linuxErrno('recv_empty_nonblock_after_shut_rd'),
    );
    expect(t.recvfrom(x, 10).len).toBe(LINUX.recv_empty_block_after_shut_rd);
    expect(errnoOf(() => t.shutdown(c, 3))).toBe(linuxErrno('shutdown_bad'));
    expect(errnoOf(() => t.connect(c, fam(AF_UNSPEC, 16)))).toBe(linuxErrno('connect_unspec'));
    expect(errnoOf(() => t.getpeername(c))).toBe(linuxErrno('getpeername_after_unspec'));
    expect(errnoOf(() => t.shutdown(c, SHUT_WR))).toBe(linuxErrno('shut_wr'));
    expect(errnoOf(() => t.sendto(c, bytes('z'), 0, a))).toBe(linuxErrno('send_after_shut_wr'));
  });

  it('reports a closed peer once (ECONNREFUSED), then ENOTCONN', () => {
    const { k, t } = boot();
    const d = dgram(t);
    const e = dgram(t);
    const a = sockaddr_un_abstract('ksock-dead');
    t.bind(e, a);
    t.connect(d, a);
    expect(rowShape(procRow(k, t, e))).toBe(rowShape(LINUX.proc_target_refcnt as string));
    t.close(e);
    // The closed socket's sock lives on while d still points at it.
    expect(k.sk_allocated).toBe(2);
    expect(errnoOf(() => t.sendto(d, bytes('z')))).toBe(linuxErrno('send_dead_peer'));
    expect(k.sk_allocated).toBe(1);
    expect(errnoOf(() => t.sendto(d, bytes('z')))).toBe(linuxErrno('send_dead_peer_again'));
  });

  it('refuses senders other than the peer, purges the queue on reconnect and tells the old peer', () => {
    const { t } = boot();
    const [f1, f2, f3] = [dgram(t), dgram(t), dgram(t)];
    const a1 = sockaddr_un_abstract('ksock-f1');
    const a2 = sockaddr_un_abstract('ksock-f2');
    const a3 = sockaddr_un_abstract('ksock-f3');
    t.bind(f1, a1);
    t.bind(f2, a2);
    t.connect(f1, a2);
    expect(errnoOf(() => t.sendto(f3, bytes('z'), 0, a1))).toBe(linuxErrno('sendto_eperm'));
    expect(errnoOf(() => t.connect(f3, a1))).toBe(linuxErrno('connect_eperm'));
    t.connect(f2, a1);
    t.sendto(f2, bytes('q'));
    t.bind(f3, a3);
    t.connect(f1, a3);
    expect(errnoOf(() => t.recvfrom(f1, 10, MSG_DONTWAIT))).toBe(linuxErrno('after_reconnect_recv'));
    expect(errnoOf(() => t.sendto(f2, bytes('z')))).toBe(linuxErrno('old_peer_send'));
    expect(errnoOf(() => t.sendto(f2, bytes('z')))).toBe(linuxErrno('old_peer_send2'));
  });

  it("socketpair: connected, unbound, bounded by the sender's buffer space rather than the queue length", () => {
    const { k, t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    expect(rowShape(procRow(k, t, a))).toBe(rowShape(LINUX.proc_pair as string));
    expect(t.getpeername(a).length).toBe(LINUX.pair_peername_len);
    let sent = 0;
    let err = 'OK';
    while (err === 'OK' && sent < 5000) {
      err = errnoOf(() => t.sendto(a, bytes('y'), MSG_DONTWAIT));
      if (err === 'OK') sent++;
    }
    expect(sent).toBe(LINUX.pair_accepted);
    expect(err).toBe(linuxErrno('pair_full_errno'));
    expect(text(t.recvfrom(b, 10).data)).toBe('y');
  });
});

describe('sendmsg, write and read', () => {
  it("gathers iovecs into one datagram and returns the sender's address through recvmsg", () => {
    const { t } = boot();
    const r = dgram(t);
    const s = dgram(t);
    t.bind(r, sockaddr_un('/r'));
    t.bind(s, sockaddr_un_abstract('s\0x'));
    expect(t.sendmsg(s, { iov: [bytes('ab'), bytes(''), bytes('cde')], name: sockaddr_un('/r') })).toBe(5);
    const m = t.recvmsg(r, 100);
    expect(text(m.data)).toBe('abcde');
    expect(Array.from(m.addr!)).toEqual([1, 0, 0, 0x73, 0, 0x78]);
    expect(m.control.length).toBe(0);
  });

  it('write() needs a peer; read() takes one datagram at a time', () => {
    const { t } = boot();
    expect(errnoOf(() => t.write(dgram(t), bytes('x')))).toBe('ENOTCONN');
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    t.write(a, bytes('one'));
    t.write(a, bytes('two'));
    expect(text(t.read(b, 100))).toBe('one');
    expect(text(t.read(b, 2))).toBe('tw');
    expect(errnoOf(() => t.recvfrom(b, 100, MSG_DONTWAIT))).toBe('EAGAIN');
  });
});

describe('network namespaces', () => {
  it('keeps abstract names per namespace while paths reach across them, as Linux', () => {
    const { k, t } = boot();
    const h = dgram(t);
    t.bind(h, sockaddr_un('/tmp/uprobe/ns'));
    const h2 = dgram(t);
    t.bind(h2, sockaddr_un_abstract('ksock-ns'));
    const child = k.spawn();
    child.unshare(CLONE_NEWNET);
    expect(LINUX.netns_unshare).toBe(0);
    const z = dgram(child);
    expect(errnoOf(() => child.sendto(z, bytes('x'), 0, sockaddr_un('/tmp/uprobe/ns')))).toBe(
      linuxErrno('netns_sendto_path'),
    );
    expect(errnoOf(() => child.sendto(z, bytes('x'), 0, sockaddr_un_abstract('ksock-ns')))).toBe(
      linuxErrno('netns_sendto_abstract'),
    );
    // The same abstract name is free in the other namespace.
    expect(errnoOf(() => child.bind(z, sockaddr_un_abstract('ksock-ns')))).toBe('OK');
    // /proc/net/unix lists each reader's own namespace.
    const inChild = k.proc.read('/proc/net/unix', child).trim().split('\n');
    expect(inChild).toHaveLength(2);
    expect(inChild[1]).toMatch(/@ksock-ns$/);
    expect(k.proc.read('/proc/net/unix', t).trim().split('\n')).toHaveLength(3);
  });
});

describe('SO_PEEK_OFF (unix_set_peek_off)', () => {
  it('peeks from the offset, skips datagrams it covers, and moves it back on a real read', async () => {
    const { default: P } = await import('./__fixtures__/linux-6.18-peek-off.json', {
      with: { type: 'json' },
    });
    const { t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.setsockopt(b, SOL_SOCKET, SO_PEEK_OFF, 2))).toBe(P.setsockopt === 0 ? 'OK' : 'E');
    t.sendto(a, bytes('hello'));
    t.sendto(a, bytes('world'));
    expect(text(t.recvfrom(b, 10, MSG_PEEK).data)).toBe(P.peek1);
    expect(t.getsockoptInt(b, SOL_SOCKET, SO_PEEK_OFF)).toBe(P.off1);
    expect(text(t.recvfrom(b, 10, MSG_PEEK).data)).toBe(P.peek2);
    expect(t.getsockoptInt(b, SOL_SOCKET, SO_PEEK_OFF)).toBe(P.off2);
    expect(text(t.recvfrom(b, 10).data)).toBe(P.recv);
    expect(t.getsockoptInt(b, SOL_SOCKET, SO_PEEK_OFF)).toBe(P.off3);
    expect(errnoOf(() => t.recvfrom(b, 10, MSG_PEEK | MSG_DONTWAIT))).toBe(errnoNames[-P.peek3]);
    expect(text(t.recvfrom(b, 10).data)).toBe(P.recv2);
    expect(t.getsockoptInt(b, SOL_SOCKET, SO_PEEK_OFF)).toBe(P.off4);
  });
});

describe('unix_ioctl', () => {
  it('answers SIOCINQ, SIOCOUTQ, SIOCATMARK and unknown commands as Linux', async () => {
    const { default: L } = await import('./__fixtures__/linux-6.18-ioctl.json', { with: { type: 'json' } });
    const { t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    const int = () => new Uint8Array(4);
    const ask = (fd: number, cmd: number) => {
      const v = int();
      t.ioctl(fd, cmd, v);
      return new DataView(v.buffer).getInt32(0, true);
    };
    expect(ask(b, SIOCINQ)).toBe(L.inq_empty);
    t.sendto(a, bytes('hello'));
    t.sendto(a, bytes('abc'));
    expect(ask(b, SIOCINQ)).toBe(L.inq_two);
    expect(ask(a, SIOCOUTQ)).toBe(L.outq_two);
    expect(ask(b, SIOCOUTQ)).toBe(L.outq_receiver);
    expect(errnoOf(() => t.ioctl(b, SIOCATMARK, int()))).toBe(errnoNames[-L.atmark]);
    expect(errnoOf(() => t.ioctl(b, 0x1234, int()))).toBe(errnoNames[-L.unknown]);
    expect(errnoOf(() => t.ioctl(b, SIOCINQ, 0))).toBe('EFAULT');
  });
});
