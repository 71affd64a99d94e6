/**
 * net/socket.c: the socket system calls after socket() — __sys_bind() … __sys_shutdown(),
 * __sys_socketpair(), sendmmsg / recvmmsg, the file operations of a socket (sock_read_iter(),
 * sock_write_iter(), sock_ioctl()).
 */

import { dev_ifconf, dev_ioctl, get_user_ifreq } from './dev_ioctl.js';
import type { File } from './file.js';
import { fcheck, fd_install, fput, get_unused_fd_flags, put_unused_fd } from './file.js';
import { __module_get } from './module.js';
import { MsgHdr, type RecvMMsgVec, type SendMMsgVec } from './msg.js';
import type { Net } from './net_namespace.js';
import { current } from './sched.js';
import {
  security_socket_accept,
  security_socket_bind,
  security_socket_connect,
  security_socket_getpeername,
  security_socket_getsockname,
  security_socket_getsockopt,
  security_socket_listen,
  security_socket_recvmsg,
  security_socket_sendmsg,
  security_socket_setsockopt,
  security_socket_shutdown,
} from './security.js';
import { sock_error } from './sock.js';
import { sock_getsockopt, sock_setsockopt } from './sock_opt.js';
import type { GetsockoptResult, Socket } from './socket.js';
import { sock_alloc, sock_alloc_file, sock_create, sock_from_file, sock_release } from './socket.js';
import { call_ops, type Fmt, tracepoint, tracing } from './trace.js';
import { get_timespec64, type Timespec } from './uaccess.js';
import {
  EAGAIN,
  EBADF,
  ECONNABORTED,
  EFAULT,
  EINVAL,
  EMSGSIZE,
  ENFILE,
  ENOBUFS,
  ENOIOCTLCMD,
  ENOTSOCK,
  ENOTTY,
  EOPNOTSUPP,
} from './uapi/errno.js';
import { O_CLOEXEC, O_NONBLOCK } from './uapi/fcntl.js';
import {
  _K_SS_MAXSIZE,
  MSG_BATCH,
  MSG_CMSG_COMPAT,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_ERRQUEUE,
  MSG_INTERNAL_SENDMSG_FLAGS,
  MSG_OOB,
  MSG_WAITFORONE,
  SIOCDEVPRIVATE,
  SIOCGIFCONF,
  SOCK_CLOEXEC,
  SOCK_CUSTOM_SOCKOPT,
  SOCK_IOC_TYPE,
  SOCK_NONBLOCK,
  SOCK_SEQPACKET,
  SOCK_TYPE_MASK,
  SOL_SOCKET,
  UIO_MAXIOV,
} from './uapi/socket.js';

/** Mirrors sockfd_lookup_light(): EBADF for an empty fd, ENOTSOCK for a file that is not a socket. */
export function sockfd_lookup_light(fd: number): Socket | number {
  const file = fcheck(current().files, fd);
  if (file === null) return -EBADF;
  const sock = sock_from_file(file);
  return sock === null ? -ENOTSOCK : sock;
}

/** Mirrors move_addr_to_kernel(): a length outside 0..sizeof(sockaddr_storage) is EINVAL. */
export function move_addr_to_kernel(addr: Uint8Array): number {
  if (addr.length > _K_SS_MAXSIZE) return -EINVAL;
  return 0;
}

/** The file behind a socket (sockets reached through an fd always have one). */
function sock_file(sock: Socket): File {
  return sock.file!;
}

/** Mirrors __sys_bind(). */
export let __sys_bind = function __sys_bind(fd: number, addr: Uint8Array): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  let err = move_addr_to_kernel(addr);
  if (err !== 0) return err;
  err = security_socket_bind(sock, addr);
  if (err !== 0) return err;
  return tracing
    ? call_ops(sock.ops!.bind, 'ops->bind', sock, addr, addr.length)
    : sock.ops!.bind(sock, addr, addr.length);
};
const fmt___sys_bind: Fmt<typeof __sys_bind> = (fd, addr) => `fd=${fd}, addrlen=${addr.length}`;

/** Mirrors __sys_connect(): the address is copied in before the ENOTSOCK check, as in Linux. */
export let __sys_connect = function __sys_connect(fd: number, addr: Uint8Array): number {
  const file = fcheck(current().files, fd);
  if (file === null) return -EBADF;
  let err = move_addr_to_kernel(addr);
  if (err !== 0) return err;
  const sock = sock_from_file(file);
  if (sock === null) return -ENOTSOCK;
  err = security_socket_connect(sock, addr);
  if (err !== 0) return err;
  return tracing
    ? call_ops(sock.ops!.connect, 'ops->connect', sock, addr, addr.length, file.f_flags)
    : sock.ops!.connect(sock, addr, addr.length, file.f_flags);
};
const fmt___sys_connect: Fmt<typeof __sys_connect> = (fd, addr) => `fd=${fd}, addrlen=${addr.length}`;

/** Mirrors __sys_listen(): the backlog is capped at net.core.somaxconn, compared as unsigned. */
export let __sys_listen = function __sys_listen(fd: number, backlog: number): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const somaxconn = current().nsproxy_net.sysctl_somaxconn;
  if (backlog >>> 0 > somaxconn) backlog = somaxconn;
  const err = security_socket_listen(sock, backlog);
  if (err !== 0) return err;
  return tracing ? call_ops(sock.ops!.listen, 'ops->listen', sock, backlog) : sock.ops!.listen(sock, backlog);
};
const fmt___sys_listen: Fmt<typeof __sys_listen> = (fd, backlog) => `fd=${fd}, backlog=${backlog}`;

/**
 * Mirrors __sys_accept4() → do_accept(): EBADF, flag check, the new fd reserved (EMFILE), ENOTSOCK,
 * a new socket with the listener's type and ops (module reference taken), its file, the LSM, then the
 * family's accept. A failure after the file exists drops the file, which releases the new socket.
 */
export let __sys_accept4 = function __sys_accept4(fd: number, flags: number): number {
  const files = current().files;
  const file = fcheck(files, fd);
  if (file === null) return -EBADF;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  const newfd = get_unused_fd_flags(flags);
  if (newfd < 0) return newfd;
  const sock = sock_from_file(file);
  let err = 0;
  if (sock === null) err = -ENOTSOCK;
  const newsock = err === 0 ? sock_alloc() : null;
  if (err === 0 && newsock === null) err = -ENFILE;
  if (err !== 0 || sock === null || newsock === null) {
    put_unused_fd(files, newfd);
    return err;
  }
  newsock.type = sock.type;
  newsock.ops = sock.ops;
  __module_get(sock.ops!.owner);
  const newfile = sock_alloc_file(newsock, flags, sock.sk?.sk_prot_creator.name ?? null);
  if (typeof newfile === 'number') {
    put_unused_fd(files, newfd);
    return newfile;
  }
  err = security_socket_accept(sock, newsock);
  if (err === 0) {
    const arg = { flags: flags | file.f_flags, err: 0, kern: false };
    err = tracing
      ? call_ops(sock.ops!.accept, 'ops->accept', sock, newsock, arg)
      : sock.ops!.accept(sock, newsock, arg);
  }
  if (err === 0) {
    const peer = tracing
      ? call_ops(newsock.ops!.getname, 'ops->getname', newsock, true)
      : newsock.ops!.getname(newsock, true);
    if (typeof peer === 'number' && peer < 0) err = -ECONNABORTED;
  }
  if (err < 0) {
    put_unused_fd(files, newfd);
    fput(current().kernel, newfile);
    return err;
  }
  fd_install(files, newfd, newfile);
  return newfd;
};
const fmt___sys_accept4: Fmt<typeof __sys_accept4> = (fd, flags) => `fd=${fd}, flags=0x${flags.toString(16)}`;

function getname(fd: number, peer: boolean): Uint8Array | number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const err = peer ? security_socket_getpeername(sock) : security_socket_getsockname(sock);
  if (err !== 0) return err;
  return tracing ? call_ops(sock.ops!.getname, 'ops->getname', sock, peer) : sock.ops!.getname(sock, peer);
}

/** Mirrors __sys_getsockname(). */
export let __sys_getsockname = function __sys_getsockname(fd: number): Uint8Array | number {
  return getname(fd, false);
};
const fmt___sys_getsockname: Fmt<typeof __sys_getsockname> = (fd) => `fd=${fd}`;
/** Mirrors __sys_getpeername(). */
export let __sys_getpeername = function __sys_getpeername(fd: number): Uint8Array | number {
  return getname(fd, true);
};
const fmt___sys_getpeername: Fmt<typeof __sys_getpeername> = (fd) => `fd=${fd}`;

/** Mirrors sock_sendmsg(): the LSM hook, then the family's sendmsg. */
export let sock_sendmsg = function sock_sendmsg(sock: Socket, msg: MsgHdr, len: number): number {
  const err = security_socket_sendmsg(sock, len);
  if (err !== 0) return err;
  return sock_sendmsg_nosec(sock, msg, len);
};

/** Mirrors sock_sendmsg_nosec(): the family's sendmsg without asking the LSM (inline in Linux, untraced). */
function sock_sendmsg_nosec(sock: Socket, msg: MsgHdr, len: number): number {
  return tracing
    ? call_ops(sock.ops!.sendmsg, 'ops->sendmsg', sock, msg, len)
    : sock.ops!.sendmsg(sock, msg, len);
}
const fmt_sock_sendmsg: Fmt<typeof sock_sendmsg> = (sock, _msg, len) => `ino=${sock.inode.i_ino}, len=${len}`;

/** Mirrors sock_recvmsg(). */
export let sock_recvmsg = function sock_recvmsg(
  sock: Socket,
  msg: MsgHdr,
  size: number,
  flags: number,
): number {
  const err = security_socket_recvmsg(sock, size, flags);
  if (err !== 0) return err;
  return sock_recvmsg_nosec(sock, msg, size, flags);
};

/** Mirrors sock_recvmsg_nosec(): the family's recvmsg without asking the LSM (inline in Linux, untraced). */
function sock_recvmsg_nosec(sock: Socket, msg: MsgHdr, size: number, flags: number): number {
  return tracing
    ? call_ops(sock.ops!.recvmsg, 'ops->recvmsg', sock, msg, size, flags)
    : sock.ops!.recvmsg(sock, msg, size, flags);
}
const fmt_sock_recvmsg: Fmt<typeof sock_recvmsg> = (sock, _msg, size, flags) =>
  `ino=${sock.inode.i_ino}, size=${size}, flags=0x${flags.toString(16)}`;

/**
 * Mirrors __sys_sendto(): EBADF → ENOTSOCK → the address (EINVAL) → internal flags cleared and
 * MSG_DONTWAIT for an O_NONBLOCK file → sock_sendmsg().
 */
export let __sys_sendto = function __sys_sendto(fd: number, msg: MsgHdr, len: number, flags: number): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  if (msg.msg_name !== null) {
    const err = move_addr_to_kernel(msg.msg_name);
    if (err !== 0) return err;
    msg.msg_namelen = msg.msg_name.length;
  }
  flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
  if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
  msg.msg_flags = flags;
  return sock_sendmsg(sock, msg, len);
};
const fmt___sys_sendto: Fmt<typeof __sys_sendto> = (fd, _msg, len, flags) =>
  `fd=${fd}, len=${len}, flags=0x${flags.toString(16)}`;

/** Mirrors __sys_recvfrom(): the source address is returned only when the call succeeded. */
export let __sys_recvfrom = function __sys_recvfrom(
  fd: number,
  msg: MsgHdr,
  size: number,
  flags: number,
): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
  const r = sock_recvmsg(sock, msg, size, flags);
  if (r < 0) msg.msg_name = null;
  return r;
};
const fmt___sys_recvfrom: Fmt<typeof __sys_recvfrom> = (fd, _msg, size, flags) =>
  `fd=${fd}, size=${size}, flags=0x${flags.toString(16)}`;

/**
 * Mirrors __sys_sendmsg() / ____sys_sendmsg(): MSG_CMSG_COMPAT refused, EBADF, ENOTSOCK, the name length
 * clamped to sizeof(sockaddr_storage), more than UIO_MAXIOV iovecs EMSGSIZE, then as sendto.
 */
export let __sys_sendmsg = function __sys_sendmsg(fd: number, msg: MsgHdr, flags: number): number {
  if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  return ___sys_sendmsg(sock, msg, flags, null, 0);
};

/** struct used_address: the destination of sendmmsg()'s last successful message. */
interface UsedAddress {
  name: Uint8Array;
  /** UINT_MAX until a message was sent, so the first destination never matches. */
  name_len: number;
}

/**
 * Mirrors ___sys_sendmsg() → ____sys_sendmsg() once the msghdr is copied in: the name clamped to
 * sizeof(sockaddr_storage), EMSGSIZE past UIO_MAXIOV iovecs, ENOBUFS for a control length above INT_MAX,
 * the entry's own msg_flags bits that `allowed_msghdr_flags` lets through (sendmmsg: MSG_EOR), then
 * sock_sendmsg() — or, for sendmmsg() to the address the previous message reached, the family directly:
 * the LSM already allowed that destination.
 */
function ___sys_sendmsg(
  sock: Socket,
  msg: MsgHdr,
  flags: number,
  used_address: UsedAddress | null,
  allowed_msghdr_flags: number,
): number {
  if (msg.msg_name !== null && msg.msg_name.length > _K_SS_MAXSIZE)
    msg.msg_name = msg.msg_name.subarray(0, _K_SS_MAXSIZE);
  msg.msg_namelen = msg.msg_name?.length ?? 0;
  if (msg.iov.length > UIO_MAXIOV) return -EMSGSIZE;
  if (msg.msg_controllen > 0x7fffffff) return -ENOBUFS;
  flags |= msg.msg_flags & allowed_msghdr_flags;
  flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
  if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
  msg.msg_flags = flags;
  let len = 0;
  for (const b of msg.iov) len += b.length;
  if (used_address !== null && msg.msg_name !== null && used_address_is(used_address, msg.msg_name))
    return sock_sendmsg_nosec(sock, msg, len);
  const err = sock_sendmsg(sock, msg, len);
  if (used_address !== null && err >= 0) {
    used_address.name_len = msg.msg_namelen;
    if (msg.msg_name !== null) used_address.name = msg.msg_name.slice();
  }
  return err;
}

/** The length and memcmp() test of ____sys_sendmsg(). */
function used_address_is(used: UsedAddress, name: Uint8Array): boolean {
  if (used.name_len !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (used.name[i] !== name[i]) return false;
  return true;
}
const fmt___sys_sendmsg: Fmt<typeof __sys_sendmsg> = (fd, msg, flags) =>
  `fd=${fd}, iovlen=${msg.iov.length}, flags=0x${flags.toString(16)}`;

/** Mirrors __sys_recvmsg(): msg_namelen starts at 0; flags and control length come back in the msghdr. */
export let __sys_recvmsg = function __sys_recvmsg(
  fd: number,
  msg: MsgHdr,
  size: number,
  flags: number,
): number {
  if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  return ____sys_recvmsg(sock, msg, size, flags, false);
};
const fmt___sys_recvmsg: Fmt<typeof __sys_recvmsg> = (fd, _msg, size, flags) =>
  `fd=${fd}, size=${size}, flags=0x${flags.toString(16)}`;

/** Mirrors ____sys_recvmsg(): `nosec` is recvmmsg() past its first datagram, which the LSM already allowed. */
function ____sys_recvmsg(sock: Socket, msg: MsgHdr, size: number, flags: number, nosec: boolean): number {
  msg.msg_namelen = 0;
  if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
  return nosec ? sock_recvmsg_nosec(sock, msg, size, flags) : sock_recvmsg(sock, msg, size, flags);
}

/**
 * Mirrors __sys_sendmmsg(): MSG_CMSG_COMPAT refused, `vlen` clamped to UIO_MAXIOV, EBADF, ENOTSOCK, then
 * one ___sys_sendmsg() per entry — each copied in only when reached, with MSG_BATCH on all but the last
 * and its own MSG_EOR honoured — writing each sent length to `msg_len`. The loop stops at the first error
 * or at a message sent only in part. The count sent is returned; the error only when nothing was sent
 * (and, unlike recvmmsg(), it is not kept for later).
 */
export let __sys_sendmmsg = function __sys_sendmmsg(
  fd: number,
  mmsg: SendMMsgVec,
  vlen: number,
  flags: number,
): number {
  if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
  vlen >>>= 0;
  if (vlen > UIO_MAXIOV) vlen = UIO_MAXIOV;
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const used_address: UsedAddress = { name: new Uint8Array(0), name_len: 0xffffffff };
  const oflags = flags;
  flags |= MSG_BATCH;
  let datagrams = 0;
  let err = 0;
  while (datagrams < vlen) {
    if (datagrams === vlen - 1) flags = oflags;
    const msg = mmsg.copy_msghdr(datagrams);
    if (typeof msg === 'number') {
      err = msg;
      break;
    }
    let len = 0;
    for (const b of msg.iov) len += b.length;
    err = ___sys_sendmsg(sock, msg, flags, used_address, MSG_EOR);
    if (err < 0) break;
    mmsg.msg_len[datagrams] = err;
    datagrams++;
    // msg_data_left(): a message the family took only part of ends the batch.
    if (err < len) break;
  }
  return datagrams !== 0 ? datagrams : err;
};
const fmt___sys_sendmmsg: Fmt<typeof __sys_sendmmsg> = (fd, _mmsg, vlen, flags) =>
  `fd=${fd}, vlen=${vlen >>> 0}, flags=0x${(flags >>> 0).toString(16)}`;

const NSEC_PER_SEC = 1e9;

/** The monotonic clock in nanoseconds, as ktime_get_ts64() reads it: the host's high-resolution timer. */
function ktime_get_ns(): number {
  return performance.now() * 1e6;
}

/**
 * Mirrors do_recvmmsg(), entered through __sys_recvmmsg(): MSG_CMSG_COMPAT refused, an invalid timeout
 * EINVAL (poll_select_set_timeout()), EBADF, ENOTSOCK, a pending socket error (unless MSG_ERRQUEUE), then
 * up to `vlen` receives — the LSM asked only for the first, MSG_WAITFORONE adding MSG_DONTWAIT once one
 * datagram is in, the timeout checked after each datagram (it does not bound the wait for one), an
 * out-of-band datagram ending the batch. Each message received is appended to `mmsg` with its msg_len.
 * The time left is written back to `timeout` when something was received. An error after the first
 * datagram is not lost: unless it is EAGAIN it is left in sk_err for the next call (or SO_ERROR).
 */
export let __sys_recvmmsg = function __sys_recvmmsg(
  fd: number,
  mmsg: RecvMMsgVec,
  vlen: number,
  flags: number,
  timeout: unknown,
): number {
  if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
  vlen >>>= 0;
  const ts = get_timespec64(timeout);
  if (typeof ts === 'number') return ts;
  let end_time = 0;
  if (ts !== null) {
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC) return -EINVAL;
    // A zero timeout is the epoch itself: whatever the first datagram costs, it is already past.
    if (ts.tv_sec !== 0 || ts.tv_nsec !== 0)
      end_time = ktime_get_ns() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
  }
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  let err = 0;
  if ((flags & MSG_ERRQUEUE) === 0) {
    err = sock_error(sock.sk!);
    if (err !== 0) return err;
  }
  let datagrams = 0;
  let remaining = 0;
  while (datagrams < vlen) {
    const msg = new MsgHdr();
    msg.msg_controllen = mmsg.controllen;
    let size = mmsg.size;
    if (mmsg.ubufs !== null) {
      // copy_msghdr_from_user() of this entry: its iovec must be readable.
      const ubuf = mmsg.ubufs[datagrams];
      if (!(ubuf instanceof Uint8Array)) {
        err = -EFAULT;
        break;
      }
      msg.ubuf = ubuf;
      size = ubuf.length;
    }
    err = ____sys_recvmsg(sock, msg, size, flags & ~MSG_WAITFORONE, datagrams !== 0);
    if (err < 0) break;
    mmsg.msg_hdr.push(msg);
    mmsg.msg_len.push(err);
    err = 0;
    datagrams++;
    if ((flags & MSG_WAITFORONE) !== 0) flags |= MSG_DONTWAIT;
    if (ts !== null) {
      remaining = end_time - ktime_get_ns();
      if (remaining <= 0) {
        remaining = 0;
        break;
      }
    }
    if ((msg.msg_flags & MSG_OOB) !== 0) break;
  }
  if (ts !== null && datagrams > 0) {
    // put_timespec64() of the time left, into the caller's timespec.
    const user = timeout as Timespec;
    user.tv_sec = Math.floor(remaining / NSEC_PER_SEC);
    user.tv_nsec = Math.floor(remaining - user.tv_sec * NSEC_PER_SEC);
  }
  if (err === 0) return datagrams;
  if (datagrams === 0) return err;
  if (err !== -EAGAIN) sock.sk!.sk_err = -err;
  return datagrams;
};
const fmt___sys_recvmmsg: Fmt<typeof __sys_recvmmsg> = (fd, mmsg, vlen, flags) =>
  `fd=${fd}, vlen=${vlen >>> 0}, size=${mmsg.size}, flags=0x${(flags >>> 0).toString(16)}`;

/** Mirrors do_sock_setsockopt(): SOL_SOCKET goes to the generic code, other levels to the family. */
export let __sys_setsockopt = function __sys_setsockopt(
  fd: number,
  level: number,
  optname: number,
  optval: Uint8Array,
): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const err = security_socket_setsockopt(sock, level, optname);
  if (err !== 0) return err;
  if (level === SOL_SOCKET && (sock.flags & (1 << SOCK_CUSTOM_SOCKOPT)) === 0)
    return sock_setsockopt(sock, optname, optval);
  if (sock.ops!.setsockopt === undefined) return -EOPNOTSUPP;
  return tracing
    ? call_ops(sock.ops!.setsockopt, 'ops->setsockopt', sock, level, optname, optval)
    : sock.ops!.setsockopt(sock, level, optname, optval);
};
const fmt___sys_setsockopt: Fmt<typeof __sys_setsockopt> = (fd, level, optname, optval) =>
  `fd=${fd}, level=${level}, optname=${optname}, optlen=${optval.length}`;

/**
 * Mirrors do_sock_getsockopt(): SOL_SOCKET goes to sk_getsockopt(), other levels to the family. The
 * answer is what the call leaves in user memory — the bytes copied to the buffer (never more than the
 * `optlen` offered) and the value written back to *optlen — whichever form the family returned it in.
 */
export let __sys_getsockopt = function __sys_getsockopt(
  fd: number,
  level: number,
  optname: number,
  optlen: number,
): GetsockoptResult | number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const err = security_socket_getsockopt(sock, level, optname);
  if (err !== 0) return err;
  let r: Uint8Array | GetsockoptResult | number;
  if (level === SOL_SOCKET) r = sock_getsockopt(sock, optname, optlen);
  else if (sock.ops!.getsockopt === undefined) return -EOPNOTSUPP;
  else
    r = tracing
      ? call_ops(sock.ops!.getsockopt, 'ops->getsockopt', sock, level, optname, optlen)
      : sock.ops!.getsockopt(sock, level, optname, optlen);
  if (typeof r === 'number') return r;
  // copy_to_user() of at most the length offered: a family never hands back more, but the cut is cheap.
  if (r instanceof Uint8Array) {
    if (r.length > optlen) r = r.subarray(0, Math.max(0, optlen));
    return { optval: r, optlen: r.length };
  }
  return r.optval.length > optlen
    ? { optval: r.optval.subarray(0, Math.max(0, optlen)), optlen: r.optlen }
    : r;
};
const fmt___sys_getsockopt: Fmt<typeof __sys_getsockopt> = (fd, level, optname, optlen) =>
  `fd=${fd}, level=${level}, optname=${optname}, optlen=${optlen}`;

/** Mirrors __sys_shutdown_sock(). */
export let __sys_shutdown = function __sys_shutdown(fd: number, how: number): number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const err = security_socket_shutdown(sock, how);
  if (err !== 0) return err;
  return tracing ? call_ops(sock.ops!.shutdown, 'ops->shutdown', sock, how) : sock.ops!.shutdown(sock, how);
};
const fmt___sys_shutdown: Fmt<typeof __sys_shutdown> = (fd, how) => `fd=${fd}, how=${how}`;

/**
 * Mirrors __sys_socketpair(): flag check, both fds reserved before any socket exists (EMFILE first),
 * two sockets, the family's socketpair, then both files.
 */
export let __sys_socketpair = function __sys_socketpair(
  family: number,
  type: number,
  protocol: number,
): [number, number] | number {
  let flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  type &= SOCK_TYPE_MASK;
  flags &= O_CLOEXEC | O_NONBLOCK;
  const files = current().files;
  const fd1 = get_unused_fd_flags(flags);
  if (fd1 < 0) return fd1;
  const fd2 = get_unused_fd_flags(flags);
  if (fd2 < 0) {
    put_unused_fd(files, fd1);
    return fd2;
  }
  const put_fds = () => {
    put_unused_fd(files, fd2);
    put_unused_fd(files, fd1);
  };
  const sock1 = sock_create(family, type, protocol);
  if (typeof sock1 === 'number') {
    put_fds();
    return sock1;
  }
  const sock2 = sock_create(family, type, protocol);
  if (typeof sock2 === 'number') {
    sock_release(sock1);
    put_fds();
    return sock2;
  }
  const err = tracing
    ? call_ops(sock1.ops!.socketpair, 'ops->socketpair', sock1, sock2)
    : sock1.ops!.socketpair(sock1, sock2);
  if (err < 0) {
    sock_release(sock2);
    sock_release(sock1);
    put_fds();
    return err;
  }
  const newfile1 = sock_alloc_file(sock1, flags, null);
  if (typeof newfile1 === 'number') {
    sock_release(sock2);
    put_fds();
    return newfile1;
  }
  const newfile2 = sock_alloc_file(sock2, flags, null);
  if (typeof newfile2 === 'number') {
    fput(current().kernel, newfile1);
    put_fds();
    return newfile2;
  }
  fd_install(files, fd1, newfile1);
  fd_install(files, fd2, newfile2);
  return [fd1, fd2];
};
const fmt___sys_socketpair: Fmt<typeof __sys_socketpair> = (family, type, protocol) =>
  `family=${family}, type=${type}, protocol=${protocol}`;

/** Mirrors sock_read_iter(): a zero-length read returns 0 without asking the protocol. */
export function sock_read(sock: Socket, msg: MsgHdr, size: number): number {
  if (size === 0) return 0;
  const flags = (sock_file(sock).f_flags & O_NONBLOCK) !== 0 ? MSG_DONTWAIT : 0;
  return sock_recvmsg(sock, msg, size, flags);
}

/** Mirrors sock_write_iter(): SOCK_SEQPACKET writes are records (MSG_EOR). */
export function sock_write(sock: Socket, msg: MsgHdr, len: number): number {
  let flags = (sock_file(sock).f_flags & O_NONBLOCK) !== 0 ? MSG_DONTWAIT : 0;
  if (sock.type === SOCK_SEQPACKET) flags |= MSG_EOR;
  msg.msg_flags = flags;
  return sock_sendmsg(sock, msg, len);
}

/**
 * Mirrors sock_do_ioctl(): the family's ioctl; a command it does not know (ENOIOCTLCMD) that is a socket
 * ioctl (type 0x89) goes to dev_ioctl() with the caller's struct ifreq, any other is ENOTTY.
 */
function sock_do_ioctl(sock: Socket, cmd: number, arg: unknown): number {
  const ioctl = sock.ops!.ioctl;
  const a = arg as Uint8Array | number;
  const err =
    ioctl === undefined
      ? -ENOIOCTLCMD
      : tracing
        ? call_ops(ioctl, 'ops->ioctl', sock, cmd, a)
        : ioctl(sock, cmd, a);
  if (err !== -ENOIOCTLCMD) return err;
  if (((cmd >>> 8) & 0xff) !== SOCK_IOC_TYPE) return -ENOTTY;
  const ifr = get_user_ifreq(arg);
  if (typeof ifr === 'number') return ifr;
  return dev_ioctl(sock_net(sock), cmd, ifr);
}

/**
 * Mirrors sock_ioctl(), the socket files' ->unlocked_ioctl: device-private commands go straight to
 * dev_ioctl(), SIOCGIFCONF to dev_ifconf() (so every family answers it), the rest through sock_do_ioctl()
 * to the family. ksock has no file owners (FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP), no bridge, VLAN or
 * wireless-extension hooks, no SIOCGSKNS (namespaces are not files here) and no timestamps (SIOCGSTAMP*):
 * those fall to the family and end as ENOTTY.
 */
export let sock_ioctl = function sock_ioctl(sock: Socket, cmd: number, arg: unknown): number {
  const net = sock_net(sock);
  if (cmd >= SIOCDEVPRIVATE && cmd <= SIOCDEVPRIVATE + 15) {
    const ifr = get_user_ifreq(arg);
    return typeof ifr === 'number' ? ifr : dev_ioctl(net, cmd, ifr);
  }
  switch (cmd) {
    case SIOCGIFCONF:
      return dev_ifconf(net, arg);
    default:
      return sock_do_ioctl(sock, cmd, arg);
  }
};
const fmt_sock_ioctl: Fmt<typeof sock_ioctl> = (sock, cmd) =>
  `ino=${sock.inode.i_ino}, cmd=0x${(cmd >>> 0).toString(16)}`;

/** The namespace a socket lives in (sock_net(sock->sk)); a socket without its sock uses the caller's. */
function sock_net(sock: Socket): Net {
  return sock.sk?.sk_net ?? current().nsproxy_net;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(__sys_bind, '__sys_bind', fmt___sys_bind, (f) => {
  __sys_bind = f;
});
tracepoint(__sys_connect, '__sys_connect', fmt___sys_connect, (f) => {
  __sys_connect = f;
});
tracepoint(__sys_listen, '__sys_listen', fmt___sys_listen, (f) => {
  __sys_listen = f;
});
tracepoint(__sys_accept4, '__sys_accept4', fmt___sys_accept4, (f) => {
  __sys_accept4 = f;
});
tracepoint(__sys_getsockname, '__sys_getsockname', fmt___sys_getsockname, (f) => {
  __sys_getsockname = f;
});
tracepoint(__sys_getpeername, '__sys_getpeername', fmt___sys_getpeername, (f) => {
  __sys_getpeername = f;
});
tracepoint(sock_sendmsg, 'sock_sendmsg', fmt_sock_sendmsg, (f) => {
  sock_sendmsg = f;
});
tracepoint(sock_recvmsg, 'sock_recvmsg', fmt_sock_recvmsg, (f) => {
  sock_recvmsg = f;
});
tracepoint(__sys_sendto, '__sys_sendto', fmt___sys_sendto, (f) => {
  __sys_sendto = f;
});
tracepoint(__sys_recvfrom, '__sys_recvfrom', fmt___sys_recvfrom, (f) => {
  __sys_recvfrom = f;
});
tracepoint(__sys_sendmsg, '__sys_sendmsg', fmt___sys_sendmsg, (f) => {
  __sys_sendmsg = f;
});
tracepoint(__sys_recvmsg, '__sys_recvmsg', fmt___sys_recvmsg, (f) => {
  __sys_recvmsg = f;
});
tracepoint(__sys_sendmmsg, '__sys_sendmmsg', fmt___sys_sendmmsg, (f) => {
  __sys_sendmmsg = f;
});
tracepoint(__sys_recvmmsg, '__sys_recvmmsg', fmt___sys_recvmmsg, (f) => {
  __sys_recvmmsg = f;
});
tracepoint(__sys_setsockopt, '__sys_setsockopt', fmt___sys_setsockopt, (f) => {
  __sys_setsockopt = f;
});
tracepoint(__sys_getsockopt, '__sys_getsockopt', fmt___sys_getsockopt, (f) => {
  __sys_getsockopt = f;
});
tracepoint(__sys_shutdown, '__sys_shutdown', fmt___sys_shutdown, (f) => {
  __sys_shutdown = f;
});
tracepoint(__sys_socketpair, '__sys_socketpair', fmt___sys_socketpair, (f) => {
  __sys_socketpair = f;
});
tracepoint(sock_ioctl, 'sock_ioctl', fmt_sock_ioctl, (f) => {
  sock_ioctl = f;
});
