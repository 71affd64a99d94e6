/**
 * The family packages, imported at run time so the bench works with whichever have landed: an operation
 * whose modules are missing is reported "n/a (module not available)", and picked up as soon as the
 * package's default export lists the module.
 */
import type { ModuleDescriptor } from '@ksock/core/kernel';
import { check_descriptor } from '@ksock/core/kernel';

export const FAMILY_PACKAGES = ['@ksock/af-netlink', '@ksock/af-inet', '@ksock/af-bluetooth'] as const;

export interface Families {
  modules: ModuleDescriptor[];
  /** Names of the module descriptors available (af_netlink, rtnetlink, cn, af_inet, bluetooth, rfcomm…). */
  names: Set<string>;
  /** Packages that could not be used, with the reason. */
  problems: Record<string, string>;
}

function flatten(list: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(list)) for (const l of list) flatten(l, out);
  else if (list !== undefined && list !== null) out.push(list);
  return out;
}

/**
 * Import every family package. `KSOCK_BENCH_WITHOUT` (comma-separated package names) leaves some out, to
 * see the table a checkout without them would print.
 */
export async function loadFamilies(): Promise<Families> {
  const modules: ModuleDescriptor[] = [];
  const problems: Record<string, string> = {};
  const without = new Set((process.env.KSOCK_BENCH_WITHOUT ?? '').split(',').filter(Boolean));
  for (const pkg of FAMILY_PACKAGES) {
    if (without.has(pkg)) {
      problems[pkg] = 'left out (KSOCK_BENCH_WITHOUT)';
      continue;
    }
    let ns: Record<string, unknown>;
    try {
      const name: string = pkg; // a variable specifier: the package may not exist yet
      ns = (await import(name)) as Record<string, unknown>;
    } catch (e) {
      problems[pkg] = `not loadable: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
      continue;
    }
    const all = flatten(ns.default, []);
    const bad = all.map((d) => check_descriptor(d)).find((r) => r !== null);
    if (all.length === 0) problems[pkg] = 'default export lists no module';
    else if (bad !== undefined) problems[pkg] = `default export is not a module descriptor: ${bad}`;
    else modules.push(...(all as ModuleDescriptor[]));
  }
  return { modules, names: new Set(modules.map((m) => m.name)), problems };
}
