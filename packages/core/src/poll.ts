/**
 * poll(2) inside the kernel: struct poll_table_struct, poll_wait() and vfs_poll() (include/linux/poll.h),
 * do_pollfd() (fs/select.c). A file's f_op->poll answers its mask now and, given a poll table, names the
 * wait queues a change of that mask will be woken on; poll(2) and epoll register their wait entries there.
 */
import type { File, FilesStruct } from './file.js';
import { fcheck } from './file.js';
import { call_ops, type Fmt, tracepoint, tracing } from './trace.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLNVAL, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM } from './uapi/poll.js';
import type { WaitQueueHead } from './wait.js';

/**
 * struct poll_table_struct: `_qproc` (poll_queue_proc) is called by poll_wait() for every wait queue the
 * file's poll looks at — do_poll() clears it after the first pass, as the entries are then in place —
 * and `_key` holds the events the caller asked for (plus EPOLLERR | EPOLLHUP).
 */
export interface PollTable {
  _qproc: ((file: File, wq: WaitQueueHead, pt: PollTable) => void) | null;
  _key: number;
}

/** include/linux/poll.h DEFAULT_POLLMASK: what a file without ->poll answers (always ready). */
export const DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;

/** Mirrors poll_wait(): hand the wait queue to the poll table's queueing function, if there is one. */
export function poll_wait(file: File, wq: WaitQueueHead | null, p: PollTable | null): void {
  if (p !== null && p._qproc !== null && wq !== null) p._qproc(file, wq, p);
}

/** Mirrors poll_requested_events(): the events asked for, every event without a table. */
export function poll_requested_events(p: PollTable | null): number {
  return p !== null ? p._key : 0xffffffff;
}

/**
 * Mirrors vfs_poll(): the file's ->poll, or DEFAULT_POLLMASK for a file that has none (/dev/null).
 * `pt` null: only the mask now, no wait queue registered.
 */
export let vfs_poll = function vfs_poll(file: File, pt: PollTable | null = null): number {
  const poll = file.f_op.poll;
  if (poll === undefined) return DEFAULT_POLLMASK;
  return tracing ? call_ops(poll, 'f_op->poll', file, pt) : poll(file, pt);
};
const fmt_vfs_poll: Fmt<typeof vfs_poll> = (file) => file.path;

/**
 * Mirrors do_pollfd(): a negative fd is ignored (0); a closed one is EPOLLNVAL; otherwise the file's mask
 * filtered by the events asked for plus EPOLLERR | EPOLLHUP, which are always reported. `events` is the
 * u16 of struct pollfd (demangle_poll() is the identity on x86-64).
 */
export function do_pollfd(files: FilesStruct, fd: number, events: number, pwait: PollTable | null): number {
  if (fd < 0) return 0;
  const file = fcheck(files, fd);
  if (file === null) return EPOLLNVAL;
  const filter = (events & 0xffff) | EPOLLERR | EPOLLHUP;
  if (pwait !== null) pwait._key = filter;
  return vfs_poll(file, pwait) & filter;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(vfs_poll, 'vfs_poll', fmt_vfs_poll, (f) => {
  vfs_poll = f;
});
