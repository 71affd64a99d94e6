/* churn.c — open and close sockets of every kind ksock serves: a TCP connection to a listener of its own,
 * UDP to itself, a netlink socket. Exits 0 when every answer was right, else prints what failed. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(x)                                                                                          \
	do {                                                                                              \
		if (!(x)) {                                                                               \
			perror(#x);                                                                       \
			return 1;                                                                         \
		}                                                                                         \
	} while (0)

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	char buf[8];
	int l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(listen(l, 8) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK(send(c, "ping", 4, 0) == 4);
	CHECK(recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0);
	CHECK(close(s) == 0 && close(c) == 0 && close(l) == 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0);
	len = sizeof a;
	CHECK(getsockname(u, (struct sockaddr *)&a, &len) == 0);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a) == 1);
	CHECK(recv(u, buf, sizeof buf, 0) == 1);
	CHECK(close(u) == 0);
	int n = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	CHECK(n >= 0 && bind(n, (struct sockaddr *)&nl, sizeof nl) == 0);
	CHECK(close(n) == 0);
	return 0;
}
