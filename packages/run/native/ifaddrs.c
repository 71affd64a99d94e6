/* ifaddrs.c — if_nametoindex, if_indextoname, if_nameindex and getifaddrs answered by the ksock kernel. */
#include "ksock_preload.h"

#include <stdlib.h>
#include <string.h>

KS_API unsigned int if_nametoindex(const char *name)
{
	KS_READY();
	if (!ks_enabled)
		return real_if_nametoindex(name);
	if (!name) {
		errno = EFAULT;
		return 0;
	}
	struct iovec b = {(void *)name, strnlen(name, IF_NAMESIZE)};
	int64_t r = ks_call(-1, KS_IF_NAMETOINDEX, NULL, 0, &b, 1, NULL);
	if (r <= 0) {
		errno = r < 0 ? (int)-r : ENODEV;
		return 0;
	}
	return (unsigned int)r;
}

KS_API char *if_indextoname(unsigned int index, char name[IF_NAMESIZE])
{
	KS_READY();
	if (!ks_enabled)
		return real_if_indextoname(index, name);
	int64_t ints[1] = {index};
	struct ks_reply rep;
	int64_t r = ks_call(-1, KS_IF_INDEXTONAME, ints, 1, NULL, 0, &rep);
	char *out = NULL;
	if (r < 0) {
		errno = (int)-r;
	} else {
		struct iovec n = ks_rbuf(&rep, 0);
		size_t len = n.iov_len < IF_NAMESIZE - 1 ? n.iov_len : IF_NAMESIZE - 1;
		memcpy(name, n.iov_base, len);
		name[len] = 0;
		out = name;
	}
	ks_reply_free(&rep);
	return out;
}

/* Allocated as glibc allocates it (an array, each name on its own), so either if_freenameindex frees it. */
KS_API struct if_nameindex *if_nameindex(void)
{
	KS_READY();
	if (!ks_enabled)
		return real_if_nameindex();
	struct ks_reply rep;
	int64_t r = ks_call(-1, KS_IF_NAMEINDEX, NULL, 0, NULL, 0, &rep);
	if (r < 0) {
		ks_reply_free(&rep);
		errno = (int)-r;
		return NULL;
	}
	uint32_t n = rep.nint > 2 ? rep.nint - 2 : 0;
	if (rep.nbuf < n)
		n = rep.nbuf;
	struct if_nameindex *list = calloc((size_t)n + 1, sizeof *list);
	for (uint32_t i = 0; list && i < n; i++) {
		struct iovec b = ks_rbuf(&rep, i);
		list[i].if_index = (unsigned int)ks_rint(&rep, 2 + i);
		list[i].if_name = strndup(b.iov_base ? b.iov_base : "", b.iov_len);
		if (!list[i].if_name) {
			if_freenameindex(list);
			list = NULL;
		}
	}
	ks_reply_free(&rep);
	if (!list)
		errno = ENOBUFS;
	return list;
}

KS_API void if_freenameindex(struct if_nameindex *ifn)
{
	KS_READY();
	if (!ifn)
		return;
	for (struct if_nameindex *p = ifn; p->if_name || p->if_index; p++)
		free(p->if_name);
	free(ifn);
}

/* One block, as glibc's: freeifaddrs is a single free() of the first entry, whoever allocated it. */
struct ks_ifa {
	struct ifaddrs ifa;
	struct sockaddr_storage addr, netmask, broad;
	char name[IF_NAMESIZE];
};

static struct sockaddr *put_sa(struct sockaddr_storage *to, struct iovec b)
{
	if (!b.iov_len)
		return NULL;
	memcpy(to, b.iov_base, b.iov_len < sizeof *to ? b.iov_len : sizeof *to);
	return (struct sockaddr *)to;
}

KS_API int getifaddrs(struct ifaddrs **out)
{
	KS_READY();
	if (!ks_enabled)
		return real_getifaddrs(out);
	struct ks_reply rep;
	int64_t r = ks_call(-1, KS_GETIFADDRS, NULL, 0, NULL, 0, &rep);
	if (r < 0) {
		ks_reply_free(&rep);
		return (int)ks_ret(r);
	}
	uint32_t n = rep.nint > 2 ? (rep.nint - 2) / 3 : 0;
	if (rep.nbuf / 4 < n)
		n = rep.nbuf / 4;
	struct ks_ifa *a = n ? calloc(n, sizeof *a) : NULL;
	if (n && !a) {
		ks_reply_free(&rep);
		return (int)ks_ret(-ENOMEM);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct iovec name = ks_rbuf(&rep, 4 * i);
		size_t len = name.iov_len < IF_NAMESIZE - 1 ? name.iov_len : IF_NAMESIZE - 1;
		memcpy(a[i].name, name.iov_base, len);
		a[i].ifa.ifa_name = a[i].name;
		a[i].ifa.ifa_flags = (unsigned int)ks_rint(&rep, 2 + 3 * i);
		a[i].ifa.ifa_addr = put_sa(&a[i].addr, ks_rbuf(&rep, 4 * i + 1));
		a[i].ifa.ifa_netmask = put_sa(&a[i].netmask, ks_rbuf(&rep, 4 * i + 2));
		a[i].ifa.ifa_broadaddr = put_sa(&a[i].broad, ks_rbuf(&rep, 4 * i + 3));
		/* a netmask (and a broadcast/peer address) carries the family of the address it goes with */
		if (a[i].ifa.ifa_netmask && a[i].ifa.ifa_addr && a[i].netmask.ss_family == 0)
			a[i].netmask.ss_family = a[i].addr.ss_family;
		a[i].ifa.ifa_next = i + 1 < n ? &a[i + 1].ifa : NULL;
	}
	ks_reply_free(&rep);
	*out = a ? &a[0].ifa : NULL;
	return 0;
}

KS_API void freeifaddrs(struct ifaddrs *ifa)
{
	KS_READY();
	free(ifa);
}
