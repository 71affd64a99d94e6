/**
 * `npm run bench` for @ksock/core: socket()+close() with the tracer compiled out, compiled in but off,
 * and on. Each mode runs in its own Node process (so one mode's JIT state cannot help another), the modes
 * alternate, and medians are compared. Prints a table and writes bench-results/core.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.KSOCK_BENCH_ROUNDS ?? 5);
const n = process.env.KSOCK_BENCH_N ?? '300000';
const modes = ['out', 'off', 'on'] as const;
const results: Record<(typeof modes)[number], number[]> = { out: [], off: [], on: [] };

for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        ...(mode === 'out' ? ['--import', join(here, 'untrace.mjs')] : []),
        join(here, 'socket_close.ts'),
        mode,
        mode === 'on' ? '20000' : n,
      ],
      {
        encoding: 'utf8',
      },
    );
    results[mode].push(JSON.parse(out.trim().split('\n').at(-1)!).ops_per_sec);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out = median(results.out);
const off = median(results.off);
const on = median(results.on);
const row = (name: string, v: number) =>
  `${name.padEnd(36)} ${String(v).padStart(12)} ${(v / out).toFixed(3).padStart(8)}`;
console.log(`${'socket()+close(), test family'.padEnd(36)} ${'ops/s'.padStart(12)} ${'vs out'.padStart(8)}`);
console.log(row('tracer compiled out', out));
console.log(row('tracer compiled in, off', off));
console.log(row('tracer on (recording)', on));
const overhead = (out - off) / out;
console.log(`\ntracer-off overhead: ${(overhead * 100).toFixed(1)}% (target: within 3%)`);
mkdirSync(join(here, '..', '..', '..', 'bench-results'), { recursive: true });
writeFileSync(
  join(here, '..', '..', '..', 'bench-results', 'core.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds, n: Number(n), results, median: { out, off, on }, tracer_off_overhead: overhead }, null, 2)}\n`,
);
