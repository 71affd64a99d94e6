/* fdtable.c — the fd→inode table telling which host descriptors are ksock placeholders. */
#include "ksock_preload.h"

#include <sys/mman.h>

/* Two levels, chunks installed once with a compare-and-swap and never freed, so lookups take no lock and
 * the table may be touched from a fork child or a signal handler. */
uint64_t *ks_fdt[KS_FDT_TOP];

void ks_fdt_set(int fd, uint64_t ino)
{
	if ((unsigned)fd >= KS_FDT_TOP * KS_FDT_CHUNK)
		return;
	uint64_t **slot = &ks_fdt[(unsigned)fd >> KS_FDT_CHUNK_BITS];
	uint64_t *c = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!c) {
		uint64_t *fresh = mmap(NULL, KS_FDT_CHUNK * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fresh == MAP_FAILED)
			return;
		uint64_t *expect = NULL;
		if (__atomic_compare_exchange_n(slot, &expect, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			c = fresh;
		} else {
			munmap(fresh, KS_FDT_CHUNK * sizeof(uint64_t));
			c = expect;
		}
	}
	__atomic_store_n(&c[(unsigned)fd & (KS_FDT_CHUNK - 1)], ino, __ATOMIC_RELEASE);
}

void ks_fdt_clear(int fd)
{
	if ((unsigned)fd >= KS_FDT_TOP * KS_FDT_CHUNK)
		return;
	uint64_t *c = __atomic_load_n(&ks_fdt[(unsigned)fd >> KS_FDT_CHUNK_BITS], __ATOMIC_ACQUIRE);
	if (c)
		__atomic_store_n(&c[(unsigned)fd & (KS_FDT_CHUNK - 1)], 0, __ATOMIC_RELEASE);
}

uint64_t ks_fd_slow(int fd)
{
	uint64_t ino = ks_fdt_get(fd);
	if (!ino)
		return 0;
	struct stat st;
	int saved = errno;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && (uint64_t)st.st_ino == ino)
		return ino;
	/* closed behind our back (a raw close, libc-internal) and the number reused or gone */
	if (!ks_foreign())
		ks_fdt_clear(fd);
	errno = saved;
	return 0;
}
