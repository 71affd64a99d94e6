/**
 * `task.raw` must be the throwing syscalls without the throw: the same random syscall program runs on two
 * kernels, one making its calls through the raw forms where they exist; every call must end the same way
 * (the same value kind, or the errno the throwing form threw, returned negated) and the kernels must end
 * in the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, budgets, diff, LONG, runProperty, snapshot } from './harness.js';
import { type Op, programArb, Runner } from './program.js';

function run(program: Op[], raw: boolean): { outcomes: string[]; state: Record<string, unknown> } | string {
  const k = boot();
  const r = new Runner(k, { raw });
  for (let i = 0; i < program.length; i++) {
    const bad = r.run(program[i]!);
    if (bad !== null) return `op ${i} ${JSON.stringify(program[i])}${raw ? ' (raw)' : ''}: ${bad}`;
  }
  const fin = r.finish();
  if (fin !== null) return fin;
  return { outcomes: r.outcomes, state: snapshot(k) };
}

/** Ops whose outcome depends on elapsed time (a recvmmsg timeout). */
const timed = (o: Op) => o.op === 'recvmmsg' && o.timeout !== null;

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
      const prop = fc.property(programArb(LONG ? 120 : 40), (program) => {
        const thrown = run(program, false);
        const raw = run(program, true);
        if (typeof thrown === 'string') throw new Error(thrown);
        if (typeof raw === 'string') throw new Error(raw);
        program.forEach((o, i) => {
          if (!timed(o) && thrown.outcomes[i] !== raw.outcomes[i])
            throw new Error(
              `op ${i} ${JSON.stringify(o)}: ${thrown.outcomes[i]} thrown, ${raw.outcomes[i]} through task.raw`,
            );
        });
        const d = diff(raw.state, thrown.state);
        if (d.length > 0) throw new Error(`end state differs through task.raw:\n  ${d.join('\n  ')}`);
      });
      expect(runProperty('raw', prop, b)).toBeGreaterThan(0);
    });
  }
});
