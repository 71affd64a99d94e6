/**
 * poll(2) and epoll(7) event bits: include/uapi/asm-generic/poll.h (x86-64 uses the generic values) and
 * include/uapi/linux/eventpoll.h. The POLL* and EPOLL* bits of one name have one value.
 */
export const POLLIN = 0x0001;
export const POLLPRI = 0x0002;
export const POLLOUT = 0x0004;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;
export const POLLRDBAND = 0x0080;
export const POLLWRNORM = 0x0100;
export const POLLWRBAND = 0x0200;
export const POLLMSG = 0x0400;
export const POLLREMOVE = 0x1000;
export const POLLRDHUP = 0x2000;
/** Kernel-internal (asm-generic/poll.h marks it so): the wait queue is going away. */
export const POLLFREE = 0x4000;
/** Kernel-internal: the caller can busy-poll (sock_poll() answers it for busy-polling sockets). */
export const POLL_BUSY_LOOP = 0x8000;

export const EPOLLIN = 0x00000001;
export const EPOLLPRI = 0x00000002;
export const EPOLLOUT = 0x00000004;
export const EPOLLERR = 0x00000008;
export const EPOLLHUP = 0x00000010;
export const EPOLLNVAL = 0x00000020;
export const EPOLLRDNORM = 0x00000040;
export const EPOLLRDBAND = 0x00000080;
export const EPOLLWRNORM = 0x00000100;
export const EPOLLWRBAND = 0x00000200;
export const EPOLLMSG = 0x00000400;
export const EPOLLRDHUP = 0x00002000;
export const EPOLL_URING_WAKE = 1 << 27;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
/** 1U << 31: kept unsigned here, as the C constant is. */
export const EPOLLET = 0x80000000;

/** epoll_ctl() operations and epoll_create1() flag. */
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLL_CLOEXEC = 0o2000000;
