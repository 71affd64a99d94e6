/**
 * PF_NETLINK (net/netlink/af_netlink.c): nl_table, netlink_sock, user and kernel sockets, unicast,
 * multicast, the generic request path (netlink_rcv_skb, netlink_ack) and dumps.
 */

import {
  AF_NETLINK,
  AF_UNSPEC,
  CAP_NET_ADMIN,
  CAP_NET_BROADCAST,
  cmsgs,
  EADDRINUSE,
  EAGAIN,
  EBUSY,
  ECONNREFUSED,
  EINTR,
  EINVAL,
  EMSGSIZE,
  ENOBUFS,
  ENODATA,
  ENOENT,
  ENOMEM,
  ENOPROTOOPT,
  EOPNOTSUPP,
  EPERM,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  ESRCH,
  type Kernel,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  PF_NETLINK,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
  SS_UNCONNECTED,
} from '@ksock/core';
import {
  __module_get,
  type Cred,
  consume_skb,
  current,
  datagram_poll,
  defineModule,
  type Fmt,
  type GetsockoptResult,
  get_random_u32_below,
  int_bytes,
  kfree_skb,
  type Module,
  type MsgHdr,
  memcpy_from_msg,
  module_put,
  type Net,
  type NetProtoFamily,
  ns_capable,
  type Proto,
  type ProtoOps,
  perKernel,
  proto_register,
  proto_unregister,
  put_cmsg,
  read_int,
  request_module,
  SKB_DATA_ALIGN,
  SKB_TRUESIZE,
  SkBuff,
  Sock,
  type Socket,
  sk_alloc,
  skb_cb,
  skb_clone,
  skb_copy_datagram_msg,
  skb_free_datagram,
  skb_queue_purge,
  skb_queue_tail,
  skb_recv_datagram,
  sock_create_lite,
  sock_hold,
  sock_init_data,
  sock_no_accept,
  sock_no_listen,
  sock_no_shutdown,
  sock_no_socketpair,
  sock_orphan,
  sock_prot_inuse_add,
  sock_put,
  sock_register,
  sock_release,
  sock_rfree,
  sock_unregister,
  tracepoint,
  try_module_get,
  Unwind,
  WaitQueueHead,
} from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import {
  NlSkb,
  nla_put,
  nla_put_string,
  nla_put_u32,
  nla_total_size,
  nlmsg_append,
  nlmsg_end,
  nlmsg_new,
  nlmsg_put,
  nlmsg_total_size,
  put_unaligned_le32,
  skb_bytes,
  skb_tailroom,
  strlen,
} from './nlattr.js';
import {
  MAX_LINKS,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_CONNECTED,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LIST_MEMBERSHIPS,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_NO_ENOBUFS,
  NETLINK_PKTINFO,
  NETLINK_SKB_DST,
  NETLINK_UNCONNECTED,
  NETLINK_USERSOCK,
  NL_CFG_F_NONROOT_RECV,
  NL_CFG_F_NONROOT_SEND,
  NLA_F_NESTED,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_ALIGN,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_GOODSIZE,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  NLMSGERR_SIZE,
  type NlMsgHdr,
  netlink_group_mask,
  nlmsg_hdr,
  SOCKADDR_NL_SIZE,
  sockaddr_nl,
  u32_bytes,
} from './uapi.js';

// ---- per-socket flag bits (nlk->flags) and state bits ---------------------------------------------
export const NETLINK_F_KERNEL_SOCKET = 1 << 0;
export const NETLINK_F_RECV_PKTINFO = 1 << 1;
export const NETLINK_F_BROADCAST_SEND_ERROR = 1 << 2;
export const NETLINK_F_RECV_NO_ENOBUFS = 1 << 3;
export const NETLINK_F_LISTEN_ALL_NSID = 1 << 4;
export const NETLINK_F_CAP_ACK = 1 << 5;
export const NETLINK_F_EXT_ACK = 1 << 6;
export const NETLINK_F_STRICT_CHK = 1 << 7;
export const NETLINK_S_CONGESTED = 1 << 0;

/** sizeof(struct netlink_sock) on x86-64 (/proc/net/protocols, Linux 6.18). */
export const NETLINK_SOCK_SIZE = 1096;

/** struct netlink_ext_ack, reduced to what netlink_ack() reports. */
export class NetlinkExtAck {
  _msg: string | null = null;
  /** Offset of the offending attribute from the start of the request header (NLMSGERR_ATTR_OFFS). */
  bad_attr_offs = -1;
  /**
   * The offending attribute's policy as netlink_policy_dump_write_attr() describes it (the NL_POLICY_TYPE_ATTR_*
   * attributes, already encoded), sent nested in NLMSGERR_ATTR_POLICY; null when there is none.
   */
  policy: Uint8Array | null = null;
}

/** struct netlink_callback: the state of a running dump. */
export class NetlinkCallback {
  /** The request that started the dump (NETLINK_CB(skb) says who asked). */
  skb: SkBuff | null = null;
  nlh: NlMsgHdr = { nlmsg_len: 0, nlmsg_type: 0, nlmsg_flags: 0, nlmsg_seq: 0, nlmsg_pid: 0 };
  /** The whole request message (header included). */
  req: Uint8Array = new Uint8Array(0);
  dump: ((skb: NlDumpSkb, cb: NetlinkCallback) => number) | null = null;
  done: ((cb: NetlinkCallback) => number) | null = null;
  data: unknown = null;
  module: Module | null = null;
  min_dump_alloc = 0;
  answer_flags = 0;
  /** The dump's own flags, from netlink_dump_control (rtnetlink keeps RTNL_FLAG_DUMP_* here). */
  flags = 0;
  strict_check = false;
  /** Free for the dump callback (cb->args[]). */
  readonly args: number[] = [0, 0, 0, 0, 0, 0];
  seq = 0;
  extack: NetlinkExtAck | null = null;
}

/** struct netlink_dump_control. */
export interface NetlinkDumpControl {
  start?(cb: NetlinkCallback): number;
  dump(skb: NlDumpSkb, cb: NetlinkCallback): number;
  done?(cb: NetlinkCallback): number;
  data?: unknown;
  module?: Module | null;
  min_dump_alloc?: number;
  flags?: number;
}

/**
 * The sk_buff a dump step fills (netlink_dump()'s skb): room for `end` bytes, the callback writes at the
 * tail with the nlattr.ts writers (or put()), each refusing what does not fit.
 */
export class NlDumpSkb extends NlSkb {
  /** The socket the buffer is for (skb->sk of the dump's output buffer): the requester. */
  readonly sk: NetlinkSock;
  constructor(sk: NetlinkSock, data: Uint8Array, end: number) {
    super(data, end);
    this.sk = sk;
  }
  tailroom(): number {
    return skb_tailroom(this);
  }
  /**
   * Append a complete, already aligned message (skb_put_data() after a tailroom check); false when it
   * does not fit (the dump stops here).
   */
  put(msg: Uint8Array): boolean {
    if (msg.length > skb_tailroom(this)) return false;
    this.data.set(msg, this.len);
    this.len += msg.length;
    return true;
  }
}

/** NETLINK_CB(skb): struct netlink_skb_parms. */
export class NetlinkSkbParms {
  portid = 0;
  dst_group = 0;
  flags = 0;
  /** The sending socket (set on delivery to a kernel socket). */
  sk: NetlinkSock | null = null;
  creds_pid = 0;
  creds_uid = 0;
  creds_gid = 0;
}

/** NETLINK_CB(skb): the buffer's netlink_skb_parms (zeroed the first time), typed by core's skb_cb(). */
export const NETLINK_CB = skb_cb(NetlinkSkbParms);

/** struct netlink_kernel_cfg. `module` stands for the THIS_MODULE netlink_kernel_create() passes. */
export interface NetlinkKernelCfg {
  groups?: number;
  flags?: number;
  input?: ((skb: SkBuff) => void) | null;
  bind?: ((net: Net, group: number) => number) | null;
  unbind?: ((net: Net, group: number) => void) | null;
  release?: ((sk: NetlinkSock, groups: Uint32Array | null) => void) | null;
  compare?: ((net: Net, sk: NetlinkSock) => boolean) | null;
  module?: Module | null;
}

/** struct netlink_sock (net/netlink/af_netlink.h). */
export class NetlinkSock extends Sock {
  portid = 0;
  dst_portid = 0;
  dst_group = 0;
  flags = 0;
  subscriptions = 0;
  ngroups = 0;
  groups: Uint32Array | null = null;
  state = 0;
  max_recvmsg_len = 0;
  /** nlk->wait, where senders blocked on a full receiver sleep (made on first use). */
  wait_q: WaitQueueHead | null = null;
  bound = false;
  cb_running = false;
  dump_done_errno = 0;
  /** nlk->cb: the running dump's state (made on the first dump). */
  cb: NetlinkCallback | null = null;
  /** The protocol's nl_table entry and af_netlink's per-kernel state (cached at create). */
  tbl: NetlinkTable | null = null;
  nl_st: unknown = null;
  netlink_rcv: ((skb: SkBuff) => void) | null = null;
  netlink_bind: ((net: Net, group: number) => number) | null = null;
  netlink_unbind: ((net: Net, group: number) => void) | null = null;
  netlink_release: ((sk: NetlinkSock, groups: Uint32Array | null) => void) | null = null;
  module: Module | null = null;
  /** sk->sk_user_data (the connector keeps its per-socket proc_input here). */
  sk_user_data: unknown = null;
  /** The opener's credentials (file->f_cred), for netlink_ns_capable(). */
  f_cred: Cred | null = null;
  /** Position in the mc_list (bound with subscriptions). */
  in_mc_list = false;
  /** Counted in the protocol's in-use counter (user sockets, by netlink_create). */
  inuse_counted = false;

  override traceLabel(): string {
    return `netlink_sock portid=${this.portid >>> 0}`;
  }
}

export function nlk_sk(sk: Sock): NetlinkSock {
  return sk as NetlinkSock;
}

export function netlink_is_kernel(sk: Sock): boolean {
  return (nlk_sk(sk).flags & NETLINK_F_KERNEL_SOCKET) !== 0;
}

/** struct netlink_table: one per protocol, global (not per namespace). */
export class NetlinkTable {
  /** The portid hash: (netns, portid) → sock. */
  readonly hash = new Map<Net, Map<number, NetlinkSock>>();
  /** Sockets with at least one subscription, most recent first. */
  readonly mc_list: NetlinkSock[] = [];
  /** Union of the members' groups (netlink_has_listeners()). */
  listeners: Uint32Array | null = null;
  flags = 0;
  groups = 0;
  module: Module | null = null;
  bind: ((net: Net, group: number) => number) | null = null;
  unbind: ((net: Net, group: number) => void) | null = null;
  release: ((sk: NetlinkSock, groups: Uint32Array | null) => void) | null = null;
  compare: ((net: Net, sk: NetlinkSock) => boolean) | null = null;
  registered = 0;
}

export type NetlinkNotifier = (event: number, n: { net: Net; protocol: number; portid: number }) => void;

interface State {
  nl_table: NetlinkTable[];
  ops: ProtoOps;
  proto: Proto;
  family: NetProtoFamily;
  mod: Module;
  notifiers: NetlinkNotifier[];
  remove_proc: (() => void) | null;
  sk_ids: WeakMap<Sock, number>;
  next_id: number;
}

const states = perKernel<State>();

function state_of(k: Kernel): State {
  const st = states.get(k);
  if (st === undefined) throw new Error('ksock: af_netlink is not loaded in this kernel');
  return st;
}

/** nl_table of a kernel (undefined when af_netlink is not loaded). */
export function netlink_table(kernel: Kernel): readonly NetlinkTable[] | undefined {
  return states.get(kernel)?.nl_table;
}

function table_of(sk: Sock): NetlinkTable {
  return nlk_sk(sk).tbl ?? state_of(sk.sk_net.kernel).nl_table[sk.sk_protocol]!;
}

function nlk_wait(sk: NetlinkSock): WaitQueueHead {
  if (sk.wait_q === null) sk.wait_q = new WaitQueueHead();
  return sk.wait_q;
}

function net_eq(a: Net, b: Net): boolean {
  return a === b;
}

// ---- group bitmaps ------------------------------------------------------------------------------------
function test_bit(nr: number, map: Uint32Array | null): boolean {
  if (map === null) return false;
  const w = nr >>> 5;
  return w < map.length && (map[w]! & (1 << (nr & 31))) !== 0;
}
function assign_bit(nr: number, map: Uint32Array, on: boolean): void {
  const w = nr >>> 5;
  if (on) map[w] = (map[w]! | (1 << (nr & 31))) >>> 0;
  else map[w] = (map[w]! & ~(1 << (nr & 31))) >>> 0;
}
function hweight32(x: number): number {
  x >>>= 0;
  let n = 0;
  while (x !== 0) {
    x &= x - 1;
    n++;
  }
  return n;
}
/** Words of 32 bits that hold `groups` bits, allocated as Linux allocates unsigned longs (NLGRPSZ). */
function nlgrp_words(groups: number): number {
  return Math.ceil(groups / 64) * 2;
}
/** ffs(): 1-based index of the lowest set bit, 0 for none. */
function ffs(x: number): number {
  x >>>= 0;
  if (x === 0) return 0;
  return 32 - Math.clz32(x & -x);
}

// ---- hash ---------------------------------------------------------------------------------------------
/** Mirrors __netlink_lookup(): the socket bound to (net, portid) in a protocol's table. */
function __netlink_lookup(table: NetlinkTable, portid: number, net: Net): NetlinkSock | null {
  const m = table.hash.get(net);
  if (m === undefined) return null;
  const sk = m.get(portid >>> 0);
  if (sk === undefined) return null;
  if (table.compare !== null && !table.compare(net, sk)) return null;
  return sk;
}

/** Mirrors netlink_lookup(): with a reference taken. */
export let netlink_lookup = function netlink_lookup(
  net: Net,
  protocol: number,
  portid: number,
): NetlinkSock | null {
  const table = state_of(net.kernel).nl_table[protocol]!;
  const sk = __netlink_lookup(table, portid, net);
  if (sk !== null) sock_hold(sk);
  return sk;
};
const fmt_netlink_lookup: Fmt<typeof netlink_lookup> = (_net, protocol, portid) =>
  `protocol=${protocol}, portid=${portid >>> 0}`;

/**
 * Mirrors netlink_insert(): EBUSY if already bound elsewhere (re-inserting the same portid is a no-op),
 * portid written first (kept on failure, as Linux keeps it), EADDRINUSE when taken.
 */
export let netlink_insert = function netlink_insert(sk: NetlinkSock, portid: number): number {
  portid >>>= 0;
  const table = table_of(sk);
  const err = sk.portid === portid ? 0 : -EBUSY;
  if (sk.bound) return err;
  sk.portid = portid;
  sock_hold(sk);
  const net = sk.sk_net;
  let m = table.hash.get(net);
  if (m === undefined) {
    m = new Map();
    table.hash.set(net, m);
  }
  if (m.has(portid)) {
    sock_put(sk);
    return -EADDRINUSE;
  }
  m.set(portid, sk);
  // WRITE_ONCE(nlk->bound, portid): a kernel socket (portid 0) counts as not bound.
  sk.bound = portid !== 0;
  return 0;
};
const fmt_netlink_insert: Fmt<typeof netlink_insert> = (_sk, portid) => `portid=${portid >>> 0}`;

/** Mirrors netlink_remove(): out of the hash (dropping its reference) and out of the mc_list. */
function netlink_remove(sk: NetlinkSock): void {
  const table = table_of(sk);
  // Only bound user sockets and kernel sockets were inserted: an unbound socket skips the lookup.
  const m = sk.bound || netlink_is_kernel(sk) ? table.hash.get(sk.sk_net) : undefined;
  if (m !== undefined && m.get(sk.portid) === sk) {
    m.delete(sk.portid);
    if (m.size === 0) table.hash.delete(sk.sk_net);
    sock_put(sk);
  }
  if (sk.subscriptions !== 0) {
    __sk_del_bind_node(table, sk);
    netlink_update_listeners(sk);
  }
}

function __sk_del_bind_node(table: NetlinkTable, sk: NetlinkSock): void {
  const i = table.mc_list.indexOf(sk);
  if (i >= 0) table.mc_list.splice(i, 1);
  sk.in_mc_list = false;
}

/**
 * Mirrors netlink_autobind(): the caller's tgid, else negative portids — a random start in
 * [S32_MIN, −4097] at the first collision, then downwards.
 */
export let netlink_autobind = function netlink_autobind(sock: Socket): number {
  const sk = nlk_sk(sock.sk!);
  const net = sk.sk_net;
  const table = table_of(sk);
  let portid = current().pid | 0;
  let rover = -4096;
  for (;;) {
    const ok = __netlink_lookup(table, portid >>> 0, net) === null;
    if (!ok) {
      if (rover === -4096) rover = -2147483648 + get_random_u32_below(net.kernel, -4096 + 2147483648);
      else if (rover >= -4096) rover = -4097;
      portid = rover--;
      continue;
    }
    const err = netlink_insert(sk, portid >>> 0);
    if (err === -EADDRINUSE) continue;
    // EBUSY: someone bound it meanwhile, fine.
    if (err === -EBUSY) return 0;
    return err;
  }
};

// ---- subscriptions ------------------------------------------------------------------------------------
/** Mirrors netlink_update_listeners(): recompute the table's listeners bitmap from the mc_list. */
function netlink_update_listeners(sk: NetlinkSock): void {
  const tbl = table_of(sk);
  const listeners = tbl.listeners;
  if (listeners === null) return;
  listeners.fill(0);
  for (const s of tbl.mc_list) {
    const g = s.groups;
    if (g === null) continue;
    const n = Math.min(listeners.length, g.length);
    for (let i = 0; i < n; i++) listeners[i] = (listeners[i]! | g[i]!) >>> 0;
  }
}

/** Mirrors netlink_update_subscriptions(): join or leave the mc_list (joining at its head). */
function netlink_update_subscriptions(sk: NetlinkSock, subscriptions: number): void {
  const tbl = table_of(sk);
  if (sk.subscriptions !== 0 && subscriptions === 0) __sk_del_bind_node(tbl, sk);
  else if (sk.subscriptions === 0 && subscriptions !== 0) {
    tbl.mc_list.unshift(sk);
    sk.in_mc_list = true;
  }
  sk.subscriptions = subscriptions;
}

/** Mirrors netlink_realloc_groups(): grow the socket's bitmap to the table's group count. */
function netlink_realloc_groups(sk: NetlinkSock): number {
  const tbl = table_of(sk);
  if (!tbl.registered) return -ENOENT;
  const groups = tbl.groups;
  if (sk.ngroups >= groups) return 0;
  const ng = new Uint32Array(nlgrp_words(groups));
  if (sk.groups !== null) ng.set(sk.groups.subarray(0, Math.min(sk.groups.length, ng.length)));
  sk.groups = ng;
  sk.ngroups = groups;
  return 0;
}

function netlink_update_socket_mc(sk: NetlinkSock, group: number, is_new: boolean): void {
  const old = test_bit(group - 1, sk.groups) ? 1 : 0;
  const subscriptions = sk.subscriptions - old + (is_new ? 1 : 0);
  assign_bit(group - 1, sk.groups!, is_new);
  netlink_update_subscriptions(sk, subscriptions);
  netlink_update_listeners(sk);
}

/**
 * Mirrors netlink_allowed(): the protocol lets unprivileged users do it, or the caller has
 * CAP_NET_ADMIN over the socket's namespace.
 */
function netlink_allowed(sock: Socket, flag: number): boolean {
  const tbl = table_of(sock.sk!);
  return (tbl.flags & flag) !== 0 || ns_capable(null, CAP_NET_ADMIN);
}

// ---- create / release ---------------------------------------------------------------------------------
function netlink_sock_destruct(sk: Sock): void {
  const nlk = nlk_sk(sk);
  if (nlk.cb_running) {
    nlk.cb!.done?.(nlk.cb!);
    module_put(nlk.cb!.module);
    nlk.cb_running = false;
  }
  skb_queue_purge(sk.sk_receive_queue);
}

/** Mirrors __netlink_create(): ops, sk_alloc(netlink_proto), sock_init_data, sk_protocol. */
export let __netlink_create = function __netlink_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const st = state_of(net.kernel);
  sock.ops = st.ops;
  const sk = sk_alloc(net, PF_NETLINK, st.proto, kern) as NetlinkSock | null;
  if (sk === null) return -ENOMEM;
  sock_init_data(sock, sk);
  sk.sk_destruct = netlink_sock_destruct;
  sk.sk_protocol = protocol;
  sk.tbl = st.nl_table[protocol]!;
  sk.nl_st = st;
  return 0;
};
const fmt___netlink_create: Fmt<typeof __netlink_create> = (_net, _sock, protocol, kern) =>
  `protocol=${protocol}, kern=${kern ? 1 : 0}`;

/**
 * Mirrors netlink_create(): SOCK_RAW/SOCK_DGRAM (ESOCKTNOSUPPORT, checked before the protocol), protocol
 * range (EPROTONOSUPPORT), autoload "net-pf-16-proto-N" for an unregistered protocol, a reference on the
 * protocol's module, __netlink_create(), the table's callbacks copied.
 */
export let netlink_create = function netlink_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  const kernel = net.kernel;
  sock.state = SS_UNCONNECTED;
  if (sock.type !== SOCK_RAW && sock.type !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
  if (protocol < 0 || protocol >= MAX_LINKS) return -EPROTONOSUPPORT;
  let tbl = state_of(kernel).nl_table[protocol]!;
  if (!tbl.registered) {
    request_module(kernel, `net-pf-${PF_NETLINK}-proto-${protocol}`);
    // The module may have been loaded (and af_netlink's state is the same object).
    tbl = state_of(kernel).nl_table[protocol]!;
  }
  let module: Module | null = null;
  if (tbl.registered && try_module_get(tbl.module)) module = tbl.module;
  else return -EPROTONOSUPPORT;
  const bind = tbl.bind;
  const unbind = tbl.unbind;
  const release = tbl.release;
  const err = __netlink_create(net, sock, protocol, kern);
  if (err < 0) {
    module_put(module);
    return err;
  }
  const nlk = nlk_sk(sock.sk!);
  sock_prot_inuse_add(net, (nlk.nl_st as State).proto, 1);
  nlk.inuse_counted = true;
  nlk.module = module;
  nlk.netlink_bind = bind;
  nlk.netlink_unbind = unbind;
  nlk.netlink_release = release;
  nlk.f_cred = current().cred;
  return 0;
};
const fmt_netlink_create: Fmt<typeof netlink_create> = (_net, _sock, protocol, kern) =>
  `protocol=${protocol}, kern=${kern ? 1 : 0}`;

/** Mirrors netlink_release(). */
export let netlink_release = function netlink_release(sock: Socket): number {
  const s = sock.sk;
  if (s === null) return 0;
  const sk = nlk_sk(s);
  const st = sk.nl_st as State;
  netlink_remove(sk);
  sock_orphan(sk);
  if (sk.netlink_release !== null) sk.netlink_release(sk, sk.groups);
  if (sk.netlink_unbind !== null && sk.groups !== null) {
    for (let i = 0; i < sk.ngroups; i++) if (test_bit(i, sk.groups)) sk.netlink_unbind(sk.sk_net, i + 1);
  }
  sock.sk = null;
  sk.wait_q?.wake_up();
  sk.purge_write_queue();
  if (sk.portid !== 0 && sk.bound) {
    const n = { net: sk.sk_net, protocol: sk.sk_protocol, portid: sk.portid };
    for (const fn of [...st.notifiers]) fn(1, n);
  }
  if (sk.cb_running) {
    const cb = sk.cb!;
    cb.done?.(cb);
    module_put(cb.module);
    cb.skb = null;
    sk.cb_running = false;
  }
  module_put(sk.module);
  sk.module = null;
  if (netlink_is_kernel(sk)) {
    const tbl = st.nl_table[sk.sk_protocol]!;
    if (--tbl.registered === 0) {
      tbl.listeners = null;
      tbl.module = null;
      tbl.bind = null;
      tbl.unbind = null;
      tbl.release = null;
      tbl.flags = 0;
      tbl.groups = 0;
      tbl.compare = null;
    }
  }
  // ksock: kernel sockets are not counted at create, so only what netlink_create counted is uncounted.
  if (sk.inuse_counted) sock_prot_inuse_add(sk.sk_net, st.proto, -1);
  // The deferred put of call_rcu(deferred_put_nlk_sk), done at once: nothing else can be reading.
  sk.groups = null;
  sock_put(sk);
  return 0;
};
const fmt_netlink_release: Fmt<typeof netlink_release> = (sock) => `ino=${sock.inode.i_ino}`;

// ---- bind / connect / getname -------------------------------------------------------------------------
function netlink_undo_bind(group: number, groups: number, sk: NetlinkSock): void {
  if (sk.netlink_unbind === null) return;
  for (let undo = 0; undo < group; undo++) if ((groups >>> undo) & 1) sk.netlink_unbind(sk.sk_net, undo + 1);
}

function addr_view(a: Uint8Array): DataView {
  return new DataView(a.buffer, a.byteOffset, a.byteLength);
}

/** Mirrors netlink_bind(). */
export let netlink_bind = function netlink_bind(sock: Socket, addr: Uint8Array, addr_len: number): number {
  const sk = nlk_sk(sock.sk!);
  const net = sk.sk_net;
  if (addr_len < SOCKADDR_NL_SIZE) return -EINVAL;
  const dv = addr_view(addr);
  if (dv.getUint16(0, true) !== AF_NETLINK) return -EINVAL;
  const nl_pid = dv.getUint32(4, true);
  let groups = dv.getUint32(8, true);
  if (groups !== 0) {
    if (!netlink_allowed(sock, NL_CFG_F_NONROOT_RECV)) return -EPERM;
    const err = netlink_realloc_groups(sk);
    if (err) return err;
  }
  if (sk.ngroups < 32) groups = (groups & ((1 << sk.ngroups) - 1)) >>> 0;
  const bound = sk.bound;
  if (bound && nl_pid !== sk.portid) return -EINVAL;
  if (sk.netlink_bind !== null && groups !== 0) {
    for (let group = 0; group < 32; group++) {
      if (((groups >>> group) & 1) === 0) continue;
      const err = sk.netlink_bind(net, group + 1);
      if (!err) continue;
      netlink_undo_bind(group, groups, sk);
      return err;
    }
  }
  if (!bound) {
    const err = nl_pid !== 0 ? netlink_insert(sk, nl_pid) : netlink_autobind(sock);
    if (err) {
      netlink_undo_bind(32, groups, sk);
      return err;
    }
  }
  if (groups === 0 && (sk.groups === null || sk.groups[0] === 0)) return 0;
  netlink_update_subscriptions(sk, sk.subscriptions + hweight32(groups) - hweight32(sk.groups![0]!));
  sk.groups![0] = groups >>> 0;
  netlink_update_listeners(sk);
  return 0;
};
const fmt_netlink_bind: Fmt<typeof netlink_bind> = (_sock, addr, len) =>
  len >= 12
    ? `nl_pid=${addr_view(addr).getUint32(4, true)}, nl_groups=0x${addr_view(addr).getUint32(8, true).toString(16)}`
    : `addrlen=${len}`;

/** Mirrors netlink_connect(). */
export let netlink_connect = function netlink_connect(
  sock: Socket,
  addr: Uint8Array,
  alen: number,
  _flags: number,
): number {
  const sk = nlk_sk(sock.sk!);
  if (alen < 2) return -EINVAL;
  const dv = addr_view(addr);
  const family = dv.getUint16(0, true);
  if (family === AF_UNSPEC) {
    sk.sk_state = NETLINK_UNCONNECTED;
    sk.dst_portid = 0;
    sk.dst_group = 0;
    return 0;
  }
  if (family !== AF_NETLINK) return -EINVAL;
  if (alen < SOCKADDR_NL_SIZE) return -EINVAL;
  const nl_pid = dv.getUint32(4, true);
  const nl_groups = dv.getUint32(8, true);
  if ((nl_groups !== 0 || nl_pid !== 0) && !netlink_allowed(sock, NL_CFG_F_NONROOT_SEND)) return -EPERM;
  let err = 0;
  if (!sk.bound) err = netlink_autobind(sock);
  if (err === 0) {
    sk.sk_state = NETLINK_CONNECTED;
    sk.dst_portid = nl_pid;
    sk.dst_group = ffs(nl_groups);
  }
  return err;
};

/** Mirrors netlink_getname(): always 12 bytes. */
export let netlink_getname = function netlink_getname(sock: Socket, peer: boolean): Uint8Array {
  const sk = nlk_sk(sock.sk!);
  if (peer) return sockaddr_nl(sk.dst_portid, netlink_group_mask(sk.dst_group));
  return sockaddr_nl(sk.portid, sk.groups !== null ? sk.groups[0]! : 0);
};

// ---- delivery -----------------------------------------------------------------------------------------
/** Mirrors netlink_overrun(): ENOBUFS once per congestion episode (unless NETLINK_NO_ENOBUFS). */
export function netlink_overrun(sk: NetlinkSock): void {
  if ((sk.flags & NETLINK_F_RECV_NO_ENOBUFS) === 0) {
    if ((sk.state & NETLINK_S_CONGESTED) === 0) {
      sk.state |= NETLINK_S_CONGESTED;
      sk.sk_err = ENOBUFS;
      sk.sk_error_report(sk);
    }
  }
  sk.sk_drops++;
}

/** Mirrors netlink_rcv_wake(): an emptied queue ends congestion and wakes blocked senders. */
function netlink_rcv_wake(sk: NetlinkSock): void {
  if (sk.sk_receive_queue.qlen === 0) sk.state &= ~NETLINK_S_CONGESTED;
  if ((sk.state & NETLINK_S_CONGESTED) === 0) sk.wait_q?.wake_up();
}

/** Mirrors netlink_skb_set_owner_r() (the rmem charge is made by the caller, as in 6.15+). */
function netlink_skb_set_owner_r(skb: SkBuff, sk: NetlinkSock): void {
  skb.sk = sk;
  skb.destructor = sock_rfree;
}

/** Mirrors __netlink_sendskb(): queue and wake the reader. */
function __netlink_sendskb(sk: NetlinkSock, skb: SkBuff): number {
  const len = skb.len;
  skb_queue_tail(sk.sk_receive_queue, skb);
  sk.sk_data_ready(sk);
  return len;
}

/** Mirrors netlink_sendskb(). */
export function netlink_sendskb(sk: NetlinkSock, skb: SkBuff): number {
  const len = __netlink_sendskb(sk, skb);
  sock_put(sk);
  return len;
}

/**
 * Mirrors netlink_attachskb(): charge the receiver if there is room (or its queue is empty) and it is not
 * congested. Otherwise: non-blocking → overrun if the sender is the kernel, EAGAIN; blocking → ksock
 * cannot sleep inside a call, so it names the receiver's wait queue and returns EAGAIN; the awaitable
 * syscall sleeps there and retries.
 */
export function netlink_attachskb(
  sk: NetlinkSock,
  skb: SkBuff,
  timeo: number,
  ssk: NetlinkSock | null,
): number {
  sk.sk_rmem_alloc += skb.truesize;
  const rmem = sk.sk_rmem_alloc;
  if ((rmem === skb.truesize || rmem < sk.sk_rcvbuf) && (sk.state & NETLINK_S_CONGESTED) === 0) {
    netlink_skb_set_owner_r(skb, sk);
    return 0;
  }
  sk.sk_rmem_alloc -= skb.truesize;
  if (timeo === 0) {
    if (ssk === null || netlink_is_kernel(ssk)) netlink_overrun(sk);
    sock_put(sk);
    kfree_skb(skb);
    return -EAGAIN;
  }
  current().blocked_on = nlk_wait(sk);
  sock_put(sk);
  kfree_skb(skb);
  return -EAGAIN;
}

/** Mirrors netlink_getsockbyportid(): ECONNREFUSED when nobody has it, or its peer is someone else. */
function netlink_getsockbyportid(ssk: NetlinkSock, portid: number): NetlinkSock | number {
  const sk = netlink_lookup(ssk.sk_net, ssk.sk_protocol, portid);
  if (sk === null) return -ECONNREFUSED;
  if (sk.sk_state === NETLINK_CONNECTED && sk.dst_portid !== ssk.portid) {
    sock_put(sk);
    return -ECONNREFUSED;
  }
  return sk;
}

/** Mirrors netlink_unicast_kernel(): the kernel socket's input runs synchronously. */
let netlink_unicast_kernel = function netlink_unicast_kernel(
  sk: NetlinkSock,
  skb: SkBuff,
  ssk: NetlinkSock,
): number {
  let ret = -ECONNREFUSED;
  const rcv = sk.netlink_rcv;
  if (rcv !== null) {
    ret = skb.len;
    sk.sk_rmem_alloc += skb.truesize;
    netlink_skb_set_owner_r(skb, sk);
    NETLINK_CB(skb).sk = ssk;
    rcv(skb);
    consume_skb(skb);
  } else {
    kfree_skb(skb);
  }
  sock_put(sk);
  return ret;
};

/**
 * Mirrors netlink_unicast(): to a kernel socket its input, to a user socket its receive queue
 * (ECONNREFUSED for an unknown portid).
 */
export let netlink_unicast = function netlink_unicast(
  ssk: NetlinkSock,
  skb: SkBuff,
  portid: number,
  nonblock: boolean | number,
): number {
  const timeo = nonblock ? 0 : ssk.sk_sndtimeo;
  const sk = netlink_getsockbyportid(ssk, portid);
  if (typeof sk === 'number') {
    kfree_skb(skb);
    return sk;
  }
  if (netlink_is_kernel(sk)) return netlink_unicast_kernel(sk, skb, ssk);
  const err = netlink_attachskb(sk, skb, timeo, ssk);
  if (err) return err;
  return netlink_sendskb(sk, skb);
};
const fmt_netlink_unicast: Fmt<typeof netlink_unicast> = (_ssk, skb, portid, nonblock) =>
  `portid=${portid >>> 0}, len=${skb.len}, nonblock=${nonblock ? 1 : 0}`;

/** Mirrors netlink_has_listeners(). */
export function netlink_has_listeners(sk: NetlinkSock, group: number): boolean {
  const tbl = table_of(sk);
  return tbl.listeners !== null && group - 1 < tbl.groups && test_bit(group - 1, tbl.listeners);
}

/** Mirrors netlink_broadcast_deliver(): ≤ rcvbuf (unicast uses <); returns "more than half full". */
function netlink_broadcast_deliver(sk: NetlinkSock, skb: SkBuff): number {
  sk.sk_rmem_alloc += skb.truesize;
  const rmem = sk.sk_rmem_alloc;
  if ((rmem === skb.truesize || rmem <= sk.sk_rcvbuf) && (sk.state & NETLINK_S_CONGESTED) === 0) {
    netlink_skb_set_owner_r(skb, sk);
    __netlink_sendskb(sk, skb);
    return rmem > sk.sk_rcvbuf >> 1 ? 1 : 0;
  }
  sk.sk_rmem_alloc -= skb.truesize;
  return -1;
}

export type NetlinkFilter = (dsk: NetlinkSock, skb: SkBuff, data: unknown) => boolean;

/** skb_clone() and the copy of NETLINK_CB that Linux's copy of skb->cb makes. */
function netlink_skb_clone(skb: SkBuff): SkBuff {
  const c = skb_clone(skb);
  const p = NETLINK_CB(skb);
  const q = NETLINK_CB(c);
  q.portid = p.portid;
  q.dst_group = p.dst_group;
  q.flags = p.flags;
  q.sk = p.sk;
  q.creds_pid = p.creds_pid;
  q.creds_uid = p.creds_uid;
  q.creds_gid = p.creds_gid;
  return c;
}

/**
 * Mirrors netlink_broadcast_filtered() / do_one_broadcast(): every member of the group in the sender's
 * namespace but the sender and `portid`; ENOBUFS if a BROADCAST_ERROR member missed it, 0 if anyone got
 * it, ESRCH if nobody. ksock has no peer namespace ids, so NETLINK_LISTEN_ALL_NSID never crosses namespaces.
 */
export let netlink_broadcast_filtered = function netlink_broadcast_filtered(
  ssk: NetlinkSock,
  skb: SkBuff,
  portid: number,
  group: number,
  filter: NetlinkFilter | null,
  filter_data: unknown,
): number {
  const tbl = table_of(ssk);
  const net = ssk.sk_net;
  let delivery_failure = false;
  let delivered = false;
  portid >>>= 0;
  for (const sk of tbl.mc_list) {
    if (sk === ssk) continue;
    if (sk.portid === portid || group - 1 >= sk.ngroups || !test_bit(group - 1, sk.groups)) continue;
    if (!net_eq(sk.sk_net, net)) continue;
    sock_hold(sk);
    const skb2 = netlink_skb_clone(skb);
    if (filter?.(sk, skb2, filter_data)) {
      sock_put(sk);
      continue;
    }
    const val = netlink_broadcast_deliver(sk, skb2);
    if (val < 0) {
      netlink_overrun(sk);
      if ((sk.flags & NETLINK_F_BROADCAST_SEND_ERROR) !== 0) delivery_failure = true;
    } else {
      delivered = true;
    }
    sock_put(sk);
  }
  consume_skb(skb);
  if (delivery_failure) return -ENOBUFS;
  if (delivered) return 0;
  return -ESRCH;
};
const fmt_netlink_broadcast_filtered: Fmt<typeof netlink_broadcast_filtered> = (_ssk, skb, portid, group) =>
  `portid=${portid >>> 0}, group=${group}, len=${skb.len}`;

/** Mirrors netlink_broadcast(). */
export function netlink_broadcast(ssk: NetlinkSock, skb: SkBuff, portid: number, group: number): number {
  return netlink_broadcast_filtered(ssk, skb, portid, group, null, null);
}

/** A kernel-built message buffer: NETLINK_CB zeroed (portid 0, no group). */
export function nlmsg_new_skb(data: Uint8Array): SkBuff {
  const skb = new SkBuff(data);
  skb.cb = new NetlinkSkbParms();
  return skb;
}

/** Mirrors nlmsg_unicast(): a kernel reply, non-blocking. */
export function nlmsg_unicast(ssk: NetlinkSock, data: Uint8Array, portid: number): number {
  const err = netlink_unicast(ssk, nlmsg_new_skb(data), portid, true);
  return Math.min(err, 0);
}

/** Mirrors nlmsg_notify(): broadcast to a group (and unicast back to `portid` when it asked for an echo). */
export function nlmsg_notify(
  ssk: NetlinkSock,
  data: Uint8Array,
  portid: number,
  group: number,
  report: boolean,
): number {
  let err = 0;
  if (group) {
    const skb = nlmsg_new_skb(data);
    NETLINK_CB(skb).dst_group = group;
    err = netlink_broadcast(ssk, skb, report ? portid : 0, group);
    if (err === -ESRCH) err = 0;
  }
  if (report) {
    const err2 = nlmsg_unicast(ssk, data, portid);
    if (!err || err === -ESRCH) err = err2;
  }
  return err;
}

// ---- sendmsg / recvmsg --------------------------------------------------------------------------------
/** Mirrors scm_send() for what a netlink message may carry: unknown SOL_SOCKET types are EINVAL. */
function scm_send(msg: MsgHdr): number {
  if (msg.msg_control === null || msg.msg_control.length === 0) return 0;
  for (const c of cmsgs(msg.msg_control)) {
    if (c.level !== SOL_SOCKET) continue;
    if (c.type !== SCM_RIGHTS && c.type !== SCM_CREDENTIALS) return -EINVAL;
  }
  return 0;
}

/** Mirrors netlink_sendmsg(). */
export let netlink_sendmsg = function netlink_sendmsg(sock: Socket, msg: MsgHdr, len: number): number {
  const sk = nlk_sk(sock.sk!);
  if ((msg.msg_flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  if (len === 0) {
    const k = sk.sk_net.kernel;
    if (!warned_zero.has(k)) {
      warned_zero.add(k);
      k.printk('netlink: Zero length message leads to an empty skb');
    }
    return -ENODATA;
  }
  let err = scm_send(msg);
  if (err < 0) return err;
  let dst_portid: number;
  let dst_group: number;
  let netlink_skb_flags = 0;
  if (msg.msg_namelen) {
    const a = msg.msg_name!;
    if (msg.msg_namelen < SOCKADDR_NL_SIZE) return -EINVAL;
    // Byte loads: cheaper than a DataView on the per-message path.
    if ((a[0]! | (a[1]! << 8)) !== AF_NETLINK) return -EINVAL;
    dst_portid = (a[4]! | (a[5]! << 8) | (a[6]! << 16) | (a[7]! << 24)) >>> 0;
    dst_group = ffs((a[8]! | (a[9]! << 8) | (a[10]! << 16) | (a[11]! << 24)) >>> 0);
    if ((dst_group || dst_portid) && !netlink_allowed(sock, NL_CFG_F_NONROOT_SEND)) return -EPERM;
    netlink_skb_flags |= NETLINK_SKB_DST;
  } else {
    dst_portid = sk.dst_portid;
    dst_group = sk.dst_group;
  }
  if (!sk.bound) {
    err = netlink_autobind(sock);
    if (err) return err;
  }
  if (len > sk.sk_sndbuf - 32) return -EMSGSIZE;
  const data = memcpy_from_msg(msg);
  const skb = new SkBuff(data);
  const cb = NETLINK_CB(skb);
  cb.portid = sk.portid;
  cb.dst_group = dst_group;
  cb.flags = netlink_skb_flags;
  const t = current();
  cb.creds_pid = t.pid;
  cb.creds_uid = t.cred.uid;
  cb.creds_gid = t.cred.gid;
  // Linux sleeps inside netlink_unicast() after the broadcast; ksock's awaitable syscalls retry the whole
  // sendmsg with the same msghdr, so a retry must not broadcast a second time.
  if (dst_group && !broadcast_done.has(msg))
    netlink_broadcast(sk, netlink_skb_clone(skb), dst_portid, dst_group);
  const nonblock = (msg.msg_flags & MSG_DONTWAIT) !== 0;
  const ret = netlink_unicast(sk, skb, dst_portid, nonblock);
  if (dst_group) {
    if (ret === -EAGAIN && !nonblock) broadcast_done.add(msg);
    else broadcast_done.delete(msg);
  }
  return ret;
};
const fmt_netlink_sendmsg: Fmt<typeof netlink_sendmsg> = (_sock, _msg, len) => `len=${len}`;

const warned_zero = new WeakSet<Kernel>();
/** Messages whose broadcast part is done while their unicast part waits for room (see netlink_sendmsg). */
const broadcast_done = new WeakSet<MsgHdr>();

/** Mirrors netlink_recvmsg(). */
export let netlink_recvmsg = function netlink_recvmsg(
  sock: Socket,
  msg: MsgHdr,
  len: number,
  flags: number,
): number {
  const sk = nlk_sk(sock.sk!);
  if ((flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  const skb = skb_recv_datagram(sk, flags);
  if (typeof skb === 'number') {
    netlink_rcv_wake(sk);
    return skb;
  }
  // Capped at SKB_WITH_OVERHEAD(32768): 32 KiB less the skb_shared_info (320 bytes on x86-64).
  sk.max_recvmsg_len = Math.min(Math.max(sk.max_recvmsg_len, len), 32768 - 320);
  let copied = skb.len;
  if (len < copied) {
    msg.msg_flags |= MSG_TRUNC;
    copied = len;
  }
  skb_copy_datagram_msg(skb, 0, msg, copied, (flags & MSG_PEEK) === 0);
  const cb = NETLINK_CB(skb);
  msg.msg_name = sockaddr_nl(cb.portid, netlink_group_mask(cb.dst_group));
  msg.msg_namelen = SOCKADDR_NL_SIZE;
  if ((sk.flags & NETLINK_F_RECV_PKTINFO) !== 0)
    put_cmsg(msg, SOL_NETLINK, NETLINK_PKTINFO, u32_bytes(cb.dst_group));
  if ((flags & MSG_TRUNC) !== 0) copied = skb.len;
  skb_free_datagram(sk, skb, flags & MSG_PEEK);
  if (sk.cb_running && sk.sk_rmem_alloc <= sk.sk_rcvbuf / 2) {
    const ret = netlink_dump(sk);
    if (ret) {
      sk.sk_err = -ret;
      sk.sk_error_report(sk);
    }
  }
  netlink_rcv_wake(sk);
  return copied;
};
const fmt_netlink_recvmsg: Fmt<typeof netlink_recvmsg> = (_sock, _msg, len, flags) =>
  `len=${len}, flags=0x${flags.toString(16)}`;

// ---- socket options -----------------------------------------------------------------------------------
const FLAG_OPTS: Record<number, number> = {
  [NETLINK_PKTINFO]: NETLINK_F_RECV_PKTINFO,
  [NETLINK_BROADCAST_ERROR]: NETLINK_F_BROADCAST_SEND_ERROR,
  [NETLINK_NO_ENOBUFS]: NETLINK_F_RECV_NO_ENOBUFS,
  [NETLINK_LISTEN_ALL_NSID]: NETLINK_F_LISTEN_ALL_NSID,
  [NETLINK_CAP_ACK]: NETLINK_F_CAP_ACK,
  [NETLINK_EXT_ACK]: NETLINK_F_EXT_ACK,
  [NETLINK_GET_STRICT_CHK]: NETLINK_F_STRICT_CHK,
};

/** Mirrors netlink_setsockopt(). */
export let netlink_setsockopt = function netlink_setsockopt(
  sock: Socket,
  level: number,
  optname: number,
  optval: Uint8Array,
): number {
  const sk = nlk_sk(sock.sk!);
  if (level !== SOL_NETLINK) return -ENOPROTOOPT;
  const val = optval.length >= 4 ? read_int(optval) : 0;
  switch (optname) {
    case NETLINK_ADD_MEMBERSHIP:
    case NETLINK_DROP_MEMBERSHIP: {
      if (!netlink_allowed(sock, NL_CFG_F_NONROOT_RECV)) return -EPERM;
      const err = netlink_realloc_groups(sk);
      if (err) return err;
      if (!val || (val >>> 0) - 1 >= sk.ngroups) return -EINVAL;
      if (optname === NETLINK_ADD_MEMBERSHIP && sk.netlink_bind !== null) {
        const e = sk.netlink_bind(sk.sk_net, val);
        if (e) return e;
      }
      netlink_update_socket_mc(sk, val, optname === NETLINK_ADD_MEMBERSHIP);
      if (optname === NETLINK_DROP_MEMBERSHIP && sk.netlink_unbind !== null)
        sk.netlink_unbind(sk.sk_net, val);
      return 0;
    }
    case NETLINK_LISTEN_ALL_NSID:
      if (!ns_capable(null, CAP_NET_BROADCAST)) return -EPERM;
      break;
    case NETLINK_PKTINFO:
    case NETLINK_BROADCAST_ERROR:
    case NETLINK_NO_ENOBUFS:
    case NETLINK_CAP_ACK:
    case NETLINK_EXT_ACK:
    case NETLINK_GET_STRICT_CHK:
      break;
    default:
      return -ENOPROTOOPT;
  }
  const bit = FLAG_OPTS[optname]!;
  if (val) sk.flags |= bit;
  else sk.flags &= ~bit;
  if (optname === NETLINK_NO_ENOBUFS && val) {
    sk.state &= ~NETLINK_S_CONGESTED;
    sk.wait_q?.wake_up();
  }
  return 0;
};

/**
 * Mirrors netlink_getsockopt(). NETLINK_LIST_MEMBERSHIPS copies the u32 words of the group bitmap that fit
 * in the caller's length and writes back the size the whole bitmap needs, ALIGN(BITS_TO_BYTES(ngroups), 4)
 * — more than it copied when the buffer is short; 0 before the socket ever had groups.
 */
export let netlink_getsockopt = function netlink_getsockopt(
  sock: Socket,
  level: number,
  optname: number,
  len: number,
): Uint8Array | GetsockoptResult | number {
  const sk = nlk_sk(sock.sk!);
  if (level !== SOL_NETLINK) return -ENOPROTOOPT;
  if (len < 0) return -EINVAL;
  if (optname === NETLINK_LIST_MEMBERSHIPS) {
    const full = ((Math.ceil(sk.ngroups / 8) + 3) & ~3) >>> 0;
    let pos = 0;
    for (; pos * 8 < sk.ngroups; pos += 4) if (len - pos < 4) break;
    const optval = new Uint8Array(pos);
    const dv = new DataView(optval.buffer);
    for (let i = 0; i < pos; i += 4) dv.setUint32(i, sk.groups![i / 4]!, true);
    return { optval, optlen: full };
  }
  const bit = FLAG_OPTS[optname];
  if (bit === undefined) return -ENOPROTOOPT;
  if (len < 4) return -EINVAL;
  return int_bytes((sk.flags & bit) !== 0 ? 1 : 0);
};

function netlink_ioctl(_sock: Socket, _cmd: number, _arg: number): number {
  return -515; // ENOIOCTLCMD: the generic layer turns it into ENOTTY
}

// ---- kernel sockets -----------------------------------------------------------------------------------
/**
 * Mirrors __netlink_kernel_create(): a portid-0 socket whose input runs synchronously, and the table
 * entry filled (or its registered count raised). Returns null on failure. ksock's af_netlink is a module,
 * so the kernel socket pins it (its ops owner) like any socket; Linux's is built in.
 */
export let __netlink_kernel_create = function __netlink_kernel_create(
  net: Net,
  unit: number,
  module: Module | null,
  cfg: NetlinkKernelCfg | null,
): NetlinkSock | null {
  if (unit < 0 || unit >= MAX_LINKS) return null;
  const st = state_of(net.kernel);
  const sock = sock_create_lite(PF_NETLINK, SOCK_DGRAM, unit);
  if (typeof sock === 'number') return null;
  if (__netlink_create(net, sock, unit, true) < 0) {
    sock.ops = null;
    sock_release(sock);
    return null;
  }
  __module_get(st.ops.owner);
  const sk = nlk_sk(sock.sk!);
  const groups = cfg === null || (cfg.groups ?? 0) < 32 ? 32 : cfg.groups!;
  const listeners = new Uint32Array(nlgrp_words(groups));
  sk.sk_data_ready = netlink_data_ready;
  if (cfg?.input) sk.netlink_rcv = cfg.input;
  if (netlink_insert(sk, 0)) {
    sock_release(sock);
    return null;
  }
  sk.flags |= NETLINK_F_KERNEL_SOCKET;
  const tbl = st.nl_table[unit]!;
  if (!tbl.registered) {
    tbl.groups = groups;
    tbl.listeners = listeners;
    tbl.module = module;
    if (cfg !== null) {
      tbl.bind = cfg.bind ?? null;
      tbl.unbind = cfg.unbind ?? null;
      tbl.release = cfg.release ?? null;
      tbl.compare = cfg.compare ?? null;
      tbl.flags = cfg.flags ?? 0;
    }
    tbl.registered = 1;
  } else {
    tbl.registered++;
  }
  return sk;
};
const fmt___netlink_kernel_create: Fmt<typeof __netlink_kernel_create> = (_net, unit) => `unit=${unit}`;

function netlink_data_ready(_sk: Sock): void {
  throw new Error('ksock: BUG: data queued on a netlink kernel socket');
}

/** Mirrors netlink_kernel_create(net, unit, cfg); `cfg.module` is the caller's THIS_MODULE. */
export function netlink_kernel_create(
  net: Net,
  unit: number,
  cfg: NetlinkKernelCfg | null,
): NetlinkSock | null {
  return __netlink_kernel_create(net, unit, cfg?.module ?? null, cfg);
}

/** Mirrors netlink_kernel_release(). */
export let netlink_kernel_release = function netlink_kernel_release(sk: NetlinkSock | null): void {
  if (sk === null || sk.sk_socket === null) return;
  sock_release(sk.sk_socket);
};

/** Mirrors netlink_register_notifier(): NETLINK_URELEASE when a bound user socket goes away. */
export function netlink_register_notifier(kernel: Kernel, fn: NetlinkNotifier): () => void {
  const list = state_of(kernel).notifiers;
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Mirrors netlink_ns_capable() / netlink_net_capable(): opener (unless addressed) and sender. */
export function netlink_net_capable(skb: SkBuff, cap: number): boolean {
  const nsp = NETLINK_CB(skb);
  const opener = (nsp.flags & NETLINK_SKB_DST) !== 0 || (nsp.sk?.f_cred?.cap_effective.has(cap) ?? true);
  return opener && ns_capable(null, cap);
}

// ---- generic request path ---------------------------------------------------------------------------
/**
 * Mirrors netlink_ack(): NLMSG_ERROR to the requester. Errors carry the request back unless it set
 * NETLINK_CAP_ACK (then NLM_F_CAPPED, as every success carries); NETLINK_EXT_ACK adds TLVs.
 * `in_skb` is the request (its owner, the kernel socket, sends the reply).
 */
export let netlink_ack = function netlink_ack(
  in_skb: SkBuff,
  req: Uint8Array,
  err: number,
  extack: NetlinkExtAck | null,
): void {
  const ncb = NETLINK_CB(in_skb);
  const nlk = ncb.sk!;
  const nlh = nlmsg_hdr(req);
  let flags = 0;
  let payload = NLMSGERR_SIZE;
  if (err && (nlk.flags & NETLINK_F_CAP_ACK) === 0) payload += nlh.nlmsg_len - NLMSG_HDRLEN;
  else flags |= NLM_F_CAPPED;
  const tlvlen = netlink_ack_tlv_len(nlk, err, extack);
  if (tlvlen) flags |= NLM_F_ACK_TLVS;
  const skb = nlmsg_new(payload + tlvlen);
  const rep = nlmsg_put(skb, ncb.portid, nlh.nlmsg_seq, NLMSG_ERROR, NLMSGERR_SIZE, flags);
  // struct nlmsgerr: the error, then a copy of the request's header.
  const errmsg = rep + NLMSG_HDRLEN;
  put_unaligned_le32(skb.data, errmsg, err);
  skb.data.set(req.subarray(0, NLMSG_HDRLEN), errmsg + 4);
  if ((flags & NLM_F_CAPPED) === 0) {
    const p = nlmsg_append(skb, nlh.nlmsg_len - NLMSG_HDRLEN);
    skb.data.set(req.subarray(NLMSG_HDRLEN, nlh.nlmsg_len), p);
  }
  if (tlvlen) netlink_ack_tlv_fill(skb, err, extack!);
  nlmsg_end(skb, rep);
  const ssk = in_skb.sk as NetlinkSock;
  netlink_unicast(ssk, nlmsg_new_skb(skb_bytes(skb)), ncb.portid, true);
};

/** Mirrors netlink_ack_tlv_len(): room for the NETLINK_EXT_ACK attributes netlink_ack_tlv_fill() puts. */
function netlink_ack_tlv_len(nlk: NetlinkSock, err: number, extack: NetlinkExtAck | null): number {
  if (extack === null || (nlk.flags & NETLINK_F_EXT_ACK) === 0) return 0;
  let tlvlen = 0;
  if (extack._msg !== null) tlvlen += nla_total_size(strlen(extack._msg) + 1);
  if (err && extack.bad_attr_offs >= 0) tlvlen += nla_total_size(4);
  if (err && extack.policy !== null) tlvlen += nla_total_size(extack.policy.length);
  return tlvlen;
}

/**
 * Mirrors netlink_ack_tlv_fill(): NLMSGERR_ATTR_MSG, and for an error the offending attribute's offset
 * (NLMSGERR_ATTR_OFFS) and its policy (NLMSGERR_ATTR_POLICY). The buffer was sized by netlink_ack_tlv_len(), so the puts cannot fail.
 */
function netlink_ack_tlv_fill(skb: NlSkb, err: number, extack: NetlinkExtAck): void {
  if (extack._msg !== null) nla_put_string(skb, NLMSGERR_ATTR_MSG, extack._msg);
  if (!err) return;
  if (extack.bad_attr_offs >= 0) nla_put_u32(skb, NLMSGERR_ATTR_OFFS, extack.bad_attr_offs);
  if (extack.policy !== null)
    nla_put(skb, NLMSGERR_ATTR_POLICY | NLA_F_NESTED, extack.policy.length, extack.policy);
}
const fmt_netlink_ack: Fmt<typeof netlink_ack> = (_skb, _req, err) => `err=${err}`;

/** The per-message handler netlink_rcv_skb() calls: `msg` is the whole message, header included. */
export type NetlinkRcvMsg = (skb: SkBuff, nlh: NlMsgHdr, msg: Uint8Array, extack: NetlinkExtAck) => number;

/**
 * Mirrors netlink_rcv_skb(): each request in the datagram to `cb`; a malformed header ends the walk
 * silently; non-requests and control types are only ACKed (if asked); -EINTR (a dump started) is never
 * ACKed; any other error, or NLM_F_ACK, is.
 */
export let netlink_rcv_skb = function netlink_rcv_skb(skb: SkBuff, cb: NetlinkRcvMsg): number {
  const data = skb.data;
  let off = 0;
  while (data.length - off >= NLMSG_HDRLEN) {
    const extack = new NetlinkExtAck();
    const nlh = nlmsg_hdr(data, off);
    let err = 0;
    if (nlh.nlmsg_len < NLMSG_HDRLEN || data.length - off < nlh.nlmsg_len) return 0;
    // The usual datagram is one whole message: hand it on as it is. A view (subarray) of a small array
    // makes V8 move the array's bytes off the heap, which costs more than the message's handling.
    const msg = off === 0 && nlh.nlmsg_len === data.length ? data : data.subarray(off, off + nlh.nlmsg_len);
    let skip = false;
    if ((nlh.nlmsg_flags & NLM_F_REQUEST) !== 0 && nlh.nlmsg_type >= NLMSG_MIN_TYPE) {
      err = cb(skb, nlh, msg, extack);
      if (err === -EINTR) skip = true;
    }
    if (!skip && ((nlh.nlmsg_flags & NLM_F_ACK) !== 0 || err)) netlink_ack(skb, msg, err, extack);
    let msglen = NLMSG_ALIGN(nlh.nlmsg_len);
    if (msglen > data.length - off) msglen = data.length - off;
    off += msglen;
  }
  return 0;
};

/**
 * Mirrors __netlink_dump_start(): find the requester (ECONNREFUSED), one dump at a time (EBUSY), pin the
 * dump's module (EPROTONOSUPPORT), start, run the first step; -EINTR means "started, do not ACK".
 */
export let netlink_dump_start = function netlink_dump_start(
  ssk: NetlinkSock,
  skb: SkBuff,
  msg: Uint8Array,
  control: NetlinkDumpControl,
): number {
  const sk = netlink_lookup(ssk.sk_net, ssk.sk_protocol, NETLINK_CB(skb).portid);
  if (sk === null) return -ECONNREFUSED;
  if (sk.cb_running) {
    sock_put(sk);
    return -EBUSY;
  }
  const module = control.module ?? null;
  if (!try_module_get(module)) {
    sock_put(sk);
    return -EPROTONOSUPPORT;
  }
  if (sk.cb === null) sk.cb = new NetlinkCallback();
  const cb = sk.cb;
  cb.dump = control.dump;
  cb.done = control.done ?? null;
  cb.nlh = nlmsg_hdr(msg);
  // cb->nlh points into the request skb held below; its bytes (copied from the sender by sendmsg) are
  // never written again, so the dump reads them in place.
  cb.req = msg;
  cb.data = control.data ?? null;
  cb.module = module;
  cb.min_dump_alloc = control.min_dump_alloc ?? 0;
  cb.flags = control.flags ?? 0;
  // The request stays referenced for the dump's life (refcount_inc(&skb->users)): keep its owner.
  const held = netlink_skb_clone(skb);
  held.sk = skb.sk;
  cb.skb = held;
  cb.answer_flags = 0;
  cb.seq = 0;
  cb.args.fill(0);
  cb.strict_check = (NETLINK_CB(skb).sk!.flags & NETLINK_F_STRICT_CHK) !== 0;
  if (control.start) {
    const ret = control.start(cb);
    if (ret) {
      module_put(module);
      sock_put(sk);
      return ret;
    }
  }
  sk.cb_running = true;
  sk.dump_done_errno = 0x7fffffff;
  const ret = netlink_dump(sk);
  sock_put(sk);
  if (ret) return ret;
  return -EINTR;
};

/**
 * The storage dump steps fill, lent to one step at a time. alloc_skb() does not clear the buffer it
 * returns, and each step hands on only the bytes it wrote (a copy cut to the tail), so one array serves
 * every step; a step that runs while the array is lent out (a dump callback that starts another dump)
 * gets a fresh one. Only storage up to DUMP_STORAGE_KEEP bytes (the largest recvmsg-driven size) is
 * kept: a dump with a larger min_dump_alloc does not pin its buffer after it is done.
 */
let dump_storage: Uint8Array | null = null;
const DUMP_STORAGE_KEEP = 32768;

/**
 * Mirrors netlink_dump(): one buffer per step (max(min_dump_alloc, NLMSG_GOODSIZE), or the reader's
 * largest recvmsg length if bigger); ENOBUFS when the reader's buffer is full; -EMSGSIZE from the
 * callback with something written means "full, more to come" (the step's length); NLMSG_DONE with the
 * final status once the callback has nothing more (in the same buffer when it fits).
 */
export let netlink_dump = function netlink_dump(sk: NetlinkSock): number {
  const cb = sk.cb;
  if (!sk.cb_running || cb === null) return -EINVAL;
  const alloc_min_size = Math.max(cb.min_dump_alloc, NLMSG_GOODSIZE);
  const alloc_size = Math.max(alloc_min_size, sk.max_recvmsg_len);
  const truesize = SKB_TRUESIZE(SKB_DATA_ALIGN(alloc_size));
  sk.sk_rmem_alloc += truesize;
  const rmem = sk.sk_rmem_alloc;
  if (rmem !== truesize && rmem >= sk.sk_rcvbuf) {
    sk.sk_rmem_alloc -= truesize;
    return -ENOBUFS;
  }
  let storage = dump_storage;
  dump_storage = null;
  if (storage === null || storage.length < alloc_size) storage = new Uint8Array(alloc_size);
  const skb = new NlDumpSkb(sk, storage, alloc_size);
  if (sk.dump_done_errno > 0) {
    cb.extack = new NetlinkExtAck();
    sk.dump_done_errno = cb.dump!(skb, cb);
    if (sk.dump_done_errno === -EMSGSIZE && skb.len) sk.dump_done_errno = skb.len;
    cb.extack = null;
  }
  const more = sk.dump_done_errno > 0 || skb_tailroom(skb) < nlmsg_total_size(4);
  // netlink_dump_done(): NLMSG_DONE carrying the final status.
  if (!more) netlink_dump_done(sk, skb, cb);
  const out = new SkBuff(skb_bytes(skb), truesize);
  if (storage.length <= DUMP_STORAGE_KEEP) dump_storage = storage;
  out.cb = new NetlinkSkbParms();
  netlink_skb_set_owner_r(out, sk);
  __netlink_sendskb(sk, out);
  if (more) return 0;
  cb.done?.(cb);
  sk.cb_running = false;
  const module = cb.module;
  cb.skb = null;
  cb.module = null;
  module_put(module);
  return 0;
};

/** Mirrors netlink_dump_done(): NLMSG_DONE whose payload is the dump's final status (an int). */
function netlink_dump_done(sk: NetlinkSock, skb: NlSkb, cb: NetlinkCallback): void {
  const nlh = nlmsg_put_answer(skb, cb, NLMSG_DONE, 4, NLM_F_MULTI | cb.answer_flags);
  put_unaligned_le32(skb.data, nlh + NLMSG_HDRLEN, sk.dump_done_errno);
}

/** Mirrors nlmsg_put_answer(): nlmsg_put() of a message to the dump's requester, with its seq. */
export function nlmsg_put_answer(
  skb: NlSkb,
  cb: NetlinkCallback,
  type: number,
  payload: number,
  flags: number,
): number {
  return nlmsg_put(skb, NETLINK_CB(cb.skb!).portid, cb.nlh.nlmsg_seq, type, payload, flags);
}

/** A whole message to the dump's requester (nlmsg_put_answer() into a buffer of its own size). */
export function nlmsg_answer(
  cb: NetlinkCallback,
  type: number,
  flags: number,
  payload: Uint8Array,
): Uint8Array {
  const skb = nlmsg_new(payload.length);
  const nlh = nlmsg_put_answer(skb, cb, type, payload.length, flags);
  skb.data.set(payload, nlh + NLMSG_HDRLEN);
  return skb.data;
}

// ---- /proc/net/netlink --------------------------------------------------------------------------------
function sk_id(st: State, sk: Sock): number {
  let id = st.sk_ids.get(sk);
  if (id === undefined) {
    id = ++st.next_id;
    st.sk_ids.set(sk, id);
  }
  return id;
}

/** Mirrors netlink_seq_show(): the hashed sockets of the reader's namespace, protocol by protocol. */
function proc_netlink(kernel: Kernel, net: Net): string {
  const st = state_of(kernel);
  let out = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n';
  for (let p = 0; p < MAX_LINKS; p++) {
    const m = st.nl_table[p]!.hash.get(net);
    if (m === undefined) continue;
    for (const sk of m.values()) {
      // %pK: a hashed pointer; ksock prints a stable per-socket number in its place.
      const ptr = (0x5a000000 + sk_id(st, sk) * 0x40).toString(16).padStart(16, '0');
      const groups = sk.groups !== null ? sk.groups[0]! : 0;
      out += `${ptr} ${String(p).padEnd(3)} ${String(sk.portid >>> 0).padEnd(10)} ${groups.toString(16).padStart(8, '0')} ${String(sk.sk_rmem_alloc).padEnd(8)} ${String(sk.sk_wmem_alloc - 1).padEnd(8)} ${String(sk.cb_running ? 1 : 0).padEnd(5)} ${String(sk.sk_refcnt).padEnd(8)} ${String(sk.sk_drops).padEnd(8)} ${String(sk.sk_socket?.inode.i_ino ?? 0).padEnd(8)}\n`;
    }
  }
  return out;
}

// ---- module -------------------------------------------------------------------------------------------
/**
 * Mirrors netlink_proto_init(): nl_table, proto_register(netlink_proto), sock_register(netlink_family_ops),
 * NETLINK_USERSOCK pre-registered (netlink_add_usersock_entry), /proc/net/netlink.
 */
export function netlink_proto_init(kernel: Kernel, mod: Module): number {
  const nl_table: NetlinkTable[] = [];
  for (let i = 0; i < MAX_LINKS; i++) nl_table.push(new NetlinkTable());
  const proto: Proto = { name: 'NETLINK', owner: mod, obj_size: NETLINK_SOCK_SIZE, sk_class: NetlinkSock };
  const ops: ProtoOps = {
    family: PF_NETLINK,
    owner: mod,
    release: netlink_release,
    bind: netlink_bind,
    connect: netlink_connect,
    socketpair: sock_no_socketpair,
    accept: sock_no_accept,
    getname: netlink_getname,
    // netlink_ops.poll in Linux 6.18 is datagram_poll itself: the netlink_poll() that pumped a dump from
    // poll() served the mmap()ed rings removed in 4.6; a dump now continues from netlink_recvmsg().
    poll: datagram_poll,
    listen: sock_no_listen,
    shutdown: sock_no_shutdown,
    sendmsg: netlink_sendmsg,
    recvmsg: netlink_recvmsg,
    ioctl: netlink_ioctl,
    setsockopt: netlink_setsockopt,
    getsockopt: netlink_getsockopt,
  };
  const family: NetProtoFamily = { family: PF_NETLINK, create: netlink_create, owner: mod };
  const st: State = {
    nl_table,
    ops,
    proto,
    family,
    mod,
    notifiers: [],
    remove_proc: null,
    sk_ids: new WeakMap(),
    next_id: 0,
  };
  const unwind = new Unwind();
  let err = proto_register(kernel, proto, false);
  if (err) return err; // goto out
  unwind.push(() => proto_unregister(kernel, proto));
  states.set(kernel, st);
  unwind.push(() => states.delete(kernel));
  err = sock_register(kernel, family);
  if (err) return unwind.fail(err);
  // netlink_add_usersock_entry(): no kernel socket, unprivileged senders allowed.
  const us = nl_table[NETLINK_USERSOCK]!;
  us.groups = 32;
  us.listeners = new Uint32Array(nlgrp_words(32));
  us.module = mod;
  us.registered = 1;
  us.flags = NL_CFG_F_NONROOT_SEND;
  st.remove_proc = kernel.proc.create_net('netlink', (net) => proc_netlink(kernel, net));
  return 0;
}

function netlink_proto_exit(kernel: Kernel): void {
  const st = state_of(kernel);
  st.remove_proc?.();
  sock_unregister(kernel, PF_NETLINK);
  proto_unregister(kernel, st.proto);
  states.delete(kernel);
}

/** The af_netlink module (modular here; built into Linux). */
export const af_netlink_module = defineModule({
  name: 'af_netlink',
  version: pkg.version,
  aliases: ['net-pf-16'],
  abi: '1.0',
  description: 'PF_NETLINK protocol family',
  license: 'MIT',
  init: netlink_proto_init,
  exit: netlink_proto_exit,
});

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(netlink_lookup, 'netlink_lookup', fmt_netlink_lookup, (f) => {
  netlink_lookup = f;
});
tracepoint(netlink_insert, 'netlink_insert', fmt_netlink_insert, (f) => {
  netlink_insert = f;
});
tracepoint(netlink_autobind, 'netlink_autobind', undefined, (f) => {
  netlink_autobind = f;
});
tracepoint(__netlink_create, '__netlink_create', fmt___netlink_create, (f) => {
  __netlink_create = f;
});
tracepoint(netlink_create, 'netlink_create', fmt_netlink_create, (f) => {
  netlink_create = f;
});
tracepoint(netlink_release, 'netlink_release', fmt_netlink_release, (f) => {
  netlink_release = f;
});
tracepoint(netlink_bind, 'netlink_bind', fmt_netlink_bind, (f) => {
  netlink_bind = f;
});
tracepoint(netlink_connect, 'netlink_connect', undefined, (f) => {
  netlink_connect = f;
});
tracepoint(netlink_getname, 'netlink_getname', undefined, (f) => {
  netlink_getname = f;
});
tracepoint(netlink_unicast_kernel, 'netlink_unicast_kernel', undefined, (f) => {
  netlink_unicast_kernel = f;
});
tracepoint(netlink_unicast, 'netlink_unicast', fmt_netlink_unicast, (f) => {
  netlink_unicast = f;
});
tracepoint(netlink_broadcast_filtered, 'netlink_broadcast_filtered', fmt_netlink_broadcast_filtered, (f) => {
  netlink_broadcast_filtered = f;
});
tracepoint(netlink_sendmsg, 'netlink_sendmsg', fmt_netlink_sendmsg, (f) => {
  netlink_sendmsg = f;
});
tracepoint(netlink_recvmsg, 'netlink_recvmsg', fmt_netlink_recvmsg, (f) => {
  netlink_recvmsg = f;
});
tracepoint(netlink_setsockopt, 'netlink_setsockopt', undefined, (f) => {
  netlink_setsockopt = f;
});
tracepoint(netlink_getsockopt, 'netlink_getsockopt', undefined, (f) => {
  netlink_getsockopt = f;
});
tracepoint(__netlink_kernel_create, '__netlink_kernel_create', fmt___netlink_kernel_create, (f) => {
  __netlink_kernel_create = f;
});
tracepoint(netlink_kernel_release, 'netlink_kernel_release', undefined, (f) => {
  netlink_kernel_release = f;
});
tracepoint(netlink_ack, 'netlink_ack', fmt_netlink_ack, (f) => {
  netlink_ack = f;
});
tracepoint(netlink_rcv_skb, 'netlink_rcv_skb', undefined, (f) => {
  netlink_rcv_skb = f;
});
tracepoint(netlink_dump_start, 'netlink_dump_start', undefined, (f) => {
  netlink_dump_start = f;
});
tracepoint(netlink_dump, 'netlink_dump', undefined, (f) => {
  netlink_dump = f;
});
