/**
 * The package check: a family's package.json `ksock.modules` field (what discovery reads, the package's
 * share of modules.alias) against the descriptors it exports, and the shape of that export. Pure: a test
 * passes the parsed package.json and the default export in, so the kit needs no file system.
 */
import { check_descriptor, type ModuleDescriptor } from '../module.js';

/** One entry of package.json `ksock.modules`; an absent `aliases` or `depends` means none. */
interface DeclaredModule {
  name?: unknown;
  aliases?: unknown;
  depends?: unknown;
}

function list(v: unknown): string {
  return JSON.stringify(v === undefined ? [] : v);
}

/**
 * Checks that `pkg.ksock.modules` declares exactly the modules of `defaultExport`, in the same order, with
 * the same aliases and depends (absent = empty); that the default export is an array of valid
 * descriptors (the one shape every family exports); and that each descriptor's version is the package's.
 * Returns the failures, empty when the two agree.
 */
export function checkPackageModules(pkg: unknown, defaultExport: unknown): string[] {
  const failures: string[] = [];
  const p = (pkg ?? {}) as { name?: unknown; version?: unknown; ksock?: { modules?: unknown } };
  const who = typeof p.name === 'string' ? p.name : 'the package';
  const declared = p.ksock?.modules;
  if (!Array.isArray(declared)) failures.push(`${who}: package.json has no ksock.modules array`);
  if (!Array.isArray(defaultExport)) {
    failures.push(`${who}: the default export is not an array of module descriptors`);
    return failures;
  }
  const mods = defaultExport as ModuleDescriptor[];
  for (const [i, d] of mods.entries()) {
    const bad = check_descriptor(d);
    if (bad !== null) failures.push(`${who}: default export [${i}]: ${bad}`);
  }
  if (failures.length > 0) return failures;
  const decl = declared as DeclaredModule[];
  const names = (xs: Array<{ name?: unknown }>) => xs.map((m) => String(m.name)).join(', ');
  if (names(decl) !== names(mods)) {
    failures.push(
      `${who}: package.json declares modules [${names(decl)}] but the default export has [${names(mods)}]`,
    );
  }
  for (const d of mods) {
    const m = decl.find((x) => x.name === d.name);
    if (m !== undefined) {
      for (const key of ['aliases', 'depends'] as const) {
        if (list(m[key]) !== list(d[key]))
          failures.push(
            `${who}: module ${d.name}: package.json ${key} ${list(m[key])}, descriptor ${list(d[key])}`,
          );
      }
    }
    if (typeof p.version === 'string' && d.version !== p.version)
      failures.push(`${who}: module ${d.name}: version '${d.version}', package.json '${p.version}'`);
  }
  return failures;
}
