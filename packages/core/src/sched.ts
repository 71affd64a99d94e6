/**
 * `current` (arch/x86/include/asm/current.h): the task the kernel is running for, set on every entry into
 * a kernel and restored on the way out.
 */
import type { Task } from './task.js';
import type { Tracer } from './trace.js';

/**
 * `current`: the task on whose behalf the kernel is running, as in Linux.
 * ksock is single-threaded, so one pointer is enough; every entry into a kernel (a syscall, a module
 * load from the host program) sets it for the duration of the call and restores the previous one.
 *
 * The active tracer travels with it: traced kernel functions test one module variable, so tracing that is
 * off costs a load and a compare.
 */
let current_task: Task | null = null;
let active_tracer: Tracer | null = null;

/** Mirrors `current` (arch/x86/include/asm/current.h). Only valid inside a kernel entry. */
export function current(): Task {
  if (current_task === null)
    throw new Error('ksock: kernel code ran outside a kernel entry (no current task)');
  return current_task;
}

export function active_tracer_or_null(): Tracer | null {
  return active_tracer;
}

// The saved (task, tracer) pairs of nested entries, kept in preallocated arrays so that entering the
// kernel allocates nothing.
const saved_tasks: Array<Task | null> = [];
const saved_tracers: Array<Tracer | null> = [];
let depth = 0;

/** Enter the kernel on behalf of `task` (a syscall): `current` becomes the task. Pair with kernel_leave(). */
export function kernel_enter(task: Task): void {
  saved_tasks[depth] = current_task;
  saved_tracers[depth] = active_tracer;
  depth++;
  current_task = task;
  const t = task.kernel.tracer;
  active_tracer = t.enabled ? t : null;
}

/** Leave the kernel: restore what kernel_enter() replaced. */
export function kernel_leave(): void {
  depth--;
  current_task = saved_tasks[depth]!;
  active_tracer = saved_tracers[depth]!;
  saved_tasks[depth] = null;
  saved_tracers[depth] = null;
}

/**
 * Run `fn(arg)` inside a kernel entry on behalf of `task` — kernel_enter(), the call, kernel_leave()
 * however it ends — and return what it returns. Pass the data as `arg` to a function that captures
 * nothing (declared once) where a closure per call would show in profiles.
 */
export function in_kernel<R, A = undefined>(task: Task, fn: (arg: A) => R, arg?: A): R {
  kernel_enter(task);
  try {
    return fn(arg as A);
  } finally {
    kernel_leave();
  }
}
