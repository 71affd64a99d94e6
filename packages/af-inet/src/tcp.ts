/**
 * net/ipv4/tcp.c and struct tcp_sock (include/linux/tcp.h): tcp_init_sock(), tcp_close(), tcp_disconnect(),
 * tcp_poll(), tcp_ioctl(), and tcp_sendmsg() / tcp_recvmsg(), which move bytes straight between the two
 * socks of a loopback connection (each keeps the other as `peer`). tcp_prot and the IPv4 parts are in
 * tcp_ipv4.ts, the socket options in tcp_sockopt.ts, the handshake in tcp_input.ts.
 * ksock does not run TCP's state machine on the wire; timers are attached but never armed.
 */
import {
  EAGAIN,
  ECONNRESET,
  EINVAL,
  ENOTCONN,
  EPIPE,
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWRNORM,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  SIOCINQ,
  SIOCOUTQ,
  SIOCOUTQNSD,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '@ksock/core';
import type { File, Fmt, MsgHdr, PollTable, Sock, Socket } from '@ksock/core/kernel';
import {
  call_ops,
  current,
  ENOIOCTLCMD,
  kfree_skb,
  memcpy_from_msg,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  SkBuff,
  SkBuffHead,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  SOCK_SUPPORT_ZC,
  SOCK_USE_WRITE_QUEUE,
  skb_dequeue,
  skb_free_head,
  skb_queue_purge,
  skb_queue_tail,
  skb_set_owner_r,
  sock_def_write_space,
  sock_error,
  sock_hold,
  sock_orphan,
  sock_poll_wait,
  sock_put,
  sock_set_flag,
  timer_setup,
  tracepoint,
  tracing,
} from '@ksock/core/kernel';
import {
  InetConnectionSock,
  inet_csk,
  inet_put_port,
  type TcpCongestionOps,
} from './inet_connection_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { inet_state } from './state.js';

/** include/net/tcp.h constants. TCP_TIMEOUT_INIT is 1 s; ksock keeps times in milliseconds. */
export const TCP_TIMEOUT_INIT = 1000;
export const TCP_DELACK_MAX = 200;
export const TCP_INIT_CWND = 10;
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
export const TCP_MSS_DEFAULT = 536;
export const TCP_MIN_MSS = 88;
export const MAX_TCP_WINDOW = 32767;
export const TCP_NAGLE_OFF = 1;
export const TCP_NAGLE_CORK = 2;
/** More include/net/tcp.h limits; times in ksock's jiffies, which are milliseconds (HZ = 1000). */
export const TCP_RTO_MAX = 120000;
export const TCP_RTO_MIN = 200;
export const TCP_TIMEOUT_MIN = 2;
export const TCP_FIN_TIMEOUT_MAX = 120000;
export const MAX_TCP_KEEPIDLE = 32767;
export const MAX_TCP_KEEPINTVL = 32767;
export const MAX_TCP_KEEPCNT = 127;
export const MAX_TCP_SYNCNT = 127;
export const TCP_MAX_WSCALE = 14;
export const TCP_ULP_NAME_MAX = 16;
export const TCP_FASTOPEN_KEY_LENGTH = 16;
export const TCP_FASTOPEN_KEY_BUF_LENGTH = 32;

/**
 * The congestion control algorithms this kernel was "built" with: reno (always built in) and cubic
 * (CONFIG_DEFAULT_TCP_CONG on distribution kernels). Keys mirror tcp_ca_get_key_by_name() loosely.
 */
export const tcp_reno: TcpCongestionOps = { name: 'reno', key: 1 };
export const tcp_cubic: TcpCongestionOps = { name: 'cubic', key: 2 };
export const tcp_cong_list: readonly TcpCongestionOps[] = [tcp_cubic, tcp_reno];

/** Mirrors tcp_ca_find(). */
export function tcp_ca_find(name: string): TcpCongestionOps | null {
  for (const ca of tcp_cong_list) if (ca.name === name) return ca;
  return null;
}

/** struct tcp_sock: the fields socket creation sets, TCP_INFO / /proc/net/tcp report and the options keep. */
export class TcpSock extends InetConnectionSock {
  /** out_of_order_queue (an rbtree in Linux). */
  readonly out_of_order_queue = new SkBuffHead();
  /** tcp_rtx_queue. */
  readonly tcp_rtx_queue = new SkBuffHead();
  mdev_us = 0;
  srtt_us = 0;
  rtt_min = 0;
  snd_cwnd = 0;
  snd_ssthresh = 0;
  snd_cwnd_clamp = 0;
  mss_cache = 0;
  advmss = 0;
  user_mss = 0;
  reordering = 0;
  app_limited = 0;
  rate_app_limited = 0;
  tsoffset = 0;
  rack_reo_wnd_steps = 0;
  nonagle = 0;
  rcv_ssthresh = 0;
  rcv_wnd = 0;
  snd_wnd = 0;
  window_clamp = 0;
  write_seq = 0;
  snd_una = 0;
  snd_nxt = 0;
  rcv_nxt = 0;
  copied_seq = 0;
  total_retrans = 0;
  keepalive_time = 0;
  keepalive_intvl = 0;
  keepalive_probes = 0;
  linger2 = 0;
  user_timeout = 0;
  /** TCP_NOTSENT_LOWAT (a u32; 0 leaves net.ipv4.tcp_notsent_lowat in charge). */
  notsent_lowat = 0;
  /**
   * The few-bit option fields of struct tcp_sock — thin_lto, repair, repair_queue, save_syn,
   * fastopen_connect, fastopen_no_cookie, recvmsg_inq, tcp_usec_ts — and icsk_accept_queue's
   * rskq_defer_accept (a u8), packed into one number since every socket carries them; the accessors
   * below read and write them by their kernel names.
   */
  tp_bits = 0;
  /** What only sockets using the rarer options need, allocated when one of them is first set. */
  xopt: TcpXopt | null = null;
  /** Write queue bytes not yet sent to the peer (ksock's loopback model). */
  pending_tx = 0;
  /** The connected peer on loopback, when connected. */
  peer: TcpSock | null = null;

  private tp_get(shift: number, width: number): number {
    return (this.tp_bits >>> shift) & ((1 << width) - 1);
  }
  private tp_set(shift: number, width: number, v: number): void {
    const mask = ((1 << width) - 1) << shift;
    this.tp_bits = (this.tp_bits & ~mask) | ((v << shift) & mask);
  }
  /** TCP_THIN_LINEAR_TIMEOUTS. */
  get thin_lto(): number {
    return this.tp_get(0, 1);
  }
  set thin_lto(v: number) {
    this.tp_set(0, 1, v);
  }
  /** TCP_REPAIR: the socket is in repair mode. */
  get repair(): number {
    return this.tp_get(1, 1);
  }
  set repair(v: number) {
    this.tp_set(1, 1, v);
  }
  /** TCP_REPAIR_QUEUE: TCP_NO_QUEUE, TCP_RECV_QUEUE or TCP_SEND_QUEUE. */
  get repair_queue(): number {
    return this.tp_get(2, 2);
  }
  set repair_queue(v: number) {
    this.tp_set(2, 2, v);
  }
  /** TCP_SAVE_SYN: 0, 1, or 2 (saved from the link-layer header on). */
  get save_syn(): number {
    return this.tp_get(4, 2);
  }
  set save_syn(v: number) {
    this.tp_set(4, 2, v);
  }
  /** TCP_FASTOPEN_CONNECT. */
  get fastopen_connect(): number {
    return this.tp_get(6, 1);
  }
  set fastopen_connect(v: number) {
    this.tp_set(6, 1, v);
  }
  /** TCP_FASTOPEN_NO_COOKIE. */
  get fastopen_no_cookie(): number {
    return this.tp_get(7, 1);
  }
  set fastopen_no_cookie(v: number) {
    this.tp_set(7, 1, v);
  }
  /** TCP_INQ. */
  get recvmsg_inq(): number {
    return this.tp_get(8, 1);
  }
  set recvmsg_inq(v: number) {
    this.tp_set(8, 1, v);
  }
  /** TCP_TIMESTAMP's clock: microseconds rather than milliseconds (the low bit of a repaired value). */
  get tcp_usec_ts(): number {
    return this.tp_get(9, 1);
  }
  set tcp_usec_ts(v: number) {
    this.tp_set(9, 1, v);
  }
  /** TCP_DEFER_ACCEPT, as a number of SYN-ACK retransmits (icsk_accept_queue.rskq_defer_accept). */
  get defer_accept(): number {
    return this.tp_get(10, 8);
  }
  set defer_accept(v: number) {
    this.tp_set(10, 8, v);
  }
  /** The rarer options' state, allocated on first write. */
  xopt_w(): TcpXopt {
    this.xopt ??= new TcpXopt();
    return this.xopt;
  }
}

/** A TCP_MD5SIG key (struct tcp_md5sig_key): ksock keeps it but has no wire to sign segments on. */
interface TcpMd5Key {
  addr: number;
  prefixlen: number;
  l3index: number;
  flags: number;
  key: Uint8Array;
}

/** The state of the options few sockets use, kept out of TcpSock until one of them is set. */
export class TcpXopt {
  /** TCP_FASTOPEN: icsk_accept_queue.fastopenq.max_qlen. */
  fastopen_max_qlen = 0;
  /** TCP_FASTOPEN_KEY: the socket's fastopenq.ctx, the primary key and maybe a backup (16 or 32 bytes). */
  fastopen_key: Uint8Array | null = null;
  /** TCP_TX_DELAY in microseconds. */
  tcp_tx_delay = 0;
  /** TCP_MD5SIG / TCP_MD5SIG_EXT keys (tp->md5sig_info). */
  md5_keys: TcpMd5Key[] = [];
  /**
   * What repair mode restores and ksock's wire-less model otherwise leaves at 0: rx_opt.mss_clamp
   * (TCP_REPAIR_OPTIONS) and snd_wl1, max_window and rcv_wup (TCP_REPAIR_WINDOW).
   */
  mss_clamp = 0;
  snd_wl1 = 0;
  max_window = 0;
  rcv_wup = 0;
}

export function tcp_sk(sk: Sock): TcpSock {
  return sk as TcpSock;
}

/** Mirrors tcp_write_timer(): the retransmit timer's handler (never armed by ksock). */
export function tcp_write_timer(): void {}
/** Mirrors tcp_delack_timer(). */
export function tcp_delack_timer(): void {}
/** Mirrors tcp_keepalive_timer(). */
export function tcp_keepalive_timer(): void {}

/** Mirrors sk_stream_write_space(): wake writers when stream send space frees up. */
export function sk_stream_write_space(sk: Sock): void {
  sock_def_write_space(sk);
}

/** usecs_to_jiffies(): rounded up, of the value taken as unsigned (ksock's jiffies are milliseconds). */
export function usecs_to_jiffies(us: number): number {
  return Math.ceil((us >>> 0) / 1000);
}

/** Mirrors tcp_assign_congestion_control(): the namespace's default algorithm (reno as fallback). */
function tcp_assign_congestion_control(sk: Sock): void {
  inet_csk(sk).icsk_ca_ops = tcp_ca_find(ipv4(sk.sk_net).tcp_congestion_control) ?? tcp_reno;
}

/** Mirrors tcp_init_sock(): every default a new TCP socket starts with. */
export let tcp_init_sock = function tcp_init_sock(sk: Sock): void {
  __tcp_init_sock(sk);
};

/** The body of tcp_init_sock(), also used for an accepted child (Linux clones the listener). */
export function __tcp_init_sock(sk: Sock): void {
  const icsk = inet_csk(sk);
  const tp = tcp_sk(sk);
  const net4 = ipv4(sk.sk_net);
  skb_queue_purge(tp.out_of_order_queue);
  skb_queue_purge(tp.tcp_rtx_queue);
  // tcp_init_xmit_timers() → inet_csk_init_xmit_timers(): attached, not armed.
  timer_setup(icsk.icsk_retransmit_timer, tcp_write_timer);
  timer_setup(icsk.icsk_delack_timer, tcp_delack_timer);
  timer_setup(sk.sk_timer, tcp_keepalive_timer);
  icsk.icsk_rto = TCP_TIMEOUT_INIT;
  icsk.icsk_rto_max = net4.sysctl_tcp_rto_max_ms;
  icsk.icsk_rto_min = usecs_to_jiffies(net4.sysctl_tcp_rto_min_us);
  icsk.icsk_delack_max = TCP_DELACK_MAX;
  tp.mdev_us = TCP_TIMEOUT_INIT * 1000;
  tp.rtt_min = 0xffffffff;
  tp.snd_cwnd = TCP_INIT_CWND;
  tp.app_limited = 0xffffffff;
  tp.rate_app_limited = 1;
  tp.snd_ssthresh = TCP_INFINITE_SSTHRESH;
  tp.snd_cwnd_clamp = 0xffffffff;
  tp.mss_cache = TCP_MSS_DEFAULT;
  tp.reordering = net4.sysctl_tcp_reordering;
  tcp_assign_congestion_control(sk);
  tp.tsoffset = 0;
  tp.rack_reo_wnd_steps = 1;
  sk.sk_write_space = sk_stream_write_space;
  sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
  sk.sk_sndbuf = net4.sysctl_tcp_wmem[1];
  sk.sk_rcvbuf = net4.sysctl_tcp_rmem[1];
  if (sk.sk_socket !== null) sk.sk_socket.flags |= 1 << SOCK_SUPPORT_ZC;
  inet_state(sk.sk_net.kernel).tcp_sockets_allocated++;
}

/** Mirrors tcp_set_state(): entering CLOSE unhashes and frees an automatically chosen port. */
export function tcp_set_state(sk: Sock, state: number): void {
  if (state === TCP_CLOSE) {
    tracing ? call_ops(sk.sk_prot.unhash!, 'sk_prot->unhash', sk) : sk.sk_prot.unhash!(sk);
    if (inet_csk(sk).icsk_bind_hash && (sk.sk_userlocks & SOCK_BINDPORT_LOCK) === 0) inet_put_port(sk);
  }
  sk.sk_state = state;
}

/**
 * Mirrors inet_csk_listen_stop() → inet_child_forget(): children never accepted are disconnected (their
 * peers get a RST) and destroyed.
 */
function inet_csk_listen_stop(sk: Sock): void {
  const list = inet_csk(sk).icsk_accept_list;
  while (list.length > 0) {
    const child = list.shift()!;
    sk.sk_ack_backlog--;
    tracing
      ? call_ops(child.sk_prot.disconnect!, 'sk_prot->disconnect', child, 0)
      : child.sk_prot.disconnect!(child, 0);
    tracing ? call_ops(child.sk_prot.close!, 'sk_prot->close', child, 0) : child.sk_prot.close!(child, 0);
  }
}

/** Mirrors inet_csk_destroy_sock(). */
function inet_csk_destroy_sock(sk: Sock): void {
  tracing ? call_ops(sk.sk_prot.destroy!, 'sk_prot->destroy', sk) : sk.sk_prot.destroy!(sk);
  skb_queue_purge(sk.sk_receive_queue);
  sock_put(sk);
}

/**
 * What the peer of a loopback connection sees when this side sends a FIN (tcp_fin() on the other end):
 * end of file, and CLOSE_WAIT if it was established. With unread data Linux sends a RST instead
 * (tcp_reset(): ECONNRESET, CLOSE).
 */
function tcp_notify_peer(tp: TcpSock, rst: boolean): void {
  const peer = tp.peer;
  if (peer === null) return;
  if (rst) {
    peer.peer = null;
    tp.peer = null;
    peer.sk_err = ECONNRESET;
    peer.sk_shutdown = SHUTDOWN_MASK;
    tcp_set_state(peer, TCP_CLOSE);
  } else {
    peer.sk_shutdown |= RCV_SHUTDOWN;
    if (peer.sk_state === TCP_ESTABLISHED) peer.sk_state = TCP_CLOSE_WAIT;
  }
  peer.sk_state_change(peer);
  peer.sk_data_ready(peer);
}

/**
 * Mirrors tcp_close() / __tcp_close() for the states ksock reaches: a listener stops listening (its
 * unaccepted children are closed); a connected socket sends its FIN (or a RST if data was left unread)
 * and goes straight to CLOSE — ksock has no FIN_WAIT/TIME_WAIT; then the sock is orphaned, destroyed
 * and its last reference dropped.
 */
export let tcp_close = function tcp_close(sk: Sock, _timeout: number): void {
  sk.sk_shutdown = SHUTDOWN_MASK;
  if (sk.sk_state === TCP_LISTEN) {
    tcp_set_state(sk, TCP_CLOSE);
    inet_csk_listen_stop(sk);
  }
  const data_was_unread = sk.sk_receive_queue.qlen > 0;
  skb_queue_purge(sk.sk_receive_queue);
  const tp = tcp_sk(sk);
  if (sk.sk_state !== TCP_CLOSE) {
    tcp_notify_peer(tp, data_was_unread);
    if (tp.peer !== null) tp.peer.peer = null;
    tp.peer = null;
    tcp_set_state(sk, TCP_CLOSE);
  }
  sock_hold(sk);
  sock_orphan(sk);
  if (sk.sk_state === TCP_CLOSE) inet_csk_destroy_sock(sk);
  sock_put(sk);
};

/** Mirrors tcp_need_reset(): the states whose disconnect sends a RST. */
function tcp_need_reset(state: number): boolean {
  return (
    state === TCP_ESTABLISHED ||
    state === TCP_CLOSE_WAIT ||
    state === TCP_FIN_WAIT1 ||
    state === TCP_FIN_WAIT2 ||
    state === TCP_SYN_RECV
  );
}

/**
 * Mirrors tcp_disconnect(): a listener stops listening; a connection is reset (the peer sees
 * ECONNRESET); back to CLOSE with no peer, an automatically chosen address forgotten.
 */
export function tcp_disconnect(sk: Sock, _flags: number): number {
  const old_state = sk.sk_state;
  const tp = tcp_sk(sk);
  if (old_state !== TCP_CLOSE) tcp_set_state(sk, TCP_CLOSE);
  if (old_state === TCP_LISTEN) inet_csk_listen_stop(sk);
  else tcp_notify_peer(tp, true);
  // tcp_need_reset() states send a RST and, like SYN_SENT, leave ECONNRESET for the user.
  if (old_state === TCP_SYN_SENT || tcp_need_reset(old_state)) sk.sk_err = ECONNRESET;
  tp.peer = null;
  skb_queue_purge(sk.sk_receive_queue);
  tp.inet_dport = 0;
  tp.inet_daddr = 0;
  if ((sk.sk_userlocks & SOCK_BINDADDR_LOCK) === 0) tp.inet_saddr = tp.inet_rcv_saddr = 0;
  sk.sk_shutdown = 0;
  tp.rcv_nxt = tp.copied_seq = tp.write_seq = tp.snd_una = 0;
  // Linux ends tcp_disconnect() with sk_error_report(): pollers and sleepers see the new state.
  sk.sk_error_report(sk);
  return 0;
}

/** Mirrors inet_csk_listen_poll(): a listener is readable while a connection waits to be accepted. */
function inet_csk_listen_poll(sk: Sock): number {
  return inet_csk(sk).icsk_accept_list.length !== 0 ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * Mirrors __sk_stream_is_writeable(sk, 1) for ksock's loopback TCP, which has no send queue: a send goes
 * straight into the peer's receive queue, so the socket is writable while the peer has room (or has gone:
 * the send then fails at once rather than sleeping). Linux also counts its own send buffer, so it stays
 * writable a while longer once the peer's buffer is full.
 */
function tcp_stream_is_writeable(sk: Sock): boolean {
  const peer = tcp_sk(sk).peer;
  return peer === null || peer.sk_rcvbuf - peer.sk_rmem_alloc > 0;
}

/**
 * Mirrors tcp_poll() (net/ipv4/tcp.c, Linux 6.18): a listener is inet_csk_listen_poll(); EPOLLHUP when both
 * directions are shut or the socket is in CLOSE; EPOLLIN | EPOLLRDNORM | EPOLLRDHUP once the receive side
 * is shut (the peer's FIN); past SYN_SENT, readable with at least SO_RCVLOWAT bytes to read
 * (tcp_stream_is_readable()) and writable with send space, or always once sending is shut down; EPOLLERR
 * for a pending error. ksock carries no urgent data (no EPOLLPRI) and no TCP Fast Open connect
 * (defer_connect), and Linux's receive-window and memory-pressure reasons to call fewer bytes readable
 * do not arise.
 */
export let tcp_poll = function tcp_poll(file: File, sock: Socket, wait: PollTable | null): number {
  const sk = sock.sk!;
  const tp = tcp_sk(sk);
  sock_poll_wait(file, sock, wait);
  const state = sk.sk_state;
  if (state === TCP_LISTEN) return inet_csk_listen_poll(sk);
  let mask = 0;
  const shutdown = sk.sk_shutdown;
  if (shutdown === SHUTDOWN_MASK || state === TCP_CLOSE) mask |= EPOLLHUP;
  if ((shutdown & RCV_SHUTDOWN) !== 0) mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
  // Connected or passive Fast Open socket?
  if (state !== TCP_SYN_SENT && state !== TCP_SYN_RECV) {
    const target = Math.max(sk.sk_rcvlowat, 1); // sock_rcvlowat(sk, 0, INT_MAX)
    if (tp.rcv_nxt - tp.copied_seq >= target) mask |= EPOLLIN | EPOLLRDNORM;
    if ((shutdown & SEND_SHUTDOWN) === 0) {
      if (tcp_stream_is_writeable(sk)) mask |= EPOLLOUT | EPOLLWRNORM;
    } else mask |= EPOLLOUT | EPOLLWRNORM;
  }
  if (sk.sk_err !== 0 || !sk.error_queue_empty()) mask |= EPOLLERR;
  return mask;
};
const fmt_tcp_poll: Fmt<typeof tcp_poll> = (_file, sock) => `ino=${sock.inode.i_ino}`;

/** Mirrors tcp_ioctl(): SIOCINQ bytes readable, SIOCOUTQ / SIOCOUTQNSD bytes not yet acknowledged. */
export function tcp_ioctl(sk: Sock, cmd: number, _arg: number): number {
  const tp = tcp_sk(sk);
  switch (cmd) {
    case SIOCINQ:
      if (sk.sk_state === TCP_LISTEN) return -EINVAL;
      return Math.max(tp.rcv_nxt - tp.copied_seq, 0);
    case SIOCOUTQ:
    case SIOCOUTQNSD:
      if (sk.sk_state === TCP_LISTEN) return -EINVAL;
      if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV) return 0;
      return tp.write_seq - tp.snd_una;
    default:
      return -ENOIOCTLCMD;
  }
}

/** Mirrors tcp_shutdown(): SHUT_WR on a connected socket sends a FIN (the peer reads end of file). */
export function tcp_shutdown(sk: Sock, how: number): void {
  if ((how & SEND_SHUTDOWN) === 0) return;
  if (sk.sk_state === TCP_ESTABLISHED || sk.sk_state === TCP_CLOSE_WAIT) {
    tcp_notify_peer(tcp_sk(sk), false);
    // The FIN is acknowledged at once on loopback: FIN_WAIT2, or LAST_ACK → CLOSE for a CLOSE_WAIT socket.
    sk.sk_state = sk.sk_state === TCP_ESTABLISHED ? TCP_FIN_WAIT2 : TCP_CLOSE_WAIT;
  }
}

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

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(tcp_poll, 'tcp_poll', fmt_tcp_poll, (f) => {
  tcp_poll = f;
});
tracepoint(tcp_init_sock, 'tcp_init_sock', undefined, (f) => {
  tcp_init_sock = f;
});
tracepoint(tcp_close, 'tcp_close', undefined, (f) => {
  tcp_close = f;
});
tracepoint(tcp_sendmsg, 'tcp_sendmsg', fmt_tcp_sendmsg, (f) => {
  tcp_sendmsg = f;
});
tracepoint(tcp_recvmsg, 'tcp_recvmsg', fmt_tcp_recvmsg, (f) => {
  tcp_recvmsg = f;
});
