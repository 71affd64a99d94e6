import { describe, expect, it } from 'vitest';
import { type CpuProfile, profileCosts, summarizeProfile } from './cpuprofile.js';

// main → a → b (leaf), main → b (leaf), a recursing into itself once.
const frame = (functionName: string, line = 0) => ({
  functionName,
  url: `file:///work/main/packages/core/src/${functionName}.ts`,
  lineNumber: line,
});
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('main'), children: [2, 4] },
    { id: 2, callFrame: frame('a'), children: [3, 5] },
    { id: 3, callFrame: frame('b') },
    { id: 4, callFrame: frame('b') },
    { id: 5, callFrame: frame('a'), children: [6] },
    { id: 6, callFrame: frame('b') },
  ],
  // 10 samples: b under a ×4, b under main ×2, a itself ×2, main itself ×1, b under a under a ×1
  samples: [3, 3, 3, 3, 4, 4, 2, 2, 1, 6],
};

describe('profileCosts', () => {
  it('sums self time per function and counts a recursive function once per stack in its total', () => {
    const costs = profileCosts(profile);
    const by = (n: string) => costs.find((c) => c.name === n)!;
    expect(by('b').self).toBeCloseTo(70);
    expect(by('a').self).toBeCloseTo(20);
    expect(by('main').self).toBeCloseTo(10);
    expect(by('a').total).toBeCloseTo(70); // 4 + 2 + 1 samples under a, the recursive one counted once
    expect(by('main').total).toBeCloseTo(100);
    expect(costs.map((c) => c.name)).toEqual(['b', 'a', 'main']);
    expect(by('b').where).toBe('packages/core/src/b.ts:1');
  });
  it('prints the heaviest functions first', () => {
    const text = summarizeProfile(profile, 2).split('\n');
    expect(text).toHaveLength(3);
    expect(text[1]).toMatch(/^\s+70\.0\s+70\.0\s+b\s+packages\/core\/src\/b\.ts:1$/);
    expect(text[2]).toMatch(/^\s+20\.0\s+70\.0\s+a\s/);
  });
});
