import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import { perKernel, perNet } from './per_kernel.js';
import { CLONE_NEWNET } from './uapi/sched.js';

describe('perKernel / perNet', () => {
  it('keeps one value per kernel, with a WeakMap’s calls', () => {
    const table = perKernel<{ n: number }>();
    const a = new Kernel();
    const b = new Kernel();
    expect(table.get(a)).toBeUndefined();
    expect(table.has(a)).toBe(false);
    table.set(a, { n: 1 });
    expect(table.get(a)).toEqual({ n: 1 });
    expect(table.has(b)).toBe(false);
    table.set(b, { n: 2 });
    table.delete(a);
    expect(table.has(a)).toBe(false);
    expect(table.get(b)).toEqual({ n: 2 });
  });

  it('gives every table its own slot, on kernels made before or after it', () => {
    const early = new Kernel();
    const one = perKernel<string>();
    const two = perKernel<string>();
    const late = new Kernel();
    two.set(early, 'two');
    one.set(late, 'one');
    expect([one.get(early), two.get(early), one.get(late), two.get(late)]).toEqual([
      undefined,
      'two',
      'one',
      undefined,
    ]);
  });

  it('keeps one value per namespace', () => {
    const table = perNet<number>();
    const k = new Kernel();
    const t = k.spawn({});
    t.unshare(CLONE_NEWNET);
    table.set(k.init_net, 1);
    table.set(t.nsproxy_net, 2);
    expect(table.get(k.init_net)).toBe(1);
    expect(table.get(t.nsproxy_net)).toBe(2);
  });
});
