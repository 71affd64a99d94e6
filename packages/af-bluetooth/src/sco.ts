/**
 * SCO sockets, BTPROTO_SCO (net/bluetooth/sco.c): synchronous voice links. Modelled: create
 * (SOCK_SEQPACKET only), bind, listen, connect up to the route lookup (EHOSTUNREACH: there are no
 * controllers), getname and release.
 */
import type { Kernel } from '@ksock/core';
import {
  AF_BLUETOOTH,
  EADDRINUSE,
  EAGAIN,
  EBADFD,
  EHOSTUNREACH,
  EINVAL,
  ENOMEM,
  ESOCKTNOSUPPORT,
  SOCK_SEQPACKET,
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
} from './af_bluetooth.js';
import { bacmp, bacpy, SOCKADDR_SCO_SIZE } from './bdaddr.js';
import { BtSock, type BtSockList } from './bluetooth.js';
import { hci_get_route } from './hci_sock.js';
import {
  BDADDR_BREDR,
  BT_BOUND,
  BT_CLOSED,
  BT_LISTEN,
  BT_OPEN,
  BT_VOICE_CVSD_16BIT,
  BTPROTO_SCO,
  SCO_CONN_TIMEOUT,
} from './uapi/bluetooth.js';

/** struct sco_pinfo. */
export class ScoPinfo extends BtSock {
  src = new Uint8Array(6);
  dst = new Uint8Array(6);
  setting = BT_VOICE_CVSD_16BIT;
}

const states = perKernel<BtProtoState>();

/** The list /proc/net/sco prints (sco_sk_list). */
export function sco_sk_list(kernel: Kernel): BtSockList | null {
  return states.get(kernel)?.sk_list ?? null;
}

function sco_sock_destruct(sk: BtSock): void {
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_write_queue();
}

/** Mirrors sco_sock_create() → sco_sock_alloc(): SOCK_SEQPACKET only (ESOCKTNOSUPPORT otherwise). */
export let sco_sock_create = function sco_sock_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const st = states.get(net.kernel)!;
  sock.state = SS_UNCONNECTED;
  if (sock.type !== SOCK_SEQPACKET) return -ESOCKTNOSUPPORT;
  sock.ops = st.ops;
  const sk = bt_sock_alloc(net, sock, st.proto, protocol, kern) as ScoPinfo | null;
  if (sk === null) return -ENOMEM;
  sk.sk_destruct = sco_sock_destruct as (sk: unknown) => void;
  sk.sk_sndtimeo = SCO_CONN_TIMEOUT;
  sk.setting = BT_VOICE_CVSD_16BIT;
  bt_sock_link(st.sk_list, sk);
  return 0;
};
const fmt_sco_sock_create: Fmt<typeof sco_sock_create> = (_net, sock, protocol, kern) =>
  `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

function family_of(addr: Uint8Array): number {
  return (addr[0] ?? 0) | ((addr[1] ?? 0) << 8);
}

/** Mirrors sco_sock_bind(): EINVAL (length < 8, family), EBADFD unless BT_OPEN, EINVAL unless SEQPACKET. */
function sco_sock_bind(sock: Socket, addr: Uint8Array, addr_len: number): number {
  const sk = sock.sk as ScoPinfo;
  if (addr_len < SOCKADDR_SCO_SIZE || family_of(addr) !== AF_BLUETOOTH) return -EINVAL;
  if (sk.sk_state !== BT_OPEN) return -EBADFD;
  if (sk.sk_type !== SOCK_SEQPACKET) return -EINVAL;
  bacpy(sk.src, addr.subarray(2, 8));
  sk.sk_state = BT_BOUND;
  return 0;
}

/**
 * Mirrors sco_sock_connect() → sco_connect(): EINVAL, EBADFD unless OPEN/BOUND, EINVAL unless
 * SEQPACKET, then hci_get_route() finds no controller: EHOSTUNREACH.
 */
function sco_sock_connect(sock: Socket, addr: Uint8Array, alen: number, _flags: number): number {
  const sk = sock.sk as ScoPinfo;
  if (alen < SOCKADDR_SCO_SIZE || family_of(addr) !== AF_BLUETOOTH) return -EINVAL;
  if (sk.sk_state !== BT_OPEN && sk.sk_state !== BT_BOUND) return -EBADFD;
  if (sk.sk_type !== SOCK_SEQPACKET) return -EINVAL;
  bacpy(sk.dst, addr.subarray(2, 8));
  if (hci_get_route(sk.dst, sk.src, BDADDR_BREDR) === null) return -EHOSTUNREACH;
  return 0;
}

/** Mirrors sco_sock_listen(): EBADFD unless bound, EINVAL unless SEQPACKET, EADDRINUSE for a listener on src. */
function sco_sock_listen(sock: Socket, backlog: number): number {
  const sk = sock.sk as ScoPinfo;
  if (sk.sk_state !== BT_BOUND) return -EBADFD;
  if (sk.sk_type !== SOCK_SEQPACKET) return -EINVAL;
  const st = states.get(sk.sk_net.kernel)!;
  for (const o of st.sk_list.head) {
    if (o.sk_state === BT_LISTEN && bacmp((o as ScoPinfo).src, sk.src) === 0) return -EADDRINUSE;
  }
  sk.sk_max_ack_backlog = backlog;
  sk.sk_ack_backlog = 0;
  sk.sk_state = BT_LISTEN;
  return 0;
}

/** Mirrors sco_sock_accept(): EBADFD unless listening; nothing ever arrives (EAGAIN). */
function sco_sock_accept(sock: Socket, _newsock: Socket, _arg: ProtoAcceptArg): number {
  if (sock.sk!.sk_state !== BT_LISTEN) return -EBADFD;
  return -EAGAIN;
}

/** Mirrors sco_sock_getname(): family and the src (or dst) address, 8 bytes. */
function sco_sock_getname(sock: Socket, peer: boolean): Uint8Array | number {
  const sk = sock.sk as ScoPinfo;
  const sa = new Uint8Array(SOCKADDR_SCO_SIZE);
  new DataView(sa.buffer).setUint16(0, AF_BLUETOOTH, true);
  sa.set(peer ? sk.dst : sk.src, 2);
  return sa;
}

/** Mirrors sco_sock_shutdown() → __sco_sock_close() on a socket with no connection: closed, zapped. */
function sco_sock_shutdown(sock: Socket, _how: number): number {
  const sk = sock.sk;
  if (sk === null) return 0;
  if (sk.sk_shutdown === 0) {
    sk.sk_shutdown = SHUTDOWN_MASK;
    sk.sk_state = BT_CLOSED;
    sock_set_flag(sk, SOCK_ZAPPED);
  }
  return 0;
}

/** Mirrors sco_sock_release(): close, orphan, then sco_sock_kill() of the zapped orphan. */
export let sco_sock_release = function sco_sock_release(sock: Socket): number {
  const sk = sock.sk as ScoPinfo | null;
  if (sk === null) return 0;
  sco_sock_shutdown(sock, 2);
  sock_orphan(sk);
  if (sock_flag(sk, SOCK_ZAPPED) && sk.sk_socket === null) {
    const st = states.get(sk.sk_net.kernel);
    if (st !== undefined) bt_sock_unlink(st.sk_list, sk);
    sock_set_flag(sk, SOCK_DEAD);
    sock_put(sk);
  }
  return 0;
};

/** Mirrors sco_init(): proto_register(sco_proto), bt_sock_register(BTPROTO_SCO), /proc/net/sco. */
export function sco_init(kernel: Kernel, mod: Module): number {
  const proto: Proto = { name: 'SCO', owner: mod, obj_size: 864, sk_class: ScoPinfo };
  const ops: ProtoOps = {
    family: AF_BLUETOOTH,
    owner: mod,
    release: sco_sock_release,
    bind: sco_sock_bind,
    connect: sco_sock_connect,
    listen: sco_sock_listen,
    accept: sco_sock_accept,
    getname: sco_sock_getname,
    poll: bt_sock_poll,
    sendmsg: bt_sock_unconnected_sendmsg,
    recvmsg: bt_sock_unconnected_recvmsg,
    shutdown: sco_sock_shutdown,
    socketpair: sock_no_socketpair,
  };
  const family: NetProtoFamily = { family: AF_BLUETOOTH, owner: mod, create: sco_sock_create };
  return bt_proto_sock_init(
    kernel,
    states,
    BTPROTO_SCO,
    {
      proc: 'sco',
      failed: 'Bluetooth: SCO socket registration failed',
      initialized: 'Bluetooth: SCO socket layer initialized',
    },
    proto,
    ops,
    family,
  );
}

/** Mirrors sco_exit(). */
export function sco_exit(kernel: Kernel): void {
  bt_proto_sock_cleanup(kernel, states, BTPROTO_SCO);
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(sco_sock_create, 'sco_sock_create', fmt_sco_sock_create, (f) => {
  sco_sock_create = f;
});
tracepoint(sco_sock_release, 'sco_sock_release', undefined, (f) => {
  sco_sock_release = f;
});
