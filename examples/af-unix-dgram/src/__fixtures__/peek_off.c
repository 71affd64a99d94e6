/* SO_PEEK_OFF on an AF_UNIX datagram socketpair; linux-6.18-peek-off.json is its output on 6.18. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
int main(void) {
  int sv[2]; char b[32]; socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  int off = 2; printf("{\n  \"setsockopt\": %d,\n", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, 4));
  send(sv[0], "hello", 5, 0); send(sv[0], "world", 5, 0);
  int n = recv(sv[1], b, 10, MSG_PEEK); b[n] = 0; printf("  \"peek1\": \"%s\",\n", b);
  socklen_t l = 4; getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l); printf("  \"off1\": %d,\n", off);
  n = recv(sv[1], b, 10, MSG_PEEK); b[n] = 0; printf("  \"peek2\": \"%s\",\n", b);
  getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l); printf("  \"off2\": %d,\n", off);
  n = recv(sv[1], b, 10, 0); b[n] = 0; printf("  \"recv\": \"%s\",\n", b);
  getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l); printf("  \"off3\": %d,\n", off);
  n = recv(sv[1], b, 10, MSG_PEEK | MSG_DONTWAIT); printf("  \"peek3\": %d,\n", n < 0 ? -errno : n);
  n = recv(sv[1], b, 10, 0); b[n] = 0; printf("  \"recv2\": \"%s\",\n", b);
  getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l); printf("  \"off4\": %d\n}\n", off);
}
