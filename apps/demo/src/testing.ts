/** Helpers for the tests: a context with no family package, and a captured Io. */

import type { TraceEvent } from '@ksock/core';
import type { Io } from './cli.js';
import type { Context } from './context.js';
import type { FamilyPackage } from './families.js';
import { FAMILY_PACKAGES, loadFamilies } from './families.js';
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

/** A context with the real packages named in `pkgs` and the others left out, as if not installed. */
export async function familyContext(...pkgs: string[]): Promise<Context> {
  const all = await loadFamilies();
  const families = all.map((f) =>
    pkgs.includes(f.pkg) ? f : { ...f, available: false, reason: 'not installed', modules: [], exports: {} },
  );
  for (const p of pkgs) {
    const f = families.find((x) => x.pkg === p);
    if (!f?.available) throw new Error(`test needs ${p}: ${f?.reason}`);
  }
  return { families, names: new Names(families) };
}

/** The function names of a trace (notes left out). */
export function fnames(events: readonly TraceEvent[]): string[] {
  return events.filter((e) => !e.note).map((e) => e.name);
}

/**
 * The positions at which `want` occurs in `names` in order (each after the previous), or the first name
 * that could not be found after its predecessor.
 */
export function inOrder(names: readonly string[], want: readonly string[]): { missing: string | null } {
  let i = 0;
  for (const w of want) {
    while (i < names.length && names[i] !== w) i++;
    if (i === names.length) return { missing: w };
    i++;
  }
  return { missing: null };
}
