import { KernelError } from './errors.js';
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
