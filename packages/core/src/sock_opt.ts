/**
 * net/core/sock.c: the SOL_SOCKET options — sk_setsockopt() / sk_getsockopt() behind sock_setsockopt() and
 * sock_getsockopt() — and sock_error().
 */

import { capable } from './cred.js';
import { dev_get_by_index, dev_get_by_name } from './dev.js';
import { fcheck } from './file.js';
import { current } from './sched.js';
import type { Sock } from './sock.js';
import {
  MAX_SCHEDULE_TIMEOUT,
  SOCK_BROADCAST,
  SOCK_DBG,
  SOCK_FILTER_LOCKED,
  SOCK_KEEPOPEN,
  SOCK_LINGER,
  SOCK_LOCALROUTE,
  SOCK_MIN_RCVBUF,
  SOCK_MIN_SNDBUF,
  SOCK_NOFCS,
  SOCK_RCVBUF_LOCK,
  SOCK_RCVMARK,
  SOCK_RCVPRIORITY,
  SOCK_RCVTSTAMP,
  SOCK_RCVTSTAMPNS,
  SOCK_RXQ_OVFL,
  SOCK_SELECT_ERR_QUEUE,
  SOCK_SNDBUF_LOCK,
  SOCK_TIMESTAMPING_ANY,
  SOCK_TIMESTAMPING_RX_SOFTWARE,
  SOCK_TSTAMP_NEW,
  SOCK_TXTIME,
  SOCK_URGINLINE,
  SOCK_WIFI_STATUS,
  SOCK_ZEROCOPY,
  sock_error,
  sock_flag,
  sock_reset_flag,
  sock_set_flag,
  sock_valbool_flag,
} from './sock.js';
import type { Socket } from './socket.js';
import { call_ops, tracing } from './trace.js';
import { CAP_NET_ADMIN, CAP_NET_RAW } from './uapi/capability.js';
import {
  EACCES,
  EBADF,
  EDOM,
  EFAULT,
  EINVAL,
  ENODATA,
  ENODEV,
  ENOENT,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
} from './uapi/errno.js';
import { IFNAMSIZ } from './uapi/if.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './uapi/in.js';
import * as S from './uapi/socket.js';
import { TCP_CLOSE, TCP_LISTEN } from './uapi/tcp_states.js';

/** Mirrors sk_may_scm_recv(): families that pass credentials in control messages. */
function sk_may_scm_recv(sk: Sock): boolean {
  return sk.sk_family === S.AF_UNIX || sk.sk_family === S.AF_NETLINK || sk.sk_family === S.AF_BLUETOOTH;
}

/** The bytes of a C int as x86-64 stores it. */
export function int_bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** A boolean option's value: 1 or 0 as an int. */
function flag_bytes(on: boolean): Uint8Array {
  return int_bytes(on ? 1 : 0);
}

/** Read the C int at the start of an option buffer (callers check the length first). */
export function read_int(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, true);
}

/** Mirrors __sock_set_rcvbuf(): double the request (room for overhead), at least SOCK_MIN_RCVBUF. */
export function __sock_set_rcvbuf(sk: Sock, val: number): void {
  val = Math.min(val, 0x7fffffff >>> 1);
  sk.sk_userlocks |= SOCK_RCVBUF_LOCK;
  sk.sk_rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
}

function __sock_set_sndbuf(sk: Sock, val: number): void {
  val = Math.min(val, 0x7fffffff >>> 1);
  sk.sk_userlocks |= SOCK_SNDBUF_LOCK;
  sk.sk_sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
  sk.sk_write_space(sk);
}

/** sk_rcvtimeo/sk_sndtimeo are kept in milliseconds in ksock (jiffies in Linux). */
function sock_set_timeout(optval: Uint8Array): number {
  // struct __kernel_old_timeval on x86-64: two 64-bit longs.
  if (optval.length < 16) return -EINVAL;
  const dv = new DataView(optval.buffer, optval.byteOffset, 16);
  const sec = Number(dv.getBigInt64(0, true));
  const usec = Number(dv.getBigInt64(8, true));
  if (usec < 0 || usec >= 1000000) return -EDOM;
  if (sec < 0) return 0;
  if (sec === 0 && usec === 0) return MAX_SCHEDULE_TIMEOUT;
  const ms = sec * 1000 + Math.ceil(usec / 1000);
  return Math.min(ms, MAX_SCHEDULE_TIMEOUT);
}

function timeval_bytes(ms: number): Uint8Array {
  const b = new Uint8Array(16);
  if (ms !== MAX_SCHEDULE_TIMEOUT) {
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(Math.floor(ms / 1000)), true);
    dv.setBigInt64(8, BigInt((ms % 1000) * 1000), true);
  }
  return b;
}

/** Mirrors sk_is_inet(): only AF_INET and AF_INET6 sockets share ports (SO_REUSEPORT). */
function sk_is_inet(sk: Sock): boolean {
  return sk.sk_family === S.AF_INET || sk.sk_family === S.AF_INET6;
}

/**
 * Mirrors sock_bindtoindex_locked(): a socket already bound to a device moves (or unbinds) only with
 * CAP_NET_RAW; a negative index is EINVAL. The index is not looked up: a missing device shows when the
 * socket routes (ENODEV). ksock's port tables are not keyed by device, so there is nothing to rehash.
 */
function sock_bindtoindex_locked(sk: Sock, ifindex: number): number {
  if (sk.sk_bound_dev_if !== 0 && !capable(CAP_NET_RAW)) return -EPERM;
  if (ifindex < 0) return -EINVAL;
  sk.sk_bound_dev_if = ifindex;
  return 0;
}

/**
 * Mirrors sock_setbindtodevice(): the name is at most IFNAMSIZ - 1 bytes (longer input is cut) and ends
 * at its first NUL; an empty name (or optlen 0) unbinds; a name no device of the namespace has is ENODEV.
 */
function sock_setbindtodevice(sk: Sock, optval: Uint8Array): number {
  const bytes = optval.subarray(0, IFNAMSIZ - 1);
  const nul = bytes.indexOf(0);
  const devname = bytes.subarray(0, nul < 0 ? bytes.length : nul);
  let index = 0;
  if (devname.length > 0) {
    const dev = dev_get_by_name(sk.sk_net, new TextDecoder().decode(devname));
    if (dev === null) return -ENODEV;
    index = dev.ifindex;
  }
  return sock_bindtoindex_locked(sk, index);
}

/**
 * Mirrors sock_getbindtodevice(): no device bound answers zero bytes; otherwise the caller must offer
 * IFNAMSIZ bytes (EINVAL) and gets the name with its NUL, or ENODEV if that device is gone.
 */
function sock_getbindtodevice(sk: Sock, optlen: number): Uint8Array | number {
  const ifindex = sk.sk_bound_dev_if;
  if (ifindex === 0) return new Uint8Array(0);
  if (optlen < IFNAMSIZ) return -EINVAL;
  const dev = dev_get_by_index(sk.sk_net, ifindex);
  if (dev === null) return -ENODEV;
  const name = new TextEncoder().encode(dev.name);
  const v = new Uint8Array(name.length + 1);
  v.set(name);
  return v;
}

/**
 * Mirrors sk_setsockopt() (net/core/sock.c) for SOL_SOCKET: options shorter than an int are EINVAL,
 * unknown options ENOPROTOOPT, privileged ones EPERM without the capability.
 */
export function sock_setsockopt(sock: Socket, optname: number, optval: Uint8Array): number {
  const sk = sock.sk;
  if (sk === null) return -EINVAL;
  const kernel = sk.sk_net.kernel;
  // The one option without an int argument, handled before the length check.
  if (optname === S.SO_BINDTODEVICE) return sock_setbindtodevice(sk, optval);
  if (optval.length < 4) return -EINVAL;
  const val = read_int(optval);
  const valbool = val !== 0;
  switch (optname) {
    case S.SO_DEBUG:
      if (val && !capable(CAP_NET_ADMIN)) return -EACCES;
      sock_valbool_flag(sk, SOCK_DBG, valbool);
      return 0;
    case S.SO_REUSEADDR:
      sk.sk_reuse = valbool ? 1 : 0;
      return 0;
    case S.SO_REUSEPORT:
      // Port sharing exists only for inet sockets; turning it off is allowed everywhere.
      if (valbool && !sk_is_inet(sk)) return -EOPNOTSUPP;
      sk.sk_reuseport = valbool ? 1 : 0;
      return 0;
    case S.SO_BINDTOIFINDEX:
      return sock_bindtoindex_locked(sk, val);
    case S.SO_DONTROUTE:
      sock_valbool_flag(sk, SOCK_LOCALROUTE, valbool);
      return 0;
    case S.SO_BROADCAST:
      sock_valbool_flag(sk, SOCK_BROADCAST, valbool);
      return 0;
    case S.SO_SNDBUF:
      // min_t(u32, …): a negative request is huge and clamps to wmem_max.
      __sock_set_sndbuf(sk, Math.min(val >>> 0, kernel.sysctl_wmem_max));
      return 0;
    case S.SO_SNDBUFFORCE:
      if (!capable(CAP_NET_ADMIN)) return -EPERM;
      __sock_set_sndbuf(sk, Math.max(val, 0));
      return 0;
    case S.SO_RCVBUF:
      __sock_set_rcvbuf(sk, Math.min(val >>> 0, kernel.sysctl_rmem_max));
      return 0;
    case S.SO_RCVBUFFORCE:
      if (!capable(CAP_NET_ADMIN)) return -EPERM;
      __sock_set_rcvbuf(sk, Math.max(val, 0));
      return 0;
    case S.SO_KEEPALIVE:
      sock_valbool_flag(sk, SOCK_KEEPOPEN, valbool);
      return 0;
    case S.SO_OOBINLINE:
      sock_valbool_flag(sk, SOCK_URGINLINE, valbool);
      return 0;
    case S.SO_NO_CHECK:
      if (valbool || sk.opts !== null) sk.opts_w().sk_no_check_tx = valbool ? 1 : 0;
      return 0;
    case S.SO_BSDCOMPAT:
    case S.SO_CNX_ADVICE:
      // Accepted and ignored, as Linux does (SO_CNX_ADVICE would only drop a cached route).
      return 0;
    case S.SO_PRIORITY:
      if ((val >= 0 && val <= 6) || capable(CAP_NET_RAW) || capable(CAP_NET_ADMIN)) {
        sk.sk_priority = val;
        return 0;
      }
      return -EPERM;
    case S.SO_LINGER: {
      if (optval.length < 8) return -EINVAL;
      const dv = new DataView(optval.buffer, optval.byteOffset, 8);
      const onoff = dv.getInt32(0, true);
      const linger = dv.getInt32(4, true);
      if (!onoff) {
        sock_reset_flag(sk, SOCK_LINGER);
      } else {
        // l_linger is read as unsigned long: a negative value is huge and means "forever".
        const t_sec = linger < 0 ? Number.POSITIVE_INFINITY : linger;
        sk.sk_lingertime = t_sec >= LINGER_FOREVER / 1000 ? LINGER_FOREVER : t_sec * 1000;
        sock_set_flag(sk, SOCK_LINGER);
      }
      return 0;
    }
    case S.SO_PASSCRED:
    case S.SO_PASSSEC:
      // sk_may_scm_recv(): only families that deliver SCM credentials take these (Linux 6.16+).
      if (!sk_may_scm_recv(sk)) return -EOPNOTSUPP;
      if (optname === S.SO_PASSSEC) return 0;
      sock.flags = valbool ? sock.flags | (1 << S.SOCK_PASSCRED) : sock.flags & ~(1 << S.SOCK_PASSCRED);
      return 0;
    case S.SO_RCVLOWAT: {
      const v = val < 0 ? 0x7fffffff : val;
      const set = sock.ops?.set_rcvlowat;
      if (set !== undefined) return set(sk, v);
      sk.sk_rcvlowat = v === 0 ? 1 : v;
      return 0;
    }
    case S.SO_RCVTIMEO_OLD:
    case S.SO_SNDTIMEO_OLD:
    case S.SO_RCVTIMEO_NEW:
    case S.SO_SNDTIMEO_NEW: {
      // On x86-64 the old timeval and the new __kernel_sock_timeval have the same 16-byte layout.
      const t = sock_set_timeout(optval);
      if (t < 0) return t;
      if (optname === S.SO_RCVTIMEO_OLD || optname === S.SO_RCVTIMEO_NEW) sk.sk_rcvtimeo = t;
      else sk.sk_sndtimeo = t;
      return 0;
    }
    case S.SO_MARK:
      if (!capable(CAP_NET_RAW) && !capable(CAP_NET_ADMIN)) return -EPERM;
      sk.sk_mark = val >>> 0;
      return 0;
    case S.SO_RXQ_OVFL:
      sock_valbool_flag(sk, SOCK_RXQ_OVFL, valbool);
      return 0;
    case S.SO_PEEK_OFF: {
      // Only protocols with a set_peek_off op accept it (unix, udp, tcp); others answer EOPNOTSUPP.
      const set = sock.ops?.set_peek_off;
      return set === undefined ? -EOPNOTSUPP : set(sk, val);
    }
    case S.SO_INCOMING_CPU:
      sk.sk_incoming_cpu = val;
      return 0;
    default:
      return sock_setsockopt_more(sk, optname, optval, val);
  }
}

/** Transmit-time flags SO_TXTIME accepts (SOF_TXTIME_DEADLINE_MODE | SOF_TXTIME_REPORT_ERRORS). */
const SOF_TXTIME_FLAGS_MASK = 3;
/** Every SOF_TIMESTAMPING_* flag Linux 6.18 knows (up to SOF_TIMESTAMPING_TX_COMPLETION, bit 18). */
const SOF_TIMESTAMPING_MASK = 0x7ffff;
const SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
const SOF_TIMESTAMPING_OPT_ID = 1 << 7;
const SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
const SOF_TIMESTAMPING_OPT_STATS = 1 << 12;
const SOF_TIMESTAMPING_BIND_PHC = 1 << 15;
const SOF_TIMESTAMPING_OPT_ID_TCP = 1 << 16;
/** TSFLAGS_ANY: the flags that ask for any timestamp at all. */
const TSFLAGS_ANY = 0x7f | (1 << 18);
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_TAI = 11;

/** Mirrors sk_is_tcp(). */
function sk_is_tcp(sk: Sock): boolean {
  return sk_is_inet(sk) && sk.sk_type === S.SOCK_STREAM && sk.sk_protocol === IPPROTO_TCP;
}

/**
 * The rest of sk_setsockopt(): options for features ksock keeps as state without modelling their effect
 * (timestamps, busy polling, pacing, zerocopy, BPF programs it cannot run…), with Linux's checks.
 */
function sock_setsockopt_more(sk: Sock, optname: number, optval: Uint8Array, val: number): number {
  const valbool = val !== 0;
  switch (optname) {
    case S.SO_TIMESTAMP:
    case S.SO_TIMESTAMP_NEW:
    case S.SO_TIMESTAMPNS_OLD:
    case S.SO_TIMESTAMPNS_NEW:
      sock_set_timestamp(sk, optname, valbool);
      return 0;
    case S.SO_TIMESTAMPING_OLD:
    case S.SO_TIMESTAMPING_NEW:
      // struct so_timestamping { int flags; int bind_phc; } when given whole, else just the flags.
      return sock_set_timestamping(sk, optname, val, optval.length === 8 ? read_int(optval.subarray(4)) : 0);
    case S.SO_LOCK_FILTER:
      if (sock_flag(sk, SOCK_FILTER_LOCKED) && !valbool) return -EPERM;
      sock_valbool_flag(sk, SOCK_FILTER_LOCKED, valbool);
      return 0;
    case S.SO_ATTACH_FILTER:
    case S.SO_ATTACH_REUSEPORT_CBPF:
      return sk_attach_filter(sk, optval);
    case S.SO_ATTACH_BPF:
    case S.SO_ATTACH_REUSEPORT_EBPF:
      if (optval.length !== 4) return -EINVAL;
      return sk_attach_bpf(sk, val >>> 0);
    case S.SO_DETACH_FILTER:
      // sk_detach_filter(): a locked filter stays; ksock never has one attached.
      return sock_flag(sk, SOCK_FILTER_LOCKED) ? -EPERM : -ENOENT;
    case S.SO_DETACH_REUSEPORT_BPF:
      // reuseport_detach_prog(): ksock keeps no reuseport groups (sk_reuseport_cb).
      return sk.sk_reuseport !== 0 ? -ENOENT : -EINVAL;
    case S.SO_BUSY_POLL:
      if (val < 0) return -EINVAL;
      sk.opts_w().sk_ll_usec = val;
      return 0;
    case S.SO_PREFER_BUSY_POLL:
      if (valbool && !capable(CAP_NET_ADMIN)) return -EPERM;
      sk.opts_w().sk_prefer_busy_poll = valbool ? 1 : 0;
      return 0;
    case S.SO_BUSY_POLL_BUDGET: {
      const budget = sk.opts?.sk_busy_poll_budget ?? 0;
      if (val > budget && !capable(CAP_NET_ADMIN)) return -EPERM;
      if (val < 0 || val > 0xffff) return -EINVAL;
      sk.opts_w().sk_busy_poll_budget = val;
      return 0;
    }
    case S.SO_MAX_PACING_RATE: {
      // An unsigned long when 8 bytes are given (x86-64), else the int as unsigned, ~0U meaning ~0UL.
      let rate = val === -1 ? -1 : val >>> 0;
      if (optval.length >= 8) {
        const v = new DataView(optval.buffer, optval.byteOffset, 8).getBigUint64(0, true);
        rate = v === 0xffffffffffffffffn ? -1 : Number(v);
      }
      sk.opts_w().sk_max_pacing_rate = rate;
      return 0;
    }
    case S.SO_ZEROCOPY:
      // TCP and UDP only among inet sockets (RDS too, which ksock lacks).
      if (
        !(sk_is_tcp(sk) || (sk_is_inet(sk) && sk.sk_type === S.SOCK_DGRAM && sk.sk_protocol === IPPROTO_UDP))
      )
        return -EOPNOTSUPP;
      if (val < 0 || val > 1) return -EINVAL;
      sock_valbool_flag(sk, SOCK_ZEROCOPY, valbool);
      return 0;
    case S.SO_TXTIME:
      return sock_set_txtime(sk, optval);
    case S.SO_BUF_LOCK:
      if ((val & ~(SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK)) !== 0) return -EINVAL;
      sk.sk_userlocks = val | (sk.sk_userlocks & ~(SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK));
      return 0;
    case S.SO_RESERVE_MEM:
      // sock_reserve_memory() needs a memory cgroup charging the socket; ksock has none.
      return val < 0 ? -EINVAL : -EOPNOTSUPP;
    case S.SO_TXREHASH:
      if (!sk_is_tcp(sk)) return -EOPNOTSUPP;
      if (val < -1 || val > 1) return -EINVAL;
      // -1 (SOCK_TXREHASH_DEFAULT) takes net.core.txrehash, which ksock fixes at its default (enabled).
      sk.opts_w().sk_txrehash = val === -1 ? 1 : val;
      return 0;
    case S.SO_PASSPIDFD:
      if (sk.sk_family !== S.AF_UNIX) return -EOPNOTSUPP;
      if (valbool || sk.opts !== null) sk.opts_w().sk_scm_pidfd = valbool ? 1 : 0;
      return 0;
    case S.SO_PASSRIGHTS:
      if (sk.sk_family !== S.AF_UNIX) return -EOPNOTSUPP;
      if (!valbool || sk.opts !== null) sk.opts_w().sk_scm_rights = valbool ? 1 : 0;
      return 0;
    case S.SO_DEVMEM_DONTNEED:
      // sock_devmem_dontneed(): TCP only; whole struct dmabuf_token (8 bytes) entries, at most 128.
      if (!sk_is_tcp(sk)) return -EBADF;
      if (optval.length % 8 !== 0 || optval.length > 128 * 8) return -EINVAL;
      return 0;
    default: {
      const flag = SOCK_FLAG_OPTS[optname];
      if (flag === undefined) return -ENOPROTOOPT;
      sock_valbool_flag(sk, flag, valbool);
      return 0;
    }
  }
}

/** The options that only set or clear one socket flag, and read it back as 0 or 1. */
const SOCK_FLAG_OPTS: Readonly<Record<number, number>> = {
  [S.SO_WIFI_STATUS]: SOCK_WIFI_STATUS,
  [S.SO_NOFCS]: SOCK_NOFCS,
  [S.SO_SELECT_ERR_QUEUE]: SOCK_SELECT_ERR_QUEUE,
  [S.SO_RCVMARK]: SOCK_RCVMARK,
  [S.SO_RCVPRIORITY]: SOCK_RCVPRIORITY,
};

/** Mirrors sock_set_timestamp(): which of the four options was used decides the new/old format. */
function sock_set_timestamp(sk: Sock, optname: number, valbool: boolean): void {
  sock_valbool_flag(sk, SOCK_TSTAMP_NEW, optname === S.SO_TIMESTAMP_NEW || optname === S.SO_TIMESTAMPNS_NEW);
  if (valbool) {
    sock_valbool_flag(
      sk,
      SOCK_RCVTSTAMPNS,
      optname === S.SO_TIMESTAMPNS_OLD || optname === S.SO_TIMESTAMPNS_NEW,
    );
    sock_valbool_flag(sk, SOCK_RCVTSTAMP, true);
  } else {
    sock_valbool_flag(sk, SOCK_RCVTSTAMP, false);
    sock_valbool_flag(sk, SOCK_RCVTSTAMPNS, false);
  }
}

/**
 * Mirrors sock_set_timestamping(): unknown flags, OPT_ID_TCP without OPT_ID, OPT_STATS without
 * OPT_TSONLY are EINVAL; OPT_ID on a TCP socket that is closed or listening is EINVAL; BIND_PHC needs a
 * PTP clock of the bound device, which no ksock device has (EOPNOTSUPP).
 */
function sock_set_timestamping(sk: Sock, optname: number, flags: number, _bind_phc: number): number {
  if ((flags & ~SOF_TIMESTAMPING_MASK) !== 0) return -EINVAL;
  if ((flags & SOF_TIMESTAMPING_OPT_ID_TCP) !== 0 && (flags & SOF_TIMESTAMPING_OPT_ID) === 0) return -EINVAL;
  const tsflags = sk.opts?.sk_tsflags ?? 0;
  if ((flags & SOF_TIMESTAMPING_OPT_ID) !== 0 && (tsflags & SOF_TIMESTAMPING_OPT_ID) === 0 && sk_is_tcp(sk)) {
    if (sk.sk_state === TCP_CLOSE || sk.sk_state === TCP_LISTEN) return -EINVAL;
  }
  if ((flags & SOF_TIMESTAMPING_OPT_STATS) !== 0 && (flags & SOF_TIMESTAMPING_OPT_TSONLY) === 0)
    return -EINVAL;
  if ((flags & SOF_TIMESTAMPING_BIND_PHC) !== 0) return -EOPNOTSUPP;
  if (flags !== 0 || sk.opts !== null) sk.opts_w().sk_tsflags = flags;
  sock_valbool_flag(sk, SOCK_TSTAMP_NEW, optname === S.SO_TIMESTAMPING_NEW);
  sock_valbool_flag(sk, SOCK_TIMESTAMPING_ANY, (flags & TSFLAGS_ANY) !== 0);
  sock_valbool_flag(sk, SOCK_TIMESTAMPING_RX_SOFTWARE, (flags & SOF_TIMESTAMPING_RX_SOFTWARE) !== 0);
  return 0;
}

/**
 * Mirrors SO_TXTIME's checks: a whole struct sock_txtime (8 bytes), known flags, a clock other than
 * CLOCK_MONOTONIC only with CAP_NET_ADMIN, and then only CLOCK_REALTIME or CLOCK_TAI.
 */
function sock_set_txtime(sk: Sock, optval: Uint8Array): number {
  if (optval.length !== 8) return -EINVAL;
  const clockid = read_int(optval);
  const flags = read_int(optval.subarray(4));
  if ((flags & ~SOF_TXTIME_FLAGS_MASK) !== 0) return -EINVAL;
  if (clockid !== CLOCK_MONOTONIC && !capable(CAP_NET_ADMIN)) return -EPERM;
  if (clockid !== CLOCK_REALTIME && clockid !== CLOCK_MONOTONIC && clockid !== CLOCK_TAI) return -EINVAL;
  sock_valbool_flag(sk, SOCK_TXTIME, true);
  const o = sk.opts_w();
  o.sk_clockid = clockid;
  o.sk_txtime_deadline_mode = flags & 1;
  o.sk_txtime_report_errors = (flags >> 1) & 1;
  return 0;
}

/**
 * Mirrors copy_bpf_fprog_from_user() and sk_attach_filter()'s checks for a classic BPF program: a whole
 * struct sock_fprog (16 bytes: a length, then a pointer), a filter lock (EPERM), a null pointer or a length
 * of 0 or over BPF_MAXINSNS (EINVAL). ksock has no user memory to read the instructions from: a program
 * that passes those checks is a bad address (EFAULT). A deliberate limit: no socket filters run.
 */
function sk_attach_filter(sk: Sock, optval: Uint8Array): number {
  if (optval.length !== 16) return -EINVAL;
  if (sock_flag(sk, SOCK_FILTER_LOCKED)) return -EPERM;
  const dv = new DataView(optval.buffer, optval.byteOffset, 16);
  const len = dv.getUint16(0, true);
  const filter = dv.getBigUint64(8, true);
  if (filter === 0n || len === 0 || len > 4096) return -EINVAL;
  return -EFAULT;
}

/**
 * Mirrors sk_attach_bpf() / sk_reuseport_attach_bpf() up to bpf_prog_get_type(): a locked filter is
 * EPERM, a descriptor the task lacks EBADF, and any file it has is not a BPF program (EINVAL): ksock has
 * no bpf(2).
 */
function sk_attach_bpf(sk: Sock, ufd: number): number {
  if (sock_flag(sk, SOCK_FILTER_LOCKED)) return -EPERM;
  if (ufd > 0x7fffffff || fcheck(current().files, ufd) === null) return -EBADF;
  return -EINVAL;
}

/**
 * sk_lingertime of a socket that lingers forever (MAX_SCHEDULE_TIMEOUT in Linux). Separate from the
 * timeout sentinel because any l_linger below LONG_MAX / HZ is kept as given and read back as given.
 */
const LINGER_FOREVER = Number.MAX_SAFE_INTEGER;

/** SO_LINGER reads back sk_lingertime / HZ as an int; "forever" is LONG_MAX / HZ cut to 32 bits. */
function linger_seconds(ms: number): number {
  if (ms !== LINGER_FOREVER) return Math.floor(ms / 1000);
  return Number(BigInt.asIntN(32, 0x7fffffffffffffffn / 1000n));
}

/**
 * Mirrors sk_getsockopt() for SOL_SOCKET: a negative length is EINVAL; the value is cut to the length
 * asked for, and that length is what comes back.
 */
export function sock_getsockopt(sock: Socket, optname: number, optlen: number): Uint8Array | number {
  const sk = sock.sk;
  if (optlen < 0) return -EINVAL;
  if (sk === null) return -EINVAL;
  let v: Uint8Array;
  switch (optname) {
    case S.SO_DEBUG:
      v = int_bytes(sock_flag(sk, SOCK_DBG) ? 1 : 0);
      break;
    case S.SO_DONTROUTE:
      v = int_bytes(sock_flag(sk, SOCK_LOCALROUTE) ? 1 : 0);
      break;
    case S.SO_BROADCAST:
      v = int_bytes(sock_flag(sk, SOCK_BROADCAST) ? 1 : 0);
      break;
    case S.SO_SNDBUF:
      v = int_bytes(sk.sk_sndbuf);
      break;
    case S.SO_RCVBUF:
      v = int_bytes(sk.sk_rcvbuf);
      break;
    case S.SO_REUSEADDR:
      v = int_bytes(sk.sk_reuse);
      break;
    case S.SO_REUSEPORT:
      v = int_bytes(sk.sk_reuseport);
      break;
    case S.SO_KEEPALIVE:
      v = int_bytes(sock_flag(sk, SOCK_KEEPOPEN) ? 1 : 0);
      break;
    case S.SO_TYPE:
      v = int_bytes(sk.sk_type);
      break;
    case S.SO_PROTOCOL:
      v = int_bytes(sk.sk_protocol);
      break;
    case S.SO_DOMAIN:
      v = int_bytes(sk.sk_family);
      break;
    case S.SO_ERROR:
      v = int_bytes(-sock_error(sk));
      break;
    case S.SO_OOBINLINE:
      v = int_bytes(sock_flag(sk, SOCK_URGINLINE) ? 1 : 0);
      break;
    case S.SO_NO_CHECK:
      v = int_bytes(sk.opts?.sk_no_check_tx ?? 0);
      break;
    case S.SO_PRIORITY:
      v = int_bytes(sk.sk_priority);
      break;
    case S.SO_LINGER: {
      v = new Uint8Array(8);
      const dv = new DataView(v.buffer);
      dv.setInt32(0, sock_flag(sk, SOCK_LINGER) ? 1 : 0, true);
      dv.setInt32(4, linger_seconds(sk.sk_lingertime), true);
      break;
    }
    case S.SO_PASSCRED:
      if (!sk_may_scm_recv(sk)) return -EOPNOTSUPP;
      v = int_bytes((sock.flags >> S.SOCK_PASSCRED) & 1);
      break;
    case S.SO_PASSSEC:
      if (!sk_may_scm_recv(sk)) return -EOPNOTSUPP;
      v = int_bytes(0);
      break;
    case S.SO_RCVLOWAT:
      v = int_bytes(sk.sk_rcvlowat);
      break;
    case S.SO_SNDLOWAT:
      v = int_bytes(1);
      break;
    case S.SO_RCVTIMEO_OLD:
    case S.SO_RCVTIMEO_NEW:
      v = timeval_bytes(sk.sk_rcvtimeo);
      break;
    case S.SO_SNDTIMEO_OLD:
    case S.SO_SNDTIMEO_NEW:
      v = timeval_bytes(sk.sk_sndtimeo);
      break;
    case S.SO_ACCEPTCONN:
      v = int_bytes(sk.sk_state === TCP_LISTEN ? 1 : 0);
      break;
    case S.SO_MARK:
      v = int_bytes(sk.sk_mark);
      break;
    case S.SO_RXQ_OVFL:
      v = int_bytes(sock_flag(sk, SOCK_RXQ_OVFL) ? 1 : 0);
      break;
    case S.SO_PEEK_OFF:
      if (sock.ops?.set_peek_off === undefined) return -EOPNOTSUPP;
      v = int_bytes(sk.sk_peek_off);
      break;
    case S.SO_BSDCOMPAT:
    case S.SO_INCOMING_NAPI_ID:
    case S.SO_RESERVE_MEM:
      // No NAPI, no reserved memory (there are no memory cgroups): always 0.
      v = int_bytes(0);
      break;
    case S.SO_TIMESTAMP:
      v = flag_bytes(
        sock_flag(sk, SOCK_RCVTSTAMP) && !sock_flag(sk, SOCK_TSTAMP_NEW) && !sock_flag(sk, SOCK_RCVTSTAMPNS),
      );
      break;
    case S.SO_TIMESTAMPNS_OLD:
      v = flag_bytes(sock_flag(sk, SOCK_RCVTSTAMPNS) && !sock_flag(sk, SOCK_TSTAMP_NEW));
      break;
    case S.SO_TIMESTAMP_NEW:
      v = flag_bytes(sock_flag(sk, SOCK_RCVTSTAMP) && sock_flag(sk, SOCK_TSTAMP_NEW));
      break;
    case S.SO_TIMESTAMPNS_NEW:
      v = flag_bytes(sock_flag(sk, SOCK_RCVTSTAMPNS) && sock_flag(sk, SOCK_TSTAMP_NEW));
      break;
    case S.SO_LOCK_FILTER:
      v = flag_bytes(sock_flag(sk, SOCK_FILTER_LOCKED));
      break;
    case S.SO_ZEROCOPY:
      v = flag_bytes(sock_flag(sk, SOCK_ZEROCOPY));
      break;
    case S.SO_BUSY_POLL:
      v = int_bytes(sk.opts?.sk_ll_usec ?? 0);
      break;
    case S.SO_PREFER_BUSY_POLL:
      v = int_bytes(sk.opts?.sk_prefer_busy_poll ?? 0);
      break;
    case S.SO_PASSPIDFD:
      if (sk.sk_family !== S.AF_UNIX) return -EOPNOTSUPP;
      v = int_bytes(sk.opts?.sk_scm_pidfd ?? 0);
      break;
    case S.SO_PASSRIGHTS:
      if (sk.sk_family !== S.AF_UNIX) return -EOPNOTSUPP;
      v = int_bytes(sk.opts?.sk_scm_rights ?? 1);
      break;
    case S.SO_BINDTOIFINDEX:
      v = int_bytes(sk.sk_bound_dev_if);
      break;
    case S.SO_BUF_LOCK:
      v = int_bytes(sk.sk_userlocks & (SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK));
      break;
    case S.SO_TIMESTAMPING_OLD:
    case S.SO_TIMESTAMPING_NEW: {
      // struct so_timestamping: the flags, and the PHC index (never bound in ksock).
      v = new Uint8Array(8);
      new DataView(v.buffer).setInt32(0, sk.opts?.sk_tsflags ?? 0, true);
      break;
    }
    case S.SO_TXTIME: {
      // struct sock_txtime: the clock and the two flags.
      v = new Uint8Array(8);
      const o = sk.opts;
      if (o !== null) {
        const dv = new DataView(v.buffer);
        dv.setInt32(0, o.sk_clockid, true);
        dv.setUint32(4, o.sk_txtime_deadline_mode | (o.sk_txtime_report_errors << 1), true);
      }
      break;
    }
    case S.SO_BINDTODEVICE:
      return sock_getbindtodevice(sk, optlen);
    case S.SO_GET_FILTER:
      // No filter attached: a zero-length answer.
      v = new Uint8Array(0);
      break;
    case S.SO_PEERCRED: {
      // cred_to_ucred(): the peer's pid, uid and gid; without a peer, pid 0 and uid/gid -1.
      v = new Uint8Array(12);
      const dv = new DataView(v.buffer);
      const cred = sk.sk_peer_cred;
      dv.setInt32(0, sk.sk_peer_pid, true);
      dv.setInt32(4, cred === null ? -1 : cred.euid, true);
      dv.setInt32(8, cred === null ? -1 : cred.egid, true);
      break;
    }
    case S.SO_PEERNAME: {
      const peer =
        sock.ops === null
          ? -ENOTCONN
          : tracing
            ? call_ops(sock.ops.getname, 'ops->getname', sock, true)
            : sock.ops.getname(sock, true);
      if (typeof peer === 'number') return -ENOTCONN;
      // Linux copies exactly the length asked for, so asking for more than the address is EINVAL.
      if (peer.length < optlen) return -EINVAL;
      v = peer;
      break;
    }
    case S.SO_PEERGROUPS:
    case S.SO_PEERPIDFD:
      return -ENODATA;
    case S.SO_MAX_PACING_RATE: {
      // An unsigned long when the caller offers room for one, else capped at ~0U; -1 stands for ~0UL.
      const rate = sk.opts?.sk_max_pacing_rate ?? -1;
      if (optlen >= 8) {
        v = new Uint8Array(8);
        new DataView(v.buffer).setBigUint64(0, rate === -1 ? 0xffffffffffffffffn : BigInt(rate), true);
      } else {
        v = new Uint8Array(4);
        new DataView(v.buffer).setUint32(0, rate === -1 || rate > 0xffffffff ? 0xffffffff : rate, true);
      }
      break;
    }
    case S.SO_BPF_EXTENSIONS:
      v = int_bytes(64); // SKF_AD_MAX
      break;
    case S.SO_MEMINFO: {
      // sk_get_meminfo(): rmem_alloc, rcvbuf, wmem_alloc (without its bias), sndbuf, then counters ksock keeps at 0.
      v = new Uint8Array(36);
      const dv = new DataView(v.buffer);
      dv.setUint32(0, sk.sk_rmem_alloc, true);
      dv.setUint32(4, sk.sk_rcvbuf, true);
      dv.setUint32(8, Math.max(0, sk.sk_wmem_alloc - 1), true);
      dv.setUint32(12, sk.sk_sndbuf, true);
      dv.setUint32(32, sk.sk_drops, true);
      break;
    }
    case S.SO_NETNS_COOKIE: {
      if (optlen !== 8) return -EINVAL;
      v = new Uint8Array(8);
      // ksock uses the namespace inode number as its cookie (Linux: a generated net_cookie).
      new DataView(v.buffer).setBigUint64(0, BigInt(sk.sk_net.inum), true);
      break;
    }
    case S.SO_TXREHASH:
      if (!sk_is_tcp(sk)) return -EOPNOTSUPP;
      v = int_bytes(sk.opts?.sk_txrehash ?? 1);
      break;
    case S.SO_INCOMING_CPU:
      v = int_bytes(sk.sk_incoming_cpu);
      break;
    case S.SO_COOKIE: {
      if (optlen < 8) return -EINVAL;
      if (sk.sk_cookie === 0) sk.sk_cookie = ++sk.sk_net.kernel.sock_cookie_gen;
      v = new Uint8Array(8);
      new DataView(v.buffer).setBigUint64(0, BigInt(sk.sk_cookie), true);
      break;
    }
    default: {
      const flag = SOCK_FLAG_OPTS[optname];
      if (flag === undefined) return -ENOPROTOOPT;
      v = flag_bytes(sock_flag(sk, flag));
    }
  }
  return optlen >= v.length ? v : v.slice(0, optlen);
}
