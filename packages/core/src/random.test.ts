import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import { get_random_bytes, get_random_u32, get_random_u32_below } from './random.js';

describe('the kernel random numbers', () => {
  it('repeat for one seed, differ between seeds, and a seedless kernel shows the seed it drew', () => {
    const draw = (k: Kernel) => Array.from({ length: 8 }, () => get_random_u32(k));
    const a = draw(new Kernel({ random_seed: 7 }));
    expect(draw(new Kernel({ random_seed: 7 }))).toEqual(a);
    expect(draw(new Kernel({ random_seed: 8 }))).not.toEqual(a);
    expect(a.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)).toBe(true);
    expect(new Set(a).size).toBe(8);
    const free = new Kernel();
    const seed = free.options.random_seed;
    expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff).toBe(true);
    expect(draw(new Kernel({ random_seed: seed }))).toEqual(draw(free));
  });

  it('refuses a seed that is not a u32, with a clear error', () => {
    for (const bad of [Number.NaN, -1, 1.5, 2 ** 32, Number.POSITIVE_INFINITY, '3' as unknown as number])
      expect(() => new Kernel({ random_seed: bad })).toThrow(
        /random_seed must be an integer from 0 to 4294967295/,
      );
    expect(new Kernel({ random_seed: 0xffffffff }).options.random_seed).toBe(0xffffffff);
  });

  it('get_random_u32_below is the multiply-high of the next draw, rejecting as Linux does', () => {
    // The reference in 64-bit integers: mult = r * ceil; redraw while (u32)mult < 2^32 mod ceil.
    for (const ceil of [1, 2, 3, 7, 1000, 28232, 0x7fffefff, 0xfffffffe, 2 ** 32]) {
      const twin = new Kernel({ random_seed: ceil % 1000 });
      const k = new Kernel({ random_seed: ceil % 1000 });
      for (let i = 0; i < 200; i++) {
        let want: bigint;
        for (;;) {
          const mult = BigInt(get_random_u32(twin)) * BigInt(ceil);
          if ((mult & 0xffffffffn) >= 2n ** 32n % BigInt(ceil)) {
            want = mult >> 32n;
            break;
          }
        }
        const got = get_random_u32_below(k, ceil);
        if (BigInt(got) !== want) expect([ceil, i, got]).toEqual([ceil, i, Number(want)]);
      }
    }
  });

  it('spreads evenly: each of 10 values within 5% of its share over 100000 draws', () => {
    const k = new Kernel({ random_seed: 1 });
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[get_random_u32_below(k, 10)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('get_random_bytes fills every byte, any length', () => {
    const k = new Kernel({ random_seed: 3 });
    for (const n of [0, 1, 3, 4, 5, 6, 64]) {
      const b = new Uint8Array(n);
      get_random_bytes(k, b);
      if (n >= 16) expect(new Set(b).size).toBeGreaterThan(n / 2);
    }
    const twin = new Kernel({ random_seed: 3 });
    const a = new Uint8Array(6);
    const b = new Uint8Array(6);
    get_random_bytes(new Kernel({ random_seed: 5 }), a);
    get_random_bytes(new Kernel({ random_seed: 5 }), b);
    expect(a).toEqual(b);
    const r = get_random_u32(twin);
    const c = new Uint8Array(4);
    get_random_bytes(new Kernel({ random_seed: 3 }), c);
    expect([...c]).toEqual([r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, r >>> 24]);
  });
});
