/**
 * drivers/char/random.c: get_random_u32() and the helpers built on it, one generator per kernel.
 */
import type { Kernel } from './kernel.js';

/**
 * The kernel's random numbers (drivers/char/random.c), reduced to what callers observe: get_random_u32()
 * and the helpers built on it. Each kernel draws from its own generator, xoshiro128** seeded through
 * splitmix32. `KernelOptions.random_seed` fixes the seed, so that two kernels given the same seed and the
 * same calls pick the same ephemeral ports, autobind portids and MAC addresses (a test that runs one
 * program twice needs that); without it the seed is itself random, as Linux's numbers are.
 * Not for cryptography: nothing in ksock keeps a secret.
 */
export class RandomState {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    // splitmix32: spreads one 32-bit seed over the four words (never all zero)
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** One 32-bit draw (xoshiro128**). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for a kernel built without one: from the platform's random source where there is one. */
export function random_seed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (typeof c?.getRandomValues === 'function') return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x100000000);
}

/** Mirrors get_random_u32(). */
export function get_random_u32(kernel: Kernel): number {
  return kernel.random.u32();
}

/**
 * Mirrors get_random_u32_below(): uniform in [0, ceil) for 1 ≤ ceil ≤ 2^32, by Lemire's multiply-high
 * with the rejection Linux uses, so every value is equally likely.
 */
export function get_random_u32_below(kernel: Kernel, ceil: number): number {
  // (u64)r * ceil: split so the product stays exact in doubles; the high 32 bits are the value,
  // the low 32 bits decide rejection.
  for (;;) {
    const r = kernel.random.u32();
    const lo = (r & 0xffff) * ceil;
    const hi = (r >>> 16) * ceil + Math.floor(lo / 0x10000);
    const low32 = ((hi % 0x10000) * 0x10000 + (lo % 0x10000)) >>> 0;
    const value = Math.floor(hi / 0x10000);
    // Reject the few draws of the partial last interval: low32 < 2^32 mod ceil.
    if (low32 >= ceil || low32 >= 0x100000000 % ceil) return value;
  }
}

/** Mirrors get_random_bytes(): `out` filled with random bytes. */
export function get_random_bytes(kernel: Kernel, out: Uint8Array): void {
  for (let i = 0; i < out.length; i += 4) {
    const r = kernel.random.u32();
    for (let j = 0; j < 4 && i + j < out.length; j++) out[i + j] = (r >>> (8 * j)) & 0xff;
  }
}
