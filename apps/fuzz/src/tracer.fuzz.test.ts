/**
 * Tracing must not change what the kernel does: trace points swap their bindings for recording wrappers
 * while a tracer is on, and table calls go through call_ops. The same random syscall program runs on two
 * kernels, one with its tracer recording; every call must end the same way (success or the same errno)
 * and the kernels must end in the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgets, LONG, runProperty } from './harness.js';
import { programArb } from './program.js';
import { expectSameEnd } from './twins.js';

describe('the tracer changes nothing', () => {
  for (const b of budgets({
    numRuns: 150,
    timeLimit: 4_000,
    random: 1,
    longRuns: 20_000,
    longLimit: 120_000,
  })) {
    it(`seed ${b.seed}: the same program ends the same way with the tracer recording`, {
      timeout: LONG ? 900_000 : 60_000,
    }, () => {
      const prop = fc.property(programArb(LONG ? 120 : 40), (program) =>
        expectSameEnd(program, { name: 'untraced' }, { name: 'traced', traced: true }),
      );
      expect(runProperty('tracer', prop, b)).toBeGreaterThan(0);
    });
  }
});
