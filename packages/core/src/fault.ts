/**
 * Fault injection, after Linux's failslab / fail_page_alloc (lib/fault-inject.c): a named allocation or
 * lookup site can be told to fail, and the kernel path that reaches it must unwind cleanly.
 * With nothing armed, `should_fail()` is a single compare.
 */
export interface FaultSpec {
  /** How many times the site fails once it starts failing (default 1; Infinity for always). */
  times?: number;
  /** Let this many hits succeed first (default 0), like fault-inject's `space`/`interval`. */
  after?: number;
}

interface Armed {
  times: number;
  after: number;
}

export class FaultInjector {
  private armed = new Map<string, Armed>();
  /** Every site name reached since the kernel booted, so a sweep can see what a path touches. */
  readonly seen = new Set<string>();
  private record = false;
  /** Nothing armed and nothing recorded: should_fail() answers with one compare. */
  private idle = true;

  /** Record the sites reached (costs a Set insert per site; off by default). */
  get recording(): boolean {
    return this.record;
  }
  set recording(on: boolean) {
    this.record = on;
    this.idle = !on && this.armed.size === 0;
  }

  /** Arm `site` to fail. */
  inject(site: string, spec: FaultSpec = {}): void {
    const times = spec.times ?? 1;
    const after = spec.after ?? 0;
    if (!(times > 0) || !(after >= 0)) throw new RangeError('ksock: fault times must be > 0 and after >= 0');
    this.armed.set(site, { times, after });
    this.idle = false;
  }

  /** Disarm one site, or all. */
  clear(site?: string): void {
    if (site === undefined) this.armed.clear();
    else this.armed.delete(site);
    this.idle = !this.record && this.armed.size === 0;
  }

  /**
   * Mirrors should_fail(): true when the armed site is to fail now. Kept this small so that it inlines
   * into every allocation site for free; the work is in hit().
   */
  should_fail(site: string): boolean {
    return this.idle ? false : this.hit(site);
  }

  private hit(site: string): boolean {
    if (this.record) this.seen.add(site);
    const a = this.armed.get(site);
    if (a === undefined) return false;
    if (a.after > 0) {
      a.after--;
      return false;
    }
    if (--a.times <= 0) {
      this.armed.delete(site);
      this.idle = !this.record && this.armed.size === 0;
    }
    return true;
  }
}
