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
 * A wait queue head (include/linux/wait.h). Sleepers are the awaitable forms of blocking syscalls;
 * wake_up() resolves them and they retry the operation, as a woken task re-checks its condition.
 */
export class WaitQueueHead {
  /** Sleepers, or null while there are none (most sockets never have one: no array per socket). */
  private waiters: Array<() => void> | null = null;

  get active(): boolean {
    return this.waiters !== null && this.waiters.length > 0;
  }

  /** Mirrors wake_up_interruptible_all(): every sleeper re-checks its condition. */
  wake_up(): void {
    const w = this.waiters;
    if (w === null) return;
    this.waiters = null;
    for (const fn of w) fn();
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
