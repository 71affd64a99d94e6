// kernel_glue.ts — the few kernel-side operations the bridge needs beyond a task's system calls: putting a
// ksock file at a chosen descriptor of a task, taking the bridge's own reference, and a socket's poll mask.

import { KernelError, type Task } from '@ksock/core';
import { type File, fcheck, fput, get_file } from '@ksock/core/kernel';

/** Run a throwing system call, its KernelError turned into the negative errno the raw ABI returns. */
export function sys<T>(fn: () => T): T | number {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError) return -e.errno;
    throw e;
  }
}

/** A KernelError as the negative errno it carries; anything else is a bug and is thrown on. */
export function errno_of(e: unknown): number {
  if (e instanceof KernelError) return -e.errno;
  throw e;
}

/** The open file at `fd` of `task`, or null. */
export function file_at(task: Task, fd: number): File | null {
  return fd >= 0 && fd < task.files.max_fds ? fcheck(task.files, fd) : null;
}

/** The bridge's own reference on a ksock file, held while the placeholder lives. */
export function bridge_get(file: File): void {
  get_file(file);
}

export function bridge_put(task: Task, file: File): void {
  task.kernel.run(() => fput(task.kernel, file), task);
}
