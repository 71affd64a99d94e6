/**
 * What depmod (kmod) does for Linux: find the installed family packages and the module names and aliases
 * they declare, so that request_module() can resolve an alias. Node only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check_descriptor, type ModuleDescriptor } from '../module.js';

/**
 * What a family package declares in its package.json so that discovery can find it without guessing:
 * `"ksock": { "modules": [{ "name": "af_netlink", "aliases": ["net-pf-16"] }] }` — the package's share of
 * modules.alias.
 */
export interface KsockPackageField {
  modules: Array<{ name: string; aliases?: string[]; depends?: string[] }>;
}

export interface DiscoveredPackage {
  package: string;
  version: string;
  dir: string;
  modules: ModuleDescriptor[];
}

export interface DiscoverOptions {
  /** Where the program lives; node_modules folders here and above it are searched (default: cwd). */
  from?: string;
  /** Receive each package found (name, version, where, its modules). */
  onPackage?: (pkg: DiscoveredPackage) => void;
  /**
   * Receive the warning for each family package skipped because it is broken (default: `console.warn`).
   * `message` is printk-style, `ksock depmod: WARNING: <package> (<dir>): <why>`.
   */
  onWarning?: (message: string, skipped: { package: string; dir: string; reason: string }) => void;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

async function packageDirs(nodeModules: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(nodeModules);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort()) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) {
      try {
        for (const s of (await readdir(join(nodeModules, e))).sort()) out.push(join(nodeModules, e, s));
      } catch {
        // an unreadable scope is skipped, as Node's resolver would fail on it too
      }
    } else {
      out.push(join(nodeModules, e));
    }
  }
  return out;
}

function flatten(x: unknown, out: ModuleDescriptor[]): ModuleDescriptor[] {
  if (Array.isArray(x)) for (const y of x) flatten(y, out);
  else if (x !== undefined && x !== null) out.push(x as ModuleDescriptor);
  return out;
}

/** What is wrong with an error, in a line. */
function reason(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
}

/**
 * Load one family package: resolve and import it as the program would, and check that its default
 * export is the modules its package.json declares, each a valid descriptor. Returns the modules, or why
 * the package cannot be used.
 */
async function loadPackage(
  dir: string,
  name: string,
  field: KsockPackageField,
): Promise<ModuleDescriptor[] | string> {
  let mod: { default?: unknown };
  try {
    const entry = createRequire(join(dir, 'package.json')).resolve(name);
    mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (e) {
    return `cannot be imported (${reason(e)})`;
  }
  const modules = flatten(mod.default, []);
  for (const m of modules) {
    const bad = check_descriptor(m);
    if (bad !== null) return `exports an invalid module descriptor (${bad})`;
  }
  const declared = field.modules.map((m) => m?.name).sort();
  const actual = modules.map((m) => m.name).sort();
  if (declared.join() !== actual.join()) return `declares modules [${declared}] but exports [${actual}]`;
  return modules;
}

/**
 * ksock's depmod: find the family packages installed next to the program — every package in a
 * node_modules folder at or above `from` whose package.json has a `ksock.modules` field — import them,
 * and return their module descriptors, ready for `new Kernel({ modules: await discoverModules() })`.
 * The nearest installation of a package wins, as Node's resolution does. Node only.
 *
 * A broken family package — one that fails to import, exports something other than valid descriptors,
 * or exports other modules than its package.json declares — is skipped with a warning naming it and
 * why (`onWarning`, by default `console.warn`), and the rest are still found, as depmod warns about a
 * module it cannot read and indexes the others.
 */
export async function discoverModules(options: DiscoverOptions = {}): Promise<ModuleDescriptor[]> {
  const seen = new Set<string>();
  const found: ModuleDescriptor[] = [];
  const warn =
    options.onWarning ??
    ((message: string) => {
      console.warn(message);
    });
  let dir = resolve(options.from ?? process.cwd());
  for (;;) {
    for (const pkgDir of await packageDirs(join(dir, 'node_modules'))) {
      const pkg = await readJson(join(pkgDir, 'package.json'));
      const field = pkg?.ksock as KsockPackageField | undefined;
      const name = pkg?.name;
      if (typeof name !== 'string' || field === undefined || !Array.isArray(field.modules) || seen.has(name))
        continue;
      // The nearest copy is the one the program would import, broken or not: it shadows the others.
      seen.add(name);
      const modules = await loadPackage(dir, name, field);
      if (typeof modules === 'string') {
        warn(`ksock depmod: WARNING: ${name} (${pkgDir}): ${modules}; skipped`, {
          package: name,
          dir: pkgDir,
          reason: modules,
        });
        continue;
      }
      options.onPackage?.({ package: name, version: String(pkg?.version ?? ''), dir: pkgDir, modules });
      found.push(...modules);
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return found;
}
