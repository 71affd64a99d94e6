/**
 * Aggregate a V8 heap snapshot (what `v8.writeHeapSnapshot()` writes) by constructor: object count and
 * self size per class, so two snapshots taken around N socket() calls show what one socket costs.
 */

export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}

export interface ClassCost {
  name: string;
  count: number;
  bytes: number;
}

/** Objects and closures by constructor name; other node types (strings, code, arrays…) by type. */
export function aggregateHeap(s: HeapSnapshot): Map<string, ClassCost> {
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0] as string[];
  const nf = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const out = new Map<string, ClassCost>();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const type = types[s.nodes[i + iType]!] ?? '?';
    const name = type === 'object' || type === 'closure' ? `${type} ${s.strings[s.nodes[i + iName]!]}` : type;
    const e = out.get(name) ?? { name, count: 0, bytes: 0 };
    e.count++;
    e.bytes += s.nodes[i + iSize]!;
    out.set(name, e);
  }
  return out;
}

/** What grew between two aggregates, per unit (per socket), largest first; rows under `minBytes` left out. */
export function heapGrowth(
  before: Map<string, ClassCost>,
  after: Map<string, ClassCost>,
  units: number,
  minBytes = 4,
): ClassCost[] {
  const rows: ClassCost[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { name, count: 0, bytes: 0 };
    const bytes = (a.bytes - b.bytes) / units;
    if (Math.abs(bytes) < minBytes) continue;
    rows.push({ name, count: (a.count - b.count) / units, bytes });
  }
  return rows.sort((x, y) => y.bytes - x.bytes);
}
