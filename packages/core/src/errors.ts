import { errnoNames, MAX_ERRNO } from './uapi/errno.js';

/** The errno name for a positive errno number ('E123' when the table has no name). */
export function errname(errno: number): string {
  return errnoNames[errno] ?? `E${errno}`;
}

/** Error as V8 and JavaScriptCore extend it (core does not depend on Node's types). */
const ErrorWithLimit = Error as ErrorConstructor & { stackTraceLimit?: number };

/** Set Error.stackTraceLimit; false where it cannot be written (frozen intrinsics). */
function setStackTraceLimit(limit: number): boolean {
  try {
    ErrorWithLimit.stackTraceLimit = limit;
    return true;
  } catch {
    return false;
  }
}

/** Where an error made without Error's constructor keeps its message (a symbol: not among its keys). */
const kMessage = Symbol('message');

/**
 * A failed system call, as user space sees it: the syscall returned -1 and errno is set.
 * Like Node's system errors, `code` carries the errno name.
 */
export class KernelError extends Error {
  /**
   * How many stack frames a KernelError records. `undefined` (the default) leaves it to
   * `Error.stackTraceLimit`, as for any Error; `0` records none, so `stack` is only the first line
   * ("KernelError: sendto: ECONNREFUSED"). Capturing a stack costs a couple of microseconds whatever the
   * depth — more than most syscalls — so a program for which failing calls are ordinary control flow
   * (EAGAIN draining a socket, a fuzzer, a benchmark) can set 0. Only engines with
   * `Error.stackTraceLimit` (V8, JavaScriptCore) honour a limit above 0.
   *
   * With 0 the error is not built by Error's constructor at all: even without frames, V8 spends about
   * half a microsecond in it, twice what the throw costs. The object has KernelError's prototype
   * (`instanceof KernelError` and `instanceof Error` hold, `String(e)` and `e.stack` read as usual) but is
   * not a native error object (`util.types.isNativeError(e)` is false).
   */
  static stackFrames: number | undefined = undefined;

  static {
    // On the prototype, as Error's own subclasses have it, rather than copied onto every instance.
    KernelError.prototype.name = 'KernelError';
    // Read only by errors made without Error's constructor: a native error's own `message` and `stack`
    // hide these accessors.
    Object.defineProperty(KernelError.prototype, 'message', {
      get(this: { [kMessage]?: string }) {
        return this[kMessage] ?? '';
      },
      configurable: true,
    });
    Object.defineProperty(KernelError.prototype, 'stack', {
      get(this: KernelError) {
        return `${this.name}: ${this.message}`;
      },
      configurable: true,
    });
  }

  /** The errno name, e.g. 'EAFNOSUPPORT'. */
  declare readonly code: string;
  /** The positive Linux errno number. */
  declare readonly errno: number;
  /** The system call that failed, e.g. 'socket'. */
  declare readonly syscall: string;

  // biome-ignore lint/correctness/noUnreachableSuper: with stackFrames 0 it returns without super(), on purpose
  constructor(errno: number, syscall: string, detail?: string) {
    const code = errname(errno);
    const message = detail ? `${syscall}: ${code} (${detail})` : `${syscall}: ${code}`;
    const limit = KernelError.stackFrames;
    if (limit === 0) {
      // A derived constructor may return another object instead of calling super(): `new` yields it.
      const e = Object.create(KernelError.prototype) as KernelError & { [kMessage]: string };
      (e as { code: string }).code = code;
      (e as { errno: number }).errno = errno;
      (e as { syscall: string }).syscall = syscall;
      e[kMessage] = message;
      // biome-ignore lint/correctness/noConstructorReturn: the cheap form described on stackFrames
      return e;
    }
    const saved = ErrorWithLimit.stackTraceLimit;
    // The limit applies to this one construction; the global one is back before anything else runs.
    const swap =
      limit !== undefined && typeof saved === 'number' && limit !== saved && setStackTraceLimit(limit);
    super(message);
    if (swap) ErrorWithLimit.stackTraceLimit = saved;
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
