/**
 * include/linux/uaccess.h and the syscall ABI: what crossing from user space does to arguments (ints,
 * flags, buffers, timespecs, MAX_RW_COUNT from fs/read_write.c) and copy_msghdr_from_user() (net/socket.c).
 */
import { KernelError } from './errors.js';
import { MsgHdr } from './msg.js';
import type { UserMsg } from './task.js';
import { EBADF, EFAULT, EINVAL } from './uapi/errno.js';

/**
 * The syscall boundary's argument checks. A C program cannot pass NaN or 1.5 as an int; a JavaScript
 * caller can, so such values are refused here with a clear message instead of being truncated the way
 * a C compiler would. Values that a C caller could pass (negative, out of range) go on to the kernel's
 * own checks and get Linux's errno.
 */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (typeof v === 'object' && v !== null) return (v as object).constructor?.name ?? 'object';
  return String(v);
}

/**
 * Throw the refusal. Out of line so that the checks, which every syscall inlines, stay a few compares:
 * a message template in each of them would count against the inlining budget of every syscall.
 */
function refuse(errno: number, syscall: string, name: string, want: string, v: unknown): never {
  throw new KernelError(errno, syscall, `${name} ${want}, got ${show(v)}`);
}

/** A C `int`: an integer in [-2^31, 2^31). EINVAL otherwise. */
export function arg_int(v: unknown, syscall: string, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
  return refuse(EINVAL, syscall, name, 'must be a 32-bit integer', v);
}

/** A C `unsigned int` flags word: any integer in [-2^31, 2^32), kept as its 32 bits. EINVAL otherwise. */
export function arg_flags(v: unknown, syscall: string, name = 'flags'): number {
  if (v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) return v | 0;
  return refuse(EINVAL, syscall, name, 'must be a 32-bit integer', v);
}

/** A file descriptor: an integer; anything else cannot name an open file (EBADF). */
export function arg_fd(v: unknown, syscall: string, name = 'fd'): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
  return refuse(EBADF, syscall, name, 'must be an integer file descriptor', v);
}

/** A user buffer: bytes the kernel can read. Anything else is a bad address (EFAULT). */
export function arg_buf(v: unknown, syscall: string, name: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return refuse(EFAULT, syscall, name, 'must be a Uint8Array', v);
}

/** fs/read_write.c MAX_RW_COUNT: the most one read or write transfers (INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7ffff000;

/**
 * A size_t length. A negative number is what C's (size_t)-1 and friends look like from JavaScript: a huge
 * length, which import_ubuf() clamps to MAX_RW_COUNT like any other too-large length. Non-integers are
 * refused (EINVAL).
 */
export function arg_size(v: unknown, syscall: string, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 || v > MAX_RW_COUNT ? MAX_RW_COUNT : v;
  return refuse(EINVAL, syscall, name, 'must be an integer', v);
}

/** An rlim_t: non-negative integers; -1 is RLIM_INFINITY as C passes it. */
export function arg_rlim(v: unknown, syscall: string, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? Number.MAX_SAFE_INTEGER : v;
  return refuse(EINVAL, syscall, name, 'must be an integer', v);
}

/**
 * read()/write()'s count: vfs_read() checks access_ok(buf, count) after the fd lookup, so a huge count
 * (C's (size_t)-1, a negative number here) is EFAULT there — returned as -1 for the caller to report after
 * its fd checks. Counts above MAX_RW_COUNT are clamped (rw_verify_area()).
 */
export function arg_count(v: unknown, syscall: string, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? -1 : Math.min(v, MAX_RW_COUNT);
  return refuse(EINVAL, syscall, name, 'must be an integer', v);
}

/**
 * The most entries recvmmsg() accepts from a JavaScript caller. A C caller's vector is user memory of its
 * own and the kernel faults (EFAULT) where it ends; ksock allocates the vector as it fills it, so a
 * receive that never runs dry (a stream at end of file returns 0 bytes forever) needs a bound up front.
 * 65536 entries are 4 MiB of struct mmsghdr, far more than a batch.
 */
export const MMSG_VLEN_MAX = 65536;

/** recvmmsg()'s vlen: an integer in [0, MMSG_VLEN_MAX] (EINVAL otherwise, see MMSG_VLEN_MAX). */
export function arg_vlen(v: unknown, syscall: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MMSG_VLEN_MAX) return v;
  throw new KernelError(EINVAL, syscall, `vlen must be an integer in [0, ${MMSG_VLEN_MAX}], got ${show(v)}`);
}

/** struct __kernel_timespec, as recvmmsg() reads its timeout and writes back the time left. */
export interface Timespec {
  tv_sec: number;
  tv_nsec: number;
}

/**
 * A timespec argument's fields: integers, as C's time64_t and long are (EINVAL otherwise, naming the
 * field). What is not an object is left for the kernel's get_timespec64() to fault on, in its turn.
 */
export function arg_timespec(v: unknown, syscall: string, name: string): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const ts = v as Partial<Timespec>;
  for (const f of ['tv_sec', 'tv_nsec'] as const) {
    if (!Number.isSafeInteger(ts[f]))
      throw new KernelError(EINVAL, syscall, `${name}.${f} must be an integer, got ${show(ts[f])}`);
  }
  return v;
}

/** Mirrors get_timespec64(): undefined or null is NULL (no timeout); what is not an object faults. */
export function get_timespec64(v: unknown): Timespec | null | number {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object') return -EFAULT;
  const ts = v as Timespec;
  return { tv_sec: ts.tv_sec, tv_nsec: ts.tv_nsec };
}

/** Why a user structure could not be read: the errno the kernel returns, and words for the caller. */
export interface UserFault {
  errno: number;
  detail: string;
}

/**
 * One user message as the kernel copies it in (copy_msghdr_from_user()): the MsgHdr, or the fault — EFAULT
 * for what is not a message or a buffer (a bad address), EINVAL for flags C could not pass. `i` names
 * the message in the detail, e.g. "msgvec[2]".
 */
export function copy_msghdr_from_user(v: unknown, i: number): MsgHdr | UserFault {
  if (typeof v !== 'object' || v === null || !Array.isArray((v as UserMsg).iov))
    return efault(`msgvec[${i}] must be { iov: Uint8Array[], name?, control?, flags? }, got ${show(v)}`);
  const u = v as UserMsg;
  for (let k = 0; k < u.iov.length; k++) {
    const b = u.iov[k];
    if (!(b instanceof Uint8Array))
      return efault(`msgvec[${i}].iov[${k}] must be a Uint8Array, got ${show(b)}`);
  }
  const msg = new MsgHdr();
  // The array itself is used, not a copy: the call is synchronous, nothing can change it meanwhile.
  msg.iov = u.iov;
  if (u.name !== undefined && u.name !== null) {
    if (!(u.name instanceof Uint8Array))
      return efault(`msgvec[${i}].name must be a Uint8Array, got ${show(u.name)}`);
    msg.msg_name = u.name;
  }
  if (u.control !== undefined && u.control !== null) {
    if (!(u.control instanceof Uint8Array))
      return efault(`msgvec[${i}].control must be a Uint8Array, got ${show(u.control)}`);
    msg.msg_control = u.control;
    msg.msg_controllen = u.control.length;
  }
  if (u.flags !== undefined) {
    if (!Number.isInteger(u.flags) || u.flags < -0x80000000 || u.flags > 0xffffffff)
      return { errno: EINVAL, detail: `msgvec[${i}].flags must be a 32-bit integer, got ${show(u.flags)}` };
    msg.msg_flags = u.flags | 0;
  }
  return msg;
}

function efault(detail: string): UserFault {
  return { errno: EFAULT, detail };
}
