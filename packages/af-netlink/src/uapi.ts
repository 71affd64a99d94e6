/**
 * The netlink user API (include/uapi/linux/netlink.h) as constants and byte-exact codecs for x86-64
 * (host byte order = little endian): sockaddr_nl, nlmsghdr, nlattr, nlmsgerr.
 */
import { AF_NETLINK } from '@ksock/core';

// ---- protocols ---------------------------------------------------------------------------------------
export const NETLINK_ROUTE = 0;
export const NETLINK_UNUSED = 1;
export const NETLINK_USERSOCK = 2;
export const NETLINK_FIREWALL = 3;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_INET_DIAG = NETLINK_SOCK_DIAG;
export const NETLINK_NFLOG = 5;
export const NETLINK_XFRM = 6;
export const NETLINK_SELINUX = 7;
export const NETLINK_ISCSI = 8;
export const NETLINK_AUDIT = 9;
export const NETLINK_FIB_LOOKUP = 10;
export const NETLINK_CONNECTOR = 11;
export const NETLINK_NETFILTER = 12;
export const NETLINK_IP6_FW = 13;
export const NETLINK_DNRTMSG = 14;
export const NETLINK_KOBJECT_UEVENT = 15;
export const NETLINK_GENERIC = 16;
export const NETLINK_SCSITRANSPORT = 18;
export const NETLINK_ECRYPTFS = 19;
export const NETLINK_RDMA = 20;
export const NETLINK_CRYPTO = 21;
export const NETLINK_SMC = 22;
export const MAX_LINKS = 32;

// ---- nlmsghdr flags ----------------------------------------------------------------------------------
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_ATOMIC = 0x400;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
export const NLM_F_NONREC = 0x100;
export const NLM_F_BULK = 0x200;
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

// ---- message types and sizes -------------------------------------------------------------------------
export const NLMSG_NOOP = 0x1;
export const NLMSG_ERROR = 0x2;
export const NLMSG_DONE = 0x3;
export const NLMSG_OVERRUN = 0x4;
export const NLMSG_MIN_TYPE = 0x10;

export const NLMSG_ALIGNTO = 4;
export function NLMSG_ALIGN(len: number): number {
  return (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}
export const NLMSG_HDRLEN = 16;
export function NLMSG_LENGTH(len: number): number {
  return len + NLMSG_HDRLEN;
}
export function NLMSG_SPACE(len: number): number {
  return NLMSG_ALIGN(NLMSG_LENGTH(len));
}
/** NLMSG_GOODSIZE on 4 KiB pages: SKB_WITH_OVERHEAD(PAGE_SIZE) capped at 8192. */
export const NLMSG_GOODSIZE = 3776;
/** NLMSG_DEFAULT_SIZE: NLMSG_GOODSIZE minus a header. */
export const NLMSG_DEFAULT_SIZE = NLMSG_GOODSIZE - NLMSG_HDRLEN;

// ---- nlattr -------------------------------------------------------------------------------------------
export const NLA_F_NESTED = 1 << 15;
export const NLA_F_NET_BYTEORDER = 1 << 14;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
export const NLA_ALIGNTO = 4;
export function NLA_ALIGN(len: number): number {
  return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
}
export const NLA_HDRLEN = 4;

// ---- nlmsgerr attributes ----------------------------------------------------------------------------
export const NLMSGERR_ATTR_UNUSED = 0;
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_POLICY = 4;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

// ---- socket options (SOL_NETLINK) -------------------------------------------------------------------
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_PKTINFO = 3;
export const NETLINK_BROADCAST_ERROR = 4;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_RX_RING = 6;
export const NETLINK_TX_RING = 7;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_LIST_MEMBERSHIPS = 9;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

/** sk_state values. */
export const NETLINK_UNCONNECTED = 0;
export const NETLINK_CONNECTED = 1;

/** struct netlink_kernel_cfg flags. */
export const NL_CFG_F_NONROOT_RECV = 1 << 0;
export const NL_CFG_F_NONROOT_SEND = 1 << 1;

/** NETLINK_CB(skb).flags */
export const NETLINK_SKB_DST = 0x8;

/** Notifier event for NETLINK_URELEASE (include/linux/notifier.h). */
export const NETLINK_URELEASE = 0x0001;

// ---- sockaddr_nl --------------------------------------------------------------------------------------
/** sizeof(struct sockaddr_nl). */
export const SOCKADDR_NL_SIZE = 12;

export interface SockaddrNl {
  nl_family: number;
  nl_pad: number;
  /** Port id, as the u32 user space sees (autobound negative portids show as 0x80000000…). */
  nl_pid: number;
  nl_groups: number;
}

/** Encode struct sockaddr_nl: u16 family, u16 pad, u32 pid, u32 groups (12 bytes). */
export function sockaddr_nl(nl_pid = 0, nl_groups = 0, nl_family = AF_NETLINK): Uint8Array {
  const b = new Uint8Array(SOCKADDR_NL_SIZE);
  // Byte stores: a DataView over a fresh small array costs more than the whole message on V8.
  b[0] = nl_family;
  b[1] = nl_family >>> 8;
  b[4] = nl_pid;
  b[5] = nl_pid >>> 8;
  b[6] = nl_pid >>> 16;
  b[7] = nl_pid >>> 24;
  b[8] = nl_groups;
  b[9] = nl_groups >>> 8;
  b[10] = nl_groups >>> 16;
  b[11] = nl_groups >>> 24;
  return b;
}
export const encode_sockaddr_nl = sockaddr_nl;

/** Decode struct sockaddr_nl (missing bytes read as 0, as a short copy leaves them). */
export function decode_sockaddr_nl(b: Uint8Array): SockaddrNl {
  const full = new Uint8Array(SOCKADDR_NL_SIZE);
  full.set(b.subarray(0, SOCKADDR_NL_SIZE));
  const dv = new DataView(full.buffer);
  return {
    nl_family: dv.getUint16(0, true),
    nl_pad: dv.getUint16(2, true),
    nl_pid: dv.getUint32(4, true),
    nl_groups: dv.getUint32(8, true),
  };
}

// ---- nlmsghdr -----------------------------------------------------------------------------------------
export interface NlMsgHdr {
  nlmsg_len: number;
  nlmsg_type: number;
  nlmsg_flags: number;
  nlmsg_seq: number;
  nlmsg_pid: number;
}

/**
 * Read the nlmsghdr at `off` (the caller checks 16 bytes are there). Byte loads: a DataView on a small
 * array makes V8 move its bytes off the heap first, which costs more than the whole header.
 */
export function nlmsg_hdr(b: Uint8Array, off = 0): NlMsgHdr {
  return {
    nlmsg_len: (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0,
    nlmsg_type: b[off + 4]! | (b[off + 5]! << 8),
    nlmsg_flags: b[off + 6]! | (b[off + 7]! << 8),
    nlmsg_seq: (b[off + 8]! | (b[off + 9]! << 8) | (b[off + 10]! << 16) | (b[off + 11]! << 24)) >>> 0,
    nlmsg_pid: (b[off + 12]! | (b[off + 13]! << 8) | (b[off + 14]! << 16) | (b[off + 15]! << 24)) >>> 0,
  };
}

/** Write an nlmsghdr at `off`. */
export function put_nlmsghdr(b: Uint8Array, off: number, h: NlMsgHdr): void {
  const dv = new DataView(b.buffer, b.byteOffset + off, NLMSG_HDRLEN);
  dv.setUint32(0, h.nlmsg_len >>> 0, true);
  dv.setUint16(4, h.nlmsg_type, true);
  dv.setUint16(6, h.nlmsg_flags, true);
  dv.setUint32(8, h.nlmsg_seq >>> 0, true);
  dv.setUint32(12, h.nlmsg_pid >>> 0, true);
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * One netlink message: header + payload, padded to NLMSG_ALIGN (nlmsg_len counts the header and the
 * unpadded payload, as nlmsg_put()/nlmsg_end() leave it).
 */
export function nlmsg(
  type: number,
  flags: number,
  seq: number,
  pid: number,
  payload: Uint8Array | readonly Uint8Array[] = new Uint8Array(0),
): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : concat(payload);
  const len = NLMSG_HDRLEN + body.length;
  const out = new Uint8Array(NLMSG_ALIGN(len));
  put_nlmsghdr(out, 0, {
    nlmsg_len: len,
    nlmsg_type: type,
    nlmsg_flags: flags,
    nlmsg_seq: seq,
    nlmsg_pid: pid,
  });
  out.set(body, NLMSG_HDRLEN);
  return out;
}
export const nlmsg_encode = nlmsg;

export interface NlMsg {
  hdr: NlMsgHdr;
  /** nlmsg_data(): the payload, nlmsg_len − 16 bytes. */
  payload: Uint8Array;
}

/** Walk a datagram as NLMSG_OK / NLMSG_NEXT do; stops at the first malformed header. */
export function nlmsg_parse(b: Uint8Array): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  let len = b.length;
  while (len >= NLMSG_HDRLEN) {
    const hdr = nlmsg_hdr(b, off);
    if (hdr.nlmsg_len < NLMSG_HDRLEN || hdr.nlmsg_len > len) break;
    out.push({ hdr, payload: b.subarray(off + NLMSG_HDRLEN, off + hdr.nlmsg_len) });
    const step = Math.min(NLMSG_ALIGN(hdr.nlmsg_len), len);
    off += step;
    len -= step;
  }
  return out;
}
export const nlmsg_decode = nlmsg_parse;

// ---- nlattr -------------------------------------------------------------------------------------------
/** One attribute: u16 nla_len (header + payload), u16 nla_type, payload, padding to 4. */
export function nla(type: number, payload: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : concat(payload);
  const len = NLA_HDRLEN + body.length;
  const out = new Uint8Array(NLA_ALIGN(len));
  out[0] = len;
  out[1] = len >>> 8;
  out[2] = type;
  out[3] = type >>> 8;
  out.set(body, NLA_HDRLEN);
  return out;
}
export const nla_encode = nla;

/** A nested attribute (NLA_F_NESTED set, as nla_nest_start() does). */
export function nla_nest(type: number, attrs: readonly Uint8Array[]): Uint8Array {
  return nla(type | NLA_F_NESTED, attrs);
}
export function nla_u8(type: number, v: number): Uint8Array {
  return nla(type, Uint8Array.of(v & 0xff));
}
export function nla_u16(type: number, v: number): Uint8Array {
  const b = new Uint8Array(2);
  b[0] = v;
  b[1] = v >>> 8;
  return nla(type, b);
}
export function nla_u32(type: number, v: number): Uint8Array {
  return nla(type, u32_bytes(v));
}
export function nla_u64(type: number, v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return nla(type, b);
}
const ENC = new TextEncoder();

/** A NUL-terminated string attribute (nla_put_string). */
export function nla_string(type: number, s: string): Uint8Array {
  const enc = ENC.encode(s);
  const b = new Uint8Array(enc.length + 1);
  b.set(enc);
  return nla(type, b);
}

export interface NlAttr {
  /** Type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  type: number;
  nested: boolean;
  net_byteorder: boolean;
  payload: Uint8Array;
}

/** Walk attributes as nla_for_each_attr() does; stops at the first malformed one. */
export function nla_parse(b: Uint8Array): NlAttr[] {
  const out: NlAttr[] = [];
  let off = 0;
  while (b.length - off >= NLA_HDRLEN) {
    const dv = new DataView(b.buffer, b.byteOffset + off, NLA_HDRLEN);
    const len = dv.getUint16(0, true);
    const type = dv.getUint16(2, true);
    if (len < NLA_HDRLEN || len > b.length - off) break;
    out.push({
      type: type & NLA_TYPE_MASK,
      nested: (type & NLA_F_NESTED) !== 0,
      net_byteorder: (type & NLA_F_NET_BYTEORDER) !== 0,
      payload: b.subarray(off + NLA_HDRLEN, off + len),
    });
    off += NLA_ALIGN(len);
  }
  return out;
}
export const nla_decode = nla_parse;

/** nla_find(): the first attribute of `type`. */
export function nla_find(attrs: readonly NlAttr[], type: number): NlAttr | undefined {
  for (const a of attrs) if (a.type === type) return a;
  return undefined;
}
export function nla_get_u32(a: NlAttr): number {
  return new DataView(a.payload.buffer, a.payload.byteOffset, 4).getUint32(0, true);
}
export function nla_get_string(a: NlAttr): string {
  let end = a.payload.indexOf(0);
  if (end < 0) end = a.payload.length;
  return new TextDecoder().decode(a.payload.subarray(0, end));
}

// ---- nlmsgerr -----------------------------------------------------------------------------------------
export interface NlMsgErr {
  /** Negative errno, or 0 for an ACK. */
  error: number;
  /** The request's header. */
  msg: NlMsgHdr;
  /** Echoed request payload (when not capped). */
  payload: Uint8Array;
  /** Extended-ACK TLVs (NLM_F_ACK_TLVS). */
  tlvs: NlAttr[];
}

/** sizeof(struct nlmsgerr): int error + struct nlmsghdr msg. */
export const NLMSGERR_SIZE = 20;

/** Encode struct nlmsgerr (20 bytes) followed by optional echoed payload. */
export function encode_nlmsgerr(
  error: number,
  msg: NlMsgHdr,
  echoed: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(NLMSGERR_SIZE + NLMSG_ALIGN(echoed.length));
  new DataView(out.buffer).setInt32(0, error, true);
  put_nlmsghdr(out, 4, msg);
  out.set(echoed, NLMSGERR_SIZE);
  return out;
}

/** Decode the payload of an NLMSG_ERROR message (its header's flags say whether TLVs follow). */
export function decode_nlmsgerr(payload: Uint8Array, flags = 0): NlMsgErr {
  const error = new DataView(payload.buffer, payload.byteOffset, 4).getInt32(0, true);
  const msg = nlmsg_hdr(payload, 4);
  let off = NLMSGERR_SIZE;
  let echoed: Uint8Array = new Uint8Array(0);
  if ((flags & NLM_F_CAPPED) === 0) {
    const n = NLMSG_ALIGN(Math.max(0, msg.nlmsg_len - NLMSG_HDRLEN));
    echoed = payload.subarray(off, Math.min(payload.length, off + Math.max(0, msg.nlmsg_len - NLMSG_HDRLEN)));
    off += n;
  }
  const tlvs = (flags & NLM_F_ACK_TLVS) !== 0 ? nla_parse(payload.subarray(off)) : [];
  return { error, msg, payload: echoed, tlvs };
}

export function u32_bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = v;
  b[1] = v >>> 8;
  b[2] = v >>> 16;
  b[3] = v >>> 24;
  return b;
}

/** netlink_group_mask(): the nl_groups bit of a 1-based group number (0 for none or groups above 32). */
export function netlink_group_mask(group: number): number {
  if (group > 32) return 0;
  return group ? (1 << (group - 1)) >>> 0 : 0;
}
