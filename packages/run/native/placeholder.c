/* placeholder.c — placeholder connections: making them (PH_HELLO), recognising inherited ones, HELLO's fdlist. */
#include "ksock_preload.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int ks_placeholder_new(int flags, uint64_t *ino)
{
	int fd = ks_server_connect(flags & SOCK_CLOEXEC);
	if (fd < 0)
		return -EIO;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		real_close(fd);
		return -e;
	}
	*ino = (uint64_t)st.st_ino;
	/* PH_HELLO [pid, I]: the first and only frame on this connection, sent by hand (no reply) */
	unsigned char f[12 + 16] = {24, 0, 0, 0, KS_PH_HELLO, 0, 2, 0, 0, 0, 0, 0};
	uint64_t v[2] = {(uint64_t)getpid(), *ino};
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 8; i++)
			f[12 + 8 * k + i] = (unsigned char)(v[k] >> (8 * i));
	size_t off = 0;
	while (off < sizeof f) {
		ssize_t n = real_send(fd, f + off, sizeof f - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			real_close(fd);
			return -EIO;
		}
		off += (size_t)n;
	}
	if (flags & SOCK_NONBLOCK) {
		int fl = real_fcntl(fd, F_GETFL);
		real_fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
	return fd;
}

int ks_is_placeholder(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof sun;
	memset(&sun, 0, sizeof sun);
	if (real_getpeername(fd, (struct sockaddr *)&sun, &len) < 0 || sun.sun_family != AF_UNIX || !ks_path[0])
		return 0;
	size_t plen = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	size_t want = strlen(ks_path);
	return plen >= want && memcmp(sun.sun_path, ks_path, want) == 0 && (plen == want || sun.sun_path[want] == 0);
}

void ks_fdlist_free(struct ks_fdent *p, size_t mapped)
{
	if (p && mapped)
		munmap(p, mapped);
}

long ks_fdlist(struct ks_fdent **out, size_t *mapped, int skip, int learn)
{
	*out = NULL;
	*mapped = 0;
	int dir = real_open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	size_t cap = 0, n = 0;
	struct ks_fdent *list = NULL;
	char buf[4096] __attribute__((aligned(8)));
	for (;;) {
		long got = syscall(SYS_getdents64, dir, buf, sizeof buf);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *s = d->d_name;
			if (*s < '0' || *s > '9')
				continue;
			long fd = 0;
			for (; *s >= '0' && *s <= '9'; s++)
				fd = fd * 10 + (*s - '0');
			if (*s || fd == dir || fd == skip || fd > 0x7fffffff)
				continue;
			struct stat st;
			if (fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode))
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				void *p = mmap(NULL, ncap * sizeof *list, PROT_READ | PROT_WRITE,
				               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (p == MAP_FAILED)
					goto done;
				if (list) {
					memcpy(p, list, n * sizeof *list);
					munmap(list, cap * sizeof *list);
				}
				list = p;
				cap = ncap;
			}
			list[n].fd = (int32_t)fd;
			list[n].fd_flags = real_fcntl((int)fd, F_GETFD);
			list[n].ino = (uint64_t)st.st_ino;
			n++;
			if (learn && ks_is_placeholder((int)fd))
				ks_fdt_set((int)fd, (uint64_t)st.st_ino);
		}
	}
done:
	real_close(dir);
	*out = list;
	*mapped = cap * sizeof *list;
	return (long)n;
}
