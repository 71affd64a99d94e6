/**
 * Netlink bytes, built and read back by the demo itself: struct sockaddr_nl, struct nlmsghdr, struct
 * nlattr, struct ifinfomsg, struct cn_msg and struct proc_event (include/uapi/linux/netlink.h,
 * rtnetlink.h, if_link.h, connector.h, cn_proc.h; x86-64, little endian). Every field is annotated with
 * its offset, so a message can be shown byte by byte. The layouts are the uapi's, written out here on
 * purpose: the demo checks what the kernel sent instead of trusting the family's own codec.
 */
import * as core from '@ksock/core';
import type { AnnotatedMessage } from './report.js';

type Fields = AnnotatedMessage['fields'];

export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;

export const align4 = (n: number) => (n + 3) & ~3;

const RTM_NAMES: Record<number, string> = {
  16: 'RTM_NEWLINK',
  17: 'RTM_DELLINK',
  18: 'RTM_GETLINK',
  19: 'RTM_SETLINK',
  20: 'RTM_NEWADDR',
  21: 'RTM_DELADDR',
  22: 'RTM_GETADDR',
};

export function nlmsgTypeName(type: number, protocol: 'route' | 'other'): string {
  const base = ['', 'NLMSG_NOOP', 'NLMSG_ERROR', 'NLMSG_DONE', 'NLMSG_OVERRUN'][type];
  if (base) return base;
  if (protocol === 'route' && RTM_NAMES[type]) return RTM_NAMES[type];
  return type >= 0x10 ? `user type 0x${type.toString(16)}` : `reserved ${type}`;
}

export function nlmsgFlagNames(flags: number, type: number): string {
  const names: string[] = [];
  const add = (bit: number, name: string) => {
    if (flags & bit) {
      names.push(name);
      flags &= ~bit;
    }
  };
  add(NLM_F_REQUEST, 'NLM_F_REQUEST');
  add(NLM_F_MULTI, 'NLM_F_MULTI');
  add(NLM_F_ACK, 'NLM_F_ACK');
  add(NLM_F_ECHO, 'NLM_F_ECHO');
  add(0x10, 'NLM_F_DUMP_INTR');
  add(0x20, 'NLM_F_DUMP_FILTERED');
  if (type === NLMSG_ERROR) {
    add(0x100, 'NLM_F_CAPPED');
    add(0x200, 'NLM_F_ACK_TLVS');
  } else if (type === RTM_GETLINK || type === 22) {
    if ((flags & NLM_F_DUMP) === NLM_F_DUMP) add(NLM_F_DUMP, 'NLM_F_DUMP');
    add(NLM_F_ROOT, 'NLM_F_ROOT');
    add(NLM_F_MATCH, 'NLM_F_MATCH');
    add(0x400, 'NLM_F_ATOMIC');
  }
  if (flags) names.push(`0x${flags.toString(16)}`);
  return names.length ? names.join('|') : '0';
}

/** struct sockaddr_nl: family, pad, portid, groups. */
export function sockaddr_nl(portid: number, groups = 0): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, core.AF_NETLINK, true);
  dv.setUint32(4, portid >>> 0, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
}

export function parseSockaddrNl(
  b: Uint8Array | null,
): { family: number; portid: number; groups: number } | null {
  if (b === null || b.length < 12) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { family: dv.getUint16(0, true), portid: dv.getUint32(4, true), groups: dv.getUint32(8, true) };
}

/** A netlink message: header plus payload, length aligned. */
export function nlmsg(
  type: number,
  flags: number,
  seq: number,
  pid: number,
  payload: Uint8Array,
): Uint8Array {
  const len = NLMSG_HDRLEN + payload.length;
  const b = new Uint8Array(align4(len));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, len, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq >>> 0, true);
  dv.setUint32(12, pid >>> 0, true);
  b.set(payload, NLMSG_HDRLEN);
  return b;
}

/** struct ifinfomsg (16 bytes). */
export function ifinfomsg(family = 0, index = 0): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  b[0] = family;
  dv.setInt32(4, index, true);
  return b;
}

/** struct cn_msg + data. */
export function cn_msg(idx: number, val: number, seq: number, ack: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(20 + data.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, idx, true);
  dv.setUint32(4, val, true);
  dv.setUint32(8, seq, true);
  dv.setUint32(12, ack, true);
  dv.setUint16(16, data.length, true);
  b.set(data, 20);
  return b;
}

export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Split a buffer into its netlink messages (as NLMSG_OK / NLMSG_NEXT walk it). */
export function splitMessages(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (b.length - off >= NLMSG_HDRLEN) {
    const len = new DataView(b.buffer, b.byteOffset + off, 4).getUint32(0, true);
    if (len < NLMSG_HDRLEN || len > b.length - off) break;
    out.push(b.subarray(off, off + len));
    off += align4(len);
  }
  return out;
}

const IFLA_NAMES = [
  'IFLA_UNSPEC',
  'IFLA_ADDRESS',
  'IFLA_BROADCAST',
  'IFLA_IFNAME',
  'IFLA_MTU',
  'IFLA_LINK',
  'IFLA_QDISC',
  'IFLA_STATS',
  'IFLA_COST',
  'IFLA_PRIORITY',
  'IFLA_MASTER',
  'IFLA_WIRELESS',
  'IFLA_PROTINFO',
  'IFLA_TXQLEN',
  'IFLA_MAP',
  'IFLA_WEIGHT',
  'IFLA_OPERSTATE',
  'IFLA_LINKMODE',
  'IFLA_LINKINFO',
  'IFLA_NET_NS_PID',
  'IFLA_IFALIAS',
  'IFLA_NUM_VF',
  'IFLA_VFINFO_LIST',
  'IFLA_STATS64',
  'IFLA_VF_PORTS',
  'IFLA_PORT_SELF',
  'IFLA_AF_SPEC',
  'IFLA_GROUP',
  'IFLA_NET_NS_FD',
  'IFLA_EXT_MASK',
  'IFLA_PROMISCUITY',
  'IFLA_NUM_TX_QUEUES',
  'IFLA_NUM_RX_QUEUES',
  'IFLA_CARRIER',
  'IFLA_PHYS_PORT_ID',
  'IFLA_CARRIER_CHANGES',
  'IFLA_PHYS_SWITCH_ID',
  'IFLA_LINK_NETNSID',
  'IFLA_PHYS_PORT_NAME',
  'IFLA_PROTO_DOWN',
  'IFLA_GSO_MAX_SEGS',
  'IFLA_GSO_MAX_SIZE',
  'IFLA_PAD',
  'IFLA_XDP',
  'IFLA_EVENT',
  'IFLA_NEW_NETNSID',
  'IFLA_IF_NETNSID',
  'IFLA_CARRIER_UP_COUNT',
  'IFLA_CARRIER_DOWN_COUNT',
  'IFLA_NEW_IFINDEX',
  'IFLA_MIN_MTU',
  'IFLA_MAX_MTU',
  'IFLA_PROP_LIST',
  'IFLA_ALT_IFNAME',
  'IFLA_PERM_ADDRESS',
  'IFLA_PROTO_DOWN_REASON',
  'IFLA_PARENT_DEV_NAME',
  'IFLA_PARENT_DEV_BUS_NAME',
  'IFLA_GRO_MAX_SIZE',
  'IFLA_TSO_MAX_SIZE',
  'IFLA_TSO_MAX_SEGS',
  'IFLA_ALLMULTI',
];
const IFLA_STRING = new Set([3, 6, 20, 38, 53, 56, 57]);
const IFLA_MAC = new Set([1, 2, 54]);
const IFLA_NESTED = new Set([18, 22, 24, 25, 26, 43, 52]);
const OPER_STATES = [
  'IF_OPER_UNKNOWN',
  'IF_OPER_NOTPRESENT',
  'IF_OPER_DOWN',
  'IF_OPER_LOWERLAYERDOWN',
  'IF_OPER_TESTING',
  'IF_OPER_DORMANT',
  'IF_OPER_UP',
];
const ARPHRD: Record<number, string> = { 1: 'ARPHRD_ETHER', 772: 'ARPHRD_LOOPBACK', 65534: 'ARPHRD_NONE' };

function iffNames(flags: number): string {
  const bits: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(core)) {
    if (k.startsWith('IFF_') && typeof v === 'number' && v !== 0 && (flags & v) === v) bits.push([k, v]);
  }
  const names = bits.sort((a, b) => a[1] - b[1]).map(([k]) => k);
  return names.length ? `0x${flags.toString(16)} (${names.join('|')})` : `0x${flags.toString(16)}`;
}

function cstr(b: Uint8Array): string {
  const z = b.indexOf(0);
  return JSON.stringify(new TextDecoder().decode(z >= 0 ? b.subarray(0, z) : b));
}

function mac(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** nlattr TLVs from `off` to `end`, each with its header and value annotated; nested ones recursively. */
function annotateAttrs(
  b: Uint8Array,
  dv: DataView,
  off: number,
  end: number,
  depth: number,
  out: Fields,
  names: readonly string[] | null,
): void {
  while (end - off >= 4) {
    const len = dv.getUint16(off, true);
    const rawType = dv.getUint16(off + 2, true);
    const type = rawType & 0x3fff;
    if (len < 4 || off + len > end) {
      out.push({ offset: off, length: end - off, name: 'malformed nlattr', value: `nla_len ${len}`, depth });
      return;
    }
    const name = names?.[type] ?? `attr ${type}`;
    const nested = (rawType & 0x8000) !== 0 || (names === IFLA_NAMES && IFLA_NESTED.has(type));
    out.push({ offset: off, length: 2, name: `${name}.nla_len`, value: String(len), depth });
    out.push({
      offset: off + 2,
      length: 2,
      name: `${name}.nla_type`,
      value: `${type}${rawType & 0x8000 ? ' | NLA_F_NESTED' : ''}${rawType & 0x4000 ? ' | NLA_F_NET_BYTEORDER' : ''}`,
      depth,
    });
    const v = b.subarray(off + 4, off + len);
    if (nested) {
      annotateAttrs(b, dv, off + 4, off + len, depth + 1, out, null);
    } else if (v.length > 0) {
      let value: string;
      if (names === IFLA_NAMES && IFLA_STRING.has(type)) value = cstr(v);
      else if (names === IFLA_NAMES && IFLA_MAC.has(type)) value = mac(v);
      else if (names === IFLA_NAMES && type === 16) value = `${v[0]} (${OPER_STATES[v[0]!] ?? '?'})`;
      else if (v.length === 4) value = String(dv.getUint32(off + 4, true));
      else if (v.length === 1) value = String(v[0]);
      else if (v.length === 2) value = String(dv.getUint16(off + 4, true));
      else if (v.length === 8) value = String(dv.getBigUint64(off + 4, true));
      else value = `${v.length} bytes`;
      out.push({ offset: off + 4, length: v.length, name: `${name} value`, value, depth });
    }
    off += align4(len);
  }
}

function annotateHeader(
  dv: DataView,
  off: number,
  out: Fields,
  proto: 'route' | 'other',
  depth = 0,
): { len: number; type: number } {
  const len = dv.getUint32(off, true);
  const type = dv.getUint16(off + 4, true);
  const flags = dv.getUint16(off + 6, true);
  out.push({ offset: off, length: 4, name: 'nlmsghdr.nlmsg_len', value: String(len), depth });
  out.push({
    offset: off + 4,
    length: 2,
    name: 'nlmsghdr.nlmsg_type',
    value: `${type} (${nlmsgTypeName(type, proto)})`,
    depth,
  });
  out.push({
    offset: off + 6,
    length: 2,
    name: 'nlmsghdr.nlmsg_flags',
    value: `0x${flags.toString(16)} (${nlmsgFlagNames(flags, type)})`,
    depth,
  });
  out.push({
    offset: off + 8,
    length: 4,
    name: 'nlmsghdr.nlmsg_seq',
    value: String(dv.getUint32(off + 8, true)),
    depth,
  });
  out.push({
    offset: off + 12,
    length: 4,
    name: 'nlmsghdr.nlmsg_pid',
    value: String(dv.getUint32(off + 12, true)),
    depth,
  });
  return { len, type };
}

/**
 * One netlink message, every field annotated. `proto` says how to read the payload: rtnetlink messages
 * (ifinfomsg + IFLA_* attributes), or anything else (bytes, shown as text when printable).
 */
export function annotate(title: string, msg: Uint8Array, proto: 'route' | 'other'): AnnotatedMessage {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const fields: Fields = [];
  const { len, type } = annotateHeader(dv, 0, fields, proto);
  const end = Math.min(len, msg.length);
  if (type === NLMSG_ERROR && end >= 20) {
    const err = dv.getInt32(16, true);
    const code = err < 0 ? core.errname(-err) : null;
    fields.push({
      offset: 16,
      length: 4,
      name: 'nlmsgerr.error',
      value: err === 0 ? '0 (an ack)' : `${err} (-${code})`,
      depth: 0,
    });
    if (end >= 36) annotateHeader(dv, 20, fields, proto, 1);
  } else if (type === NLMSG_DONE && end >= 20) {
    fields.push({
      offset: 16,
      length: 4,
      name: 'int (dump status)',
      value: String(dv.getInt32(16, true)),
      depth: 0,
    });
  } else if (proto === 'route' && type >= 16 && type <= 19 && end >= 32) {
    const fam = msg[16]!;
    const ifType = dv.getUint16(18, true);
    fields.push({
      offset: 16,
      length: 1,
      name: 'ifinfomsg.ifi_family',
      value: `${fam}${fam === 0 ? ' (AF_UNSPEC)' : ''}`,
      depth: 0,
    });
    fields.push({ offset: 17, length: 1, name: 'ifinfomsg.__ifi_pad', value: String(msg[17]), depth: 0 });
    fields.push({
      offset: 18,
      length: 2,
      name: 'ifinfomsg.ifi_type',
      value: `${ifType}${ARPHRD[ifType] ? ` (${ARPHRD[ifType]})` : ''}`,
      depth: 0,
    });
    fields.push({
      offset: 20,
      length: 4,
      name: 'ifinfomsg.ifi_index',
      value: String(dv.getInt32(20, true)),
      depth: 0,
    });
    fields.push({
      offset: 24,
      length: 4,
      name: 'ifinfomsg.ifi_flags',
      value: iffNames(dv.getUint32(24, true)),
      depth: 0,
    });
    fields.push({
      offset: 28,
      length: 4,
      name: 'ifinfomsg.ifi_change',
      value: `0x${dv.getUint32(28, true).toString(16)}`,
      depth: 0,
    });
    annotateAttrs(msg, dv, 32, end, 0, fields, IFLA_NAMES);
  } else if (end > 16) {
    const body = msg.subarray(16, end);
    const printable = body.every((c) => c === 0 || (c >= 0x20 && c < 0x7f));
    fields.push({
      offset: 16,
      length: end - 16,
      name: 'payload',
      value: printable ? cstr(body) : `${end - 16} bytes`,
      depth: 0,
    });
  }
  return { title, hex: hex(msg.subarray(0, end)), fields };
}

/** cn_proc's struct proc_event, decoded. */
export interface ProcEventDecoded {
  what: string;
  fields: Array<[string, number | string]>;
}

const PROC_EVENTS: Record<number, string> = {
  0: 'none',
  1: 'fork',
  2: 'exec',
  4: 'uid',
  64: 'gid',
  128: 'sid',
  256: 'ptrace',
  512: 'comm',
  536870912: 'nonzero_exit',
  1073741824: 'coredump',
  2147483648: 'exit',
};

/**
 * A cn_proc message: nlmsghdr, cn_msg (id, seq, ack, len, flags), proc_event (what, cpu, timestamp_ns,
 * event_data) — decoded and annotated.
 */
export function decodeProcEvent(msg: Uint8Array): {
  decoded: ProcEventDecoded | null;
  annotated: AnnotatedMessage;
} {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const fields: Fields = [];
  const { len } = annotateHeader(dv, 0, fields, 'other');
  const end = Math.min(len, msg.length);
  if (end < 36 + 16)
    return { decoded: null, annotated: { title: 'short cn_proc message', hex: hex(msg), fields } };
  const c = 16;
  fields.push({
    offset: c,
    length: 4,
    name: 'cn_msg.id.idx',
    value: `${dv.getUint32(c, true)} (CN_IDX_PROC)`,
    depth: 0,
  });
  fields.push({
    offset: c + 4,
    length: 4,
    name: 'cn_msg.id.val',
    value: `${dv.getUint32(c + 4, true)} (CN_VAL_PROC)`,
    depth: 0,
  });
  fields.push({
    offset: c + 8,
    length: 4,
    name: 'cn_msg.seq',
    value: String(dv.getUint32(c + 8, true)),
    depth: 0,
  });
  fields.push({
    offset: c + 12,
    length: 4,
    name: 'cn_msg.ack',
    value: String(dv.getUint32(c + 12, true)),
    depth: 0,
  });
  fields.push({
    offset: c + 16,
    length: 2,
    name: 'cn_msg.len',
    value: String(dv.getUint16(c + 16, true)),
    depth: 0,
  });
  fields.push({
    offset: c + 18,
    length: 2,
    name: 'cn_msg.flags',
    value: String(dv.getUint16(c + 18, true)),
    depth: 0,
  });
  const e = c + 20;
  const whatNum = dv.getUint32(e, true);
  const what = PROC_EVENTS[whatNum] ?? `0x${whatNum.toString(16)}`;
  fields.push({
    offset: e,
    length: 4,
    name: 'proc_event.what',
    value: `0x${whatNum.toString(16)} (PROC_EVENT_${what.toUpperCase()})`,
    depth: 0,
  });
  fields.push({
    offset: e + 4,
    length: 4,
    name: 'proc_event.cpu',
    value: String(dv.getUint32(e + 4, true)),
    depth: 0,
  });
  fields.push({
    offset: e + 8,
    length: 8,
    name: 'proc_event.timestamp_ns',
    value: String(dv.getBigUint64(e + 8, true)),
    depth: 0,
  });
  const d = e + 16;
  const u32 = (i: number) => dv.getUint32(d + 4 * i, true);
  const layouts: Record<string, string[]> = {
    fork: ['parent_pid', 'parent_tgid', 'child_pid', 'child_tgid'],
    exec: ['process_pid', 'process_tgid'],
    uid: ['process_pid', 'process_tgid', 'r.ruid', 'e.euid'],
    gid: ['process_pid', 'process_tgid', 'r.rgid', 'e.egid'],
    sid: ['process_pid', 'process_tgid'],
    exit: ['process_pid', 'process_tgid', 'exit_code', 'exit_signal', 'parent_pid', 'parent_tgid'],
    none: ['err'],
  };
  const names = layouts[what] ?? (what === 'comm' ? ['process_pid', 'process_tgid'] : []);
  const out: Array<[string, number | string]> = [];
  const union = what === 'none' ? 'ack' : what === 'uid' || what === 'gid' ? 'id' : what;
  for (let i = 0; i < names.length && d + 4 * i + 4 <= end; i++) {
    const v = u32(i);
    out.push([names[i]!, v]);
    fields.push({
      offset: d + 4 * i,
      length: 4,
      name: `event_data.${union}.${names[i]}`,
      value: String(v),
      depth: 0,
    });
  }
  if (what === 'comm' && d + 24 <= end) {
    const s = cstr(msg.subarray(d + 8, d + 24));
    out.push(['comm', JSON.parse(s) as string]);
    fields.push({ offset: d + 8, length: 16, name: 'event_data.comm.comm', value: s, depth: 0 });
  }
  return {
    decoded: { what, fields: out },
    annotated: { title: `PROC_EVENT_${what.toUpperCase()}`, hex: hex(msg.subarray(0, end)), fields },
  };
}
