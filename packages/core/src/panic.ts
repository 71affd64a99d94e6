/**
 * Warnings and taint (kernel/panic.c, include/linux/panic.h, include/asm-generic/bug.h): what the kernel
 * prints when its own code, or a module's, breaks a rule it can still survive.
 */
import type { Kernel } from './kernel.js';

/** include/linux/panic.h TAINT_* bits that ksock sets (the `kernel.tainted` sysctl shows the mask). */
export const TAINT_BAD_PAGE = 5;
export const TAINT_WARN = 9;

/** Mirrors add_taint(): set a taint bit, for good (writing the sysctl can only add bits, as proc_taint()). */
export function add_taint(kernel: Kernel, flag: number): void {
  kernel.tainted |= 1 << flag;
}

/**
 * Mirrors __warn() (kernel/panic.c), what WARN() and WARN_ONCE() end in: the message between the "cut
 * here" line and the "WARNING: at" line in the kernel log, and TAINT_WARN. `where` names the kernel file
 * and function the warning stands for (`lib/refcount.c refcount_warn_saturate`). ksock prints no CPU,
 * PID or backtrace: the trace, when one is taken, shows the path.
 */
export function __warn(kernel: Kernel, where: string, msg: string): void {
  kernel.printk('------------[ cut here ]------------');
  kernel.printk(msg);
  kernel.printk(`WARNING: at ${where}`);
  add_taint(kernel, TAINT_WARN);
}

/**
 * Mirrors what KASAN's report (mm/kasan/report.c) prints for a write to freed memory, reduced to its
 * header and TAINT_BAD_PAGE: ksock has no shadow memory, so it reports only the cases core can see — data
 * charged to a sock whose sk_refcnt already reached zero (skb_set_owner_r()). Linux without KASAN
 * would write into the freed sock silently.
 */
export function kasan_report_uaf(kernel: Kernel, fn: string, what: string): void {
  kernel.printk('==================================================================');
  kernel.printk(`BUG: KASAN: slab-use-after-free in ${fn}`);
  kernel.printk(what);
  kernel.printk('==================================================================');
  add_taint(kernel, TAINT_BAD_PAGE);
}
