/**
 * How every rate in the bench is taken, on both sides (c/linux_bench.c does the same in C): one short
 * warm-up sample, then `repeats` samples, each running chunks of operations until at least `minSeconds`
 * have passed; the figure reported is the median sample.
 */

/** The median of a non-empty list (the upper middle one for an even count, as the C side picks). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One chunk of operations; returns how many it did. */
export type Chunk = () => number;

/** Run chunks until `minSeconds` have passed; operations per second. */
export function sample(chunk: Chunk, minSeconds: number): number {
  const minMs = minSeconds * 1000;
  let ops = 0;
  const t0 = performance.now();
  let t: number;
  do {
    ops += chunk();
    t = performance.now();
  } while (t - t0 < minMs);
  return (ops / (t - t0)) * 1000;
}

export interface Rate {
  ops_per_sec: number;
  samples: number[];
}

/** Warm up, then take `repeats` samples; the median is the figure. */
export function measure(chunk: Chunk, minSeconds: number, repeats: number, after?: () => void): Rate {
  sample(chunk, minSeconds / 4);
  after?.();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    samples.push(Math.round(sample(chunk, minSeconds) * 10) / 10);
    after?.();
  }
  return { ops_per_sec: median(samples), samples };
}
