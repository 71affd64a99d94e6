/* bridge.c — library start-up, the real libc functions, framing and the per-thread control connections. */
#include "ksock_preload.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <unistd.h>

#define KS_DEFINE_REAL(ret, name, args) ret(*real_##name) args;
KS_REAL_FUNCS(KS_DEFINE_REAL)
#undef KS_DEFINE_REAL

int ks_resolved;
int ks_enabled;
int ks_debug;
char ks_path[108];
static int fd_base = 900;

/* Families from the last HELLO reply. */
static uint64_t families;
static int families_known;

/* The process whose HELLO succeeded (0: none yet), and the kind the first HELLO of this process must have
 * (0 for a new program image, 1 in a fork child). */
static pid_t hello_pid;
static int start_kind;
/* The process this memory belongs to (set at start and in the fork child handler). */
static pid_t owner_pid;

int ks_foreign(void)
{
	return ks_enabled && getpid() != owner_pid;
}

/* The same, for a caller that already has its pid. */
static int foreign_pid(pid_t pid)
{
	return ks_enabled && pid != owner_pid;
}

/* This thread's control connection, the process it was opened in, and whether a request is outstanding
 * on it (a signal handler calling us meanwhile gets a connection of its own). */
static __thread int tl_ctl = -1;
static __thread pid_t tl_ctl_pid;
static __thread int tl_busy;
static pthread_key_t ctl_key;

/* Every control connection of the process, so a fork child can close its parent's (lock-free: fd + 1). */
#define CTL_SLOTS 1024
static int ctl_slots[CTL_SLOTS];

static int warned_unreachable, warned_eof;

static void resolve_once(void)
{
#define KS_RESOLVE(ret, name, args) real_##name = (ret(*) args)dlsym(RTLD_NEXT, #name);
	KS_REAL_FUNCS(KS_RESOLVE)
#undef KS_RESOLVE
	if (!real_fcntl64)
		real_fcntl64 = real_fcntl;
	if (!real_sendfile64)
		real_sendfile64 = (ssize_t(*)(int, int, off64_t *, size_t))real_sendfile;
	__atomic_store_n(&ks_resolved, 1, __ATOMIC_RELEASE);
}

void ks_resolve(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, resolve_once);
}

static void vwrite_stderr(const char *fmt, va_list ap)
{
	char buf[512];
	int saved = errno;
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	ssize_t w = real_write ? real_write(2, buf, (size_t)n) : -1;
	(void)w;
	errno = saved;
}

void ks_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwrite_stderr(fmt, ap);
	va_end(ap);
}

void ks_log(const char *fmt, ...)
{
	if (!ks_debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	vwrite_stderr(fmt, ap);
	va_end(ap);
}

static int ctl_get(pid_t pid);

uint64_t ks_families(int *known)
{
	*known = __atomic_load_n(&families_known, __ATOMIC_ACQUIRE);
	if (!*known && ks_enabled && !tl_busy && !ks_foreign()) {
		/* no HELLO has succeeded yet (the server was away at start): try now */
		ctl_get(getpid());
		*known = __atomic_load_n(&families_known, __ATOMIC_ACQUIRE);
	}
	return __atomic_load_n(&families, __ATOMIC_RELAXED);
}

/* ---- replies ---- */

int64_t ks_rint(const struct ks_reply *r, uint32_t i)
{
	return r && i < r->nint ? r->ints[i] : 0;
}

struct iovec ks_rbuf(const struct ks_reply *r, uint32_t i)
{
	struct iovec v = {NULL, 0};
	if (r && i < r->nbuf)
		v = r->bufs[i];
	return v;
}

void ks_reply_free(struct ks_reply *r)
{
	if (!r)
		return;
	free(r->mem);
	free(r->ints);
	free(r->bufs);
	memset(r, 0, sizeof *r);
}

/* ---- raw I/O on our own connections ---- */

static int send_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	while (len) {
		ssize_t n = real_send(fd, c, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_cancel(int fd)
{
	unsigned char f[12] = {8, 0, 0, 0, KS_CANCEL, 0, 0, 0, 0, 0, 0, 0};
	return send_all(fd, f, sizeof f);
}

/* Read exactly len bytes. On EINTR, send CANCEL once (when *cancel is 0) and keep reading: the server
 * answers the request exactly once either way. Returns 0, -EPIPE on end of file, or -errno. */
static int recv_all(int fd, void *p, size_t len, int *cancel)
{
	char *c = p;
	while (len) {
		ssize_t n = real_read(fd, c, len);
		if (n < 0) {
			if (errno == EINTR) {
				if (cancel && !*cancel) {
					*cancel = 1;
					int e = send_cancel(fd);
					if (e < 0)
						return e;
				}
				continue;
			}
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline void put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}
static inline void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
static inline void put_i64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}
static inline uint16_t get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline int64_t get_i64(const unsigned char *p)
{
	uint64_t u = 0;
	for (int i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	return (int64_t)u;
}

static size_t frame_size(uint32_t nint, const struct iovec *bufs, uint32_t nbuf)
{
	size_t size = 12 + 8 * (size_t)nint;
	for (uint32_t i = 0; i < nbuf; i++)
		size += 4 + bufs[i].iov_len;
	return size;
}

/* Encode a frame into out (frame_size bytes). */
static void frame_encode(unsigned char *out, size_t size, uint16_t op, const int64_t *ints, uint32_t nint,
                         const struct iovec *bufs, uint32_t nbuf)
{
	put_u32(out, (uint32_t)(size - 4));
	put_u16(out + 4, op);
	put_u16(out + 6, (uint16_t)nint);
	put_u32(out + 8, nbuf);
	unsigned char *p = out + 12;
	for (uint32_t i = 0; i < nint; i++, p += 8)
		put_i64(p, ints[i]);
	for (uint32_t i = 0; i < nbuf; i++) {
		put_u32(p, (uint32_t)bufs[i].iov_len);
		p += 4;
		if (bufs[i].iov_len)
			memcpy(p, bufs[i].iov_base, bufs[i].iov_len);
		p += bufs[i].iov_len;
	}
}

/* Send a frame without the heap (a stack buffer, else mmap): usable in a fork child. */
static int frame_send(int fd, uint16_t op, const int64_t *ints, uint32_t nint, const struct iovec *bufs,
                      uint32_t nbuf)
{
	unsigned char stackbuf[1024];
	size_t size = frame_size(nint, bufs, nbuf);
	unsigned char *out = stackbuf;
	if (size > sizeof stackbuf) {
		out = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (out == MAP_FAILED)
			return -ENOMEM;
	}
	frame_encode(out, size, op, ints, nint, bufs, nbuf);
	int e = send_all(fd, out, size);
	if (out != stackbuf)
		munmap(out, size);
	return e;
}

/* Read and drop n bytes (keeps the stream in step after a reply we cannot use). */
static int skip_bytes(int fd, size_t n, int *cancel)
{
	unsigned char junk[512];
	while (n) {
		size_t k = n < sizeof junk ? n : sizeof junk;
		int e = recv_all(fd, junk, k, cancel);
		if (e < 0)
			return e;
		n -= k;
	}
	return 0;
}

/* Read one reply frame for `op` and decode it into rep. Returns 0, or -errno (-EPIPE: end of file, -EPROTO:
 * a frame that is not this op's reply). */
static int reply_read(int fd, uint16_t op, struct ks_reply *rep, int *cancel)
{
	/* One request is outstanding per connection and the server answers it once, so a read may take the
	 * header and as much of the body as has arrived: most replies need a single read(2). */
	unsigned char first[1024];
	size_t got = 0;
	memset(rep, 0, sizeof *rep);
	while (got < 12) {
		ssize_t n = real_read(fd, first + got, sizeof first - got);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			if (cancel && !*cancel) {
				*cancel = 1;
				int e = send_cancel(fd);
				if (e < 0)
					return e;
			}
			continue;
		}
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	uint32_t len = get_u32(first);
	uint16_t rop = get_u16(first + 4);
	uint32_t nint = get_u16(first + 6);
	uint32_t nbuf = get_u32(first + 8);
	if (len < 8 || rop != (op | KS_REPLY_BIT) || (size_t)nint * 8 > len - 8 || nbuf > (len - 8) / 4 ||
	    got > (size_t)len + 4)
		return -EPROTO;
	size_t body = len - 8;
	unsigned char *mem = malloc(body ? body : 1);
	rep->ints = calloc(nint ? nint : 1, sizeof(int64_t));
	rep->bufs = calloc(nbuf ? nbuf : 1, sizeof(struct iovec));
	rep->mem = mem;
	size_t have = got - 12;
	int e;
	if (!mem || !rep->ints || !rep->bufs) {
		ks_reply_free(rep);
		e = skip_bytes(fd, body - have, cancel);
		return e < 0 ? e : -ENOMEM;
	}
	memcpy(mem, first + 12, have);
	if ((e = recv_all(fd, mem + have, body - have, cancel)) < 0) {
		ks_reply_free(rep);
		return e;
	}
	unsigned char *p = mem, *end = mem + body;
	for (uint32_t i = 0; i < nint; i++, p += 8)
		rep->ints[i] = get_i64(p);
	rep->nint = nint;
	for (uint32_t i = 0; i < nbuf; i++) {
		if (end - p < 4)
			goto bad;
		uint32_t blen = get_u32(p);
		p += 4;
		if ((size_t)(end - p) < blen)
			goto bad;
		rep->bufs[i].iov_base = p;
		rep->bufs[i].iov_len = blen;
		p += blen;
	}
	rep->nbuf = nbuf;
	if (p != end)
		goto bad;
	return 0;
bad:
	ks_reply_free(rep);
	return -EPROTO;
}

/* ---- control connections ---- */

static void slot_add(int fd)
{
	for (int i = 0; i < CTL_SLOTS; i++) {
		int expect = 0;
		if (__atomic_compare_exchange_n(&ctl_slots[i], &expect, fd + 1, 0, __ATOMIC_ACQ_REL,
		                                __ATOMIC_RELAXED))
			return;
	}
}

static void slot_del(int fd)
{
	for (int i = 0; i < CTL_SLOTS; i++) {
		int expect = fd + 1;
		if (__atomic_compare_exchange_n(&ctl_slots[i], &expect, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return;
	}
}

static void ctl_close(int fd)
{
	slot_del(fd);
	real_close(fd);
}

/* Thread exit: close this thread's control connection. */
static void ctl_key_destructor(void *v)
{
	int fd = (int)(intptr_t)v - 1;
	if (fd >= 0) {
		ctl_close(fd);
		if (tl_ctl == fd)
			tl_ctl = -1;
	}
}

static void warn_unreachable(const char *what, int err)
{
	if (!__atomic_exchange_n(&warned_unreachable, 1, __ATOMIC_RELAXED))
		ks_msg("ksock: cannot reach the ksock server at %s (%s: %s); calls on ksock sockets fail with EIO",
		       ks_path, what, strerror(err));
}

static void warn_eof(void)
{
	if (!__atomic_exchange_n(&warned_eof, 1, __ATOMIC_RELAXED))
		ks_msg("ksock: the ksock server at %s closed the connection; calls on ksock sockets fail with EIO",
		       ks_path);
}

int ks_server_connect(int flags)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, ks_path, strlen(ks_path));
	int fd = real_socket(AF_UNIX, SOCK_STREAM | (flags & SOCK_CLOEXEC), 0);
	if (fd < 0)
		return -errno;
	int r;
	do
		r = real_connect(fd, (struct sockaddr *)&sun, sizeof sun);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		real_close(fd);
		return -e;
	}
	return fd;
}

/* HELLO's integers and comm for this process. */
static void hello_fill(int kind, int64_t ints[7], char comm[17])
{
	memset(comm, 0, 17);
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	ints[0] = kind;
	ints[1] = getpid();
	ints[2] = getppid();
	ints[3] = getuid();
	ints[4] = getgid();
	ints[5] = geteuid();
	ints[6] = getegid();
}

/* Open a control connection and say HELLO of the given kind. Returns the descriptor or -errno. Only system
 * calls and no heap on this path: it also runs in the fork child handler. */
static int ctl_open(int kind)
{
	struct ks_fdent *list = NULL;
	size_t mapped = 0;
	long n = 0;
	if (kind != KS_HELLO_THREAD) {
		n = ks_fdlist(&list, &mapped, -1, kind == KS_HELLO_IMAGE);
		if (n < 0)
			n = 0;
	}
	int fd = ks_server_connect(SOCK_CLOEXEC);
	if (fd < 0) {
		ks_fdlist_free(list, mapped);
		warn_unreachable("connect", -fd);
		return fd;
	}
	if (fd < fd_base) {
		int hi = real_fcntl(fd, F_DUPFD_CLOEXEC, fd_base);
		if (hi >= 0) {
			real_close(fd);
			fd = hi;
		}
	}
	int64_t ints[7];
	char comm[17];
	hello_fill(kind, ints, comm);
	struct iovec bufs[2] = {{comm, strlen(comm)}, {list, (size_t)n * sizeof(struct ks_fdent)}};
	int e = frame_send(fd, KS_HELLO, ints, 7, bufs, 2);
	ks_fdlist_free(list, mapped);
	if (e < 0) {
		real_close(fd);
		warn_unreachable("HELLO", -e);
		return e;
	}
	/* The reply is small: read it without the heap, keeping its first integers. */
	unsigned char hdr[12], body[64];
	int cancel = 1; /* nothing to cancel: HELLO never sleeps */
	e = recv_all(fd, hdr, sizeof hdr, &cancel);
	uint32_t len = get_u32(hdr), nint = get_u16(hdr + 6);
	if (e == 0 && (len < 8 + 16 || nint < 2 || get_u16(hdr + 4) != (KS_HELLO | KS_REPLY_BIT)))
		e = -EPROTO;
	if (e == 0) {
		uint32_t keep = len - 8 < sizeof body ? len - 8 : (uint32_t)sizeof body;
		e = recv_all(fd, body, keep, &cancel);
		if (e == 0)
			e = skip_bytes(fd, len - 8 - keep, &cancel);
		if (nint > keep / 8)
			nint = keep / 8;
	}
	if (e < 0) {
		real_close(fd);
		if (e == -EPIPE)
			warn_eof();
		else
			warn_unreachable("HELLO reply", -e);
		return e == -EPIPE ? -EIO : e;
	}
	int64_t result = get_i64(body);
	if (result < 0) {
		real_close(fd);
		if (!__atomic_exchange_n(&warned_unreachable, 1, __ATOMIC_RELAXED))
			ks_msg("ksock: the ksock server at %s refused this process: %s; calls on ksock sockets fail "
			       "with EIO",
			       ks_path, strerror((int)-result));
		return (int)result;
	}
	if (nint >= 4) {
		__atomic_store_n(&families, (uint64_t)get_i64(body + 24), __ATOMIC_RELAXED);
		__atomic_store_n(&families_known, 1, __ATOMIC_RELEASE);
	}
	hello_pid = getpid();
	slot_add(fd);
	pthread_setspecific(ctl_key, (void *)(intptr_t)(fd + 1));
	tl_ctl = fd;
	tl_ctl_pid = hello_pid;
	ks_log("ksock[%d]: HELLO kind %d on fd %d, %ld socket descriptors listed", (int)hello_pid, kind, fd, n);
	return fd;
}

/* This thread's control connection, opened on first use; `pid` is the caller's getpid(). */
static int ctl_get(pid_t pid)
{
	if (tl_ctl >= 0 && tl_ctl_pid == pid)
		return tl_ctl;
	if (tl_ctl >= 0) {
		/* a fork we were not told of (a raw clone): the connection is the parent's */
		real_close(tl_ctl);
		tl_ctl = -1;
	}
	int kind;
	if (hello_pid == pid)
		kind = KS_HELLO_THREAD;
	else if (hello_pid == 0)
		kind = start_kind;
	else
		kind = KS_HELLO_FORK;
	return ctl_open(kind);
}

/* Drop this thread's connection after a transport failure, so the next call tries afresh. */
static void ctl_drop(int fd)
{
	if (tl_ctl == fd) {
		tl_ctl = -1;
		pthread_setspecific(ctl_key, NULL);
	}
	ctl_close(fd);
}

/* A connection for a call made while this thread's own has a request outstanding (a signal handler, or a
 * call after a longjmp out of one): HELLO kind 2 on a connection of its own, closed after the call. */
static int ctl_open_nested(int kind)
{
	int ctl = ks_server_connect(SOCK_CLOEXEC);
	if (ctl < 0)
		return ctl;
	int64_t h[7];
	char comm[17];
	hello_fill(kind, h, comm);
	struct iovec hb[2] = {{comm, strlen(comm)}, {NULL, 0}};
	struct ks_reply hr;
	int e = frame_send(ctl, KS_HELLO, h, 7, hb, 2);
	if (e == 0)
		e = reply_read(ctl, KS_HELLO, &hr, NULL);
	if (e == 0) {
		if (ks_rint(&hr, 0) < 0)
			e = (int)ks_rint(&hr, 0);
		ks_reply_free(&hr);
	}
	if (e < 0) {
		real_close(ctl);
		return e;
	}
	return ctl;
}

static void drain(int fd, int64_t n)
{
	char junk[256];
	while (n > 0) {
		ssize_t r = real_recv(fd, junk, n < (int64_t)sizeof junk ? (size_t)n : sizeof junk, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n -= r;
	}
}

int64_t ks_call(int fd, uint16_t op, const int64_t *ints, uint32_t nint, const struct iovec *bufs, uint32_t nbuf,
                struct ks_reply *rep)
{
	struct ks_reply local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	int saved = errno;
	pid_t pid = getpid();
	int foreign = foreign_pid(pid);
	int nested = tl_busy || foreign;
	int ctl = nested ? ctl_open_nested(foreign ? KS_HELLO_FORK : KS_HELLO_THREAD) : ctl_get(pid);
	if (ctl < 0) {
		warn_unreachable("connect", -ctl);
		errno = saved;
		return -EIO;
	}
	size_t size = frame_size(nint, bufs, nbuf);
	unsigned char *out = malloc(size);
	if (!out) {
		if (nested)
			real_close(ctl);
		errno = saved;
		return -ENOMEM;
	}
	frame_encode(out, size, op, ints, nint, bufs, nbuf);
	int was_busy = tl_busy;
	tl_busy = 1;
	int e = send_all(ctl, out, size);
	free(out);
	int cancel = 0;
	if (e == 0)
		e = reply_read(ctl, op, rep, &cancel);
	tl_busy = was_busy;
	if (nested)
		real_close(ctl);
	int64_t result;
	if (e < 0) {
		if (e == -EPIPE || e == -ECONNRESET)
			warn_eof();
		else
			ks_msg("ksock: the bridge to %s failed on op %u: %s", ks_path, op, strerror(-e));
		if (!nested)
			ctl_drop(ctl);
		result = -EIO;
	} else {
		result = ks_rint(rep, 0);
		if (fd >= 0)
			drain(fd, ks_rint(rep, 1));
	}
	if (ks_debug)
		ks_log("ksock[%d]: op %u fd %d -> %lld%s", (int)pid, op, fd, (long long)result,
		       cancel ? " (cancelled)" : "");
	if (rep == &local)
		ks_reply_free(rep);
	errno = saved;
	return result;
}

/* ---- process life ---- */

/* Fork child: the parent's control connections are the parent's; close them all and say HELLO kind 1 on a
 * fresh one. No locks are taken (the slots are atomics) and only system calls are made. */
static void atfork_child(void)
{
	for (int i = 0; i < CTL_SLOTS; i++) {
		int v = __atomic_exchange_n(&ctl_slots[i], 0, __ATOMIC_RELAXED);
		if (v > 0)
			real_close(v - 1);
	}
	tl_ctl = -1;
	tl_busy = 0;
	pthread_setspecific(ctl_key, NULL);
	hello_pid = 0;
	owner_pid = getpid();
	start_kind = KS_HELLO_FORK;
	warned_unreachable = warned_eof = 0;
	int saved = errno;
	ctl_open(KS_HELLO_FORK);
	errno = saved;
}

__attribute__((constructor)) static void ks_init(void)
{
	ks_resolve();
	const char *path = getenv("KSOCK_SOCKET");
	if (!path || !*path)
		return;
	int saved = errno;
	const char *dbg = getenv("KSOCK_DEBUG");
	ks_debug = dbg && *dbg && strcmp(dbg, "0") != 0;
	const char *base = getenv("KSOCK_FD_BASE");
	if (base && *base) {
		char *end;
		long v = strtol(base, &end, 10);
		if (*end == 0 && v >= 0 && v < (1 << 30))
			fd_base = (int)v;
	}
	size_t len = strlen(path);
	if (len >= sizeof ks_path) {
		ks_msg("ksock: KSOCK_SOCKET is longer than a Unix socket path can be (%zu bytes); calls on ksock "
		       "sockets fail with EIO",
		       len);
		len = 0;
	}
	memcpy(ks_path, path, len);
	ks_path[len] = 0;
	pthread_key_create(&ctl_key, ctl_key_destructor);
	pthread_atfork(NULL, NULL, atfork_child);
	start_kind = KS_HELLO_IMAGE;
	owner_pid = getpid();
	ks_enabled = 1;
	if (len) {
		ctl_open(KS_HELLO_IMAGE);
	} else {
		struct ks_fdent *list = NULL;
		size_t mapped = 0;
		ks_fdlist(&list, &mapped, -1, 1);
		ks_fdlist_free(list, mapped);
	}
	errno = saved;
}
