import type { Sock } from './sock.js';

/** Mirrors SKB_DATA_ALIGN(): cache-line (64-byte) alignment of buffer sizes on x86-64. */
export function SKB_DATA_ALIGN(n: number): number {
  return (n + 63) & ~63;
}
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
export const SKB_OVERHEAD = 256 + 320;
/** Mirrors SKB_TRUESIZE(X): what a buffer of X data bytes charges against a socket's receive budget. */
export function SKB_TRUESIZE(n: number): number {
  return n + SKB_OVERHEAD;
}

/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
const SHINFO = 320;
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

/** Mirrors kmalloc_size_roundup(): the slab bucket, or whole pages (a power of two) above 8 KiB. */
export function kmalloc_size_roundup(n: number): number {
  for (const b of KMALLOC_SIZES) if (n <= b) return b;
  let p = 16384;
  while (p < n) p *= 2;
  return p;
}

/**
 * The truesize alloc_skb(size) gives a buffer: the data area and skb_shared_info come from one kmalloc,
 * rounded up to its bucket, plus the sk_buff itself (__alloc_skb → SKB_TRUESIZE(ksize(data) - shinfo)).
 * One byte of payload costs 768, 1 KiB costs 2304 on x86-64.
 */
export function alloc_skb_truesize(size: number): number {
  return kmalloc_size_roundup(SKB_DATA_ALIGN(size) + SHINFO) - SHINFO + SKB_OVERHEAD;
}

/**
 * struct sk_buff, reduced to what the socket layer observes: the bytes, their owner and what they cost
 * (truesize), and the per-layer control block `cb` (NETLINK_CB, the sender's address…).
 */
export class SkBuff {
  next: SkBuff | null = null;
  prev: SkBuff | null = null;
  sk: Sock | null = null;
  destructor: ((skb: SkBuff) => void) | null = null;
  readonly truesize: number;
  /** Control block for the protocol that owns the buffer (NETLINK_CB(skb), etc.). */
  cb: unknown = null;
  /** skb->cloned: another buffer shares these bytes (a broadcast clone), so they are not ours to give away. */
  cloned = false;

  data: Uint8Array;

  constructor(data: Uint8Array, truesize?: number) {
    this.data = data;
    this.truesize = truesize ?? alloc_skb_truesize(data.length);
  }

  get len(): number {
    return this.data.length;
  }
}

/**
 * The bytes a receive hands to the user: the buffer's own array when the buffer is consumed whole and
 * nobody shares it (it is freed right after, so no copy is needed), else a copy of the first `len` bytes.
 */
export function skb_copy_datagram(skb: SkBuff, len: number, peek: boolean): Uint8Array {
  if (!peek && !skb.cloned && len === skb.data.length) return skb.data;
  return skb.data.slice(0, len);
}

/** Mirrors alloc_skb(): a buffer holding a copy of `data`. */
export function alloc_skb(data: Uint8Array): SkBuff {
  return new SkBuff(data.slice());
}

/** Mirrors skb_orphan(): run the destructor (returning what the buffer charged to its owner) and detach. */
export function skb_orphan(skb: SkBuff): void {
  const d = skb.destructor;
  if (d !== null) {
    skb.destructor = null;
    d(skb);
  }
  skb.sk = null;
}

/** Mirrors kfree_skb(): the buffer is dropped; its owner gets its memory back. */
export function kfree_skb(skb: SkBuff): void {
  skb_orphan(skb);
}
export const consume_skb = kfree_skb;

/** struct sk_buff_head: a doubly linked queue with a length, O(1) at both ends. */
export class SkBuffHead {
  head: SkBuff | null = null;
  tail: SkBuff | null = null;
  qlen = 0;

  get empty(): boolean {
    return this.qlen === 0;
  }
}

export function skb_queue_tail(q: SkBuffHead, skb: SkBuff): void {
  skb.next = null;
  skb.prev = q.tail;
  if (q.tail === null) q.head = skb;
  else q.tail.next = skb;
  q.tail = skb;
  q.qlen++;
}

export function skb_queue_head(q: SkBuffHead, skb: SkBuff): void {
  skb.prev = null;
  skb.next = q.head;
  if (q.head === null) q.tail = skb;
  else q.head.prev = skb;
  q.head = skb;
  q.qlen++;
}

export function skb_peek(q: SkBuffHead): SkBuff | null {
  return q.head;
}

export function skb_dequeue(q: SkBuffHead): SkBuff | null {
  const skb = q.head;
  if (skb === null) return null;
  q.head = skb.next;
  if (q.head === null) q.tail = null;
  else q.head.prev = null;
  skb.next = skb.prev = null;
  q.qlen--;
  return skb;
}

/** Mirrors skb_queue_purge(): free every buffer (running destructors, so memory accounting returns). */
export function skb_queue_purge(q: SkBuffHead): void {
  for (let skb = skb_dequeue(q); skb !== null; skb = skb_dequeue(q)) kfree_skb(skb);
}

/** Mirrors sock_rfree(): the destructor that skb_set_owner_r() installs. */
export function sock_rfree(skb: SkBuff): void {
  const sk = skb.sk;
  if (sk !== null) sk.sk_rmem_alloc -= skb.truesize;
}

/** Mirrors skb_set_owner_r(): charge the buffer to the receiving socket. */
export function skb_set_owner_r(skb: SkBuff, sk: Sock): void {
  skb_orphan(skb);
  skb.sk = sk;
  skb.destructor = sock_rfree;
  sk.sk_rmem_alloc += skb.truesize;
}
