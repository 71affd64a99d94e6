/**
 * ksock's own conformance kit for family modules; no Linux file (the nearest are the socket tests under
 * tools/testing/selftests/net).
 */
import { KernelError } from '../errors.js';
import { fcheck } from '../file.js';
import type { Kernel, ModuleList } from '../kernel.js';
import { Kernel as KernelClass } from '../kernel.js';
import type { Module } from '../module.js';
import { sock_from_file } from '../socket.js';
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
  /**
   * The bad-type sweep: every type below SOCK_MAX that no entry of `sockets` uses (and, for PF_INET, not
   * SOCK_PACKET, which __sock_create() hands to PF_PACKET) must fail with this errno (default
   * 'ESOCKTNOSUPPORT'); null skips the sweep. A family that checks the protocol before the type (as
   * unix_create() does) answers for the protocol first, so `badTypeProtocol` picks the one passed.
   */
  badTypeErrno?: string | null;
  /** The protocol the bad-type sweep passes to socket() (default 0, the family's default protocol). */
  badTypeProtocol?: number;
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

/**
 * Counters that must come back to their starting values after every socket is closed: module
 * references, sockfs inodes, files, socks, sockets in use, slabs, and each namespace's per-protocol
 * in-use counts (the "sockets" column of /proc/net/protocols, as `slot:count` for each non-zero slot, so
 * a count a family leaks outlives the unloading of its proto).
 */
export function kernelCounters(k: Kernel): Record<string, unknown> {
  return {
    module_refcnt: k.modules.list().map((m) => `${m.name}:${m.refcnt}`),
    sock_inode_cache: k.sock_inode_cache.active_objs,
    nr_files: k.nr_files,
    sk_allocated: k.sk_allocated,
    sockets_used: k.net_namespace_list.map((n) => n.sock_inuse),
    prot_inuse: k.net_namespace_list.map((n) => prot_inuse_of(n.prot_inuse)),
    slabs: k.slabs.map((s) => `${s.name}:${s.active_objs}`),
  };
}

function prot_inuse_of(counts: Int32Array): string {
  let out = '';
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) out += `${out ? ' ' : ''}${i}:${counts[i]}`;
  return out;
}

/** Each registered proto's in-use count in init_net, by name (what /proc/net/protocols prints). */
function protocolsInuse(k: Kernel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of k.proto_list)
    if (p.inuse_idx !== undefined) out[p.name] = k.init_net.prot_inuse[p.inuse_idx]!;
  return out;
}

/**
 * The warnings core printed (refcount_t, WARN, KASAN reports): each report's message line. Core taints
 * the kernel for each (kernel.tainted), so none goes unseen even when the log has moved on.
 */
export function kernelWarnings(k: Kernel): string[] {
  const out: string[] = [];
  const log = k.log;
  for (let i = 0; i < log.length; i++) {
    const line = log[i]!;
    if (line === '------------[ cut here ]------------' && i + 1 < log.length) out.push(log[i + 1]!);
    else if (line.startsWith('BUG: ')) out.push(i + 1 < log.length ? `${line}: ${log[i + 1]}` : line);
  }
  if (out.length === 0 && k.tainted !== 0)
    out.push(`tainted 0x${k.tainted.toString(16)} (the log has moved on)`);
  return out;
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

/** What a throw says, for a report. */
function thrown(e: unknown): string {
  if (e instanceof KernelError) return e.code;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The modules that own an open socket's ops and its sock's proto (null where a table has none). */
function ownersOf(k: Kernel, t: ReturnType<Kernel['spawn']>, fd: number) {
  const file = fcheck(t.files, fd);
  const sock = file === null ? null : sock_from_file(file);
  return {
    ops: sock?.ops?.owner ?? null,
    proto: sock?.sk?.sk_prot_creator.owner ?? null,
    family: k.net_families[sock?.ops?.family ?? -1]?.owner ?? null,
  };
}

/**
 * The conformance kit for family modules (`@ksock/core/testing`): boots fresh kernels with the
 * family's modules and checks what every family must get right — creation errno for bad types and
 * protocols; module references, sockets, socks and per-protocol in-use counts back after close; the
 * socket's ops and proto owned by a module, which an open socket pins (rmmod refused) and close
 * releases; rmmod after close and autoload again; a trace that reaches the family's create; no kernel
 * warning (refcount_t, WARN, a use-after-free report) anywhere; and every fault-injectable allocation on
 * the paths swept unwinding cleanly. Every problem, a throw from the family's code included, is a
 * failed check in the report: the kit itself does not throw. Framework-agnostic: assert
 * `report.failures` is empty in your test runner.
 */
export function checkFamily(spec: ConformanceSpec): ConformanceReport {
  const results: ConformanceResult[] = [];
  const add = (check: string, ok: boolean, detail = '') => results.push({ check, ok, detail });
  const sites = new Set<string>();
  try {
    run(spec, add, sites);
  } catch (e) {
    add('checkFamily runs to the end', false, thrown(e));
  }
  const failures = results.filter((r) => !r.ok);
  return { results, failures, faultSites: [...sites].sort() };
}

function run(
  spec: ConformanceSpec,
  add: (check: string, ok: boolean, detail?: string) => void,
  sites: Set<string>,
): void {
  const boot = () => new KernelClass({ modules: spec.modules });
  const taskFor = (k: Kernel, s: { caps?: readonly number[]; uid?: number }) =>
    k.spawn({ uid: s.uid ?? 0, caps: [...(s.caps ?? []), CAP_SYS_MODULE] });
  const exercise = (k: Kernel, t: ReturnType<Kernel['spawn']>, fd: number, label: string) => {
    if (!spec.exercise) return;
    try {
      spec.exercise(k, t, fd);
    } catch (e) {
      add(`${label}: exercise`, false, thrown(e));
    }
  };
  // One "no kernel warning" result per kernel: the first check that finds the kernel tainted fails.
  const warned = new WeakSet<Kernel>();
  const noWarning = (k: Kernel, label: string) => {
    if (warned.has(k)) return;
    const w = k.tainted === 0 ? [] : kernelWarnings(k);
    if (w.length > 0) warned.add(k);
    add(`${label}: no kernel warning`, w.length === 0, w.join('; '));
  };

  // 1. Each valid socket: created (autoloading the family) and exercised, then — with the modules loaded —
  // a second one created, exercised and closed must leave every counter where the first close left it (a
  // family may keep kernel sockets of its own while loaded, as rtnetlink does); exercising twice sends the
  // second socket's traffic where the first one's sock was, so a sock left in a table after close shows up
  // as a use-after-free warning. rmmod must then succeed, return the counters to their boot values, and
  // the next socket() must autoload again.
  for (const s of spec.sockets) {
    const label = `socket(${spec.family}, ${s.type}, ${s.protocol})`;
    try {
      checkSocket(s, label);
    } catch (e) {
      add(`${label}: the checks run to the end`, false, thrown(e));
    }
  }

  function checkSocket(s: ConformanceSocket, label: string): void {
    const k = boot();
    const t = taskFor(k, s);
    const boot_counters = kernelCounters(k);
    const tr = k.trace(() => t.socket(spec.family, s.type, s.protocol));
    if (tr.error !== undefined) {
      add(`${label} succeeds`, false, thrown(tr.error));
      noWarning(k, label);
      return;
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
    exercise(k, t, tr.result as number, label);
    t.close(tr.result as number);
    const loaded_counters = kernelCounters(k);
    const loaded_inuse = protocolsInuse(k);
    const refcnt = (m: Module | null) => (m === null ? 0 : m.refcnt);
    const fd = t.socket(spec.family, s.type, s.protocol);
    const owners = ownersOf(k, t, fd);
    add(
      `${label}: sock->ops and sk->sk_prot have a module owner`,
      owners.ops !== null && owners.proto !== null,
      `ops owner ${owners.ops?.name ?? 'NULL'}, proto owner ${owners.proto?.name ?? 'NULL'}`,
    );
    const open_counts = JSON.stringify(k.modules.list().map((m) => `${m.name}:${m.refcnt}`));
    const pinned = [owners.ops, owners.proto].filter((m): m is Module => m !== null);
    add(
      `${label}: an open socket holds a module reference`,
      pinned.length > 0 && pinned.every((m) => refcnt(m) > 0),
      open_counts,
    );
    exercise(k, t, fd, label);
    t.close(fd);
    const closed = k.modules.list().map((m) => `${m.name}:${m.refcnt}`);
    add(
      `${label}: each module's count drops back on close`,
      same(closed, loaded_counters.module_refcnt),
      JSON.stringify({ loaded: loaded_counters.module_refcnt, open: open_counts, closed }),
    );
    add(
      `${label}: the per-protocol in-use counts are back after close`,
      same(loaded_inuse, protocolsInuse(k)) && same(loaded_counters.prot_inuse, kernelCounters(k).prot_inuse),
      JSON.stringify({ before: loaded_inuse, after: protocolsInuse(k) }),
    );
    add(
      `${label}: every counter is back after close`,
      same(loaded_counters, kernelCounters(k)),
      JSON.stringify({ before: loaded_counters, after: kernelCounters(k) }),
    );
    noWarning(k, label);
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
    noWarning(k, label);

    // rmmod while a socket is open: every module the socket's tables belong to must refuse (in a kernel
    // of its own: if one unloads, the close that follows runs the unloaded module's code).
    const kr = boot();
    const tr2 = taskFor(kr, s);
    const open = tr2.socket(spec.family, s.type, s.protocol);
    const o = ownersOf(kr, tr2, open);
    const names = [
      ...new Set([o.family, o.ops, o.proto].filter((m): m is Module => m !== null).map((m) => m.name)),
    ];
    const unloaded = names.filter((n) => errnoOf(() => tr2.rmmod(n)) === null);
    add(
      `${label}: rmmod is refused while the socket is open`,
      unloaded.length === 0,
      unloaded.length === 0 ? '' : `unloaded with the socket open: ${unloaded.join(', ')}`,
    );
    const closeErr = errnoOf(() => tr2.close(open));
    if (unloaded.length === 0)
      add(`${label}: close after the refused rmmod`, closeErr === null, closeErr ?? '');
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
        refusedCases.push({
          type,
          protocol: spec.badTypeProtocol ?? 0,
          errno: spec.badTypeErrno ?? 'ESOCKTNOSUPPORT',
        });
    }
  }
  for (const r of refusedCases) {
    const label = `socket(${spec.family}, ${r.type}, ${r.protocol})`;
    try {
      const t = taskFor(k, r);
      const before = kernelCounters(k);
      let fd = -1;
      const got = errnoOf(() => {
        fd = t.socket(spec.family, r.type, r.protocol);
      });
      if (fd >= 0) errnoOf(() => t.close(fd));
      add(`${label} fails with ${r.errno}`, got === r.errno, `got ${got ?? 'success'}`);
      add(
        `${label} leaves nothing behind`,
        same(before, kernelCounters(k)),
        JSON.stringify({ before, after: kernelCounters(k) }),
      );
    } catch (e) {
      add(`${label}: the checks run to the end`, false, thrown(e));
    }
  }
  noWarning(k, 'refused sockets');

  // 3. Fault sweep: every site a successful create (and the exercise) reaches, made to fail in turn.
  for (const s of spec.sockets) {
    const kk = boot();
    const t = taskFor(kk, s);
    kk.faults.recording = true;
    let fd = -1;
    errnoOf(() => {
      fd = t.socket(spec.family, s.type, s.protocol);
      spec.exercise?.(kk, t, fd);
    }); // failures are reported above
    if (fd >= 0) errnoOf(() => t.close(fd));
    for (const site of kk.faults.seen) sites.add(site);
  }
  for (const s of spec.sockets) {
    for (const site of sites) {
      const label = `fault at ${site} during socket(${spec.family}, ${s.type}, ${s.protocol})`;
      try {
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
        const linuxErrno = got === null || Object.values(errnoNames).includes(got);
        add(
          `${label}: fails with a Linux errno or is not on this path`,
          linuxErrno,
          `got ${got ?? 'success'}`,
        );
        add(
          `${label}: unwinds cleanly`,
          same(before, kernelCounters(kk)),
          JSON.stringify({ before, after: kernelCounters(kk) }),
        );
        if (kk.tainted !== 0) noWarning(kk, label);
      } catch (e) {
        add(`${label}: the checks run to the end`, false, thrown(e));
      }
    }
  }
}
