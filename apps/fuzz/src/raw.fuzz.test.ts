/**
 * `task.raw` must be the throwing syscalls without the throw: the same random syscall program runs on two
 * kernels, one making its calls through the raw forms where they exist; every call must end the same way
 * (a negative return is the errno the throwing form threw) and the kernels must end in the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgets, LONG, runProperty } from './harness.js';
import { programArb } from './program.js';
import { expectSameEnd } from './twins.js';

describe('the raw syscalls are the throwing ones without the throw', () => {
  for (const b of budgets({
    numRuns: 150,
    timeLimit: 4_000,
    random: 1,
    longRuns: 20_000,
    longLimit: 120_000,
  })) {
    it(`seed ${b.seed}: the same program ends the same way through task.raw`, {
      timeout: LONG ? 900_000 : 60_000,
    }, () => {
      const prop = fc.property(programArb(LONG ? 120 : 40), (program) =>
        expectSameEnd(program, { name: 'thrown' }, { name: 'through task.raw', raw: true }),
      );
      expect(runProperty('raw', prop, b)).toBeGreaterThan(0);
    });
  }
});
