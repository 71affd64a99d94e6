/* fd_calls.c — close, dup/dup2/dup3, fcntl/fcntl64 and ioctl on ksock sockets. */
#include "ksock_preload.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

void ks_forget_fd(int fd)
{
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return;
	int64_t ints[2] = {fd, (int64_t)ino};
	ks_call(-1, KS_CLOSE, ints, 2, NULL, 0, NULL);
	ks_fdt_clear(fd);
}

KS_API int close(int fd)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino || ks_foreign())
		return real_close(fd);
	int64_t ints[2] = {fd, (int64_t)ino};
	int64_t r = ks_call(-1, KS_CLOSE, ints, 2, NULL, 0, NULL);
	ks_fdt_clear(fd);
	int hr = real_close(fd);
	if (r < 0)
		return (int)ks_ret(r);
	return hr;
}

/* The host dup made newfd; tell the server (DUP) and record it, or undo it. */
static int dup_done(int fd, uint64_t ino, int newfd, int cloexec)
{
	int64_t ints[4] = {fd, (int64_t)ino, newfd, cloexec};
	int64_t r = ks_call(fd, KS_DUP, ints, 4, NULL, 0, NULL);
	if (r < 0) {
		real_close(newfd);
		return (int)ks_ret(r);
	}
	ks_fdt_set(newfd, ino);
	return newfd;
}

KS_API int dup(int fd)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_dup(fd);
	int n = real_dup(fd);
	if (n < 0)
		return n;
	return dup_done(fd, ino, n, 0);
}

/* dup2/dup3: the host first; a ksock socket the target was is reported with CLOSE, then DUP. */
static int ks_dup3(int fd, int newfd, int flags, int is_dup2)
{
	uint64_t ino = ks_fd(fd);
	uint64_t old = fd == newfd ? 0 : ks_fd(newfd);
	int r = is_dup2 ? real_dup2(fd, newfd) : real_dup3(fd, newfd, flags);
	if (r < 0 || fd == newfd)
		return r;
	if (old) {
		int64_t ints[2] = {newfd, (int64_t)old};
		ks_call(-1, KS_CLOSE, ints, 2, NULL, 0, NULL);
	}
	ks_fdt_clear(newfd);
	if (!ino)
		return r;
	return dup_done(fd, ino, newfd, (flags & O_CLOEXEC) != 0);
}

KS_API int dup2(int fd, int newfd)
{
	KS_READY();
	if ((!ks_fdt_get(fd) && !ks_fdt_get(newfd)) || ks_foreign())
		return real_dup2(fd, newfd);
	return ks_dup3(fd, newfd, 0, 1);
}

KS_API int dup3(int fd, int newfd, int flags)
{
	KS_READY();
	if ((!ks_fdt_get(fd) && !ks_fdt_get(newfd)) || ks_foreign())
		return real_dup3(fd, newfd, flags);
	return ks_dup3(fd, newfd, flags, 0);
}

static int ks_fcntl(int (*host)(int, int, ...), int fd, int cmd, void *arg)
{
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return host(fd, cmd, arg);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		int n = host(fd, cmd, arg);
		if (n < 0)
			return n;
		return dup_done(fd, ino, n, cmd == F_DUPFD_CLOEXEC);
	}
	case F_GETFD:
		if (ks_foreign())
			return host(fd, cmd, arg);
		/* fall through */
	case F_GETFL: {
		int64_t ints[4] = {fd, (int64_t)ino, cmd, 0};
		return (int)ks_ret(ks_call(fd, KS_FCNTL, ints, 4, NULL, 0, NULL));
	}
	case F_SETFD:
		if (ks_foreign())
			return host(fd, cmd, arg);
		/* fall through */
	case F_SETFL: {
		int64_t ints[4] = {fd, (int64_t)ino, cmd, (int)(intptr_t)arg};
		int64_t r = ks_call(fd, KS_FCNTL, ints, 4, NULL, 0, NULL);
		if (r >= 0) /* mirrored onto the placeholder, so poll and exec see it too */
			host(fd, cmd, arg);
		return (int)ks_ret(r);
	}
	default:
		return host(fd, cmd, arg);
	}
}

KS_API int fcntl(int fd, int cmd, ...)
{
	KS_READY();
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!ks_fdt_get(fd))
		return real_fcntl(fd, cmd, arg);
	return ks_fcntl(real_fcntl, fd, cmd, arg);
}

KS_API int fcntl64(int fd, int cmd, ...)
{
	KS_READY();
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!ks_fdt_get(fd))
		return real_fcntl64(fd, cmd, arg);
	return ks_fcntl(real_fcntl64, fd, cmd, arg);
}

/* IOCTL [H, I, cmd, arg_is_ptr, arg_int]; [arg bytes] → [out_int]; [arg bytes out]. */
static int ioctl_call(int fd, uint64_t ino, unsigned long cmd, int is_ptr, int64_t arg_int, void *ptr, size_t size,
                      int64_t *out_int, void *out, size_t out_size)
{
	int64_t ints[5] = {fd, (int64_t)ino, (int64_t)(unsigned int)cmd, is_ptr, arg_int};
	struct iovec b = {ptr, size};
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_IOCTL, ints, 5, &b, 1, &rep);
	if (r >= 0) {
		struct iovec o = ks_rbuf(&rep, 0);
		if (out && o.iov_len)
			memcpy(out, o.iov_base, o.iov_len < out_size ? o.iov_len : out_size);
		if (out_int)
			*out_int = ks_rint(&rep, 2);
	}
	ks_reply_free(&rep);
	return (int)r;
}

KS_API int ioctl(int fd, unsigned long cmd, ...)
{
	KS_READY();
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_ioctl(fd, cmd, arg);
	int r;
	switch (cmd) {
	case SIOCGIFINDEX:
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCSIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFTXQLEN:
		if (!arg)
			return (int)ks_ret(-EFAULT);
		_Static_assert(sizeof(struct ifreq) == 40, "struct ifreq is 40 bytes");
		r = ioctl_call(fd, ino, cmd, 1, 0, arg, sizeof(struct ifreq), NULL, arg, sizeof(struct ifreq));
		return (int)ks_ret(r);
	case FIONREAD: /* = SIOCINQ */
	case SIOCOUTQ: {
		if (!arg)
			return (int)ks_ret(-EFAULT);
		int64_t v = 0;
		int val = 0;
		r = ioctl_call(fd, ino, cmd, 1, 0, &val, sizeof val, &v, &val, sizeof val);
		if (r >= 0) {
			if (!val && v) /* the count as out_int rather than bytes */
				val = (int)v;
			memcpy(arg, &val, sizeof val);
		}
		return (int)ks_ret(r);
	}
	case FIONBIO: {
		if (!arg)
			return (int)ks_ret(-EFAULT);
		int val;
		memcpy(&val, arg, sizeof val);
		r = ioctl_call(fd, ino, cmd, 1, val, &val, sizeof val, NULL, NULL, 0);
		if (r >= 0)
			real_ioctl(fd, cmd, arg);
		return (int)ks_ret(r);
	}
	case FIOCLEX:
	case FIONCLEX:
		if (ks_foreign())
			return real_ioctl(fd, cmd, arg);
		r = ioctl_call(fd, ino, cmd, 0, 0, NULL, 0, NULL, NULL, 0);
		if (r >= 0)
			real_ioctl(fd, cmd, arg);
		return (int)ks_ret(r);
	case SIOCGIFCONF: {
		struct ifconf *ifc = arg;
		if (!ifc)
			return (int)ks_ret(-EFAULT);
		int64_t len = 0;
		int has_buf = ifc->ifc_buf != NULL;
		r = ioctl_call(fd, ino, cmd, has_buf, ifc->ifc_len, NULL, 0, &len, has_buf ? ifc->ifc_buf : NULL,
		               ifc->ifc_len > 0 ? (size_t)ifc->ifc_len : 0);
		if (r >= 0)
			ifc->ifc_len = (int)len;
		return (int)ks_ret(r);
	}
	default:
		return (int)ks_ret(ioctl_call(fd, ino, cmd, 0, (int64_t)(intptr_t)arg, NULL, 0, NULL, NULL, 0));
	}
}
