/**
 * ksock's own test helper; no Linux file. What user space does after a failed call — read errno — as
 * one function for tests.
 */
import { KernelError } from '../errors.js';

/** What errnoOf() names besides the errno. */
export interface ErrnoOfOptions {
  /** Prefix the name of the system call that failed, as KernelError's message does: 'bind: EINVAL'. */
  syscall?: boolean;
}

/**
 * Run a system call and name how it ended, for a test to compare: 'OK' when `fn` returned, otherwise the
 * errno name of the KernelError it threw ('EINVAL'; 'bind: EINVAL' with `{ syscall: true }`). Anything
 * else `fn` throws (a TypeError, a failed assertion) is thrown on: a system call fails with an errno, and
 * any other failure is a bug the test should show. Framework-agnostic:
 * `expect(errnoOf(() => task.bind(fd, addr))).toBe('EADDRINUSE')`.
 */
export function errnoOf(fn: () => unknown, options: ErrnoOfOptions = {}): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return options.syscall ? `${e.syscall}: ${e.code}` : e.code;
  }
}
