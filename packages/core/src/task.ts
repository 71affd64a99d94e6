/**
 * A task (struct task_struct, include/linux/sched.h) and its system calls: the SYSCALL_DEFINE entry points
 * of net/socket.c, fs/*.c (close, dup, fcntl, ioctl, poll, read, write) and kernel/*.c (fork, exit,
 * wait, setuid, unshare, module loading…), each checking its arguments and throwing KernelError for errno.
 */
import { CapSet, type Cred, capable } from './cred.js';
import type { IfConf } from './dev_ioctl.js';
import { KernelError } from './errors.js';
import type { FileOperations, FilesStruct } from './file.js';
import {
  alloc_fd,
  close_fd,
  dup_fd,
  File,
  fcheck,
  fd_install,
  fput,
  get_file,
  ksys_dup3,
  replace_fd,
} from './file.js';
import { ksys_ioctl } from './ioctl.js';
import type { Kernel } from './kernel.js';
import { delete_module, modprobe } from './module.js';
import { MsgHdr, type RecvMMsgVec, type SendMMsgVec } from './msg.js';
import type { Net } from './net_namespace.js';
import { get_net, put_net } from './net_namespace.js';
import { do_pollfd, type PollTable } from './poll.js';
import { proc_event } from './proc_events.js';
import { in_kernel } from './sched.js';
import { MAX_SCHEDULE_TIMEOUT } from './sock.js';
import { int_bytes } from './sock_opt.js';
import type { GetsockoptResult } from './socket.js';
import { __sys_socket, sock_from_file } from './socket.js';
import {
  __sys_accept4,
  __sys_bind,
  __sys_connect,
  __sys_getpeername,
  __sys_getsockname,
  __sys_getsockopt,
  __sys_listen,
  __sys_recvfrom,
  __sys_recvmmsg,
  __sys_recvmsg,
  __sys_sendmmsg,
  __sys_sendmsg,
  __sys_sendto,
  __sys_setsockopt,
  __sys_shutdown,
  __sys_socketpair,
  sock_read,
  sock_write,
} from './socket_calls.js';
import {
  arg_buf,
  arg_count,
  arg_fd,
  arg_flags,
  arg_int,
  arg_rlim,
  arg_size,
  arg_timespec,
  arg_vlen,
  copy_msghdr_from_user,
  get_timespec64,
  type Timespec,
  type UserFault,
} from './uaccess.js';
import {
  CAP_NET_ADMIN,
  CAP_SETGID,
  CAP_SETUID,
  CAP_SYS_ADMIN,
  CAP_SYS_MODULE,
  CAP_SYS_RESOURCE,
} from './uapi/capability.js';
import {
  EACCES,
  EAGAIN,
  EBADF,
  ECHILD,
  EEXIST,
  EFAULT,
  EINTR,
  EINVAL,
  ENOENT,
  EPERM,
  ESRCH,
} from './uapi/errno.js';
import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  O_CLOEXEC,
  O_DIRECT,
  O_LARGEFILE,
  O_NONBLOCK,
  O_RDWR,
  RLIMIT_NOFILE,
  SETFL_MASK,
} from './uapi/fcntl.js';
import { CLONE_NEWNET, SIGCHLD } from './uapi/sched.js';
import { MSG_DONTWAIT } from './uapi/socket.js';
import {
  type AbortSignalLike,
  add_wait_queue,
  remove_wait_queue,
  type WaitQueueEntry,
  type WaitQueueHead,
} from './wait.js';

/** What recvfrom()/recvmsg() give back. */
export interface RecvResult {
  /** The bytes received (at most the length asked for). */
  data: Uint8Array;
  /** The sender's address bytes, or null when the protocol gives none. */
  addr: Uint8Array | null;
  /** msg_flags as the kernel returned them (MSG_TRUNC, MSG_CTRUNC…). */
  flags: number;
  /** The syscall's return value: bytes copied, or the datagram's real length with MSG_TRUNC. */
  len: number;
  /** Ancillary data (struct cmsghdr records). */
  control: Uint8Array;
}

/** One entry of poll()'s array: struct pollfd without its revents (which poll() returns). */
export interface PollFd {
  /** The descriptor; a negative one is skipped (its revents is 0), as Linux skips it. */
  fd: number;
  /** The events asked for (POLLIN, POLLOUT…): a short, as in struct pollfd. */
  events: number;
}

/** What sendmsg() takes. */
export interface UserMsg {
  iov: readonly Uint8Array[];
  name?: Uint8Array | null;
  control?: Uint8Array | null;
  /** msg_flags: read only by sendmmsg(), which honours MSG_EOR per message, as Linux does. */
  flags?: number;
}

/**
 * The system calls in the form the raw syscall ABI has them, returning what the kernel returns instead of
 * throwing: the same value as the throwing form on success, a negative errno on failure (before libc turns
 * it into -1 and errno). An argument the throwing form refuses comes back as the same errno, without the
 * detail its KernelError message would carry. Reached through `task.raw`.
 *
 * They exist for callers whose failures are routine control flow (EAGAIN ending a non-blocking drain,
 * EINPROGRESS, the ECONNREFUSED every NETLINK_USERSOCK multicast send ends in) — V8 spends microseconds
 * building, throwing and catching an error, more than most syscalls cost ksock — and for bridges that
 * forward a program's system calls and hand the errno back to it. Each form runs the same argument checks
 * and kernel entry point as its throwing twin.
 */
export interface RawSyscalls {
  /** sendto(2) → bytes sent, or -errno. */
  sendto(fd: number, data: Uint8Array, flags?: number, addr?: Uint8Array | null): number;
  /** sendmsg(2) → bytes sent, or -errno. */
  sendmsg(fd: number, msg: UserMsg, flags?: number): number;
  /** recvfrom(2), `buf` as for `task.recvfrom()` → the result, or -errno. */
  recvfrom(fd: number, buf: number | Uint8Array, flags?: number): RecvResult | number;
  /** recvmsg(2), as `task.recvmsg()` → the result, or -errno. */
  recvmsg(fd: number, buf: number | Uint8Array, flags?: number, controllen?: number): RecvResult | number;
  /** sendmmsg(2), as `task.sendmmsg()` → msg_len of each message sent, or -errno when none was. */
  sendmmsg(fd: number, msgs: readonly UserMsg[], flags?: number): number[] | number;
  /** recvmmsg(2), as `task.recvmmsg()` → the messages received, or -errno when none was. */
  recvmmsg(
    fd: number,
    vlen: number,
    len: number | readonly Uint8Array[],
    flags?: number,
    timeout?: Timespec | null,
    controllen?: number,
  ): RecvResult[] | number;
  /** read(2) → the bytes read, or -errno. */
  read(fd: number, len: number): Uint8Array | number;
  /** write(2) → bytes written, or -errno. */
  write(fd: number, data: Uint8Array): number;
  /** accept4(2) → the new fd, or -errno. */
  accept4(fd: number, flags: number): number;
  /** connect(2) → 0, or -errno. */
  connect(fd: number, addr: Uint8Array): number;
  /** socket(2) → the new fd, or -errno. */
  socket(family: number, type: number, protocol: number): number;
  /** socketpair(2) → the two fds, or -errno. */
  socketpair(family: number, type: number, protocol: number): [number, number] | number;
  /** bind(2) → 0, or -errno. */
  bind(fd: number, addr: Uint8Array): number;
  /** listen(2) → 0, or -errno. */
  listen(fd: number, backlog: number): number;
  /** getsockname(2) → the whole address (the caller cuts it to its addrlen), or -errno. */
  getsockname(fd: number): Uint8Array | number;
  /** getpeername(2) → the whole address, or -errno. */
  getpeername(fd: number): Uint8Array | number;
  /** setsockopt(2), `value` as for `task.setsockopt()` → 0, or -errno. */
  setsockopt(fd: number, level: number, optname: number, value: Uint8Array | number): number;
  /**
   * getsockopt(2) with `optlen` the value of the caller's *optlen → what Linux leaves in user memory: the
   * bytes copied to the buffer (at most `optlen`) and the value written back to *optlen, which can be
   * larger (NETLINK_LIST_MEMBERSHIPS reports the size the whole list needs) — or -errno, *optlen untouched.
   */
  getsockopt(fd: number, level: number, optname: number, optlen: number): GetsockoptResult | number;
  /** shutdown(2) → 0, or -errno. */
  shutdown(fd: number, how: number): number;
  /** ioctl(2), `arg` as for `task.ioctl()` → the syscall's return value, or -errno. */
  ioctl(fd: number, cmd: number, arg?: IoctlArg): number;
  /** close(2) → 0, or -errno. */
  close(fd: number): number;
  /** dup(2) → the new fd, or -errno. */
  dup(oldfd: number): number;
  /** dup2(2) → newfd, or -errno. */
  dup2(oldfd: number, newfd: number): number;
  /** dup3(2) → newfd, or -errno. */
  dup3(oldfd: number, newfd: number, flags: number): number;
  /** fcntl(2), the commands `task.fcntl()` has → the command's result, or -errno. */
  fcntl(fd: number, cmd: number, arg?: number): number;
  /**
   * Not a syscall: replace_fd() — install `file` at `fd` (dup2() from a file reference: what was at `fd`
   * is closed, the table takes its own reference, O_CLOEXEC in `flags` sets close-on-exec) → 0, or -errno
   * (EBADF past RLIMIT_NOFILE, EMFILE when the table cannot grow). For bridges that keep a task's fd
   * numbers in step with a host process's; `fget(task, fd)` is the matching lookup.
   */
  replace_fd(fd: number, file: File, flags?: number): number;
}

/**
 * ioctl(2)'s third argument: an integer, the bytes a pointer argument points to, or SIOCGIFCONF's
 * struct ifconf (see `task.ioctl()`).
 */
export type IoctlArg = number | Uint8Array | IfConf;

/** A pointer argument of ioctl(): bytes, or a struct ifconf; anything else is a bad address (EFAULT). */
function arg_ioctl(v: unknown): Uint8Array | IfConf {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'object' && v !== null) {
    const c = v as Partial<IfConf>;
    if (Number.isInteger(c.ifc_len) && (c.ifc_buf === null || c.ifc_buf instanceof Uint8Array))
      return c as IfConf;
  }
  throw new KernelError(
    EFAULT,
    'ioctl',
    'arg must be an integer, a Uint8Array or { ifc_len: number, ifc_buf: Uint8Array | null }',
  );
}

/** A KernelError thrown by argument checks, as the negative errno a raw syscall returns. */
function errno_of(e: unknown): number {
  if (e instanceof KernelError) return -e.errno;
  throw e;
}

/**
 * The last argument of every awaitable (`…Async`) syscall form. `signal` interrupts the call's sleep, as a
 * signal interrupts a task sleeping in TASK_INTERRUPTIBLE: when it is aborted while the call sleeps, or
 * before it would start to, the call fails with EINTR (what sock_intr_errno() makes of a pending signal;
 * Linux's ERESTARTSYS reaches a program as EINTR when its handler lacks SA_RESTART). Whether to restart is
 * the caller's decision: call again. A call that completes first keeps its result, even if the signal is
 * aborted by then; a call that never has to sleep ignores the signal.
 */
export interface SleepOptions {
  signal?: AbortSignalLike | undefined;
}

/** Options for `kernel.spawn()`. */
export interface SpawnOptions {
  uid?: number;
  gid?: number;
  groups?: number[];
  /** CAP_* numbers granted to a non-root task (uid 0 always gets every capability). */
  caps?: readonly number[];
  /** The task's name (comm); default "task". */
  comm?: string;
  /** Open /dev/null on fds 0, 1 and 2, as a shell-started process has them (default true). */
  stdio?: boolean;
}

/** /dev/null's file operations: reads see end of file, writes vanish. */
const null_fops: FileOperations = { name: 'null_fops', release: () => {} };

function basename(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] || path;
}

/** TASK_COMM_LEN 16: comm holds at most 15 characters. */
function set_comm(name: string): string {
  return name.slice(0, 15);
}

/** The kernel side of sendto() and recvfrom(), run by in_kernel() with the checked arguments. */
function sys_sendto(a: ReturnType<Task['sendto_args']>): number {
  return __sys_sendto(a.fd, a.msg, a.len, a.flags);
}
function sys_recvfrom(a: ReturnType<Task['recv_args']>): number {
  return __sys_recvfrom(a.fd, a.msg, a.len, a.flags);
}

/** Syscall results: a negative errno becomes a thrown KernelError, as libc turns it into -1 and errno. */
function check<T>(r: T | number, syscall: string): T {
  if (typeof r === 'number' && r < 0) throw new KernelError(-r, syscall);
  return r as T;
}

/**
 * A task (struct task_struct): a process with credentials, a network namespace, an fd table and
 * RLIMIT_NOFILE. Its methods are the system calls, named and shaped as in Linux; a failing call throws
 * KernelError with Linux's errno. Awaitable forms of calls that can sleep end in `Async`; forms that return
 * a negative errno instead of throwing, for calls whose failure is routine, are under `raw`.
 */
export class Task {
  readonly pid: number;
  comm: string;
  parent: Task | null;
  readonly children: Task[] = [];
  cred: Cred;
  /** current->nsproxy->net_ns */
  nsproxy_net: Net;
  files: FilesStruct;
  /** RLIMIT_NOFILE soft and hard limits. */
  rlimit_nofile: number;
  rlimit_nofile_max: number;
  pgid: number;
  sid: number;
  /** 'running', 'zombie' after exit() until reaped by waitpid(), 'dead' after. */
  state: 'running' | 'zombie' | 'dead' = 'running';
  /** The wait status a parent's waitpid() sees once the task exited (code << 8). */
  exit_status = 0;
  /** Set by a kernel path that would sleep: the wait queue the awaitable syscall forms sleep on. */
  blocked_on: WaitQueueHead | null = null;
  private raw_: RawSyscalls | null = null;

  readonly kernel: Kernel;

  constructor(
    kernel: Kernel,
    pid: number,
    parent: Task | null,
    cred: Cred,
    net: Net,
    files: FilesStruct,
    comm: string,
  ) {
    this.kernel = kernel;
    this.pid = pid;
    this.parent = parent;
    this.cred = cred;
    this.nsproxy_net = get_net(net);
    this.files = files;
    this.comm = set_comm(comm);
    this.rlimit_nofile = parent?.rlimit_nofile ?? kernel.options.rlimit_nofile;
    this.rlimit_nofile_max = parent?.rlimit_nofile_max ?? Math.max(kernel.options.rlimit_nofile, 4096);
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
    parent?.children.push(this);
  }

  /** The non-throwing forms of the calls that fail as a matter of course (see RawSyscalls). */
  get raw(): RawSyscalls {
    if (this.raw_ === null) this.raw_ = this.make_raw();
    return this.raw_;
  }

  /**
   * The raw forms: the throwing forms' argument checks and kernel entry points, with the result handed
   * back as the kernel returns it. Built once per task, as closures, so they reach the private helpers.
   */
  private make_raw(): RawSyscalls {
    // The throwing forms' argument checks, their KernelError turned back into the errno it carries.
    const checked = <A extends object>(fn: () => A): A | number => {
      try {
        return fn();
      } catch (e) {
        return errno_of(e);
      }
    };
    const enter = <T>(fn: () => T | number): T | number => {
      if (this.state !== 'running') return -ESRCH;
      return in_kernel(this, fn);
    };
    // A *_call(): its argument checks' refusal as an errno, else its kernel entry run as this task.
    const run = <T>(prep: () => () => T | number): T | number => {
      let fn: () => T | number;
      try {
        fn = prep();
      } catch (e) {
        return errno_of(e);
      }
      return enter(fn);
    };
    return {
      // The two per-message calls spell out checked() and enter(): a closure per call costs them about
      // a tenth of their rate.
      sendto: (fd, data, flags, addr) => {
        let a: ReturnType<Task['sendto_args']>;
        try {
          a = this.sendto_args(fd, data, flags, addr);
        } catch (e) {
          return errno_of(e);
        }
        return this.state !== 'running' ? -ESRCH : this.enter_sendto(a);
      },
      sendmsg: (fd, msg, flags) => {
        const a = checked(() => this.sendmsg_args(fd, msg, flags));
        return typeof a === 'number' ? a : enter(() => __sys_sendmsg(a.fd, a.msg, a.flags));
      },
      recvfrom: (fd, buf, flags) => {
        let a: ReturnType<Task['recv_args']>;
        try {
          a = this.recv_args('recvfrom', fd, buf, flags, 0);
        } catch (e) {
          return errno_of(e);
        }
        if (this.state !== 'running') return -ESRCH;
        const r = this.enter_recvfrom(a);
        return r < 0 ? r : recv_result(a.msg, r);
      },
      recvmsg: (fd, buf, flags, controllen = 256) => {
        const a = checked(() => this.recv_args('recvmsg', fd, buf, flags, controllen));
        if (typeof a === 'number') return a;
        const r = enter(() => __sys_recvmsg(a.fd, a.msg, a.len, a.flags));
        return r < 0 ? r : recv_result(a.msg, r);
      },
      sendmmsg: (fd, msgs, flags) => {
        const c = checked(() => this.do_sendmmsg(fd, msgs, flags));
        return typeof c === 'number' ? c : c.r < 0 ? c.r : c.mmsg.msg_len;
      },
      recvmmsg: (fd, vlen, len, flags, timeout, controllen = 256) => {
        const c = checked(() => this.do_recvmmsg(fd, vlen, len, flags, timeout, controllen));
        return typeof c === 'number' ? c : c.r < 0 ? c.r : recv_results(c.mmsg, c.r);
      },
      read: (fd, len) => {
        const a = checked(() => ({ fd: arg_fd(fd, 'read'), len: arg_count(len, 'read', 'count') }));
        if (typeof a === 'number') return a;
        const msg = new MsgHdr();
        const r = enter(() => this.do_read(a.fd, msg, a.len));
        return r < 0 ? r : msg.data;
      },
      write: (fd, data) => {
        const a = checked(() => ({ fd: arg_fd(fd, 'write'), data: arg_buf(data, 'write', 'buf') }));
        return typeof a === 'number' ? a : enter(() => this.do_write(a.fd, a.data));
      },
      accept4: (fd, flags) => {
        const a = checked(() => ({ fd: arg_fd(fd, 'accept4'), flags: arg_flags(flags, 'accept4') }));
        return typeof a === 'number' ? a : enter(() => __sys_accept4(a.fd, a.flags));
      },
      connect: (fd, addr) => {
        const a = checked(() => ({ fd: arg_fd(fd, 'connect'), addr: arg_buf(addr, 'connect', 'addr') }));
        return typeof a === 'number' ? a : enter(() => __sys_connect(a.fd, a.addr));
      },
      // The rest share the throwing forms' *_call(): their argument checks, then the kernel entry.
      socket: (family, type, protocol) => run(() => this.socket_call(family, type, protocol)),
      socketpair: (family, type, protocol) => run(() => this.socketpair_call(family, type, protocol)),
      bind: (fd, addr) => run(() => this.bind_call(fd, addr)),
      listen: (fd, backlog) => run(() => this.listen_call(fd, backlog)),
      getsockname: (fd) => run(() => this.getname_call('getsockname', fd)),
      getpeername: (fd) => run(() => this.getname_call('getpeername', fd)),
      setsockopt: (fd, level, optname, value) => run(() => this.setsockopt_call(fd, level, optname, value)),
      getsockopt: (fd, level, optname, optlen) => run(() => this.getsockopt_call(fd, level, optname, optlen)),
      shutdown: (fd, how) => run(() => this.shutdown_call(fd, how)),
      ioctl: (fd, cmd, arg) => run(() => this.ioctl_call(fd, cmd, arg)),
      close: (fd) => run(() => this.close_call(fd)),
      dup: (oldfd) => run(() => this.dup_call(oldfd)),
      dup2: (oldfd, newfd) => run(() => this.dup2_call(oldfd, newfd)),
      dup3: (oldfd, newfd, flags) => run(() => this.dup3_call(oldfd, newfd, flags)),
      fcntl: (fd, cmd, arg) => run(() => this.fcntl_call(fd, cmd, arg)),
      replace_fd: (fd, file, flags) =>
        run(() => {
          const nfd = arg_fd(fd, 'replace_fd');
          const f = arg_flags(flags, 'replace_fd');
          if (!(file instanceof File)) throw new KernelError(EBADF, 'replace_fd', 'file must be a File');
          return () => replace_fd(nfd, file, f);
        }),
    };
  }

  traceLabel(): string {
    return `task ${this.pid} (${this.comm})`;
  }

  private live(syscall: string): void {
    if (this.state !== 'running') throw new KernelError(ESRCH, syscall, `task ${this.pid} has exited`);
  }

  /** Open /dev/null at the lowest free fd (for stdio). */
  open_devnull(flags = O_RDWR): number {
    this.live('open');
    return in_kernel(this, () => {
      const fd = alloc_fd(this.kernel, this.files, 0, this.rlimit_nofile, flags);
      if (fd < 0) return check(fd, 'open');
      this.kernel.nr_files++;
      this.kernel.filp_cachep.alloc();
      // open() on 64-bit always adds O_LARGEFILE (force_o_largefile()).
      fd_install(
        this.files,
        fd,
        this.kernel.make_file(null_fops, (flags & ~O_CLOEXEC) | O_LARGEFILE, '/dev/null'),
      );
      return fd;
    });
  }

  getpid(): number {
    return this.pid;
  }
  getppid(): number {
    return this.parent?.pid ?? 0;
  }
  getuid(): number {
    return this.cred.uid;
  }
  geteuid(): number {
    return this.cred.euid;
  }
  getgid(): number {
    return this.cred.gid;
  }

  // ---- sockets ------------------------------------------------------------------------------------

  /** socket(2). */
  socket(family: number, type: number, protocol: number): number {
    return this.sys('socket', this.socket_call(family, type, protocol));
  }

  private socket_call(family: number, type: number, protocol: number): () => number {
    family = arg_int(family, 'socket', 'family');
    type = arg_int(type, 'socket', 'type');
    protocol = arg_int(protocol, 'socket', 'protocol');
    return () => __sys_socket(family, type, protocol);
  }

  /** socketpair(2) → [fd, fd]. */
  socketpair(family: number, type: number, protocol: number): [number, number] {
    return this.sys('socketpair', this.socketpair_call(family, type, protocol));
  }

  private socketpair_call(family: number, type: number, protocol: number) {
    family = arg_int(family, 'socketpair', 'family');
    type = arg_int(type, 'socketpair', 'type');
    protocol = arg_int(protocol, 'socketpair', 'protocol');
    return () => __sys_socketpair(family, type, protocol);
  }

  /** bind(2): `addr` is the bytes of the family's sockaddr. */
  bind(fd: number, addr: Uint8Array): void {
    this.sys('bind', this.bind_call(fd, addr));
  }

  private bind_call(fd: number, addr: Uint8Array): () => number {
    fd = arg_fd(fd, 'bind');
    addr = arg_buf(addr, 'bind', 'addr');
    return () => __sys_bind(fd, addr);
  }

  /** connect(2). Would-block connects fail with their errno here; connectAsync() waits. */
  connect(fd: number, addr: Uint8Array): void {
    fd = arg_fd(fd, 'connect');
    addr = arg_buf(addr, 'connect', 'addr');
    this.sys('connect', () => __sys_connect(fd, addr));
  }

  /** listen(2). */
  listen(fd: number, backlog: number): void {
    this.sys('listen', this.listen_call(fd, backlog));
  }

  private listen_call(fd: number, backlog: number): () => number {
    fd = arg_fd(fd, 'listen');
    backlog = arg_int(backlog, 'listen', 'backlog');
    return () => __sys_listen(fd, backlog);
  }

  /** accept(2) → the new fd. */
  accept(fd: number): number {
    return this.accept4(fd, 0);
  }

  /** accept4(2) → the new fd. */
  accept4(fd: number, flags: number): number {
    fd = arg_fd(fd, 'accept4');
    flags = arg_flags(flags, 'accept4');
    return this.sys('accept4', () => __sys_accept4(fd, flags));
  }

  /** getsockname(2) → the address bytes. */
  getsockname(fd: number): Uint8Array {
    return this.sys('getsockname', this.getname_call('getsockname', fd));
  }

  /** getpeername(2) → the address bytes. */
  getpeername(fd: number): Uint8Array {
    return this.sys('getpeername', this.getname_call('getpeername', fd));
  }

  private getname_call(syscall: 'getsockname' | 'getpeername', fd: number) {
    fd = arg_fd(fd, syscall);
    return syscall === 'getsockname' ? () => __sys_getsockname(fd) : () => __sys_getpeername(fd);
  }

  /** sendto(2) → bytes sent. */
  sendto(fd: number, data: Uint8Array, flags?: number, addr?: Uint8Array | null): number {
    const a = this.sendto_args(fd, data, flags, addr);
    this.live('sendto');
    const r = this.enter_sendto(a);
    if (r < 0) throw new KernelError(-r, 'sendto');
    return r;
  }

  /** sendmsg(2) → bytes sent. */
  sendmsg(fd: number, msg: UserMsg, flags?: number): number {
    const a = this.sendmsg_args(fd, msg, flags);
    return this.sys('sendmsg', () => __sys_sendmsg(a.fd, a.msg, a.flags));
  }

  /**
   * recvfrom(2). `buf` is the length to receive (the bytes come back as a new array), or a buffer to
   * receive into, as in C: the bytes are copied into it and `data` is a view of it.
   */
  recvfrom(fd: number, buf: number | Uint8Array, flags?: number): RecvResult {
    const a = this.recv_args('recvfrom', fd, buf, flags, 0);
    this.live('recvfrom');
    const r = this.enter_recvfrom(a);
    if (r < 0) throw new KernelError(-r, 'recvfrom');
    return recv_result(a.msg, r);
  }

  /**
   * recvmsg(2); `buf` as for recvfrom(); `controllen` is the ancillary buffer space offered (default 256
   * bytes).
   */
  recvmsg(fd: number, buf: number | Uint8Array, flags?: number, controllen = 256): RecvResult {
    const a = this.recv_args('recvmsg', fd, buf, flags, controllen);
    const r = this.sys('recvmsg', () => __sys_recvmsg(a.fd, a.msg, a.len, a.flags));
    return recv_result(a.msg, r);
  }

  /**
   * sendmmsg(2) → msg_len of each message sent; how many there are is sendmmsg()'s return value. At most
   * UIO_MAXIOV (1024) messages are looked at. Each one is read only when the kernel reaches it, so a
   * malformed message, a failure or a send that would block ends the batch there; only when nothing was
   * sent does the error throw.
   */
  sendmmsg(fd: number, msgs: readonly UserMsg[], flags?: number): number[] {
    const { r, mmsg, fault } = this.do_sendmmsg(fd, msgs, flags);
    if (r < 0) throw new KernelError(-r, 'sendmmsg', fault?.errno === -r ? fault.detail : undefined);
    return mmsg.msg_len;
  }

  /** sendmmsg()'s checks and kernel entry, shared with raw.sendmmsg(): the kernel's result and the vector. */
  private do_sendmmsg(fd: number, msgs: readonly UserMsg[], flags: number | undefined) {
    fd = arg_fd(fd, 'sendmmsg');
    const f = arg_flags(flags, 'sendmmsg');
    // A vector that is not an array is a bad address: its first entry faults, after the fd checks.
    const vec: readonly unknown[] | null = Array.isArray(msgs) ? msgs : null;
    let fault = null as UserFault | null;
    const mmsg: SendMMsgVec = {
      copy_msghdr: (i) => {
        const m =
          vec === null
            ? { errno: EFAULT, detail: `msgvec must be an array of messages, got ${typeof msgs}` }
            : copy_msghdr_from_user(vec[i], i);
        if (m instanceof MsgHdr) return m;
        fault = m;
        return -m.errno;
      },
      msg_len: [],
    };
    this.live('sendmmsg');
    const r = in_kernel(this, () => __sys_sendmmsg(fd, mmsg, vec === null ? 1 : vec.length, f));
    return { r, mmsg, fault: fault as UserFault | null };
  }

  /**
   * recvmmsg(2) → the messages received, at most `vlen` (an integer up to MMSG_VLEN_MAX, 65536), each
   * offered `len` bytes — or, with an array of buffers, each received into its own buffer as in C (an
   * entry the array lacks is EFAULT when reached) — and `controllen` bytes of control space. `timeout`
   * ({ tv_sec, tv_nsec }) is checked after each datagram, as Linux does (it does not bound the wait for
   * one), and overwritten with the time left when something was received. As for recvfrom(), a receive
   * that would sleep ends the batch here; with nothing received it throws EAGAIN. An error after the
   * first datagram is kept for the next call (or SO_ERROR).
   */
  recvmmsg(
    fd: number,
    vlen: number,
    len: number | readonly Uint8Array[],
    flags?: number,
    timeout?: Timespec | null,
    controllen = 256,
  ): RecvResult[] {
    const { r, mmsg, ts } = this.do_recvmmsg(fd, vlen, len, flags, timeout, controllen);
    if (r < 0) {
      // EFAULT: the timeout is read first, then each entry's buffer as the loop reaches it.
      const bad =
        r !== -EFAULT
          ? undefined
          : typeof get_timespec64(ts) === 'number'
            ? `timeout must be { tv_sec, tv_nsec }, got ${typeof ts}`
            : 'each buffer must be a Uint8Array, one per message';
      throw new KernelError(-r, 'recvmmsg', bad);
    }
    return recv_results(mmsg, r);
  }

  /** recvmmsg()'s checks and kernel entry, shared with raw.recvmmsg(). */
  private do_recvmmsg(
    fd: number,
    vlen: number,
    len: number | readonly Uint8Array[],
    flags: number | undefined,
    timeout: Timespec | null | undefined,
    controllen: number,
  ) {
    fd = arg_fd(fd, 'recvmmsg');
    vlen = arg_vlen(vlen, 'recvmmsg');
    const ubufs = Array.isArray(len) ? (len as readonly unknown[]) : null;
    const size = ubufs === null ? arg_size(len, 'recvmmsg', 'len') : 0;
    const f = arg_flags(flags, 'recvmmsg');
    const ts = arg_timespec(timeout, 'recvmmsg', 'timeout');
    controllen = arg_size(controllen, 'recvmmsg', 'controllen');
    const mmsg: RecvMMsgVec = { size, ubufs, controllen, msg_hdr: [], msg_len: [] };
    this.live('recvmmsg');
    const r = in_kernel(this, () => __sys_recvmmsg(fd, mmsg, vlen, f, ts));
    return { r, mmsg, ts };
  }

  /** setsockopt(2): `value` is the option's bytes, or a number for an int option. */
  setsockopt(fd: number, level: number, optname: number, value: Uint8Array | number): void {
    this.sys('setsockopt', this.setsockopt_call(fd, level, optname, value));
  }

  private setsockopt_call(fd: number, level: number, optname: number, value: Uint8Array | number) {
    fd = arg_fd(fd, 'setsockopt');
    level = arg_int(level, 'setsockopt', 'level');
    optname = arg_int(optname, 'setsockopt', 'optname');
    const optval =
      typeof value === 'number'
        ? int_bytes(arg_int(value, 'setsockopt', 'value'))
        : arg_buf(value, 'setsockopt', 'value');
    return () => __sys_setsockopt(fd, level, optname, optval);
  }

  /**
   * getsockopt(2) offering `optlen` bytes → the bytes Linux copies to the buffer. Their length is the
   * optlen it writes back, except where an option reports more than it copies (NETLINK_LIST_MEMBERSHIPS
   * with a short buffer): `raw.getsockopt()` has both.
   */
  getsockopt(fd: number, level: number, optname: number, optlen = 256): Uint8Array {
    return this.sys('getsockopt', this.getsockopt_call(fd, level, optname, optlen)).optval;
  }

  private getsockopt_call(fd: number, level: number, optname: number, optlen: number) {
    fd = arg_fd(fd, 'getsockopt');
    level = arg_int(level, 'getsockopt', 'level');
    optname = arg_int(optname, 'getsockopt', 'optname');
    optlen = arg_int(optlen, 'getsockopt', 'optlen');
    return () => __sys_getsockopt(fd, level, optname, optlen);
  }

  /** getsockopt() of an int option, read as a number. */
  getsockoptInt(fd: number, level: number, optname: number): number {
    const b = this.getsockopt(fd, level, optname, 4);
    if (b.length < 4) return b.length === 0 ? 0 : b[0]!;
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }

  /**
   * ioctl(2) → the syscall's return value. `arg` is what C passes: an integer argument as a number; for a
   * command that takes a pointer, the bytes it points to as a Uint8Array, read and written in place (a
   * struct ifreq is 40 bytes, an int 4: `ioctl(fd, FIONBIO, int_bytes(1))`); for SIOCGIFCONF, the struct
   * ifconf as `{ ifc_len, ifc_buf }`, whose ifc_len the kernel overwrites and whose buffer (null: NULL,
   * to ask for the length needed) receives the struct ifreq array. A pointer command given a number, or too
   * few bytes, is EFAULT, as a bad pointer is.
   *
   * Mirrors the ioctl syscall (fs/ioctl.c): do_vfs_ioctl() first (FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC,
   * FIOQSIZE), then the socket's sock_ioctl() → family ioctl → dev_ioctl().
   */
  ioctl(fd: number, cmd: number, arg: IoctlArg = 0): number {
    return this.sys('ioctl', this.ioctl_call(fd, cmd, arg));
  }

  private ioctl_call(fd: number, cmd: number, arg: IoctlArg = 0): () => number {
    fd = arg_fd(fd, 'ioctl');
    cmd = arg_flags(cmd, 'ioctl', 'cmd');
    const a = typeof arg === 'number' ? arg_flags(arg, 'ioctl', 'arg') : arg_ioctl(arg);
    return () => ksys_ioctl(fd, cmd, a);
  }

  /** shutdown(2). */
  shutdown(fd: number, how: number): void {
    this.sys('shutdown', this.shutdown_call(fd, how));
  }

  private shutdown_call(fd: number, how: number): () => number {
    fd = arg_fd(fd, 'shutdown');
    how = arg_int(how, 'shutdown', 'how');
    return () => __sys_shutdown(fd, how);
  }

  /** read(2) → the bytes read (an empty array at end of file). */
  read(fd: number, len: number): Uint8Array {
    fd = arg_fd(fd, 'read');
    len = arg_count(len, 'read', 'count');
    const msg = new MsgHdr();
    this.sys('read', () => this.do_read(fd, msg, len));
    return msg.data;
  }

  /** write(2) → bytes written. */
  write(fd: number, data: Uint8Array): number {
    fd = arg_fd(fd, 'write');
    data = arg_buf(data, 'write', 'buf');
    return this.sys('write', () => this.do_write(fd, data));
  }

  // ---- awaitable forms ----------------------------------------------------------------------------
  // Each takes a trailing SleepOptions: `{ signal }` makes its sleep interruptible (EINTR).

  /** recvfrom() that sleeps until data arrives (or SO_RCVTIMEO passes: EAGAIN). */
  async recvfromAsync(
    fd: number,
    buf: number | Uint8Array,
    flags?: number,
    opts?: SleepOptions,
  ): Promise<RecvResult> {
    const a = this.recv_args('recvfrom', fd, buf, flags, 0);
    const r = await this.sleeping(
      'recvfrom',
      a.fd,
      a.flags,
      'rcv',
      () => __sys_recvfrom(a.fd, a.msg, a.len, a.flags),
      opts,
    );
    return recv_result(a.msg, r);
  }

  /** recvmsg() that sleeps until data arrives. */
  async recvmsgAsync(
    fd: number,
    buf: number | Uint8Array,
    flags?: number,
    controllen = 256,
    opts?: SleepOptions,
  ): Promise<RecvResult> {
    const a = this.recv_args('recvmsg', fd, buf, flags, controllen);
    const r = await this.sleeping(
      'recvmsg',
      a.fd,
      a.flags,
      'rcv',
      () => {
        a.msg.msg_control = null;
        return __sys_recvmsg(a.fd, a.msg, a.len, a.flags);
      },
      opts,
    );
    return recv_result(a.msg, r);
  }

  /** read() that sleeps until data arrives. */
  async readAsync(fd: number, len: number, opts?: SleepOptions): Promise<Uint8Array> {
    fd = arg_fd(fd, 'read');
    len = arg_count(len, 'read', 'count');
    const msg = new MsgHdr();
    await this.sleeping('read', fd, 0, 'rcv', () => this.do_read(fd, msg, len), opts);
    return msg.data;
  }

  /** sendto() that sleeps while the receiver has no room. */
  sendtoAsync(
    fd: number,
    data: Uint8Array,
    flags?: number,
    addr?: Uint8Array | null,
    opts?: SleepOptions,
  ): Promise<number> {
    const a = this.sendto_args(fd, data, flags, addr);
    return this.sleeping(
      'sendto',
      a.fd,
      a.flags,
      'snd',
      () => __sys_sendto(a.fd, a.msg, a.len, a.flags),
      opts,
    );
  }

  /** sendmsg() that sleeps while the receiver has no room. */
  sendmsgAsync(fd: number, msg: UserMsg, flags?: number, opts?: SleepOptions): Promise<number> {
    const a = this.sendmsg_args(fd, msg, flags);
    return this.sleeping('sendmsg', a.fd, a.flags, 'snd', () => __sys_sendmsg(a.fd, a.msg, a.flags), opts);
  }

  /** write() that sleeps while there is no room. */
  writeAsync(fd: number, data: Uint8Array, opts?: SleepOptions): Promise<number> {
    fd = arg_fd(fd, 'write');
    data = arg_buf(data, 'write', 'buf');
    return this.sleeping('write', fd, 0, 'snd', () => this.do_write(fd, data), opts);
  }

  /** accept4() that sleeps until a connection is ready. */
  accept4Async(fd: number, flags = 0, opts?: SleepOptions): Promise<number> {
    fd = arg_fd(fd, 'accept4');
    flags = arg_flags(flags, 'accept4');
    return this.sleeping('accept4', fd, 0, 'rcv', () => __sys_accept4(fd, flags), opts);
  }

  /** accept() that sleeps until a connection is ready. */
  acceptAsync(fd: number, opts?: SleepOptions): Promise<number> {
    return this.accept4Async(fd, 0, opts);
  }

  /**
   * connect() that sleeps until the connection completes. Interrupted, the connection goes on being
   * made, as in Linux: a later connect() waits for it again (EALREADY if non-blocking), or answers 0 once
   * it is up.
   */
  async connectAsync(fd: number, addr: Uint8Array, opts?: SleepOptions): Promise<void> {
    fd = arg_fd(fd, 'connect');
    addr = arg_buf(addr, 'connect', 'addr');
    await this.sleeping('connect', fd, 0, 'snd', () => __sys_connect(fd, addr), opts);
  }

  // ---- poll -----------------------------------------------------------------------------------------

  /**
   * poll(2) that never sleeps: each entry's revents now (POLLIN, POLLOUT, POLLERR, POLLHUP… filtered by its
   * events plus POLLERR | POLLHUP; POLLNVAL for a descriptor that is not open; 0 for a negative one), as
   * poll() with a timeout of 0 answers. `timeout_ms` is checked as a 32-bit integer and otherwise not used:
   * pollAsync() is the form that waits. More entries than RLIMIT_NOFILE is EINVAL, as do_sys_poll() checks.
   */
  poll(fds: readonly PollFd[], timeout_ms = 0): number[] {
    const list = this.poll_args(fds, timeout_ms);
    return this.sys('poll', () => (list.length > this.rlimit_nofile ? -EINVAL : this.do_poll(list, null)));
  }

  /**
   * poll(2) that sleeps: mirrors do_sys_poll() / do_poll(). The first pass registers a wait entry on every
   * wait queue the files' polls name (__pollwait(), holding a reference on each file); if nothing is ready
   * it sleeps until one of them is woken or `timeout_ms` passes (negative: no timeout; 0: no sleep), then
   * looks again. Resolves to the revents of each entry — all 0 when the timeout passed.
   */
  async pollAsync(fds: readonly PollFd[], timeout_ms = -1): Promise<number[]> {
    const list = this.poll_args(fds, timeout_ms);
    const deadline = timeout_ms < 0 ? Number.POSITIVE_INFINITY : performance.now() + timeout_ms;
    let triggered = false;
    let wake: (() => void) | null = null;
    // poll_initwait(): one entry per wait queue; pollwake() marks the sleeper triggered and wakes it.
    const queued: Array<{ wq: WaitQueueHead; entry: WaitQueueEntry; file: File }> = [];
    const pollwake = (): void => {
      triggered = true;
      wake?.();
    };
    const table: PollTable = {
      _qproc: (file, wq) => {
        const entry: WaitQueueEntry = { func: pollwake };
        queued.push({ wq, entry, file: get_file(file) });
        add_wait_queue(wq, entry);
      },
      _key: 0,
    };
    try {
      let pt: PollTable | null = table;
      for (;;) {
        triggered = false;
        const revents = this.sys('poll', () =>
          list.length > this.rlimit_nofile ? -EINVAL : this.do_poll(list, pt),
        );
        pt = null; // the entries are in place after the first pass
        if (timeout_ms === 0 || revents.some((m) => m !== 0)) return revents;
        if (triggered) continue;
        const left = deadline - performance.now();
        if (left <= 0) return revents;
        let timer: ReturnType<typeof setTimeout> | null = null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (Number.isFinite(left)) timer = setTimeout(resolve, left);
        });
        wake = null;
        if (timer !== null) clearTimeout(timer);
        // Woken or timed out: look once more (do_poll() polls again after its timeout too).
      }
    } finally {
      // poll_freewait(): every entry off its queue, every file reference dropped.
      if (queued.length > 0) {
        in_kernel(this, () => {
          for (const q of queued) {
            remove_wait_queue(q.wq, q.entry);
            fput(this.kernel, q.file);
          }
        });
      }
    }
  }

  /** poll()'s argument checks: an array of { fd, events } (EFAULT otherwise) and a 32-bit timeout. */
  private poll_args(fds: readonly PollFd[], timeout_ms: number): PollFd[] {
    arg_int(timeout_ms, 'poll', 'timeout');
    if (!Array.isArray(fds)) throw new KernelError(EFAULT, 'poll', 'fds must be an array of { fd, events }');
    return fds.map((p: unknown, i) => {
      if (typeof p !== 'object' || p === null)
        throw new KernelError(EFAULT, 'poll', `fds[${i}] must be { fd, events }`);
      const { fd, events } = p as PollFd;
      return {
        fd: arg_fd(fd, 'poll', `fds[${i}].fd`),
        events: arg_flags(events, 'poll', `fds[${i}].events`),
      };
    });
  }

  /** Mirrors do_poll()'s pass over the array: the first ready entry stops further registration. */
  private do_poll(list: readonly PollFd[], pt: PollTable | null): number[] {
    const revents = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      const mask = do_pollfd(this.files, p.fd, p.events, pt) & 0xffff; // mangle_poll(): a short
      revents[i] = mask;
      if (mask !== 0) pt = null;
    }
    return revents;
  }

  // ---- files ----------------------------------------------------------------------------------------

  /** close(2). */
  close(fd: number): void {
    this.sys('close', this.close_call(fd));
  }

  private close_call(fd: number): () => number {
    fd = arg_fd(fd, 'close');
    return () => close_fd(this.kernel, this.files, fd);
  }

  /** dup(2): EBADF first, then the lowest free fd (EMFILE). */
  dup(oldfd: number): number {
    return this.sys('dup', this.dup_call(oldfd));
  }

  private dup_call(oldfd: number): () => number {
    oldfd = arg_fd(oldfd, 'dup', 'oldfd');
    return () => {
      const file = fcheck(this.files, oldfd);
      if (file === null) return -EBADF;
      const fd = alloc_fd(this.kernel, this.files, 0, this.rlimit_nofile, 0);
      if (fd < 0) return fd;
      fd_install(this.files, fd, get_file(file));
      return fd;
    };
  }

  /** dup2(2): the same fd twice returns it if open (EBADF if not). */
  dup2(oldfd: number, newfd: number): number {
    return this.sys('dup2', this.dup2_call(oldfd, newfd));
  }

  private dup2_call(oldfd: number, newfd: number): () => number {
    oldfd = arg_fd(oldfd, 'dup2', 'oldfd');
    newfd = arg_fd(newfd, 'dup2', 'newfd');
    return () => {
      if (oldfd === newfd) return fcheck(this.files, oldfd) === null ? -EBADF : newfd;
      return ksys_dup3(this.kernel, this.files, this.rlimit_nofile, oldfd, newfd >>> 0, 0);
    };
  }

  /** dup3(2). */
  dup3(oldfd: number, newfd: number, flags: number): number {
    return this.sys('dup3', this.dup3_call(oldfd, newfd, flags));
  }

  private dup3_call(oldfd: number, newfd: number, flags: number): () => number {
    oldfd = arg_fd(oldfd, 'dup3', 'oldfd');
    newfd = arg_fd(newfd, 'dup3', 'newfd');
    flags = arg_flags(flags, 'dup3');
    // newfd is an unsigned int in Linux: a negative one is past any rlimit (EBADF).
    return () => ksys_dup3(this.kernel, this.files, this.rlimit_nofile, oldfd, newfd >>> 0, flags);
  }

  /** fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL. */
  fcntl(fd: number, cmd: number, arg = 0): number {
    return this.sys('fcntl', this.fcntl_call(fd, cmd, arg));
  }

  private fcntl_call(fd: number, cmd: number, arg = 0): () => number {
    fd = arg_fd(fd, 'fcntl');
    cmd = arg_int(cmd, 'fcntl', 'cmd');
    arg = arg_flags(arg, 'fcntl', 'arg');
    return () => {
      const file = fcheck(this.files, fd);
      if (file === null) return -EBADF;
      switch (cmd) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC: {
          if (arg >>> 0 >= this.rlimit_nofile) return -EINVAL;
          const nfd = alloc_fd(
            this.kernel,
            this.files,
            arg,
            this.rlimit_nofile,
            cmd === F_DUPFD_CLOEXEC ? O_CLOEXEC : 0,
          );
          if (nfd < 0) return nfd;
          fd_install(this.files, nfd, get_file(file));
          return nfd;
        }
        case F_GETFD:
          return this.files.is_cloexec(fd) ? FD_CLOEXEC : 0;
        case F_SETFD:
          this.files.set_cloexec(fd, (arg & FD_CLOEXEC) !== 0);
          return 0;
        case F_GETFL:
          return file.f_flags;
        case F_SETFL:
          // setfl(): O_DIRECT needs a file that can do direct I/O, which sockets and /dev/null cannot.
          if ((arg & O_DIRECT) !== 0) return -EINVAL;
          file.f_flags = (arg & SETFL_MASK) | (file.f_flags & ~SETFL_MASK);
          return 0;
        default:
          return -EINVAL;
      }
    };
  }

  /** getrlimit(RLIMIT_NOFILE) → [soft, hard]. */
  getrlimit(resource: number): [number, number] {
    if (resource !== RLIMIT_NOFILE)
      throw new KernelError(EINVAL, 'getrlimit', 'only RLIMIT_NOFILE is modelled');
    return [this.rlimit_nofile, this.rlimit_nofile_max];
  }

  /**
   * setrlimit(RLIMIT_NOFILE): soft above hard is EINVAL; raising the hard limit needs CAP_SYS_RESOURCE;
   * the hard limit cannot exceed fs.nr_open (EPERM), as do_prlimit() checks.
   */
  setrlimit(resource: number, soft: number, hard: number = soft): void {
    if (resource !== RLIMIT_NOFILE)
      throw new KernelError(EINVAL, 'setrlimit', 'only RLIMIT_NOFILE is modelled');
    soft = arg_rlim(soft, 'setrlimit', 'rlim_cur');
    hard = arg_rlim(hard, 'setrlimit', 'rlim_max');
    this.sys('setrlimit', () => {
      if (soft > hard) return -EINVAL;
      if (hard > this.kernel.sysctl_nr_open) return -EPERM;
      if (hard > this.rlimit_nofile_max && !capable(CAP_SYS_RESOURCE)) return -EPERM;
      this.rlimit_nofile = soft;
      this.rlimit_nofile_max = hard;
      return 0;
    });
  }

  // ---- processes ----------------------------------------------------------------------------------

  /** fork(2) → the child task: a copy of the fd table sharing the same open files. */
  fork(): Task {
    this.live('fork');
    return this.sys('fork', () => {
      const k = this.kernel;
      const child = new Task(
        k,
        k.alloc_pid(),
        this,
        this.cred.clone(),
        this.nsproxy_net,
        dup_fd(this.files),
        this.comm,
      );
      child.rlimit_nofile = this.rlimit_nofile;
      child.rlimit_nofile_max = this.rlimit_nofile_max;
      k.tasks.set(child.pid, child);
      proc_event(k, { what: 'fork', parent: this, child });
      return child;
    });
  }

  /**
   * execve(2): ksock has no filesystem, so any absolute path is accepted; its basename becomes comm.
   * Close-on-exec descriptors are closed.
   */
  execve(path: string, _argv: readonly string[] = []): void {
    this.live('execve');
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new KernelError(ENOENT, 'execve', `path must be absolute, got ${JSON.stringify(path)}`);
    }
    this.sys('execve', () => {
      const f = this.files;
      for (let fd = 0; fd < f.max_fds; fd++) {
        if (f.fd[fd] !== null && f.is_cloexec(fd)) close_fd(this.kernel, f, fd);
      }
      this.comm = set_comm(basename(path));
      proc_event(this.kernel, { what: 'exec', task: this });
      return 0;
    });
  }

  /**
   * exit(2): every descriptor closed, the namespace reference dropped, children handed to init; the
   * task stays a zombie until its parent reaps it with waitpid().
   */
  exit(code: number): void {
    code = arg_int(code, 'exit', 'status');
    this.live('exit');
    if (this === this.kernel.init) throw new KernelError(EPERM, 'exit', 'init (pid 1) cannot exit');
    this.sys('exit', () => {
      const f = this.files;
      for (let fd = 0; fd < f.max_fds; fd++) if (f.fd[fd] !== null) close_fd(this.kernel, f, fd);
      this.exit_status = (code & 0xff) << 8;
      proc_event(this.kernel, {
        what: 'exit',
        task: this,
        exit_code: this.exit_status,
        exit_signal: SIGCHLD,
      });
      put_net(this.nsproxy_net);
      const init = this.kernel.init;
      for (const c of this.children) {
        c.parent = init;
        init.children.push(c);
        if (c.state === 'zombie') this.kernel.reap(c);
      }
      this.children.length = 0;
      this.state = 'zombie';
      if (this.parent === init) this.kernel.reap(this);
      return 0;
    });
  }

  /** waitpid(pid | -1) for an exited child → { pid, status } (status as Linux encodes it). */
  waitpid(pid = -1): { pid: number; status: number } {
    pid = arg_int(pid, 'wait4', 'pid');
    const child = this.children.find((c) => (pid === -1 || c.pid === pid) && c.state === 'zombie');
    if (child === undefined) {
      const any = this.children.some((c) => pid === -1 || c.pid === pid);
      throw new KernelError(any ? EAGAIN : ECHILD, 'wait4', any ? 'no child has exited yet' : undefined);
    }
    this.children.splice(this.children.indexOf(child), 1);
    this.kernel.reap(child);
    return { pid: child.pid, status: child.exit_status };
  }

  /** setuid(2): with CAP_SETUID every uid changes; otherwise only to the real or saved uid (EPERM). */
  setuid(uid: number): void {
    uid = arg_int(uid, 'setuid', 'uid');
    this.sys('setuid', () => {
      if (uid < 0) return -EINVAL;
      const old = this.cred;
      const c = old.clone();
      if (capable(CAP_SETUID)) {
        c.uid = c.euid = c.suid = c.fsuid = uid;
      } else if (uid === old.uid || uid === old.suid) {
        c.euid = c.fsuid = uid;
      } else {
        return -EPERM;
      }
      // cap_emulate_setxuid(): leaving euid 0 drops effective capabilities; leaving every uid 0 drops them all.
      if (old.euid === 0 && c.euid !== 0) c.cap_effective = new CapSet();
      if (
        (old.uid === 0 || old.euid === 0 || old.suid === 0) &&
        c.uid !== 0 &&
        c.euid !== 0 &&
        c.suid !== 0
      ) {
        c.cap_permitted = new CapSet();
        c.cap_effective = new CapSet();
      }
      if (old.euid !== 0 && c.euid === 0) c.cap_effective = c.cap_permitted.clone();
      this.cred = c;
      proc_event(this.kernel, { what: 'uid', task: this, ruid: c.uid, euid: c.euid });
      return 0;
    });
  }

  /** setgid(2). */
  setgid(gid: number): void {
    gid = arg_int(gid, 'setgid', 'gid');
    this.sys('setgid', () => {
      if (gid < 0) return -EINVAL;
      const old = this.cred;
      const c = old.clone();
      if (capable(CAP_SETGID)) {
        c.gid = c.egid = c.sgid = c.fsgid = gid;
      } else if (gid === old.gid || gid === old.sgid) {
        c.egid = c.fsgid = gid;
      } else {
        return -EPERM;
      }
      this.cred = c;
      proc_event(this.kernel, { what: 'gid', task: this, rgid: c.gid, egid: c.egid });
      return 0;
    });
  }

  /** setsid(2): EPERM for a process-group leader. */
  setsid(): number {
    return this.sys('setsid', () => {
      if (this.pgid === this.pid) return -EPERM;
      this.sid = this.pgid = this.pid;
      proc_event(this.kernel, { what: 'sid', task: this });
      return this.pid;
    });
  }

  /** unshare(2): CLONE_NEWNET (needs CAP_SYS_ADMIN) moves the task into a new network namespace. */
  unshare(flags: number): void {
    flags = arg_flags(flags, 'unshare');
    this.sys('unshare', () => {
      if ((flags & ~CLONE_NEWNET) !== 0) return -EINVAL;
      if ((flags & CLONE_NEWNET) === 0) return 0;
      if (!capable(CAP_SYS_ADMIN)) return -EPERM;
      const net = this.kernel.copy_net_ns();
      if (typeof net === 'number') return net;
      const old = this.nsproxy_net;
      this.nsproxy_net = get_net(net);
      put_net(old);
      return 0;
    });
  }

  /** modprobe: load a module (by name or alias) and what it depends on. Needs CAP_SYS_MODULE; EEXIST if loaded. */
  modprobe(name: string): void {
    if (typeof name !== 'string')
      throw new KernelError(EINVAL, 'init_module', 'module name must be a string');
    this.sys('init_module', () => {
      if (!capable(CAP_SYS_MODULE)) return -EPERM;
      const desc = this.kernel.modules.resolve(name);
      if (desc === undefined) return -ENOENT;
      if (this.kernel.modules.find(desc.name) !== undefined) return -EEXIST; // init_module() of a loaded module
      return modprobe(this.kernel, name);
    });
  }

  /** rmmod: delete_module(2). Needs CAP_SYS_MODULE; EWOULDBLOCK (EAGAIN) while in use. */
  rmmod(name: string): void {
    if (typeof name !== 'string')
      throw new KernelError(EINVAL, 'delete_module', 'module name must be a string');
    this.sys('delete_module', () => {
      if (!capable(CAP_SYS_MODULE)) return -EPERM;
      return delete_module(this.kernel, name);
    });
  }

  /** Write a sysctl as `echo text > /proc/sys/...` would (root, or CAP_NET_ADMIN for net.*). */
  sysctl(name: string, text: string): void {
    if (typeof name !== 'string' || typeof text !== 'string') {
      throw new KernelError(EINVAL, 'write', 'sysctl name and value must be strings');
    }
    this.sys('write', () => {
      const reg = this.kernel.sysctl;
      if (!reg.has(name)) return -ENOENT;
      const allowed = this.cred.euid === 0 || (reg.isPernet(name) && capable(CAP_NET_ADMIN));
      if (!allowed) return -EACCES; // /proc/sys files belong to root
      return reg.write(this.kernel, name, text, this.nsproxy_net);
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** Run `fn` as a syscall of this task: `current` set, result checked. */
  private sys<T>(syscall: string, fn: () => T | number): T {
    this.live(syscall);
    return check(in_kernel(this, fn), syscall);
  }

  /**
   * The awaitable form of a call that can sleep: run it; on EAGAIN from a blocking descriptor (no
   * O_NONBLOCK, no MSG_DONTWAIT) sleep on the queue the kernel path named (or the socket's) and retry,
   * until SO_RCVTIMEO / SO_SNDTIMEO passes (EAGAIN, as Linux reports a timeout) or `opts.signal` is
   * aborted (EINTR). The order of the checks before each sleep is sk_wait_data()'s and tcp_recvmsg()'s:
   * the condition, then the timeout, then signal_pending().
   */
  private async sleeping<T>(
    syscall: string,
    fd: number,
    flags: number,
    dir: 'rcv' | 'snd',
    fn: () => T | number,
    opts: SleepOptions | undefined,
  ): Promise<T> {
    const signal = opts?.signal;
    let deadline = -1;
    for (;;) {
      this.live(syscall);
      this.blocked_on = null;
      const r = in_kernel(this, fn);
      if (r !== -EAGAIN) return check(r, syscall);
      const file = fcheck(this.files, fd);
      const sock = file === null ? null : sock_from_file(file);
      if (file === null || (file.f_flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0) {
        return check(r, syscall);
      }
      const sk = sock?.sk ?? null;
      const timeo = sk === null ? MAX_SCHEDULE_TIMEOUT : dir === 'rcv' ? sk.sk_rcvtimeo : sk.sk_sndtimeo;
      const now = performance.now();
      if (deadline < 0) deadline = timeo === MAX_SCHEDULE_TIMEOUT ? Number.POSITIVE_INFINITY : now + timeo;
      const wq = this.blocked_on ?? sock?.wq ?? null;
      this.blocked_on = null;
      if (wq === null || now >= deadline) return check(r, syscall);
      if (signal?.aborted) throw new KernelError(EINTR, syscall, 'interrupted (signal aborted)');
      const woken = await wq.wait(deadline - now, signal);
      if (!woken) throw new KernelError(EAGAIN, syscall, 'timed out');
    }
  }

  private do_read(fd: number, msg: MsgHdr, len: number): number {
    const file = fcheck(this.files, fd);
    if (file === null) return -EBADF;
    if (len < 0) return -EFAULT; // vfs_read(): access_ok() of a (size_t)-1 count fails
    const sock = sock_from_file(file);
    if (sock !== null) return sock_read(sock, msg, len);
    return 0; // /dev/null: end of file
  }

  private do_write(fd: number, data: Uint8Array): number {
    const file = fcheck(this.files, fd);
    if (file === null) return -EBADF;
    const sock = sock_from_file(file);
    if (sock === null) return data.length; // /dev/null swallows everything
    const msg = new MsgHdr();
    msg.iov = [data];
    return sock_write(sock, msg, data.length);
  }

  /**
   * The kernel side of sendto() and recvfrom(), shared by their throwing and raw forms. Not sys(): on the
   * per-message calls its closure shows in profiles.
   */
  private enter_sendto(a: ReturnType<Task['sendto_args']>): number {
    return in_kernel(this, sys_sendto, a);
  }

  private enter_recvfrom(a: ReturnType<Task['recv_args']>): number {
    return in_kernel(this, sys_recvfrom, a);
  }

  private sendto_args(
    fd: number,
    data: Uint8Array,
    flags: number | undefined,
    addr: Uint8Array | null | undefined,
  ) {
    fd = arg_fd(fd, 'sendto');
    data = arg_buf(data, 'sendto', 'buf');
    const f = arg_flags(flags, 'sendto');
    const msg = new MsgHdr();
    msg.iov = [data];
    if (addr !== undefined && addr !== null) msg.msg_name = arg_buf(addr, 'sendto', 'dest_addr');
    return { fd, msg, len: data.length, flags: f };
  }

  private sendmsg_args(fd: number, umsg: UserMsg, flags: number | undefined) {
    fd = arg_fd(fd, 'sendmsg');
    if (typeof umsg !== 'object' || umsg === null || !Array.isArray(umsg.iov)) {
      throw new KernelError(EFAULT, 'sendmsg', 'msg must be { iov: Uint8Array[], name?, control? }');
    }
    const msg = new MsgHdr();
    msg.iov = umsg.iov.map((b, i) => arg_buf(b, 'sendmsg', `iov[${i}]`));
    if (umsg.name !== undefined && umsg.name !== null)
      msg.msg_name = arg_buf(umsg.name, 'sendmsg', 'msg_name');
    if (umsg.control !== undefined && umsg.control !== null) {
      msg.msg_control = arg_buf(umsg.control, 'sendmsg', 'msg_control');
      msg.msg_controllen = msg.msg_control.length;
    }
    return { fd, msg, flags: arg_flags(flags, 'sendmsg') };
  }

  private recv_args(
    syscall: string,
    fd: number,
    buf: number | Uint8Array,
    flags: number | undefined,
    controllen: number,
  ) {
    fd = arg_fd(fd, syscall);
    const msg = new MsgHdr();
    let len: number;
    if (buf instanceof Uint8Array) {
      msg.ubuf = buf;
      len = buf.length;
    } else len = arg_size(buf, syscall, 'len');
    const f = arg_flags(flags, syscall);
    msg.msg_controllen = arg_size(controllen, syscall, 'controllen');
    return { fd, msg, len, flags: f };
  }
}

/** The control bytes of a message without ancillary data (shared: a zero-length array cannot change). */
const NO_CONTROL = new Uint8Array(0);

/** recvmmsg()'s results: one per message received. */
function recv_results(mmsg: RecvMMsgVec, n: number): RecvResult[] {
  const out: RecvResult[] = [];
  for (let i = 0; i < n; i++) out.push(recv_result(mmsg.msg_hdr[i]!, mmsg.msg_len[i]!));
  return out;
}

function recv_result(msg: MsgHdr, len: number): RecvResult {
  const ubuf = msg.ubuf;
  let data = msg.data;
  if (ubuf !== null) {
    // A protocol that built its own array (a stream gathering several buffers) is copied here.
    if (data.length > 0) ubuf.set(data);
    data = ubuf.subarray(0, Math.min(len, ubuf.length));
  }
  return {
    data,
    addr: msg.msg_name,
    flags: msg.msg_flags,
    len,
    control: msg.msg_control ?? NO_CONTROL,
  };
}
