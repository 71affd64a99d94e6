import { describe, expect, it } from 'vitest';
import { aggregateHeap, type HeapSnapshot, heapGrowth } from './heapsnapshot.js';

// Nodes of 3 fields: type index, name string index, self size.
const meta = {
  node_fields: ['type', 'name', 'self_size'],
  node_types: [['hidden', 'object', 'string', 'closure']],
};
const strings = ['Sock', 'File', 'abc', 'f'];
const snap = (nodes: number[]): HeapSnapshot => ({ snapshot: { meta }, nodes, strings });

describe('aggregateHeap', () => {
  it('groups objects and closures by name and everything else by type', () => {
    const a = aggregateHeap(snap([1, 0, 640, 1, 0, 640, 1, 1, 80, 2, 2, 32, 2, 2, 24, 3, 3, 32]));
    expect(a.get('object Sock')).toEqual({ name: 'object Sock', count: 2, bytes: 1280 });
    expect(a.get('object File')).toEqual({ name: 'object File', count: 1, bytes: 80 });
    expect(a.get('string')).toEqual({ name: 'string', count: 2, bytes: 56 });
    expect(a.get('closure f')).toEqual({ name: 'closure f', count: 1, bytes: 32 });
  });
});

describe('heapGrowth', () => {
  it('gives the growth per unit, largest first, leaving out small changes', () => {
    const before = aggregateHeap(snap([1, 0, 640, 2, 2, 32]));
    const after = aggregateHeap(
      snap([1, 0, 640, 1, 0, 640, 1, 0, 640, 1, 1, 80, 1, 1, 80, 2, 2, 32, 2, 2, 2]),
    );
    expect(heapGrowth(before, after, 2)).toEqual([
      { name: 'object Sock', count: 1, bytes: 640 },
      { name: 'object File', count: 1, bytes: 80 },
    ]);
    expect(heapGrowth(before, after, 2, 0).at(-1)).toEqual({ name: 'string', count: 0.5, bytes: 1 });
  });
});
