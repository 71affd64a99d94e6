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

/** Mirrors kmalloc_size_roundup(): the slab bucket, or whole pages (a power of two) above 8 KiB. */
export function kmalloc_size_roundup(n: number): number {
  // The buckets are the powers of two from 8 plus kmalloc-96 and kmalloc-192 (one compare each on the
  // per-message path rather than a walk of the table).
  if (n <= 8) return 8;
  if (n > 64 && n <= 96) return 96;
  if (n > 128 && n <= 192) return 192;
  if (n <= 0x40000000) return 1 << (32 - Math.clz32(n - 1)); // a small integer, never a heap double
  let p = 0x80000000;
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
 * Data areas of 65 bytes to 2 KiB are carved from shared 32 KiB blocks, as the kernel carves packet
 * data from a page_frag_cache of PAGE_FRAG_CACHE_MAX_SIZE (32 KiB). V8 gives every separate ArrayBuffer
 * its own backing store, and allocating one costs a few microseconds whether it holds 1 or 64 KiB
 * (far more than copying a kilobyte), so the block size sets how many messages share that cost: 32 KiB
 * halves it against 16 KiB. Arrays of up to 64 bytes live on V8's heap and are cheap anyway, and larger
 * ones are rare enough to get their own. Blocks are never reused, so a new area holds zeros, never an
 * earlier message's bytes; a queued buffer keeps its whole block alive (at most 32 KiB). Reuse, as
 * page_frag_alloc() reuses a page whose fragments were all freed, would need every holder of an area to
 * free it explicitly, which JavaScript callers of memcpy_from_msg() cannot be relied on to do.
 * An area carved this way shares its ArrayBuffer, so it is never handed to a user as it is (see
 * skb_copy_datagram_msg).
 */
const SLAB_BLOCK = 32768;
const SLAB_MIN = 65;
const SLAB_MAX = 2048;
let slab_block = new ArrayBuffer(0);
let slab_free = SLAB_BLOCK; // full: the first call takes a block

/** Mirrors kmalloc_reserve(): the data area of a new buffer (zero-filled). */
export function kmalloc_reserve(size: number): Uint8Array {
  if (size < SLAB_MIN || size > SLAB_MAX) return new Uint8Array(size);
  if (slab_free + size > SLAB_BLOCK) {
    slab_block = new ArrayBuffer(SLAB_BLOCK);
    slab_free = 0;
  }
  const area = new Uint8Array(slab_block, slab_free, size);
  slab_free += (size + 7) & ~7; // kmalloc objects are at least 8-byte aligned
  return area;
}

/** Mirrors alloc_skb(): a buffer holding a copy of `data`. */
export function alloc_skb(data: Uint8Array): SkBuff {
  const area = kmalloc_reserve(data.length);
  area.set(data);
  return new SkBuff(area);
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
