/* procfs.c — /proc reads answered by the ksock kernel (open/openat/fopen → a memfd) and readlink of fd links. */
#include "ksock_preload.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Skip "/proc/<our pid>" or "/proc/self" or "/proc/thread-self"; returns the rest ("/net/…") or NULL. */
static const char *after_self(const char *p)
{
	if (strncmp(p, "/proc/", 6) != 0)
		return NULL;
	p += 6;
	if (strncmp(p, "self/", 5) == 0)
		return p + 4;
	if (strncmp(p, "thread-self/", 12) == 0)
		return p + 11;
	if (*p < '0' || *p > '9')
		return NULL;
	long v = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v == (long)getpid() ? p : NULL;
}

/* A /proc path the ksock kernel answers (PROTOCOL.md PROC_READ). */
static int bridged_path(const char *path)
{
	if (!ks_enabled || !path || strncmp(path, "/proc/", 6) != 0)
		return 0;
	if (strcmp(path, "/proc/modules") == 0)
		return 1;
	if (strncmp(path, "/proc/net/", 10) == 0 && path[10])
		return 1;
	if (strncmp(path, "/proc/sys/net/", 14) == 0 && path[14])
		return 1;
	const char *rest = after_self(path);
	return rest && strncmp(rest, "/net/", 5) == 0 && rest[5];
}

/* PROC_READ into a memfd positioned at 0. Returns the descriptor or -errno. */
static int proc_open(const char *path, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	struct iovec b = {(void *)path, strlen(path)};
	struct ks_reply rep;
	int64_t r = ks_call(-1, KS_PROC_READ, NULL, 0, &b, 1, &rep);
	if (r < 0) {
		ks_reply_free(&rep);
		return (int)r;
	}
	int fd = memfd_create("ksock-proc", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0) {
		int e = errno;
		ks_reply_free(&rep);
		return -e;
	}
	struct iovec c = ks_rbuf(&rep, 0);
	const char *p = c.iov_base;
	size_t left = c.iov_len;
	while (left) {
		ssize_t n = real_write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			ks_reply_free(&rep);
			real_close(fd);
			return -e;
		}
		p += n;
		left -= (size_t)n;
	}
	ks_reply_free(&rep);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

#define OPEN_MODE(flags, mode)                                                                            \
	mode_t mode = 0;                                                                                  \
	if ((flags) & (O_CREAT | __O_TMPFILE)) {                                                          \
		va_list ap;                                                                               \
		va_start(ap, flags);                                                                      \
		mode = va_arg(ap, mode_t);                                                                \
		va_end(ap);                                                                               \
	}

KS_API int open(const char *path, int flags, ...)
{
	KS_READY();
	OPEN_MODE(flags, mode);
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real_open(path, flags, mode);
}

KS_API int open64(const char *path, int flags, ...)
{
	KS_READY();
	OPEN_MODE(flags, mode);
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real_open64(path, flags, mode);
}

KS_API int openat(int dirfd, const char *path, int flags, ...)
{
	KS_READY();
	OPEN_MODE(flags, mode);
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real_openat(dirfd, path, flags, mode);
}

KS_API int openat64(int dirfd, const char *path, int flags, ...)
{
	KS_READY();
	OPEN_MODE(flags, mode);
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real_openat64(dirfd, path, flags, mode);
}

KS_API int __open_2(const char *path, int flags)
{
	KS_READY();
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real___open_2(path, flags);
}

KS_API int __open64_2(const char *path, int flags)
{
	KS_READY();
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real___open64_2(path, flags);
}

KS_API int __openat_2(int dirfd, const char *path, int flags)
{
	KS_READY();
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real___openat_2(dirfd, path, flags);
}

KS_API int __openat64_2(int dirfd, const char *path, int flags)
{
	KS_READY();
	if (bridged_path(path))
		return (int)ks_ret(proc_open(path, flags));
	return real___openat64_2(dirfd, path, flags);
}

static FILE *proc_fopen(const char *path, const char *mode)
{
	if (!mode || strpbrk(mode, "wa+")) {
		errno = mode ? EROFS : EINVAL;
		return NULL;
	}
	int fd = proc_open(path, O_RDONLY | (strchr(mode, 'e') ? O_CLOEXEC : 0));
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		int e = errno;
		real_close(fd);
		errno = e;
	}
	return f;
}

KS_API FILE *fopen(const char *path, const char *mode)
{
	KS_READY();
	if (bridged_path(path))
		return proc_fopen(path, mode);
	return real_fopen(path, mode);
}

KS_API FILE *fopen64(const char *path, const char *mode)
{
	KS_READY();
	if (bridged_path(path))
		return proc_fopen(path, mode);
	return real_fopen64(path, mode);
}

/* The descriptor N of "/proc/self/fd/N" (or our pid's) when it is a ksock socket, else -1. */
static int fd_link(const char *path, uint64_t *ino)
{
	if (!ks_enabled || !path)
		return -1;
	const char *rest = after_self(path);
	if (!rest || strncmp(rest, "/fd/", 4) != 0 || !rest[4])
		return -1;
	long n = 0;
	for (rest += 4; *rest >= '0' && *rest <= '9' && n < 0x7fffffff; rest++)
		n = n * 10 + (*rest - '0');
	if (*rest)
		return -1;
	*ino = ks_fd((int)n);
	return *ino ? (int)n : -1;
}

/* INODE [H, I] → "socket:[ino]", truncated to bufsiz without a NUL as readlink does. */
static ssize_t inode_link(int fd, uint64_t ino, char *buf, size_t bufsiz)
{
	int64_t ints[2] = {fd, (int64_t)ino};
	int64_t r = ks_call(fd, KS_INODE, ints, 2, NULL, 0, NULL);
	if (r < 0)
		return ks_ret(r);
	char tmp[64];
	int len = snprintf(tmp, sizeof tmp, "socket:[%lld]", (long long)r);
	size_t n = (size_t)len < bufsiz ? (size_t)len : bufsiz;
	memcpy(buf, tmp, n);
	return (ssize_t)n;
}

KS_API ssize_t readlink(const char *path, char *buf, size_t bufsiz)
{
	KS_READY();
	uint64_t ino;
	int fd = fd_link(path, &ino);
	if (fd < 0)
		return real_readlink(path, buf, bufsiz);
	return inode_link(fd, ino, buf, bufsiz);
}

KS_API ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t bufsiz)
{
	KS_READY();
	uint64_t ino;
	int fd = fd_link(path, &ino);
	if (fd < 0)
		return real_readlinkat(dirfd, path, buf, bufsiz);
	return inode_link(fd, ino, buf, bufsiz);
}
