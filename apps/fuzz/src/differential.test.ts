/**
 * Differential check against the real kernel: 11,100 random netlink and inet call sequences (bad
 * descriptors, mutated addresses, short and malformed netlink messages, random options and flags) whose
 * answers were recorded on the host (src/differential/linux-6.18.json, by record.ts) are replayed on
 * ksock. Up to the first divergence in each program, every call must give Linux's result — for the
 * netlink set including the bytes getsockopt() returns.
 *
 * Divergences already known are classified by KNOWN in differential/known.ts, each with the place at
 * fault; a divergence no entry explains fails the test. When a fix lands, its entry stops matching (the
 * count printed for it drops) — delete the entry then. differential/explore.ts runs fresh programs
 * against the host to look for new ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compare, describeUnexplained } from './differential/known.js';
import { differentialPrograms } from './differential/programs.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'differential/linux-6.18.json'), 'utf8')) as {
  kernel: string;
  sets: Array<{
    name: string;
    seed: number;
    n: number;
    netlinkOnly: boolean;
    values: boolean;
    digest: string;
    linux: string[][];
  }>;
};

const digest = (programs: unknown) =>
  createHash('sha256').update(JSON.stringify(programs)).digest('hex').slice(0, 16);

describe(`differential: ksock against Linux ${fixture.kernel}`, () => {
  for (const set of fixture.sets) {
    it(`${set.name}: ${set.n} recorded programs give Linux's answers up to any known divergence`, () => {
      const programs = differentialPrograms(set.seed, set.n, set.netlinkOnly);
      // the programs are regenerated from the seed: if the generator changed, the recording is stale
      expect(digest(programs), 're-record with src/differential/record.ts').toBe(set.digest);
      const c = compare(programs, set.linux, set.values);
      console.log(
        `differential ${set.name}: ${c.agreeing}/${set.n} programs agree with Linux ${fixture.kernel} throughout, ${c.calls} calls matched before any divergence\n${[...c.counts].map(([name, n]) => `  ${n}× ${name}`).join('\n')}`,
      );
      expect(c.unexplained.map(describeUnexplained)).toEqual([]);
    });
  }
});
