/**
 * `npm run bench`: ksock against the Linux kernel of this machine, in the same run. The Linux column
 * comes from c/linux_bench.c (compiled with gcc now), the ksock column from src/worker.ts, one Node
 * process per operation; the two alternate operation by operation so both see the same machine load.
 * Prints one table and writes bench-results/bench.json at the repository root.
 *
 *   --quick        shorter samples and fewer repeats
 *   --only <text>  only the rows whose id or label contains <text> (for working on one operation)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errname } from '@ksock/core';
import { ksockCli, type ServedKernel, serveKernel } from './bridge.js';
import { loadFamilies } from './families.js';
import { execSeconds, LinuxBench, type LinuxResult } from './linux.js';
import { median } from './measure.js';
import {
  BRIDGE_OPS,
  type BridgeOp,
  type KsockSpec,
  missingModules,
  RATE_OPS,
  type RateOp,
  type TracerMode,
  tracerSocket,
} from './ops.js';
import { parseSlabinfo, slabDelta } from './slabinfo.js';
import { formatTable, formatValue, judge, type ResultRow } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const repoRoot = join(pkgDir, '..', '..');

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '') : null;

const settings = quick
  ? {
      minSeconds: 0.2,
      repeats: 3,
      tracerRounds: 4,
      tracerFixedRounds: 2,
      tracerSeconds: 0.2,
      manyCount: 1_000_000,
      manyBlock: 100_000,
    }
  : {
      minSeconds: 0.5,
      repeats: 5,
      tracerRounds: 16,
      tracerFixedRounds: 6,
      tracerSeconds: 0.3,
      manyCount: 1_000_000,
      manyBlock: 100_000,
    };

const wanted = (id: string, label: string) => only === null || id.includes(only) || label.includes(only);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Run one ksock measurement in a fresh Node process. */
function ksock(
  spec: KsockSpec,
  extraNodeArgs: readonly string[] = [],
  timing: { minSeconds: number; repeats: number } = settings,
  imports: readonly string[] = [],
): Record<string, unknown> {
  const payload = JSON.stringify({ spec, minSeconds: timing.minSeconds, repeats: timing.repeats });
  // A worker that dies (a package caught half-edited in a shared tree, say) is tried once more, then
  // reported as an error in its row: one broken operation does not end the run.
  let why = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const outText = execFileSync(
        process.execPath,
        [
          ...extraNodeArgs,
          '--conditions=@ksock/source',
          '--import',
          'tsx',
          ...imports.flatMap((m) => ['--import', m]),
          join(here, 'worker.ts'),
          payload,
        ],
        {
          cwd: pkgDir,
          encoding: 'utf8',
          timeout: 600_000,
          maxBuffer: 16 << 20,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const last = outText.trim().split('\n').at(-1) ?? '{}';
      return JSON.parse(last) as Record<string, unknown>;
    } catch (e) {
      const err = e as { stderr?: string; message?: string };
      const lines = (err.stderr ?? err.message ?? String(e))
        .split('\n')
        .filter((l) => /Error|error:/.test(l));
      why = lines[0]?.trim() ?? 'worker failed';
      if (attempt === 0) execFileSync('sleep', ['2']);
    }
  }
  return { error: why };
}

/** Wait (up to two minutes) for another benchmark of this repository that turbo started alongside. */
function waitForOtherBenches(): void {
  const others = () => {
    const found: string[] = [];
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        // turbo starts `tsx bench/run.ts` in packages/core, which spawns `…/core/bench/socket_close.ts`.
        const core =
          /core\/bench\/socket_close\.ts/.test(cmd) ||
          (/\bbench\/run\.ts\b/.test(cmd) && readlinkSync(`/proc/${pid}/cwd`).endsWith('/packages/core'));
        if (core) found.push(pid);
      } catch {
        // gone already
      }
    }
    return found;
  };
  const t0 = Date.now();
  let said = false;
  while (others().length > 0 && Date.now() - t0 < 120_000) {
    if (!said)
      log("waiting for @ksock/core's bench to finish (two benchmarks at once would measure each other)…");
    said = true;
    execFileSync('sleep', ['1']);
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const families = await loadFamilies();
for (const [pkg, why] of Object.entries(families.problems)) log(`${pkg}: ${why}`);
let linux: LinuxBench | null = null;
let linuxProblem = '';
try {
  linux = LinuxBench.compile();
} catch (e) {
  linuxProblem = `n/a (gcc: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
}
waitForOtherBenches();
const started = Date.now();
const rows: ResultRow[] = [];
/** Lines printed under the table. */
const notes: string[] = [];

// ---- rates: Linux, then ksock, operation by operation ------------------------------------------------
function rateRow(op: RateOp): ResultRow {
  const row: ResultRow = {
    id: op.id,
    operation: op.label,
    ksock: null,
    linux: null,
    unit: 'ops/s',
    ratio: null,
    target: op.target,
    met: null,
    detail: {},
  };
  const missing = missingModules(op.needs, families.names);
  let l: LinuxResult | null = null;
  if (op.linux === null) row.linux_note = op.linuxNote ?? 'n/a';
  else if (linux === null) row.linux_note = linuxProblem;
  else {
    l = linux.run([...op.linux, settings.minSeconds, settings.repeats]);
    if (l.unsupported)
      row.linux_note = `n/a (host: ${typeof l.errno === 'number' ? errname(l.errno) : 'unsupported'})`;
    else if (l.error !== undefined) row.linux_note = `error: ${l.error}`;
    else row.linux = num(l.ops_per_sec);
    row.detail!.linux = l;
  }
  if (missing.length > 0) {
    row.ksock_note = `n/a (module not available: ${missing.join(', ')})`;
  } else {
    const k = ksock(op.ksock);
    row.detail!.ksock = k;
    if (k.unsupported) row.ksock_note = `n/a (${String(k.error)})`;
    else if (k.error !== undefined) row.ksock_note = `error: ${String(k.error).split('\n')[0]}`;
    else row.ksock = num(k.ops_per_sec);
  }
  Object.assign(row, judge(row.target, row.ksock, row.linux));
  const kc = num((row.detail!.ksock as Record<string, unknown> | undefined)?.cpu_ops_per_sec);
  const lc = num(l?.cpu_ops_per_sec);
  row.cpu_ratio = row.ksock !== null && row.linux !== null && kc !== null && lc ? kc / lc : null;
  return row;
}

const rateOps = RATE_OPS.filter((op) => wanted(op.id, op.label));
for (const [i, op] of rateOps.entries()) {
  const row = rateRow(op);
  rows.push(row);
  const show = (v: number | null, note?: string) => (v === null ? (note ?? '—') : formatValue(v, row.unit));
  log(
    `[${i + 1}/${rateOps.length}] ${op.label}: Linux ${show(row.linux, row.linux_note)}, ksock ${show(row.ksock, row.ksock_note)}`,
  );
}

// ---- the bridge (issue 16): unmodified programs on a ksock kernel --------------------------------------
// The same C binary runs on the host and under @ksock/run's LD_PRELOAD library, against a kernel that
// src/serve.ts serves from a Node process of its own (this process blocks while the program runs).
// A fresh kernel per row, as every ksock row has a fresh process.
async function withServer<T>(what: (s: ServedKernel) => T | Promise<T>): Promise<T | { error: string }> {
  let s: ServedKernel;
  try {
    s = await serveKernel();
  } catch (e) {
    return { error: `serving a kernel: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    return await what(s);
  } finally {
    await s.close();
  }
}

async function bridgeRateRow(op: BridgeOp): Promise<ResultRow> {
  const row: ResultRow = {
    id: op.id,
    operation: op.label,
    ksock: null,
    linux: null,
    unit: 'ops/s',
    ratio: null,
    target: op.target,
    met: null,
    detail: {},
  };
  const args = [...op.args, settings.minSeconds, settings.repeats];
  if (linux === null) {
    row.linux_note = linuxProblem;
    row.ksock_note = linuxProblem;
    return row;
  }
  const l = linux.run(args);
  row.detail!.linux = l;
  if (l.error !== undefined) row.linux_note = `error: ${l.error}`;
  else row.linux = num(l.ops_per_sec);
  const missing = missingModules(op.needs, families.names);
  if (missing.length > 0) row.ksock_note = `n/a (module not available: ${missing.join(', ')})`;
  else {
    const k = await withServer(async (s) => {
      const before = await s.served();
      const r = linux!.run(args, s.env);
      return { ...r, bridge_requests: (await s.served()) - before };
    });
    row.detail!.ksock = k;
    if (k.error !== undefined) row.ksock_note = `error: ${String(k.error).split('\n')[0]}`;
    else if (!('bridge_requests' in k) || k.bridge_requests === 0)
      row.ksock_note = 'error: no call reached the ksock kernel';
    else row.ksock = num(k.ops_per_sec);
  }
  Object.assign(row, judge(row.target, row.ksock, row.linux));
  const kc = num((row.detail!.ksock as Record<string, unknown> | undefined)?.cpu_ops_per_sec);
  const lc = num(l.cpu_ops_per_sec);
  row.cpu_ratio = row.ksock !== null && row.linux !== null && kc !== null && lc ? kc / lc : null;
  return row;
}

const bridgeOps = BRIDGE_OPS.filter((op) => wanted(op.id, op.label));
for (const [i, op] of bridgeOps.entries()) {
  const row = await bridgeRateRow(op);
  rows.push(row);
  const show = (v: number | null, note?: string) => (v === null ? (note ?? '—') : formatValue(v, row.unit));
  log(
    `[bridge ${i + 1}/${bridgeOps.length}] ${op.label}: Linux ${show(row.linux, row.linux_note)}, ksock ${show(row.ksock, row.ksock_note)}`,
  );
}

// `ip link show`, wall time from fork to exit (linux_bench exec), output discarded. Rounds of four runs —
// host, `ksock run` (a private kernel: Node, the CLI, booting, the program), `ksock run --kernel` of the
// served kernel (Node and the CLI, no boot), and the program alone with LD_PRELOAD and KSOCK_SOCKET set
// (what the bridge costs a program) — a warm-up round, then `repeats` rounds; each figure is the median.
const IP = ['ip', 'link', 'show'];
const ipRows = [
  { id: 'bridge.ip_link.run', label: '`ip link show` wall time, `ksock run` (private kernel, booted)' },
  { id: 'bridge.ip_link.kernel', label: '`ip link show` wall time, `ksock run --kernel` (served kernel)' },
  { id: 'bridge.ip_link.preload', label: '`ip link show` wall time, the program alone under LD_PRELOAD' },
].filter((r) => wanted(r.id, r.label));
if (ipRows.length > 0) {
  type Side = 'linux' | 'run' | 'kernel' | 'preload';
  const times: Record<Side, number[]> = { linux: [], run: [], kernel: [], preload: [] };
  const errors: Partial<Record<Side, string>> = {};
  let requests = 0;
  const missing = missingModules(['af_netlink', 'rtnetlink'], families.names);
  const got =
    linux === null
      ? { error: linuxProblem }
      : await withServer(async (s) => {
          const cli = ksockCli(repoRoot);
          const before = await s.served();
          for (let r = 0; r <= settings.repeats; r++) {
            const runs: Array<[Side, LinuxResult]> = [
              ['linux', linux!.run(['exec', ...IP])],
              ['run', linux!.run(['exec', ...cli, 'run', '--', ...IP])],
              ['kernel', linux!.run(['exec', ...cli, 'run', '--kernel', s.socket, '--', ...IP])],
              ['preload', linux!.run(['exec', ...IP], s.env)],
            ];
            for (const [side, res] of runs) {
              const t = execSeconds(res);
              if ('error' in t) errors[side] ??= t.error;
              else if (r > 0) times[side].push(t.seconds * 1000);
            }
          }
          requests = (await s.served()) - before;
          return {};
        });
  const med = (side: Side) => (times[side].length > 0 && !errors[side] ? median(times[side]) : null);
  for (const { id, label } of ipRows) {
    const side: Side =
      id === 'bridge.ip_link.run' ? 'run' : id === 'bridge.ip_link.kernel' ? 'kernel' : 'preload';
    const problem =
      missing.length > 0
        ? `n/a (module not available: ${missing.join(', ')})`
        : 'error' in got
          ? `error: ${got.error}`
          : errors[side] !== undefined
            ? `error: ${errors[side]}`
            : side !== 'run' && requests === 0
              ? 'error: no call reached the ksock kernel'
              : undefined;
    const row: ResultRow = {
      id,
      operation: label,
      ksock: problem === undefined ? med(side) : null,
      linux: med('linux'),
      unit: 'ms',
      ratio: null,
      target: null,
      met: null,
      ...(problem !== undefined ? { ksock_note: problem } : {}),
      ...(errors.linux !== undefined ? { linux_note: `error: ${errors.linux}` } : {}),
      detail: {
        ksock_ms: times[side],
        linux_ms: times.linux,
        ...(side !== 'run' ? { bridge_requests_all_rounds: requests } : {}),
      },
    };
    Object.assign(row, judge(null, row.ksock, row.linux));
    rows.push(row);
  }
  log(
    `[bridge ip] ms, medians: Linux ${med('linux')?.toFixed(1)}, ksock run ${med('run')?.toFixed(1)}, --kernel ${med('kernel')?.toFixed(1)}, LD_PRELOAD alone ${med('preload')?.toFixed(1)}`,
  );
}

// ---- many open UDP sockets in one task --------------------------------------------------------------
if (wanted('many', 'open UDP sockets')) {
  const { manyCount: count, manyBlock: block } = settings;
  const k = missingModules(['af_inet'], families.names);
  let kr: Record<string, unknown> | null = null;
  let kNote: string | undefined;
  if (k.length > 0) kNote = `n/a (module not available: ${k.join(', ')})`;
  else {
    kr = ksock({ kind: 'many', count, block }, ['--expose-gc', '--max-old-space-size=8192']);
    if (kr.error !== undefined || kr.unsupported) {
      kNote = `error: ${String(kr.error).split('\n')[0]}`;
      kr = null;
    }
  }
  let lr: LinuxResult | null = null;
  let slab: ReturnType<typeof slabDelta> | null = null;
  if (linux !== null) {
    const m = linux.many(0);
    lr = m.result;
    if (m.before !== null && m.after !== null && typeof lr.count === 'number')
      slab = slabDelta(parseSlabinfo(m.before), parseSlabinfo(m.after), lr.count);
  }
  const lCount = num(lr?.count);
  const kBlocks = (kr?.block_seconds as number[] | undefined) ?? [];
  const lBlocks = (lr?.block_seconds as number[] | undefined) ?? [];
  const lastFirst = (b: number[]) => (b.length >= 2 ? b.at(-1)! / b[0]! : null);
  const open: ResultRow = {
    id: 'many.open_rate',
    operation: `UDP socket(), ${count.toLocaleString('en')} open in one task (Linux: ${lCount?.toLocaleString('en') ?? '?'}, RLIMIT_NOFILE)`,
    ksock: num(kr?.ops_per_sec),
    linux: num(lr?.ops_per_sec),
    unit: 'ops/s',
    ratio: null,
    target: null,
    met: null,
    ...(kNote ? { ksock_note: kNote } : {}),
    ...(linux === null ? { linux_note: linuxProblem } : {}),
    detail: { ksock: kr, linux: lr },
  };
  Object.assign(open, judge(null, open.ksock, open.linux));
  const blocks: ResultRow = {
    id: 'many.last_vs_first_block',
    operation: `  last / first block (ksock ${block.toLocaleString('en')}, Linux ${(num(lr?.block_size) ?? 0).toLocaleString('en')} sockets)`,
    ksock: lastFirst(kBlocks),
    linux: lastFirst(lBlocks),
    unit: 'x',
    ratio: null,
    target: { kind: 'max_value', value: 1.3, unit: 'x' },
    met: null,
    ...(kNote ? { ksock_note: kNote } : {}),
    detail: { ksock_block_seconds: kBlocks, linux_block_seconds: lBlocks },
  };
  Object.assign(blocks, judge(blocks.target, blocks.ksock, null));
  const mem: ResultRow = {
    id: 'many.bytes_per_socket',
    operation: '  memory per open UDP socket (ksock: JS heap; Linux: slab)',
    ksock: num(kr?.heap_bytes_per_socket),
    linux: slab?.bytes_per_socket ?? null,
    unit: 'B',
    ratio: null,
    target: { kind: 'max_value', value: 1024, unit: 'B' },
    met: null,
    ...(kNote ? { ksock_note: kNote } : {}),
    ...(slab === null
      ? { linux_note: linux === null ? linuxProblem : 'n/a (/proc/slabinfo unreadable)' }
      : {}),
    detail: {
      ksock_external_bytes_per_socket: kr?.external_bytes_per_socket ?? null,
      linux_slab: slab,
    },
  };
  Object.assign(mem, judge(mem.target, mem.ksock, null));
  mem.ratio = mem.ksock !== null && mem.linux !== null ? mem.ksock / mem.linux : null;
  rows.push(open, blocks, mem);
  if (slab !== null && slab.caches.length > 0)
    notes.push(
      `Linux slab per open UDP socket: ${slab.caches.map((c) => `${c.name} ${c.bytes_per_socket.toFixed(0)}`).join(' + ')} = ${slab.bytes_per_socket.toFixed(0)} B (${slab.sockets} sockets).`,
    );
  log(
    `[many] ksock ${kr ? `${count} sockets, blocks ${kBlocks.map((s) => s.toFixed(3)).join(' ')} s, ${String(kr.heap_bytes_per_socket)} B heap/socket` : kNote}; Linux ${lr ? `${lCount} sockets, ${slab?.bytes_per_socket ?? '?'} B slab/socket` : linuxProblem}`,
  );
}

// ---- tracer: compiled out, compiled in but off, on --------------------------------------------------
// One process per mode (compiled out is a load-time switch), the modes alternating round after round.
// The machine is shared, so its load drifts between rounds: the tracer-off cost is the median of the
// per-round ratios off/out (each pair measured seconds apart), next to the ratio of the medians.
//
// A second series runs each pair on a fixed compile schedule: V8 compiles on the main thread
// (--single-threaded) with the round's hash and random seeds, so both builds are optimised at the same
// points of their run. With V8's default background compilation each process inlines according to when
// its compiles happen to finish, and the same build varies by ±15% from one process to the next; on the
// fixed schedule it varies by a few percent, and what is left of the difference between the builds
// belongs to their code.
const ts = tracerSocket(families.names);
if (wanted('tracer', 'tracer')) {
  const timing = { minSeconds: settings.tracerSeconds, repeats: 3 };
  let events: unknown = null;
  let problem: string | undefined;
  if (ts === null) problem = 'n/a (module not available: af_inet or af_netlink)';
  const series = (rounds: number, fixed: boolean) => {
    const got: Record<TracerMode, number[]> = { out: [], off: [], on: [] };
    const cpu: Record<TracerMode, Array<number | null>> = { out: [], off: [], on: [] };
    // Rounds alternate the order (out, off, then off, out…) so a drift in machine load cannot favour one
    // mode; "on" (an order of magnitude slower, no target) is measured in the first three default rounds.
    for (let r = 0; ts !== null && problem === undefined && r < rounds; r++) {
      const order: TracerMode[] = r % 2 === 0 ? ['out', 'off'] : ['off', 'out'];
      if (!fixed && r < 3) order.push('on');
      const schedule = fixed ? ['--single-threaded', `--hash-seed=${r + 1}`, `--random-seed=${r + 1}`] : [];
      for (const mode of order) {
        // Compiled out: the packages load through core's bench/untrace.mjs, without live trace points.
        const k = ksock(
          { kind: 'tracer', mode, family: ts.family, type: ts.type, protocol: ts.protocol },
          schedule,
          timing,
          mode === 'out' ? [pathToFileURL(join(repoRoot, 'packages/core/bench/untrace.mjs')).href] : [],
        );
        if (k.error !== undefined || k.unsupported) {
          problem = `error: ${String(k.error).split('\n')[0]}`;
          break;
        }
        got[mode].push(num(k.ops_per_sec) ?? 0);
        cpu[mode].push(num(k.cpu_ops_per_sec));
        if (mode === 'on') events = k.events_per_op;
      }
      if (problem === undefined) {
        const c = (m: TracerMode) => cpu[m].at(-1) ?? got[m].at(-1)!;
        log(
          `[tracer${fixed ? ', fixed schedule' : ''} ${r + 1}/${rounds}] per on-CPU second: out ${formatValue(c('out'), 'ops/s')}, off ${formatValue(c('off'), 'ops/s')} (${((1 - c('off') / c('out')) * 100).toFixed(1)} %)${order.includes('on') ? `, on ${formatValue(c('on'), 'ops/s')}` : ''}`,
        );
      }
    }
    // Judged per on-CPU second when every round has it (time descheduled by other load is not ours).
    const costsOf = (o: ReadonlyArray<number | null>, f: ReadonlyArray<number | null>) =>
      f.every((v) => v !== null) && o.every((v) => v !== null)
        ? f.map((v, i) => (1 - v! / o[i]!) * 100)
        : null;
    const wallCosts = costsOf(got.out, got.off)!;
    const cpuCosts = costsOf(cpu.out, cpu.off);
    const costs = cpuCosts ?? wallCosts;
    const med = (m: TracerMode) => (got[m].length > 0 && problem === undefined ? median(got[m]) : null);
    const out = med('out');
    const off = med('off');
    return {
      got,
      cpu,
      out,
      off,
      on: med('on'),
      cpuBasis: cpuCosts !== null,
      overhead: problem === undefined && costs.length > 0 ? median(costs) : null,
      detail: {
        basis: cpuCosts ? 'on-CPU time of the measuring thread' : 'wall clock',
        per_round_percent: costs.map((c) => Math.round(c * 10) / 10),
        wall_per_round_percent: wallCosts.map((c) => Math.round(c * 10) / 10),
        wall_median_percent: wallCosts.length > 0 ? Math.round(median(wallCosts) * 10) / 10 : null,
        ratio_of_medians_percent:
          out !== null && off !== null ? Math.round((1 - off / out) * 1000) / 10 : null,
      },
    };
  };
  const free = series(settings.tracerRounds, false);
  const fixed = series(settings.tracerFixedRounds, true);
  const label = ts?.label ?? '';
  const base = (id: string, operation: string, v: number | null): ResultRow => ({
    id,
    operation,
    ksock: v,
    linux: null,
    unit: 'ops/s',
    ratio: null,
    target: null,
    met: null,
    linux_note: '',
    ...(problem ? { ksock_note: problem } : {}),
  });
  rows.push(
    {
      ...base('tracer.out', `socket()+close() ${label}, tracer compiled out`, free.out),
      detail: { rounds: free.got.out, cpu_rounds: free.cpu.out },
    },
    {
      ...base('tracer.off', `socket()+close() ${label}, tracer compiled in, off`, free.off),
      detail: { rounds: free.got.off, cpu_rounds: free.cpu.off },
    },
    {
      ...base(
        'tracer.off_overhead',
        `  tracer-off cost vs compiled out (median of rounds${free.cpuBasis ? ', on-CPU time' : ''})`,
        free.overhead,
      ),
      unit: '%',
      target: { kind: 'max_value', value: 3, unit: '%' },
      met: free.overhead === null ? null : free.overhead <= 3,
      detail: free.detail,
    },
    {
      ...base(
        'tracer.off_overhead_fixed',
        '  the same on a fixed compile schedule (no target)',
        fixed.overhead,
      ),
      unit: '%',
      detail: {
        ...fixed.detail,
        node_flags: '--single-threaded --hash-seed=N --random-seed=N (N = round)',
        out_cpu_rounds: fixed.cpu.out,
        off_cpu_rounds: fixed.cpu.off,
      },
    },
    {
      ...base('tracer.on', `socket()+close() ${label}, tracer on (recording)`, free.on),
      detail: { rounds: free.got.on, events_per_op: events },
    },
  );
}

// ---- output -----------------------------------------------------------------------------------------
linux?.cleanup();
const seconds = (Date.now() - started) / 1000;
console.log(
  `ksock (Node ${process.version}) against Linux ${release()} on ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), commit ${gitCommit() ?? '?'}${quick ? ', --quick' : ''}\n`,
);
console.log(formatTable(rows));
if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
const load = loadavg()[0]!;
if (load > cpus().length * 0.75)
  console.log(
    `\nThe machine was busy (load average ${load.toFixed(1)} on ${cpus().length} CPUs): both columns are noisy; compare ratios.`,
  );
const missed = rows.filter((r) => r.met === false).map((r) => r.id);
console.log(
  `\n${rows.filter((r) => r.met === true).length} targets met, ${missed.length} missed${missed.length ? ` (${missed.join(', ')})` : ''}; ${seconds.toFixed(0)} s${quick ? ', --quick' : ''}.`,
);
const resultsDir = join(repoRoot, 'bench-results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, only === null ? 'bench.json' : 'bench-partial.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      commit: gitCommit(),
      quick,
      only,
      settings,
      seconds,
      host: {
        kernel: release(),
        node: process.version,
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? null,
        loadavg: loadavg(),
        compiler: linux?.compiler ?? null,
      },
      families: { modules: [...families.names], problems: families.problems },
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`Results: ${file}`);
