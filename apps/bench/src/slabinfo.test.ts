import { describe, expect, it } from 'vitest';
import { parseSlabinfo, slabDelta } from './slabinfo.js';

const header = `slabinfo - version: 2.1
# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
`;
const line = (name: string, active: number, num: number, size: number) =>
  `${name.padEnd(18)} ${active} ${num} ${size}   12    4 : tunables    0    0    0 : slabdata      3      3      0`;

describe('parseSlabinfo', () => {
  it('reads name, active and total objects and object size, skipping the headers', () => {
    const m = parseSlabinfo(
      `${header}${line('UDP', 36, 36, 1344)}\n${line('sock_inode_cache', 248, 266, 832)}\n`,
    );
    expect([...m.keys()]).toEqual(['UDP', 'sock_inode_cache']);
    expect(m.get('sock_inode_cache')).toEqual({
      name: 'sock_inode_cache',
      active_objs: 248,
      num_objs: 266,
      objsize: 832,
    });
  });
  it('ignores lines it cannot read', () => {
    expect(parseSlabinfo(`${header}garbage\nfoo bar baz qux\n\n`).size).toBe(0);
  });
});

describe('slabDelta', () => {
  const before = parseSlabinfo(
    [
      header,
      line('UDP', 36, 36, 1344),
      line('sock_inode_cache', 248, 266, 832),
      line('filp', 782, 840, 192),
      line('kmalloc-192', 5000, 5000, 192),
    ].join('\n'),
  );
  const after = parseSlabinfo(
    [
      header,
      line('UDP', 36 + 20_000, 20_040, 1344),
      line('sock_inode_cache', 248 + 19_990, 20_260, 832),
      line('filp', 782 + 19_900, 20_700, 192),
      // churn from elsewhere, well under half an object per socket: not the sockets' cost
      line('kmalloc-192', 5000 + 2_800, 7_900, 192),
      line('lsm_file_cache', 19_895, 20_000, 24),
    ].join('\n'),
  );
  it('counts the caches that grew with the sockets, at their object size', () => {
    const d = slabDelta(before, after, 20_000);
    expect(d.caches.map((c) => c.name)).toEqual(['UDP', 'sock_inode_cache', 'filp', 'lsm_file_cache']);
    expect(d.caches[0]).toEqual({
      name: 'UDP',
      objects_per_socket: 1,
      objsize: 1344,
      bytes_per_socket: 1344,
    });
    expect(d.caches[1]!.bytes_per_socket).toBeCloseTo(831.6, 1);
    // a cache that did not exist before counts from zero
    expect(d.caches[3]!.objects_per_socket).toBeCloseTo(0.995, 3);
    expect(d.bytes_per_socket).toBeCloseTo(1344 + 831.6 + 191 + 23.9, 0);
  });
  it('is empty for no sockets', () => {
    expect(slabDelta(before, after, 0)).toEqual({ sockets: 0, caches: [], bytes_per_socket: 0 });
  });
});
