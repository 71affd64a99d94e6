/**
 * include/linux/wait.h and kernel/sched/wait.c: wait queue heads and entries, add_wait_queue() /
 * remove_wait_queue() and the wake_up() family, with the sleeps of blocking syscalls on them.
 */
/**
 * A wait queue entry that stays on its queue until removed (wait_queue_entry_t with its `func`, as
 * poll_wait() and epoll's ep_ptable_queue_proc() add them): `func` runs on every wake_up() of the queue.
 * `key` is the wake-up's poll mask (EPOLLIN… as sock_def_readable() passes it), 0 when the waker gave none
 * (wake_up_interruptible_all()).
 *
 * `func` runs inside the waker's kernel path, possibly halfway through a state change (data queued before
 * the state is updated): like ep_poll_callback() it should only note that the queue was woken and look at
 * the socket later (a microtask, the next turn of the event loop), never call back into the kernel there.
 */
export interface WaitQueueEntry {
  func(entry: WaitQueueEntry, key: number): void;
}

/**
 * What an interruptible sleep needs of an AbortSignal (DOM's and Node's have it): core declares the shape
 * rather than the global, as it declares no host typings.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A wait queue head (include/linux/wait.h). Two kinds of waiters: one-shot sleepers, the awaitable forms of
 * blocking syscalls — wake_up() resolves them and they retry the operation, as a woken task re-checks its
 * condition — and persistent entries (add_wait_queue()), told of every wake-up until removed.
 */
export class WaitQueueHead {
  /** Sleepers, or null while there are none (most sockets never have one: no array per socket). */
  private waiters: Array<() => void> | null = null;
  /** Persistent entries, or null while there are none. */
  private entries: WaitQueueEntry[] | null = null;

  /** Mirrors waitqueue_active(): anyone (a sleeper or an entry) on the queue. */
  get active(): boolean {
    return (this.waiters !== null && this.waiters.length > 0) || this.entries !== null;
  }

  /**
   * Mirrors wake_up_interruptible_all() / wake_up_interruptible_poll(): every sleeper re-checks its
   * condition and leaves the queue; every persistent entry's func runs with `key` and the entry stays.
   */
  wake_up(key = 0): void {
    const w = this.waiters;
    const e = this.entries;
    if (w === null && e === null) return;
    if (w !== null) {
      this.waiters = null;
      for (const fn of w) fn();
    }
    if (e === null) return;
    if (e.length === 1) {
      const entry = e[0]!;
      entry.func(entry, key);
      return;
    }
    // A func may remove its own entry (or another): walk a copy, skipping entries removed meanwhile.
    for (const entry of e.slice()) {
      if (this.entries?.includes(entry) === true) entry.func(entry, key);
    }
  }

  /** Mirrors add_wait_queue(): `entry` joins the queue (once: adding it again changes nothing). */
  add(entry: WaitQueueEntry): void {
    if (this.entries === null) this.entries = [entry];
    else if (!this.entries.includes(entry)) this.entries.push(entry);
  }

  /** Mirrors remove_wait_queue(): `entry` leaves the queue (nothing happens if it was not on it). */
  remove(entry: WaitQueueEntry): void {
    const e = this.entries;
    if (e === null) return;
    const i = e.indexOf(entry);
    if (i < 0) return;
    if (e.length === 1) this.entries = null;
    else e.splice(i, 1);
  }

  /**
   * Sleep until woken or until `timeout_ms` passes (Infinity: no timeout), as an interruptible sleep
   * (TASK_INTERRUPTIBLE): an abort of `signal` wakes the sleeper too, as a signal does, and the caller
   * re-checks its condition and then signal_pending(). Whichever ends the sleep, the sleeper leaves the
   * queue and its timer and abort listener are dropped. Resolves true when woken (or interrupted), false
   * on timeout.
   */
  wait(timeout_ms: number, signal?: AbortSignalLike): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const done = (woken: boolean) => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener('abort', interrupt);
        resolve(woken);
      };
      const wake = () => done(true);
      // finish_wait(): off the queue (wake_up() already emptied it when it was a wake-up).
      const leave = () => {
        const i = this.waiters?.indexOf(wake) ?? -1;
        if (i >= 0) this.waiters!.splice(i, 1);
        if (this.waiters?.length === 0) this.waiters = null;
      };
      const interrupt = () => {
        leave();
        done(true);
      };
      if (this.waiters === null) this.waiters = [];
      this.waiters.push(wake);
      signal?.addEventListener('abort', interrupt, { once: true });
      if (Number.isFinite(timeout_ms)) {
        timer = setTimeout(
          () => {
            leave();
            done(false);
          },
          Math.max(0, timeout_ms),
        );
      }
    });
  }
}

/** Mirrors add_wait_queue(wq_head, wq_entry) (kernel/sched/wait.c). */
export function add_wait_queue(wq: WaitQueueHead, entry: WaitQueueEntry): void {
  wq.add(entry);
}

/** Mirrors remove_wait_queue(wq_head, wq_entry). */
export function remove_wait_queue(wq: WaitQueueHead, entry: WaitQueueEntry): void {
  wq.remove(entry);
}
