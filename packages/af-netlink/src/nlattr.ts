/**
 * The kernel side of netlink message construction (include/net/netlink.h, lib/nlattr.c): messages and
 * attributes are written in place into a buffer with a fixed end, each put checking the tailroom first and
 * failing with -EMSGSIZE (nlmsg_put() and nla_reserve(): -1, the kernel's NULL) so a dump can stop and
 * resume on the next recvmsg().
 *
 * Stores are byte stores on the buffer (host order is little endian, as on x86-64): a DataView or a small
 * array per field would cost more than the field.
 */
import { EMSGSIZE } from '@ksock/core';
import { kmalloc_reserve } from '@ksock/core/kernel';
import { NLA_F_NESTED, NLA_HDRLEN, NLMSG_ALIGN, NLMSG_HDRLEN } from './uapi.js';

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
