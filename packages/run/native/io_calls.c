/* io_calls.c — read/write/readv/writev, sendfile and the fortified _chk reads on ksock sockets. */
#include "ksock_preload.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#define KS_UIO_MAXIOV 1024

/* READ [H, I, len] → [data], scattered over iov. */
static ssize_t ks_readv(int fd, uint64_t ino, const struct iovec *iov, int iovcnt)
{
	if (iovcnt < 0 || iovcnt > KS_UIO_MAXIOV)
		return ks_ret(-EINVAL);
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > KS_IO_MAX - total) {
			total = KS_IO_MAX;
			break;
		}
		total += iov[i].iov_len;
	}
	int64_t ints[3] = {fd, (int64_t)ino, (int64_t)total};
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_READ, ints, 3, NULL, 0, &rep);
	if (r >= 0) {
		struct iovec d = ks_rbuf(&rep, 0);
		ks_scatter(iov, (size_t)iovcnt, d.iov_base, d.iov_len < total ? d.iov_len : total);
	}
	ks_reply_free(&rep);
	return ks_ret(r);
}

/* WRITE [H, I]; [data]. A stream socket's EPIPE raises SIGPIPE, as the kernel's write does. */
static ssize_t ks_write(int fd, uint64_t ino, const void *buf, size_t len)
{
	if (len > KS_IO_MAX)
		len = KS_IO_MAX;
	int64_t ints[2] = {fd, (int64_t)ino};
	struct iovec b = {(void *)buf, len};
	int64_t r = ks_call(fd, KS_WRITE, ints, 2, &b, 1, NULL);
	if (r == -EPIPE)
		pthread_kill(pthread_self(), SIGPIPE);
	return ks_ret(r);
}

KS_API ssize_t read(int fd, void *buf, size_t len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_read(fd, buf, len);
	struct iovec v = {buf, len};
	return ks_readv(fd, ino, &v, 1);
}

KS_API ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real___read_chk(fd, buf, len, buflen);
	if (len > buflen)
		__chk_fail();
	struct iovec v = {buf, len};
	return ks_readv(fd, ino, &v, 1);
}

KS_API ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_readv(fd, iov, iovcnt);
	return ks_readv(fd, ino, iov, iovcnt);
}

KS_API ssize_t write(int fd, const void *buf, size_t len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_write(fd, buf, len);
	return ks_write(fd, ino, buf, len);
}

KS_API ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_writev(fd, iov, iovcnt);
	if (iovcnt < 0 || iovcnt > KS_UIO_MAXIOV)
		return ks_ret(-EINVAL);
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > KS_IO_MAX - total) {
			total = KS_IO_MAX;
			break;
		}
		total += iov[i].iov_len;
	}
	char *buf = total ? malloc(total) : NULL;
	if (total && !buf)
		return ks_ret(-ENOMEM);
	size_t off = 0;
	for (int i = 0; i < iovcnt && off < total; i++) {
		size_t n = iov[i].iov_len < total - off ? iov[i].iov_len : total - off;
		memcpy(buf + off, iov[i].iov_base, n);
		off += n;
	}
	ssize_t r = ks_write(fd, ino, buf, total);
	free(buf);
	return r;
}

/* sendfile onto a ksock socket: read the host file here (one chunk; sendfile may be short) and WRITE it.
 * The file position (or *offset) advances by what was sent. */
static ssize_t ks_sendfile(int out, uint64_t ino, int in, off_t *offset, size_t count)
{
	if (ks_fd(in))
		return ks_ret(-EINVAL);
	size_t chunk = count < (256u << 10) ? count : (256u << 10);
	if (!chunk)
		return 0;
	char *buf = malloc(chunk);
	if (!buf)
		return ks_ret(-ENOMEM);
	ssize_t got = offset ? pread(in, buf, chunk, *offset) : real_read(in, buf, chunk);
	if (got <= 0) {
		free(buf);
		return got;
	}
	ssize_t sent = ks_write(out, ino, buf, (size_t)got);
	int e = errno;
	free(buf);
	ssize_t done = sent < 0 ? 0 : sent;
	if (offset)
		*offset += done;
	else if (done < got)
		lseek(in, (off_t)(done - got), SEEK_CUR);
	errno = e;
	return sent;
}

KS_API ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	KS_READY();
	uint64_t ino = ks_fd(out);
	if (!ino) {
		if (ks_fdt_get(in) && ks_fd(in))
			return ks_ret(-EINVAL);
		return real_sendfile(out, in, offset, count);
	}
	return ks_sendfile(out, ino, in, offset, count);
}

KS_API ssize_t sendfile64(int out, int in, off64_t *offset, size_t count)
{
	KS_READY();
	uint64_t ino = ks_fd(out);
	if (!ino) {
		if (ks_fdt_get(in) && ks_fd(in))
			return ks_ret(-EINVAL);
		return real_sendfile64(out, in, offset, count);
	}
	return ks_sendfile(out, ino, in, (off_t *)offset, count);
}

KS_API ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real___recv_chk(fd, buf, len, buflen, flags);
	if (len > buflen)
		__chk_fail();
	struct iovec v = {buf, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	return ks_recvmsg(fd, ino, &m, flags);
}

KS_API ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags, struct sockaddr *addr,
                              socklen_t *alen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real___recvfrom_chk(fd, buf, len, buflen, flags, addr, alen);
	if (len > buflen)
		__chk_fail();
	return recvfrom(fd, buf, len, flags, addr, alen);
}
