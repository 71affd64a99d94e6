/**
 * The kernel side of netlink message construction (include/net/netlink.h, lib/nlattr.c): messages and
 * attributes are written in place into a buffer with a fixed end, each put checking the tailroom first and
 * failing with -EMSGSIZE (nlmsg_put() and nla_reserve(): -1, the kernel's NULL) so a dump can stop and
 * resume on the next recvmsg().
 *
 * Stores are byte stores on the buffer (host order is little endian, as on x86-64): a DataView or a small
 * array per field would cost more than the field.
 */
import { EINVAL, EMSGSIZE, ERANGE } from '@ksock/core';
import { kmalloc_reserve } from '@ksock/core/kernel';
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_ALIGN, NLMSG_HDRLEN } from './uapi.js';

/**
 * The part of a struct sk_buff a message is built in: `data` (skb->head, with no headroom), `len` (the
 * tail, skb->len) and `end` (skb->end: the tailroom is end − len). Bytes past the tail are not cleared
 * (alloc_skb() does not clear them either); every put writes all the bytes it claims, padding included.
 */
export class NlSkb {
  data: Uint8Array;
  len = 0;
  end: number;
  constructor(data: Uint8Array, end: number = data.length) {
    this.data = data;
    this.end = end;
  }
}

/** Mirrors skb_tailroom(). */
export function skb_tailroom(skb: NlSkb): number {
  return skb.end - skb.len;
}

/** nla_total_size(): header plus payload, padded to NLA_ALIGNTO (what the attribute occupies). */
export function nla_total_size(payload: number): number {
  return (NLA_HDRLEN + payload + 3) & ~3;
}
/** nlmsg_total_size(): header plus payload, padded to NLMSG_ALIGNTO. */
export function nlmsg_total_size(payload: number): number {
  return NLMSG_ALIGN(NLMSG_HDRLEN + payload);
}

/** Mirrors nlmsg_new(): a buffer sized for one message of `payload` bytes. */
export function nlmsg_new(payload: number): NlSkb {
  return new NlSkb(new Uint8Array(nlmsg_total_size(payload)));
}

/**
 * The bytes of a filled buffer, as the sk_buff that carries them: a copy cut to the tail, in a data area
 * from kmalloc_reserve() (no fresh ArrayBuffer for a message of up to 2 KiB; the receive copies out).
 */
export function skb_bytes(skb: NlSkb): Uint8Array {
  const out = kmalloc_reserve(skb.len);
  out.set(skb.len === skb.data.length ? skb.data : skb.data.subarray(0, skb.len));
  return out;
}

/** Host-order (little-endian) u16 store, as the kernel's `*(u16 *)p = v` on x86-64. */
export function put_unaligned_le16(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
}
/** Host-order (little-endian) u32 store. */
export function put_unaligned_le32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}
/**
 * Host-order u64 store of a counter kept as a JS number (exact up to 2^53): the low and the high 32-bit
 * halves, no BigInt.
 */
export function put_unaligned_le64(b: Uint8Array, off: number, v: number): void {
  put_unaligned_le32(b, off, v >>> 0);
  put_unaligned_le32(b, off + 4, Math.floor(v / 0x100000000) >>> 0);
}
/** Network-order u32 store (a __be32 such as an IPv4 address). */
export function put_unaligned_be32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = v >>> 16;
  b[off + 2] = v >>> 8;
  b[off + 3] = v;
}

/**
 * Mirrors nlmsg_put() / __nlmsg_put(): claim a header and `payload` bytes (padded) at the tail. Returns
 * the header's offset (the kernel's struct nlmsghdr *), or -1 (NULL) when the tailroom is short. The
 * padding after the payload is zeroed; the payload itself is the caller's to fill.
 */
export function nlmsg_put(
  skb: NlSkb,
  portid: number,
  seq: number,
  type: number,
  payload: number,
  flags: number,
): number {
  const size = NLMSG_HDRLEN + payload;
  const total = NLMSG_ALIGN(size);
  if (skb.end - skb.len < total) return -1;
  const nlh = skb.len;
  const b = skb.data;
  put_unaligned_le32(b, nlh, size);
  put_unaligned_le16(b, nlh + 4, type);
  put_unaligned_le16(b, nlh + 6, flags);
  put_unaligned_le32(b, nlh + 8, seq);
  put_unaligned_le32(b, nlh + 12, portid);
  for (let i = nlh + size; i < nlh + total; i++) b[i] = 0;
  skb.len = nlh + total;
  return nlh;
}

/**
 * Mirrors nlmsg_append(): extend the last message by `size` bytes (padded, the padding zeroed). Returns
 * the offset of the new bytes, or -1 (NULL) when the tailroom is short.
 */
export function nlmsg_append(skb: NlSkb, size: number): number {
  const total = NLMSG_ALIGN(size);
  if (skb.end - skb.len < total) return -1;
  const p = skb.len;
  for (let i = p + size; i < p + total; i++) skb.data[i] = 0;
  skb.len = p + total;
  return p;
}

/** Mirrors nlmsg_end(): the message at `nlh` ends at the tail (nlmsg_len covers its attributes). */
export function nlmsg_end(skb: NlSkb, nlh: number): void {
  put_unaligned_le32(skb.data, nlh, skb.len - nlh);
}

/** Mirrors nlmsg_cancel() → nlmsg_trim(): drop the message at `nlh` and everything after it. */
export function nlmsg_cancel(skb: NlSkb, nlh: number): void {
  skb.len = nlh;
}

/**
 * Mirrors nla_reserve() / __nla_reserve(): claim an attribute of `attrlen` payload bytes. Returns the
 * attribute's offset (struct nlattr *; its payload, nla_data(), starts NLA_HDRLEN later), or -1 (NULL)
 * when the tailroom is short. The padding is zeroed; the payload is the caller's to fill.
 */
export function nla_reserve(skb: NlSkb, attrtype: number, attrlen: number): number {
  const len = NLA_HDRLEN + attrlen;
  const total = (len + 3) & ~3;
  if (skb.end - skb.len < total) return -1;
  const nla = skb.len;
  const b = skb.data;
  b[nla] = len;
  b[nla + 1] = len >>> 8;
  b[nla + 2] = attrtype;
  b[nla + 3] = attrtype >>> 8;
  for (let i = nla + len; i < nla + total; i++) b[i] = 0;
  skb.len = nla + total;
  return nla;
}

/**
 * Mirrors nla_put(): an attribute carrying the first `attrlen` bytes of `data` (0, or -EMSGSIZE). Short
 * payloads (addresses) are copied byte by byte: cheaper than a TypedArray set() call.
 */
export function nla_put(skb: NlSkb, attrtype: number, attrlen: number, data: Uint8Array): number {
  const nla = nla_reserve(skb, attrtype, attrlen);
  if (nla < 0) return -EMSGSIZE;
  const b = skb.data;
  const p = nla + NLA_HDRLEN;
  if (attrlen <= 32) for (let i = 0; i < attrlen; i++) b[p + i] = data[i]!;
  else b.set(data.subarray(0, attrlen), p);
  return 0;
}

/**
 * The fixed-size puts below are nla_reserve() specialised to a payload of 1, 2 or 4 bytes (8 bytes with
 * header and padding), so the many small attributes of a fill cost one tailroom check and a few stores.
 */
function nla_put_small(skb: NlSkb, attrtype: number, attrlen: number): number {
  const nla = skb.len;
  if (skb.end - nla < 8) return -1;
  const b = skb.data;
  b[nla] = NLA_HDRLEN + attrlen;
  b[nla + 1] = 0;
  b[nla + 2] = attrtype;
  b[nla + 3] = attrtype >>> 8;
  skb.len = nla + 8;
  return nla + NLA_HDRLEN;
}

/** Mirrors nla_put_u8(). */
export function nla_put_u8(skb: NlSkb, attrtype: number, value: number): number {
  const p = nla_put_small(skb, attrtype, 1);
  if (p < 0) return -EMSGSIZE;
  const b = skb.data;
  b[p] = value;
  b[p + 1] = 0;
  b[p + 2] = 0;
  b[p + 3] = 0;
  return 0;
}

/** Mirrors nla_put_u16(). */
export function nla_put_u16(skb: NlSkb, attrtype: number, value: number): number {
  const p = nla_put_small(skb, attrtype, 2);
  if (p < 0) return -EMSGSIZE;
  const b = skb.data;
  b[p] = value;
  b[p + 1] = value >>> 8;
  b[p + 2] = 0;
  b[p + 3] = 0;
  return 0;
}

/** Mirrors nla_put_u32() (and nla_put_s32(): the same four bytes). */
export function nla_put_u32(skb: NlSkb, attrtype: number, value: number): number {
  const p = nla_put_small(skb, attrtype, 4);
  if (p < 0) return -EMSGSIZE;
  const b = skb.data;
  b[p] = value;
  b[p + 1] = value >>> 8;
  b[p + 2] = value >>> 16;
  b[p + 3] = value >>> 24;
  return 0;
}

/** Mirrors nla_put_in_addr(): an IPv4 address, network order. */
export function nla_put_in_addr(skb: NlSkb, attrtype: number, addr: number): number {
  const p = nla_put_small(skb, attrtype, 4);
  if (p < 0) return -EMSGSIZE;
  put_unaligned_be32(skb.data, p, addr);
  return 0;
}

const ENC = new TextEncoder();

/** strlen() of the string's UTF-8 encoding: what nla_put_string() stores before the NUL. */
export function strlen(str: string): number {
  const n = str.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c >= 0xd800 && c < 0xdc00 && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 2; // a surrogate pair: two UTF-16 units, four bytes
      i++;
    } else len += 2; // three bytes (a lone surrogate is encoded as U+FFFD)
  }
  return len;
}

/** Mirrors nla_put_string(): the string's UTF-8 bytes and a terminating NUL. */
export function nla_put_string(skb: NlSkb, attrtype: number, str: string): number {
  const n = strlen(str);
  const nla = nla_reserve(skb, attrtype, n + 1);
  if (nla < 0) return -EMSGSIZE;
  const b = skb.data;
  const p = nla + NLA_HDRLEN;
  // ASCII (every interface name ksock makes) is one byte per character, stored directly.
  if (n === str.length) for (let i = 0; i < n; i++) b[p + i] = str.charCodeAt(i);
  else b.set(ENC.encode(str), p);
  b[p + n] = 0;
  return 0;
}

/**
 * Mirrors nla_nest_start_noflag(): an empty attribute whose length nla_nest_end() fixes once its members
 * are in. Returns its offset, or -1 (NULL).
 */
export function nla_nest_start_noflag(skb: NlSkb, attrtype: number): number {
  return nla_reserve(skb, attrtype, 0);
}

/** Mirrors nla_nest_start(): nla_nest_start_noflag() with NLA_F_NESTED set in the type. */
export function nla_nest_start(skb: NlSkb, attrtype: number): number {
  return nla_reserve(skb, attrtype | NLA_F_NESTED, 0);
}

/** Mirrors nla_nest_end(): the nest at `start` covers everything up to the tail; returns skb->len. */
export function nla_nest_end(skb: NlSkb, start: number): number {
  put_unaligned_le16(skb.data, start, skb.len - start);
  return skb.len;
}

/** Mirrors nla_nest_cancel() → nlmsg_trim(): drop the nest at `start` and its members. */
export function nla_nest_cancel(skb: NlSkb, start: number): void {
  skb.len = start;
}

// ---- lib/nlattr.c: validation against a policy ------------------------------------------------------
/** enum of include/net/netlink.h: the attribute types a policy entry may name (those ksock's policies use). */
export const NLA_UNSPEC = 0;
export const NLA_U8 = 1;
export const NLA_U16 = 2;
export const NLA_U32 = 3;
export const NLA_U64 = 4;
export const NLA_STRING = 5;
export const NLA_S8 = 12;
export const NLA_S16 = 13;
export const NLA_S32 = 14;
export const NLA_S64 = 15;

/** struct nla_policy, reduced to a type and a length. */
export interface NlaPolicy {
  type: number;
  /** NLA_STRING: the longest string (a trailing NUL not counted); NLA_UNSPEC: the shortest payload. */
  len?: number;
}

/** The parts of struct netlink_ext_ack a policy failure sets (NL_SET_ERR_MSG_ATTR_POL()). */
export interface NlaExtAck {
  _msg: string | null;
  bad_attr_offs: number;
  policy: Uint8Array | null;
}

/** An attribute found by nlmsg_parse_deprecated(): where it starts in the message, and its payload. */
export interface NlaFound {
  offset: number;
  payload: Uint8Array;
}

const NLA_INT_SIZE: Record<number, number> = {
  [NLA_U8]: 1,
  [NLA_U16]: 2,
  [NLA_U32]: 4,
  [NLA_U64]: 8,
  [NLA_S8]: 1,
  [NLA_S16]: 2,
  [NLA_S32]: 4,
  [NLA_S64]: 8,
};

// enum netlink_policy_type_attr and enum netlink_attribute_type (include/uapi/linux/netlink.h).
const NL_POLICY_TYPE_ATTR_TYPE = 1;
const NL_POLICY_TYPE_ATTR_MIN_VALUE_S = 2;
const NL_POLICY_TYPE_ATTR_MAX_VALUE_S = 3;
const NL_POLICY_TYPE_ATTR_MIN_VALUE_U = 4;
const NL_POLICY_TYPE_ATTR_MAX_VALUE_U = 5;
const NL_POLICY_TYPE_ATTR_MAX_LENGTH = 7;
const NL_ATTR_TYPE: Record<number, number> = {
  [NLA_U8]: 2,
  [NLA_U16]: 3,
  [NLA_U32]: 4,
  [NLA_U64]: 5,
  [NLA_S8]: 6,
  [NLA_S16]: 7,
  [NLA_S32]: 8,
  [NLA_S64]: 9,
  [NLA_STRING]: 11,
};

/**
 * Mirrors __netlink_policy_dump_write_attr() for one policy entry: the NL_POLICY_TYPE_ATTR_* attributes
 * (integer ranges as u64/s64, a string's maximum length, the type last). NLA_UNSPEC entries describe
 * nothing (null), so the ack carries no NLMSGERR_ATTR_POLICY for them.
 */
export function netlink_policy_dump_attr(pt: NlaPolicy): Uint8Array | null {
  const type = NL_ATTR_TYPE[pt.type];
  if (type === undefined) return null;
  const skb = nlmsg_new(64);
  const size = NLA_INT_SIZE[pt.type];
  const put64 = (attr: number, v: bigint) => {
    const p = nla_reserve(skb, attr, 8);
    new DataView(skb.data.buffer, skb.data.byteOffset + p + NLA_HDRLEN, 8).setBigUint64(
      0,
      BigInt.asUintN(64, v),
      true,
    );
  };
  if (size !== undefined && pt.type >= NLA_S8) {
    const bits = BigInt(size * 8);
    put64(NL_POLICY_TYPE_ATTR_MIN_VALUE_S, -(1n << (bits - 1n)));
    put64(NL_POLICY_TYPE_ATTR_MAX_VALUE_S, (1n << (bits - 1n)) - 1n);
  } else if (size !== undefined) {
    put64(NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 0n);
    put64(NL_POLICY_TYPE_ATTR_MAX_VALUE_U, (1n << BigInt(size * 8)) - 1n);
  } else if (pt.len) nla_put_u32(skb, NL_POLICY_TYPE_ATTR_MAX_LENGTH, pt.len);
  nla_put_u32(skb, NL_POLICY_TYPE_ATTR_TYPE, type);
  return skb_bytes(skb);
}

/** Mirrors validate_nla() for the types above: the shortest payload each accepts (longer ones only warn). */
function validate_nla(payload: Uint8Array, pt: NlaPolicy): number {
  const attrlen = payload.length;
  const size = NLA_INT_SIZE[pt.type];
  if (size !== undefined) return attrlen < size ? -ERANGE : 0;
  if (pt.type === NLA_STRING) {
    if (attrlen < 1) return -ERANGE;
    if (pt.len) {
      const len = payload[attrlen - 1] === 0 ? attrlen - 1 : attrlen;
      if (len > pt.len) return -ERANGE;
    }
    return 0;
  }
  return pt.len !== undefined && attrlen < pt.len ? -ERANGE : 0;
}

/**
 * Mirrors nlmsg_parse_deprecated() (NL_VALIDATE_LIBERAL): the message must hold its family header
 * (-EINVAL "Invalid header length"); attributes above `maxtype` are ignored, each known one is checked
 * against its policy (-ERANGE "Attribute failed policy validation", with the attribute's offset and
 * policy), a malformed tail ends the walk silently, and the last attribute of a type wins. Returns tb[],
 * indexed by type, or a negative errno.
 */
export function nlmsg_parse_deprecated(
  msg: Uint8Array,
  hdrlen: number,
  maxtype: number,
  policy: readonly (NlaPolicy | undefined)[],
  extack: NlaExtAck,
): Array<NlaFound | undefined> | number {
  const nlmsg_len = msg[0]! | (msg[1]! << 8) | (msg[2]! << 16) | (msg[3]! << 24);
  if (nlmsg_len < NLMSG_HDRLEN + hdrlen) {
    extack._msg = 'Invalid header length';
    return -EINVAL;
  }
  const tb: Array<NlaFound | undefined> = new Array(maxtype + 1);
  for (let off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen); nlmsg_len - off >= NLA_HDRLEN; ) {
    const len = msg[off]! | (msg[off + 1]! << 8);
    if (len < NLA_HDRLEN || len > nlmsg_len - off) break;
    const type = (msg[off + 2]! | (msg[off + 3]! << 8)) & NLA_TYPE_MASK;
    const payload = msg.subarray(off + NLA_HDRLEN, off + len);
    if (type <= maxtype) {
      const pt = policy[type];
      if (pt !== undefined) {
        const err = validate_nla(payload, pt);
        if (err) {
          extack._msg = 'Attribute failed policy validation';
          extack.bad_attr_offs = off;
          extack.policy = netlink_policy_dump_attr(pt);
          return err;
        }
      }
      if (type > 0) tb[type] = { offset: off, payload };
    }
    off += (len + 3) & ~3;
  }
  return tb;
}
