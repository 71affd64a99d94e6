/**
 * Summarize a V8 .cpuprofile (what `node --cpu-prof` writes): self and total time per function, as
 * percentages of the samples, heaviest self time first.
 */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas?: number[];
}

export interface FunctionCost {
  name: string;
  where: string;
  self: number;
  total: number;
}

function where(url: string, line: number): string {
  if (url === '') return '';
  const m = /\/(packages|apps)\/(.*)$/.exec(url);
  const short = m ? `${m[1]}/${m[2]}` : (url.split('/').at(-1) ?? url);
  return `${short}:${line + 1}`;
}

/** Self and total sample share per function (a function counted once per stack for its total). */
export function profileCosts(p: CpuProfile): FunctionCost[] {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}@${n.callFrame.url}:${n.callFrame.lineNumber}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const info = new Map<string, ProfileNode>();
  const counts = new Map<number, number>();
  for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  for (const [id, count] of counts) {
    const leaf = byId.get(id);
    if (leaf === undefined) continue;
    const k = key(leaf);
    info.set(k, leaf);
    self.set(k, (self.get(k) ?? 0) + count);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const nk = key(n);
      info.set(nk, n);
      if (seen.has(nk)) continue;
      seen.add(nk);
      total.set(nk, (total.get(nk) ?? 0) + count);
    }
  }
  const all = p.samples.length || 1;
  return [...info.entries()]
    .map(([k, n]) => ({
      name: n.callFrame.functionName || '(anonymous)',
      where: where(n.callFrame.url, n.callFrame.lineNumber),
      self: ((self.get(k) ?? 0) / all) * 100,
      total: ((total.get(k) ?? 0) / all) * 100,
    }))
    .sort((a, b) => b.self - a.self || b.total - a.total);
}

export function summarizeProfile(p: CpuProfile, top: number): string {
  const rows = profileCosts(p).slice(0, top);
  return [
    '  self%  total%  function',
    ...rows.map(
      (r) => `${r.self.toFixed(1).padStart(7)} ${r.total.toFixed(1).padStart(7)}  ${r.name}  ${r.where}`,
    ),
  ].join('\n');
}
