/**
 * net/socket.c and include/linux/net.h: struct socket and proto_ops, sockfs, sock_register() /
 * sock_unregister(), __sock_create(), __sock_release() and __sys_socket().
 */
import type { File, FileOperations, Inode } from './file.js';
import { alloc_file_pseudo, fd_install, get_unused_fd_flags, put_unused_fd } from './file.js';
import type { Kernel } from './kernel.js';
import type { Module } from './module.js';
import { module_put, request_module, try_module_get } from './module.js';
import type { MsgHdr } from './msg.js';
import type { Net } from './net_namespace.js';
import { __warn } from './panic.js';
import type { PollTable } from './poll.js';
import { current } from './sched.js';
import { security_socket_create, security_socket_post_create } from './security.js';
import type { Sock } from './sock.js';
import { call_ops, type Fmt, tracepoint, tracing } from './trace.js';
import { EAFNOSUPPORT, EEXIST, EINVAL, ENFILE, ENOBUFS, ENOMEM } from './uapi/errno.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, S_IFSOCK } from './uapi/fcntl.js';
import {
  af_family_names,
  NPROTO,
  PF_INET,
  PF_PACKET,
  SOCK_CLOEXEC,
  SOCK_MAX,
  SOCK_NONBLOCK,
  SOCK_PACKET,
  SOCK_TYPE_MASK,
  SS_UNCONNECTED,
} from './uapi/socket.js';
import { WaitQueueHead } from './wait.js';

/**
 * struct proto_ops: a family's socket calls (include/linux/net.h). Families set every call, using the
 * sock_no_* helpers for what they do not support, as Linux families do; setsockopt/getsockopt may be
 * left out (the syscall then answers EOPNOTSUPP, as __sys_setsockopt does for a NULL op).
 * Calls return 0 or a byte count, or a negative errno; getname returns the address bytes.
 */
export interface ProtoOps {
  readonly family: number;
  owner: Module | null;
  release(sock: Socket): number;
  bind(sock: Socket, addr: Uint8Array, addrlen: number): number;
  connect(sock: Socket, addr: Uint8Array, addrlen: number, flags: number): number;
  socketpair(sock1: Socket, sock2: Socket): number;
  accept(sock: Socket, newsock: Socket, arg: ProtoAcceptArg): number;
  getname(sock: Socket, peer: boolean): Uint8Array | number;
  listen(sock: Socket, backlog: number): number;
  shutdown(sock: Socket, how: number): number;
  sendmsg(sock: Socket, msg: MsgHdr, len: number): number;
  recvmsg(sock: Socket, msg: MsgHdr, size: number, flags: number): number;
  /**
   * ioctl(2) on the socket (reached from sock_do_ioctl()). `arg` is the user's integer argument, or the
   * bytes of the structure it points to (the family writes results into them). Return -ENOIOCTLCMD for a
   * command the family does not know: a socket ioctl then goes to dev_ioctl(), any other is ENOTTY.
   */
  ioctl?(sock: Socket, cmd: number, arg: Uint8Array | number): number;
  /**
   * Mirrors proto_ops->poll: the socket's poll mask (EPOLLIN, EPOLLOUT…), registering on the socket's
   * wait queue through sock_poll_wait() when given a poll table. Generic choices: datagram_poll().
   * Without it sock_poll() answers 0, as Linux does for a NULL ->poll.
   */
  poll?(file: File, sock: Socket, wait: PollTable | null): number;
  /** SO_PEEK_OFF support (AF_UNIX, UDP, TCP have it); without it the option answers EOPNOTSUPP. */
  set_peek_off?(sk: Sock, val: number): number;
  /**
   * SO_RCVLOWAT for protocols with their own rule (TCP caps it and grows its buffer); without it the
   * generic code stores the value. `val` is already made INT_MAX when negative.
   */
  set_rcvlowat?(sk: Sock, val: number): number;
  setsockopt?(sock: Socket, level: number, optname: number, optval: Uint8Array): number;
  /**
   * Returns the option's bytes (copied to the user's buffer; their length is the optlen written back), a
   * GetsockoptResult when the two differ, or a negative errno. `optlen` is what the caller's *optlen held.
   */
  getsockopt?(
    sock: Socket,
    level: number,
    optname: number,
    optlen: number,
  ): Uint8Array | GetsockoptResult | number;
}

/**
 * What getsockopt(2) leaves in user memory: `optval`, the bytes copied to the caller's buffer (at most the
 * optlen it offered), and `optlen`, the value written back to `*optlen`. The two usually agree; where they
 * do not, a family's getsockopt returns this object instead of the bare bytes — NETLINK_LIST_MEMBERSHIPS
 * copies the words that fit and writes back the size the whole list needs, as netlink_getsockopt() does.
 */
export interface GetsockoptResult {
  optval: Uint8Array;
  optlen: number;
}

/** struct proto_accept_arg. */
export interface ProtoAcceptArg {
  flags: number;
  err: number;
  kern: boolean;
}

/** struct net_proto_family: what sock_register() puts in net_families[]. */
export interface NetProtoFamily {
  readonly family: number;
  create(net: Net, sock: Socket, protocol: number, kern: boolean): number;
  owner: Module | null;
}

/** The inode half of a socket_alloc. */
export class SockInode implements Inode {
  // Declared, and set only by the constructor (not first defined as undefined): numbers from the start.
  declare readonly i_ino: number;
  declare i_uid: number;
  declare i_gid: number;
  declare readonly socket: Socket;

  constructor(i_ino: number, i_uid: number, i_gid: number, socket: Socket) {
    this.i_ino = i_ino;
    this.i_uid = i_uid;
    this.i_gid = i_gid;
    this.socket = socket;
  }

  /** Every socket inode's mode (sock_alloc()): the same for all, so not stored in each. */
  get i_mode(): number {
    return S_IFSOCK | 0o777;
  }
}

/**
 * struct socket: the VFS-facing half (include/linux/net.h). Created together with its inode
 * (struct socket_alloc) by sock_alloc().
 */
export class Socket {
  state = SS_UNCONNECTED;
  type = 0;
  flags = 0;
  ops: ProtoOps | null = null;
  sk: Sock | null = null;
  file: File | null = null;
  readonly wq = new WaitQueueHead();
  declare readonly inode: SockInode;

  constructor(ino: number, uid: number, gid: number) {
    this.inode = new SockInode(ino, uid, gid, this);
  }

  traceLabel(): string {
    return `socket ino=${this.inode.i_ino}`;
  }
}

/** Mirrors SOCKET_I(): the socket of a sockfs inode. */
export function SOCKET_I(inode: Inode): Socket {
  return (inode as SockInode).socket;
}
/** Mirrors SOCK_INODE(). */
export function SOCK_INODE(sock: Socket): SockInode {
  return sock.inode;
}

/** SOCKFS_MAGIC (include/uapi/linux/magic.h). */
export const SOCKFS_MAGIC = 0x534f434b;

/**
 * The sockfs pseudo filesystem: mounted at boot (sock_init → kern_mount), its super_operations
 * `sockfs_ops` allocate and destroy the socket_alloc objects of `sock_inode_cache`.
 */
export interface SockfsOps {
  alloc_inode(kernel: Kernel): Socket | null;
  destroy_inode(kernel: Kernel, inode: SockInode): void;
  statfs(kernel: Kernel): { f_type: number; f_bsize: number; f_namelen: number };
}

/** Mirrors sock_alloc_inode(): a socket_alloc from sock_inode_cache (fault site 'sock_alloc'). */
let sock_alloc_inode = function sock_alloc_inode(kernel: Kernel): Socket | null {
  if (kernel.faults.should_fail('sock_alloc')) return null;
  kernel.sock_inode_cache.alloc();
  const cred = current().cred;
  return new Socket(kernel.get_next_ino(), cred.fsuid, cred.fsgid);
};

export const sockfs_ops: SockfsOps = {
  alloc_inode: sock_alloc_inode,
  /** Mirrors sock_free_inode(): back to sock_inode_cache. */
  destroy_inode: (kernel: Kernel, _inode: SockInode): void => {
    kernel.sock_inode_cache.free();
  },
  /** Mirrors simple_statfs(). */
  statfs: () => ({ f_type: SOCKFS_MAGIC, f_bsize: 4096, f_namelen: 255 }),
};

/**
 * Mirrors sock_alloc() (net/socket.c): a new socket and inode from sockfs. Consumes an inode number even
 * if the socket() call later fails.
 */
export let sock_alloc = function sock_alloc(): Socket | null {
  const kernel = current().kernel;
  return tracing ? call_ops(sockfs_ops.alloc_inode, 'alloc_inode', kernel) : sockfs_ops.alloc_inode(kernel);
};

/**
 * Mirrors __sock_release(): the family's release, the ops module reference dropped, and the inode freed
 * at once if no file was ever attached (otherwise when the file goes). Linux's inode argument only
 * says whether to take the inode lock, which a single-threaded model does not need.
 */
export let __sock_release = function __sock_release(sock: Socket): void {
  const ops = sock.ops;
  if (ops !== null) {
    const owner = ops.owner;
    tracing ? call_ops(ops.release, 'ops->release', sock) : ops.release(sock);
    sock.sk = null;
    sock.ops = null;
    module_put(owner);
  }
  const kernel = current().kernel;
  if (sock.file === null) {
    sockfs_ops.destroy_inode(kernel, sock.inode);
    return;
  }
  sock.file = null;
};
const fmt___sock_release: Fmt<typeof __sock_release> = (sock) => `ino=${sock.inode.i_ino}`;

/** Mirrors sock_release(). */
export function sock_release(sock: Socket): void {
  __sock_release(sock);
}

/**
 * Mirrors sock_close(), socket_file_ops.release: the last close of a socket file. __fput() then drops
 * the dentry and with it the inode (sockfs_ops.destroy_inode).
 */
let sock_close = function sock_close(inode: Inode | null, _file: File): void {
  const sock = SOCKET_I(inode!);
  __sock_release(sock);
  sockfs_ops.destroy_inode(current().kernel, sock.inode);
};
const fmt_sock_close: Fmt<typeof sock_close> = (inode) => `ino=${inode?.i_ino}`;

/**
 * Mirrors sock_poll(), socket_file_ops.poll: the family's ops->poll, or 0 when it has none (Linux's
 * `if (!ops->poll) return 0`; a socket without ops cannot be reached through a file in Linux, and answers
 * 0 here too). ksock has no NAPI, so no socket can busy-poll and POLL_BUSY_LOOP is never added.
 */
export let sock_poll = function sock_poll(file: File, wait: PollTable | null): number {
  const sock = file.private_data as Socket;
  const ops = sock.ops;
  if (ops === null || ops.poll === undefined) return 0;
  return tracing ? call_ops(ops.poll, 'ops->poll', file, sock, wait) : ops.poll(file, sock, wait);
};
const fmt_sock_poll: Fmt<typeof sock_poll> = (file) => file.path;

/** The file operations of every socket file (socket_file_ops in net/socket.c). */
export const socket_file_ops: FileOperations = {
  name: 'socket_file_ops',
  release: sock_close,
  poll: sock_poll,
  /** Mirrors sockfs_dname(): the name is made when someone asks (readlink), not for every socket. */
  d_dname: (file: File) => `socket:[${file.f_inode!.i_ino}]`,
};

/** Mirrors sock_from_file(): the socket behind a file, or null when it is not a socket. */
export function sock_from_file(file: File): Socket | null {
  return file.f_op === socket_file_ops ? (file.private_data as Socket) : null;
}

/**
 * Mirrors sock_alloc_file(): a pseudo file named after the protocol; on failure the socket is released
 * here (callers must not release it again).
 */
export let sock_alloc_file = function sock_alloc_file(
  sock: Socket,
  flags: number,
  dname: string | null,
): File | number {
  const name = dname ?? (sock.sk !== null ? sock.sk.sk_prot_creator.name : '');
  const file = alloc_file_pseudo(sock.inode, name, null, O_RDWR | (flags & O_NONBLOCK), socket_file_ops);
  if (typeof file === 'number') {
    sock_release(sock);
    return file;
  }
  sock.file = file;
  file.private_data = sock;
  return file;
};
const fmt_sock_alloc_file: Fmt<typeof sock_alloc_file> = (sock, flags) =>
  `ino=${sock.inode.i_ino}, flags=0${flags.toString(8)}`;

/** Mirrors sock_map_fd(): reserve the lowest free fd, attach a file, install it. */
export let sock_map_fd = function sock_map_fd(sock: Socket, flags: number): number {
  const fd = get_unused_fd_flags(flags);
  if (fd < 0) {
    sock_release(sock);
    return fd;
  }
  const newfile = sock_alloc_file(sock, flags, null);
  if (typeof newfile !== 'number') {
    fd_install(current().files, fd, newfile);
    return fd;
  }
  put_unused_fd(current().files, fd);
  return newfile;
};
const fmt_sock_map_fd: Fmt<typeof sock_map_fd> = (sock, flags) =>
  `ino=${sock.inode.i_ino}, flags=0${flags.toString(8)}`;

/**
 * Mirrors sock_register(): ENOBUFS for a family >= NPROTO, EEXIST when taken. Like Linux, a negative
 * family is not checked here (__sock_create never looks one up).
 */
export function sock_register(kernel: Kernel, ops: NetProtoFamily): number {
  if (ops.family >= NPROTO) {
    kernel.printk(`protocol ${ops.family} >= NPROTO(${NPROTO})`);
    return -ENOBUFS;
  }
  let err = 0;
  if (kernel.net_families[ops.family] !== null) err = -EEXIST;
  else kernel.net_families[ops.family] = ops;
  kernel.printk(`NET: Registered ${af_family_names[ops.family] ?? ops.family} protocol family`);
  return err;
}

/** Mirrors sock_unregister(). */
export function sock_unregister(kernel: Kernel, family: number): void {
  if (!(family >= 0 && family < NPROTO))
    throw new RangeError(`ksock: sock_unregister(${family}) out of range`);
  kernel.net_families[family] = null;
  kernel.printk(`NET: Unregistered ${af_family_names[family] ?? family} protocol family`);
}

/** Mirrors sock_is_registered(). */
export function sock_is_registered(kernel: Kernel, family: number): boolean {
  return family >= 0 && family < NPROTO && kernel.net_families[family] !== null;
}

/**
 * Mirrors __sock_create() (net/socket.c), every check in the kernel's order and every unwind label:
 * family and type range, the PF_INET/SOCK_PACKET rewrite, the LSM create hook, sock_alloc(), autoloading
 * "net-pf-N", the family's module pinned around create(), the ops module pinned for the socket's life.
 */
export let __sock_create = function __sock_create(
  net: Net,
  family: number,
  type: number,
  protocol: number,
  kern: boolean,
): Socket | number {
  if (family < 0 || family >= NPROTO) return -EAFNOSUPPORT;
  if (type < 0 || type >= SOCK_MAX) return -EINVAL;
  if (family === PF_INET && type === SOCK_PACKET) {
    const task = current();
    if (!task.kernel.warned_sock_packet) {
      task.kernel.warned_sock_packet = true;
      task.kernel.printk(`${task.comm} uses obsolete (PF_INET,SOCK_PACKET)`);
    }
    family = PF_PACKET;
  }
  let err = security_socket_create(family, type, protocol, kern);
  if (err !== 0) return err;

  const sock = sock_alloc();
  if (sock === null) {
    current().kernel.printk('socket: no more sockets');
    return -ENFILE;
  }
  sock.type = type;

  const kernel = net.kernel;
  if (kernel.net_families[family] === null) request_module(kernel, `net-pf-${family}`);

  const pf = kernel.net_families[family];
  if (pf === null || !try_module_get(pf.owner)) {
    // out_release
    sock_release(sock);
    return -EAFNOSUPPORT;
  }

  err = tracing
    ? call_ops(pf.create, 'pf->create', net, sock, protocol, kern)
    : pf.create(net, sock, protocol, kern);
  if (err < 0) {
    // out_module_put
    sock.ops = null;
    module_put(pf.owner);
    sock_release(sock);
    return err;
  }

  if (sock.ops === null) {
    // Linux reads sock->ops->owner here and oopses on the NULL pointer: a create() that returns 0
    // must have set sock->ops. ksock warns instead, naming the family and its create(), and fails as
    // out_module_busy does (EAFNOSUPPORT, and whatever sk the family made is not released).
    __warn(
      kernel,
      'net/socket.c __sock_create()',
      `${af_family_names[family] ?? `family ${family}`}: ${pf.create.name || 'pf->create'}() returned 0 without setting sock->ops`,
    );
    module_put(pf.owner);
    sock_release(sock);
    return -EAFNOSUPPORT;
  }
  if (!try_module_get(sock.ops.owner)) {
    // out_module_busy: like Linux, the sk the family created is not released on this path.
    sock.ops = null;
    module_put(pf.owner);
    sock_release(sock);
    return -EAFNOSUPPORT;
  }
  module_put(pf.owner);

  err = security_socket_post_create(sock, family, type, protocol, kern);
  if (err !== 0) {
    sock_release(sock);
    return err;
  }
  return sock;
};
const fmt___sock_create: Fmt<typeof __sock_create> = (_net, family, type, protocol, kern) =>
  `family=${family}, type=${type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

/** Mirrors sock_create(): __sock_create() in the current task's network namespace. */
export let sock_create = function sock_create(
  family: number,
  type: number,
  protocol: number,
): Socket | number {
  return __sock_create(current().nsproxy_net, family, type, protocol, false);
};
const fmt_sock_create: Fmt<typeof sock_create> = (family, type, protocol) =>
  `${family}, ${type}, ${protocol}`;

/** Mirrors sock_create_kern(): a kernel socket in `net` (kern = 1: family permission checks skipped). */
export function sock_create_kern(net: Net, family: number, type: number, protocol: number): Socket | number {
  return __sock_create(net, family, type, protocol, true);
}

/**
 * Mirrors sock_create_lite(): a bare socket with no family lookup, no ops, no sock and no module
 * references (used by netlink_kernel_create and accept).
 */
export function sock_create_lite(family: number, type: number, protocol: number): Socket | number {
  let err = security_socket_create(family, type, protocol, true);
  if (err !== 0) return err;
  const sock = sock_alloc();
  if (sock === null) return -ENOMEM;
  sock.type = type;
  err = security_socket_post_create(sock, family, type, protocol, true);
  if (err !== 0) {
    sock_release(sock);
    return err;
  }
  return sock;
}

/**
 * Mirrors __sys_socket(): unknown flag bits refused first (EINVAL), then sock_create() and
 * sock_map_fd() with O_CLOEXEC / O_NONBLOCK taken from the type argument.
 */
export let __sys_socket = function __sys_socket(family: number, type: number, protocol: number): number {
  let flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  type &= SOCK_TYPE_MASK;
  // SOCK_NONBLOCK == O_NONBLOCK on x86-64, so no translation is needed (socket.c does it elsewhere).
  const sock = sock_create(family, type, protocol);
  if (typeof sock === 'number') return sock;
  flags &= O_CLOEXEC | O_NONBLOCK;
  return sock_map_fd(sock, flags);
};
const fmt___sys_socket: Fmt<typeof __sys_socket> = (family, type, protocol) =>
  `family=${family}, type=${type >>> 0 === type ? `0x${type.toString(16)}` : type}, protocol=${protocol}`;

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(sock_alloc_inode, 'sock_alloc_inode', undefined, (f) => {
  sock_alloc_inode = f;
});
tracepoint(sock_alloc, 'sock_alloc', undefined, (f) => {
  sock_alloc = f;
});
tracepoint(__sock_release, '__sock_release', fmt___sock_release, (f) => {
  __sock_release = f;
});
tracepoint(sock_close, 'sock_close', fmt_sock_close, (f) => {
  sock_close = f;
});
tracepoint(sock_poll, 'sock_poll', fmt_sock_poll, (f) => {
  sock_poll = f;
});
tracepoint(sock_alloc_file, 'sock_alloc_file', fmt_sock_alloc_file, (f) => {
  sock_alloc_file = f;
});
tracepoint(sock_map_fd, 'sock_map_fd', fmt_sock_map_fd, (f) => {
  sock_map_fd = f;
});
tracepoint(__sock_create, '__sock_create', fmt___sock_create, (f) => {
  __sock_create = f;
});
tracepoint(sock_create, 'sock_create', fmt_sock_create, (f) => {
  sock_create = f;
});
tracepoint(__sys_socket, '__sys_socket', fmt___sys_socket, (f) => {
  __sys_socket = f;
});
