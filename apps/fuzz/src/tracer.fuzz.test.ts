/**
 * Tracing must not change what the kernel does: trace points swap their bindings for recording wrappers
 * while a tracer is on, and table calls go through call_ops. The same random syscall program runs on two
 * kernels, one with its tracer recording; every call must end the same way (success or the same errno)
 * and the kernels must end in the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, budgets, diff, LONG, runProperty, snapshot } from './harness.js';
import { type Op, programArb, Runner } from './program.js';

function run(
  program: Op[],
  traced: boolean,
): { outcomes: string[]; state: Record<string, unknown> } | string {
  const k = boot();
  if (traced) k.tracer.enabled = true;
  const r = new Runner(k);
  for (let i = 0; i < program.length; i++) {
    const bad = r.run(program[i]!);
    if (bad !== null) return `op ${i} ${JSON.stringify(program[i])}${traced ? ' (traced)' : ''}: ${bad}`;
    k.tracer.clear(); // the events are not compared, and a long program would pile them up
  }
  const fin = r.finish();
  k.tracer.enabled = false;
  if (fin !== null) return fin;
  return { outcomes: r.outcomes, state: snapshot(k) };
}

/** Ops whose outcome depends on elapsed time (a recvmmsg timeout), which tracing slows down. */
const timed = (o: Op) => o.op === 'recvmmsg' && o.timeout !== null;

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
      const prop = fc.property(programArb(LONG ? 120 : 40), (program) => {
        const plain = run(program, false);
        const traced = run(program, true);
        if (typeof plain === 'string') throw new Error(plain);
        if (typeof traced === 'string') throw new Error(traced);
        program.forEach((o, i) => {
          if (!timed(o) && plain.outcomes[i] !== traced.outcomes[i])
            throw new Error(
              `op ${i} ${JSON.stringify(o)}: ${plain.outcomes[i]} untraced, ${traced.outcomes[i]} traced`,
            );
        });
        const d = diff(traced.state, plain.state);
        if (d.length > 0) throw new Error(`end state differs when traced:\n  ${d.join('\n  ')}`);
      });
      expect(runProperty('tracer', prop, b)).toBeGreaterThan(0);
    });
  }
});
