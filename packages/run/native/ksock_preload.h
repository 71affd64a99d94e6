/* ksock_preload.h — declarations shared by the files of the interposition library (PROTOCOL.md is the contract). */
#ifndef KSOCK_PRELOAD_H
#define KSOCK_PRELOAD_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The interposed entry points; everything else in the library stays internal to it. */
#define KS_API __attribute__((visibility("default")))

/* glibc's fortified entry points, which its headers only declare under _FORTIFY_SOURCE. */
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags, struct sockaddr *addr,
                       socklen_t *addrlen);
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int fcntl64(int fd, int cmd, ...);
void __chk_fail(void) __attribute__((noreturn));

#pragma GCC visibility push(hidden)

/* Bridge ops (PROTOCOL.md "Ops"). */
enum ks_op {
	KS_HELLO = 1,
	KS_PH_HELLO = 2,
	KS_SOCKET = 10,
	KS_SOCKETPAIR = 11,
	KS_BIND = 12,
	KS_CONNECT = 13,
	KS_LISTEN = 14,
	KS_ACCEPT = 15,
	KS_GETSOCKNAME = 16,
	KS_GETPEERNAME = 17,
	KS_SETSOCKOPT = 18,
	KS_GETSOCKOPT = 19,
	KS_SHUTDOWN = 20,
	KS_SENDMSG = 21,
	KS_RECVMSG = 22,
	KS_WRITE = 23,
	KS_READ = 24,
	KS_SENDMMSG = 25,
	KS_RECVMMSG = 26,
	KS_CLOSE = 30,
	KS_DUP = 31,
	KS_FCNTL = 32,
	KS_IOCTL = 33,
	KS_INODE = 34,
	KS_PROC_READ = 40,
	KS_IF_NAMETOINDEX = 41,
	KS_IF_INDEXTONAME = 42,
	KS_IF_NAMEINDEX = 43,
	KS_GETIFADDRS = 44,
	KS_CANCEL = 127,
};
#define KS_REPLY_BIT 0x8000
enum { KS_HELLO_IMAGE = 0, KS_HELLO_FORK = 1, KS_HELLO_THREAD = 2 };

/* A request is never split: at most this many bytes of data go in one WRITE/SENDMSG or come back from
 * one READ/RECVMSG (the server refuses frames above 64 MiB). */
#define KS_IO_MAX (16u << 20)

/* The real libc functions, resolved once with dlsym(RTLD_NEXT). */
#define KS_REAL_FUNCS(X)                                                                                  \
	X(int, socket, (int, int, int))                                                                      \
	X(int, socketpair, (int, int, int, int *))                                                           \
	X(int, bind, (int, const struct sockaddr *, socklen_t))                                              \
	X(int, connect, (int, const struct sockaddr *, socklen_t))                                           \
	X(int, listen, (int, int))                                                                           \
	X(int, accept, (int, struct sockaddr *, socklen_t *))                                                \
	X(int, accept4, (int, struct sockaddr *, socklen_t *, int))                                          \
	X(int, getsockname, (int, struct sockaddr *, socklen_t *))                                           \
	X(int, getpeername, (int, struct sockaddr *, socklen_t *))                                           \
	X(int, setsockopt, (int, int, int, const void *, socklen_t))                                         \
	X(int, getsockopt, (int, int, int, void *, socklen_t *))                                             \
	X(int, shutdown, (int, int))                                                                         \
	X(ssize_t, send, (int, const void *, size_t, int))                                                   \
	X(ssize_t, sendto, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))             \
	X(ssize_t, sendmsg, (int, const struct msghdr *, int))                                               \
	X(int, sendmmsg, (int, struct mmsghdr *, unsigned int, int))                                         \
	X(ssize_t, recv, (int, void *, size_t, int))                                                         \
	X(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *))                     \
	X(ssize_t, recvmsg, (int, struct msghdr *, int))                                                     \
	X(int, recvmmsg, (int, struct mmsghdr *, unsigned int, int, struct timespec *))                      \
	X(ssize_t, read, (int, void *, size_t))                                                              \
	X(ssize_t, write, (int, const void *, size_t))                                                       \
	X(ssize_t, readv, (int, const struct iovec *, int))                                                  \
	X(ssize_t, writev, (int, const struct iovec *, int))                                                 \
	X(int, close, (int))                                                                                 \
	X(int, dup, (int))                                                                                   \
	X(int, dup2, (int, int))                                                                             \
	X(int, dup3, (int, int, int))                                                                        \
	X(int, fcntl, (int, int, ...))                                                                       \
	X(int, fcntl64, (int, int, ...))                                                                     \
	X(int, ioctl, (int, unsigned long, ...))                                                             \
	X(ssize_t, sendfile, (int, int, off_t *, size_t))                                                    \
	X(ssize_t, sendfile64, (int, int, off64_t *, size_t))                                                \
	X(ssize_t, __recv_chk, (int, void *, size_t, size_t, int))                                           \
	X(ssize_t, __recvfrom_chk, (int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *))       \
	X(ssize_t, __read_chk, (int, void *, size_t, size_t))                                                \
	X(unsigned int, if_nametoindex, (const char *))                                                      \
	X(char *, if_indextoname, (unsigned int, char *))                                                    \
	X(struct if_nameindex *, if_nameindex, (void))                                                       \
	X(void, if_freenameindex, (struct if_nameindex *))                                                   \
	X(int, getifaddrs, (struct ifaddrs **))                                                              \
	X(void, freeifaddrs, (struct ifaddrs *))                                                             \
	X(int, open, (const char *, int, ...))                                                               \
	X(int, open64, (const char *, int, ...))                                                             \
	X(int, openat, (int, const char *, int, ...))                                                        \
	X(int, openat64, (int, const char *, int, ...))                                                      \
	X(int, __open_2, (const char *, int))                                                                \
	X(int, __open64_2, (const char *, int))                                                              \
	X(int, __openat_2, (int, const char *, int))                                                         \
	X(int, __openat64_2, (int, const char *, int))                                                       \
	X(FILE *, fopen, (const char *, const char *))                                                       \
	X(FILE *, fopen64, (const char *, const char *))                                                     \
	X(ssize_t, readlink, (const char *, char *, size_t))                                                 \
	X(ssize_t, readlinkat, (int, const char *, char *, size_t))

#define KS_DECLARE_REAL(ret, name, args) extern ret(*real_##name) args;
KS_REAL_FUNCS(KS_DECLARE_REAL)
#undef KS_DECLARE_REAL

/* ---- bridge.c: library state, control connections, frames ---- */

/* 1 once the real functions are resolved; every entry point checks it (a call may come before our
 * constructor has run, from another library's constructor). */
extern int ks_resolved;
void ks_resolve(void);
#define KS_READY()                                                                                        \
	do {                                                                                              \
		if (__builtin_expect(!ks_resolved, 0))                                                    \
			ks_resolve();                                                                     \
	} while (0)

/* KSOCK_SOCKET is set: the bridge is on. When 0, every call goes to the host. */
extern int ks_enabled;
extern int ks_debug;
extern char ks_path[108];

/* A reply: its integers and buffers (ints[0] result, ints[1] drain). Reading past the end gives 0 / an
 * empty buffer, so a short reply never reads garbage. */
struct ks_reply {
	uint32_t nint, nbuf;
	int64_t *ints;
	struct iovec *bufs;
	void *mem;
};
int64_t ks_rint(const struct ks_reply *r, uint32_t i);
struct iovec ks_rbuf(const struct ks_reply *r, uint32_t i);
void ks_reply_free(struct ks_reply *r);

/*
 * Send one request and wait for its single reply on this thread's control connection. `fd` is the host
 * descriptor of the call's main placeholder (or -1): its drain is done here. Returns the reply's result
 * (>= 0 or -errno); -EIO when the server cannot be reached. `rep` (may be NULL) receives the reply and must
 * then be released with ks_reply_free, whatever the result.
 */
int64_t ks_call(int fd, uint16_t op, const int64_t *ints, uint32_t nint, const struct iovec *bufs, uint32_t nbuf,
                struct ks_reply *rep);

/* A fresh Unix stream connection to the server (flags: SOCK_CLOEXEC); the descriptor or -errno. */
int ks_server_connect(int flags);

/* True in a process that shares our memory without having said HELLO: a vfork() child (posix_spawn,
 * Python's subprocess) or a raw clone(), which ran no fork handler. There, descriptor bookkeeping (close,
 * dup2, FD_CLOEXEC) stays on the host, the fd table is not written, and a bridged call uses a connection of
 * its own: the new image says HELLO kind 0 with its fdlist after exec anyway. */
int ks_foreign(void);

/* The families the kernel serves (bit N: family N); 0 and *known = 0 while no HELLO has succeeded. */
uint64_t ks_families(int *known);

/* Set errno from a negative result and return -1; pass through a non-negative one. */
static inline long ks_ret(int64_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (long)r;
}

void ks_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write a message to stderr through the real write (never through ourselves). */
void ks_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- fdtable.c: which host descriptors are ksock placeholders ---- */

#define KS_FDT_CHUNK_BITS 10
#define KS_FDT_CHUNK (1u << KS_FDT_CHUNK_BITS)
#define KS_FDT_TOP 4096u /* 4 Mi descriptors, above any RLIMIT_NOFILE the kernel's nr_open allows by default */
extern uint64_t *ks_fdt[KS_FDT_TOP];

/* The inode recorded for fd, or 0: a table lookup only, no system call. */
static inline uint64_t ks_fdt_get(int fd)
{
	if ((unsigned)fd >= KS_FDT_TOP * KS_FDT_CHUNK)
		return 0;
	uint64_t *c = __atomic_load_n(&ks_fdt[(unsigned)fd >> KS_FDT_CHUNK_BITS], __ATOMIC_ACQUIRE);
	return c ? __atomic_load_n(&c[(unsigned)fd & (KS_FDT_CHUNK - 1)], __ATOMIC_RELAXED) : 0;
}
void ks_fdt_set(int fd, uint64_t ino);
void ks_fdt_clear(int fd);
/* The placeholder inode of fd if fd is a live ksock socket (recorded, and fstat still says the same socket),
 * else 0: a stale entry (the number was closed behind our back and reused) is dropped. */
uint64_t ks_fd_slow(int fd);
static inline uint64_t ks_fd(int fd)
{
	return ks_fdt_get(fd) ? ks_fd_slow(fd) : 0;
}

/* ---- placeholder.c ---- */

/* Make a placeholder connection (connect + PH_HELLO); returns its descriptor and sets *ino, or -errno.
 * flags: SOCK_CLOEXEC / SOCK_NONBLOCK, applied to the host descriptor. */
int ks_placeholder_new(int flags, uint64_t *ino);
/* True if fd is a placeholder connection to our server (its peer is $KSOCK_SOCKET). */
int ks_is_placeholder(int fd);
/* One entry of HELLO's fdlist. */
struct ks_fdent {
	int32_t fd;
	int32_t fd_flags;
	uint64_t ino;
};
/* Every socket descriptor of the process except `skip`, into *out (mmap'ed, release with ks_fdlist_free);
 * placeholders found are recorded in the fd table when `learn` is set. Returns the count, or -1. Uses only
 * system calls, so it may run in a fork child. */
long ks_fdlist(struct ks_fdent **out, size_t *mapped, int skip, int learn);
void ks_fdlist_free(struct ks_fdent *p, size_t mapped);

/* ---- socket_calls.c, io_calls.c ---- */

/* RECVMSG for every recv form: fills msg (data over msg_iov, name, control, flags). */
ssize_t ks_recvmsg(int fd, uint64_t ino, struct msghdr *msg, int flags);
ssize_t ks_sendmsg(int fd, uint64_t ino, const struct msghdr *msg, int flags);
/* Copy `len` bytes of src over the iovecs. */
void ks_scatter(const struct iovec *iov, size_t iovcnt, const void *src, size_t len);

/* ---- fd_calls.c ---- */

/* A host descriptor that was a ksock socket is being replaced (dup2/dup3 target): tell the server. */
void ks_forget_fd(int fd);

#pragma GCC visibility pop

#endif
