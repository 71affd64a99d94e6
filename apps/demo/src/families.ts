/**
 * The protocol-family packages the demo can show. Each is imported at run time, so the demo works with
 * whichever families are installed: a family that is missing (or fails to load) is reported, and its
 * socket() calls fail in the kernel exactly as they do on Linux without the module — EAFNOSUPPORT.
 */
import type { ModuleList } from '@ksock/core';
import type { ModuleDescriptor } from '@ksock/core/kernel';
import { check_descriptor } from '@ksock/core/kernel';

export interface FamilyPackage {
  /** npm package name, e.g. '@ksock/af-netlink'. */
  pkg: string;
  /** Short name used in messages: 'af-netlink'. */
  short: string;
  /** The address family this package provides (AF_NETLINK…). */
  family: number;
  /** True when the package was imported and its default export is a valid module list. */
  available: boolean;
  /** Why the package is not available. */
  reason: string | null;
  /** The module descriptors it ships (its default export, flattened). */
  modules: ModuleDescriptor[];
  /** Every export of the package (constants are read from here). */
  exports: Record<string, unknown>;
}

export const FAMILY_PACKAGES: ReadonlyArray<{ pkg: string; short: string; family: number }> = [
  { pkg: '@ksock/af-netlink', short: 'af-netlink', family: 16 },
  { pkg: '@ksock/af-inet', short: 'af-inet', family: 2 },
  { pkg: '@ksock/af-bluetooth', short: 'af-bluetooth', family: 31 },
];

function flatten(list: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(list)) for (const l of list) flatten(l, out);
  else out.push(list);
  return out;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return 'not installed';
    const first = e.message.split('\n')[0] ?? e.message;
    if (/Cannot find (module|package)|Failed to load url|does not provide an export/.test(first))
      return 'not installed (or not yet complete)';
    return `failed to load: ${first}`;
  }
  return `failed to load: ${String(e)}`;
}

/** Check a package's default export the way the kernel's loader will, without loading anything. */
export function checkModules(def: unknown): { modules: ModuleDescriptor[]; reason: string | null } {
  if (def === undefined || def === null) return { modules: [], reason: 'has no default export' };
  const all = flatten(def as ModuleList, []);
  for (const d of all) {
    const bad = check_descriptor(d);
    if (bad !== null) return { modules: [], reason: `default export is not a module descriptor: ${bad}` };
  }
  if (all.length === 0) return { modules: [], reason: 'default export lists no module' };
  return { modules: all as ModuleDescriptor[], reason: null };
}

/** Import one family package (never throws). */
export async function loadFamily(spec: {
  pkg: string;
  short: string;
  family: number;
}): Promise<FamilyPackage> {
  const base = { ...spec, available: false, modules: [], exports: {} };
  let ns: Record<string, unknown>;
  try {
    // A variable specifier: the packages are optional at type-check time and may not exist yet.
    const name: string = spec.pkg;
    ns = (await import(name)) as Record<string, unknown>;
  } catch (e) {
    return { ...base, reason: describe(e) };
  }
  const { modules, reason } = checkModules(ns.default);
  return { ...base, exports: ns, modules, available: reason === null, reason };
}

let cache: Promise<FamilyPackage[]> | null = null;

/** Import every family package once per process. */
export function loadFamilies(): Promise<FamilyPackage[]> {
  cache ??= Promise.all(FAMILY_PACKAGES.map(loadFamily));
  return cache;
}

/** Every module descriptor of the available families. */
export function allModules(families: readonly FamilyPackage[]): ModuleDescriptor[] {
  return families.filter((f) => f.available).flatMap((f) => f.modules);
}
