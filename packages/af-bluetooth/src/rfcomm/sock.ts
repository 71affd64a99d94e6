/**
 * RFCOMM sockets (net/bluetooth/rfcomm/sock.c): BTPROTO_RFCOMM registered by the `rfcomm` module.
 * Everything a socket can do without a controller is modelled as Linux does it: create, bind, listen,
 * getsockname, the SOL_RFCOMM / SOL_BLUETOOTH options, connect (which fails with EHOSTUNREACH in the
 * L2CAP route lookup and leaves the socket in BT_CONNECT), accept/send/recv refusals, shutdown, release,
 * and /proc/net/rfcomm.
 */
import type { Kernel } from '@ksock/core';
import {
  AF_BLUETOOTH,
  EADDRINUSE,
  EAGAIN,
  EBADFD,
  EFAULT,
  EINVAL,
  ENOMEM,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  ESOCKTNOSUPPORT,
  MSG_DONTWAIT,
  MSG_OOB,
  O_NONBLOCK,
  SOCK_RAW,
  SOCK_STREAM,
  SS_CONNECTED,
  SS_UNCONNECTED,
} from '@ksock/core';
import type {
  Module,
  MsgHdr,
  Net,
  NetProtoFamily,
  Proto,
  ProtoAcceptArg,
  ProtoOps,
  Socket,
} from '@ksock/core/kernel';
import {
  current,
  type Fmt,
  int_bytes,
  perKernel,
  RCV_SHUTDOWN,
  read_int,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  SOCK_DEAD,
  SOCK_LINGER,
  SOCK_ZAPPED,
  sk_free,
  skb_queue_purge,
  sock_error,
  sock_flag,
  sock_hold,
  sock_no_socketpair,
  sock_orphan,
  sock_put,
  sock_set_flag,
  tracepoint,
} from '@ksock/core/kernel';
import {
  type BtProtoState,
  bt_proto_sock_cleanup,
  bt_proto_sock_init,
  bt_sock_alloc,
  bt_sock_link,
  bt_sock_poll,
  bt_sock_unlink,
  bt_sock_wait_state,
} from '../af_bluetooth.js';
import { bacmp, bacpy, parse_sockaddr_rc, SOCKADDR_RC_SIZE } from '../bdaddr.js';
import { BtSock, type BtSockList } from '../bluetooth.js';
import {
  BT_BOUND,
  BT_CLOSED,
  BT_CONNECT,
  BT_CONNECT2,
  BT_CONNECTED,
  BT_DEFER_SETUP,
  BT_LISTEN,
  BT_OPEN,
  BT_SECURITY,
  BT_SECURITY_FIPS,
  BT_SECURITY_HIGH,
  BT_SECURITY_LOW,
  BT_SECURITY_MEDIUM,
  BT_SECURITY_SIZE,
  BT_SK_DEFER_SETUP,
  BTPROTO_RFCOMM,
  RFCOMM_CONN_TIMEOUT,
  RFCOMM_CONNINFO,
  RFCOMM_DEFAULT_MTU,
  RFCOMM_DEFER_SETUP,
  RFCOMM_LM,
  RFCOMM_LM_AUTH,
  RFCOMM_LM_ENCRYPT,
  RFCOMM_LM_FIPS,
  RFCOMM_LM_MASTER,
  RFCOMM_LM_SECURE,
  RFCOMM_MAX_CREDITS,
  SOL_BLUETOOTH,
  SOL_RFCOMM,
} from '../uapi/bluetooth.js';
import type { RfcommDlc } from './core.js';
import {
  rfcomm_dlc_alloc,
  rfcomm_dlc_close,
  rfcomm_dlc_is_active,
  rfcomm_dlc_open,
  rfcomm_dlc_put,
  rfcomm_dlc_send_ready,
} from './core.js';

/** sizeof(struct rfcomm_pinfo) on x86-64 (an estimate: struct bt_sock plus the RFCOMM fields). */
export const RFCOMM_PINFO_SIZE = 848;

/** struct rfcomm_pinfo: the RFCOMM sock. */
export class RfcommPinfo extends BtSock {
  dlc: RfcommDlc | null = null;
  src = new Uint8Array(6);
  dst = new Uint8Array(6);
  channel = 0;
  sec_level = BT_SECURITY_LOW;
  role_switch = 0;
}

/** Mirrors rfcomm_pi(). */
export function rfcomm_pi(sk: unknown): RfcommPinfo {
  return sk as RfcommPinfo;
}

const states = perKernel<BtProtoState>();

/** The list /proc/net/rfcomm prints (rfcomm_sk_list), newest first. */
export function rfcomm_sk_list(kernel: Kernel): BtSockList | null {
  return states.get(kernel)?.sk_list ?? null;
}

function test_bit(nr: number, flags: number): boolean {
  return (flags & (1 << nr)) !== 0;
}

/** Mirrors rfcomm_sk_data_ready(): a DLC delivers data to its sock (never reached without a controller). */
function rfcomm_sk_data_ready(_d: RfcommDlc, _skb: unknown): void {}

/** Mirrors rfcomm_sk_state_change(): the DLC's state (and error) becomes the sock's. */
function rfcomm_sk_state_change(d: RfcommDlc, err: number): void {
  const sk = d.owner as RfcommPinfo | null;
  if (sk === null) return;
  if (err) sk.sk_err = err;
  sk.sk_state = d.state;
  sk.sk_state_change(sk);
}

/**
 * Mirrors __rfcomm_get_listen_sock_by_addr(): a sock on `channel` bound to exactly `src` (BDADDR_ANY is
 * not a wildcard here) that is BT_BOUND or BT_LISTEN.
 */
function __rfcomm_get_listen_sock_by_addr(
  st: BtProtoState,
  channel: number,
  src: Uint8Array,
): RfcommPinfo | null {
  for (const s of st.sk_list.head) {
    const sk = s as RfcommPinfo;
    if (sk.channel !== channel) continue;
    if (bacmp(sk.src, src) !== 0) continue;
    if (sk.sk_state === BT_BOUND || sk.sk_state === BT_LISTEN) return sk;
  }
  return null;
}

/** Mirrors rfcomm_sock_destruct(): queues purged, the DLC detached from the sock and its reference dropped. */
function rfcomm_sock_destruct(sk: RfcommPinfo): void {
  const d = sk.dlc;
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_write_queue();
  if (d === null) return;
  sk.dlc = null;
  if (d.owner === sk) d.owner = null;
  rfcomm_dlc_put(sk.sk_net.kernel, d);
}

/** Mirrors rfcomm_sock_kill(): only a zapped orphan dies (unlinked, SOCK_DEAD, last reference put). */
function rfcomm_sock_kill(sk: RfcommPinfo): void {
  if (!sock_flag(sk, SOCK_ZAPPED) || sk.sk_socket !== null) return;
  const st = states.get(sk.sk_net.kernel);
  if (st !== undefined) bt_sock_unlink(st.sk_list, sk);
  sock_set_flag(sk, SOCK_DEAD);
  sock_put(sk);
}

/** Mirrors rfcomm_sock_cleanup_listen(): close children not yet accepted, then the listener is closed. */
function rfcomm_sock_cleanup_listen(parent: RfcommPinfo): void {
  while (parent.accept_q.length > 0) {
    const sk = parent.accept_q.shift() as RfcommPinfo;
    sk.parent = null;
    parent.sk_ack_backlog--;
    __rfcomm_sock_close(sk);
    rfcomm_sock_kill(sk);
    sock_put(sk);
  }
  parent.sk_state = BT_CLOSED;
  sock_set_flag(parent, SOCK_ZAPPED);
}

/** Mirrors __rfcomm_sock_close(). */
function __rfcomm_sock_close(sk: RfcommPinfo): void {
  const s = sk.sk_state;
  if (s === BT_LISTEN) {
    rfcomm_sock_cleanup_listen(sk);
    return;
  }
  if (rfcomm_dlc_is_active(s) && sk.dlc !== null) rfcomm_dlc_close(sk.sk_net.kernel, sk.dlc, 0);
  sock_set_flag(sk, SOCK_ZAPPED);
}

/**
 * Mirrors rfcomm_sock_init(): without a parent, no deferred setup, security LOW, no role switch; with
 * one (an incoming connection), the listener's type, defer setting, security and role switch. Both
 * copied to the DLC.
 */
export function rfcomm_sock_init(sk: RfcommPinfo, parent: RfcommPinfo | null): void {
  const d = sk.dlc!;
  if (parent !== null) {
    sk.sk_type = parent.sk_type;
    d.defer_setup = test_bit(BT_SK_DEFER_SETUP, parent.flags) ? 1 : 0;
    sk.sec_level = parent.sec_level;
    sk.role_switch = parent.role_switch;
  } else {
    d.defer_setup = 0;
    sk.sec_level = BT_SECURITY_LOW;
    sk.role_switch = 0;
  }
  d.sec_level = sk.sec_level;
  d.role_switch = sk.role_switch;
}

/**
 * Mirrors rfcomm_sock_alloc(): bt_sock_alloc() of an rfcomm_pinfo, then its DLC (on failure the sock is
 * freed again), the DLC callbacks and owner, the destructor, sk_sndtimeo 30 s, sk_sndbuf = sk_rcvbuf =
 * 40 credits × 127 bytes × 10 = 50800, and the sock at the head of rfcomm_sk_list.
 */
export let rfcomm_sock_alloc = function rfcomm_sock_alloc(
  net: Net,
  sock: Socket | null,
  proto: number,
  kern: boolean,
): RfcommPinfo | null {
  const st = states.get(net.kernel)!;
  const sk = bt_sock_alloc(net, sock, st.proto, proto, kern) as RfcommPinfo | null;
  if (sk === null) return null;
  const d = rfcomm_dlc_alloc(net.kernel);
  if (d === null) {
    // Linux frees the sock but leaves sock->sk pointing at it; ksock clears the link so that
    // __sock_create()'s error path cannot reach a freed sock.
    if (sock !== null) sock.sk = null;
    sk_free(sk);
    return null;
  }
  d.data_ready = rfcomm_sk_data_ready;
  d.state_change = rfcomm_sk_state_change;
  sk.dlc = d;
  d.owner = sk;
  sk.sk_destruct = rfcomm_sock_destruct as (sk: unknown) => void;
  sk.sk_sndtimeo = RFCOMM_CONN_TIMEOUT;
  sk.sk_sndbuf = RFCOMM_MAX_CREDITS * RFCOMM_DEFAULT_MTU * 10;
  sk.sk_rcvbuf = RFCOMM_MAX_CREDITS * RFCOMM_DEFAULT_MTU * 10;
  bt_sock_link(st.sk_list, sk);
  return sk;
};
const fmt_rfcomm_sock_alloc: Fmt<typeof rfcomm_sock_alloc> = (_net, _sock, proto, kern) =>
  `proto=${proto}, kern=${kern ? 1 : 0}`;

/**
 * Mirrors rfcomm_sock_create(): SS_UNCONNECTED; SOCK_STREAM or SOCK_RAW (ESOCKTNOSUPPORT otherwise — and
 * no capability check for SOCK_RAW: Linux makes none); the RFCOMM ops; rfcomm_sock_alloc() (ENOMEM);
 * rfcomm_sock_init() without a parent.
 */
export let rfcomm_sock_create = function rfcomm_sock_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const st = states.get(net.kernel)!;
  sock.state = SS_UNCONNECTED;
  if (sock.type !== SOCK_STREAM && sock.type !== SOCK_RAW) return -ESOCKTNOSUPPORT;
  sock.ops = st.ops;
  const sk = rfcomm_sock_alloc(net, sock, protocol, kern);
  if (sk === null) return -ENOMEM;
  rfcomm_sock_init(sk, null);
  return 0;
};
const fmt_rfcomm_sock_create: Fmt<typeof rfcomm_sock_create> = (_net, sock, protocol, kern) =>
  `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

/**
 * Mirrors rfcomm_sock_bind(): EINVAL for a length under 2 or a family other than AF_BLUETOOTH; the
 * address is zero-extended to a full sockaddr_rc; EBADFD unless BT_OPEN; EINVAL unless SOCK_STREAM;
 * EADDRINUSE when a BOUND/LISTEN sock has the same non-zero channel on exactly the same address. The
 * channel is not range-checked (any u8; 0 means "pick one at listen()").
 */
export let rfcomm_sock_bind = function rfcomm_sock_bind(
  sock: Socket,
  addr: Uint8Array,
  addr_len: number,
): number {
  const sk = sock.sk as RfcommPinfo;
  if (addr_len < 2 || (addr[0]! | (addr[1]! << 8)) !== AF_BLUETOOTH) return -EINVAL;
  const sa = parse_sockaddr_rc(addr.subarray(0, Math.min(addr_len, SOCKADDR_RC_SIZE)));
  if (sk.sk_state !== BT_OPEN) return -EBADFD;
  if (sk.sk_type !== SOCK_STREAM) return -EINVAL;
  const st = states.get(sk.sk_net.kernel)!;
  if (sa.rc_channel !== 0 && __rfcomm_get_listen_sock_by_addr(st, sa.rc_channel, sa.rc_bdaddr) !== null)
    return -EADDRINUSE;
  bacpy(sk.src, sa.rc_bdaddr);
  sk.channel = sa.rc_channel;
  sk.sk_state = BT_BOUND;
  return 0;
};
const fmt_rfcomm_sock_bind: Fmt<typeof rfcomm_sock_bind> = (_sock, _addr, addr_len) => `addr_len=${addr_len}`;

/**
 * Mirrors rfcomm_sock_connect(): EINVAL for a short address or wrong family, EBADFD unless OPEN/BOUND,
 * EINVAL unless SOCK_STREAM; then the sock is BT_CONNECT with the destination and channel recorded and
 * rfcomm_dlc_open() runs (EINVAL for a channel outside 1..30; without a controller the session's L2CAP
 * connect fails: EHOSTUNREACH). Like Linux, a failed connect leaves the sock in BT_CONNECT, so trying
 * again is EBADFD.
 */
export let rfcomm_sock_connect = function rfcomm_sock_connect(
  sock: Socket,
  addr: Uint8Array,
  alen: number,
  flags: number,
): number {
  const sk = sock.sk as RfcommPinfo;
  const d = sk.dlc!;
  if (alen < SOCKADDR_RC_SIZE || (addr[0]! | (addr[1]! << 8)) !== AF_BLUETOOTH) return -EINVAL;
  const sa = parse_sockaddr_rc(addr);
  sock_hold(sk);
  let err = 0;
  if (sk.sk_state !== BT_OPEN && sk.sk_state !== BT_BOUND) err = -EBADFD;
  else if (sk.sk_type !== SOCK_STREAM) err = -EINVAL;
  else {
    sk.sk_state = BT_CONNECT;
    bacpy(sk.dst, sa.rc_bdaddr);
    sk.channel = sa.rc_channel;
    d.sec_level = sk.sec_level;
    d.role_switch = sk.role_switch;
    err = rfcomm_dlc_open(sk.sk_net.kernel, d, sk.src, sa.rc_bdaddr, sa.rc_channel);
    if (err === 0 && !sock_flag(sk, SOCK_ZAPPED))
      err = bt_sock_wait_state(sk, BT_CONNECTED, flags & O_NONBLOCK ? 0 : sk.sk_sndtimeo);
  }
  sock_put(sk);
  return err;
};
const fmt_rfcomm_sock_connect: Fmt<typeof rfcomm_sock_connect> = (_sock, _addr, alen, flags) =>
  `alen=${alen}, flags=0${flags.toString(8)}`;

/**
 * Mirrors rfcomm_sock_listen(): EBADFD unless BT_BOUND, EINVAL unless SOCK_STREAM; a sock bound to
 * channel 0 gets the lowest channel 1..30 not BOUND/LISTEN on the same address (EINVAL when all are);
 * then BT_LISTEN with the (somaxconn-capped) backlog.
 */
export let rfcomm_sock_listen = function rfcomm_sock_listen(sock: Socket, backlog: number): number {
  const sk = sock.sk as RfcommPinfo;
  if (sk.sk_state !== BT_BOUND) return -EBADFD;
  if (sk.sk_type !== SOCK_STREAM) return -EINVAL;
  if (sk.channel === 0) {
    const st = states.get(sk.sk_net.kernel)!;
    let err = -EINVAL;
    for (let channel = 1; channel < 31; channel++) {
      if (__rfcomm_get_listen_sock_by_addr(st, channel, sk.src) === null) {
        sk.channel = channel;
        err = 0;
        break;
      }
    }
    if (err < 0) return err;
  }
  sk.sk_max_ack_backlog = backlog;
  sk.sk_ack_backlog = 0;
  sk.sk_state = BT_LISTEN;
  return 0;
};
const fmt_rfcomm_sock_listen: Fmt<typeof rfcomm_sock_listen> = (_sock, backlog) => `backlog=${backlog}`;

/**
 * Mirrors rfcomm_sock_accept(): EINVAL unless SOCK_STREAM; EBADFD unless listening; no connection ever
 * arrives without a controller, so EAGAIN for a non-blocking accept and a sleep on the socket otherwise.
 */
function rfcomm_sock_accept(sock: Socket, newsock: Socket, arg: ProtoAcceptArg): number {
  const sk = sock.sk as RfcommPinfo;
  if (sk.sk_type !== SOCK_STREAM) return -EINVAL;
  if (sk.sk_state !== BT_LISTEN) return -EBADFD;
  const child = sk.accept_q.length > 0 ? (sk.accept_q.shift() as RfcommPinfo) : null;
  if (child !== null) {
    child.parent = null;
    sk.sk_ack_backlog--;
    newsock.state = SS_CONNECTED;
    return 0;
  }
  if (!(arg.flags & O_NONBLOCK)) current().blocked_on = sock.wq;
  return -EAGAIN;
}

/**
 * Mirrors rfcomm_sock_getname(): the peer of a sock not CONNECTED/CONNECT/CONNECT2 is ENOTCONN; otherwise
 * the 10-byte sockaddr_rc with the local (or peer) address and the channel.
 */
export let rfcomm_sock_getname = function rfcomm_sock_getname(
  sock: Socket,
  peer: boolean,
): Uint8Array | number {
  const sk = sock.sk as RfcommPinfo;
  const s = sk.sk_state;
  if (peer && s !== BT_CONNECTED && s !== BT_CONNECT && s !== BT_CONNECT2) return -ENOTCONN;
  const sa = new Uint8Array(SOCKADDR_RC_SIZE);
  sa[0] = AF_BLUETOOTH;
  sa.set(peer ? sk.dst : sk.src, 2);
  sa[8] = sk.channel;
  return sa;
};

/**
 * Mirrors rfcomm_sock_sendmsg(): ENOTCONN while a deferred setup is pending, EOPNOTSUPP for MSG_OOB,
 * EPIPE after a send shutdown, a pending socket error, then rfcomm_dlc_send()'s ENOTCONN for a DLC that
 * is not connected (always, without a controller).
 */
function rfcomm_sock_sendmsg(sock: Socket, msg: MsgHdr, _len: number): number {
  const sk = sock.sk as RfcommPinfo;
  const d = sk.dlc!;
  if (test_bit(RFCOMM_DEFER_SETUP, d.flags)) return -ENOTCONN;
  if (msg.msg_flags & MSG_OOB) return -EOPNOTSUPP;
  if (sk.sk_shutdown & SEND_SHUTDOWN) return -EPIPE;
  const err = sock_error(sk);
  if (err !== 0) return err;
  if (!rfcomm_dlc_send_ready(d)) return -ENOTCONN;
  return -ENOTCONN;
}

/**
 * Mirrors rfcomm_sock_recvmsg() → bt_sock_stream_recvmsg() on a sock nothing can reach: EOPNOTSUPP for
 * MSG_OOB, a pending error, 0 after a receive shutdown, EAGAIN when non-blocking, a sleep otherwise.
 */
function rfcomm_sock_recvmsg(sock: Socket, _msg: MsgHdr, _size: number, flags: number): number {
  const sk = sock.sk as RfcommPinfo;
  const d = sk.dlc!;
  if (test_bit(RFCOMM_DEFER_SETUP, d.flags)) {
    d.flags &= ~(1 << RFCOMM_DEFER_SETUP);
    return 0;
  }
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  const err = sock_error(sk);
  if (err !== 0) return err;
  if (sk.sk_shutdown & RCV_SHUTDOWN) return 0;
  if (!(flags & MSG_DONTWAIT)) current().blocked_on = sock.wq;
  return -EAGAIN;
}

/**
 * Mirrors bt_copy_from_sockptr(): the option must be at least as long as the kernel's object (EINVAL
 * otherwise); the first `size` bytes are taken.
 */
function bt_copy_from_sockptr(size: number, optval: Uint8Array): Uint8Array | null {
  return optval.length < size ? null : optval.subarray(0, size);
}

/** Mirrors rfcomm_sock_setsockopt_old() (SOL_RFCOMM). A short RFCOMM_LM is EFAULT there, not EINVAL. */
function rfcomm_sock_setsockopt_old(sk: RfcommPinfo, optname: number, optval: Uint8Array): number {
  switch (optname) {
    case RFCOMM_LM: {
      const b = bt_copy_from_sockptr(4, optval);
      if (b === null) return -EFAULT;
      const opt = read_int(b) >>> 0;
      if (opt & RFCOMM_LM_FIPS) return -EINVAL;
      if (opt & RFCOMM_LM_AUTH) sk.sec_level = BT_SECURITY_LOW;
      if (opt & RFCOMM_LM_ENCRYPT) sk.sec_level = BT_SECURITY_MEDIUM;
      if (opt & RFCOMM_LM_SECURE) sk.sec_level = BT_SECURITY_HIGH;
      sk.role_switch = opt & RFCOMM_LM_MASTER;
      return 0;
    }
    default:
      return -ENOPROTOOPT;
  }
}

/**
 * Mirrors rfcomm_sock_setsockopt(): SOL_RFCOMM goes to the old interface; other levels but
 * SOL_BLUETOOTH are ENOPROTOOPT. BT_SECURITY: EINVAL unless SOCK_STREAM, EINVAL for fewer than 2 bytes
 * or a level above HIGH. BT_DEFER_SETUP: EINVAL unless BOUND or LISTEN, EINVAL for fewer than 4 bytes.
 */
export let rfcomm_sock_setsockopt = function rfcomm_sock_setsockopt(
  sock: Socket,
  level: number,
  optname: number,
  optval: Uint8Array,
): number {
  const sk = sock.sk as RfcommPinfo;
  if (level === SOL_RFCOMM) return rfcomm_sock_setsockopt_old(sk, optname, optval);
  if (level !== SOL_BLUETOOTH) return -ENOPROTOOPT;
  switch (optname) {
    case BT_SECURITY: {
      if (sk.sk_type !== SOCK_STREAM) return -EINVAL;
      const b = bt_copy_from_sockptr(BT_SECURITY_SIZE, optval);
      if (b === null) return -EINVAL;
      const sec_level = b[0]!;
      if (sec_level > BT_SECURITY_HIGH) return -EINVAL;
      sk.sec_level = sec_level;
      return 0;
    }
    case BT_DEFER_SETUP: {
      if (sk.sk_state !== BT_BOUND && sk.sk_state !== BT_LISTEN) return -EINVAL;
      const b = bt_copy_from_sockptr(4, optval);
      if (b === null) return -EINVAL;
      if (read_int(b) !== 0) sk.flags |= 1 << BT_SK_DEFER_SETUP;
      else sk.flags &= ~(1 << BT_SK_DEFER_SETUP);
      return 0;
    }
    default:
      return -ENOPROTOOPT;
  }
};
const fmt_rfcomm_sock_setsockopt: Fmt<typeof rfcomm_sock_setsockopt> = (_sock, level, optname, optval) =>
  `level=${level}, optname=${optname}, optlen=${optval.length}`;

/**
 * Mirrors rfcomm_sock_getsockopt_old() (SOL_RFCOMM): RFCOMM_LM as the AUTH/ENCRYPT/SECURE/FIPS bits of the
 * security level plus MASTER for a role switch (a 32-bit value); RFCOMM_CONNINFO needs a connection
 * (ENOTCONN).
 */
function rfcomm_sock_getsockopt_old(sk: RfcommPinfo, optname: number): Uint8Array | number {
  switch (optname) {
    case RFCOMM_LM: {
      let opt: number;
      switch (sk.sec_level) {
        case BT_SECURITY_LOW:
          opt = RFCOMM_LM_AUTH;
          break;
        case BT_SECURITY_MEDIUM:
          opt = RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT;
          break;
        case BT_SECURITY_HIGH:
          opt = RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT | RFCOMM_LM_SECURE;
          break;
        case BT_SECURITY_FIPS:
          opt = RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT | RFCOMM_LM_SECURE | RFCOMM_LM_FIPS;
          break;
        default:
          opt = 0;
      }
      if (sk.role_switch) opt |= RFCOMM_LM_MASTER;
      return int_bytes(opt);
    }
    case RFCOMM_CONNINFO:
      if (sk.sk_state !== BT_CONNECTED && !sk.dlc!.defer_setup) return -ENOTCONN;
      return -ENOTCONN;
    default:
      return -ENOPROTOOPT;
  }
}

/**
 * Mirrors rfcomm_sock_getsockopt(): SOL_RFCOMM to the old interface, other levels but SOL_BLUETOOTH
 * ENOPROTOOPT. BT_SECURITY (SOCK_STREAM only) is struct bt_security {level, key_size 0} cut to the length
 * asked for; BT_DEFER_SETUP (BOUND/LISTEN only) the flag as a 32-bit value.
 */
export let rfcomm_sock_getsockopt = function rfcomm_sock_getsockopt(
  sock: Socket,
  level: number,
  optname: number,
  optlen: number,
): Uint8Array | number {
  const sk = sock.sk as RfcommPinfo;
  if (level === SOL_RFCOMM) return rfcomm_sock_getsockopt_old(sk, optname);
  if (level !== SOL_BLUETOOTH) return -ENOPROTOOPT;
  switch (optname) {
    case BT_SECURITY: {
      if (sk.sk_type !== SOCK_STREAM) return -EINVAL;
      const len = Math.min(optlen >>> 0, BT_SECURITY_SIZE);
      return Uint8Array.of(sk.sec_level, 0).subarray(0, len);
    }
    case BT_DEFER_SETUP:
      if (sk.sk_state !== BT_BOUND && sk.sk_state !== BT_LISTEN) return -EINVAL;
      return int_bytes(test_bit(BT_SK_DEFER_SETUP, sk.flags) ? 1 : 0);
    default:
      return -ENOPROTOOPT;
  }
};
const fmt_rfcomm_sock_getsockopt: Fmt<typeof rfcomm_sock_getsockopt> = (_sock, level, optname, optlen) =>
  `level=${level}, optname=${optname}, optlen=${optlen}`;

/**
 * Mirrors rfcomm_sock_shutdown(): the first call marks both directions shut and closes the sock
 * (__rfcomm_sock_close); with SO_LINGER it then waits for BT_CLOSED. Later calls do nothing.
 */
export let rfcomm_sock_shutdown = function rfcomm_sock_shutdown(sock: Socket, _how: number): number {
  const sk = sock.sk as RfcommPinfo | null;
  if (sk === null) return 0;
  let err = 0;
  if (sk.sk_shutdown === 0) {
    sk.sk_shutdown = SHUTDOWN_MASK;
    __rfcomm_sock_close(sk);
    if (sock_flag(sk, SOCK_LINGER) && sk.sk_lingertime !== 0 && current().state === 'running')
      err = bt_sock_wait_state(sk, BT_CLOSED, sk.sk_lingertime);
  }
  return err;
};

/** Mirrors rfcomm_sock_release(): shutdown, orphan, kill. */
export let rfcomm_sock_release = function rfcomm_sock_release(sock: Socket): number {
  const sk = sock.sk as RfcommPinfo | null;
  if (sk === null) return 0;
  const err = rfcomm_sock_shutdown(sock, 2);
  sock_orphan(sk);
  rfcomm_sock_kill(sk);
  return err;
};

/**
 * Mirrors rfcomm_init_sockets(): proto_register(rfcomm_proto) (no slab), bt_sock_register(BTPROTO_RFCOMM)
 * ("RFCOMM socket layer registration failed" on error), /proc/net/rfcomm, "RFCOMM socket layer
 * initialized".
 */
export function rfcomm_init_sockets(kernel: Kernel, mod: Module): number {
  const proto: Proto = { name: 'RFCOMM', owner: mod, obj_size: RFCOMM_PINFO_SIZE, sk_class: RfcommPinfo };
  const ops: ProtoOps = {
    family: AF_BLUETOOTH,
    owner: mod,
    release: rfcomm_sock_release,
    bind: rfcomm_sock_bind,
    connect: rfcomm_sock_connect,
    listen: rfcomm_sock_listen,
    accept: rfcomm_sock_accept,
    getname: rfcomm_sock_getname,
    poll: bt_sock_poll,
    sendmsg: rfcomm_sock_sendmsg,
    recvmsg: rfcomm_sock_recvmsg,
    shutdown: rfcomm_sock_shutdown,
    setsockopt: rfcomm_sock_setsockopt,
    getsockopt: rfcomm_sock_getsockopt,
    socketpair: sock_no_socketpair,
  };
  const family: NetProtoFamily = { family: AF_BLUETOOTH, owner: mod, create: rfcomm_sock_create };
  return bt_proto_sock_init(
    kernel,
    states,
    BTPROTO_RFCOMM,
    {
      proc: 'rfcomm',
      failed: 'Bluetooth: RFCOMM socket layer registration failed',
      initialized: 'Bluetooth: RFCOMM socket layer initialized',
    },
    proto,
    ops,
    family,
  );
}

/** Mirrors rfcomm_cleanup_sockets(). */
export function rfcomm_cleanup_sockets(kernel: Kernel): void {
  bt_proto_sock_cleanup(kernel, states, BTPROTO_RFCOMM);
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(rfcomm_sock_alloc, 'rfcomm_sock_alloc', fmt_rfcomm_sock_alloc, (f) => {
  rfcomm_sock_alloc = f;
});
tracepoint(rfcomm_sock_create, 'rfcomm_sock_create', fmt_rfcomm_sock_create, (f) => {
  rfcomm_sock_create = f;
});
tracepoint(rfcomm_sock_bind, 'rfcomm_sock_bind', fmt_rfcomm_sock_bind, (f) => {
  rfcomm_sock_bind = f;
});
tracepoint(rfcomm_sock_connect, 'rfcomm_sock_connect', fmt_rfcomm_sock_connect, (f) => {
  rfcomm_sock_connect = f;
});
tracepoint(rfcomm_sock_listen, 'rfcomm_sock_listen', fmt_rfcomm_sock_listen, (f) => {
  rfcomm_sock_listen = f;
});
tracepoint(rfcomm_sock_getname, 'rfcomm_sock_getname', undefined, (f) => {
  rfcomm_sock_getname = f;
});
tracepoint(rfcomm_sock_setsockopt, 'rfcomm_sock_setsockopt', fmt_rfcomm_sock_setsockopt, (f) => {
  rfcomm_sock_setsockopt = f;
});
tracepoint(rfcomm_sock_getsockopt, 'rfcomm_sock_getsockopt', fmt_rfcomm_sock_getsockopt, (f) => {
  rfcomm_sock_getsockopt = f;
});
tracepoint(rfcomm_sock_shutdown, 'rfcomm_sock_shutdown', undefined, (f) => {
  rfcomm_sock_shutdown = f;
});
tracepoint(rfcomm_sock_release, 'rfcomm_sock_release', undefined, (f) => {
  rfcomm_sock_release = f;
});
