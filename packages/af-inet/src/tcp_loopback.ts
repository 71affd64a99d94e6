/**
 * TCP's data path between ksock sockets of one namespace. ksock has no wire: the three-way handshake,
 * segments and the FIN happen synchronously between the two socks, which keep each other as `peer`.
 * Mirrors, in that model, __inet_stream_connect() and inet_accept() (net/ipv4/af_inet.c),
 * tcp_v4_connect() (net/ipv4/tcp_ipv4.c), inet_csk_accept() (net/ipv4/inet_connection_sock.c) and
 * tcp_sendmsg() / tcp_recvmsg() (net/ipv4/tcp.c).
 */
import type { Fmt, MsgHdr, ProtoAcceptArg, Sock, Socket } from '@ksock/core/kernel';
import {
  AF_INET,
  AF_UNSPEC,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EAGAIN,
  EALREADY,
  ECONNABORTED,
  ECONNREFUSED,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENETUNREACH,
  ENOTCONN,
  EPIPE,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  O_NONBLOCK,
  PF_INET,
  SOCK_STREAM,
  SS_CONNECTED,
  SS_CONNECTING,
  SS_DISCONNECTING,
  SS_UNCONNECTED,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '@ksock/core';
import {
  call_ops,
  tracing,
  SkBuff,
  current,
  tracepoint,
  kfree_skb,
  skb_free_head,
  memcpy_from_msg,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  sk_alloc,
  skb_dequeue,
  skb_queue_tail,
  skb_set_owner_r,
  sock_error,
  sock_init_data,
  SHUTDOWN_MASK,
  SOCK_DONE,
  SOCK_SUPPORT_ZC,
} from '@ksock/core/kernel';
import type { InetStreamImpl } from './af_inet.js';
import {
  inet_addr_type,
  inet_bound_dev_eq,
  ip_route_oif_check,
  local_iif,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
} from './fib.js';
import { inet_csk, inet_csk_find_open_port, inet_inherit_port } from './inet_connection_sock.js';
import { inet_sk, inet_sock_destruct } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { type TcpImpl, type TcpSock, TcpXopt, __tcp_init_sock, tcp_set_state, tcp_sk } from './tcp.js';
import { local_saddr } from './udp.js';
import * as IN from './uapi/in.js';

/** The MSS a loopback connection advertises: MTU 65536 − IP and TCP headers − the timestamp option. */
export const LOOPBACK_ADVMSS = 65536 - 20 - 20 - 12;
/**
 * mss_cache (TCP_MAXSEG) of the two ends of a fresh loopback connection as Linux 6.18 reports them:
 * tcp_bound_to_half_wnd() caps it at half the largest window the peer advertised, which differs for the
 * connecting and the accepted side. Measured on the host (see tools/host_probe.c).
 */
export const LOOPBACK_MSS_CLIENT = 32741;
export const LOOPBACK_MSS_SERVER = 32768;

/**
 * Mirrors __inet_lookup_listener() for a SYN from `sk` to daddr:dport: listeners on the exact address are
 * looked up before those on INADDR_ANY; one bound to another device than the SYN arrives on is skipped,
 * and one bound to that device outranks an unbound one (compute_score()). The first best wins.
 */
function inet_lookup_listener(sk: Sock, daddr: number, dport: number): TcpSock | null {
  const dif = local_iif(sk);
  let best: TcpSock | null = null;
  let best_score = 0;
  for (const l of ipv4(sk.sk_net).tcp_listening) {
    if (l.inet_num !== dport || l.sk_state !== TCP_LISTEN) continue;
    if (l.inet_rcv_saddr !== daddr && l.inet_rcv_saddr !== 0) continue;
    if (!inet_bound_dev_eq(l.sk_bound_dev_if, dif)) continue;
    const score = (l.inet_rcv_saddr === daddr ? 4 : 0) + (l.sk_bound_dev_if !== 0 ? 2 : 1);
    if (score > best_score) {
      best = l as TcpSock;
      best_score = score;
    }
  }
  return best;
}

/** Mirrors inet_csk_reqsk_queue_is_full(): more than the backlog waiting to be accepted. */
function accept_queue_full(l: TcpSock): boolean {
  return l.sk_ack_backlog > l.sk_max_ack_backlog;
}

/**
 * Mirrors tcp_create_openreq_child() + sk_clone_lock(): the accepted sock, a copy of the listener's
 * settings, connected to the client, sharing the listener's port, hashed as established.
 */
function tcp_create_child(l: TcpSock, client: TcpSock): TcpSock | null {
  const child = sk_alloc(l.sk_net, PF_INET, l.sk_prot, false) as TcpSock | null;
  if (child === null) return null;
  sock_init_data(null, child);
  child.sk_type = SOCK_STREAM;
  child.sk_protocol = l.sk_protocol;
  child.sk_destruct = inet_sock_destruct;
  child.sk_uid = l.sk_uid;
  child.sk_userlocks = l.sk_userlocks;
  child.sk_reuse = l.sk_reuse;
  child.is_icsk = true;
  child.uc_ttl = l.uc_ttl;
  child.mc_ttl = l.mc_ttl;
  // sk_clone_lock() copies the whole sock: the on/off options, the mark, the bound device, the socket
  // flags (SO_KEEPALIVE, SO_TIMESTAMP…) and the option-only state; the priority comes from the SYN (0).
  child.inet_flags = l.inet_flags;
  child.min_ttl = l.min_ttl;
  child.local_port_range = l.local_port_range;
  child.mc_index = l.mc_index;
  child.mc_addr = l.mc_addr;
  child.uc_index = l.uc_index;
  child.sk_flags = l.sk_flags & ~(1 << SOCK_DONE);
  child.sk_mark = l.sk_mark;
  child.sk_bound_dev_if = l.sk_bound_dev_if;
  if (l.opts !== null) Object.assign(child.opts_w(), l.opts);
  child.pmtudisc = l.pmtudisc;
  child.tos = l.tos;
  __tcp_init_sock(child);
  // The copy covers struct tcp_sock too: the TCP options carry over, except what belongs to the
  // listener's accept queue (TCP_DEFER_ACCEPT, TCP_FASTOPEN's queue and key) and the ACK state
  // (TCP_QUICKACK); the MSS is the one the handshake settled.
  child.nonagle = l.nonagle;
  child.keepalive_time = l.keepalive_time;
  child.keepalive_intvl = l.keepalive_intvl;
  child.keepalive_probes = l.keepalive_probes;
  child.icsk_syn_retries = l.icsk_syn_retries;
  child.linger2 = l.linger2;
  child.window_clamp = l.window_clamp;
  child.user_timeout = l.user_timeout;
  child.notsent_lowat = l.notsent_lowat;
  child.tp_bits = l.tp_bits;
  child.defer_accept = 0;
  if (l.xopt !== null) {
    child.xopt = Object.assign(new TcpXopt(), l.xopt, {
      fastopen_max_qlen: 0,
      fastopen_key: null,
      md5_keys: [],
    });
  }
  child.icsk_af_ops = l.icsk_af_ops;
  child.icsk_ca_ops = l.icsk_ca_ops;
  child.sk_rcvbuf = l.sk_rcvbuf;
  child.sk_sndbuf = l.sk_sndbuf;
  child.inet_num = child.inet_sport = l.inet_num;
  child.inet_rcv_saddr = child.inet_saddr = client.inet_daddr;
  child.inet_daddr = client.inet_saddr;
  child.inet_dport = client.inet_num;
  inet_inherit_port(l, child);
  child.sk_state = TCP_ESTABLISHED;
  tracing ? call_ops(child.sk_prot.hash!, 'sk_prot->hash', child) : child.sk_prot.hash!(child);
  return child;
}

/**
 * The SYN's journey: no listener → RST (the client sees ECONNREFUSED); a full accept queue → the SYN is
 * dropped (the client stays SYN_SENT and retries when connect() is called again or the listener accepts);
 * otherwise both ends are ESTABLISHED and the child waits in the listener's accept queue.
 */
function tcp_loopback_syn(sk: TcpSock): void {
  const l = inet_lookup_listener(sk, sk.inet_daddr, sk.inet_dport);
  if (l === null) {
    // tcp_reset() → tcp_done(): both directions shut, so once the error is read a receive is end of file.
    sk.sk_err = ECONNREFUSED;
    tcp_set_state(sk, TCP_CLOSE);
    sk.sk_shutdown = SHUTDOWN_MASK;
    sk.sk_error_report(sk);
    return;
  }
  if (accept_queue_full(l)) return;
  const child = tcp_create_child(l, sk);
  if (child === null) return;
  for (const s of [sk, child]) {
    s.advmss = LOOPBACK_ADVMSS;
    s.icsk_pmtu_cookie = 65536;
  }
  sk.mss_cache = LOOPBACK_MSS_CLIENT;
  child.mss_cache = LOOPBACK_MSS_SERVER;
  sk.peer = child;
  child.peer = sk;
  sk.sk_state = TCP_ESTABLISHED;
  l.icsk_accept_list.push(child);
  l.sk_ack_backlog++;
  l.sk_data_ready(l);
  sk.sk_state_change(sk);
}

/**
 * Mirrors tcp_v4_connect(): EINVAL if short, EAFNOSUPPORT for another family, ENETUNREACH for
 * multicast/broadcast or (ksock has no routes) any non-local address; the source address and an
 * ephemeral port (even ports first, as __inet_hash_connect() prefers) are chosen, SYN_SENT, hashed, SYN.
 */
export let tcp_v4_connect = function tcp_v4_connect(sk: Sock, addr: Uint8Array, addr_len: number): number {
  if (addr_len < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  const a = IN.parse_sockaddr_in(addr);
  if (a.family !== AF_INET) return -EAFNOSUPPORT;
  const inet = inet_sk(sk);
  const daddr = a.addr === IN.INADDR_ANY ? IN.INADDR_LOOPBACK : a.addr;
  // ip_route_connect() first (a missing bound device is ENODEV), then multicast and broadcast refused.
  const route = ip_route_oif_check(sk);
  if (route !== 0) return route;
  const type = inet_addr_type(sk.sk_net, daddr);
  if (type === RTN_MULTICAST || type === RTN_BROADCAST || type !== RTN_LOCAL) return -ENETUNREACH;
  if (inet.inet_saddr === 0) inet.inet_saddr = local_saddr(inet, daddr);
  if (inet.inet_rcv_saddr === 0) inet.inet_rcv_saddr = inet.inet_saddr;
  inet.inet_dport = a.port;
  inet.inet_daddr = daddr;
  sk.sk_state = TCP_SYN_SENT;
  if (inet.inet_num === 0) {
    if (inet_csk_find_open_port(sk, 0) === 0) {
      sk.sk_state = TCP_CLOSE;
      inet.inet_dport = 0;
      return -EADDRNOTAVAIL; // __inet_hash_connect(): no free ephemeral port
    }
    inet.inet_sport = inet.inet_num;
  }
  tracing ? call_ops(sk.sk_prot.hash!, 'sk_prot->hash', sk) : sk.sk_prot.hash!(sk);
  tcp_loopback_syn(tcp_sk(sk));
  return 0;
};
const fmt_tcp_v4_connect: Fmt<typeof tcp_v4_connect> = (_sk, addr) => {
  const a = IN.parse_sockaddr_in(addr);
  return `${IN.inet_ntoa(a.addr)}:${a.port}`;
};

/**
 * Mirrors __inet_stream_connect(): AF_UNSPEC disconnects; EISCONN / EALREADY / EINPROGRESS by socket
 * state; a non-blocking connect answers EINPROGRESS even though the loopback handshake already
 * completed — the next connect() then returns 0 (as Linux does), the one after EISCONN. A blocking
 * connect whose SYN was dropped sleeps on the listener (EAGAIN to the synchronous API).
 */
export let inet_stream_connect = function inet_stream_connect(
  sock: Socket,
  addr: Uint8Array,
  addr_len: number,
  flags: number,
): number {
  const sk = sock.sk!;
  if (addr_len < 2) return -EINVAL;
  if ((addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) {
    const err = tracing
      ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, flags)
      : sk.sk_prot.disconnect!(sk, flags);
    sock.state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
    return err;
  }
  let err: number;
  switch (sock.state) {
    case SS_CONNECTED:
      return -EISCONN;
    case SS_CONNECTING:
      if (sk.sk_state === TCP_SYN_SENT) tcp_loopback_syn(tcp_sk(sk)); // the SYN is retransmitted
      err = -EALREADY;
      break;
    case SS_UNCONNECTED:
      if (sk.sk_state !== TCP_CLOSE) return -EISCONN;
      err = tracing
        ? call_ops(sk.sk_prot.connect!, 'sk_prot->connect', sk, addr, addr_len)
        : sk.sk_prot.connect!(sk, addr, addr_len);
      if (err < 0) return err;
      sock.state = SS_CONNECTING;
      err = -EINPROGRESS;
      break;
    default:
      return -EINVAL;
  }
  const nonblock = (flags & O_NONBLOCK) !== 0;
  if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV) {
    if (nonblock) return err;
    const l = inet_lookup_listener(sk, inet_sk(sk).inet_daddr, inet_sk(sk).inet_dport);
    current().blocked_on = l?.sk_wq ?? sock.wq;
    return -EAGAIN;
  }
  if (nonblock && err === -EINPROGRESS) return err;
  if (sk.sk_state === TCP_CLOSE) {
    // sock_error: the RST's ECONNREFUSED (or ECONNABORTED), then disconnect.
    const e = sock_error(sk);
    sock.state = SS_UNCONNECTED;
    if (
      (tracing
        ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, flags)
        : sk.sk_prot.disconnect!(sk, flags)) !== 0
    )
      sock.state = SS_DISCONNECTING;
    return e !== 0 ? e : -ECONNABORTED;
  }
  sock.state = SS_CONNECTED;
  return 0;
};
const fmt_inet_stream_connect: Fmt<typeof inet_stream_connect> = (sock, addr) => {
  const a = IN.parse_sockaddr_in(addr);
  return `ino=${sock.inode.i_ino}, ${IN.inet_ntoa(a.addr)}:${a.port}`;
};

/** Mirrors inet_csk_accept(): EINVAL unless listening; EAGAIN while the queue is empty; the oldest child. */
export let inet_csk_accept = function inet_csk_accept(sk: Sock, _flags: number): Sock | number {
  if (sk.sk_state !== TCP_LISTEN) return -EINVAL;
  const q = inet_csk(sk).icsk_accept_list;
  const child = q.shift();
  if (child === undefined) return -EAGAIN;
  sk.sk_ack_backlog--;
  // Connectors whose SYN was dropped while the queue was full may retry now.
  sk.sk_wq?.wake_up();
  return child;
};
const fmt_inet_csk_accept: Fmt<typeof inet_csk_accept> = (_sk, flags) => `flags=0x${flags.toString(16)}`;

/** Mirrors inet_accept() + __inet_accept(): the child grafted onto the new socket, SS_CONNECTED. */
export let inet_accept = function inet_accept(sock: Socket, newsock: Socket, arg: ProtoAcceptArg): number {
  const sk1 = sock.sk!;
  const sk2 = tracing
    ? call_ops(sk1.sk_prot.accept!, 'sk_prot->accept', sk1, arg.flags)
    : sk1.sk_prot.accept!(sk1, arg.flags);
  if (typeof sk2 === 'number') {
    arg.err = sk2;
    return sk2;
  }
  if ((sock.flags & (1 << SOCK_SUPPORT_ZC)) !== 0) newsock.flags |= 1 << SOCK_SUPPORT_ZC;
  // sock_graft()
  sk2.sk_wq = newsock.wq;
  sk2.sk_socket = newsock;
  sk2.sk_uid = newsock.inode.i_uid;
  newsock.sk = sk2;
  newsock.state = SS_CONNECTED;
  return 0;
};
const fmt_inet_accept: Fmt<typeof inet_accept> = (sock) => `ino=${sock.inode.i_ino}`;

/**
 * Mirrors tcp_sendmsg() on a loopback connection: a pending error first, EPIPE when sending is shut
 * down, the socket is not connected, or the peer is gone; bytes go straight into the peer's receive
 * queue while it has room (EAGAIN — sleeping for the awaitable forms — when it has none).
 */
export let tcp_sendmsg = function tcp_sendmsg(sk: Sock, msg: MsgHdr, len: number): number {
  const tp = tcp_sk(sk);
  if (sk.sk_err !== 0) return sock_error(sk);
  if ((sk.sk_shutdown & SEND_SHUTDOWN) !== 0) return -EPIPE;
  if (sk.sk_state !== TCP_ESTABLISHED && sk.sk_state !== TCP_CLOSE_WAIT) return -EPIPE;
  const peer = tp.peer;
  if (peer === null || (peer.sk_shutdown & RCV_SHUTDOWN) !== 0) return -EPIPE;
  if (len === 0) return 0;
  const room = peer.sk_rcvbuf - peer.sk_rmem_alloc;
  if (room <= 0) {
    if ((msg.msg_flags & MSG_DONTWAIT) === 0) current().blocked_on = sk.sk_wq;
    return -EAGAIN;
  }
  // tcp_stream_alloc_skb() failing makes tcp_sendmsg wait for memory (EAGAIN when it may not wait).
  if (sk.sk_net.kernel.faults.should_fail('tcp_stream_alloc_skb')) return -EAGAIN;
  const data = memcpy_from_msg(msg);
  const n = Math.min(data.length, room);
  const skb = new SkBuff(n === data.length ? data : data.subarray(0, n)); // memcpy_from_msg() copied
  skb_set_owner_r(skb, peer);
  skb_queue_tail(peer.sk_receive_queue, skb);
  peer.rcv_nxt += n;
  tp.write_seq += n;
  tp.snd_una += n; // acknowledged at once on loopback
  peer.sk_data_ready(peer);
  return n;
};
const fmt_tcp_sendmsg: Fmt<typeof tcp_sendmsg> = (_sk, _msg, len) => `len=${len}`;

/**
 * Mirrors tcp_recvmsg(): ENOTCONN for a listener or a never-connected socket, the bytes queued (MSG_PEEK
 * leaves them), 0 at end of stream, EAGAIN while the connection is open and nothing has arrived.
 */
export let tcp_recvmsg = function tcp_recvmsg(sk: Sock, msg: MsgHdr, len: number, flags: number): number {
  const tp = tcp_sk(sk);
  if (sk.sk_state === TCP_LISTEN) return -ENOTCONN;
  // tcp_recv_urg(): ksock carries no urgent data, so MSG_OOB finds none to read.
  if ((flags & MSG_OOB) !== 0) return -EINVAL;
  const q = sk.sk_receive_queue;
  if (q.qlen === 0) {
    if (sk.sk_err !== 0) return sock_error(sk);
    if ((sk.sk_shutdown & RCV_SHUTDOWN) !== 0) return 0;
    if (sk.sk_state === TCP_CLOSE) return -ENOTCONN;
    return -EAGAIN;
  }
  const out = new Uint8Array(Math.min(len, tp.rcv_nxt - tp.copied_seq));
  let copied = 0;
  let skb = q.head;
  while (skb !== null && copied < out.length) {
    const take = Math.min(skb.len, out.length - copied);
    out.set(skb.data.subarray(0, take), copied);
    copied += take;
    if ((flags & MSG_PEEK) !== 0) {
      skb = skb.next;
      continue;
    }
    if (take === skb.len) {
      // tcp_eat_recv_skb(): the bytes are in the user's array now, so the area can go back too
      skb_dequeue(q);
      kfree_skb(skb);
      skb_free_head(skb);
      skb = q.head;
    } else {
      skb.data = skb.data.subarray(take);
    }
  }
  msg.data = out.subarray(0, copied);
  if ((flags & MSG_PEEK) === 0) {
    tp.copied_seq += copied;
    tp.peer?.sk_write_space(tp.peer);
  }
  return copied;
};
const fmt_tcp_recvmsg: Fmt<typeof tcp_recvmsg> = (_sk, _msg, len, flags) =>
  `len=${len}, flags=0x${flags.toString(16)}`;

export const tcp_impl: TcpImpl = {
  connect: tcp_v4_connect,
  accept: inet_csk_accept,
  sendmsg: tcp_sendmsg,
  recvmsg: tcp_recvmsg,
};

export const stream_impl: InetStreamImpl = {
  connect: inet_stream_connect,
  accept: inet_accept,
};

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(tcp_v4_connect, 'tcp_v4_connect', fmt_tcp_v4_connect, (f) => {
  tcp_v4_connect = f;
});
tracepoint(inet_stream_connect, 'inet_stream_connect', fmt_inet_stream_connect, (f) => {
  inet_stream_connect = f;
});
tracepoint(inet_csk_accept, 'inet_csk_accept', fmt_inet_csk_accept, (f) => {
  inet_csk_accept = f;
});
tracepoint(inet_accept, 'inet_accept', fmt_inet_accept, (f) => {
  inet_accept = f;
});
tracepoint(tcp_sendmsg, 'tcp_sendmsg', fmt_tcp_sendmsg, (f) => {
  tcp_sendmsg = f;
});
tracepoint(tcp_recvmsg, 'tcp_recvmsg', fmt_tcp_recvmsg, (f) => {
  tcp_recvmsg = f;
});
