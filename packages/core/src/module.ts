/**
 * kernel/module/main.c and include/linux/module.h: loadable modules — load_module(), delete_module(),
 * try_module_get() / module_put(), the dependency list — and request_module() from kernel/module/kmod.c.
 */
import type { Kernel } from './kernel.js';
import { in_kernel } from './sched.js';
import { type Fmt, trace_note, tracepoint } from './trace.js';
import { EBUSY, EEXIST, EINVAL, ELOOP, ENOENT, ENOEXEC, ENOMEM, EWOULDBLOCK } from './uapi/errno.js';

/**
 * The core ABI a module is built against: ksock's vermagic. A module that declares a different major is
 * refused at load with ENOEXEC. Bumped whenever the public kernel-internal API changes incompatibly.
 */
export const KSOCK_ABI = '1.0';

/**
 * A loadable module as a package ships it: what `/lib/modules/…/*.ko` plus `modules.alias` are to Linux.
 * A plain object; `init` runs at load (like module_init) and returns 0 or a negative errno, `exit` at
 * unload (like module_exit). A module without `exit` cannot be unloaded, as in Linux.
 */
export interface ModuleDescriptor {
  readonly name: string;
  readonly version: string;
  /** Names `request_module()` resolves to this module: `net-pf-16`, `net-pf-16-proto-11`, `bt-proto-3`… */
  readonly aliases?: readonly string[];
  /** Modules that must be loaded first; each gains this module in its "used by" list. */
  readonly depends?: readonly string[];
  /** The core ABI the module was built for (see KSOCK_ABI); omitted means the current one. */
  readonly abi?: string;
  readonly description?: string;
  readonly license?: string;
  /** Bytes shown in /proc/modules' size column; ksock modules have no text, so this is informational. */
  readonly size?: number;
  init(kernel: Kernel, mod: Module): number | undefined;
  exit?(kernel: Kernel, mod: Module): void;
}

/** include/linux/module.h enum module_state. */
export type ModuleState = 'Live' | 'Coming' | 'Going' | 'Unformed';

const DESCRIPTOR_KEYS = new Set([
  'name',
  'version',
  'aliases',
  'depends',
  'abi',
  'description',
  'license',
  'size',
  'init',
  'exit',
]);

/** struct module: a loaded module. `owner` fields of ops tables point at one of these. */
export class Module {
  state: ModuleState = 'Unformed';
  /** module_refcount(): references taken by try_module_get/__module_get plus one per module using this one. */
  refcnt = 0;
  /** Modules that use this one (source_list), most recent first as /proc/modules prints them. */
  readonly source_list: Module[] = [];
  /** Modules this one uses (target_list). */
  readonly target_list: Module[] = [];

  readonly kernel: Kernel;
  readonly desc: ModuleDescriptor;

  constructor(kernel: Kernel, desc: ModuleDescriptor) {
    this.kernel = kernel;
    this.desc = desc;
  }

  get name(): string {
    return this.desc.name;
  }

  traceLabel(): string {
    return `module ${this.desc.name}`;
  }
}

/** Mirrors try_module_get(): NULL (built-in) always succeeds; a module being unloaded refuses. */
export let try_module_get = function try_module_get(mod: Module | null): boolean {
  if (mod === null) return true;
  if (mod.state === 'Going' || mod.state === 'Unformed') return false;
  mod.refcnt++;
  return true;
};
const fmt_try_module_get: Fmt<typeof try_module_get> = (mod) => (mod === null ? 'NULL' : mod.name);

/** Mirrors __module_get(): take a reference the caller knows cannot fail (it already holds one). */
export function __module_get(mod: Module | null): void {
  if (mod !== null) mod.refcnt++;
}

/** Mirrors module_put(). */
export let module_put = function module_put(mod: Module | null): void {
  if (mod === null) return;
  if (mod.refcnt <= 0) module_put_underflow(mod);
  mod.refcnt--;
};

/** A put without a matching get is a bug in the caller: refuse it loudly (out of line: never taken). */
function module_put_underflow(mod: Module): never {
  throw new Error(`ksock: module_put(${mod.name}) with refcnt ${mod.refcnt}`);
}
const fmt_module_put: Fmt<typeof module_put> = (mod) =>
  mod === null ? 'NULL' : `${mod.name}, refcnt=${mod.refcnt}`;

export function module_name(mod: Module | null): string {
  return mod === null ? 'kernel' : mod.name;
}

/** Validate a descriptor the way load_module() validates an ELF: malformed input is refused, not run. */
export function check_descriptor(desc: unknown): string | null {
  if (typeof desc !== 'object' || desc === null) return 'a module descriptor must be an object';
  const d = desc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!DESCRIPTOR_KEYS.has(k)) return `unknown key '${k}'`;
  if (typeof d.name !== 'string' || !/^[A-Za-z0-9_-]{1,55}$/.test(d.name))
    return 'name must be 1..55 of [A-Za-z0-9_-]';
  if (typeof d.version !== 'string') return 'version must be a string';
  if (typeof d.init !== 'function') return 'init must be a function';
  if (d.exit !== undefined && typeof d.exit !== 'function') return 'exit must be a function';
  for (const key of ['aliases', 'depends'] as const) {
    const v = d[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) {
      return `${key} must be an array of strings`;
    }
  }
  if (d.abi !== undefined && typeof d.abi !== 'string') return 'abi must be a string like "1.0"';
  return null;
}

/**
 * What `defineModule()` takes: a descriptor with every field a reader of `modinfo` would want. `version`
 * is the package's own (read it from package.json, so that lsmod, discovery and npm agree); `abi` is the
 * core ABI the source was written against, as a literal (see KSOCK_ABI).
 */
export interface ModuleDefinition {
  readonly name: string;
  readonly version: string;
  readonly aliases?: readonly string[];
  readonly depends?: readonly string[];
  readonly abi: string;
  readonly description: string;
  readonly license: string;
  readonly size?: number;
  init(kernel: Kernel, mod: Module): number | undefined;
  exit?(kernel: Kernel, mod: Module): void;
}

/** A descriptor made by `defineModule()`: frozen, with `aliases` and `depends` always present. */
export type DefinedModule = ModuleDescriptor &
  Readonly<Required<Pick<ModuleDefinition, 'aliases' | 'depends' | 'abi' | 'description' | 'license'>>>;

/**
 * Declares a module: the MODULE_* macros of include/linux/module.h (MODULE_ALIAS, MODULE_DESCRIPTION,
 * MODULE_LICENSE, MODULE_VERSION, and the dependencies modpost records) in one typed call. Returns a frozen
 * descriptor whose `aliases` and `depends` are (frozen) arrays, empty when not given, and throws a
 * TypeError at definition time for what `check_descriptor()` would refuse at load. The loader still
 * accepts a plain object; this is the way a family writes one.
 */
export function defineModule(def: ModuleDefinition): DefinedModule {
  const bad = check_descriptor(def);
  if (bad !== null) throw new TypeError(`ksock: invalid module descriptor${describe_name(def)}: ${bad}`);
  for (const key of ['abi', 'description', 'license'] as const) {
    if (typeof def[key] !== 'string')
      throw new TypeError(`ksock: module ${def.name}: ${key} must be a string`);
  }
  const desc: DefinedModule = {
    ...def,
    aliases: Object.freeze([...(def.aliases ?? [])]),
    depends: Object.freeze([...(def.depends ?? [])]),
  };
  return Object.freeze(desc);
}

/**
 * The unwind list of a module's init: Linux's goto-unwind labels as a stack. After each step succeeds,
 * `push` how to undo it (the code under the label a later failure jumps to); when a step fails,
 * `return unwind.fail(err)` undoes what was pushed, last first, and returns `err` — `goto out_…`:
 *
 * ```ts
 * const unwind = new Unwind();
 * err = sock_register(kernel, family);
 * if (err) return err;
 * unwind.push(() => sock_unregister(kernel, PF_BLUETOOTH)); // unregister_socket:
 * err = hci_sock_init(kernel, mod);
 * if (err) return unwind.fail(err); // goto unregister_socket
 * ```
 */
export class Unwind {
  private readonly steps: Array<() => void> = [];

  /** Record the undo of the step that just succeeded. */
  push(undo: () => void): void {
    this.steps.push(undo);
  }

  /** A step failed: undo every recorded step, last first, and return `err`. */
  fail(err: number): number {
    this.unwind();
    return err;
  }

  /** Undo every recorded step, last first (also what an exit that mirrors init can call). */
  unwind(): void {
    while (this.steps.length > 0) this.steps.pop()!();
  }
}

function describe_name(def: { name?: unknown }): string {
  return typeof def.name === 'string' ? ` '${def.name}'` : '';
}

function abi_major(abi: string): string {
  return abi.split('.')[0] ?? abi;
}

function glob_match(pattern: string, s: string): boolean {
  if (!pattern.includes('*')) return pattern === s;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(s);
}

/** The row `kernel.modules.list()` returns for each loaded module (lsmod's columns). */
export interface ModuleInfo {
  name: string;
  refcnt: number;
  state: ModuleState;
  usedBy: string[];
}

/**
 * The kernel's module list plus what /lib/modules holds: the descriptors available to load, indexed by
 * name and alias (depmod's modules.alias).
 */
export class ModuleTable {
  /** Loaded modules, most recently loaded first (the order of /proc/modules). */
  readonly loaded: Module[] = [];
  private readonly available = new Map<string, ModuleDescriptor>();

  private readonly kernel: Kernel;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  /** Make a descriptor available to load (like installing its .ko and running depmod). */
  add_available(desc: ModuleDescriptor): void {
    const bad = check_descriptor(desc);
    if (bad !== null) throw new TypeError(`ksock: invalid module descriptor: ${bad}`);
    const prev = this.available.get(desc.name);
    if (prev !== undefined && prev !== desc)
      throw new TypeError(`ksock: two different modules named '${desc.name}'`);
    this.available.set(desc.name, desc);
  }

  /** Descriptors available, in the order they were given. */
  available_modules(): ModuleDescriptor[] {
    return [...this.available.values()];
  }

  find(name: string): Module | undefined {
    return this.loaded.find((m) => m.desc.name === name);
  }

  /** Resolve a module name or alias to an available descriptor, as modprobe does with modules.alias. */
  resolve(nameOrAlias: string): ModuleDescriptor | undefined {
    const byName = this.available.get(nameOrAlias) ?? this.available.get(nameOrAlias.replace(/-/g, '_'));
    if (byName !== undefined) return byName;
    for (const d of this.available.values()) {
      if (d.aliases?.some((a) => glob_match(a, nameOrAlias))) return d;
    }
    return undefined;
  }

  /** lsmod: one row per loaded module. */
  list(): ModuleInfo[] {
    return this.loaded.map((m) => ({
      name: m.name,
      refcnt: m.refcnt,
      state: m.state,
      usedBy: m.source_list.map((u) => u.name),
    }));
  }

  /** Load `name` and what it depends on (modprobe), as the kernel's init task. Throws KernelError. */
  load(name: string): void {
    this.kernel.init.modprobe(name);
  }

  /** Unload `name` (rmmod), as the kernel's init task. Throws KernelError. */
  unload(name: string): void {
    this.kernel.init.rmmod(name);
  }
}

/**
 * Mirrors load_module() + do_init_module() for one module whose dependencies are loaded:
 * vermagic (ABI) check, EEXIST for a loaded name, ref_module() on each dependency, init, Live.
 */
export let load_module = function load_module(kernel: Kernel, desc: ModuleDescriptor): number {
  const table = kernel.modules;
  const abi = desc.abi ?? KSOCK_ABI;
  if (abi_major(abi) !== abi_major(KSOCK_ABI)) {
    kernel.printk(
      `${desc.name}: disagrees about version of symbol module_layout (built for core ABI ${abi}, core is ${KSOCK_ABI})`,
    );
    return -ENOEXEC;
  }
  if (table.find(desc.name) !== undefined) return -EEXIST;
  const mod = new Module(kernel, desc);
  mod.state = 'Coming';
  for (const depName of desc.depends ?? []) {
    const dep = table.find(depName);
    if (dep === undefined || !try_module_get(dep)) {
      unref_all(mod);
      kernel.printk(`${desc.name}: Unknown symbol (dependency ${depName} not loaded)`);
      return -ENOENT;
    }
    dep.source_list.unshift(mod);
    mod.target_list.push(dep);
  }
  table.loaded.unshift(mod);
  // A module's init runs in the kernel's context, not the context of whatever task triggered the load
  // (request_module() runs modprobe as root from a kernel thread).
  let ret: number = in_kernel(kernel.init, () => {
    try {
      return desc.init(kernel, mod) ?? 0;
    } catch (e) {
      kernel.printk(`${desc.name}: init threw: ${e instanceof Error ? e.message : String(e)}`);
      return -EINVAL;
    }
  });
  if (typeof ret !== 'number' || ret > 0) ret = -EINVAL;
  if (ret < 0) {
    mod.state = 'Going';
    table.loaded.splice(table.loaded.indexOf(mod), 1);
    unref_all(mod);
    return ret;
  }
  mod.state = 'Live';
  trace_note(`module ${desc.name} loaded`);
  return 0;
};
const fmt_load_module: Fmt<typeof load_module> = (_k, desc) => desc.name;

function unref_all(mod: Module): void {
  for (const dep of mod.target_list) {
    dep.source_list.splice(dep.source_list.indexOf(mod), 1);
    module_put(dep);
  }
  mod.target_list.length = 0;
}

/**
 * Mirrors the delete_module() syscall after its capability check: ENOENT, EWOULDBLOCK while other modules
 * use it, EBUSY when not Live or when it has no exit, EWOULDBLOCK while references are held; then exit.
 */
export let delete_module = function delete_module(kernel: Kernel, name: string): number {
  const table = kernel.modules;
  const mod = table.find(name);
  if (mod === undefined) return -ENOENT;
  if (mod.source_list.length > 0) return -EWOULDBLOCK;
  if (mod.state !== 'Live') return -EBUSY;
  if (mod.desc.exit === undefined) return -EBUSY;
  // try_stop_module(): refuse while anything holds a reference.
  if (mod.refcnt !== 0) return -EWOULDBLOCK;
  mod.state = 'Going';
  try {
    mod.desc.exit(kernel, mod);
  } catch (e) {
    kernel.printk(`${name}: exit threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  table.loaded.splice(table.loaded.indexOf(mod), 1);
  unref_all(mod);
  mod.state = 'Unformed';
  trace_note(`module ${name} unloaded`);
  return 0;
};
const fmt_delete_module: Fmt<typeof delete_module> = (_k, name) => name;

/**
 * What /sbin/modprobe does for the kernel: resolve a name or alias, load the dependencies depth first,
 * then the module. Returns 0 when it ends up loaded (already loaded counts), or a negative errno.
 */
export function modprobe(kernel: Kernel, nameOrAlias: string, seen: Set<string> = new Set()): number {
  const desc = kernel.modules.resolve(nameOrAlias);
  if (desc === undefined) return -ENOENT;
  if (kernel.modules.find(desc.name) !== undefined) return 0;
  // A dependency cycle: modprobe reports it and loads nothing.
  if (seen.has(desc.name)) return -ELOOP;
  seen.add(desc.name);
  for (const dep of desc.depends ?? []) {
    const r = modprobe(kernel, dep, seen);
    if (r < 0) return r;
  }
  return load_module(kernel, desc);
}

/**
 * Mirrors __request_module(): run modprobe for an alias on behalf of the kernel. Synchronous, like the
 * wait in call_usermodehelper; the caller ignores the result and re-checks its table.
 * Fault-injectable as 'request_module'.
 */
export let request_module = function request_module(kernel: Kernel, alias: string): number {
  if (kernel.faults.should_fail('request_module')) return -ENOMEM;
  const r = modprobe(kernel, alias);
  if (r < 0) trace_note(`modprobe: FATAL: Module ${alias} not found`);
  return r;
};
const fmt_request_module: Fmt<typeof request_module> = (_k, alias) => `"${alias}"`;

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(try_module_get, 'try_module_get', fmt_try_module_get, (f) => {
  try_module_get = f;
});
tracepoint(module_put, 'module_put', fmt_module_put, (f) => {
  module_put = f;
});
tracepoint(load_module, 'load_module', fmt_load_module, (f) => {
  load_module = f;
});
tracepoint(delete_module, 'delete_module', fmt_delete_module, (f) => {
  delete_module = f;
});
tracepoint(request_module, 'request_module', fmt_request_module, (f) => {
  request_module = f;
});
