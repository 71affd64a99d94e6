/**
 * A wait queue head (include/linux/wait.h). Sleepers are the awaitable forms of blocking syscalls;
 * wake_up() resolves them and they retry the operation, as a woken task re-checks its condition.
 */
export class WaitQueueHead {
  private waiters: Array<() => void> = [];

  get active(): boolean {
    return this.waiters.length > 0;
  }

  /** Mirrors wake_up_interruptible_all(): every sleeper re-checks its condition. */
  wake_up(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
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
      this.waiters.push(wake);
      if (Number.isFinite(timeout_ms)) {
        timer = setTimeout(
          () => {
            const i = this.waiters.indexOf(wake);
            if (i >= 0) this.waiters.splice(i, 1);
            resolve(false);
          },
          Math.max(0, timeout_ms),
        );
      }
    });
  }
}
