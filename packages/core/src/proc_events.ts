/**
 * The process-event hooks of kernel/fork.c, fs/exec.c, kernel/exit.c and kernel/sys.c
 * (proc_fork_connector()… in include/linux/cn_proc.h): core announces the events, a connector module
 * encodes them.
 */
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

/**
 * A process lifecycle event, as the hooks in kernel/fork.c, fs/exec.c, kernel/exit.c and kernel/sys.c
 * report them to drivers/connector/cn_proc.c (proc_fork_connector, proc_exec_connector…). The connector
 * encodes them as struct proc_event; core only announces them.
 */
export type ProcEvent =
  | { what: 'fork'; parent: Task; child: Task }
  | { what: 'exec'; task: Task }
  | { what: 'uid'; task: Task; ruid: number; euid: number }
  | { what: 'gid'; task: Task; rgid: number; egid: number }
  | { what: 'sid'; task: Task }
  | { what: 'comm'; task: Task; comm: string }
  | { what: 'exit'; task: Task; exit_code: number; exit_signal: number };

export type ProcEventNotifier = (event: ProcEvent) => void;

/** Subscribe to process events (what cn_proc needs from core). Returns the unsubscribe function. */
export function register_proc_event_notifier(kernel: Kernel, fn: ProcEventNotifier): () => void {
  kernel.proc_event_notifiers.push(fn);
  return () => {
    const i = kernel.proc_event_notifiers.indexOf(fn);
    if (i >= 0) kernel.proc_event_notifiers.splice(i, 1);
  };
}

/** Announce an event to every subscriber (the proc_*_connector call sites). */
export function proc_event(kernel: Kernel, ev: ProcEvent): void {
  const list = kernel.proc_event_notifiers;
  if (list.length === 0) return;
  for (const fn of [...list]) fn(ev);
}
