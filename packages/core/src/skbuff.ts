/**
 * net/core/skbuff.c and include/linux/skbuff.h: struct sk_buff, its truesize accounting, alloc_skb(),
 * skb_clone(), kfree_skb(), the sk_buff_head queues and skb_set_owner_r().
 */
import { kasan_report_uaf } from './panic.js';
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
  /**
   * Control block for the protocol that owns the buffer: read and write it through the layer's
   * skb_cb() accessor (NETLINK_CB(skb), UNIXCB(skb)…), which gives it its type.
   */
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
 * (far more than copying a kilobyte), so the block size sets how many messages share that cost. Arrays
 * of up to 64 bytes live on V8's heap and are cheap anyway, and larger ones are rare enough to get their
 * own. An area carved this way shares its ArrayBuffer, so it is never handed to a user as it is (see
 * skb_copy_datagram_msg).
 *
 * A block is used again once every area carved from it has been given back, as page_frag_alloc() reuses
 * a page whose fragments were all freed (its refcount back to the cache's bias). Only skb_free_head()
 * gives an area back, and only the receive path calls it (skb_free_datagram: the bytes were copied to
 * the user); an area nobody gives back keeps its block out of reuse until the garbage collector takes
 * it, so a view of it held anywhere (a parsed attribute, a clone) never sees another message's bytes.
 * Reuse matters because a fresh block is fresh memory: every page of it faults in on first touch, about
 * a microsecond per 4 KiB page on a VM, which cost a quarter of a 1 KiB message's round trip.
 */
const SLAB_BLOCK = 32768;
const SLAB_MIN = 65;
const SLAB_MAX = 2048;

/**
 * A block and the bytes of it still out (page_frag counts fragments in the page refcount; bytes are
 * safer here: a family that splits an area among several buffers, or trims one, gives back at most what
 * was carved, so a block can come back late but never early).
 */
interface FragBlock {
  readonly buf: ArrayBuffer;
  live: number;
}

// The blocks that can come back, most recent last; the one areas are carved from is frag_cur. Eight
// blocks (256 KiB) cover a socket's default receive budget of messages in flight; an older block leaves
// the list and is left to the garbage collector.
const FRAG_TRACKED = 8;
const frag_blocks: FragBlock[] = [];
let frag_cur: FragBlock = { buf: new ArrayBuffer(0), live: 0 };
let frag_off = SLAB_BLOCK; // full: the first call takes a block

/** The next block to carve from: the first tracked one whose areas all came back, or a new one. */
function frag_refill(): FragBlock {
  for (const b of frag_blocks) {
    if (b.live === 0) {
      new Uint8Array(b.buf).fill(0); // kmalloc_reserve() hands out zeroed areas
      return b;
    }
  }
  const b: FragBlock = { buf: new ArrayBuffer(SLAB_BLOCK), live: 0 };
  if (frag_blocks.length === FRAG_TRACKED) frag_blocks.shift();
  frag_blocks.push(b);
  return b;
}

/** Mirrors kmalloc_reserve(): the data area of a new buffer (zero-filled). */
export function kmalloc_reserve(size: number): Uint8Array {
  if (size < SLAB_MIN || size > SLAB_MAX) return new Uint8Array(size);
  if (frag_off + size > SLAB_BLOCK) {
    frag_cur = frag_refill();
    frag_off = 0;
  }
  const area = new Uint8Array(frag_cur.buf, frag_off, size);
  frag_cur.live += size;
  frag_off += (size + 7) & ~7; // kmalloc objects are at least 8-byte aligned
  return area;
}

const NO_DATA = new Uint8Array(0);

/**
 * Mirrors skb_free_head(): the buffer's data area goes back where it came from. A clone's bytes are
 * shared (another buffer still reads them), so they stay: buffers that share bytes must be made with
 * skb_clone(). Afterwards the buffer holds no bytes: a second call, or a read after the free, finds
 * nothing rather than the area's next message.
 */
export function skb_free_head(skb: SkBuff): void {
  if (skb.cloned) return;
  const d = skb.data;
  skb.data = NO_DATA;
  // Only an area of the carved sizes can belong to a block (`buffer` of a small array would allocate).
  if (d.length < SLAB_MIN || d.length > SLAB_MAX) return;
  const buf = d.buffer;
  for (let i = frag_blocks.length - 1; i >= 0; i--) {
    const b = frag_blocks[i]!;
    if (b.buf === buf) {
      b.live -= d.length;
      return;
    }
  }
}

/**
 * Mirrors skb_clone(): another buffer over the same bytes (a broadcast's copy for one more receiver).
 * Both are marked cloned, so neither gives the bytes away (to a user, or back to their block). The
 * control block starts empty: the family copies what its cb holds, as Linux copies skb->cb.
 */
export function skb_clone(skb: SkBuff): SkBuff {
  const c = new SkBuff(skb.data, skb.truesize);
  skb.cloned = c.cloned = true;
  return c;
}

/**
 * A layer's typed view of skb->cb, as Linux's NETLINK_CB(skb), UNIXCB(skb) or TCP_SKB_CB(skb) cast the
 * 48 bytes of skb->cb to the layer's struct: `skb_cb(NetlinkSkbParms)` returns the accessor, which
 * gives the buffer's control block when it is one of `layer`'s and otherwise puts a fresh (zeroed) one in
 * its place — the control block is the scratch space of the layer holding the buffer, and a layer that
 * takes a buffer over overwrites what the previous one kept there. Declare it once, at module level:
 *
 * ```ts
 * export class UnixSkbParms { pid = 0; uid = 0; gid = 0; }
 * export const UNIXCB = skb_cb(UnixSkbParms);
 * UNIXCB(skb).pid = current().pid;
 * ```
 */
export function skb_cb<T extends object>(layer: new () => T): (skb: SkBuff) => T {
  return (skb) => {
    const cb = skb.cb;
    if (cb instanceof layer) return cb;
    const fresh = new layer();
    skb.cb = fresh;
    return fresh;
  };
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

/**
 * Mirrors skb_set_owner_r(): charge the buffer to the receiving socket. Data for a sock whose sk_refcnt
 * already reached zero (a family that left a freed sock in its lookup tables) is reported as KASAN
 * would report the write (see kasan_report_uaf), then charged as before.
 */
export function skb_set_owner_r(skb: SkBuff, sk: Sock): void {
  if (sk.sk_refcnt === 0)
    kasan_report_uaf(
      sk.sk_net.kernel,
      'skb_set_owner_r',
      `Data (${skb.len} bytes) for a ${sk.sk_prot_creator.name} sock whose sk_refcnt reached 0`,
    );
  skb_orphan(skb);
  skb.sk = sk;
  skb.destructor = sock_rfree;
  sk.sk_rmem_alloc += skb.truesize;
}
