import { __module_get } from './module.js';
import type { File } from './file.js';
import { fcheck, fd_install, fput, get_unused_fd_flags, put_unused_fd } from './file.js';
import type { MsgHdr } from './msg.js';
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
import type { Socket } from './socket.js';
import { sock_alloc, sock_alloc_file, sock_create, sock_from_file, sock_release } from './socket.js';
import { sock_getsockopt, sock_setsockopt } from './sock_opt.js';
import { call_ops, traced } from './trace.js';
import {
  EBADF,
  ECONNABORTED,
  EINVAL,
  EMSGSIZE,
  ENFILE,
  ENOBUFS,
  ENOTSOCK,
  EOPNOTSUPP,
} from './uapi/errno.js';
import { O_CLOEXEC, O_NONBLOCK } from './uapi/fcntl.js';
import {
  _K_SS_MAXSIZE,
  MSG_CMSG_COMPAT,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_INTERNAL_SENDMSG_FLAGS,
  SOCK_CLOEXEC,
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
export const __sys_bind = traced(
  '__sys_bind',
  (fd: number, addr: Uint8Array): number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    let err = move_addr_to_kernel(addr);
    if (err !== 0) return err;
    err = security_socket_bind(sock, addr);
    if (err !== 0) return err;
    return call_ops(sock.ops!.bind, 'ops->bind', sock, addr, addr.length);
  },
  (fd, addr) => `fd=${fd}, addrlen=${addr.length}`,
);

/** Mirrors __sys_connect(): the address is copied in before the ENOTSOCK check, as in Linux. */
export const __sys_connect = traced(
  '__sys_connect',
  (fd: number, addr: Uint8Array): number => {
    const file = fcheck(current().files, fd);
    if (file === null) return -EBADF;
    let err = move_addr_to_kernel(addr);
    if (err !== 0) return err;
    const sock = sock_from_file(file);
    if (sock === null) return -ENOTSOCK;
    err = security_socket_connect(sock, addr);
    if (err !== 0) return err;
    return call_ops(sock.ops!.connect, 'ops->connect', sock, addr, addr.length, file.f_flags);
  },
  (fd, addr) => `fd=${fd}, addrlen=${addr.length}`,
);

/** Mirrors __sys_listen(): the backlog is capped at net.core.somaxconn, compared as unsigned. */
export const __sys_listen = traced(
  '__sys_listen',
  (fd: number, backlog: number): number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    const somaxconn = current().nsproxy_net.sysctl_somaxconn;
    if (backlog >>> 0 > somaxconn) backlog = somaxconn;
    const err = security_socket_listen(sock, backlog);
    if (err !== 0) return err;
    return call_ops(sock.ops!.listen, 'ops->listen', sock, backlog);
  },
  (fd, backlog) => `fd=${fd}, backlog=${backlog}`,
);

/**
 * Mirrors __sys_accept4() → do_accept(): EBADF, flag check, the new fd reserved (EMFILE), ENOTSOCK,
 * a new socket with the listener's type and ops (module reference taken), its file, the LSM, then the
 * family's accept. A failure after the file exists drops the file, which releases the new socket.
 */
export const __sys_accept4 = traced(
  '__sys_accept4',
  (fd: number, flags: number): number => {
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
      err = call_ops(sock.ops!.accept, 'ops->accept', sock, newsock, arg);
    }
    if (err === 0) {
      const peer = call_ops(newsock.ops!.getname, 'ops->getname', newsock, true);
      if (typeof peer === 'number' && peer < 0) err = -ECONNABORTED;
    }
    if (err < 0) {
      put_unused_fd(files, newfd);
      fput(current().kernel, newfile);
      return err;
    }
    fd_install(files, newfd, newfile);
    return newfd;
  },
  (fd, flags) => `fd=${fd}, flags=0x${flags.toString(16)}`,
);

function getname(fd: number, peer: boolean): Uint8Array | number {
  const sock = sockfd_lookup_light(fd);
  if (typeof sock === 'number') return sock;
  const err = peer ? security_socket_getpeername(sock) : security_socket_getsockname(sock);
  if (err !== 0) return err;
  return call_ops(sock.ops!.getname, 'ops->getname', sock, peer);
}

/** Mirrors __sys_getsockname(). */
export const __sys_getsockname = traced(
  '__sys_getsockname',
  (fd: number) => getname(fd, false),
  (fd) => `fd=${fd}`,
);
/** Mirrors __sys_getpeername(). */
export const __sys_getpeername = traced(
  '__sys_getpeername',
  (fd: number) => getname(fd, true),
  (fd) => `fd=${fd}`,
);

/** Mirrors sock_sendmsg(): the LSM hook, then the family's sendmsg. */
export const sock_sendmsg = traced(
  'sock_sendmsg',
  (sock: Socket, msg: MsgHdr, len: number): number => {
    const err = security_socket_sendmsg(sock, len);
    if (err !== 0) return err;
    return call_ops(sock.ops!.sendmsg, 'ops->sendmsg', sock, msg, len);
  },
  (sock, _msg, len) => `ino=${sock.inode.i_ino}, len=${len}`,
);

/** Mirrors sock_recvmsg(). */
export const sock_recvmsg = traced(
  'sock_recvmsg',
  (sock: Socket, msg: MsgHdr, size: number, flags: number): number => {
    const err = security_socket_recvmsg(sock, size, flags);
    if (err !== 0) return err;
    return call_ops(sock.ops!.recvmsg, 'ops->recvmsg', sock, msg, size, flags);
  },
  (sock, _msg, size, flags) => `ino=${sock.inode.i_ino}, size=${size}, flags=0x${flags.toString(16)}`,
);

/**
 * Mirrors __sys_sendto(): EBADF → ENOTSOCK → the address (EINVAL) → internal flags cleared and
 * MSG_DONTWAIT for an O_NONBLOCK file → sock_sendmsg().
 */
export const __sys_sendto = traced(
  '__sys_sendto',
  (fd: number, msg: MsgHdr, len: number, flags: number): number => {
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
  },
  (fd, _msg, len, flags) => `fd=${fd}, len=${len}, flags=0x${flags.toString(16)}`,
);

/** Mirrors __sys_recvfrom(): the source address is returned only when the call succeeded. */
export const __sys_recvfrom = traced(
  '__sys_recvfrom',
  (fd: number, msg: MsgHdr, size: number, flags: number): number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
    const r = sock_recvmsg(sock, msg, size, flags);
    if (r < 0) msg.msg_name = null;
    return r;
  },
  (fd, _msg, size, flags) => `fd=${fd}, size=${size}, flags=0x${flags.toString(16)}`,
);

/**
 * Mirrors __sys_sendmsg() / ____sys_sendmsg(): MSG_CMSG_COMPAT refused, EBADF, ENOTSOCK, the name length
 * clamped to sizeof(sockaddr_storage), more than UIO_MAXIOV iovecs EMSGSIZE, then as sendto.
 */
export const __sys_sendmsg = traced(
  '__sys_sendmsg',
  (fd: number, msg: MsgHdr, flags: number): number => {
    if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    if (msg.msg_name !== null && msg.msg_name.length > _K_SS_MAXSIZE)
      msg.msg_name = msg.msg_name.subarray(0, _K_SS_MAXSIZE);
    msg.msg_namelen = msg.msg_name?.length ?? 0;
    if (msg.iov.length > UIO_MAXIOV) return -EMSGSIZE;
    if (msg.msg_controllen > 0x7fffffff) return -ENOBUFS;
    flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
    if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
    msg.msg_flags = flags;
    let len = 0;
    for (const b of msg.iov) len += b.length;
    return sock_sendmsg(sock, msg, len);
  },
  (fd, msg, flags) => `fd=${fd}, iovlen=${msg.iov.length}, flags=0x${flags.toString(16)}`,
);

/** Mirrors __sys_recvmsg(): msg_namelen starts at 0; flags and control length come back in the msghdr. */
export const __sys_recvmsg = traced(
  '__sys_recvmsg',
  (fd: number, msg: MsgHdr, size: number, flags: number): number => {
    if ((flags & MSG_CMSG_COMPAT) !== 0) return -EINVAL;
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    msg.msg_namelen = 0;
    if ((sock_file(sock).f_flags & O_NONBLOCK) !== 0) flags |= MSG_DONTWAIT;
    return sock_recvmsg(sock, msg, size, flags);
  },
  (fd, _msg, size, flags) => `fd=${fd}, size=${size}, flags=0x${flags.toString(16)}`,
);

/** Mirrors do_sock_setsockopt(): SOL_SOCKET goes to the generic code, other levels to the family. */
export const __sys_setsockopt = traced(
  '__sys_setsockopt',
  (fd: number, level: number, optname: number, optval: Uint8Array): number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    const err = security_socket_setsockopt(sock, level, optname);
    if (err !== 0) return err;
    if (level === SOL_SOCKET && (sock.flags & SOCK_CUSTOM_SOCKOPT_BIT) === 0)
      return sock_setsockopt(sock, optname, optval);
    if (sock.ops!.setsockopt === undefined) return -EOPNOTSUPP;
    return call_ops(sock.ops!.setsockopt, 'ops->setsockopt', sock, level, optname, optval);
  },
  (fd, level, optname, optval) => `fd=${fd}, level=${level}, optname=${optname}, optlen=${optval.length}`,
);

/** socket->flags bit SOCK_CUSTOM_SOCKOPT: the family handles SOL_SOCKET itself. */
const SOCK_CUSTOM_SOCKOPT_BIT = 1 << 6;

/** Mirrors do_sock_getsockopt(). */
export const __sys_getsockopt = traced(
  '__sys_getsockopt',
  (fd: number, level: number, optname: number, optlen: number): Uint8Array | number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    const err = security_socket_getsockopt(sock, level, optname);
    if (err !== 0) return err;
    if (level === SOL_SOCKET) return sock_getsockopt(sock, optname, optlen);
    if (sock.ops!.getsockopt === undefined) return -EOPNOTSUPP;
    return call_ops(sock.ops!.getsockopt, 'ops->getsockopt', sock, level, optname, optlen);
  },
  (fd, level, optname, optlen) => `fd=${fd}, level=${level}, optname=${optname}, optlen=${optlen}`,
);

/** Mirrors __sys_shutdown_sock(). */
export const __sys_shutdown = traced(
  '__sys_shutdown',
  (fd: number, how: number): number => {
    const sock = sockfd_lookup_light(fd);
    if (typeof sock === 'number') return sock;
    const err = security_socket_shutdown(sock, how);
    if (err !== 0) return err;
    return call_ops(sock.ops!.shutdown, 'ops->shutdown', sock, how);
  },
  (fd, how) => `fd=${fd}, how=${how}`,
);

/**
 * Mirrors __sys_socketpair(): flag check, both fds reserved before any socket exists (EMFILE first),
 * two sockets, the family's socketpair, then both files.
 */
export const __sys_socketpair = traced(
  '__sys_socketpair',
  (family: number, type: number, protocol: number): [number, number] | number => {
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
    const err = call_ops(sock1.ops!.socketpair, 'ops->socketpair', sock1, sock2);
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
  },
  (family, type, protocol) => `family=${family}, type=${type}, protocol=${protocol}`,
);

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
