/**
 * The page runs in a browser: nothing it reaches may import a Node built-in, except `@ksock/core/node`
 * (Node-only by design, and not reachable from the page today). The walk follows runtime imports
 * (type-only imports are erased) from the page's entry through relative paths and the workspace
 * packages' `@ksock/source` exports, as Vite resolves them.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const ALLOWED = `${join(repo, 'packages/core/src/node')}/`;
const BUILTIN = new Set(builtinModules);

const IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolvePackage(spec: string, from: string): string | null {
  const m = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(spec);
  if (m === null) return null;
  // Node's lookup: node_modules/<name> in the importing file's folder or the nearest one above it.
  let pkgJson: string | null = null;
  for (let d = dirname(from); pkgJson === null; d = dirname(d)) {
    const c = join(d, 'node_modules', m[1]!, 'package.json');
    if (existsSync(c)) pkgJson = c;
    else if (dirname(d) === d) return null;
  }
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: Record<string, unknown> };
  const entry = pkg.exports?.[`.${m[2] ?? ''}`] as Record<string, string> | string | undefined;
  const target = typeof entry === 'string' ? entry : (entry?.['@ksock/source'] ?? entry?.default);
  return target === undefined ? null : realpathSync(join(dirname(pkgJson), target));
}

function resolveRelative(spec: string, from: string): string {
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(c) && statSync(c).isFile()) return c;
  throw new Error(`cannot resolve ${spec} from ${relative(repo, from)}`);
}

/** Every file reachable from `entry`, and each Node built-in imported outside the allowed folder. */
export function walk(entry: string): { files: Set<string>; offences: string[] } {
  const files = new Set<string>();
  const offences: string[] = [];
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const src = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(IMPORT)) {
      if (m[1] !== undefined) continue;
      const spec = (m[2] ?? m[3])!;
      if (spec.endsWith('.css')) continue;
      if (spec.startsWith('node:') || BUILTIN.has(spec.split('/')[0]!)) {
        if (!file.startsWith(ALLOWED)) offences.push(`${relative(repo, file)} imports ${spec}`);
        continue;
      }
      const next = spec.startsWith('.') ? resolveRelative(spec, file) : resolvePackage(spec, file);
      if (next === null)
        offences.push(`${relative(repo, file)} imports ${spec}, which cannot be resolved here`);
      else if (!next.includes('/node_modules/')) todo.push(next);
      else offences.push(`${relative(repo, file)} imports ${spec} from node_modules: check it by hand`);
    }
  }
  return { files, offences };
}

describe('what the page reaches', () => {
  it('imports no node: module outside @ksock/core/node', () => {
    const { files, offences } = walk(join(here, 'main.ts'));
    expect(offences).toEqual([]);
    // The walk reaches the kernel and every family, so an empty list means something.
    const reached = [...files].map((f) => relative(repo, f));
    for (const f of [
      'packages/core/src/socket.ts',
      'packages/af-netlink/src/index.ts',
      'packages/af-inet/src/index.ts',
      'packages/af-bluetooth/src/index.ts',
      'apps/demo/src/view.ts',
    ])
      expect(reached).toContain(f);
  });

  it('would notice one (the demo command line writes files with node:fs)', () => {
    expect(walk(join(repo, 'apps/demo/src/main.ts')).offences).toContain(
      'apps/demo/src/main.ts imports node:fs',
    );
  });
});
