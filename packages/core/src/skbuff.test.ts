import { describe, expect, it } from 'vitest';
import { skb_copy_datagram_msg } from './datagram.js';
import { MsgHdr, memcpy_from_msg } from './msg.js';
import { SkBuff, kmalloc_reserve, kmalloc_size_roundup } from './skbuff.js';

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
