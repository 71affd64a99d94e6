// native.ts — builds the interposition library and the peer-credential addon from their C sources, on first
// use, with the machine's C compiler; cached by a hash of the sources, the flags and the compiler.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C sources ship in the package (never a binary): native/ beside src/ and dist/. */
export const NATIVE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');

interface Sources {
  preload: string[];
  peercred: string[];
  cflags: string[];
  libs?: string[];
}

export interface NativeBuild {
  /** The LD_PRELOAD library. */
  preload: string;
  /** The Node-API addon that reads SO_PEERCRED. */
  peercred: string;
}

/** A build or toolchain problem, with a message a user can act on. */
export class NativeBuildError extends Error {}

function cache_root(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'ksock');
}

/** The C compiler and its `--version` text (part of the cache key). */
function compiler(): { cc: string; version: string } {
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0)
    throw new NativeBuildError(
      `ksock: no C compiler found (tried \`${cc}\`). ksock run builds its interposition library from source ` +
        'on first use: install one (Debian/Ubuntu: `apt-get install gcc libc6-dev`), or set CC.',
    );
  return { cc, version: r.stdout };
}

/**
 * Build (or find in the cache) the two shared objects. Synchronous: it runs once per source change, before
 * anything else, and a CLI has nothing else to do meanwhile.
 */
export function ensureNative(): NativeBuild {
  const spec = JSON.parse(readFileSync(join(NATIVE_DIR, 'sources.json'), 'utf8')) as Sources;
  const { cc, version } = compiler();
  const h = createHash('sha256');
  h.update(version);
  h.update(JSON.stringify(spec));
  const files = new Set([...spec.preload, ...spec.peercred]);
  for (const f of [...files].sort()) h.update(f).update(readFileSync(join(NATIVE_DIR, f)));
  for (const hdr of ['ksock_preload.h']) {
    const p = join(NATIVE_DIR, hdr);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  const dir = join(cache_root(), `native-${h.digest('hex').slice(0, 16)}`);
  const out: NativeBuild = { preload: join(dir, 'libksock.so'), peercred: join(dir, 'peercred.node') };
  if (existsSync(out.preload) && existsSync(out.peercred)) return out;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const build = (target: string, srcs: string[], libs: string[]) => {
    const tmp = `${target}.${process.pid}.tmp`;
    const r = spawnSync(
      cc,
      [...spec.cflags, '-shared', '-fPIC', '-o', tmp, ...srcs.map((s) => join(NATIVE_DIR, s)), ...libs],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new NativeBuildError(`ksock: building ${target} failed:\n${r.stderr || r.error}`);
    }
    // rename() is atomic: a concurrent first run sees the old state or a whole library, never half of one.
    renameSync(tmp, target);
  };
  build(out.preload, spec.preload, spec.libs ?? ['-ldl', '-lpthread']);
  build(out.peercred, spec.peercred, []);
  return out;
}
