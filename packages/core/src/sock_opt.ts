import { call_ops, tracing } from './trace.js';
import { capable } from './cred.js';
import { dev_get_by_index, dev_get_by_name } from './dev.js';
import type { Sock } from './sock.js';
import {
  MAX_SCHEDULE_TIMEOUT,
  SOCK_BROADCAST,
  SOCK_DBG,
  SOCK_KEEPOPEN,
  SOCK_LINGER,
  SOCK_LOCALROUTE,
  SOCK_MIN_RCVBUF,
  SOCK_MIN_SNDBUF,
  SOCK_RCVBUF_LOCK,
  SOCK_RXQ_OVFL,
  SOCK_SNDBUF_LOCK,
  SOCK_URGINLINE,
  sock_flag,
  sock_set_flag,
  sock_reset_flag,
  sock_valbool_flag,
} from './sock.js';
import type { Socket } from './socket.js';
import { CAP_NET_ADMIN, CAP_NET_RAW } from './uapi/capability.js';
import {
  EACCES,
  EDOM,
  EINVAL,
  ENODATA,
  ENODEV,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
} from './uapi/errno.js';
import { IFNAMSIZ } from './uapi/if.js';
import * as S from './uapi/socket.js';
import { TCP_LISTEN } from './uapi/tcp_states.js';

/** SO_CNX_ADVICE (include/uapi/asm-generic/socket.h). */
const SO_CNX_ADVICE = 53;

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

/** Read the C int at the start of an option buffer (callers check the length first). */
export function read_int(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, true);
}

/** Mirrors sock_error(): the pending error, cleared by reading it. */
export function sock_error(sk: Sock): number {
  const err = sk.sk_err;
  sk.sk_err = 0;
  return -err;
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
    case S.SO_BSDCOMPAT:
    case SO_CNX_ADVICE:
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
    case S.SO_RCVLOWAT:
      sk.sk_rcvlowat = val < 0 ? 0x7fffffff : val === 0 ? 1 : val;
      return 0;
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
      return -ENOPROTOOPT;
  }
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
      v = int_bytes(0);
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
    case S.SO_TIMESTAMP:
    case S.SO_TIMESTAMPNS_OLD:
    case S.SO_TIMESTAMP_NEW:
    case S.SO_TIMESTAMPNS_NEW:
    case S.SO_WIFI_STATUS:
    case S.SO_NOFCS:
    case S.SO_LOCK_FILTER:
    case S.SO_SELECT_ERR_QUEUE:
    case S.SO_BUSY_POLL:
    case S.SO_INCOMING_NAPI_ID:
    case S.SO_ZEROCOPY:
    case S.SO_PREFER_BUSY_POLL:
    case S.SO_RESERVE_MEM:
    case S.SO_RCVMARK:
    case S.SO_PASSPIDFD:
    case S.SO_RCVPRIORITY:
      // Features ksock does not model (timestamps, busy polling, zerocopy…): never enabled, so 0.
      v = int_bytes(0);
      break;
    case S.SO_BINDTOIFINDEX:
      v = int_bytes(sk.sk_bound_dev_if);
      break;
    case S.SO_BUF_LOCK:
      v = int_bytes(sk.sk_userlocks & (SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK));
      break;
    case S.SO_TIMESTAMPING_OLD:
    case S.SO_TIMESTAMPING_NEW:
    case S.SO_TXTIME:
      // struct so_timestamping / struct sock_txtime: two zero words.
      v = new Uint8Array(8);
      break;
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
    case S.SO_MAX_PACING_RATE:
      // ~0UL: unlimited. Eight bytes when the caller offers room for an unsigned long.
      v = optlen >= 8 ? new Uint8Array(8).fill(0xff) : new Uint8Array(4).fill(0xff);
      break;
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
      // [uncertain] Linux answers only for TCP sockets; ksock's generic layer answers EOPNOTSUPP for all.
      return -EOPNOTSUPP;
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
    default:
      return -ENOPROTOOPT;
  }
  return optlen >= v.length ? v : v.slice(0, optlen);
}
