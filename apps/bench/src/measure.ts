/**
 * How every rate in the bench is taken, on both sides (c/linux_bench.c does the same in C): one short
 * warm-up sample, then `repeats` samples, each running chunks of operations until at least `minSeconds`
 * have passed; the figure reported is the median sample.
 */
import { readFileSync } from 'node:fs';

/** The median of a non-empty list (the upper middle one for an even count, as the C side picks). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One chunk of operations; returns how many it did. */
export type Chunk = () => number;

/**
 * Nanoseconds this thread has spent on a CPU (the first field of /proc/thread-self/schedstat), or null
 * where that file does not exist. On a shared machine, time spent descheduled is not ours: a rate per
 * on-CPU second is steadier than a rate per wall-clock second (it still counts garbage collection done
 * on this thread, not the collector's helper threads).
 */
export function threadCpuNs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Run chunks until `minSeconds` have passed; operations per wall-clock second and per on-CPU second. */
export function sample(chunk: Chunk, minSeconds: number): { wall: number; cpu: number | null } {
  const minMs = minSeconds * 1000;
  let ops = 0;
  const c0 = threadCpuNs();
  const t0 = performance.now();
  let t: number;
  do {
    ops += chunk();
    t = performance.now();
  } while (t - t0 < minMs);
  const c1 = threadCpuNs();
  return {
    wall: (ops / (t - t0)) * 1000,
    cpu: c0 === null || c1 === null || c1 <= c0 ? null : (ops / (c1 - c0)) * 1e9,
  };
}

export interface Rate {
  /** Median of the wall-clock samples: the figure. */
  ops_per_sec: number;
  samples: number[];
  /** Median of the same samples per on-CPU second (null where not available). */
  cpu_ops_per_sec: number | null;
  cpu_samples: number[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Warm up, then take `repeats` samples; the median is the figure. */
export function measure(chunk: Chunk, minSeconds: number, repeats: number): Rate {
  sample(chunk, minSeconds / 4);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const s = sample(chunk, minSeconds);
    samples.push(r1(s.wall));
    if (s.cpu !== null) cpu.push(r1(s.cpu));
  }
  return {
    ops_per_sec: median(samples),
    samples,
    cpu_ops_per_sec: cpu.length === samples.length ? median(cpu) : null,
    cpu_samples: cpu,
  };
}
