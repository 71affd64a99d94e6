/**
 * TCP's socket options: mirrors do_tcp_setsockopt() / do_tcp_getsockopt() and tcp_get_info()
 * (net/ipv4/tcp.c), with the repair-mode, MD5, fast-open and zerocopy-receive option checks
 * (tcp_repair_options_est(), tcp_v4_parse_md5_keys(), tcp_fastopen_*(), tcp_zerocopy_receive()).
 * Options whose effect ksock does not model keep their state and read it back.
 */

import {
  AF_INET,
  CAP_NET_ADMIN,
  EFBIG,
  EINVAL,
  EIO,
  ENOENT,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  SOCK_STREAM,
  SOL_TCP,
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '@ksock/core';
import type { Sock } from '@ksock/core/kernel';
import {
  capable,
  int_bytes,
  read_int,
  SOCK_DONE,
  SOCK_MIN_RCVBUF,
  sock_error,
  sock_flag,
} from '@ksock/core/kernel';
import { inet_csk } from './inet_connection_sock.js';
import { ipv4 } from './netns_ipv4.js';
import {
  MAX_TCP_KEEPCNT,
  MAX_TCP_KEEPIDLE,
  MAX_TCP_KEEPINTVL,
  MAX_TCP_SYNCNT,
  MAX_TCP_WINDOW,
  TCP_DELACK_MAX,
  TCP_FASTOPEN_KEY_BUF_LENGTH,
  TCP_FASTOPEN_KEY_LENGTH,
  TCP_FIN_TIMEOUT_MAX,
  TCP_MAX_WSCALE,
  TCP_MIN_MSS,
  TCP_NAGLE_CORK,
  TCP_NAGLE_OFF,
  TCP_RTO_MAX,
  TCP_RTO_MIN,
  TCP_TIMEOUT_INIT,
  TCP_TIMEOUT_MIN,
  type TcpSock,
  tcp_ca_find,
  tcp_sk,
  usecs_to_jiffies,
} from './tcp.js';
import * as IN from './uapi/in.js';

/** The TCP options TCP_REPAIR_OPTIONS restores (TCPOPT_*). */
const TCPOPT_MSS = 2;
const TCPOPT_WINDOW = 3;
const TCPOPT_SACK_PERM = 4;
const TCPOPT_TIMESTAMP = 8;
/** net.ipv4.tcp_fastopen bits; ksock has no such sysctl, so its default (TFO_CLIENT_ENABLE) applies. */
const TFO_CLIENT_ENABLE = 1;
const sysctl_tcp_fastopen = TFO_CLIENT_ENABLE;
/** sk_reuse values (include/net/sock.h): repair mode forces port reuse. */
const SK_NO_REUSE = 0;
const SK_FORCE_REUSE = 2;
const PAGE_SIZE = 4096;

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
  return int_bytes(val).slice(0, Math.max(0, Math.min(4, len)));
}

/** secs_to_retrans() (net/ipv4/tcp.c): TCP_DEFER_ACCEPT's seconds as SYN-ACK retransmits, at most 255. */
function secs_to_retrans(seconds: number, timeout: number, rto_max: number): number {
  let res = 0;
  if (seconds > 0) {
    let period = timeout;
    res = 1;
    while (seconds > period && res < 255) {
      res++;
      timeout = Math.min(timeout * 2, rto_max);
      period += timeout;
    }
  }
  return res;
}

/** retrans_to_secs(): the seconds that many retransmits take, as TCP_DEFER_ACCEPT reads back. */
function retrans_to_secs(retrans: number, timeout: number, rto_max: number): number {
  let period = 0;
  if (retrans > 0) {
    period = timeout;
    while (--retrans > 0) {
      timeout = Math.min(timeout * 2, rto_max);
      period += timeout;
    }
  }
  return period;
}

/** after(): seq1 comes after seq2 in the u32 sequence space. */
function after(seq1: number, seq2: number): boolean {
  return ((seq2 - seq1) | 0) < 0;
}

/**
 * tcp_clock_ts(): the clock TCP timestamps come from, in microseconds or milliseconds, as a u32. It is
 * the monotonic clock (tcp_clock_ns()), which ksock reads from the host's high-resolution timer.
 */
function tcp_clock_ts(usec_ts: number): number {
  const ms = performance.now();
  return Math.floor(usec_ts ? ms * 1000 : ms) >>> 0;
}

/** strncpy_from_sockptr() of at most `max` bytes: a name, up to the first NUL. */
function sockptr_name(optval: Uint8Array, max: number): string {
  const b = optval.subarray(0, Math.min(max, optval.length));
  const end = b.indexOf(0);
  return String.fromCharCode(...(end < 0 ? b : b.subarray(0, end)));
}

/** tcp_inq(): bytes ready to read; none during the handshake. ksock's rcv_nxt never counts the FIN. */
function tcp_inq(sk: Sock): number {
  if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV) return 0;
  const tp = tcp_sk(sk);
  return tp.rcv_nxt - tp.copied_seq;
}

/** tcp_inq_hint(): bytes ready to read, but 1 once the FIN is in with nothing left, so readers go on to EOF. */
function tcp_inq_hint(sk: Sock): number {
  const tp = tcp_sk(sk);
  const inq = tp.rcv_nxt - tp.copied_seq;
  return inq === 0 && sock_flag(sk, SOCK_DONE) ? 1 : inq;
}

/** tcp_can_repair_sock(): repair mode takes CAP_NET_ADMIN, and is not for listeners. */
function tcp_can_repair_sock(sk: Sock): boolean {
  return capable(CAP_NET_ADMIN) && sk.sk_state !== TCP_LISTEN;
}

/**
 * Mirrors tcp_set_window_clamp(): 0 lifts the clamp (only while CLOSE); otherwise it is at least half of
 * SOCK_MIN_RCVBUF. Shrinking it pulls rcv_ssthresh down (__tcp_adjust_rcv_ssthresh(): ksock reserves no
 * memory, so a plain min); growing it lets rcv_ssthresh rise up to the receive window.
 */
export function tcp_set_window_clamp(sk: Sock, val: number): number {
  const tp = tcp_sk(sk);
  if (val === 0) {
    if (sk.sk_state !== TCP_CLOSE) return -EINVAL;
    tp.window_clamp = 0;
    return 0;
  }
  const old_window_clamp = tp.window_clamp;
  const new_window_clamp = Math.max(SOCK_MIN_RCVBUF / 2, val);
  if (new_window_clamp === old_window_clamp) return 0;
  tp.window_clamp = new_window_clamp;
  if (new_window_clamp < old_window_clamp) tp.rcv_ssthresh = Math.min(tp.rcv_ssthresh, new_window_clamp);
  else tp.rcv_ssthresh = Math.max(Math.min(tp.rcv_wnd, new_window_clamp), tp.rcv_ssthresh);
  return 0;
}

/**
 * The TCP_REPAIR write of do_tcp_setsockopt(): on (the port may then be reused, no queue chosen), off, or
 * off without the window probe TCP_REPAIR_OFF sends to an established peer (ksock has no wire to send
 * it on). Deliberate limit: ksock's connect, send and receive paths do not change in repair mode.
 */
function tcp_sock_set_repair(sk: Sock, val: number): number {
  const tp = tcp_sk(sk);
  if (!tcp_can_repair_sock(sk)) return -EPERM;
  if (val === IN.TCP_REPAIR_ON) {
    tp.repair = 1;
    sk.sk_reuse = SK_FORCE_REUSE;
    tp.repair_queue = IN.TCP_NO_QUEUE;
    return 0;
  }
  if (val !== IN.TCP_REPAIR_OFF && val !== IN.TCP_REPAIR_OFF_NO_WP) return -EINVAL;
  tp.repair = 0;
  sk.sk_reuse = SK_NO_REUSE;
  return 0;
}

/** The TCP_QUEUE_SEQ write: the repaired queue's sequence number, while CLOSE and that queue is empty. */
function tcp_set_queue_seq(sk: Sock, val: number): number {
  const tp = tcp_sk(sk);
  if (sk.sk_state !== TCP_CLOSE) return -EPERM;
  if (tp.repair_queue === IN.TCP_SEND_QUEUE) {
    if (tp.tcp_rtx_queue.qlen > 0) return -EPERM;
    tp.write_seq = val >>> 0;
    return 0;
  }
  if (tp.repair_queue === IN.TCP_RECV_QUEUE) {
    if (tp.rcv_nxt !== tp.copied_seq) return -EPERM;
    tp.rcv_nxt = tp.copied_seq = val >>> 0;
    return 0;
  }
  return -EINVAL;
}

/** The TCP_QUEUE_SEQ read: the repaired queue's sequence number. */
function tcp_get_queue_seq(tp: TcpSock, len: number): Uint8Array | number {
  if (tp.repair_queue === IN.TCP_SEND_QUEUE) return int_out(tp.write_seq, len);
  if (tp.repair_queue === IN.TCP_RECV_QUEUE) return int_out(tp.rcv_nxt, len);
  return -EINVAL;
}

/**
 * Mirrors tcp_repair_options_est(): the TCP options of a repaired connection, one struct tcp_repair_opt
 * (code, value) each; unknown codes are skipped. ksock keeps the MSS, which TCP_MAXSEG reads back in
 * repair mode; the window scales, SACK and timestamps are checked as Linux checks them, but ksock's
 * wire-less loopback has nothing to apply them to.
 */
function tcp_repair_options_est(sk: Sock, optval: Uint8Array): number {
  const dv = new DataView(optval.buffer, optval.byteOffset, optval.byteLength);
  for (let off = 0; off + IN.TCP_REPAIR_OPT_SIZE <= optval.length; off += IN.TCP_REPAIR_OPT_SIZE) {
    const val = dv.getUint32(off + 4, true);
    switch (dv.getUint32(off, true)) {
      case TCPOPT_MSS:
        tcp_sk(sk).xopt_w().mss_clamp = val & 0xffff;
        break;
      case TCPOPT_WINDOW:
        if ((val & 0xffff) > TCP_MAX_WSCALE || val >>> 16 > TCP_MAX_WSCALE) return -EFBIG;
        break;
      case TCPOPT_SACK_PERM:
      case TCPOPT_TIMESTAMP:
        if (val !== 0) return -EINVAL;
        break;
    }
  }
  return 0;
}

/**
 * Mirrors tcp_repair_set_window(): a whole struct tcp_repair_window, in repair mode, consistent with
 * itself and with rcv_nxt.
 */
function tcp_repair_set_window(tp: TcpSock, optval: Uint8Array): number {
  if (!tp.repair) return -EPERM;
  if (optval.length !== IN.TCP_REPAIR_WINDOW_SIZE) return -EINVAL;
  const dv = new DataView(optval.buffer, optval.byteOffset, optval.byteLength);
  const [snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup] = [0, 4, 8, 12, 16].map((o) =>
    dv.getUint32(o, true),
  ) as [number, number, number, number, number];
  if (max_window < snd_wnd) return -EINVAL;
  if (after(snd_wl1, tp.rcv_nxt + rcv_wnd)) return -EINVAL;
  if (after(rcv_wup, tp.rcv_nxt)) return -EINVAL;
  const x = tp.xopt_w();
  x.snd_wl1 = snd_wl1;
  tp.snd_wnd = snd_wnd;
  x.max_window = max_window;
  tp.rcv_wnd = rcv_wnd;
  x.rcv_wup = rcv_wup;
  return 0;
}

/** The TCP_REPAIR_WINDOW read: exactly a struct tcp_repair_window of room, in repair mode. */
function tcp_get_repair_window(tp: TcpSock, len: number): Uint8Array | number {
  if (len !== IN.TCP_REPAIR_WINDOW_SIZE) return -EINVAL;
  if (!tp.repair) return -EPERM;
  const b = new Uint8Array(IN.TCP_REPAIR_WINDOW_SIZE);
  const dv = new DataView(b.buffer);
  const x = tp.xopt;
  const fields = [x?.snd_wl1 ?? 0, tp.snd_wnd, x?.max_window ?? 0, tp.rcv_wnd, x?.rcv_wup ?? 0];
  for (const [i, v] of fields.entries()) put_u32(dv, i * 4, v);
  return b;
}

/**
 * Mirrors tcp_v4_parse_md5_keys(): a whole struct tcp_md5sig naming an IPv4 peer. A zero key length
 * deletes the peer's key (tcp_md5_do_del(): ENOENT if there is none); otherwise a key of at most 80
 * bytes is added, or replaces the peer's (tcp_md5_do_add()). TCP_MD5SIG_EXT may give a prefix length,
 * and an ifindex, which must name an L3 master (VRF) device — ksock has none. Deliberate limit: the keys
 * are kept and answered for, but ksock's loopback has no segments to sign or check, so a connection is
 * never refused for a missing or wrong key.
 */
function tcp_v4_parse_md5_keys(sk: Sock, optname: number, optval: Uint8Array): number {
  if (optval.length < IN.TCP_MD5SIG_SIZE) return -EINVAL;
  const sin = IN.parse_sockaddr_in(optval);
  if (sin.family !== AF_INET) return -EINVAL;
  const dv = new DataView(optval.buffer, optval.byteOffset, IN.TCP_MD5SIG_SIZE);
  const cmd_flags = optval[128]!;
  const flags = cmd_flags & IN.TCP_MD5SIG_FLAG_IFINDEX;
  let prefixlen = 32;
  if (optname === IN.TCP_MD5SIG_EXT && (cmd_flags & IN.TCP_MD5SIG_FLAG_PREFIX) !== 0) {
    prefixlen = optval[129]!;
    if (prefixlen > 32) return -EINVAL;
  }
  const ifindex = dv.getInt32(132, true);
  if (optname === IN.TCP_MD5SIG_EXT && ifindex !== 0 && (cmd_flags & IN.TCP_MD5SIG_FLAG_IFINDEX) !== 0)
    return -EINVAL;
  const keylen = dv.getUint16(130, true);
  const tp = tcp_sk(sk);
  const keys = tp.xopt?.md5_keys ?? [];
  // tcp_md5_do_lookup_exact(): the same peer, prefix, L3 device (none in ksock) and ifindex flag.
  const i = keys.findIndex((k) => k.addr === sin.addr && k.prefixlen === prefixlen && k.flags === flags);
  if (keylen === 0) {
    if (i < 0) return -ENOENT;
    keys.splice(i, 1);
    return 0;
  }
  if (keylen > IN.TCP_MD5SIG_MAXKEYLEN) return -EINVAL;
  const key = optval.slice(136, 136 + keylen);
  if (i >= 0) keys[i]!.key = key;
  else tp.xopt_w().md5_keys.push({ addr: sin.addr, prefixlen, l3index: 0, flags, key });
  return 0;
}

/**
 * The TCP_FASTOPEN write: a listener's (or future listener's) queue of Fast Open requests, at most
 * net.core.somaxconn long (fastopen_queue_tune()). tcp_fastopen_init_key_once() also gives the namespace
 * a random server key, which no socket option reads back: ksock does not make one.
 */
function tcp_set_fastopen(sk: Sock, val: number): number {
  if (val < 0 || (sk.sk_state !== TCP_CLOSE && sk.sk_state !== TCP_LISTEN)) return -EINVAL;
  tcp_sk(sk).xopt_w().fastopen_max_qlen = Math.min(val, sk.sk_net.sysctl_somaxconn);
  return 0;
}

/**
 * Mirrors the TCP_ZEROCOPY_RECEIVE read of do_tcp_getsockopt() with tcp_zerocopy_receive(). ksock's
 * getsockopt() carries no input, so the request reads as zeros — no mapping address, no copy buffer —
 * as from a caller's zeroed struct; room beyond the struct is then zeros too, accepted and cut off.
 * With less than a page to read, the answer is to recv() it (recv_skip_hint); a page or more would be
 * mapped at the address, and nothing is mapped at 0 (EINVAL). How much more of the struct is filled in
 * (the socket error, which is consumed, and the inq hint) depends on where the caller's room ends.
 */
function tcp_zerocopy_getsockopt(sk: Sock, len: number): Uint8Array | number {
  if (len < IN.TCP_ZC_END_LENGTH) return -EINVAL;
  len = Math.min(len, IN.TCP_ZEROCOPY_RECEIVE_SIZE);
  if (sk.sk_state === TCP_LISTEN) return -ENOTCONN;
  const inq = tcp_inq(sk);
  if (inq >= PAGE_SIZE) return -EINVAL;
  if (inq === 0 && sock_flag(sk, SOCK_DONE)) return -EIO;
  const zc = new Uint8Array(IN.TCP_ZEROCOPY_RECEIVE_SIZE);
  const dv = new DataView(zc.buffer);
  put_u32(dv, 12, inq); // recv_skip_hint; msg_flags stays 0 (no receive timestamp was asked for)
  const full = len >= IN.TCP_ZC_END_MSG_FLAGS;
  if (full || IN.TCP_ZC_ENDS_ERR.includes(len)) dv.setInt32(20, sock_error(sk), true);
  if (full || IN.TCP_ZC_ENDS_ERR.includes(len) || len === IN.TCP_ZC_END_INQ)
    put_u32(dv, 16, tcp_inq_hint(sk));
  return zc.slice(0, len);
}

/**
 * Mirrors do_tcp_getsockopt(): other levels go to the af_ops (ip_getsockopt); int options copy
 * min(len, 4) bytes; the struct and string ones as much as there is room for, each as noted.
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
      // In repair mode, the MSS the peer announced (rx_opt.mss_clamp): ksock's loopback has no SYN
      // options, so only TCP_REPAIR_OPTIONS sets it.
      if (tp.repair) val = tp.xopt?.mss_clamp ?? 0;
      return int_out(val, len);
    }
    case IN.TCP_NODELAY:
      return int_out((tp.nonagle & TCP_NAGLE_OFF) !== 0 ? 1 : 0, len);
    case IN.TCP_CORK:
      return int_out((tp.nonagle & TCP_NAGLE_CORK) !== 0 ? 1 : 0, len);
    case IN.TCP_KEEPIDLE:
      return int_out(tp.keepalive_time || net4.sysctl_tcp_keepalive_time, len);
    case IN.TCP_KEEPINTVL:
      return int_out(tp.keepalive_intvl || net4.sysctl_tcp_keepalive_intvl, len);
    case IN.TCP_KEEPCNT:
      return int_out(tp.keepalive_probes || net4.sysctl_tcp_keepalive_probes, len);
    case IN.TCP_SYNCNT:
      return int_out(icsk.icsk_syn_retries || net4.sysctl_tcp_syn_retries, len);
    case IN.TCP_LINGER2:
      // linger2 is in jiffies, -1 for "no FIN_WAIT2 timeout"; 0 leaves net.ipv4.tcp_fin_timeout (seconds).
      if (tp.linger2 < 0) return int_out(tp.linger2, len);
      return int_out(tp.linger2 ? Math.trunc(tp.linger2 / 1000) : net4.sysctl_tcp_fin_timeout, len);
    case IN.TCP_DEFER_ACCEPT:
      return int_out(retrans_to_secs(tp.defer_accept, TCP_TIMEOUT_INIT / 1000, TCP_RTO_MAX / 1000), len);
    case IN.TCP_WINDOW_CLAMP:
      return int_out(tp.window_clamp, len);
    case IN.TCP_QUICKACK:
      return int_out(icsk.icsk_ack_pingpong === 0 ? 1 : 0, len);
    case IN.TCP_USER_TIMEOUT:
      return int_out(tp.user_timeout, len);
    case IN.TCP_INFO:
      return tcp_get_info(sk).slice(0, Math.min(len, IN.TCP_INFO_SIZE));
    case IN.TCP_CC_INFO:
      // The algorithm's get_info() (union tcp_cc_info), cut to the room given. Reno and cubic, the
      // algorithms ksock has, have none: nothing is copied (vegas, dctcp and bbr would fill theirs).
      return new Uint8Array(0);
    case IN.TCP_CONGESTION: {
      const name = new Uint8Array(IN.TCP_CA_NAME_MAX);
      name.set(new TextEncoder().encode(icsk.icsk_ca_ops?.name ?? ''));
      return name.slice(0, Math.min(len, IN.TCP_CA_NAME_MAX));
    }
    case IN.TCP_ULP:
      // The attached upper-layer protocol's name: ksock has none to attach (see tcp_setsockopt()).
      return new Uint8Array(0);
    case IN.TCP_FASTOPEN_KEY: {
      // The socket's own keys (tcp_fastopen_get_cipher() on the socket): none until TCP_FASTOPEN_KEY.
      const key = tp.xopt?.fastopen_key ?? new Uint8Array(0);
      return key.slice(0, Math.min(len, key.length));
    }
    case IN.TCP_THIN_LINEAR_TIMEOUTS:
      return int_out(tp.thin_lto, len);
    case IN.TCP_THIN_DUPACK:
      // Accepted for compatibility and ignored (the thin-stream dupack heuristic is gone): it reads 0.
      return int_out(0, len);
    case IN.TCP_REPAIR:
      return int_out(tp.repair, len);
    case IN.TCP_REPAIR_QUEUE:
      if (!tp.repair) return -EINVAL;
      return int_out(tp.repair_queue, len);
    case IN.TCP_REPAIR_WINDOW:
      return tcp_get_repair_window(tp, len);
    case IN.TCP_QUEUE_SEQ:
      return tcp_get_queue_seq(tp, len);
    case IN.TCP_SAVE_SYN:
      return int_out(tp.save_syn, len);
    case IN.TCP_SAVED_SYN:
      // Deliberate limit: ksock's loopback has no SYN packets, so there are no headers to save (a
      // TCP_SAVE_SYN listener's children would keep their SYN's): nothing is ever saved or copied.
      return new Uint8Array(0);
    case IN.TCP_FASTOPEN:
      return int_out(tp.xopt?.fastopen_max_qlen ?? 0, len);
    case IN.TCP_FASTOPEN_CONNECT:
      return int_out(tp.fastopen_connect, len);
    case IN.TCP_FASTOPEN_NO_COOKIE:
      return int_out(tp.fastopen_no_cookie, len);
    case IN.TCP_TX_DELAY:
      return int_out(tp.xopt?.tcp_tx_delay ?? 0, len);
    case IN.TCP_TIMESTAMP: {
      // The timestamp clock plus the socket's offset (repair mode sets it); the low bit tells the unit.
      const val = (tcp_clock_ts(tp.tcp_usec_ts) + tp.tsoffset) >>> 0;
      return int_out(tp.tcp_usec_ts ? val | 1 : val & ~1, len);
    }
    case IN.TCP_NOTSENT_LOWAT:
      return int_out(tp.notsent_lowat, len);
    case IN.TCP_INQ:
      return int_out(tp.recvmsg_inq, len);
    case IN.TCP_ZEROCOPY_RECEIVE:
      return tcp_zerocopy_getsockopt(sk, len);
    case IN.TCP_IS_MPTCP:
      // A plain TCP socket; an MPTCP subflow's answer comes from MPTCP, which ksock does not have.
      return int_out(0, len);
    case IN.TCP_RTO_MAX_MS:
      return int_out(icsk.icsk_rto_max, len);
    case IN.TCP_RTO_MIN_US:
      return int_out(icsk.icsk_rto_min * 1000, len);
    case IN.TCP_DELACK_MAX_US:
      return int_out(icsk.icsk_delack_max * 1000, len);
    default:
      // TCP_MD5SIG* are write-only; TCP_AO_* need CONFIG_TCP_AO, which the measured host (and ksock) lack.
      return -ENOPROTOOPT;
  }
}

/**
 * Mirrors do_tcp_setsockopt(); other levels go to ip_setsockopt. The string and struct options come
 * first; every other one takes an int.
 */
export function tcp_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  const icsk = inet_csk(sk);
  if (level !== SOL_TCP) return icsk.icsk_af_ops!.setsockopt(sk, level, optname, optval);
  const tp = tcp_sk(sk);
  switch (optname) {
    case IN.TCP_CONGESTION: {
      if (optval.length < 1) return -EINVAL;
      const ca = tcp_ca_find(sockptr_name(optval, IN.TCP_CA_NAME_MAX - 1));
      if (ca === null) return -ENOENT;
      icsk.icsk_ca_ops = ca;
      return 0;
    }
    case IN.TCP_ULP:
      // tcp_set_ulp(): ksock registers no upper-layer protocol (tls, mptcp, espintcp and smc are modules
      // of their own), so every name is unknown, as in a kernel built without them.
      if (optval.length < 1) return -EINVAL;
      return -ENOENT;
    case IN.TCP_FASTOPEN_KEY:
      // tcp_fastopen_reset_cipher() for the socket: a primary key, or a primary and a backup.
      if (optval.length !== TCP_FASTOPEN_KEY_LENGTH && optval.length !== TCP_FASTOPEN_KEY_BUF_LENGTH)
        return -EINVAL;
      tp.xopt_w().fastopen_key = optval.slice();
      return 0;
  }
  if (optval.length < 4) return -EINVAL;
  const val = read_int(optval);
  switch (optname) {
    case IN.TCP_MAXSEG:
      if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) return -EINVAL;
      tp.user_mss = val;
      return 0;
    case IN.TCP_NODELAY:
      tp.nonagle = val ? tp.nonagle | TCP_NAGLE_OFF : tp.nonagle & ~TCP_NAGLE_OFF;
      return 0;
    case IN.TCP_CORK:
      tp.nonagle = val ? tp.nonagle | TCP_NAGLE_CORK : tp.nonagle & ~TCP_NAGLE_CORK;
      return 0;
    case IN.TCP_KEEPIDLE:
      if (val < 1 || val > MAX_TCP_KEEPIDLE) return -EINVAL;
      tp.keepalive_time = val;
      return 0;
    case IN.TCP_KEEPINTVL:
      if (val < 1 || val > MAX_TCP_KEEPINTVL) return -EINVAL;
      tp.keepalive_intvl = val;
      return 0;
    case IN.TCP_KEEPCNT:
      if (val < 1 || val > MAX_TCP_KEEPCNT) return -EINVAL;
      tp.keepalive_probes = val;
      return 0;
    case IN.TCP_SYNCNT:
      if (val < 1 || val > MAX_TCP_SYNCNT) return -EINVAL;
      icsk.icsk_syn_retries = val;
      return 0;
    case IN.TCP_LINGER2:
      // In jiffies; negative: no FIN_WAIT2 timeout at all; at most TCP_FIN_TIMEOUT_MAX.
      if (val < 0) tp.linger2 = -1;
      else tp.linger2 = val > TCP_FIN_TIMEOUT_MAX / 1000 ? TCP_FIN_TIMEOUT_MAX : val * 1000;
      return 0;
    case IN.TCP_DEFER_ACCEPT:
      // Deliberate limit: kept and read back, but ksock's loopback accept does not wait for data.
      tp.defer_accept = secs_to_retrans(val, TCP_TIMEOUT_INIT / 1000, TCP_RTO_MAX / 1000);
      return 0;
    case IN.TCP_WINDOW_CLAMP:
      return tcp_set_window_clamp(sk, val);
    case IN.TCP_QUICKACK:
      icsk.icsk_ack_pingpong = val ? 0 : 1;
      return 0;
    case IN.TCP_USER_TIMEOUT:
      if (val < 0) return -EINVAL;
      tp.user_timeout = val;
      return 0;
    case IN.TCP_THIN_LINEAR_TIMEOUTS:
      if (val < 0 || val > 1) return -EINVAL;
      tp.thin_lto = val;
      return 0;
    case IN.TCP_THIN_DUPACK:
      return val < 0 || val > 1 ? -EINVAL : 0;
    case IN.TCP_REPAIR:
      return tcp_sock_set_repair(sk, val);
    case IN.TCP_REPAIR_QUEUE:
      if (!tp.repair) return -EPERM;
      if (val >>> 0 >= IN.TCP_QUEUES_NR) return -EINVAL;
      tp.repair_queue = val;
      return 0;
    case IN.TCP_QUEUE_SEQ:
      return tcp_set_queue_seq(sk, val);
    case IN.TCP_REPAIR_OPTIONS:
      if (!tp.repair) return -EINVAL;
      // Linux also wants nothing sent yet (!bytes_sent): ksock keeps no such count (tcpi_bytes_sent is 0).
      if (sk.sk_state !== TCP_ESTABLISHED) return -EPERM;
      return tcp_repair_options_est(sk, optval);
    case IN.TCP_REPAIR_WINDOW:
      return tcp_repair_set_window(tp, optval);
    case IN.TCP_TIMESTAMP:
      if (!tp.repair) return -EPERM;
      // The value is opaque; its low bit chooses microsecond timestamps.
      tp.tcp_usec_ts = val & 1;
      tp.tsoffset = (val - tcp_clock_ts(tp.tcp_usec_ts)) >>> 0;
      return 0;
    case IN.TCP_SAVE_SYN:
      // 0: off, 1: from the IP header on, 2: from the link-layer header on (see TCP_SAVED_SYN).
      if (val < 0 || val > 2) return -EINVAL;
      tp.save_syn = val;
      return 0;
    case IN.TCP_MD5SIG:
    case IN.TCP_MD5SIG_EXT:
      return tcp_v4_parse_md5_keys(sk, optname, optval);
    case IN.TCP_FASTOPEN:
      return tcp_set_fastopen(sk, val);
    case IN.TCP_FASTOPEN_CONNECT:
      // Deliberate limit: no Fast Open cookie is ever cached on ksock's wire-less loopback, so connect()
      // goes on as without it, as Linux's does without a cookie (unless TCP_FASTOPEN_NO_COOKIE is set).
      if (val > 1 || val < 0) return -EINVAL;
      if ((sysctl_tcp_fastopen & TFO_CLIENT_ENABLE) === 0) return -EOPNOTSUPP;
      if (sk.sk_state !== TCP_CLOSE) return -EINVAL;
      tp.fastopen_connect = val;
      return 0;
    case IN.TCP_FASTOPEN_NO_COOKIE:
      if (val > 1 || val < 0) return -EINVAL;
      if (sk.sk_state !== TCP_CLOSE && sk.sk_state !== TCP_LISTEN) return -EINVAL;
      tp.fastopen_no_cookie = val;
      return 0;
    case IN.TCP_NOTSENT_LOWAT:
      tp.notsent_lowat = val >>> 0;
      sk.sk_write_space(sk);
      return 0;
    case IN.TCP_INQ:
      // Deliberate limit: kept and read back; ksock's recvmsg() does not add the TCP_CM_INQ message.
      if (val > 1 || val < 0) return -EINVAL;
      tp.recvmsg_inq = val;
      return 0;
    case IN.TCP_TX_DELAY:
      // srtt_us is a u32 shifted by 3. Deliberate limit: ksock measures no RTT, so an established flow's
      // RTT and pacing are not shifted by the change as tcp_enable_tx_delay() shifts them.
      if (val < 0 || val >= 1 << (31 - 3)) return -EINVAL;
      tp.xopt_w().tcp_tx_delay = val;
      return 0;
    case IN.TCP_RTO_MAX_MS:
      if (val < 1000 || val > TCP_RTO_MAX) return -EINVAL;
      icsk.icsk_rto_max = val;
      return 0;
    case IN.TCP_RTO_MIN_US: {
      const rto_min = usecs_to_jiffies(val);
      if (rto_min > TCP_RTO_MIN || rto_min < TCP_TIMEOUT_MIN) return -EINVAL;
      icsk.icsk_rto_min = rto_min;
      return 0;
    }
    case IN.TCP_DELACK_MAX_US: {
      const delack_max = usecs_to_jiffies(val);
      if (delack_max > TCP_DELACK_MAX || delack_max < TCP_TIMEOUT_MIN) return -EINVAL;
      icsk.icsk_delack_max = delack_max;
      return 0;
    }
    default:
      return -ENOPROTOOPT;
  }
}
