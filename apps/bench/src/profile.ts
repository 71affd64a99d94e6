/**
 * Profile one ksock operation: `npx tsx --conditions=@ksock/source src/profile.ts <row id> [seconds]`
 * runs the worker for that row under `node --cpu-prof` and prints the functions with the most self time
 * (and their callers' share: total time), so a missed target can be traced to its cause.
 * A bridge row (`bridge.getsockname`, `bridge.pingpong.1`…) profiles the serving process instead: the
 * kernel server runs under `--cpu-prof` while the C program makes its calls through the bridge.
 * Profiles are written to bench-results/profiles/ (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveKernel } from './bridge.js';
import { summarizeProfile } from './cpuprofile.js';
import { LinuxBench } from './linux.js';
import { BRIDGE_OPS, type KsockSpec, RATE_OPS } from './ops.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const id = process.argv[2] ?? '';
const seconds = Number(process.argv[3] ?? 2);
const dir = join(pkgDir, '..', '..', 'bench-results', 'profiles');
mkdirSync(dir, { recursive: true });
const before = new Set(readdirSync(dir));
const newest = () => {
  const file = readdirSync(dir)
    .filter((f) => !before.has(f) && f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (file === undefined) throw new Error('no profile written');
  return file;
};

const bridgeOp = BRIDGE_OPS.find((o) => o.id === id);
if (bridgeOp !== undefined) {
  const c = LinuxBench.compile();
  const served = await serveKernel(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const n0 = await served.served();
  const r = c.run([...bridgeOp.args, seconds, 1], served.env);
  const requests = (await served.served()) - n0;
  await served.close();
  c.cleanup();
  console.log(JSON.stringify({ ...r, bridge_requests: requests }));
  const file = newest();
  console.log(`${file}\n`);
  console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), 30));
  process.exit(0);
}

let spec: KsockSpec | undefined = RATE_OPS.find((o) => o.id === id)?.ksock;
if (id === 'many') spec = { kind: 'many', count: 1_000_000, block: 100_000 };
if (id.startsWith('tracer.'))
  spec = { kind: 'tracer', mode: id.slice(7) as 'out', family: 2, type: 2, protocol: 0 };
if (spec === undefined) {
  console.error(
    `usage: profile.ts <${[...RATE_OPS.map((o) => o.id), ...BRIDGE_OPS.map((o) => o.id), 'many', 'tracer.off'].join('|')}> [seconds]`,
  );
  process.exit(2);
}
const outText = execFileSync(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    '--expose-gc',
    '--max-old-space-size=8192',
    '--conditions=@ksock/source',
    '--import',
    'tsx',
    ...(id === 'tracer.out' ? ['--import', join(here, '../../../packages/core/bench/untrace.mjs')] : []),
    join(here, 'worker.ts'),
    JSON.stringify({ spec, minSeconds: seconds, repeats: 1 }),
  ],
  { cwd: pkgDir, encoding: 'utf8' },
);
console.log(outText.trim());
const file = newest();
console.log(`${file}\n`);
console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), 30));
