/**
 * ksock's own conformance kit for family modules; no Linux file (the nearest are the socket tests under
 * tools/testing/selftests/net).
 */
import { KernelError } from '../errors.js';
import type { Kernel, ModuleList } from '../kernel.js';
import { Kernel as KernelClass } from '../kernel.js';
import { CAP_SYS_MODULE } from '../uapi/capability.js';
import { errnoNames } from '../uapi/errno.js';
import { PF_INET, SOCK_MAX, SOCK_PACKET } from '../uapi/socket.js';

/** One socket() a family must accept. */
export interface ConformanceSocket {
  type: number;
  protocol: number;
  /** Run as a task with these capabilities (default: root). */
  caps?: readonly number[];
  uid?: number;
}

/** What a family's author tells the kit about it. */
export interface ConformanceSpec {
  /** The modules to make available (the package's default export). */
  modules: ModuleList;
  /** The address family number. */
  family: number;
  /** The name of the family's create function as it appears in a trace (e.g. 'netlink_create'). */
  create: string;
  /** socket() calls that must succeed. */
  sockets: readonly ConformanceSocket[];
  /** socket() calls that must fail, and the errno name each must fail with. */
  refused?: ReadonlyArray<ConformanceSocket & { errno: string }>;
  /** Types other than those in `sockets` are expected to fail with this errno (default 'ESOCKTNOSUPPORT'). */
  badTypeErrno?: string | null;
  /** Something to do with a freshly created socket before it is closed (bind, send…), to widen the paths swept. */
  exercise?: (kernel: Kernel, task: ReturnType<Kernel['spawn']>, fd: number) => void;
}

export interface ConformanceResult {
  check: string;
  ok: boolean;
  detail: string;
}

export interface ConformanceReport {
  results: ConformanceResult[];
  /** Only the failed checks (empty when the family conforms). */
  failures: ConformanceResult[];
  /** The fault-injection sites the sweep reached. */
  faultSites: string[];
}

/** Counters that must come back to their starting values after every socket is closed. */
export function kernelCounters(k: Kernel): Record<string, unknown> {
  return {
    module_refcnt: k.modules.list().map((m) => `${m.name}:${m.refcnt}`),
    sock_inode_cache: k.sock_inode_cache.active_objs,
    nr_files: k.nr_files,
    sk_allocated: k.sk_allocated,
    sockets_used: k.net_namespace_list.map((n) => n.sock_inuse),
    slabs: k.slabs.map((s) => `${s.name}:${s.active_objs}`),
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function errnoOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof KernelError) return e.code;
    return `not a KernelError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

/**
 * The conformance kit for family modules (`@ksock/core/testing`): boots fresh kernels with the
 * family's modules and checks what every family must get right — creation errno for bad types and
 * protocols, refcounts back to zero after close, rmmod after close and autoload again, a trace that
 * reaches the family's create, and every fault-injectable allocation on the create path unwinding cleanly.
 * Framework-agnostic: assert `report.failures` is empty in your test runner.
 */
export function checkFamily(spec: ConformanceSpec): ConformanceReport {
  const results: ConformanceResult[] = [];
  const add = (check: string, ok: boolean, detail = '') => results.push({ check, ok, detail });
  const boot = () => new KernelClass({ modules: spec.modules });
  const taskFor = (k: Kernel, s: { caps?: readonly number[]; uid?: number }) =>
    k.spawn({ uid: s.uid ?? 0, caps: [...(s.caps ?? []), CAP_SYS_MODULE] });

  // 1. Each valid socket: created (autoloading the family), then — with the modules loaded — a second one
  // created, exercised and closed must leave every counter where the first close left it (a family may
  // keep kernel sockets of its own while loaded, as rtnetlink does); rmmod must then succeed, return the
  // counters to their boot values, and the next socket() must autoload again.
  for (const s of spec.sockets) {
    const k = boot();
    const t = taskFor(k, s);
    const label = `socket(${spec.family}, ${s.type}, ${s.protocol})`;
    const boot_counters = kernelCounters(k);
    const tr = k.trace(() => t.socket(spec.family, s.type, s.protocol));
    if (tr.error !== undefined) {
      add(`${label} succeeds`, false, String(tr.error));
      continue;
    }
    add(`${label} succeeds`, true);
    const reached = tr.events.some((e) => e.name === spec.create);
    add(
      `${label}: the trace reaches ${spec.create}`,
      reached,
      reached ? '' : `functions seen: ${[...new Set(tr.events.map((e) => e.name))].join(', ')}`,
    );
    const loaded = k.modules.list().map((m) => m.name);
    add(`${label}: a module was autoloaded`, loaded.length > 0, loaded.join(','));
    t.close(tr.result as number);
    const loaded_counters = kernelCounters(k);
    const fd = t.socket(spec.family, s.type, s.protocol);
    const held = k.modules.list().some((m) => m.refcnt > 0);
    add(`${label}: an open socket holds a module reference`, held, JSON.stringify(k.modules.list()));
    if (spec.exercise) {
      try {
        spec.exercise(k, t, fd);
      } catch (e) {
        add(`${label}: exercise`, false, e instanceof Error ? e.message : String(e));
      }
    }
    t.close(fd);
    add(
      `${label}: every counter is back after close`,
      same(loaded_counters, kernelCounters(k)),
      JSON.stringify({ before: loaded_counters, after: kernelCounters(k) }),
    );
    // rmmod every loaded module, users first.
    let unloadError = '';
    for (let guard = 0; guard < 16 && k.modules.list().length > 0; guard++) {
      for (const m of k.modules.list().filter((x) => x.usedBy.length === 0)) {
        const err = errnoOf(() => t.rmmod(m.name));
        if (err !== null) unloadError += `${m.name}: ${err}; `;
      }
      if (unloadError) break;
    }
    add(
      `${label}: rmmod succeeds after close`,
      unloadError === '' && k.modules.list().length === 0,
      unloadError || JSON.stringify(k.modules.list()),
    );
    const { module_refcnt: _a, slabs: _b, ...boot_rest } = boot_counters;
    const { module_refcnt: _c, slabs: _d, ...now_rest } = kernelCounters(k);
    add(
      `${label}: unloading returns every counter to its boot value`,
      same(boot_rest, now_rest),
      JSON.stringify({ boot: boot_rest, now: now_rest }),
    );
    const again = errnoOf(() => t.close(t.socket(spec.family, s.type, s.protocol)));
    add(`${label}: autoloads again after rmmod`, again === null, again ?? '');
  }

  // 2. Refused sockets and bad types: the expected errno, nothing left behind.
  const k = boot();
  const root = taskFor(k, {});
  // Load every module the valid sockets need first, so that a refused call is measured against a kernel
  // whose modules (and their kernel sockets) are already in place.
  for (const s of spec.sockets) errnoOf(() => root.close(root.socket(spec.family, s.type, s.protocol)));
  const refusedCases: Array<ConformanceSocket & { errno: string }> = [...(spec.refused ?? [])];
  if (spec.badTypeErrno !== null) {
    const good = new Set(spec.sockets.map((s) => s.type));
    for (let type = 0; type < SOCK_MAX; type++) {
      // __sock_create() turns (PF_INET, SOCK_PACKET) into PF_PACKET before any family sees it.
      if (spec.family === PF_INET && type === SOCK_PACKET) continue;
      if (!good.has(type))
        refusedCases.push({ type, protocol: 0, errno: spec.badTypeErrno ?? 'ESOCKTNOSUPPORT' });
    }
  }
  for (const r of refusedCases) {
    const t = taskFor(k, r);
    const before = kernelCounters(k);
    const got = errnoOf(() => t.socket(spec.family, r.type, r.protocol));
    add(
      `socket(${spec.family}, ${r.type}, ${r.protocol}) fails with ${r.errno}`,
      got === r.errno,
      `got ${got ?? 'success'}`,
    );
    add(
      `socket(${spec.family}, ${r.type}, ${r.protocol}) leaves nothing behind`,
      same(before, kernelCounters(k)),
      JSON.stringify({ before, after: kernelCounters(k) }),
    );
  }

  // 3. Fault sweep: every site a successful create (and the exercise) reaches, made to fail in turn.
  const sites = new Set<string>();
  for (const s of spec.sockets) {
    const kk = boot();
    const t = taskFor(kk, s);
    kk.faults.recording = true;
    const fd = t.socket(spec.family, s.type, s.protocol);
    if (spec.exercise) {
      try {
        spec.exercise(kk, t, fd);
      } catch {
        // reported above
      }
    }
    t.close(fd);
    for (const site of kk.faults.seen) sites.add(site);
  }
  for (const s of spec.sockets) {
    for (const site of sites) {
      const kk = boot();
      const t = taskFor(kk, s);
      const warm = errnoOf(() => t.close(t.socket(spec.family, s.type, s.protocol)));
      if (warm !== null) continue;
      const before = kernelCounters(kk);
      kk.faults.inject(site);
      let fd = -1;
      const got = errnoOf(() => {
        fd = t.socket(spec.family, s.type, s.protocol);
        spec.exercise?.(kk, t, fd);
      });
      kk.faults.clear();
      if (fd >= 0) errnoOf(() => t.close(fd));
      const label = `fault at ${site} during socket(${spec.family}, ${s.type}, ${s.protocol})`;
      const linuxErrno = got === null || Object.values(errnoNames).includes(got);
      add(`${label}: fails with a Linux errno or is not on this path`, linuxErrno, `got ${got ?? 'success'}`);
      add(
        `${label}: unwinds cleanly`,
        same(before, kernelCounters(kk)),
        JSON.stringify({ before, after: kernelCounters(kk) }),
      );
    }
  }

  const failures = results.filter((r) => !r.ok);
  return { results, failures, faultSites: [...sites].sort() };
}
