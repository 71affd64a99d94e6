/** Helpers for the tests: a context with no family package, and a captured Io. */
import type { Io } from './cli.js';
import type { Context } from './context.js';
import type { FamilyPackage } from './families.js';
import { FAMILY_PACKAGES } from './families.js';
import { Names } from './names.js';

/** A context in which no family package is installed (what a kernel without the modules sees). */
export function bareContext(): Context {
  const families: FamilyPackage[] = FAMILY_PACKAGES.map((spec) => ({
    ...spec,
    available: false,
    reason: 'not installed',
    modules: [],
    exports: {},
  }));
  return { families, names: new Names(families) };
}

export interface Captured extends Io {
  stdout: string;
  stderr: string;
  files: Map<string, string>;
}

export function captureIo(isTTY = false, env: Record<string, string | undefined> = {}): Captured {
  const io: Captured = {
    stdout: '',
    stderr: '',
    files: new Map(),
    isTTY,
    env,
    out: (s) => {
      io.stdout += s;
    },
    err: (s) => {
      io.stderr += s;
    },
    writeFile: (path, data) => {
      io.files.set(path, data);
    },
  };
  return io;
}
