/**
 * include/linux/cred.h and kernel/capability.c: a task's credentials (uids, gids, supplementary groups,
 * capability sets) and the capable() / ns_capable() checks.
 */
import { current } from './sched.js';
import { CAP_LAST_CAP } from './uapi/capability.js';

/** A capability set (kernel_cap_t): a 64-bit mask kept as two 32-bit halves. */
export class CapSet {
  lo: number;
  hi: number;

  constructor(lo = 0, hi = 0) {
    this.lo = lo;
    this.hi = hi;
  }

  static full(): CapSet {
    return new CapSet(0xffffffff, (1 << (CAP_LAST_CAP - 31)) - 1);
  }

  static of(caps: readonly number[]): CapSet {
    const s = new CapSet();
    for (const c of caps) s.raise(c);
    return s;
  }

  has(cap: number): boolean {
    return cap < 32 ? (this.lo & (1 << cap)) !== 0 : (this.hi & (1 << (cap - 32))) !== 0;
  }

  raise(cap: number): void {
    if (cap < 32) this.lo = (this.lo | (1 << cap)) >>> 0;
    else this.hi = (this.hi | (1 << (cap - 32))) >>> 0;
  }

  clone(): CapSet {
    return new CapSet(this.lo, this.hi);
  }

  isEmpty(): boolean {
    return this.lo === 0 && this.hi === 0;
  }

  list(): number[] {
    const out: number[] = [];
    for (let c = 0; c <= CAP_LAST_CAP; c++) if (this.has(c)) out.push(c);
    return out;
  }
}

/** struct cred: a task's identities and capabilities (include/linux/cred.h). */
export class Cred {
  uid: number;
  euid: number;
  suid: number;
  fsuid: number;
  gid: number;
  egid: number;
  sgid: number;
  fsgid: number;
  groups: number[];
  cap_effective: CapSet;
  cap_permitted: CapSet;

  constructor(uid: number, gid: number, groups: number[], caps: CapSet) {
    this.uid = this.euid = this.suid = this.fsuid = uid;
    this.gid = this.egid = this.sgid = this.fsgid = gid;
    this.groups = groups;
    this.cap_effective = caps;
    this.cap_permitted = caps.clone();
  }

  clone(): Cred {
    const c = new Cred(this.uid, this.gid, [...this.groups], this.cap_effective.clone());
    c.euid = this.euid;
    c.suid = this.suid;
    c.fsuid = this.fsuid;
    c.egid = this.egid;
    c.sgid = this.sgid;
    c.fsgid = this.fsgid;
    c.cap_permitted = this.cap_permitted.clone();
    return c;
  }

  /** Mirrors in_group_p(): the fs group or a supplementary group. */
  in_group_p(gid: number): boolean {
    return this.fsgid === gid || this.groups.includes(gid);
  }
}

/**
 * Mirrors capable() (kernel/capability.c): does the current task have `cap` in its effective set?
 * ksock has a single user namespace, so ns_capable() and file_ns_capable() reduce to this.
 */
export function capable(cap: number): boolean {
  return current().cred.cap_effective.has(cap);
}
export const ns_capable = (_ns: unknown, cap: number): boolean => capable(cap);
