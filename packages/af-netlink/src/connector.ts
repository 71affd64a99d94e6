/**
 * NETLINK_CONNECTOR (drivers/connector/connector.c, cn_queue.c) and the process-events connector
 * (drivers/connector/cn_proc.c): struct cn_msg, cn_add_callback / cn_netlink_send, and proc_event
 * broadcasts to CN_IDX_PROC listeners, byte-exact with include/uapi/linux/connector.h and cn_proc.h.
 */
import { CAP_NET_ADMIN, EINVAL, EIO, ENODEV, ENOENT, ENOMEM, EPERM, ESRCH, type Kernel } from '@ksock/core';
import {
  defineModule,
  type Module,
  type Net,
  ns_capable,
  type ProcEvent,
  perKernel,
  register_proc_event_notifier,
  type SkBuff,
} from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import {
  NETLINK_CB,
  type NetlinkSkbParms,
  type NetlinkSock,
  netlink_broadcast_filtered,
  netlink_has_listeners,
  netlink_kernel_create,
  netlink_kernel_release,
  netlink_unicast,
  nlmsg_new_skb,
} from './af_netlink.js';
import {
  NETLINK_CONNECTOR,
  NL_CFG_F_NONROOT_RECV,
  NLMSG_DONE,
  NLMSG_HDRLEN,
  nlmsg,
  nlmsg_hdr,
} from './uapi.js';

// ---- include/uapi/linux/connector.h -------------------------------------------------------------------
export const CN_IDX_PROC = 0x1;
export const CN_VAL_PROC = 0x1;
export const CN_IDX_CIFS = 0x2;
export const CN_VAL_CIFS = 0x1;
export const CN_W1_IDX = 0x3;
export const CN_W1_VAL = 0x1;
export const CN_IDX_V86D = 0x4;
export const CN_VAL_V86D_UVESAFB = 0x1;
export const CN_IDX_BB = 0x5;
export const CN_DST_IDX = 0x6;
export const CN_DST_VAL = 0x1;
export const CN_IDX_DM = 0x7;
export const CN_VAL_DM_USERSPACE_LOG = 0x1;
export const CN_IDX_DRBD = 0x8;
export const CN_VAL_DRBD = 0x1;
export const CN_KVP_IDX = 0x9;
export const CN_KVP_VAL = 0x1;
export const CN_VSS_IDX = 0xa;
export const CN_VSS_VAL = 0x1;
export const CN_NETLINK_USERS = 12;
export const CONNECTOR_MAX_MSG_SIZE = 16384;
/** sizeof(struct cn_msg). */
export const CN_MSG_SIZE = 20;

// ---- include/uapi/linux/cn_proc.h ---------------------------------------------------------------------
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;

export const PROC_EVENT_NONE = 0x00000000;
export const PROC_EVENT_FORK = 0x00000001;
export const PROC_EVENT_EXEC = 0x00000002;
export const PROC_EVENT_UID = 0x00000004;
export const PROC_EVENT_GID = 0x00000040;
export const PROC_EVENT_SID = 0x00000080;
export const PROC_EVENT_PTRACE = 0x00000100;
export const PROC_EVENT_COMM = 0x00000200;
export const PROC_EVENT_NONZERO_EXIT = 0x20000000;
export const PROC_EVENT_COREDUMP = 0x40000000;
export const PROC_EVENT_EXIT = 0x80000000;
export const PROC_EVENT_ALL =
  (PROC_EVENT_FORK |
    PROC_EVENT_EXEC |
    PROC_EVENT_UID |
    PROC_EVENT_GID |
    PROC_EVENT_SID |
    PROC_EVENT_PTRACE |
    PROC_EVENT_COMM |
    PROC_EVENT_NONZERO_EXIT |
    PROC_EVENT_COREDUMP |
    PROC_EVENT_EXIT) >>>
  0;
/** sizeof(struct proc_event): what, cpu, timestamp_ns (aligned 8), the 24-byte union. */
export const PROC_EVENT_SIZE = 40;

/** struct cn_msg. */
export interface CnMsg {
  idx: number;
  val: number;
  seq: number;
  ack: number;
  /** u16: bytes of data. */
  len: number;
  flags: number;
  data: Uint8Array;
}

/** Encode struct cn_msg (20 bytes) followed by its data. */
export function encode_cn_msg(m: Omit<CnMsg, 'len'> & { len?: number }): Uint8Array {
  const out = new Uint8Array(CN_MSG_SIZE + m.data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, m.idx >>> 0, true);
  dv.setUint32(4, m.val >>> 0, true);
  dv.setUint32(8, m.seq >>> 0, true);
  dv.setUint32(12, m.ack >>> 0, true);
  dv.setUint16(16, m.len ?? m.data.length, true);
  dv.setUint16(18, m.flags, true);
  out.set(m.data, CN_MSG_SIZE);
  return out;
}

/** Decode struct cn_msg (data is what follows the header, up to `len` bytes when present). */
export function decode_cn_msg(b: Uint8Array): CnMsg {
  const dv = new DataView(b.buffer, b.byteOffset, CN_MSG_SIZE);
  const len = dv.getUint16(16, true);
  return {
    idx: dv.getUint32(0, true),
    val: dv.getUint32(4, true),
    seq: dv.getUint32(8, true),
    ack: dv.getUint32(12, true),
    len,
    flags: dv.getUint16(18, true),
    data: b.subarray(CN_MSG_SIZE, CN_MSG_SIZE + Math.min(len, b.length - CN_MSG_SIZE)),
  };
}

/** A decoded struct proc_event. */
export interface ProcEventMsg {
  what: number;
  cpu: number;
  timestamp_ns: bigint;
  /** The six u32 words of the union (unused ones 0), as event_data lays them out. */
  data: number[];
  /** event_data.comm.comm for PROC_EVENT_COMM. */
  comm?: string;
}

export function decode_proc_event(b: Uint8Array): ProcEventMsg {
  const dv = new DataView(b.buffer, b.byteOffset, PROC_EVENT_SIZE);
  const data: number[] = [];
  for (let i = 0; i < 6; i++) data.push(dv.getUint32(16 + i * 4, true));
  const ev: ProcEventMsg = {
    what: dv.getUint32(0, true),
    cpu: dv.getUint32(4, true),
    timestamp_ns: dv.getBigUint64(8, true),
    data,
  };
  if (ev.what === PROC_EVENT_COMM) {
    const c = b.subarray(24, 40);
    const end = c.indexOf(0);
    ev.comm = new TextDecoder().decode(c.subarray(0, end < 0 ? 16 : end));
  }
  return ev;
}

// ---- connector core -----------------------------------------------------------------------------------
export type CnCallback = (msg: CnMsg, nsp: NetlinkSkbParms) => void;

interface CnCallbackEntry {
  name: string;
  idx: number;
  val: number;
  callback: CnCallback;
}

interface CnState {
  mod: Module;
  nls: NetlinkSock;
  callbacks: CnCallbackEntry[];
  remove_proc: () => void;
  // cn_proc
  num_listeners: number;
  seq_counter: number;
  unreg_proc: () => void;
  boot_ms: number;
}
const states = perKernel<CnState>();

/** The connector's kernel socket (cdev.nls), or null when the module is not loaded. */
export function cn_nls(kernel: Kernel): NetlinkSock | null {
  return states.get(kernel)?.nls ?? null;
}

/** Mirrors cn_add_callback(): EEXIST-like refusal is reported as -EINVAL for a duplicate id. */
export function cn_add_callback(
  kernel: Kernel,
  idx: number,
  val: number,
  name: string,
  callback: CnCallback,
): number {
  const st = states.get(kernel);
  if (st === undefined) return -ENODEV;
  for (const c of st.callbacks) if (c.idx === idx && c.val === val) return -EINVAL;
  st.callbacks.push({ name, idx, val, callback });
  return 0;
}

/** Mirrors cn_del_callback(). */
export function cn_del_callback(kernel: Kernel, idx: number, val: number): void {
  const st = states.get(kernel);
  if (st === undefined) return;
  const i = st.callbacks.findIndex((c) => c.idx === idx && c.val === val);
  if (i >= 0) st.callbacks.splice(i, 1);
}

export type CnFilter = (dsk: NetlinkSock, skb: SkBuff, data: unknown) => boolean;

/**
 * Mirrors cn_netlink_send_mult(): the group registered for msg's id when neither portid nor group is given
 * (ENODEV), ESRCH when nobody listens to a group, then one NLMSG_DONE message (seq = cn_msg.seq, pid 0)
 * broadcast to the group (with the filter) or unicast to `portid`.
 */
export function cn_netlink_send_mult(
  kernel: Kernel,
  msg: CnMsg,
  portid: number,
  __group: number,
  filter: CnFilter | null = null,
  filter_data: unknown = null,
): number {
  const st = states.get(kernel);
  if (st === undefined) return -ENODEV;
  let group = 0;
  if (portid || __group) group = __group;
  else {
    const found = st.callbacks.find((c) => c.idx === msg.idx && c.val === msg.val);
    if (found === undefined) return -ENODEV;
    group = found.idx;
  }
  if (!portid && !netlink_has_listeners(st.nls, group)) return -ESRCH;
  const data = nlmsg(NLMSG_DONE, 0, msg.seq, 0, encode_cn_msg(msg));
  const skb = nlmsg_new_skb(data);
  NETLINK_CB(skb).dst_group = group;
  if (group) return netlink_broadcast_filtered(st.nls, skb, portid, group, filter, filter_data);
  return netlink_unicast(st.nls, skb, portid, true);
}

/** Mirrors cn_netlink_send(). */
export function cn_netlink_send(kernel: Kernel, msg: CnMsg, portid: number, group: number): number {
  return cn_netlink_send_mult(kernel, msg, portid, group);
}

/**
 * Mirrors cn_rx_skb() + cn_call_callback(): only the first message is looked at; short, oversized or
 * inconsistent ones and unknown ids are dropped silently; the callback runs synchronously.
 */
function cn_rx_skb(kernel: Kernel, skb: SkBuff): void {
  const d = skb.data;
  if (d.length < NLMSG_HDRLEN) return;
  const nlh = nlmsg_hdr(d);
  const len = nlh.nlmsg_len - NLMSG_HDRLEN;
  if (len < CN_MSG_SIZE || d.length < nlh.nlmsg_len || len > CONNECTOR_MAX_MSG_SIZE) return;
  const msg = decode_cn_msg(d.subarray(NLMSG_HDRLEN, nlh.nlmsg_len));
  if (nlh.nlmsg_len < NLMSG_HDRLEN + CN_MSG_SIZE + msg.len) return;
  const st = states.get(kernel)!;
  const cbq = st.callbacks.find((c) => c.idx === msg.idx && c.val === msg.val);
  if (cbq === undefined) return;
  cbq.callback(msg, NETLINK_CB(skb));
}

/** Mirrors cn_bind(): CAP_NET_ADMIN, or a group number with bit (CN_IDX_PROC − 1) set (odd groups). */
function cn_bind(_net: Net, group: number): number {
  if (ns_capable(null, CAP_NET_ADMIN)) return 0;
  if ((group >>> (CN_IDX_PROC - 1)) & 1) return 0;
  return -EPERM;
}

/** Mirrors cn_release(): a member of group CN_IDX_PROC loses its proc_input. */
function cn_release(sk: NetlinkSock, groups: Uint32Array | null): void {
  if (groups !== null && (groups[0]! & (1 << (CN_IDX_PROC - 1))) !== 0) sk.sk_user_data = null;
}

/** Mirrors cn_proc_show(): /proc/net/connector. */
function cn_proc_show(kernel: Kernel): string {
  const st = states.get(kernel);
  let out = 'Name            ID\n';
  if (st === undefined) return out;
  for (const c of st.callbacks) out += `${c.name.padEnd(15)} ${c.idx >>> 0}:${c.val >>> 0}\n`;
  return out;
}

// ---- cn_proc ------------------------------------------------------------------------------------------
/** The per-socket state cn_proc keeps in sk_user_data (struct proc_input). */
export interface ProcInput {
  mcast_op: number;
  event_type: number;
}

function valid_event(ev: number): number {
  return (ev & PROC_EVENT_ALL) >>> 0;
}

/** Mirrors cn_filter(): true drops the event for this receiver. */
function cn_filter(dsk: NetlinkSock, _skb: SkBuff, data: unknown): boolean {
  const pi = dsk.sk_user_data as ProcInput | null;
  if (pi === null || data === null) return false;
  const [what, exit_code] = data as [number, number];
  const val = pi.event_type >>> 0;
  if (pi.mcast_op === PROC_CN_MCAST_IGNORE) return true;
  if (val === PROC_EVENT_ALL) return false;
  if ((val & PROC_EVENT_NONZERO_EXIT) !== 0 && what === PROC_EVENT_EXIT && exit_code !== 0) return false;
  if ((val & what) >>> 0 !== 0) return false;
  return true;
}

/**
 * Mirrors send_msg(): cn_msg.seq becomes the per-CPU counter (before increment), proc_event.cpu the
 * current CPU (ksock has one: 0), then broadcast to CN_IDX_PROC through cn_filter.
 */
function send_msg(
  st: CnState,
  kernel: Kernel,
  ev: Uint8Array,
  ack: number,
  what: number,
  exit_code: number,
): void {
  const seq = st.seq_counter;
  st.seq_counter = (st.seq_counter + 1) >>> 0;
  new DataView(ev.buffer, ev.byteOffset).setUint32(4, 0, true);
  const msg: CnMsg = {
    idx: CN_IDX_PROC,
    val: CN_VAL_PROC,
    seq,
    ack,
    len: PROC_EVENT_SIZE,
    flags: 0,
    data: ev,
  };
  cn_netlink_send_mult(kernel, msg, 0, CN_IDX_PROC, cn_filter, [what >>> 0, exit_code]);
}

function timestamp_ns(st: CnState): bigint {
  return BigInt(Math.round((performance.now() - st.boot_ms) * 1e6));
}

function new_event(st: CnState, what: number): { ev: Uint8Array; dv: DataView } {
  const ev = new Uint8Array(PROC_EVENT_SIZE);
  const dv = new DataView(ev.buffer);
  dv.setUint32(0, what >>> 0, true);
  dv.setBigUint64(8, timestamp_ns(st), true);
  return { ev, dv };
}

/** The proc_*_connector() hooks: one proc_event per core process event while someone listens. */
function proc_event_connector(kernel: Kernel, e: ProcEvent): void {
  const st = states.get(kernel);
  if (st === undefined || st.num_listeners < 1) return;
  let what = 0;
  let exit_code = 0;
  let ev: Uint8Array;
  let dv: DataView;
  const put = (words: number[]) => {
    for (let i = 0; i < words.length; i++) dv.setUint32(16 + i * 4, words[i]! >>> 0, true);
  };
  switch (e.what) {
    case 'fork':
      what = PROC_EVENT_FORK;
      ({ ev, dv } = new_event(st, what));
      put([e.parent.pid, e.parent.pid, e.child.pid, e.child.pid]);
      break;
    case 'exec':
      what = PROC_EVENT_EXEC;
      ({ ev, dv } = new_event(st, what));
      put([e.task.pid, e.task.pid]);
      break;
    case 'uid':
      what = PROC_EVENT_UID;
      ({ ev, dv } = new_event(st, what));
      put([e.task.pid, e.task.pid, e.ruid, e.euid]);
      break;
    case 'gid':
      what = PROC_EVENT_GID;
      ({ ev, dv } = new_event(st, what));
      put([e.task.pid, e.task.pid, e.rgid, e.egid]);
      break;
    case 'sid':
      what = PROC_EVENT_SID;
      ({ ev, dv } = new_event(st, what));
      put([e.task.pid, e.task.pid]);
      break;
    case 'comm': {
      what = PROC_EVENT_COMM;
      ({ ev, dv } = new_event(st, what));
      put([e.task.pid, e.task.pid]);
      const c = new TextEncoder().encode(e.comm).subarray(0, 15);
      ev.set(c, 24);
      break;
    }
    case 'exit': {
      what = PROC_EVENT_EXIT;
      exit_code = e.exit_code;
      ({ ev, dv } = new_event(st, what));
      const parent = e.task.parent;
      put([e.task.pid, e.task.pid, e.exit_code, e.exit_signal, parent?.pid ?? 0, parent?.pid ?? 0]);
      break;
    }
    default:
      return;
  }
  send_msg(st, kernel, ev, 0, what, exit_code);
}

/** Mirrors cn_proc_ack(): what = NONE, ack.err = the positive errno, cn_msg.ack = received ack + 1. */
function cn_proc_ack(kernel: Kernel, st: CnState, err: number, rcvd_ack: number): void {
  if (st.num_listeners < 1) return;
  const { ev, dv } = new_event(st, PROC_EVENT_NONE);
  dv.setUint32(16, err >>> 0, true);
  send_msg(st, kernel, ev, (rcvd_ack + 1) >>> 0, PROC_EVENT_NONE, 0);
}

/**
 * Mirrors cn_proc_mcast_ctl(): LISTEN/IGNORE from a socket (u32 op, or struct proc_input with a mask),
 * the per-socket state, the global listener count (and its leak when a LISTENer closes without IGNORE),
 * then the ack. Other lengths are ignored without an ack.
 */
function cn_proc_mcast_ctl(kernel: Kernel, msg: CnMsg, nsp: NetlinkSkbParms): void {
  const st = states.get(kernel)!;
  let mc_op: number;
  let ev_type: number;
  const dv = new DataView(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
  if (msg.len === 8 && msg.data.length >= 8) {
    mc_op = dv.getUint32(0, true);
    ev_type = dv.getUint32(4, true);
  } else if (msg.len === 4 && msg.data.length >= 4) {
    mc_op = dv.getUint32(0, true);
    ev_type = PROC_EVENT_ALL;
  } else return;
  ev_type = valid_event(ev_type);
  if (ev_type === PROC_EVENT_NONE) ev_type = PROC_EVENT_ALL;
  let err = 0;
  let initial = false;
  let prev_mc_op = 0;
  const sk = nsp.sk;
  let pi: ProcInput | null = null;
  if (sk !== null) {
    pi = sk.sk_user_data as ProcInput | null;
    if (pi === null) {
      pi = { mcast_op: 0, event_type: 0 };
      sk.sk_user_data = pi;
      initial = true;
    } else prev_mc_op = pi.mcast_op;
    pi.event_type = ev_type;
    pi.mcast_op = mc_op;
  }
  switch (mc_op) {
    case PROC_CN_MCAST_LISTEN:
      if (initial || prev_mc_op !== PROC_CN_MCAST_LISTEN) st.num_listeners++;
      break;
    case PROC_CN_MCAST_IGNORE:
      if (!initial && prev_mc_op !== PROC_CN_MCAST_IGNORE) st.num_listeners--;
      if (pi !== null) pi.event_type = PROC_EVENT_NONE;
      break;
    default:
      err = EINVAL;
      break;
  }
  if (sk === null && err === 0) err = ENOMEM;
  cn_proc_ack(kernel, st, err, msg.ack);
}

/** Global listener count of cn_proc (proc_event_num_listeners). */
export function proc_event_num_listeners(kernel: Kernel): number {
  return states.get(kernel)?.num_listeners ?? 0;
}

/** The connector module (with cn_proc built in): NETLINK_CONNECTOR, autoloaded as net-pf-16-proto-11. */
export const cn_module = defineModule({
  name: 'cn',
  version: pkg.version,
  aliases: ['net-pf-16-proto-11'],
  depends: ['af_netlink'],
  abi: '1.0',
  description: 'Generic userspace <-> kernelspace connector, with the process events connector',
  license: 'MIT',
  init(kernel: Kernel, mod: Module): number {
    // Mirrors cn_init(): the kernel socket in init_net only.
    const nls = netlink_kernel_create(kernel.init_net, NETLINK_CONNECTOR, {
      groups: CN_NETLINK_USERS + 0xf,
      input: (skb) => cn_rx_skb(kernel, skb),
      flags: NL_CFG_F_NONROOT_RECV,
      bind: cn_bind,
      release: cn_release,
      module: mod,
    });
    if (nls === null) return -EIO;
    const st: CnState = {
      mod,
      nls,
      callbacks: [],
      remove_proc: () => {},
      num_listeners: 0,
      seq_counter: 0,
      unreg_proc: () => {},
      boot_ms: 0,
    };
    states.set(kernel, st);
    // cn_init() creates the file in init_net's /proc/net only.
    st.remove_proc = kernel.proc.create_net('connector', (net) =>
      net === kernel.init_net ? cn_proc_show(kernel) : -ENOENT,
    );
    // Mirrors cn_proc_init().
    cn_add_callback(kernel, CN_IDX_PROC, CN_VAL_PROC, 'cn_proc', (msg, nsp) =>
      cn_proc_mcast_ctl(kernel, msg, nsp),
    );
    st.unreg_proc = register_proc_event_notifier(kernel, (e) => proc_event_connector(kernel, e));
    return 0;
  },
  exit(kernel: Kernel): void {
    const st = states.get(kernel)!;
    st.unreg_proc();
    st.remove_proc();
    netlink_kernel_release(st.nls);
    states.delete(kernel);
  },
});
