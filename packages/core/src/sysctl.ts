/**
 * kernel/sysctl.c, fs/proc/proc_sysctl.c and include/linux/sysctl.h: ctl_table, register_sysctl() and the
 * proc_dointvec*() handlers behind /proc/sys.
 */
import type { Kernel } from './kernel.js';
import type { Net } from './net_namespace.js';
import { EINVAL, ENOENT } from './uapi/errno.js';

export type SysctlValue = number | string | readonly number[];

/**
 * One entry of a ctl_table (include/linux/sysctl.h). `data` points at where the value lives (a kernel
 * global, or a field of a namespace's or family's per-net state), as the kernel's `.data` pointer does;
 * `proc_handler` names how text is parsed and printed.
 */
export interface CtlTable {
  readonly procname: string;
  readonly mode?: number;
  readonly proc_handler: 'proc_dointvec' | 'proc_dointvec_minmax' | 'proc_douintvec' | 'proc_dostring';
  /** Number of integers for vector sysctls (tcp_rmem: 3). Default 1. */
  readonly maxlen?: number;
  /** Inclusive bounds for proc_dointvec_minmax, checked on every element. */
  readonly extra1?: number;
  readonly extra2?: number;
  /** Extra validation of the parsed value (e.g. ping_group_range, tcp_congestion_control): 0 or -errno. */
  readonly validate?: (value: SysctlValue, net: Net) => number;
  readonly data: { get(net: Net): SysctlValue; set(net: Net, value: SysctlValue): void };
}

interface Entry {
  path: string;
  table: CtlTable;
  /** Per namespace (register_net_sysctl) or global (register_sysctl). */
  pernet: boolean;
}

function norm(name: string): string {
  return name
    .replace(/^\/?proc\/sys\//, '')
    .replace(/\./g, '/')
    .replace(/^\/+/, '');
}

/** The sysctl tree: /proc/sys as the kernel's registered tables build it. */
export class SysctlRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Mirrors register_sysctl() / register_net_sysctl(): add a table under `dir` (e.g. 'net/ipv4'). */
  register(dir: string, table: readonly CtlTable[], pernet: boolean): () => void {
    const paths: string[] = [];
    for (const t of table) {
      const path = `${norm(dir)}/${t.procname}`;
      if (this.entries.has(path)) {
        for (const p of paths) this.entries.delete(p);
        throw new Error(`ksock: sysctl ${path} registered twice`);
      }
      this.entries.set(path, { path, table: t, pernet });
      paths.push(path);
    }
    return () => {
      for (const p of paths) this.entries.delete(p);
    };
  }

  has(name: string): boolean {
    return this.entries.has(norm(name));
  }

  /** Every registered path, sorted (what `sysctl -a` walks). */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The typed value of a sysctl in `net` (global sysctls ignore it). */
  get(kernel: Kernel, name: string, net: Net = kernel.init_net): SysctlValue {
    const e = this.entries.get(norm(name));
    if (e === undefined) throw new Error(`ksock: no sysctl ${name}`);
    return e.table.data.get(net);
  }

  /** The text reading /proc/sys/<path> gives: integers separated by tabs, then a newline. */
  read(kernel: Kernel, name: string, net: Net = kernel.init_net): string | number {
    const e = this.entries.get(norm(name));
    if (e === undefined) return -ENOENT;
    const v = e.table.data.get(net);
    return `${Array.isArray(v) ? v.join('\t') : String(v)}\n`;
  }

  /** Parse and store `text` as writing /proc/sys/<path> does; 0 or a negative errno (EINVAL for bad input). */
  write(kernel: Kernel, name: string, text: string, net: Net = kernel.init_net): number {
    const e = this.entries.get(norm(name));
    if (e === undefined) return -ENOENT;
    const t = e.table;
    let value: SysctlValue;
    if (t.proc_handler === 'proc_dostring') {
      value = text.replace(/\n$/, '');
    } else {
      const parts = text
        .trim()
        .split(/\s+/)
        .filter((p) => p.length > 0);
      const n = t.maxlen ?? 1;
      if (parts.length === 0 || parts.length > n) return -EINVAL;
      const nums: number[] = [];
      for (const p of parts) {
        if (!/^[-+]?\d+$/.test(p)) return -EINVAL;
        const x = Number(p);
        if (t.proc_handler === 'proc_douintvec' && (x < 0 || x > 0xffffffff)) return -EINVAL;
        if (t.proc_handler !== 'proc_douintvec' && (x < -2147483648 || x > 2147483647)) return -EINVAL;
        if (t.proc_handler === 'proc_dointvec_minmax') {
          if ((t.extra1 !== undefined && x < t.extra1) || (t.extra2 !== undefined && x > t.extra2))
            return -EINVAL;
        }
        nums.push(x);
      }
      // A short vector write changes only the leading elements, as proc_dointvec does.
      if (n > 1) {
        const old = t.data.get(net) as readonly number[];
        value = old.map((o, i) => nums[i] ?? o);
      } else {
        value = nums[0]!;
      }
    }
    const r = t.validate?.(value, net) ?? 0;
    if (r < 0) return r;
    t.data.set(net, value);
    return 0;
  }

  isPernet(name: string): boolean {
    return this.entries.get(norm(name))?.pernet ?? false;
  }
}

/** A ctl_table entry for a plain integer held in a kernel global. */
export function global_int(
  procname: string,
  get: () => number,
  set: (v: number) => void,
  bounds: { min?: number; max?: number } = {},
): CtlTable {
  const base = {
    procname,
    mode: 0o644,
    data: { get: () => get(), set: (_n: Net, v: SysctlValue) => set(v as number) },
  };
  if (bounds.min === undefined && bounds.max === undefined) return { ...base, proc_handler: 'proc_dointvec' };
  return {
    ...base,
    proc_handler: 'proc_dointvec_minmax',
    ...(bounds.min !== undefined ? { extra1: bounds.min } : {}),
    ...(bounds.max !== undefined ? { extra2: bounds.max } : {}),
  };
}
