/**
 * PF_BLUETOOTH: the address family and its protocol table (net/bluetooth/af_bluetooth.c).
 *
 * The family is the loadable module `bluetooth` (alias net-pf-31). Its bt_sock_create() dispatches on
 * the protocol number to bt_proto[], a second-level table that protocol modules fill with
 * bt_sock_register(), autoloading "bt-proto-N" and pinning the protocol's module around its create the
 * way __sock_create() does one level up. L2CAP, HCI and SCO are built into bluetooth.ko and register at
 * init; RFCOMM is its own module.
 */

import type { Kernel } from '@ksock/core';
import {
  EAFNOSUPPORT,
  EAGAIN,
  EEXIST,
  EINPROGRESS,
  EINVAL,
  ENOENT,
  ENOTCONN,
  EOPNOTSUPP,
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
  EPROTONOSUPPORT,
  MSG_OOB,
  PF_BLUETOOTH,
} from '@ksock/core';
import type {
  Module,
  MsgHdr,
  Net,
  NetProtoFamily,
  PerKernel,
  Proto,
  ProtoOps,
  Socket,
} from '@ksock/core/kernel';
import {
  call_ops,
  current,
  defineModule,
  type File,
  type Fmt,
  module_put,
  type PollTable,
  perKernel,
  proto_register,
  proto_unregister,
  RCV_SHUTDOWN,
  request_module,
  SHUTDOWN_MASK,
  SOCK_SELECT_ERR_QUEUE,
  SOCK_ZAPPED,
  type Sock,
  sk_alloc,
  sock_error,
  sock_flag,
  sock_init_data,
  sock_poll_wait,
  sock_register,
  sock_reset_flag,
  sock_unregister,
  sock_writeable,
  tracepoint,
  tracing,
  try_module_get,
  Unwind,
} from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import type { BtSock } from './bluetooth.js';
import { BtSockList, bt_sk } from './bluetooth.js';
import { hci_sock_cleanup, hci_sock_init } from './hci_sock.js';
import { l2cap_exit, l2cap_init } from './l2cap_sock.js';
import { sco_exit, sco_init } from './sco.js';
import {
  BT_CLOSED,
  BT_CONFIG,
  BT_CONNECT,
  BT_CONNECT2,
  BT_CONNECTED,
  BT_LISTEN,
  BT_MAX_PROTO,
  BT_OPEN,
  BT_SK_DEFER_SETUP,
  BT_SK_SUSPEND,
} from './uapi/bluetooth.js';

/**
 * BT_SUBSYS_VERSION.BT_SUBSYS_REVISION as bt_init() prints it ("Bluetooth: Core ver 2.22") and
 * MODULE_DESCRIPTION names it. Linux's MODULE_VERSION; the module's `version` is the package's.
 */
export const BT_CORE_VERSION = '2.22';

interface BtState {
  mod: Module;
  /** bt_proto[BT_MAX_PROTO]. */
  bt_proto: Array<NetProtoFamily | null>;
  family: NetProtoFamily;
}

const states = perKernel<BtState>();

/** The `bluetooth` module instance loaded in `kernel` (THIS_MODULE of bluetooth.ko), or null. */
export function bt_module(kernel: Kernel): Module | null {
  return states.get(kernel)?.mod ?? null;
}

/** The protocol registered in bt_proto[proto], or null (out of range, empty, or bluetooth not loaded). */
export function bt_proto_get(kernel: Kernel, proto: number): NetProtoFamily | null {
  const st = states.get(kernel);
  if (st === undefined || !(proto >= 0 && proto < BT_MAX_PROTO)) return null;
  return st.bt_proto[proto] ?? null;
}

/**
 * Mirrors bt_sock_register(): EINVAL for a protocol outside 0..BT_MAX_PROTO-1, EEXIST when the slot is
 * taken. In Linux a module calling it cannot load before bluetooth (it uses the exported symbol); here
 * a caller whose kernel has no bluetooth loaded gets ENOENT, what an unresolved symbol would cost it.
 */
export function bt_sock_register(kernel: Kernel, proto: number, ops: NetProtoFamily): number {
  if (proto < 0 || proto >= BT_MAX_PROTO) return -EINVAL;
  const st = states.get(kernel);
  if (st === undefined) return -ENOENT;
  if (st.bt_proto[proto] !== null) return -EEXIST;
  st.bt_proto[proto] = ops;
  return 0;
}

/** Mirrors bt_sock_unregister(): out of range is silently ignored; the slot is cleared. */
export function bt_sock_unregister(kernel: Kernel, proto: number): void {
  if (proto < 0 || proto >= BT_MAX_PROTO) return;
  const st = states.get(kernel);
  if (st !== undefined) st.bt_proto[proto] = null;
}

/**
 * Mirrors bt_sock_reclassify_lock(): gives the new sock's lock a per-protocol lockdep class. ksock has
 * no lockdep; the call is kept so the trace shows where Linux makes it (only after a successful create).
 */
export let bt_sock_reclassify_lock = function bt_sock_reclassify_lock(
  _sk: BtSock | null,
  _proto: number,
): void {};
const fmt_bt_sock_reclassify_lock: Fmt<typeof bt_sock_reclassify_lock> = (_sk, proto) => `proto=${proto}`;

/**
 * Mirrors bt_sock_create(), net_proto_family.create of PF_BLUETOOTH: EAFNOSUPPORT outside the initial
 * namespace, EINVAL for a protocol out of range (not EPROTONOSUPPORT), request_module("bt-proto-%d")
 * when the slot is empty, EPROTONOSUPPORT when it still is or its module is going away; the protocol's
 * module reference is held exactly for the duration of its create().
 */
export let bt_sock_create = function bt_sock_create(
  net: Net,
  sock: Socket,
  proto: number,
  kern: boolean,
): number {
  const kernel = net.kernel;
  if (net !== kernel.init_net) return -EAFNOSUPPORT;
  if (proto < 0 || proto >= BT_MAX_PROTO) return -EINVAL;
  const st = states.get(kernel);
  if (st === undefined) return -EPROTONOSUPPORT;
  if (st.bt_proto[proto] === null) request_module(kernel, `bt-proto-${proto}`);
  let err = -EPROTONOSUPPORT;
  const p = st.bt_proto[proto] ?? null;
  if (p !== null && try_module_get(p.owner)) {
    err = tracing
      ? call_ops(p.create, 'bt_proto->create', net, sock, proto, kern)
      : p.create(net, sock, proto, kern);
    if (err === 0) bt_sock_reclassify_lock(sock.sk as BtSock | null, proto);
    module_put(p.owner);
  }
  return err;
};
const fmt_bt_sock_create: Fmt<typeof bt_sock_create> = (_net, _sock, proto, kern) =>
  `proto=${proto}, kern=${kern ? 1 : 0}`;

/**
 * Mirrors bt_sock_alloc(): sk_alloc() of the protocol's sock, sock_init_data(), an empty accept queue,
 * SOCK_ZAPPED cleared, sk_protocol = proto, sk_state = BT_OPEN, and for user sockets the creator's pid
 * and credentials as the peer information. Null when sk_alloc() fails.
 */
export let bt_sock_alloc = function bt_sock_alloc(
  net: Net,
  sock: Socket | null,
  prot: Proto,
  proto: number,
  kern: boolean,
): BtSock | null {
  const sk = sk_alloc(net, PF_BLUETOOTH, prot, kern) as BtSock | null;
  if (sk === null) return null;
  sock_init_data(sock, sk);
  sk.accept_q.length = 0;
  sock_reset_flag(sk, SOCK_ZAPPED);
  sk.sk_protocol = proto;
  sk.sk_state = BT_OPEN;
  if (!kern) {
    const task = current();
    sk.sk_peer_pid = task.pid;
    sk.sk_peer_cred = task.cred;
  }
  return sk;
};
const fmt_bt_sock_alloc: Fmt<typeof bt_sock_alloc> = (_net, _sock, prot, proto, kern) =>
  `prot=${prot.name}, proto=${proto}, kern=${kern ? 1 : 0}`;

/** Mirrors bt_sock_link(): add at the head of the protocol's list. */
export function bt_sock_link(l: BtSockList, sk: BtSock): void {
  l.head.unshift(sk);
}

/** Mirrors bt_sock_unlink(). */
export function bt_sock_unlink(l: BtSockList, sk: BtSock): void {
  const i = l.head.indexOf(sk);
  if (i >= 0) l.head.splice(i, 1);
}

/** Mirrors bt_sock_linked(). */
export function bt_sock_linked(l: BtSockList, sk: BtSock): boolean {
  return l.head.includes(sk);
}

/**
 * Mirrors bt_sock_wait_state() for the case ksock can reach: with no time to wait (O_NONBLOCK, or a
 * zero send timeout) a state not yet reached is EINPROGRESS. ksock has no controller, so no connection
 * ever progresses on its own; a blocking wait reports a pending socket error or EINPROGRESS too.
 */
export function bt_sock_wait_state(sk: BtSock, state: number, _timeo: number): number {
  if (sk.sk_state === state) return 0;
  const err = sock_error(sk);
  return err !== 0 ? err : -EINPROGRESS;
}

const HEADER = 'sk               RefCnt Rmem   Wmem   User   Inode  Parent';

function col(v: number): string {
  return String(v).padEnd(6);
}

/** One row of bt_seq_show(): %pK (printed as zeros, as for a reader without kptr access) and counters. */
function bt_seq_row(sk: BtSock): string {
  const ino = sk.sk_socket !== null ? sk.sk_socket.inode.i_ino : 0;
  const parent = sk.parent?.sk_socket?.inode.i_ino ?? 0;
  return `0000000000000000 ${col(sk.sk_refcnt)} ${col(sk.sk_rmem_alloc)} ${col(sk.sk_wmem_alloc - 1)} ${col(sk.sk_uid)} ${col(ino)} ${col(parent)}`;
}

/**
 * Mirrors bt_procfs_init(): /proc/net/<name> listing the protocol's socks as bt_seq_show() prints them.
 * Linux creates the file in init_net only; ksock's /proc/net files exist in every namespace, so other
 * namespaces read the header alone. Returns the remove function (bt_procfs_cleanup()).
 */
export function bt_procfs_init(
  kernel: Kernel,
  name: string,
  l: BtSockList,
  seq_show: ((sk: BtSock | null) => string) | null,
): () => void {
  l.custom_seq_show = seq_show;
  return kernel.proc.create_net(name, (net: Net) => {
    let out = HEADER;
    if (l.custom_seq_show !== null) out += ` ${l.custom_seq_show(null)}`;
    out += '\n';
    if (net !== kernel.init_net) return out;
    for (const sk of l.head) {
      out += bt_seq_row(sk);
      if (l.custom_seq_show !== null) out += ` ${l.custom_seq_show(sk)}`;
      out += '\n';
    }
    return out;
  });
}

/**
 * Mirrors bt_init(): the PF_BLUETOOTH family, then the protocols built into bluetooth.ko (HCI sockets,
 * L2CAP, SCO), unwinding in reverse on failure. (The management interface, sysfs class, debugfs and LEDs
 * that bt_init() also sets up are not modelled.)
 */
export function bt_init(kernel: Kernel, mod: Module): number {
  kernel.printk(`Bluetooth: Core ver ${BT_CORE_VERSION}`);
  const family: NetProtoFamily = { family: PF_BLUETOOTH, owner: mod, create: bt_sock_create };
  const st: BtState = { mod, bt_proto: new Array<NetProtoFamily | null>(BT_MAX_PROTO).fill(null), family };
  const unwind = new Unwind();
  let err = sock_register(kernel, family);
  if (err !== 0) return err;
  states.set(kernel, st);
  unwind.push(() => {
    // unregister_socket:
    sock_unregister(kernel, PF_BLUETOOTH);
    states.delete(kernel);
  });
  kernel.printk('Bluetooth: HCI device and connection manager initialized');
  err = hci_sock_init(kernel, mod);
  if (err !== 0) return unwind.fail(err); // goto unregister_socket
  unwind.push(() => hci_sock_cleanup(kernel)); // cleanup_socket:
  err = l2cap_init(kernel, mod);
  if (err !== 0) return unwind.fail(err); // goto cleanup_socket
  unwind.push(() => l2cap_exit(kernel)); // cleanup_cap:
  err = sco_init(kernel, mod);
  if (err !== 0) return unwind.fail(err); // goto cleanup_cap
  return 0;
}

/** Mirrors bt_exit(). */
export function bt_exit(kernel: Kernel, _mod: Module): void {
  sco_exit(kernel);
  l2cap_exit(kernel);
  hci_sock_cleanup(kernel);
  sock_unregister(kernel, PF_BLUETOOTH);
  states.delete(kernel);
}

/** bluetooth.ko: MODULE_ALIAS_NETPROTO(PF_BLUETOOTH). */
export const bluetooth = defineModule({
  name: 'bluetooth',
  version: pkg.version,
  aliases: [`net-pf-${PF_BLUETOOTH}`],
  abi: '1.0',
  description: `Bluetooth Core ver ${BT_CORE_VERSION}`,
  license: 'MIT',
  init: bt_init,
  exit: bt_exit,
});

/** The per-kernel registration of one Bluetooth protocol's socket layer (L2CAP, SCO, HCI, RFCOMM). */
export interface BtProtoState {
  proto: Proto;
  ops: ProtoOps;
  family: NetProtoFamily;
  sk_list: BtSockList;
  proc_remove: () => void;
}

/**
 * What l2cap_init_sockets(), sco_init(), hci_sock_init() and rfcomm_init_sockets() have in common:
 * proto_register(), bt_sock_register() (logging the protocol's own failure line and unwinding), the
 * /proc/net/<proc> listing, then "<what> socket layer initialized".
 */
export function bt_proto_sock_init(
  kernel: Kernel,
  states: PerKernel<BtProtoState>,
  btproto: number,
  text: { proc: string; failed: string; initialized: string },
  proto: Proto,
  ops: ProtoOps,
  family: NetProtoFamily,
): number {
  const unwind = new Unwind();
  let err = proto_register(kernel, proto, false);
  if (err < 0) return err;
  unwind.push(() => proto_unregister(kernel, proto)); // error:
  const sk_list = new BtSockList();
  const st: BtProtoState = { proto, ops, family, sk_list, proc_remove: () => {} };
  states.set(kernel, st);
  unwind.push(() => states.delete(kernel));
  err = bt_sock_register(kernel, btproto, family);
  if (err < 0) {
    kernel.printk(text.failed);
    return unwind.fail(err); // goto error
  }
  st.proc_remove = bt_procfs_init(kernel, text.proc, sk_list, null);
  kernel.printk(text.initialized);
  return 0;
}

/** The matching cleanup: /proc entry, bt_sock_unregister(), proto_unregister(). */
export function bt_proto_sock_cleanup(
  kernel: Kernel,
  states: PerKernel<BtProtoState>,
  btproto: number,
): void {
  const st = states.get(kernel);
  if (st === undefined) return;
  st.proc_remove();
  bt_sock_unregister(kernel, btproto);
  proto_unregister(kernel, st.proto);
  states.delete(kernel);
}

/**
 * Mirrors bt_accept_poll(): a listener is readable once a queued child is connected (or, with
 * BT_DEFER_SETUP, waits in CONNECT2 for the user to accept it).
 */
function bt_accept_poll(parent: Sock): number {
  const defer = (bt_sk(parent).flags & (1 << BT_SK_DEFER_SETUP)) !== 0;
  for (const sk of bt_sk(parent).accept_q) {
    if (sk.sk_state === BT_CONNECTED || (defer && sk.sk_state === BT_CONNECT2)) return EPOLLIN | EPOLLRDNORM;
  }
  return 0;
}

/**
 * Mirrors bt_sock_poll() (net/bluetooth/af_bluetooth.c), the poll of L2CAP, SCO and RFCOMM sockets: a
 * listener answers bt_accept_poll(); otherwise datagram_poll()'s error, shutdown and queue rules, EPOLLHUP
 * in BT_CLOSED, nothing more while connecting (BT_CONNECT, BT_CONNECT2, BT_CONFIG), and writable unless
 * the channel is suspended (BT_SK_SUSPEND) or the send budget is half spent.
 */
export let bt_sock_poll = function bt_sock_poll(file: File, sock: Socket, wait: PollTable | null): number {
  const sk = sock.sk!;
  let mask = 0;
  sock_poll_wait(file, sock, wait);
  if (sk.sk_state === BT_LISTEN) return bt_accept_poll(sk);
  if (sk.sk_err !== 0 || !sk.error_queue_empty())
    mask |= EPOLLERR | (sock_flag(sk, SOCK_SELECT_ERR_QUEUE) ? EPOLLPRI : 0);
  if ((sk.sk_shutdown & RCV_SHUTDOWN) !== 0) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (sk.sk_shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (sk.sk_receive_queue.qlen !== 0) mask |= EPOLLIN | EPOLLRDNORM;
  if (sk.sk_state === BT_CLOSED) mask |= EPOLLHUP;
  if (sk.sk_state === BT_CONNECT || sk.sk_state === BT_CONNECT2 || sk.sk_state === BT_CONFIG) return mask;
  if ((bt_sk(sk).flags & (1 << BT_SK_SUSPEND)) === 0 && sock_writeable(sk))
    mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
};
const fmt_bt_sock_poll: Fmt<typeof bt_sock_poll> = (_file, sock) => `ino=${sock.inode.i_ino}`;

/**
 * sendmsg of a Bluetooth socket that cannot be connected (ksock has no controller): a pending error first,
 * no out-of-band data (EOPNOTSUPP), then ENOTCONN — the order l2cap_sock_sendmsg() and sco_sock_sendmsg()
 * check in before they would reach a channel.
 */
export function bt_sock_unconnected_sendmsg(sock: Socket, msg: MsgHdr, _len: number): number {
  const err = sock_error(sock.sk!);
  if (err !== 0) return err;
  if (msg.msg_flags & MSG_OOB) return -EOPNOTSUPP;
  return -ENOTCONN;
}

/**
 * recvmsg of the same sockets (bt_sock_recvmsg() with nothing ever queued): no out-of-band data, end of
 * file once the receive side is shut down, else EAGAIN (the awaitable forms sleep).
 */
export function bt_sock_unconnected_recvmsg(
  sock: Socket,
  _msg: MsgHdr,
  _size: number,
  flags: number,
): number {
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  if (sock.sk!.sk_shutdown & RCV_SHUTDOWN) return 0;
  return -EAGAIN;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(bt_sock_poll, 'bt_sock_poll', fmt_bt_sock_poll, (f) => {
  bt_sock_poll = f;
});
tracepoint(bt_sock_reclassify_lock, 'bt_sock_reclassify_lock', fmt_bt_sock_reclassify_lock, (f) => {
  bt_sock_reclassify_lock = f;
});
tracepoint(bt_sock_create, 'bt_sock_create', fmt_bt_sock_create, (f) => {
  bt_sock_create = f;
});
tracepoint(bt_sock_alloc, 'bt_sock_alloc', fmt_bt_sock_alloc, (f) => {
  bt_sock_alloc = f;
});
