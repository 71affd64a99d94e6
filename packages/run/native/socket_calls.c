/* socket_calls.c — the interposed socket API: socket…shutdown, send and receive in all their forms. */
#include "ksock_preload.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KS_UIO_MAXIOV 1024 /* UIO_MAXIOV: Linux's cap on vlen and iovcnt */

/* socket()/socketpair() of this family go to ksock: the kernel serves it (HELLO's bitmap). While the
 * server has never answered, every family but AF_UNIX is taken, so that it fails with EIO rather than
 * silently reaching the host. */
static int served(int family)
{
	if (!ks_enabled || family < 0 || family >= 63)
		return 0;
	int known;
	uint64_t fam = ks_families(&known);
	if (!known)
		return family != AF_UNIX;
	return (int)((fam >> family) & 1);
}

/* A stream socket's EPIPE raises SIGPIPE in the calling thread unless MSG_NOSIGNAL, as the kernel does. */
static void epipe(int64_t r, int flags)
{
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		pthread_kill(pthread_self(), SIGPIPE);
}

/* AF_UNIX is also the program's link to the host (its parent's socketpairs, the resolver, D-Bus): a ksock
 * AF_UNIX family that does not provide a type or protocol (the example family is datagrams only) leaves
 * that one to the host rather than failing it. */
static int unix_to_host(int domain, int64_t r)
{
	return domain == AF_UNIX && (r == -ESOCKTNOSUPPORT || r == -EPROTONOSUPPORT || r == -EPROTOTYPE);
}

KS_API int socket(int domain, int type, int protocol)
{
	KS_READY();
	if (!served(domain))
		return real_socket(domain, type, protocol);
	uint64_t ino;
	int h = ks_placeholder_new(type & (SOCK_CLOEXEC | SOCK_NONBLOCK), &ino);
	if (h < 0)
		return (int)ks_ret(h);
	int64_t ints[5] = {domain, type, protocol, h, (int64_t)ino};
	int64_t r = ks_call(h, KS_SOCKET, ints, 5, NULL, 0, NULL);
	if (r < 0) {
		real_close(h);
		if (unix_to_host(domain, r))
			return real_socket(domain, type, protocol);
		return (int)ks_ret(r);
	}
	ks_fdt_set(h, ino);
	return h;
}

KS_API int socketpair(int domain, int type, int protocol, int sv[2])
{
	KS_READY();
	if (!served(domain))
		return real_socketpair(domain, type, protocol, sv);
	if (!sv) {
		errno = EFAULT;
		return -1;
	}
	uint64_t i0, i1;
	int flags = type & (SOCK_CLOEXEC | SOCK_NONBLOCK);
	int h0 = ks_placeholder_new(flags, &i0);
	if (h0 < 0)
		return (int)ks_ret(h0);
	int h1 = ks_placeholder_new(flags, &i1);
	if (h1 < 0) {
		real_close(h0);
		return (int)ks_ret(h1);
	}
	int64_t ints[7] = {domain, type, protocol, h0, (int64_t)i0, h1, (int64_t)i1};
	int64_t r = ks_call(h0, KS_SOCKETPAIR, ints, 7, NULL, 0, NULL);
	if (r < 0) {
		real_close(h0);
		real_close(h1);
		if (unix_to_host(domain, r))
			return real_socketpair(domain, type, protocol, sv);
		return (int)ks_ret(r);
	}
	ks_fdt_set(h0, i0);
	ks_fdt_set(h1, i1);
	sv[0] = h0;
	sv[1] = h1;
	return 0;
}

/* BIND / CONNECT: [H, I]; [addr]. Linux refuses an address longer than sockaddr_storage with EINVAL. */
static int addr_call(uint16_t op, int fd, uint64_t ino, const struct sockaddr *addr, socklen_t len)
{
	if (len > sizeof(struct sockaddr_storage))
		return (int)ks_ret(-EINVAL);
	if (!addr && len)
		return (int)ks_ret(-EFAULT);
	int64_t ints[2] = {fd, (int64_t)ino};
	struct iovec b = {(void *)addr, addr ? len : 0};
	return (int)ks_ret(ks_call(fd, op, ints, 2, &b, 1, NULL));
}

KS_API int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_bind(fd, addr, len);
	return addr_call(KS_BIND, fd, ino, addr, len);
}

KS_API int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_connect(fd, addr, len);
	return addr_call(KS_CONNECT, fd, ino, addr, len);
}

KS_API int listen(int fd, int backlog)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_listen(fd, backlog);
	int64_t ints[3] = {fd, (int64_t)ino, backlog};
	return (int)ks_ret(ks_call(fd, KS_LISTEN, ints, 3, NULL, 0, NULL));
}

/* Copy an address from a reply: at most the caller's length, and the full length into *len. */
static void put_addr(struct sockaddr *addr, socklen_t *len, struct iovec a, int64_t full)
{
	if (!addr || !len)
		return;
	size_t n = a.iov_len < *len ? a.iov_len : *len;
	if (n)
		memcpy(addr, a.iov_base, n);
	*len = (socklen_t)full;
}

static int ks_accept(int fd, uint64_t ino, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (addr && !len)
		return (int)ks_ret(-EFAULT);
	if (addr && (int)*len < 0)
		return (int)ks_ret(-EINVAL);
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return (int)ks_ret(-EINVAL);
	uint64_t ino2;
	int h2 = ks_placeholder_new(flags, &ino2);
	if (h2 < 0)
		return (int)ks_ret(h2);
	int64_t ints[6] = {fd, (int64_t)ino, flags, addr ? (int64_t)*len : -1, h2, (int64_t)ino2};
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_ACCEPT, ints, 6, NULL, 0, &rep);
	if (r < 0) {
		ks_reply_free(&rep);
		real_close(h2);
		return (int)ks_ret(r);
	}
	put_addr(addr, len, ks_rbuf(&rep, 0), ks_rint(&rep, 2));
	ks_reply_free(&rep);
	ks_fdt_set(h2, ino2);
	return h2;
}

KS_API int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_accept(fd, addr, len);
	return ks_accept(fd, ino, addr, len, 0);
}

KS_API int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_accept4(fd, addr, len, flags);
	return ks_accept(fd, ino, addr, len, flags);
}

static int name_call(uint16_t op, int fd, uint64_t ino, struct sockaddr *addr, socklen_t *len)
{
	if (!addr || !len)
		return (int)ks_ret(-EFAULT);
	if ((int)*len < 0)
		return (int)ks_ret(-EINVAL);
	int64_t ints[3] = {fd, (int64_t)ino, (int64_t)*len};
	struct ks_reply rep;
	int64_t r = ks_call(fd, op, ints, 3, NULL, 0, &rep);
	if (r >= 0)
		put_addr(addr, len, ks_rbuf(&rep, 0), ks_rint(&rep, 2));
	ks_reply_free(&rep);
	return (int)ks_ret(r);
}

KS_API int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_getsockname(fd, addr, len);
	return name_call(KS_GETSOCKNAME, fd, ino, addr, len);
}

KS_API int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_getpeername(fd, addr, len);
	return name_call(KS_GETPEERNAME, fd, ino, addr, len);
}

KS_API int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_setsockopt(fd, level, optname, optval, optlen);
	if ((int)optlen < 0)
		return (int)ks_ret(-EINVAL);
	int64_t ints[6] = {fd, (int64_t)ino, level, optname, optlen, optval == NULL};
	struct iovec b = {(void *)optval, optval ? optlen : 0};
	return (int)ks_ret(ks_call(fd, KS_SETSOCKOPT, ints, 6, &b, 1, NULL));
}

KS_API int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_getsockopt(fd, level, optname, optval, optlen);
	if (!optlen)
		return (int)ks_ret(-EFAULT);
	int64_t ints[5] = {fd, (int64_t)ino, level, optname, (int64_t)(int)*optlen};
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_GETSOCKOPT, ints, 5, NULL, 0, &rep);
	if (r >= 0) {
		struct iovec v = ks_rbuf(&rep, 0);
		size_t n = v.iov_len < *optlen ? v.iov_len : *optlen;
		if (n && !optval)
			r = -EFAULT;
		else {
			if (n)
				memcpy(optval, v.iov_base, n);
			*optlen = (socklen_t)ks_rint(&rep, 2);
		}
	}
	ks_reply_free(&rep);
	return (int)ks_ret(r);
}

KS_API int shutdown(int fd, int how)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_shutdown(fd, how);
	int64_t ints[3] = {fd, (int64_t)ino, how};
	return (int)ks_ret(ks_call(fd, KS_SHUTDOWN, ints, 3, NULL, 0, NULL));
}

/* ---- sending ---- */

/* Gather iovecs into one buffer (at most KS_IO_MAX bytes). Returns NULL with *len 0 for no data. */
static void *gather(const struct iovec *iov, size_t iovcnt, size_t *len, int *err)
{
	size_t total = 0;
	*err = 0;
	for (size_t i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total) {
			*err = -EINVAL;
			return NULL;
		}
		total += iov[i].iov_len;
	}
	if (total > KS_IO_MAX)
		total = KS_IO_MAX;
	*len = total;
	if (!total)
		return NULL;
	char *buf = malloc(total), *p = buf;
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0, left = total; i < iovcnt && left; i++) {
		size_t n = iov[i].iov_len < left ? iov[i].iov_len : left;
		memcpy(p, iov[i].iov_base, n);
		p += n;
		left -= n;
	}
	return buf;
}

void ks_scatter(const struct iovec *iov, size_t iovcnt, const void *src, size_t len)
{
	const char *s = src;
	for (size_t i = 0; i < iovcnt && len; i++) {
		size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;
		memcpy(iov[i].iov_base, s, n);
		s += n;
		len -= n;
	}
}

/* The three SENDMSG buffers of one message: data (gathered, to be freed), name, control. */
static int msg_bufs(const struct msghdr *msg, struct iovec b[3], void **data)
{
	int err;
	size_t len = 0;
	if (msg->msg_iovlen > KS_UIO_MAXIOV)
		return -EMSGSIZE;
	if (msg->msg_iovlen && !msg->msg_iov)
		return -EFAULT;
	if (msg->msg_name && msg->msg_namelen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	*data = gather(msg->msg_iov, msg->msg_iovlen, &len, &err);
	if (err)
		return err;
	b[0].iov_base = *data;
	b[0].iov_len = len;
	b[1].iov_base = msg->msg_name;
	b[1].iov_len = msg->msg_name ? msg->msg_namelen : 0;
	b[2].iov_base = msg->msg_control;
	b[2].iov_len = msg->msg_control ? msg->msg_controllen : 0;
	return 0;
}

ssize_t ks_sendmsg(int fd, uint64_t ino, const struct msghdr *msg, int flags)
{
	if (!msg)
		return ks_ret(-EFAULT);
	struct iovec b[3];
	void *data = NULL;
	int e = msg_bufs(msg, b, &data);
	if (e < 0)
		return ks_ret(e);
	int64_t ints[3] = {fd, (int64_t)ino, flags};
	int64_t r = ks_call(fd, KS_SENDMSG, ints, 3, b, 3, NULL);
	free(data);
	epipe(r, flags);
	return ks_ret(r);
}

KS_API ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_send(fd, buf, len, flags);
	struct iovec v = {(void *)buf, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	return ks_sendmsg(fd, ino, &m, flags);
}

KS_API ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_sendto(fd, buf, len, flags, addr, alen);
	struct iovec v = {(void *)buf, len};
	struct msghdr m = {.msg_name = (void *)addr, .msg_namelen = addr ? alen : 0, .msg_iov = &v, .msg_iovlen = 1};
	return ks_sendmsg(fd, ino, &m, flags);
}

KS_API ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_sendmsg(fd, msg, flags);
	return ks_sendmsg(fd, ino, msg, flags);
}

KS_API int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_sendmmsg(fd, vec, vlen, flags);
	if (vlen > KS_UIO_MAXIOV)
		vlen = KS_UIO_MAXIOV;
	if (vlen && !vec)
		return (int)ks_ret(-EFAULT);
	struct iovec *b = calloc(3 * (size_t)vlen + 1, sizeof *b);
	void **data = calloc((size_t)vlen + 1, sizeof *data);
	int64_t r = -ENOMEM;
	unsigned int built = 0;
	if (b && data) {
		r = 0;
		for (; built < vlen; built++) {
			int e = msg_bufs(&vec[built].msg_hdr, &b[3 * built], &data[built]);
			if (e < 0) {
				/* as Linux: an error on the first message is the call's; later, a short count */
				r = built ? 0 : e;
				break;
			}
		}
		if (r == 0 && built) {
			int64_t ints[4] = {fd, (int64_t)ino, flags, built};
			struct ks_reply rep;
			r = ks_call(fd, KS_SENDMMSG, ints, 4, b, 3 * built, &rep);
			for (int64_t i = 0; i < r && i < (int64_t)built; i++)
				vec[i].msg_len = (unsigned int)ks_rint(&rep, 2 + (uint32_t)i);
			ks_reply_free(&rep);
			epipe(r, flags);
		}
	}
	for (unsigned int i = 0; data && i < built; i++)
		free(data[i]);
	free(data);
	free(b);
	return (int)ks_ret(r);
}

/* ---- receiving ---- */

static size_t iov_total(const struct iovec *iov, size_t n)
{
	size_t t = 0;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > KS_IO_MAX - t)
			return KS_IO_MAX;
		t += iov[i].iov_len;
	}
	return t;
}

/* Fill msg from one received message's reply integers (at ints[k..k+3]: len/result, flags, namelen_full,
 * controllen_out) and buffers (at bufs[j..j+2]). */
static void fill_msg(struct msghdr *msg, const struct ks_reply *rep, uint32_t k, uint32_t j)
{
	struct iovec d = ks_rbuf(rep, j), nm = ks_rbuf(rep, j + 1), c = ks_rbuf(rep, j + 2);
	ks_scatter(msg->msg_iov, msg->msg_iovlen, d.iov_base, d.iov_len);
	if (msg->msg_name) {
		size_t n = nm.iov_len < msg->msg_namelen ? nm.iov_len : msg->msg_namelen;
		if (n)
			memcpy(msg->msg_name, nm.iov_base, n);
		msg->msg_namelen = (socklen_t)ks_rint(rep, k + 2);
	}
	if (msg->msg_control) {
		size_t n = c.iov_len < msg->msg_controllen ? c.iov_len : msg->msg_controllen;
		if (n)
			memcpy(msg->msg_control, c.iov_base, n);
	}
	msg->msg_controllen = msg->msg_control ? (size_t)ks_rint(rep, k + 3) : 0;
	msg->msg_flags = (int)ks_rint(rep, k + 1);
}

ssize_t ks_recvmsg(int fd, uint64_t ino, struct msghdr *msg, int flags)
{
	if (!msg)
		return ks_ret(-EFAULT);
	if (msg->msg_iovlen > KS_UIO_MAXIOV)
		return ks_ret(-EMSGSIZE);
	if (msg->msg_iovlen && !msg->msg_iov)
		return ks_ret(-EFAULT);
	int64_t ints[6] = {fd,
	                   (int64_t)ino,
	                   flags,
	                   (int64_t)iov_total(msg->msg_iov, msg->msg_iovlen),
	                   msg->msg_name ? (int64_t)msg->msg_namelen : -1,
	                   msg->msg_control ? (int64_t)msg->msg_controllen : 0};
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_RECVMSG, ints, 6, NULL, 0, &rep);
	if (r >= 0) /* the reply's integers: [result, drain, msg_flags, namelen_full, controllen_out] */
		fill_msg(msg, &rep, 1, 0);
	ks_reply_free(&rep);
	return ks_ret(r);
}

KS_API ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_recv(fd, buf, len, flags);
	struct iovec v = {buf, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	return ks_recvmsg(fd, ino, &m, flags);
}

KS_API ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_recvfrom(fd, buf, len, flags, addr, alen);
	struct iovec v = {buf, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	if (addr && alen) {
		if ((int)*alen < 0)
			return ks_ret(-EINVAL);
		m.msg_name = addr;
		m.msg_namelen = *alen;
	}
	ssize_t r = ks_recvmsg(fd, ino, &m, flags);
	if (r >= 0 && addr && alen)
		*alen = m.msg_namelen;
	return r;
}

KS_API ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_recvmsg(fd, msg, flags);
	return ks_recvmsg(fd, ino, msg, flags);
}

KS_API int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)
{
	KS_READY();
	uint64_t ino = ks_fd(fd);
	if (!ino)
		return real_recvmmsg(fd, vec, vlen, flags, timeout);
	if (vlen > KS_UIO_MAXIOV)
		vlen = KS_UIO_MAXIOV;
	if (vlen && !vec)
		return (int)ks_ret(-EFAULT);
	int64_t *ints = calloc(7 + 3 * (size_t)vlen, sizeof *ints);
	if (!ints)
		return (int)ks_ret(-ENOMEM);
	ints[0] = fd;
	ints[1] = (int64_t)ino;
	ints[2] = flags;
	ints[3] = vlen;
	ints[4] = timeout != NULL;
	ints[5] = timeout ? timeout->tv_sec : 0;
	ints[6] = timeout ? timeout->tv_nsec : 0;
	for (unsigned int i = 0; i < vlen; i++) {
		struct msghdr *m = &vec[i].msg_hdr;
		if (m->msg_iovlen > KS_UIO_MAXIOV || (m->msg_iovlen && !m->msg_iov)) {
			free(ints);
			return (int)ks_ret(m->msg_iovlen > KS_UIO_MAXIOV ? -EMSGSIZE : -EFAULT);
		}
		ints[7 + 3 * i] = (int64_t)iov_total(m->msg_iov, m->msg_iovlen);
		ints[8 + 3 * i] = m->msg_name ? (int64_t)m->msg_namelen : -1;
		ints[9 + 3 * i] = m->msg_control ? (int64_t)m->msg_controllen : 0;
	}
	struct ks_reply rep;
	int64_t r = ks_call(fd, KS_RECVMMSG, ints, 7 + 3 * vlen, NULL, 0, &rep);
	free(ints);
	for (int64_t i = 0; i < r && i < (int64_t)vlen; i++) {
		uint32_t k = 2 + 4 * (uint32_t)i;
		vec[i].msg_len = (unsigned int)ks_rint(&rep, k);
		fill_msg(&vec[i].msg_hdr, &rep, k, 3 * (uint32_t)i);
	}
	ks_reply_free(&rep);
	return (int)ks_ret(r);
}
