/**
 * include/linux/err.h (IS_ERR) and the user-space side of a failed system call: -1 with errno set, which
 * ksock's syscall boundary throws as a KernelError.
 */
import { errnoNames, MAX_ERRNO } from './uapi/errno.js';

/** The errno name for a positive errno number ('E123' when the table has no name). */
export function errname(errno: number): string {
  return errnoNames[errno] ?? `E${errno}`;
}

/**
 * A failed system call, as user space sees it: the syscall returned -1 and errno is set.
 * Like Node's system errors, `code` carries the errno name. A program for which failing is routine
 * (EAGAIN ending a non-blocking drain, EINPROGRESS) uses `task.raw`, which returns the negative errno
 * instead of building an error.
 */
export class KernelError extends Error {
  static {
    // On the prototype, as Error's own subclasses have it, rather than copied onto every instance.
    KernelError.prototype.name = 'KernelError';
  }

  /** The errno name, e.g. 'EAFNOSUPPORT'. */
  declare readonly code: string;
  /** The positive Linux errno number. */
  declare readonly errno: number;
  /** The system call that failed, e.g. 'socket'. */
  declare readonly syscall: string;

  constructor(errno: number, syscall: string, detail?: string) {
    const code = errname(errno);
    super(detail ? `${syscall}: ${code} (${detail})` : `${syscall}: ${code}`);
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

/**
 * Mirrors IS_ERR_VALUE() in include/linux/err.h: kernel functions in ksock return a negative errno
 * (a number in [-MAX_ERRNO, -1]) where Linux returns an error value or ERR_PTR.
 */
export function IS_ERR(value: unknown): value is number {
  return typeof value === 'number' && value < 0 && value >= -MAX_ERRNO;
}
