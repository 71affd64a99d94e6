/** One system call shown as a step: traced, with its result or errno. */
import { type Kernel, KernelError } from '@ksock/core';
import { strerror } from '../errno_text.js';
import type { Section } from '../report.js';

export type Step = Section & { kind: 'step' };

export interface StepRun<T> {
  section: Step;
  result: T | undefined;
  /** The errno name when the call failed with one. */
  code: string | null;
}

/**
 * Run `fn` (a task's syscall) traced. `expectFail`: the step demonstrates a refusal, so failing is
 * what makes it ok. `show` writes the result for a person (default: numbers as "= n").
 */
export function runStep<T>(
  kernel: Kernel,
  text: string,
  fn: () => T,
  opts: { expectFail?: boolean; show?: (r: T) => string } = {},
): StepRun<T> {
  const t = kernel.trace(fn);
  let detail: string;
  let failed = false;
  let code: string | null = null;
  if (t.error instanceof KernelError) {
    failed = true;
    code = t.error.code;
    detail = `-1 ${t.error.code} (${strerror(t.error.code)})`;
  } else if (t.error !== undefined) {
    failed = true;
    detail = `internal error: ${t.error instanceof Error ? t.error.message : String(t.error)}`;
  } else if (opts.show !== undefined) detail = opts.show(t.result as T);
  else detail = typeof t.result === 'number' ? `= ${t.result}` : '= 0';
  return {
    section: {
      kind: 'step',
      text,
      ok: failed === (opts.expectFail ?? false),
      failed,
      detail,
      events: t.events,
    },
    result: t.result,
    code,
  };
}

export function step(kernel: Kernel, text: string, fn: () => unknown, expectFail = false): Step {
  return runStep(kernel, text, fn, { expectFail }).section;
}
