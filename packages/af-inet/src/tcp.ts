/**
 * TCP socket creation, options and close: mirrors tcp_v4_init_sock() (net/ipv4/tcp_ipv4.c),
 * tcp_init_sock(), tcp_close(), tcp_getsockopt()/tcp_setsockopt() and tcp_get_info() (net/ipv4/tcp.c).
 * ksock does not run TCP's state machine on the wire; timers are attached but never armed.
 */
import type { Module, MsgHdr, Proto, Sock } from '@ksock/core';
import {
  call_ops,
  tracing,
  ECONNRESET,
  EINVAL,
  ENOENT,
  ENOIOCTLCMD,
  ENOPROTOOPT,
  tracepoint,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  skb_queue_purge,
  SkBuffHead,
  sock_def_write_space,
  sock_hold,
  sock_orphan,
  sock_put,
  sock_set_flag,
  SOCK_STREAM,
  SOCK_USE_WRITE_QUEUE,
  SOL_TCP,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  timer_setup,
} from '@ksock/core';
import {
  InetConnectionSock,
  type InetConnectionSockAfOps,
  type TcpCongestionOps,
  inet_csk,
  inet_csk_get_port,
  inet_hash,
  inet_put_port,
  inet_unhash,
} from './inet_connection_sock.js';
import { ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
import { ipv4 } from './netns_ipv4.js';
import { inet_state } from './state.js';
import * as IN from './uapi/in.js';

/** include/net/tcp.h constants. TCP_TIMEOUT_INIT is 1 s; ksock keeps times in milliseconds. */
export const TCP_TIMEOUT_INIT = 1000;
export const TCP_DELACK_MAX = 200;
export const TCP_INIT_CWND = 10;
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
export const TCP_MSS_DEFAULT = 536;
export const TCP_MIN_MSS = 88;
export const MAX_TCP_WINDOW = 32767;
export const TCP_NAGLE_OFF = 1;
/** socket->flags bits (include/linux/net.h). */
export const SOCK_SUPPORT_ZC = 5;
export const SOCK_CUSTOM_SOCKOPT = 6;

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

/** struct tcp_sock: the fields socket creation sets and TCP_INFO / /proc/net/tcp report. */
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
  /** Write queue bytes not yet sent to the peer (ksock's loopback model). */
  pending_tx = 0;
  /** The connected peer on loopback, when connected. */
  peer: TcpSock | null = null;
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
  icsk.icsk_rto_min = Math.floor(net4.sysctl_tcp_rto_min_us / 1000);
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

/** ipv4_specific: TCP's IPv4 address-family operations (net/ipv4/tcp_ipv4.c). */
export const ipv4_specific: InetConnectionSockAfOps = {
  name: 'ipv4_specific',
  net_header_len: 20,
  setsockopt: ip_setsockopt,
  getsockopt: ip_getsockopt,
};

/** Mirrors tcp_v4_init_sock(): tcp_init_sock(), then the IPv4 af_ops. */
export let tcp_v4_init_sock = function tcp_v4_init_sock(sk: Sock): number {
  tcp_init_sock(sk);
  inet_csk(sk).icsk_af_ops = ipv4_specific;
  return 0;
};

/** Mirrors tcp_set_state(): entering CLOSE unhashes and frees an automatically chosen port. */
export function tcp_set_state(sk: Sock, state: number): void {
  if (state === TCP_CLOSE) {
    tracing ? call_ops(sk.sk_prot.unhash!, 'sk_prot->unhash', sk) : sk.sk_prot.unhash!(sk);
    if (inet_csk(sk).icsk_bind_hash && (sk.sk_userlocks & 8) === 0) inet_put_port(sk);
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

/** Mirrors tcp_v4_destroy_sock(): the port goes back, the allocation counter drops. */
export let tcp_v4_destroy_sock = function tcp_v4_destroy_sock(sk: Sock): void {
  const tp = tcp_sk(sk);
  sk.purge_write_queue();
  skb_queue_purge(tp.out_of_order_queue);
  skb_queue_purge(tp.tcp_rtx_queue);
  if (inet_csk(sk).icsk_bind_hash) inet_put_port(sk);
  inet_state(sk.sk_net.kernel).tcp_sockets_allocated--;
};

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
  tp.peer = null;
  skb_queue_purge(sk.sk_receive_queue);
  tp.inet_dport = 0;
  tp.inet_daddr = 0;
  if ((sk.sk_userlocks & 4) === 0) tp.inet_saddr = tp.inet_rcv_saddr = 0; // !SOCK_BINDADDR_LOCK
  sk.sk_shutdown = 0;
  tp.rcv_nxt = tp.copied_seq = tp.write_seq = tp.snd_una = 0;
  return 0;
}

function put_u32(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v >>> 0, true);
}

/**
 * Mirrors tcp_get_info(): struct tcp_info as Linux 6.18 fills it (280 bytes). Times since the last
 * send/receive are 0 here (Linux reports jiffies since an epoch the socket never set).
 */
export function tcp_get_info(sk: Sock): Uint8Array {
  const b = new Uint8Array(IN.TCP_INFO_SIZE);
  if (sk.sk_type !== SOCK_STREAM) return b;
  const dv = new DataView(b.buffer);
  const tp = tcp_sk(sk);
  b[0] = sk.sk_state;
  b[1] = tp.icsk_ca_state;
  b[2] = tp.icsk_retransmits;
  b[3] = tp.icsk_probes_out;
  b[4] = tp.icsk_backoff;
  b[7] = tp.rate_app_limited ? 1 : 0;
  put_u32(dv, 8, tp.icsk_rto * 1000);
  put_u32(dv, 12, tp.icsk_ack_ato * 1000);
  put_u32(dv, 16, tp.mss_cache);
  put_u32(dv, 20, tp.icsk_ack_rcv_mss);
  put_u32(dv, 60, tp.icsk_pmtu_cookie);
  put_u32(dv, 64, tp.rcv_ssthresh);
  put_u32(dv, 68, tp.srtt_us >>> 3);
  put_u32(dv, 72, tp.mdev_us >>> 2);
  put_u32(dv, 76, tp.snd_ssthresh);
  put_u32(dv, 80, tp.snd_cwnd);
  put_u32(dv, 84, tp.advmss);
  put_u32(dv, 88, tp.reordering);
  put_u32(dv, 100, tp.total_retrans);
  // tcpi_pacing_rate / tcpi_max_pacing_rate: ~0 ("unlimited"), as sock_init_data() leaves them.
  dv.setBigUint64(104, 0xffffffffffffffffn, true);
  dv.setBigUint64(112, 0xffffffffffffffffn, true);
  put_u32(dv, 148, tp.rtt_min);
  put_u32(dv, 228, tp.snd_wnd);
  put_u32(dv, 232, tp.rcv_wnd);
  return b;
}

function int_out(val: number, len: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, val, true);
  return b.slice(0, Math.max(0, Math.min(4, len)));
}

/**
 * Mirrors do_tcp_getsockopt(): other levels go to the af_ops (ip_getsockopt); int options copy
 * min(len, 4) bytes; TCP_INFO min(len, sizeof(struct tcp_info)); TCP_CONGESTION min(len, 16).
 */
export function tcp_getsockopt(sk: Sock, level: number, optname: number, len: number): Uint8Array | number {
  const icsk = inet_csk(sk);
  if (level !== SOL_TCP) return icsk.icsk_af_ops!.getsockopt(sk, level, optname, len);
  const tp = tcp_sk(sk);
  const net4 = ipv4(sk.sk_net);
  if (len < 0) return -EINVAL;
  switch (optname) {
    case IN.TCP_MAXSEG: {
      let val = tp.mss_cache;
      if (tp.user_mss !== 0 && (sk.sk_state === TCP_CLOSE || sk.sk_state === TCP_LISTEN)) val = tp.user_mss;
      return int_out(val, len);
    }
    case IN.TCP_NODELAY:
      return int_out((tp.nonagle & TCP_NAGLE_OFF) !== 0 ? 1 : 0, len);
    case IN.TCP_CORK:
      return int_out((tp.nonagle & 2) !== 0 ? 1 : 0, len);
    case IN.TCP_KEEPIDLE:
      return int_out(tp.keepalive_time || net4.sysctl_tcp_keepalive_time, len);
    case IN.TCP_KEEPINTVL:
      return int_out(tp.keepalive_intvl || net4.sysctl_tcp_keepalive_intvl, len);
    case IN.TCP_KEEPCNT:
      return int_out(tp.keepalive_probes || net4.sysctl_tcp_keepalive_probes, len);
    case IN.TCP_SYNCNT:
      return int_out(icsk.icsk_syn_retries || net4.sysctl_tcp_syn_retries, len);
    case IN.TCP_LINGER2:
      return int_out(tp.linger2 || net4.sysctl_tcp_fin_timeout, len);
    case IN.TCP_DEFER_ACCEPT:
      return int_out(0, len);
    case IN.TCP_WINDOW_CLAMP:
      return int_out(tp.window_clamp, len);
    case IN.TCP_QUICKACK:
      return int_out(icsk.icsk_ack_pingpong === 0 ? 1 : 0, len);
    case IN.TCP_USER_TIMEOUT:
      return int_out(tp.user_timeout, len);
    case IN.TCP_INFO:
      return tcp_get_info(sk).slice(0, Math.min(len, IN.TCP_INFO_SIZE));
    case IN.TCP_CONGESTION: {
      const name = new Uint8Array(IN.TCP_CA_NAME_MAX);
      name.set(new TextEncoder().encode(icsk.icsk_ca_ops?.name ?? ''));
      return name.slice(0, Math.min(len, IN.TCP_CA_NAME_MAX));
    }
    default:
      return -ENOPROTOOPT;
  }
}

/** Mirrors do_tcp_setsockopt() for the options modelled; other levels go to ip_setsockopt. */
export function tcp_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  const icsk = inet_csk(sk);
  if (level !== SOL_TCP) return icsk.icsk_af_ops!.setsockopt(sk, level, optname, optval);
  const tp = tcp_sk(sk);
  if (optname === IN.TCP_CONGESTION) {
    if (optval.length < 1) return -EINVAL;
    let end = optval.indexOf(0);
    if (end < 0) end = Math.min(optval.length, IN.TCP_CA_NAME_MAX - 1);
    const ca = tcp_ca_find(new TextDecoder().decode(optval.subarray(0, end)));
    if (ca === null) return -ENOENT;
    icsk.icsk_ca_ops = ca;
    return 0;
  }
  if (optval.length < 4) return -EINVAL;
  const val = new DataView(optval.buffer, optval.byteOffset, 4).getInt32(0, true);
  switch (optname) {
    case IN.TCP_MAXSEG:
      if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) return -EINVAL;
      tp.user_mss = val;
      return 0;
    case IN.TCP_NODELAY:
      tp.nonagle = val ? tp.nonagle | TCP_NAGLE_OFF : tp.nonagle & ~TCP_NAGLE_OFF;
      return 0;
    case IN.TCP_CORK:
      tp.nonagle = val ? tp.nonagle | 2 : tp.nonagle & ~2;
      return 0;
    case IN.TCP_KEEPIDLE:
      if (val < 1 || val > 32767) return -EINVAL;
      tp.keepalive_time = val;
      return 0;
    case IN.TCP_KEEPINTVL:
      if (val < 1 || val > 32767) return -EINVAL;
      tp.keepalive_intvl = val;
      return 0;
    case IN.TCP_KEEPCNT:
      if (val < 1 || val > 127) return -EINVAL;
      tp.keepalive_probes = val;
      return 0;
    case IN.TCP_SYNCNT:
      if (val < 1 || val > 127) return -EINVAL;
      icsk.icsk_syn_retries = val;
      return 0;
    case IN.TCP_USER_TIMEOUT:
      if (val < 0) return -EINVAL;
      tp.user_timeout = val;
      return 0;
    case IN.TCP_QUICKACK:
      icsk.icsk_ack_pingpong = val ? 0 : 1;
      return 0;
    default:
      return -ENOPROTOOPT;
  }
}

/** Mirrors tcp_ioctl(): SIOCINQ bytes readable, SIOCOUTQ / SIOCOUTQNSD bytes not yet acknowledged. */
export function tcp_ioctl(sk: Sock, cmd: number, _arg: number): number {
  const tp = tcp_sk(sk);
  switch (cmd) {
    case IN.SIOCINQ:
      if (sk.sk_state === TCP_LISTEN) return -EINVAL;
      return Math.max(tp.rcv_nxt - tp.copied_seq, 0);
    case IN.SIOCOUTQ:
    case IN.SIOCOUTQNSD:
      if (sk.sk_state === TCP_LISTEN) return -EINVAL;
      if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV) return 0;
      return tp.write_seq - tp.snd_una;
    default:
      return -ENOIOCTLCMD;
  }
}

/** Mirrors tcp_shutdown(): SHUT_WR on a connected socket sends a FIN (the peer reads end of file). */
function tcp_shutdown(sk: Sock, how: number): void {
  if ((how & SEND_SHUTDOWN) === 0) return;
  if (sk.sk_state === TCP_ESTABLISHED || sk.sk_state === TCP_CLOSE_WAIT) {
    tcp_notify_peer(tcp_sk(sk), false);
    // The FIN is acknowledged at once on loopback: FIN_WAIT2, or LAST_ACK → CLOSE for a CLOSE_WAIT socket.
    sk.sk_state = sk.sk_state === TCP_ESTABLISHED ? TCP_FIN_WAIT2 : TCP_CLOSE_WAIT;
  }
}

/** tcp_prot (net/ipv4/tcp_ipv4.c): obj_size = sizeof(struct tcp_sock) on x86-64 6.18 (2304 bytes). */
export function make_tcp_prot(owner: Module | null, impl: TcpImpl): Proto {
  return {
    name: 'TCP',
    owner,
    obj_size: 2304,
    sk_class: TcpSock,
    max_header: 192,
    no_autobind: true,
    close: tcp_close,
    connect: impl.connect,
    disconnect: tcp_disconnect,
    accept: impl.accept,
    ioctl: tcp_ioctl,
    init: tcp_v4_init_sock,
    destroy: tcp_v4_destroy_sock,
    shutdown: tcp_shutdown,
    setsockopt: tcp_setsockopt,
    getsockopt: tcp_getsockopt,
    sendmsg: impl.sendmsg,
    recvmsg: impl.recvmsg,
    backlog_rcv: () => 0,
    hash: inet_hash,
    unhash: inet_unhash,
    get_port: inet_csk_get_port,
    enter_memory_pressure: () => {},
    memory_allocated: { value: 0 },
    memory_pressure: { value: false },
  };
}

/** The data-path half of tcp_prot (tcp_loopback.ts fills it). */
export interface TcpImpl {
  connect(sk: Sock, addr: Uint8Array, addrlen: number): number;
  accept(sk: Sock, flags: number): Sock | number;
  sendmsg(sk: Sock, msg: MsgHdr, len: number): number;
  recvmsg(sk: Sock, msg: MsgHdr, len: number, flags: number): number;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(tcp_init_sock, 'tcp_init_sock', undefined, (f) => {
  tcp_init_sock = f;
});
tracepoint(tcp_v4_init_sock, 'tcp_v4_init_sock', undefined, (f) => {
  tcp_v4_init_sock = f;
});
tracepoint(tcp_v4_destroy_sock, 'tcp_v4_destroy_sock', undefined, (f) => {
  tcp_v4_destroy_sock = f;
});
tracepoint(tcp_close, 'tcp_close', undefined, (f) => {
  tcp_close = f;
});
