/**
 * fs/file.c and fs/file_table.c: struct file and its reference count (get_file(), fput()), the fd table
 * (include/linux/fdtable.h) with alloc_fd(), fd_install(), close and dup; the inode a file points at.
 */

import { capable } from './cred.js';
import type { Kernel } from './kernel.js';
import type { PollTable } from './poll.js';
import { current } from './sched.js';
import { call_ops, type Fmt, tracepoint, tracing } from './trace.js';
import { CAP_SYS_ADMIN } from './uapi/capability.js';
import { EBADF, EBUSY, EINVAL, EMFILE, ENFILE, ENOMEM } from './uapi/errno.js';
import { O_CLOEXEC } from './uapi/fcntl.js';

/** struct inode, as far as the socket layer and /proc need it. */
export interface Inode {
  readonly i_ino: number;
  readonly i_mode: number;
  i_uid: number;
  i_gid: number;
}

/** struct file_operations: what a file's f_op provides (the subset ksock's files use). */
export interface FileOperations {
  readonly name: string;
  /** Called when the last reference to the file goes (the ->release hook, via __fput()). */
  release(inode: Inode | null, file: File): void;
  /**
   * The name readlink shows, computed when asked, as a pseudo filesystem's d_dname does (sockfs_dname():
   * `socket:[ino]`). Files opened by path keep the path instead.
   */
  d_dname?(file: File): string;
  /**
   * ->poll: the file's poll mask now (EPOLLIN…), registering on its wait queues through poll_wait() when
   * given a poll table. A file without it is always ready (vfs_poll() answers DEFAULT_POLLMASK).
   */
  poll?(file: File, pt: PollTable | null): number;
}

/**
 * struct file: an open file description, shared by dup() and fork(); freed when `f_count` drops to zero.
 * `path` is what readlink(/proc/<pid>/fd/N) prints.
 */
export class File {
  f_count = 1;
  // Declared, and set only by the constructor (not first defined as undefined).
  declare readonly f_op: FileOperations;
  declare f_flags: number;
  declare readonly f_inode: Inode | null;
  /** The dentry name (for sockets: the protocol name, e.g. "NETLINK"). */
  declare readonly d_name: string;
  /** The path a file was opened by, or null for pseudo files whose name d_dname computes. */
  declare private readonly f_path: string | null;
  declare private_data: unknown;

  constructor(
    f_op: FileOperations,
    f_flags: number,
    f_inode: Inode | null,
    d_name: string,
    path: string | null,
    private_data: unknown,
  ) {
    this.f_op = f_op;
    this.f_flags = f_flags;
    this.f_inode = f_inode;
    this.d_name = d_name;
    this.f_path = path;
    this.private_data = private_data;
  }

  /** What readlink(/proc/<pid>/fd/N) prints: `socket:[ino]`, `/dev/null`… */
  get path(): string {
    return this.f_path ?? this.f_op.d_dname?.(this) ?? '';
  }

  traceLabel(): string {
    return `file ${this.path}`;
  }
}

/** Mirrors get_file(): another reference to an open file. */
export function get_file(file: File): File {
  file.f_count++;
  return file;
}

/** Mirrors fput(): the last reference runs __fput() → f_op->release and frees the file. */
export function fput(kernel: Kernel, file: File): void {
  if (--file.f_count === 0) __fput(kernel, file);
}

let __fput = function __fput(kernel: Kernel, file: File): void {
  tracing
    ? call_ops(file.f_op.release, 'f_op->release', file.f_inode, file)
    : file.f_op.release(file.f_inode, file);
  kernel.nr_files--;
  kernel.filp_cachep.free();
};
const fmt___fput: Fmt<typeof __fput> = (_k, file) => file.path;

/**
 * Mirrors alloc_empty_file() under alloc_file_pseudo(): ENFILE past fs.file-max unless CAP_SYS_ADMIN,
 * ENOMEM when the allocation fails (fault site 'alloc_file_pseudo').
 */
export let alloc_file_pseudo = function alloc_file_pseudo(
  inode: Inode | null,
  d_name: string,
  path: string | null,
  flags: number,
  fops: FileOperations,
): File | number {
  const kernel = current().kernel;
  if (kernel.nr_files >= kernel.sysctl_file_max && file_max_reached(kernel)) return -ENFILE;
  if (kernel.faults.should_fail('alloc_file_pseudo')) return -ENOMEM;
  kernel.nr_files++;
  kernel.filp_cachep.alloc();
  return new File(fops, flags, inode, d_name, path, null);
};
/** alloc_empty_file() at fs.file-max: only CAP_SYS_ADMIN goes past it; anyone else is told in the log. */
function file_max_reached(kernel: Kernel): boolean {
  if (capable(CAP_SYS_ADMIN)) return false;
  kernel.printk(`VFS: file-max limit ${kernel.sysctl_file_max} reached`);
  return true;
}
const fmt_alloc_file_pseudo: Fmt<typeof alloc_file_pseudo> = (inode, d_name, _path, flags) =>
  `ino=${inode?.i_ino ?? 0}, "${d_name}", flags=0${flags.toString(8)}`;

const BITS = 32;

/** Index of the lowest zero bit of a 32-bit word at or above `from`, or 32. */
function zero_bit_from(word: number, from: number): number {
  const w = (word | ((1 << from) - 1)) >>> 0; // pretend the bits below `from` are set
  if (w === 0xffffffff) return BITS;
  const low = ~w & (w + 1);
  return 31 - Math.clz32(low);
}

/** find_next_zero_bit() over a Uint32Array bitmap of `nbits` bits. */
function find_next_zero_bit(map: Uint32Array, nbits: number, start: number): number {
  for (let i = start >>> 5, off = start & 31; i * BITS < nbits; i++, off = 0) {
    const b = zero_bit_from(map[i]!, off);
    if (b < BITS) return Math.min(i * BITS + b, nbits);
  }
  return nbits;
}

/**
 * struct files_struct + struct fdtable (include/linux/fdtable.h): the fd array, the open and close-on-exec
 * bitmaps, and `full_fds_bits` (one bit per full word of open_fds) that lets allocation skip full words —
 * the lowest free fd is found without a linear scan even with a million descriptors open.
 */
export class FilesStruct {
  max_fds = 0;
  fd: Array<File | null> = [];
  open_fds = new Uint32Array(0);
  close_on_exec = new Uint32Array(0);
  full_fds_bits = new Uint32Array(0);
  next_fd = 0;
  /** Open descriptors (installed or reserved). */
  count = 0;

  constructor(initial = 64) {
    this.resize(initial);
  }

  /** Grow every array to `nr` slots (a multiple of 32, as Linux keeps BITS_PER_LONG multiples). */
  resize(nr: number): void {
    const words = nr / BITS;
    const grow = (old: Uint32Array, n: number) => {
      const a = new Uint32Array(n);
      a.set(old.subarray(0, Math.min(old.length, n)));
      return a;
    };
    this.open_fds = grow(this.open_fds, words);
    this.close_on_exec = grow(this.close_on_exec, words);
    this.full_fds_bits = grow(this.full_fds_bits, Math.ceil(words / BITS));
    for (let i = this.max_fds; i < nr; i++) this.fd.push(null);
    this.max_fds = nr;
  }

  is_open(fd: number): boolean {
    return fd < this.max_fds && (this.open_fds[fd >>> 5]! & (1 << (fd & 31))) !== 0;
  }

  set_open(fd: number): void {
    const w = fd >>> 5;
    const v = (this.open_fds[w]! | (1 << (fd & 31))) >>> 0;
    this.open_fds[w] = v;
    if (v === 0xffffffff) this.full_fds_bits[w >>> 5]! |= 1 << (w & 31);
    this.count++;
  }

  clear_open(fd: number): void {
    const w = fd >>> 5;
    this.open_fds[w]! &= ~(1 << (fd & 31));
    this.full_fds_bits[w >>> 5]! &= ~(1 << (w & 31));
    this.count--;
  }

  set_cloexec(fd: number, on: boolean): void {
    if (on) this.close_on_exec[fd >>> 5]! |= 1 << (fd & 31);
    else this.close_on_exec[fd >>> 5]! &= ~(1 << (fd & 31));
  }

  is_cloexec(fd: number): boolean {
    return (this.close_on_exec[fd >>> 5]! & (1 << (fd & 31))) !== 0;
  }

  /** Mirrors find_next_fd(): skip full words via full_fds_bits, then the lowest clear bit. */
  find_next_fd(start: number): number {
    const maxfd = this.max_fds;
    const maxbit = maxfd / BITS;
    const bitbit = find_next_zero_bit(this.full_fds_bits, maxbit, start >>> 5) * BITS;
    if (bitbit >= maxfd) return maxfd;
    if (bitbit > start) start = bitbit;
    return find_next_zero_bit(this.open_fds, maxfd, start);
  }

  /** Installed files, lowest fd first. */
  *entries(): IterableIterator<[number, File]> {
    for (let i = 0; i < this.max_fds; i++) {
      const f = this.fd[i];
      if (f) yield [i, f];
    }
  }
}

/**
 * Mirrors expand_files() / alloc_fdtable(): EMFILE at fs.nr_open, ENOMEM when the allocation fails;
 * sizes grow to a power of two of 1 KiB worth of pointers, as on 64-bit Linux.
 */
function expand_files(kernel: Kernel, files: FilesStruct, nr: number): number {
  if (nr < files.max_fds) return 0;
  if (nr >= kernel.sysctl_nr_open) return -EMFILE;
  if (kernel.faults.should_fail('expand_files')) return -ENOMEM;
  let n = Math.floor(nr / 128);
  n = 2 ** Math.ceil(Math.log2(n + 1));
  n *= 128;
  if (n > kernel.sysctl_nr_open) n = ((kernel.sysctl_nr_open - 1) | 63) + 1;
  files.resize(n);
  return 0;
}

/**
 * Mirrors alloc_fd(start, end, flags) (fs/file.c): the lowest free fd at or above `start`, below `end`
 * (RLIMIT_NOFILE) else EMFILE; marks it open and sets or clears close-on-exec. The slot stays empty
 * until fd_install().
 */
export function alloc_fd(
  kernel: Kernel,
  files: FilesStruct,
  start: number,
  end: number,
  flags: number,
): number {
  for (;;) {
    let fd = start;
    if (fd < files.next_fd) fd = files.next_fd;
    if (fd < files.max_fds) fd = files.find_next_fd(fd);
    if (fd >= end) return -EMFILE;
    if (fd >= files.max_fds) {
      const r = expand_files(kernel, files, fd);
      if (r < 0) return r;
      continue; // the table changed: search again
    }
    if (start <= files.next_fd) files.next_fd = fd + 1;
    files.set_open(fd);
    files.set_cloexec(fd, (flags & O_CLOEXEC) !== 0);
    return fd;
  }
}

/**
 * Mirrors get_unused_fd_flags(): alloc_fd(0, RLIMIT_NOFILE, flags) for the current task.
 * Fault-injectable as 'get_unused_fd_flags' (fails with EMFILE, as if the table were full).
 */
export let get_unused_fd_flags = function get_unused_fd_flags(flags: number): number {
  const task = current();
  if (task.kernel.faults.should_fail('get_unused_fd_flags')) return -EMFILE;
  return alloc_fd(task.kernel, task.files, 0, task.rlimit_nofile, flags);
};
const fmt_get_unused_fd_flags: Fmt<typeof get_unused_fd_flags> = (flags) => `0${flags.toString(8)}`;

/** Mirrors put_unused_fd(): give back a reserved, never installed fd. */
export function put_unused_fd(files: FilesStruct, fd: number): void {
  files.clear_open(fd);
  if (fd < files.next_fd) files.next_fd = fd;
}

/** Mirrors fd_install(): put the file in its reserved slot (consumes the caller's reference). */
export let fd_install = function fd_install(files: FilesStruct, fd: number, file: File): void {
  if (files.fd[fd] !== null || !files.is_open(fd)) fd_install_unreserved(fd);
  files.fd[fd] = file;
};

/** fd_install() into a slot alloc_fd() did not reserve is a caller bug (out of line: never taken). */
function fd_install_unreserved(fd: number): never {
  throw new Error(`ksock: fd_install(${fd}) on a slot not reserved`);
}
const fmt_fd_install: Fmt<typeof fd_install> = (_files, fd, file) => `${fd}, ${file.path}`;

/** Mirrors files_lookup_fd_raw(): the file at `fd`, or null. `fd` must already be a valid integer. */
export function fcheck(files: FilesStruct, fd: number): File | null {
  return fd >= 0 && fd < files.max_fds ? files.fd[fd]! : null;
}

/** Mirrors file_close_fd() + filp_close(): EBADF for an empty slot; the file is put after the slot is freed. */
export function close_fd(kernel: Kernel, files: FilesStruct, fd: number): number {
  const file = fcheck(files, fd);
  if (file === null) return -EBADF;
  files.fd[fd] = null;
  put_unused_fd(files, fd);
  fput(kernel, file);
  return 0;
}

/** Mirrors do_dup2(): EBUSY for a reserved-but-empty target; the old file there is closed after. */
export function do_dup2(kernel: Kernel, files: FilesStruct, file: File, fd: number, flags: number): number {
  const tofree = files.fd[fd]!;
  if (tofree === null && files.is_open(fd)) return -EBUSY;
  get_file(file);
  files.fd[fd] = file;
  if (tofree === null) files.set_open(fd);
  files.set_cloexec(fd, (flags & O_CLOEXEC) !== 0);
  if (tofree !== null) fput(kernel, tofree);
  return fd;
}

/** Mirrors ksys_dup3() order: EINVAL for flags or same fd, EBADF past the rlimit, EBADF for a bad oldfd. */
export function ksys_dup3(
  kernel: Kernel,
  files: FilesStruct,
  rlimit: number,
  oldfd: number,
  newfd: number,
  flags: number,
): number {
  if ((flags & ~O_CLOEXEC) !== 0) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  if (newfd >= rlimit) return -EBADF;
  const err = expand_files(kernel, files, newfd);
  const file = fcheck(files, oldfd);
  if (file === null) return -EBADF;
  if (err < 0) return err === -EMFILE ? -EBADF : err;
  return do_dup2(kernel, files, file, newfd, flags);
}

/**
 * Mirrors replace_fd() (fs/file.c): install `file` at `fd` of the current task, closing what was there, as
 * dup2() does but from a file reference rather than another fd; the table takes its own reference (the
 * caller keeps its own). O_CLOEXEC in `flags` sets close-on-exec. EBADF at or past RLIMIT_NOFILE, EMFILE /
 * ENOMEM when the table cannot grow, EBUSY for a slot reserved by a call still in progress. A null file
 * closes `fd`. Returns 0.
 *
 * For a bridge that keeps a ksock task's fd numbers in step with a host process's.
 */
export function replace_fd(fd: number, file: File | null, flags: number): number {
  const task = current();
  if (file === null) return close_fd(task.kernel, task.files, fd);
  if (fd < 0 || fd >= task.rlimit_nofile) return -EBADF;
  const err = expand_files(task.kernel, task.files, fd);
  if (err < 0) return err;
  const r = do_dup2(task.kernel, task.files, file, fd, flags);
  return r < 0 ? r : 0;
}

/**
 * Mirrors fget() for another task's table: the file at `fd` with a reference taken (drop it with fput()),
 * or null. `fcheck(task.files, fd)` looks without taking one.
 */
export function fget(task: { files: FilesStruct }, fd: number): File | null {
  const file = fcheck(task.files, fd);
  return file === null ? null : get_file(file);
}

/** Mirrors dup_fd() at fork: the child gets its own table referring to the same open files. */
export function dup_fd(old: FilesStruct): FilesStruct {
  const n = new FilesStruct(old.max_fds);
  for (let i = 0; i < old.max_fds; i++) {
    const f = old.fd[i]!;
    if (f !== null) {
      get_file(f);
      n.fd[i] = f;
      n.set_open(i);
      if (old.is_cloexec(i)) n.set_cloexec(i, true);
    }
  }
  n.next_fd = n.find_next_fd(0);
  return n;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(__fput, '__fput', fmt___fput, (f) => {
  __fput = f;
});
tracepoint(alloc_file_pseudo, 'alloc_file_pseudo', fmt_alloc_file_pseudo, (f) => {
  alloc_file_pseudo = f;
});
tracepoint(get_unused_fd_flags, 'get_unused_fd_flags', fmt_get_unused_fd_flags, (f) => {
  get_unused_fd_flags = f;
});
tracepoint(fd_install, 'fd_install', fmt_fd_install, (f) => {
  fd_install = f;
});
