/**
 * /proc/slabinfo (version 2.1) parsing, and the slab memory a batch of sockets cost: the caches that grew
 * by at least half an object per socket between two snapshots, each counted at its object size.
 */

export interface SlabCache {
  name: string;
  active_objs: number;
  num_objs: number;
  objsize: number;
}

/** Parse /proc/slabinfo text: one entry per cache line (the header lines are skipped). */
export function parseSlabinfo(text: string): Map<string, SlabCache> {
  const out = new Map<string, SlabCache>();
  for (const line of text.split('\n')) {
    if (line.startsWith('slabinfo') || line.startsWith('#') || line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [name, active, num, size] = f as [string, string, string, string];
    const active_objs = Number(active);
    const num_objs = Number(num);
    const objsize = Number(size);
    if (!Number.isInteger(active_objs) || !Number.isInteger(num_objs) || !Number.isInteger(objsize)) continue;
    out.set(name, { name, active_objs, num_objs, objsize });
  }
  return out;
}

export interface SlabCost {
  /** Objects allocated per socket in this cache (delta of active_objs / sockets). */
  name: string;
  objects_per_socket: number;
  objsize: number;
  bytes_per_socket: number;
}

export interface SlabDelta {
  sockets: number;
  /** The caches that grew with the sockets, largest cost first. */
  caches: SlabCost[];
  /** Sum of their bytes per socket. */
  bytes_per_socket: number;
}

/**
 * What `sockets` new sockets cost in slab memory: every cache whose active objects grew by at least
 * half an object per socket (unrelated churn from other processes stays below that), at its object size.
 */
export function slabDelta(
  before: Map<string, SlabCache>,
  after: Map<string, SlabCache>,
  sockets: number,
): SlabDelta {
  const caches: SlabCost[] = [];
  if (sockets > 0) {
    for (const [name, a] of after) {
      const b = before.get(name);
      const grew = a.active_objs - (b?.active_objs ?? 0);
      if (grew < sockets / 2) continue;
      const per = grew / sockets;
      caches.push({
        name,
        objects_per_socket: Math.round(per * 1000) / 1000,
        objsize: a.objsize,
        bytes_per_socket: Math.round(per * a.objsize * 10) / 10,
      });
    }
  }
  caches.sort((x, y) => y.bytes_per_socket - x.bytes_per_socket || x.name.localeCompare(y.name));
  const total = caches.reduce((s, c) => s + c.bytes_per_socket, 0);
  return { sockets, caches, bytes_per_socket: Math.round(total * 10) / 10 };
}
