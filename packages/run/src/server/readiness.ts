// readiness.ts — which ksock sockets are readable, and being told when that may have changed: the file's
// poll, registered as epoll registers (ep_ptable_queue_proc() adds an entry to every wait queue the poll
// names; ep_poll_callback() runs on every wake-up).

import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLPRI, EPOLLRDHUP } from '@ksock/core';
import {
  add_wait_queue,
  type File,
  type PollTable,
  remove_wait_queue,
  vfs_poll,
  type WaitQueueEntry,
  type WaitQueueHead,
} from '@ksock/core/kernel';

/** What makes the placeholder readable: anything a reader waiting in poll(POLLIN) would wake for. */
const READABLE = EPOLLIN | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDHUP;

export function readable(file: File): boolean {
  return (vfs_poll(file) & READABLE) !== 0;
}

/** Call `cb` on every wake-up of the wait queues the file's poll names, until the returned function runs. */
export function watch(file: File, cb: () => void): () => void {
  const queued: Array<[WaitQueueHead, WaitQueueEntry]> = [];
  const pt: PollTable = {
    _qproc: (_file, wq) => {
      const entry: WaitQueueEntry = { func: cb };
      add_wait_queue(wq, entry);
      queued.push([wq, entry]);
    },
    _key: READABLE,
  };
  vfs_poll(file, pt);
  return () => {
    for (const [wq, entry] of queued) remove_wait_queue(wq, entry);
  };
}
