/**
 * Shared pieces of the reliability suite: booting a kernel with every family, the counters that must come
 * back after everything is closed (module refcounts, sock_inode_cache, nr_files, sk_allocated, sockstat and
 * the family tables in /proc/net), the errno check every failure must pass, and the fuzz budget.
 */

import bluetooth, { BDADDR_ANY, BTPROTO_L2CAP, RFCOMM_PSM, sockaddr_l2 } from '@ksock/af-bluetooth';
import af_inet from '@ksock/af-inet';
import netlink from '@ksock/af-netlink';
import { AF_BLUETOOTH, errnoNames, Kernel, KernelError, SOCK_SEQPACKET, type Task } from '@ksock/core';
import { errnoOf, kernelCounters } from '@ksock/core/testing';
import fc from 'fast-check';

/** Every module the three families ship. */
export const ALL_MODULES = [netlink, af_inet, bluetooth];

/** A kernel with every family available; `random_seed` pins its random numbers (see twins.ts). */
export function boot(random_seed?: number): Kernel {
  return new Kernel({ modules: ALL_MODULES, random_seed });
}

const LINUX_ERRNO_NAMES = new Set(Object.values(errnoNames));

/**
 * Why `e` is not an acceptable syscall failure, or null when it is: a KernelError whose code is a Linux
 * errno name and whose errno number matches it.
 */
export function badFailure(e: unknown): string | null {
  if (!(e instanceof KernelError)) {
    return `not a KernelError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`;
  }
  if (!LINUX_ERRNO_NAMES.has(e.code)) return `not a Linux errno name: ${e.code} (${e.message})`;
  if (errnoNames[e.errno] !== e.code) return `errno ${e.errno} does not match code ${e.code}`;
  return null;
}

/** Run a syscall: its result, or the errno name it failed with. Anything but a KernelError is rethrown. */
export function sys<T>(fn: () => T): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    const bad = badFailure(e);
    if (bad !== null) throw new Error(bad);
    return { ok: false, code: (e as KernelError).code };
  }
}

/** The /proc/net files whose tables must come back to where they started. */
export const PROC_NET_FILES = [
  'netlink',
  'tcp',
  'udp',
  'raw',
  'rfcomm',
  'l2cap',
  'sco',
  'hci',
  'sockstat',
  'protocols',
] as const;

/**
 * A /proc/net file with the columns that legitimately differ between two kernels in the same state
 * (kernel pointers, inode numbers, drop counts of kernel sockets) removed.
 */
function normaliseProc(name: string, text: string): string {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
  switch (name) {
    case 'netlink':
      // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
      return rows
        .map((r) => r.slice(1, 8).join(' '))
        .sort()
        .join('|');
    case 'tcp':
    case 'udp':
    case 'raw':
      // sl local_address rem_address st …: which ports are taken, in which state
      return rows
        .map((r) => r.slice(1, 4).join(' '))
        .sort()
        .join('|');
    case 'rfcomm':
    case 'l2cap':
    case 'sco':
    case 'hci':
      // sk RefCnt Rmem Wmem User Inode Parent [protocol columns]
      return rows
        .map((r) => [...r.slice(1, 5), ...r.slice(7)].join(' '))
        .sort()
        .join('|');
    default:
      return lines.join('|');
  }
}

/** Read a /proc/net file as `task` sees it ('<absent>' when the file does not exist). */
export function procNet(k: Kernel, name: string, task: Task = k.init): string {
  try {
    return k.proc.read(`/proc/net/${name}`, task);
  } catch (e) {
    if (e instanceof KernelError && e.code === 'ENOENT') return '<absent>';
    throw e;
  }
}

/** Everything that must be back at its starting value once every task has exited. */
export function snapshot(k: Kernel): Record<string, unknown> {
  const proc: Record<string, string> = {};
  for (const name of PROC_NET_FILES) proc[name] = normaliseProc(name, procNet(k, name));
  return {
    ...kernelCounters(k),
    modules: k.modules.list().map((m) => `${m.name}:${m.refcnt}:${m.state}:${m.usedBy.join(',')}`),
    namespaces: k.net_namespace_list.length,
    tasks: [...k.tasks.keys()].length,
    proc,
  };
}

/**
 * What a fresh kernel looks like with the same modules loaded (oldest first, as they were) and nothing
 * else: the state a fuzzed kernel must return to once every task has exited.
 */
export function referenceFor(k: Kernel): Record<string, unknown> {
  const ref = boot();
  // RFCOMM's init binds a kernel L2CAP listener to PSM 3 and, like rfcomm_add_listener() in Linux, goes on
  // without it when that fails (a user socket held PSM 3 at the time). Reproduce the same condition.
  const rfcommWithoutListener =
    k.modules.find('rfcomm') !== undefined && procNet(k, 'l2cap').trim().split('\n').length <= 1;
  let blocker: { t: Task; fd: number } | null = null;
  for (const m of [...k.modules.loaded].reverse()) {
    if (ref.modules.find(m.name) !== undefined) continue;
    if (m.name === 'rfcomm' && rfcommWithoutListener) {
      const t = ref.spawn({ uid: 0, stdio: false });
      const fd = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
      t.bind(fd, sockaddr_l2(BDADDR_ANY, RFCOMM_PSM));
      blocker = { t, fd };
    }
    ref.modules.load(m.name);
  }
  if (blocker !== null) blocker.t.exit(0);
  return snapshot(ref);
}

/** The fields of two snapshots that differ (empty when they match). */
export function diff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (key === 'proc') {
      const px = x as Record<string, string>;
      const py = y as Record<string, string>;
      for (const n of new Set([...Object.keys(px), ...Object.keys(py)])) {
        if (px[n] !== py[n]) out.push(`/proc/net/${n}: ${JSON.stringify(px[n])} != ${JSON.stringify(py[n])}`);
      }
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push(`${key}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`);
    }
  }
  return out;
}

/**
 * Unload every module, users before what they use. Returns the modules that refused (with errno):
 * after every socket is gone, nothing may refuse.
 */
export function unloadAll(k: Kernel): string[] {
  const refused: string[] = [];
  const root = k.spawn({ uid: 0, stdio: false, comm: 'rmmod' });
  for (let guard = 0; guard < 32 && k.modules.loaded.length > 0; guard++) {
    let progress = false;
    for (const m of k.modules.list()) {
      if (m.usedBy.length > 0) continue;
      const e = errnoOf(() => root.rmmod(m.name));
      if (e === 'OK') progress = true;
      else refused.push(`${m.name}: ${e} (refcnt ${m.refcnt})`);
    }
    if (!progress) break;
  }
  root.exit(0);
  return refused;
}

// ---- budget ----------------------------------------------------------------------------------------------

/** `npm run fuzz` sets KSOCK_FUZZ_LONG=1: minutes instead of seconds. */
export const LONG = process.env.KSOCK_FUZZ_LONG === '1';

/** The fixed seed CI always runs, so a regression in it fails every run. */
export const FIXED_SEED = 0x6b736f63;

export interface Budget {
  seed: number;
  numRuns: number;
  /** Stop starting new runs after this long (ms); the runs done still count. */
  timeLimit: number;
  /** A counterexample path to replay (KSOCK_FUZZ_PATH). */
  path?: string;
}

/**
 * The runs of one property: KSOCK_FUZZ_SEED (and KSOCK_FUZZ_PATH) replays one; otherwise the fixed seed
 * plus `random` random seeds. `numRuns` is the fixed seed's run count; random seeds get the same, bounded
 * by `timeLimit` ms each (LONG: `longRuns` runs within `longLimit` ms).
 */
export function budgets(opts: {
  numRuns: number;
  timeLimit: number;
  random?: number;
  longRuns?: number;
  longLimit?: number;
}): Budget[] {
  const env = process.env.KSOCK_FUZZ_SEED;
  const runs = LONG ? (opts.longRuns ?? opts.numRuns * 100) : opts.numRuns;
  const limit = LONG ? (opts.longLimit ?? 120_000) : opts.timeLimit;
  if (env !== undefined && env !== '') {
    return [{ seed: Number(env), numRuns: runs, timeLimit: limit, path: process.env.KSOCK_FUZZ_PATH }];
  }
  const out: Budget[] = [{ seed: FIXED_SEED, numRuns: opts.numRuns, timeLimit: Number.POSITIVE_INFINITY }];
  const extra = LONG ? 4 : (opts.random ?? 2);
  for (let i = 0; i < extra; i++) {
    out.push({ seed: (Math.random() * 0x7fffffff) | 0, numRuns: runs, timeLimit: limit });
  }
  return out;
}

/**
 * Check a property under one budget. Prints `seed=… runs=…` (and `path=…` on failure, for
 * KSOCK_FUZZ_SEED=<seed> KSOCK_FUZZ_PATH=<path> npm run fuzz) and throws fast-check's report on failure.
 */
export function runProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  prop: fc.IProperty<Ts>,
  b: Budget,
): number {
  const start = performance.now();
  const details = fc.check(prop, {
    seed: b.seed,
    numRuns: b.numRuns,
    path: b.path,
    endOnFailure: b.path !== undefined,
    interruptAfterTimeLimit: Number.isFinite(b.timeLimit) ? b.timeLimit : undefined,
    markInterruptAsFailure: false,
  });
  const ms = Math.round(performance.now() - start);
  if (details.failed) {
    console.log(
      `${name}: seed=${details.seed} path=${details.counterexamplePath} FAILED — replay with KSOCK_FUZZ_SEED=${details.seed} KSOCK_FUZZ_PATH=${details.counterexamplePath} npm run fuzz`,
    );
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${cause}`);
  }
  console.log(`${name}: seed=${details.seed} path=- runs=${details.numRuns} in ${ms} ms`);
  return details.numRuns;
}
