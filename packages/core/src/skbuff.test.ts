import { describe, expect, it } from 'vitest';
import { skb_copy_datagram_msg, skb_free_datagram } from './datagram.js';
import { MsgHdr, memcpy_from_msg } from './msg.js';
import { kmalloc_reserve, kmalloc_size_roundup, SkBuff, skb_clone, skb_free_head } from './skbuff.js';
import type { Sock } from './sock.js';
import { MSG_PEEK } from './uapi/socket.js';

describe('kmalloc_reserve', () => {
  it('carves 65 B – 2 KiB areas from shared blocks, 8-byte aligned, zero-filled and disjoint', () => {
    const areas = Array.from({ length: 400 }, () => kmalloc_reserve(100));
    let shared = 0;
    for (let i = 1; i < areas.length; i++) {
      const [a, b] = [areas[i - 1]!, areas[i]!];
      expect(b.every((x) => x === 0)).toBe(true);
      if (a.buffer !== b.buffer) continue;
      shared++;
      expect(b.byteOffset - a.byteOffset).toBe(104);
      a.fill(1);
      expect(b.every((x) => x === 0)).toBe(true);
    }
    expect(shared).toBeGreaterThan(390); // 315 areas of 104 bytes fit in a 32 KiB block
  });

  it('gives small and large areas an ArrayBuffer of their own', () => {
    for (const n of [0, 16, 64, 2049, 65536]) {
      const a = kmalloc_reserve(n);
      expect(a.length).toBe(n);
      expect(a.buffer.byteLength).toBe(n);
    }
  });
});

describe('skb_free_head and the reuse of blocks', () => {
  const BLOCK = 32768;
  const sk = null as unknown as Sock; // skb_free_datagram() does not look at the socket
  /** Start on a fresh block: take areas until one lands at offset 0 of a block nobody else uses. */
  const freshBlock = (size: number): SkBuff[] => {
    let a = kmalloc_reserve(size);
    while (a.byteOffset !== 0) a = kmalloc_reserve(size);
    const skbs = [new SkBuff(a)];
    while (skbs.length < Math.floor(BLOCK / size)) skbs.push(new SkBuff(kmalloc_reserve(size)));
    return skbs;
  };

  it('carves from a block again, zeroed, once every area of it came back through the receive path', () => {
    const skbs = freshBlock(1024);
    const block = skbs[0]!.data.buffer;
    expect(skbs.every((s) => s.data.buffer === block)).toBe(true);
    for (const s of skbs) s.data.fill(0xab);
    for (const s of skbs) skb_free_datagram(sk, s);
    expect(skbs.every((s) => s.data.length === 0)).toBe(true);
    const again = kmalloc_reserve(1024);
    expect(again.buffer).toBe(block);
    expect(again.byteOffset).toBe(0);
    expect(new Uint8Array(block).every((x) => x === 0)).toBe(true);
  });

  it('keeps a block out of reuse while one of its areas is held, cloned or only peeked at', () => {
    for (const keep of ['held', 'cloned', 'peeked'] as const) {
      const skbs = freshBlock(1024);
      const block = skbs[0]!.data.buffer;
      const kept = skbs[5]!;
      kept.data.fill(7);
      if (keep === 'cloned') kept.cloned = true;
      for (const s of skbs)
        if (s !== kept || keep !== 'held')
          skb_free_datagram(sk, s, keep === 'peeked' && s === kept ? MSG_PEEK : 0);
      // a double free of an area that came back is not a second give-back
      skb_free_datagram(sk, skbs[0]!);
      skb_free_head(skbs[1]!);
      const next = kmalloc_reserve(1024);
      expect(next.buffer).not.toBe(block);
      if (keep !== 'held') expect(kept.data.buffer).toBe(block);
      expect(new Uint8Array(block, 5 * 1024, 1024).every((x) => x === 7)).toBe(true);
    }
  });
});

describe('skb_free_head with areas split, trimmed or cloned', () => {
  it('counts bytes: halves given back free the block, a trimmed area or a clone keeps it', () => {
    const BLOCK = 32768;
    const sk = null as unknown as Sock;
    for (const how of ['halves', 'trimmed', 'clone'] as const) {
      let first = kmalloc_reserve(2048);
      while (first.byteOffset !== 0) first = kmalloc_reserve(2048);
      const areas = [first];
      while (areas.length < BLOCK / 2048) areas.push(kmalloc_reserve(2048));
      const [odd, ...rest] = areas as [Uint8Array, ...Uint8Array[]];
      for (const a of rest) skb_free_datagram(sk, new SkBuff(a));
      if (how === 'halves') {
        skb_free_datagram(sk, new SkBuff(odd.subarray(0, 1000)));
        skb_free_datagram(sk, new SkBuff(odd.subarray(1000)));
      } else if (how === 'trimmed') {
        skb_free_datagram(sk, new SkBuff(odd.subarray(0, 1000)));
      } else {
        const skb = new SkBuff(odd);
        const c = skb_clone(skb);
        expect([c.data, skb.cloned, c.cloned]).toEqual([odd, true, true]);
        skb_free_datagram(sk, skb);
        skb_free_datagram(sk, c);
      }
      expect([how, kmalloc_reserve(2048).buffer === first.buffer]).toEqual([how, how === 'halves']);
    }
  });
});

describe('memcpy_from_msg and skb_copy_datagram_msg', () => {
  const sent = (bytes: number[]) => {
    const msg = new MsgHdr();
    msg.iov = [new Uint8Array(bytes.slice(0, 1)), new Uint8Array(bytes.slice(1))];
    return new SkBuff(memcpy_from_msg(msg));
  };

  it('copies into the user buffer when there is one, leaving data empty', () => {
    const skb = sent([1, 2, 3, 4, 5]);
    const msg = new MsgHdr();
    msg.ubuf = new Uint8Array(4);
    skb_copy_datagram_msg(skb, 1, msg, 3, true);
    expect([...msg.ubuf]).toEqual([2, 3, 4, 0]);
    expect(msg.data.length).toBe(0);
  });

  it('hands over a whole unshared buffer, and copies a peek, a part, a clone or a carved area', () => {
    const own = new SkBuff(new Uint8Array([9, 8, 7]));
    const msg = new MsgHdr();
    skb_copy_datagram_msg(own, 0, msg, 3, true);
    expect(msg.data).toBe(own.data);
    skb_copy_datagram_msg(own, 0, msg, 3, false);
    expect(msg.data).not.toBe(own.data);
    skb_copy_datagram_msg(own, 1, msg, 2, true);
    expect([...msg.data]).toEqual([8, 7]);
    own.cloned = true;
    skb_copy_datagram_msg(own, 0, msg, 3, true);
    expect(msg.data).not.toBe(own.data);
    const carved = new SkBuff(kmalloc_reserve(200));
    skb_copy_datagram_msg(carved, 0, msg, 200, true);
    expect(msg.data).not.toBe(carved.data);
    expect(msg.data.buffer.byteLength).toBe(200);
  });
});

describe('kmalloc_size_roundup', () => {
  it('rounds to the kmalloc buckets, then to whole power-of-two pages', () => {
    const buckets = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
    const want = (n: number) => {
      for (const b of buckets) if (n <= b) return b;
      let p = 16384;
      while (p < n) p *= 2;
      return p;
    };
    for (let n = 0; n <= 70_000; n++)
      if (kmalloc_size_roundup(n) !== want(n)) expect([n, kmalloc_size_roundup(n)]).toEqual([n, want(n)]);
    for (const n of [2 ** 30, 2 ** 30 + 1, 2 ** 31 + 5, 2 ** 33])
      expect(kmalloc_size_roundup(n)).toBe(want(n));
  });
});
