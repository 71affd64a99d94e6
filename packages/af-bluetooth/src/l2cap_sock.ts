/**
 * L2CAP sockets, BTPROTO_L2CAP (net/bluetooth/l2cap_sock.c, with the parts of l2cap_core.c a socket
 * without a controller reaches). The channel (struct l2cap_chan) is folded into the sock. Modelled:
 * create with Linux's type and CAP_NET_RAW checks, bind (PSM rules and dynamic PSM allocation),
 * connect up to the route lookup (EHOSTUNREACH: there are no controllers), listen, getname, release.
 * RFCOMM uses these kernel sockets for its sessions.
 */
import type { Kernel } from '@ksock/core';
import {
  AF_BLUETOOTH,
  CAP_NET_BIND_SERVICE,
  CAP_NET_RAW,
  EACCES,
  EADDRINUSE,
  EAGAIN,
  EBADFD,
  EHOSTUNREACH,
  EINVAL,
  EISCONN,
  ENOMEM,
  ENOTCONN,
  EPERM,
  ESOCKTNOSUPPORT,
  O_NONBLOCK,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SS_UNCONNECTED,
} from '@ksock/core';
import type {
  Module,
  Net,
  NetProtoFamily,
  Proto,
  ProtoAcceptArg,
  ProtoOps,
  Socket,
} from '@ksock/core/kernel';
import {
  capable,
  type Fmt,
  perKernel,
  SHUTDOWN_MASK,
  SOCK_DEAD,
  SOCK_ZAPPED,
  skb_queue_purge,
  sock_flag,
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
  bt_sock_unconnected_recvmsg,
  bt_sock_unconnected_sendmsg,
  bt_sock_unlink,
  bt_sock_wait_state,
} from './af_bluetooth.js';
import { BDADDR_ANY, ba2str, bacmp, bacpy, parse_sockaddr_l2, SOCKADDR_L2_SIZE } from './bdaddr.js';
import { BtSock, type BtSockList } from './bluetooth.js';
import { hci_get_route } from './hci_sock.js';
import {
  BDADDR_BREDR,
  BDADDR_LE_PUBLIC,
  BDADDR_LE_RANDOM,
  BT_BOUND,
  BT_CLOSED,
  BT_CONFIG,
  BT_CONNECT,
  BT_CONNECT2,
  BT_CONNECTED,
  BT_LISTEN,
  BT_OPEN,
  BT_SECURITY_LOW,
  BT_SECURITY_SDP,
  BTPROTO_L2CAP,
  L2CAP_CONN_TIMEOUT,
  L2CAP_DEFAULT_MTU,
  L2CAP_PSM_RFCOMM,
  L2CAP_PSM_SDP,
} from './uapi/bluetooth.js';

/** chan->chan_type. */
export const L2CAP_CHAN_RAW = 1;
export const L2CAP_CHAN_CONN_LESS = 2;
export const L2CAP_CHAN_CONN_ORIENTED = 3;
export const L2CAP_CHAN_FIXED = 4;

/** Dynamic PSMs for BR/EDR: odd values from 0x1001 (l2cap_add_psm()). */
export const L2CAP_PSM_DYN_START = 0x1001;
export const L2CAP_PSM_AUTO_END = 0x10ff;
/** LE dynamic PSMs (l2cap_validate_le_psm()). */
export const L2CAP_PSM_LE_DYN_START = 0x0080;
export const L2CAP_PSM_LE_DYN_END = 0x00ff;
/** The ATT fixed channel, the only CID user space may bind or connect on LE. */
export const L2CAP_CID_ATT = 0x0004;

/** Mirrors l2cap_validate_bredr_psm(): odd with the upper byte's lsb clear; well-known needs CAP_NET_BIND_SERVICE. */
function l2cap_validate_bredr_psm(psm: number): number {
  if ((psm & 0x0101) !== 0x0001) return -EINVAL;
  if (psm < L2CAP_PSM_DYN_START && !capable(CAP_NET_BIND_SERVICE)) return -EACCES;
  return 0;
}

/** Mirrors l2cap_validate_le_psm(): at most 0xff; below 0x80 needs CAP_NET_BIND_SERVICE. */
function l2cap_validate_le_psm(psm: number): number {
  if (psm > L2CAP_PSM_LE_DYN_END) return -EINVAL;
  if (psm < L2CAP_PSM_LE_DYN_START && !capable(CAP_NET_BIND_SERVICE)) return -EACCES;
  return 0;
}

/** struct l2cap_pinfo with its struct l2cap_chan folded in. */
export class L2capPinfo extends BtSock {
  chan_type = L2CAP_CHAN_CONN_ORIENTED;
  chan_state = BT_OPEN;
  src = new Uint8Array(6);
  src_type = BDADDR_BREDR;
  dst = new Uint8Array(6);
  dst_type = BDADDR_BREDR;
  psm = 0;
  sport = 0;
  scid = 0;
  dcid = 0;
  sec_level = BT_SECURITY_LOW;
  imtu = L2CAP_DEFAULT_MTU;
  omtu = 0;
}

const states = perKernel<BtProtoState>();

/** The list /proc/net/l2cap prints (l2cap_sk_list). */
export function l2cap_sk_list(kernel: Kernel): BtSockList | null {
  return states.get(kernel)?.sk_list ?? null;
}

/** Mirrors l2cap_sock_init() without a parent: the channel type follows the socket type. */
function l2cap_sock_init(sk: L2capPinfo): void {
  switch (sk.sk_type) {
    case SOCK_RAW:
      sk.chan_type = L2CAP_CHAN_RAW;
      break;
    case SOCK_DGRAM:
      sk.chan_type = L2CAP_CHAN_CONN_LESS;
      break;
    default:
      sk.chan_type = L2CAP_CHAN_CONN_ORIENTED;
      break;
  }
  sk.imtu = L2CAP_DEFAULT_MTU;
  sk.sec_level = BT_SECURITY_LOW;
}

function l2cap_sock_destruct(sk: BtSock): void {
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_write_queue();
}

/**
 * Mirrors l2cap_sock_create(): SEQPACKET, STREAM, DGRAM or RAW (ESOCKTNOSUPPORT otherwise); a user
 * SOCK_RAW needs CAP_NET_RAW (EPERM).
 */
export let l2cap_sock_create = function l2cap_sock_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const st = states.get(net.kernel)!;
  sock.state = SS_UNCONNECTED;
  const t = sock.type;
  if (t !== SOCK_SEQPACKET && t !== SOCK_STREAM && t !== SOCK_DGRAM && t !== SOCK_RAW)
    return -ESOCKTNOSUPPORT;
  if (t === SOCK_RAW && !kern && !capable(CAP_NET_RAW)) return -EPERM;
  sock.ops = st.ops;
  const sk = bt_sock_alloc(net, sock, st.proto, protocol, kern) as L2capPinfo | null;
  if (sk === null) return -ENOMEM;
  sk.sk_destruct = l2cap_sock_destruct as (sk: unknown) => void;
  sk.sk_sndtimeo = L2CAP_CONN_TIMEOUT;
  l2cap_sock_init(sk);
  bt_sock_link(st.sk_list, sk);
  return 0;
};
const fmt_l2cap_sock_create: Fmt<typeof l2cap_sock_create> = (_net, sock, protocol, kern) =>
  `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

function bdaddr_type_is_valid(type: number): boolean {
  return type >= BDADDR_BREDR && type <= BDADDR_LE_RANDOM;
}
function bdaddr_type_is_le(type: number): boolean {
  return type !== BDADDR_BREDR && bdaddr_type_is_valid(type);
}

/** __l2cap_global_chan_by_addr(): a channel bound to `psm` on exactly `src`. */
function global_chan_by_addr(st: BtProtoState, psm: number, src: Uint8Array, self: L2capPinfo): boolean {
  for (const s of st.sk_list.head) {
    const c = s as L2capPinfo;
    if (c !== self && c.sport === psm && bacmp(c.src, src) === 0) return true;
  }
  return false;
}

/** Mirrors l2cap_add_psm(): a given PSM must be free on the address; 0 picks the first free dynamic one. */
function l2cap_add_psm(st: BtProtoState, sk: L2capPinfo, src: Uint8Array, psm: number): number {
  if (psm !== 0) {
    if (global_chan_by_addr(st, psm, src, sk)) return -EADDRINUSE;
    sk.psm = sk.sport = psm;
    return 0;
  }
  // BR/EDR: odd values 0x1001..0x10ff; LE: 0x80..0xff.
  const le = bdaddr_type_is_le(sk.src_type);
  const start = le ? L2CAP_PSM_LE_DYN_START : L2CAP_PSM_DYN_START;
  const end = le ? L2CAP_PSM_LE_DYN_END : L2CAP_PSM_AUTO_END;
  const incr = le ? 1 : 2;
  for (let p = start; p <= end; p += incr) {
    if (!global_chan_by_addr(st, p, src, sk)) {
      sk.psm = sk.sport = p;
      return 0;
    }
  }
  return -EINVAL;
}

/**
 * Mirrors l2cap_sock_bind(): EINVAL for a bad address (family, cid together with psm, bdaddr type, an LE
 * cid other than ATT), EBADFD unless BT_OPEN, the PSM validated for the address type (EINVAL malformed,
 * EACCES well-known without CAP_NET_BIND_SERVICE), then the PSM (or a fixed cid) is taken (EADDRINUSE)
 * and the sock is BT_BOUND.
 */
export let l2cap_sock_bind = function l2cap_sock_bind(sock: Socket, addr: Uint8Array, alen: number): number {
  const sk = sock.sk as L2capPinfo;
  const st = states.get(sk.sk_net.kernel)!;
  if (alen < 2 || (addr[0]! | (addr[1]! << 8)) !== AF_BLUETOOTH) return -EINVAL;
  const la = parse_sockaddr_l2(addr.subarray(0, Math.min(alen, SOCKADDR_L2_SIZE)));
  if (la.l2_cid !== 0 && la.l2_psm !== 0) return -EINVAL;
  if (!bdaddr_type_is_valid(la.l2_bdaddr_type)) return -EINVAL;
  if (bdaddr_type_is_le(la.l2_bdaddr_type) && la.l2_cid !== 0 && la.l2_cid !== L2CAP_CID_ATT) return -EINVAL;
  if (sk.sk_state !== BT_OPEN) return -EBADFD;
  const psm = la.l2_psm;
  if (psm !== 0) {
    const err =
      la.l2_bdaddr_type === BDADDR_BREDR ? l2cap_validate_bredr_psm(psm) : l2cap_validate_le_psm(psm);
    if (err !== 0) return err;
  }
  bacpy(sk.src, la.l2_bdaddr);
  sk.src_type = la.l2_bdaddr_type;
  if (la.l2_cid !== 0) sk.scid = la.l2_cid;
  else {
    const err = l2cap_add_psm(st, sk, la.l2_bdaddr, psm);
    if (err < 0) return err;
  }
  if (sk.chan_type === L2CAP_CHAN_CONN_LESS) {
    if (psm === L2CAP_PSM_SDP) sk.sec_level = BT_SECURITY_SDP;
  } else if (sk.chan_type === L2CAP_CHAN_CONN_ORIENTED) {
    if (psm === L2CAP_PSM_SDP || psm === L2CAP_PSM_RFCOMM) sk.sec_level = BT_SECURITY_SDP;
  } else if (sk.chan_type === L2CAP_CHAN_RAW) {
    sk.sec_level = BT_SECURITY_SDP;
  }
  sk.chan_state = BT_BOUND;
  sk.sk_state = BT_BOUND;
  return 0;
};
const fmt_l2cap_sock_bind: Fmt<typeof l2cap_sock_bind> = (_sock, addr, alen) =>
  `${ba2str(parse_sockaddr_l2(addr).l2_bdaddr)}, psm=0x${parse_sockaddr_l2(addr).l2_psm.toString(16)}, alen=${alen}`;

/** Mirrors is_valid_psm(). */
function is_valid_psm(psm: number, dst_type: number): boolean {
  if (psm === 0) return false;
  if (bdaddr_type_is_le(dst_type)) return psm <= 0x00ff;
  return (psm & 0x0101) === 0x0001;
}

/**
 * Mirrors l2cap_chan_connect() up to the route lookup: PSM/cid validity (EINVAL), the channel state
 * (0 while already connecting, EISCONN, EBADFD), the destination recorded, then hci_get_route() — which
 * finds no controller in ksock: EHOSTUNREACH.
 */
export let l2cap_chan_connect = function l2cap_chan_connect(
  sk: L2capPinfo,
  psm: number,
  cid: number,
  dst: Uint8Array,
  dst_type: number,
): number {
  if (!is_valid_psm(psm, dst_type) && cid === 0 && sk.chan_type !== L2CAP_CHAN_RAW) return -EINVAL;
  if (sk.chan_type === L2CAP_CHAN_CONN_ORIENTED && psm === 0) return -EINVAL;
  if (sk.chan_type === L2CAP_CHAN_FIXED && cid === 0) return -EINVAL;
  switch (sk.chan_state) {
    case BT_CONNECT:
    case BT_CONNECT2:
    case BT_CONFIG:
      return 0;
    case BT_CONNECTED:
      return -EISCONN;
    case BT_OPEN:
    case BT_BOUND:
      break;
    default:
      return -EBADFD;
  }
  bacpy(sk.dst, dst);
  sk.dst_type = dst_type;
  sk.psm = psm;
  sk.dcid = cid;
  const hdev = hci_get_route(dst, sk.src, sk.src_type);
  if (hdev === null) return -EHOSTUNREACH;
  return 0;
};
const fmt_l2cap_chan_connect: Fmt<typeof l2cap_chan_connect> = (_sk, psm, cid) =>
  `psm=0x${psm.toString(16)}, cid=${cid}`;

/**
 * Mirrors l2cap_sock_connect(): EINVAL for a zapped (shut down) sock, a bad address, or a destination
 * whose address type conflicts with the bound source; then l2cap_chan_connect(), then the wait.
 */
export let l2cap_sock_connect = function l2cap_sock_connect(
  sock: Socket,
  addr: Uint8Array,
  alen: number,
  flags: number,
): number {
  const sk = sock.sk as L2capPinfo;
  if (sock_flag(sk, SOCK_ZAPPED)) return -EINVAL;
  if (alen < 2 || (addr[0]! | (addr[1]! << 8)) !== AF_BLUETOOTH) return -EINVAL;
  const la = parse_sockaddr_l2(addr.subarray(0, Math.min(alen, SOCKADDR_L2_SIZE)));
  if (la.l2_cid !== 0 && la.l2_psm !== 0) return -EINVAL;
  if (!bdaddr_type_is_valid(la.l2_bdaddr_type)) return -EINVAL;
  if (
    sk.src_type === BDADDR_BREDR &&
    bacmp(sk.src, BDADDR_ANY) !== 0 &&
    bdaddr_type_is_le(la.l2_bdaddr_type)
  ) {
    // Old user space binds ATT sockets as BR/EDR: accepted only for ATT to ATT.
    if (sk.scid !== L2CAP_CID_ATT || la.l2_cid !== L2CAP_CID_ATT) return -EINVAL;
    sk.src_type = BDADDR_LE_PUBLIC;
  }
  if (sk.src_type !== BDADDR_BREDR && la.l2_bdaddr_type === BDADDR_BREDR) return -EINVAL;
  if (bdaddr_type_is_le(la.l2_bdaddr_type) && la.l2_cid !== 0 && la.l2_cid !== L2CAP_CID_ATT) return -EINVAL;
  const err = l2cap_chan_connect(sk, la.l2_psm, la.l2_cid, la.l2_bdaddr, la.l2_bdaddr_type);
  if (err !== 0) return err;
  return bt_sock_wait_state(sk, BT_CONNECTED, flags & O_NONBLOCK ? 0 : sk.sk_sndtimeo);
};
const fmt_l2cap_sock_connect: Fmt<typeof l2cap_sock_connect> = (_sock, addr, alen, flags) =>
  `${ba2str(parse_sockaddr_l2(addr).l2_bdaddr)}, psm=0x${parse_sockaddr_l2(addr).l2_psm.toString(16)}, alen=${alen}, flags=0${flags.toString(8)}`;

/** Mirrors l2cap_sock_listen() (basic mode): EBADFD unless bound, EINVAL for a datagram or raw socket. */
function l2cap_sock_listen(sock: Socket, backlog: number): number {
  const sk = sock.sk as L2capPinfo;
  if (sk.sk_state !== BT_BOUND) return -EBADFD;
  if (sk.sk_type !== SOCK_SEQPACKET && sk.sk_type !== SOCK_STREAM) return -EINVAL;
  sk.sk_max_ack_backlog = backlog;
  sk.sk_ack_backlog = 0;
  sk.chan_state = BT_LISTEN;
  sk.sk_state = BT_LISTEN;
  return 0;
}

/** Mirrors l2cap_sock_accept(): nothing ever connects without a controller. */
function l2cap_sock_accept(sock: Socket, _newsock: Socket, arg: ProtoAcceptArg): number {
  const sk = sock.sk as L2capPinfo;
  if (sk.sk_state !== BT_LISTEN) return -EBADFD;
  if (arg.flags & O_NONBLOCK) return -EAGAIN;
  return -EAGAIN;
}

/** Mirrors l2cap_sock_getname(): ENOTCONN for the peer of an unconnected socket; 14 bytes otherwise. */
function l2cap_sock_getname(sock: Socket, peer: boolean): Uint8Array | number {
  const sk = sock.sk as L2capPinfo;
  const s = sk.sk_state;
  if (peer && s !== BT_CONNECTED && s !== BT_CONNECT && s !== BT_CONNECT2 && s !== BT_CONFIG)
    return -ENOTCONN;
  const la = new Uint8Array(SOCKADDR_L2_SIZE);
  const dv = new DataView(la.buffer);
  dv.setUint16(0, AF_BLUETOOTH, true);
  dv.setUint16(2, sk.psm, true);
  if (peer) {
    la.set(sk.dst, 4);
    dv.setUint16(10, sk.dcid, true);
    la[12] = sk.dst_type;
  } else {
    la.set(sk.src, 4);
    dv.setUint16(10, sk.scid, true);
    la[12] = sk.src_type;
  }
  return la;
}

/** Mirrors l2cap_sock_shutdown() on an unconnected channel: it is torn down (BT_CLOSED, zapped). */
function l2cap_sock_shutdown(sock: Socket, _how: number): number {
  const sk = sock.sk as L2capPinfo | null;
  if (sk === null) return 0;
  if (sk.sk_shutdown === 0) {
    sk.sk_shutdown = SHUTDOWN_MASK;
    sk.chan_state = BT_CLOSED;
    sk.sk_state = BT_CLOSED;
    sock_set_flag(sk, SOCK_ZAPPED);
  }
  return 0;
}

/** Mirrors l2cap_sock_kill(): only a zapped orphan dies. */
function l2cap_sock_kill(sk: L2capPinfo): void {
  if (!sock_flag(sk, SOCK_ZAPPED) || sk.sk_socket !== null) return;
  sock_set_flag(sk, SOCK_DEAD);
  sock_put(sk);
}

/** Mirrors l2cap_sock_release(): shutdown, unlink, orphan, kill. */
export let l2cap_sock_release = function l2cap_sock_release(sock: Socket): number {
  const sk = sock.sk as L2capPinfo | null;
  if (sk === null) return 0;
  const err = l2cap_sock_shutdown(sock, 2);
  const st = states.get(sk.sk_net.kernel);
  if (st !== undefined) bt_sock_unlink(st.sk_list, sk);
  sock_orphan(sk);
  l2cap_sock_kill(sk);
  return err;
};

/** Mirrors l2cap_init_sockets() (called from l2cap_init()). */
export function l2cap_init(kernel: Kernel, mod: Module): number {
  const proto: Proto = { name: 'L2CAP', owner: mod, obj_size: 848, sk_class: L2capPinfo };
  const ops: ProtoOps = {
    family: AF_BLUETOOTH,
    owner: mod,
    release: l2cap_sock_release,
    bind: l2cap_sock_bind,
    connect: l2cap_sock_connect,
    listen: l2cap_sock_listen,
    accept: l2cap_sock_accept,
    getname: l2cap_sock_getname,
    poll: bt_sock_poll,
    sendmsg: bt_sock_unconnected_sendmsg,
    recvmsg: bt_sock_unconnected_recvmsg,
    shutdown: l2cap_sock_shutdown,
    socketpair: sock_no_socketpair,
  };
  const family: NetProtoFamily = { family: AF_BLUETOOTH, owner: mod, create: l2cap_sock_create };
  return bt_proto_sock_init(
    kernel,
    states,
    BTPROTO_L2CAP,
    {
      proc: 'l2cap',
      failed: 'Bluetooth: L2CAP socket registration failed',
      initialized: 'Bluetooth: L2CAP socket layer initialized',
    },
    proto,
    ops,
    family,
  );
}

/** Mirrors l2cap_exit() → l2cap_cleanup_sockets(). */
export function l2cap_exit(kernel: Kernel): void {
  bt_proto_sock_cleanup(kernel, states, BTPROTO_L2CAP);
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(l2cap_sock_create, 'l2cap_sock_create', fmt_l2cap_sock_create, (f) => {
  l2cap_sock_create = f;
});
tracepoint(l2cap_sock_bind, 'l2cap_sock_bind', fmt_l2cap_sock_bind, (f) => {
  l2cap_sock_bind = f;
});
tracepoint(l2cap_chan_connect, 'l2cap_chan_connect', fmt_l2cap_chan_connect, (f) => {
  l2cap_chan_connect = f;
});
tracepoint(l2cap_sock_connect, 'l2cap_sock_connect', fmt_l2cap_sock_connect, (f) => {
  l2cap_sock_connect = f;
});
tracepoint(l2cap_sock_release, 'l2cap_sock_release', undefined, (f) => {
  l2cap_sock_release = f;
});
