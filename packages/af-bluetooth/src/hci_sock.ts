/**
 * HCI sockets, BTPROTO_HCI (net/bluetooth/hci_sock.c): raw access to controllers. ksock has no
 * controllers, so what is modelled is creation (SOCK_RAW only), binding to "no device", the refusals a
 * socket without a device gets, and release.
 */

import type { Kernel } from '@ksock/core';
import {
  AF_BLUETOOTH,
  CAP_NET_ADMIN,
  CAP_NET_RAW,
  EALREADY,
  EBADFD,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EPERM,
  ESOCKTNOSUPPORT,
  MSG_CMSG_COMPAT,
  MSG_DONTWAIT,
  MSG_ERRQUEUE,
  MSG_NOSIGNAL,
  MSG_OOB,
  SOCK_RAW,
  SS_UNCONNECTED,
} from '@ksock/core';
import type { Module, MsgHdr, Net, NetProtoFamily, Proto, ProtoOps, Socket } from '@ksock/core/kernel';
import {
  capable,
  datagram_poll,
  type Fmt,
  perKernel,
  skb_copy_datagram_msg,
  skb_free_datagram,
  skb_queue_purge,
  skb_recv_datagram,
  sock_no_accept,
  sock_no_connect,
  sock_no_listen,
  sock_no_shutdown,
  sock_no_socketpair,
  sock_orphan,
  sock_put,
  tracepoint,
} from '@ksock/core/kernel';
import {
  type BtProtoState,
  bt_proto_sock_cleanup,
  bt_proto_sock_init,
  bt_sock_alloc,
  bt_sock_link,
  bt_sock_unlink,
} from './af_bluetooth.js';
import { SOCKADDR_HCI_SIZE } from './bdaddr.js';
import { BtSock, type BtSockList } from './bluetooth.js';
import {
  BT_BOUND,
  BTPROTO_HCI,
  HCI_CHANNEL_CONTROL,
  HCI_CHANNEL_LOGGING,
  HCI_CHANNEL_MONITOR,
  HCI_CHANNEL_RAW,
  HCI_CHANNEL_USER,
  HCI_DEV_NONE,
} from './uapi/bluetooth.js';

/** HCI_MAX_FRAME_SIZE: the default mtu of an HCI socket. */
const HCI_MAX_FRAME_SIZE = 1028;

/** struct hci_pinfo. */
export class HciPinfo extends BtSock {
  /** The bound controller; always null in ksock (there are none). */
  hdev: null = null;
  channel = HCI_CHANNEL_RAW;
  /** 0 until bind() sets HCI_MAX_FRAME_SIZE; sendmsg() refuses every length before then. */
  mtu = 0;
}

const states = perKernel<BtProtoState>();

/** The list /proc/net/hci prints (hci_sk_list). */
export function hci_sk_list(kernel: Kernel): BtSockList | null {
  return states.get(kernel)?.sk_list ?? null;
}

function hci_sock_destruct(sk: BtSock): void {
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_write_queue();
}

/** Mirrors hci_sock_create(): SOCK_RAW only (ESOCKTNOSUPPORT otherwise); no capability is checked here. */
export let hci_sock_create = function hci_sock_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const st = states.get(net.kernel)!;
  if (sock.type !== SOCK_RAW) return -ESOCKTNOSUPPORT;
  sock.ops = st.ops;
  const sk = bt_sock_alloc(net, sock, st.proto, protocol, kern);
  if (sk === null) return -ENOMEM;
  sock.state = SS_UNCONNECTED;
  sk.sk_destruct = hci_sock_destruct as (sk: unknown) => void;
  bt_sock_link(st.sk_list, sk);
  return 0;
};
const fmt_hci_sock_create: Fmt<typeof hci_sock_create> = (_net, sock, protocol, kern) =>
  `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

/** Mirrors hci_sock_release() for a socket bound to no device. */
export let hci_sock_release = function hci_sock_release(sock: Socket): number {
  const sk = sock.sk as HciPinfo | null;
  if (sk === null) return 0;
  const st = states.get(sk.sk_net.kernel);
  if (st !== undefined) bt_sock_unlink(st.sk_list, sk);
  sock_orphan(sk);
  sock_put(sk);
  return 0;
};

/**
 * Mirrors hci_sock_bind() with no controllers registered: the RAW channel binds to HCI_DEV_NONE; any
 * device index is ENODEV; USER needs a device (EINVAL for none) and CAP_NET_ADMIN; MONITOR takes no
 * device and needs CAP_NET_RAW; LOGGING takes no device and needs CAP_NET_ADMIN; CONTROL (the management
 * channel bt_init() registers through mgmt_init()) takes no device and anyone; other channels EINVAL.
 */
export let hci_sock_bind = function hci_sock_bind(sock: Socket, addr: Uint8Array, addr_len: number): number {
  const sk = sock.sk as HciPinfo;
  const ha = new Uint8Array(SOCKADDR_HCI_SIZE);
  ha.set(addr.subarray(0, Math.min(SOCKADDR_HCI_SIZE, addr_len)));
  const dv = new DataView(ha.buffer);
  if (dv.getUint16(0, true) !== AF_BLUETOOTH) return -EINVAL;
  const dev = dv.getUint16(2, true);
  const channel = dv.getUint16(4, true);
  if (sk.sk_state === BT_BOUND) return -EALREADY;
  switch (channel) {
    case HCI_CHANNEL_RAW:
      if (sk.hdev !== null) return -EALREADY;
      if (dev !== HCI_DEV_NONE) return -ENODEV;
      break;
    case HCI_CHANNEL_USER:
      if (sk.hdev !== null) return -EALREADY;
      if (dev === HCI_DEV_NONE) return -EINVAL;
      if (!capable(CAP_NET_ADMIN)) return -EPERM;
      return -ENODEV;
    case HCI_CHANNEL_MONITOR:
      if (dev !== HCI_DEV_NONE) return -EINVAL;
      if (!capable(CAP_NET_RAW)) return -EPERM;
      break;
    case HCI_CHANNEL_LOGGING:
      if (dev !== HCI_DEV_NONE) return -EINVAL;
      if (!capable(CAP_NET_ADMIN)) return -EPERM;
      break;
    case HCI_CHANNEL_CONTROL:
      if (dev !== HCI_DEV_NONE) return -EINVAL;
      break;
    default:
      return -EINVAL;
  }
  sk.channel = channel;
  if (sk.mtu === 0) sk.mtu = HCI_MAX_FRAME_SIZE;
  sk.sk_state = BT_BOUND;
  return 0;
};
const fmt_hci_sock_bind: Fmt<typeof hci_sock_bind> = (_sock, _addr, addr_len) => `addr_len=${addr_len}`;

/** Mirrors hci_sock_getname(): peer is EOPNOTSUPP; without a device hci_hdev_from_sock() is EBADFD. */
function hci_sock_getname(_sock: Socket, peer: boolean): Uint8Array | number {
  if (peer) return -EOPNOTSUPP;
  return -EBADFD;
}

/**
 * Mirrors hci_get_route() (net/bluetooth/hci_core.c): the controller to reach `dst` from `src`. ksock
 * has no controllers, so there is never a route; callers turn that into EHOSTUNREACH as Linux does.
 */
export let hci_get_route = function hci_get_route(
  _dst: Readonly<Uint8Array>,
  _src: Readonly<Uint8Array>,
  _src_type: number,
): null {
  return null;
};

/** Mirrors hci_sock_sendmsg()'s checks; every channel but MONITOR/LOGGING then needs a device: EBADFD. */
function hci_sock_sendmsg(sock: Socket, msg: MsgHdr, len: number): number {
  const sk = sock.sk as HciPinfo;
  if (msg.msg_flags & MSG_OOB) return -EOPNOTSUPP;
  if (msg.msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_ERRQUEUE | MSG_CMSG_COMPAT)) return -EINVAL;
  if (len < 4 || len > sk.mtu) return -EINVAL;
  if (sk.channel === HCI_CHANNEL_MONITOR) return -EOPNOTSUPP;
  if (sk.channel === HCI_CHANNEL_LOGGING) return -EOPNOTSUPP;
  return -EBADFD;
}

/** Mirrors hci_sock_recvmsg(): nothing ever arrives without a controller (EAGAIN, or sleep). */
function hci_sock_recvmsg(sock: Socket, msg: MsgHdr, size: number, flags: number): number {
  const sk = sock.sk as HciPinfo;
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  if (sk.channel === HCI_CHANNEL_LOGGING) return -EOPNOTSUPP;
  const skb = skb_recv_datagram(sk, flags);
  if (typeof skb === 'number') return skb;
  const copied = Math.min(size, skb.len);
  skb_copy_datagram_msg(skb, 0, msg, copied, true);
  skb_free_datagram(sk, skb, 0);
  return copied;
}

/** Mirrors hci_sock_init(): proto_register(hci_sk_proto), bt_sock_register(BTPROTO_HCI), /proc/net/hci. */
export function hci_sock_init(kernel: Kernel, mod: Module): number {
  const proto: Proto = { name: 'HCI', owner: mod, obj_size: 888, sk_class: HciPinfo };
  const ops: ProtoOps = {
    family: AF_BLUETOOTH,
    owner: mod,
    release: hci_sock_release,
    bind: hci_sock_bind,
    getname: hci_sock_getname,
    poll: datagram_poll,
    sendmsg: hci_sock_sendmsg,
    recvmsg: hci_sock_recvmsg,
    connect: sock_no_connect,
    socketpair: sock_no_socketpair,
    accept: sock_no_accept,
    listen: sock_no_listen,
    shutdown: sock_no_shutdown,
  };
  const family: NetProtoFamily = { family: AF_BLUETOOTH, owner: mod, create: hci_sock_create };
  return bt_proto_sock_init(
    kernel,
    states,
    BTPROTO_HCI,
    {
      proc: 'hci',
      failed: 'Bluetooth: HCI socket registration failed',
      initialized: 'Bluetooth: HCI socket layer initialized',
    },
    proto,
    ops,
    family,
  );
}

/** Mirrors hci_sock_cleanup(). */
export function hci_sock_cleanup(kernel: Kernel): void {
  bt_proto_sock_cleanup(kernel, states, BTPROTO_HCI);
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(hci_sock_create, 'hci_sock_create', fmt_hci_sock_create, (f) => {
  hci_sock_create = f;
});
tracepoint(hci_sock_release, 'hci_sock_release', undefined, (f) => {
  hci_sock_release = f;
});
tracepoint(hci_sock_bind, 'hci_sock_bind', fmt_hci_sock_bind, (f) => {
  hci_sock_bind = f;
});
tracepoint(hci_get_route, 'hci_get_route', undefined, (f) => {
  hci_get_route = f;
});
