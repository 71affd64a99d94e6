/**
 * Two runs of the same random syscall program that must end alike: the tracer property (untraced against
 * traced) and the raw property (throwing forms against `task.raw`) differ only in how each run is made.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { boot, budgets, diff, LONG, runProperty, snapshot } from './harness.js';
import { type Op, programArb, Runner } from './program.js';

export interface RunMode {
  /** Shown in failure messages, e.g. "traced". */
  name: string;
  /** Record with the kernel's tracer while the program runs. */
  traced?: boolean;
  /** Make the calls that have one through `task.raw`. */
  raw?: boolean;
}

interface Run {
  outcomes: string[];
  state: Record<string, unknown>;
}

const TWIN_SEED = 0x5eed;

/**
 * Run `program` on a fresh kernel: each op's outcome and the end state, or what went wrong. Both runs
 * seed the kernel's random numbers alike, so they pick the same ephemeral ports and autobind portids.
 */
function runProgram(program: Op[], mode: RunMode): Run | string {
  const k = boot(TWIN_SEED);
  if (mode.traced) k.tracer.enabled = true;
  const r = new Runner(k, { raw: mode.raw });
  for (let i = 0; i < program.length; i++) {
    const bad = r.run(program[i]!);
    if (bad !== null) return `op ${i} ${JSON.stringify(program[i])} (${mode.name}): ${bad}`;
    if (mode.traced) k.tracer.clear(); // the events are not compared, and a long program would pile them up
  }
  const fin = r.finish();
  k.tracer.enabled = false;
  if (fin !== null) return fin;
  return { outcomes: r.outcomes, state: snapshot(k) };
}

/** Ops whose outcome depends on elapsed time (a recvmmsg timeout), which the two runs need not share. */
const timed = (o: Op) => o.op === 'recvmmsg' && o.timeout !== null;

/** Throw unless `program` ends the same way in both modes: every op's outcome, then the kernel's state. */
export function expectSameEnd(program: Op[], a: RunMode, b: RunMode): void {
  const ra = runProgram(program, a);
  const rb = runProgram(program, b);
  if (typeof ra === 'string') throw new Error(ra);
  if (typeof rb === 'string') throw new Error(rb);
  program.forEach((o, i) => {
    if (!timed(o) && ra.outcomes[i] !== rb.outcomes[i])
      throw new Error(
        `op ${i} ${JSON.stringify(o)}: ${ra.outcomes[i]} ${a.name}, ${rb.outcomes[i]} ${b.name}`,
      );
  });
  const d = diff(rb.state, ra.state);
  if (d.length > 0) throw new Error(`end state differs ${b.name}:\n  ${d.join('\n  ')}`);
}

/**
 * One test per fuzz budget (the fixed seed, then random ones; the long budget with KSOCK_FUZZ_LONG=1):
 * random programs must end alike in modes `a` and `b`.
 */
export function twinProperty(label: string, title: string, a: RunMode, b: RunMode): void {
  for (const budget of budgets({
    numRuns: 150,
    timeLimit: 4_000,
    random: 1,
    longRuns: 20_000,
    longLimit: 120_000,
  })) {
    it(`seed ${budget.seed}: ${title}`, { timeout: LONG ? 900_000 : 60_000 }, () => {
      const prop = fc.property(programArb(LONG ? 120 : 40), (program) => expectSameEnd(program, a, b));
      expect(runProperty(label, prop, budget)).toBeGreaterThan(0);
    });
  }
}
