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
   * Sleep until woken or until `timeout_ms` passes (Infinity: no timeout).
   * Resolves true when woken, false on timeout.
   */
  wait(timeout_ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const wake = () => {
        if (timer !== null) clearTimeout(timer);
        resolve(true);
      };
      if (this.waiters === null) this.waiters = [];
      this.waiters.push(wake);
      if (Number.isFinite(timeout_ms)) {
        timer = setTimeout(
          () => {
            const i = this.waiters?.indexOf(wake) ?? -1;
            if (i >= 0) this.waiters!.splice(i, 1);
            resolve(false);
          },
          Math.max(0, timeout_ms),
        );
      }
    });
  }
}
