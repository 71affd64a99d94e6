import {
  AF_INET,
  AF_UNSPEC,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  SIOCINQ,
  SIOCOUTQ,
  SO_RCVBUF,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
} from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { host } from './__fixtures__/host.js';
import { boot, sk_of } from './__fixtures__/util.js';
import type { TcpSock } from './tcp.js';
import { INADDR_LOOPBACK, IPPROTO_TCP, parse_sockaddr_in, sockaddr_in, TCP_MAXSEG } from './uapi/in.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('UDP over loopback', () => {
  it('sendto / recvfrom between two sockets, with the autobound sender address', () => {
    const k = boot();
    const t = k.spawn();
    const srv = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(srv, sockaddr_in('127.0.0.1', 5353));
    const cli = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(t.sendto(cli, enc('hello'), 0, sockaddr_in('127.0.0.1', 5353))).toBe(5);
    const from = parse_sockaddr_in(t.getsockname(cli));
    expect(from.port).toBeGreaterThanOrEqual(32768);
    const r = t.recvfrom(srv, 100);
    expect(dec(r.data)).toBe('hello');
    expect(parse_sockaddr_in(r.addr!)).toEqual({ family: AF_INET, port: from.port, addr: INADDR_LOOPBACK });
    // The reply, to the address recvfrom gave.
    t.sendto(srv, enc('world!'), 0, r.addr);
    const back = t.recvfrom(cli, 3);
    expect(dec(back.data)).toBe('wor');
    expect(back.flags & MSG_TRUNC).not.toBe(0);
    expect(errnoOf(() => t.recvfrom(cli, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    for (const fd of [srv, cli]) t.close(fd);
    expect(k.sk_allocated).toBe(0);
  });

  it('a wildcard-bound receiver gets datagrams for any 127/8 address; an exact bind wins over it', () => {
    const k = boot();
    const t = k.spawn();
    const any = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(any, SOL_SOCKET, SO_REUSEADDR, 1);
    t.bind(any, sockaddr_in('0.0.0.0', 7000));
    const cli = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(cli, enc('a'), 0, sockaddr_in('127.9.9.9', 7000));
    expect(dec(t.recvfrom(any, 10).data)).toBe('a');
    const exact = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(exact, SOL_SOCKET, SO_REUSEADDR, 1);
    t.bind(exact, sockaddr_in('127.0.0.5', 7000));
    t.sendto(cli, enc('b'), 0, sockaddr_in('127.0.0.5', 7000));
    t.sendto(cli, enc('c'), 0, sockaddr_in('127.0.0.6', 7000));
    expect(dec(t.recvfrom(exact, 10).data)).toBe('b');
    expect(dec(t.recvfrom(any, 10).data)).toBe('c');
    expect(errnoOf(() => t.recvfrom(exact, 10, MSG_DONTWAIT))).toBe('EAGAIN');
  });

  it('checks the destination as udp_sendmsg does: EINVAL short, EAFNOSUPPORT, EDESTADDRREQ, EMSGSIZE, ENETUNREACH', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.sendto(fd, enc('x'), 0, sockaddr_in('127.0.0.1', 1).subarray(0, 8)))).toBe(
      'EINVAL',
    );
    expect(errnoOf(() => t.sendto(fd, enc('x'), 0, sockaddr_in('127.0.0.1', 1, 10)))).toBe('EAFNOSUPPORT');
    expect(errnoOf(() => t.sendto(fd, enc('x'), 0, sockaddr_in('127.0.0.1', 0)))).toBe('EINVAL');
    expect(errnoOf(() => t.sendto(fd, enc('x')))).toBe('EDESTADDRREQ');
    expect(errnoOf(() => t.sendto(fd, new Uint8Array(65508), 0, sockaddr_in('127.0.0.1', 9)))).toBe(
      'EMSGSIZE',
    );
    expect(errnoOf(() => t.sendto(fd, enc('x'), 0, sockaddr_in('198.51.100.1', 9)))).toBe('ENETUNREACH');
    // Nobody on the port: the datagram is dropped, the send still succeeds.
    expect(t.sendto(fd, enc('x'), 0, sockaddr_in('127.0.0.1', 9))).toBe(1);
    t.close(fd);
  });

  it('connect() fixes the peer (getpeername, send without an address); AF_UNSPEC disconnects', () => {
    const k = boot();
    const t = k.spawn();
    const srv = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(srv, sockaddr_in('127.0.0.1', 6000));
    const cli = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(cli, sockaddr_in('127.0.0.1', 6000));
    expect(parse_sockaddr_in(t.getpeername(cli))).toEqual({
      family: AF_INET,
      port: 6000,
      addr: INADDR_LOOPBACK,
    });
    expect(t.write(cli, enc('via write'))).toBe(9);
    expect(dec(t.read(srv, 64))).toBe('via write');
    t.connect(cli, sockaddr_in('0.0.0.0', 0, AF_UNSPEC));
    expect(errnoOf(() => t.getpeername(cli))).toBe('ENOTCONN');
    expect(errnoOf(() => t.sendto(cli, enc('x')))).toBe('EDESTADDRREQ');
  });

  it('drops datagrams beyond SO_RCVBUF and counts them in the drops column of /proc/net/udp', () => {
    const k = boot();
    const t = k.spawn();
    const srv = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(srv, SOL_SOCKET, SO_RCVBUF, 2048); // doubled to 4608 (SOCK_MIN_RCVBUF floor)
    t.bind(srv, sockaddr_in('127.0.0.1', 6001));
    const cli = t.socket(AF_INET, SOCK_DGRAM, 0);
    for (let i = 0; i < 10; i++) t.sendto(cli, new Uint8Array(1000), 0, sockaddr_in('127.0.0.1', 6001));
    const sk = sk_of(t, srv);
    expect(sk.sk_drops).toBeGreaterThan(0);
    const row = k.proc
      .read('/proc/net/udp')
      .split('\n')
      .find((l) => l.includes(':1771 '))!;
    expect(row.trim().split(/\s+/).at(-1)).toBe(String(sk.sk_drops));
    let n = 0;
    while (errnoOf(() => t.recvfrom(srv, 2000, MSG_DONTWAIT)) === 'OK') n++;
    expect(n + sk.sk_drops).toBe(10);
  });

  it('recvfromAsync sleeps until a datagram arrives', async () => {
    const k = boot();
    const t = k.spawn();
    const srv = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(srv, sockaddr_in('127.0.0.1', 6002));
    const p = t.recvfromAsync(srv, 10);
    t.sendto(t.socket(AF_INET, SOCK_DGRAM, 0), enc('late'), 0, sockaddr_in('127.0.0.1', 6002));
    expect(dec((await p).data)).toBe('late');
  });
});

describe('TCP over loopback', () => {
  function pair() {
    const k = boot();
    const t = k.spawn();
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, sockaddr_in('127.0.0.1', 8080));
    t.listen(l, 4);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c, sockaddr_in('127.0.0.1', 8080));
    const a = t.accept(l);
    return { k, t, l, c, a };
  }

  it('connect / accept: both ends ESTABLISHED, names and peers match, shown in /proc/net/tcp', () => {
    const { k, t, l, c, a } = pair();
    const cname = parse_sockaddr_in(t.getsockname(c));
    expect(cname.addr).toBe(INADDR_LOOPBACK);
    expect(cname.port % 2).toBe(0); // connect() prefers even ephemeral ports
    expect(parse_sockaddr_in(t.getpeername(c))).toEqual({
      family: AF_INET,
      port: 8080,
      addr: INADDR_LOOPBACK,
    });
    expect(parse_sockaddr_in(t.getsockname(a))).toEqual({
      family: AF_INET,
      port: 8080,
      addr: INADDR_LOOPBACK,
    });
    expect(parse_sockaddr_in(t.getpeername(a))).toEqual(cname);
    expect(sk_of(t, c).sk_state).toBe(TCP_ESTABLISHED);
    expect(sk_of(t, a).sk_state).toBe(TCP_ESTABLISHED);
    expect(t.getsockoptInt(c, IPPROTO_TCP, TCP_MAXSEG)).toBe(host.loopback_mss.client);
    expect(t.getsockoptInt(a, IPPROTO_TCP, TCP_MAXSEG)).toBe(host.loopback_mss.server);
    const rows = k.proc.read('/proc/net/tcp').split('\n').slice(1, -1);
    expect(rows.map((r) => r.trim().split(/\s+/)[3])).toEqual(['0A', '01', '01']);
    expect(k.proc.read('/proc/net/sockstat')).toContain('TCP: inuse 3 orphan 0 tw 0 alloc 3');
    for (const fd of [a, c, l]) t.close(fd);
    expect(k.sk_allocated).toBe(0);
    expect(k.proc.read('/proc/net/sockstat')).toContain('TCP: inuse 0 orphan 0 tw 0 alloc 0');
    expect(k.modules.find('af_inet')!.refcnt).toBe(0);
  });

  it('moves bytes both ways as a stream; close gives the peer end of file and CLOSE_WAIT', () => {
    const { k, t, l, c, a } = pair();
    expect(t.write(c, enc('hello '))).toBe(6);
    expect(t.write(c, enc('world'))).toBe(5);
    expect(dec(t.recvfrom(a, 100, MSG_PEEK).data)).toBe('hello world');
    expect(dec(t.read(a, 3))).toBe('hel');
    expect(dec(t.read(a, 100))).toBe('lo world');
    expect(errnoOf(() => t.recvfrom(a, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    t.write(a, enc('pong'));
    expect(dec(t.read(c, 10))).toBe('pong');
    t.close(c);
    expect(sk_of(t, a).sk_state).toBe(TCP_CLOSE_WAIT);
    expect(t.read(a, 10).length).toBe(0);
    expect(errnoOf(() => t.write(a, enc('x')))).toBe('EPIPE');
    t.close(a);
    t.close(l);
    expect(k.sk_allocated).toBe(0);
  });

  it('keeps the stream intact while the data areas of read segments are reused', () => {
    const { k, t, l, c, a } = pair();
    t.setsockopt(a, SOL_SOCKET, SO_RCVBUF, 1 << 20);
    // Writes of 65 B – 2 KiB (carved areas), the reader a block's worth behind, with peeks and reads that
    // end inside a segment among its reads.
    const byte = (i: number) => (i * 7 + (i >>> 8)) & 0xff;
    let written = 0;
    const got: Uint8Array[] = [];
    let read = 0;
    for (let w = 0; w < 900; w++) {
      const n = 65 + ((w * 397) % 1984);
      const chunk = new Uint8Array(n).map((_, i) => byte(written + i));
      expect(t.write(c, chunk)).toBe(n);
      written += n;
      while (written - read > 40_000) {
        const want = 100 + ((w * 131) % 3000);
        if (w % 9 === 0) got.push(t.recvfrom(a, 64, MSG_PEEK).data.slice(0, 0));
        const r = t.read(a, want);
        got.push(r);
        read += r.length;
      }
    }
    while (read < written) {
      const r = t.read(a, 65536);
      got.push(r);
      read += r.length;
    }
    let at = 0;
    let wrong = -1;
    for (const r of got)
      for (let i = 0; i < r.length && wrong < 0; i++, at++) if (r[i] !== byte(at)) wrong = at;
    expect([wrong, at]).toEqual([-1, written]);
    for (const fd of [a, c, l]) t.close(fd);
    expect(k.sk_allocated).toBe(0);
  });

  it('closing with unread data resets the peer (ECONNRESET)', () => {
    const { k, t, l, c, a } = pair();
    t.write(c, enc('unread'));
    t.close(a);
    expect(errnoOf(() => t.read(c, 10))).toBe('ECONNRESET');
    expect(sk_of(t, c).sk_state).toBe(TCP_CLOSE);
    t.close(c);
    t.close(l);
    expect(k.sk_allocated).toBe(0);
  });

  it('shutdown(SHUT_WR) sends a FIN: the peer reads end of file but can still answer', () => {
    const { t, c, a } = pair();
    t.shutdown(c, 1);
    expect(t.read(a, 10).length).toBe(0);
    expect(errnoOf(() => t.write(c, enc('x')))).toBe('EPIPE');
    t.write(a, enc('still here'));
    expect(dec(t.read(c, 20))).toBe('still here');
  });

  it('ECONNREFUSED without a listener; the socket can connect again once one exists', () => {
    const k = boot();
    const t = k.spawn();
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    const twice = [0, 1].map(() => errnoOf(() => t.connect(c, sockaddr_in('127.0.0.1', 9999)))).join(' ');
    expect(twice).toBe(host.connect_refused_twice);
    expect(k.proc.read('/proc/net/tcp').split('\n').length).toBe(2);
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, sockaddr_in('0.0.0.0', 9999));
    t.listen(l, 1);
    t.connect(c, sockaddr_in('127.0.0.1', 9999));
    expect(errnoOf(() => t.connect(c, sockaddr_in('127.0.0.1', 9999)))).toBe('EISCONN');
    expect(errnoOf(() => t.connect(c, sockaddr_in('224.0.0.1', 1)))).toBe('EISCONN');
    const c2 = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => t.connect(c2, sockaddr_in('224.0.0.1', 1)))).toBe('ENETUNREACH');
    expect(errnoOf(() => t.connect(c2, sockaddr_in('127.0.0.1', 1).subarray(0, 15)))).toBe('EINVAL');
    expect(errnoOf(() => t.connect(c2, sockaddr_in('127.0.0.1', 1, 10)))).toBe('EAFNOSUPPORT');
    t.sysctl('net.ipv4.ip_local_port_range', '50000 50000');
    const c3 = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(c3, sockaddr_in('127.0.0.1', 50000));
    expect(errnoOf(() => t.connect(c2, sockaddr_in('127.0.0.1', 9999)))).toBe('EADDRNOTAVAIL');
    expect(errnoOf(() => t.listen(c, 1))).toBe('EINVAL');
    expect(errnoOf(() => t.accept(c2))).toBe('EINVAL');
  });

  it('after a refused non-blocking connect, the error is read once and then a receive is end of file', () => {
    const t = boot().spawn({});
    const s = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect(errnoOf(() => t.connect(s, sockaddr_in('127.0.0.1', 47002)))).toBe('EINPROGRESS');
    expect(errnoOf(() => t.recvfrom(s, 16, MSG_DONTWAIT))).toBe('ECONNREFUSED');
    expect(t.recvfrom(s, 16, MSG_DONTWAIT).len).toBe(0);
    expect(errnoOf(() => t.sendto(s, Uint8Array.of(1)))).toBe('EPIPE');
    expect(errnoOf(() => t.listen(s, 1))).toBe('EINVAL');
  });

  it('recvmsg(MSG_OOB) is EINVAL: there is no urgent data to read (tcp_recv_urg())', () => {
    const t = boot().spawn({});
    const s = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => t.recvfrom(s, 16, MSG_OOB | MSG_DONTWAIT))).toBe('EINVAL');
  });

  it('non-blocking connect: EINPROGRESS, then 0, then EISCONN; a full backlog leaves EALREADY (as Linux 6.18 did)', () => {
    const k = boot();
    const t = k.spawn();
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, sockaddr_in('127.0.0.1', 40999));
    t.listen(l, 1);
    const seqs: string[] = [];
    const fds: number[] = [];
    const addr = sockaddr_in('127.0.0.1', 40999);
    for (let i = 0; i < 4; i++) {
      const c = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      fds.push(c);
      seqs.push([0, 1, 2].map(() => errnoOf(() => t.connect(c, addr))).join(' '));
    }
    // The answers the host kernel gave for the same sequence (backlog 1: two connections fit).
    expect(seqs).toEqual(host.nonblocking_connect_backlog_1);
    expect(seqs[0]).toBe('EINPROGRESS OK EISCONN');
    // Accepting makes room: the dropped SYN's retransmission (the next connect call) gets through.
    t.accept(l);
    expect(errnoOf(() => t.connect(fds[2]!, addr))).toBe('OK');
    expect(errnoOf(() => t.connect(fds[3]!, addr))).toBe('EALREADY');
    expect(k.sk_allocated).toBeGreaterThan(0);
  });

  it('acceptAsync waits for a connection; connectAsync waits for room in a full backlog', async () => {
    const k = boot();
    const t = k.spawn();
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, sockaddr_in('127.0.0.1', 7777));
    t.listen(l, 0);
    const p = t.acceptAsync(l);
    const c1 = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c1, sockaddr_in('127.0.0.1', 7777));
    const a1 = await p;
    expect(parse_sockaddr_in(t.getpeername(a1))).toEqual(parse_sockaddr_in(t.getsockname(c1)));
    const c2 = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c2, sockaddr_in('127.0.0.1', 7777)); // fills the queue (backlog 0 admits one)
    const c3 = t.socket(AF_INET, SOCK_STREAM, 0);
    const pc = t.connectAsync(c3, sockaddr_in('127.0.0.1', 7777));
    expect(sk_of<TcpSock>(t, c3).sk_state).toBe(2); // SYN_SENT
    t.accept(l);
    await pc;
    expect(sk_of<TcpSock>(t, c3).sk_state).toBe(TCP_ESTABLISHED);
  });

  it('closing a listener resets the connections it never accepted (inet_child_forget)', () => {
    const k = boot();
    const t = k.spawn();
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.listen(l, 8);
    const port = parse_sockaddr_in(t.getsockname(l)).port;
    const cs = [0, 1, 2].map(() => {
      const c = t.socket(AF_INET, SOCK_STREAM, 0);
      t.connect(c, sockaddr_in('127.0.0.1', port));
      return c;
    });
    t.close(l);
    for (const c of cs) {
      expect(errnoOf(() => t.read(c, 10))).toBe('ECONNRESET');
      expect(t.read(c, 10).length).toBe(0); // the error is reported once; then end of stream
      t.close(c);
    }
    expect(k.sk_allocated).toBe(0);
    expect(k.proc.read('/proc/net/sockstat')).toContain('TCP: inuse 0 orphan 0 tw 0 alloc 0');
  });
});

describe('ioctl SIOCINQ / SIOCOUTQ', () => {
  const ioctl_int = (t: ReturnType<ReturnType<typeof boot>['spawn']>, fd: number, cmd: number) => {
    const b = new Uint8Array(4);
    t.ioctl(fd, cmd, b);
    return new DataView(b.buffer).getInt32(0, true);
  };

  it('UDP: SIOCINQ is the next datagram length; TCP: bytes readable, EINVAL on a listener; others ENOTTY', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.bind(u, sockaddr_in('127.0.0.1', 6100));
    expect(ioctl_int(t, u, SIOCINQ)).toBe(0);
    const s = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(s, new Uint8Array(10), 0, sockaddr_in('127.0.0.1', 6100));
    t.sendto(s, new Uint8Array(30), 0, sockaddr_in('127.0.0.1', 6100));
    expect(ioctl_int(t, u, SIOCINQ)).toBe(10);
    expect(ioctl_int(t, u, SIOCOUTQ)).toBe(0);
    expect(errnoOf(() => t.ioctl(u, 0x1234, new Uint8Array(4)))).toBe('ENOTTY');
    expect(errnoOf(() => t.ioctl(u, SIOCINQ, 0))).toBe('EFAULT');

    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.listen(l, 1);
    expect(errnoOf(() => t.ioctl(l, SIOCINQ, new Uint8Array(4)))).toBe('EINVAL');
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c, t.getsockname(l));
    const a = t.accept(l);
    t.write(c, new Uint8Array(1234));
    expect(ioctl_int(t, a, SIOCINQ)).toBe(1234);
    t.read(a, 1000);
    expect(ioctl_int(t, a, SIOCINQ)).toBe(234);
    expect(ioctl_int(t, c, SIOCOUTQ)).toBe(0);
  });
});

describe('tracing the data path', () => {
  it('records udp_sendmsg and tcp_recvmsg once each, under their kernel names', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    const r = k.trace(() => t.sendto(u, enc('x'), 0, sockaddr_in('127.0.0.1', 9)));
    expect(r.events.filter((e) => e.name === 'udp_sendmsg').map((e) => [e.args, e.ret])).toEqual([
      ['len=1', 1],
    ]);
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.listen(l, 1);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c, t.getsockname(l));
    const a = t.accept(l);
    t.write(c, enc('abc'));
    const r2 = k.trace(() => t.read(a, 10));
    expect(r2.events.filter((e) => e.name === 'tcp_recvmsg').map((e) => [e.args, e.ret])).toEqual([
      ['len=10, flags=0x0', 3],
    ]);
  });
});

describe('fault sites on the data path', () => {
  it('sock_alloc_send_skb makes udp_sendmsg fail with ENOBUFS; tcp_stream_alloc_skb makes tcp_sendmsg EAGAIN', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    k.faults.inject('sock_alloc_send_skb');
    expect(errnoOf(() => t.sendto(u, enc('x'), 0, sockaddr_in('127.0.0.1', 9)))).toBe('ENOBUFS');
    expect(t.sendto(u, enc('x'), 0, sockaddr_in('127.0.0.1', 9))).toBe(1);
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.listen(l, 1);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c, t.getsockname(l));
    const a = t.accept(l);
    k.faults.inject('tcp_stream_alloc_skb');
    expect(errnoOf(() => t.sendto(c, enc('x'), MSG_DONTWAIT))).toBe('EAGAIN');
    expect(t.write(c, enc('y'))).toBe(1);
    expect(dec(t.read(a, 4))).toBe('y');
  });
});
