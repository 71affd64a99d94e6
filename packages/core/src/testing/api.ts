/**
 * API snapshots: the runtime names each entry of a package exports, recorded in a file checked into the
 * repository, and the rule that the list may change between releases only together with a changeset
 * naming the package. Pure functions: a test reads the files (the snapshot, the one of the last release,
 * the pending changesets) and passes their text in, so the kit needs no file system.
 */

/** Entry point ('.', './kernel'…) → its runtime export names, sorted. */
export type ApiSnapshot = Record<string, readonly string[]>;

/** The runtime names of each entry's module namespace, sorted (types leave no trace at run time). */
export function apiSnapshot(entries: Record<string, object>): ApiSnapshot {
  const out: Record<string, string[]> = {};
  for (const [entry, ns] of Object.entries(entries)) out[entry] = Object.keys(ns).sort();
  return out;
}

/** The packages a changeset's front matter names (`"@ksock/core": minor` → `@ksock/core`). */
export function changesetPackages(text: string): string[] {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) return [];
  const names: string[] = [];
  for (const line of m[1]!.split(/\r?\n/)) {
    const p = /^\s*["']?([^"':\s]+)["']?\s*:/.exec(line);
    if (p) names.push(p[1]!);
  }
  return names;
}

/**
 * Compares a package's API snapshot with the one of its last release. Any difference needs a pending
 * changeset that names the package (`changesets`: file name → text). Returns the failures, empty when
 * the API is unchanged or the change is announced.
 */
export function checkApiChange(spec: {
  pkg: string;
  current: ApiSnapshot;
  released: ApiSnapshot;
  changesets: Record<string, string>;
}): string[] {
  const diffs: string[] = [];
  const entries = new Set([...Object.keys(spec.released), ...Object.keys(spec.current)]);
  for (const entry of [...entries].sort()) {
    const now = new Set(spec.current[entry] ?? []);
    const then = new Set(spec.released[entry] ?? []);
    const added = [...now].filter((n) => !then.has(n));
    const removed = [...then].filter((n) => !now.has(n));
    if (added.length || removed.length)
      diffs.push(
        `${spec.pkg}${entry === '.' ? '' : entry.slice(1)}: ${added.length} added (${added.slice(0, 8).join(', ')}${added.length > 8 ? '…' : ''}), ${removed.length} removed (${removed.slice(0, 8).join(', ')}${removed.length > 8 ? '…' : ''})`,
      );
  }
  if (diffs.length === 0) return [];
  const announced = Object.values(spec.changesets).some((t) => changesetPackages(t).includes(spec.pkg));
  if (announced) return [];
  return diffs.map((d) => `${d} since the last release, and no changeset in .changeset/ names ${spec.pkg}`);
}
