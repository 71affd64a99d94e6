/*
 * Asks the running Linux kernel how AF_UNIX datagram sockets answer the calls the example models, and
 * prints the answers as JSON (negative numbers are -errno). linux-6.18.json is its output on 6.18.
 * Build and run as root (the last check unshares a network namespace):
 *   mkdir -p /tmp/uprobe && gcc -o /tmp/uprobe/probe probe.c && /tmp/uprobe/probe
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/utsname.h>
static int first = 1;
static void out(const char *k, long v) { printf("%s\n  \"%s\": %ld", first ? "{" : ",", k, v); first = 0; }
static void outs(const char *k, const char *v) { printf("%s\n  \"%s\": \"%s\"", first ? "{" : ",", k, v); first = 0; }
static long R(long r) { return r < 0 ? -errno : r; }
static socklen_t mk(struct sockaddr_un *a, const char *p, int abstract) {
  memset(a, 0, sizeof *a); a->sun_family = AF_UNIX;
  if (abstract) { a->sun_path[0] = 0; memcpy(a->sun_path + 1, p, strlen(p)); return 2 + 1 + strlen(p); }
  strcpy(a->sun_path, p); return 2 + strlen(p) + 1;
}
static void procline(const char *key, unsigned long ino) {
  FILE *f = fopen("/proc/net/unix", "r"); char line[512];
  while (fgets(line, sizeof line, f)) { unsigned long i; char *c = strchr(line, ':'); if (!c) continue;
    char rest[400]; strcpy(rest, c + 2); rest[strcspn(rest, "\n")] = 0;
    unsigned rc, pr, fl, ty, st; if (sscanf(rest, "%x %x %x %x %x %lu", &rc, &pr, &fl, &ty, &st, &i) == 6 && i == ino) { outs(key, rest); break; } }
  fclose(f);
}
static unsigned long ino(int fd) { char p[64], b[64]; snprintf(p, 64, "/proc/self/fd/%d", fd); ssize_t n = readlink(p, b, 63); b[n] = 0; unsigned long i; sscanf(b, "socket:[%lu]", &i); return i; }
int main(void) {
  struct utsname u; uname(&u); outs("kernel", u.release);
  struct sockaddr_un a, b; socklen_t al; char buf[300000]; socklen_t sl;
  out("socket_stream_proto2", R(socket(AF_UNIX, SOCK_STREAM, 2)));
  out("socket_dgram_proto1", R(close(socket(AF_UNIX, SOCK_DGRAM, 1))));
  out("socket_dgram_proto2", R(socket(AF_UNIX, SOCK_DGRAM, 2)));
  out("socket_type0", R(socket(AF_UNIX, 0, 0)));
  out("socket_rdm", R(socket(AF_UNIX, SOCK_RDM, 0)));
  int r = socket(AF_UNIX, SOCK_RAW, 0); int t; sl = 4; getsockopt(r, SOL_SOCKET, SO_TYPE, &t, &sl); out("raw_so_type", t); close(r);
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  procline("proc_fresh", ino(s));
  sl = sizeof a; getsockname(s, (void*)&a, &sl); out("getsockname_unbound_len", sl);
  sl = sizeof a; out("getpeername_unbound", R(getpeername(s, (void*)&a, &sl)));
  memset(&a, 0, sizeof a); a.sun_family = AF_UNIX;
  out("bind_len0", R(bind(s, (void*)&a, 0)));
  out("bind_len1", R(bind(s, (void*)&a, 1)));
  out("bind_len111", R(bind(s, (void*)&a, 111)));
  a.sun_family = AF_INET; out("bind_badfamily_len3", R(bind(s, (void*)&a, 3)));
  a.sun_family = AF_INET; out("bind_badfamily_len2", R(bind(s, (void*)&a, 2)));
  a.sun_family = AF_UNIX; out("autobind", R(bind(s, (void*)&a, 2)));
  sl = sizeof a; getsockname(s, (void*)&a, &sl); out("autobind_len", sl); outs("autobind_name", a.sun_path + 1);
  procline("proc_autobound", ino(s));
  a.sun_family = AF_UNIX; out("autobind_again", R(bind(s, (void*)&a, 2)));
  al = mk(&b, "ksock-x", 1); out("bind_abstract_when_bound", R(bind(s, (void*)&b, al)));
  unlink("/tmp/uprobe/new"); al = mk(&b, "/tmp/uprobe/new", 0); out("bind_path_when_bound", R(bind(s, (void*)&b, al)));
  out("bind_path_when_bound_left_file", access("/tmp/uprobe/new", F_OK) == 0);
  close(s);
  // abstract bind / EADDRINUSE / name with embedded NUL
  int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0);
  al = mk(&a, "ksock-probe", 1); out("bind_abstract", R(bind(x, (void*)&a, al)));
  out("bind_abstract_inuse", R(bind(y, (void*)&a, al)));
  out("bind_abstract_shorter", R(bind(y, (void*)&a, al - 1)));
  sl = sizeof b; getsockname(y, (void*)&b, &sl); out("abstract_shorter_len", sl);
  procline("proc_abstract", ino(x));
  close(y);
  // pathname
  unlink("/tmp/uprobe/p"); int p = socket(AF_UNIX, SOCK_DGRAM, 0);
  memset(&a, 0, sizeof a); a.sun_family = AF_UNIX; strcpy(a.sun_path, "/tmp/uprobe/p");
  out("bind_path_len_exact", R(bind(p, (void*)&a, 2 + 13)));
  sl = sizeof b; getsockname(p, (void*)&b, &sl); out("path_getsockname_len", sl);
  procline("proc_path", ino(p));
  int q = socket(AF_UNIX, SOCK_DGRAM, 0); out("bind_path_inuse", R(bind(q, (void*)&a, 2 + 14)));
  close(q);
  // 108-byte path
  char longp[109]; memset(longp, 'a', 108); longp[108] = 0; memcpy(longp, "/tmp/uprobe/", 12);
  unlink(longp); int l = socket(AF_UNIX, SOCK_DGRAM, 0); memset(&a, 0, sizeof a); a.sun_family = AF_UNIX; memcpy(a.sun_path, longp, 108);
  out("bind_path108", R(bind(l, (void*)&a, 110)));
  char big[200]; sl = sizeof big; getsockname(l, (void*)big, &sl); out("path108_getsockname_len", sl); close(l); unlink(longp);
  // send errors
  int c = socket(AF_UNIX, SOCK_DGRAM, 0);
  out("send_noaddr_unconnected", R(send(c, "x", 1, 0)));
  al = mk(&a, "ksock-nobody", 1); out("sendto_abstract_unbound", R(sendto(c, "x", 1, 0, (void*)&a, al)));
  al = mk(&a, "/tmp/uprobe/nonexistent", 0); out("sendto_path_missing", R(sendto(c, "x", 1, 0, (void*)&a, al)));
  a.sun_family = AF_UNIX; out("sendto_len2", R(sendto(c, "x", 1, 0, (void*)&a, 2)));
  out("send_oob", R(sendto(c, "x", 1, MSG_OOB, (void*)&a, al)));
  al = mk(&a, "ksock-probe", 1);
  int sb = 0; sl = 4; getsockopt(c, SOL_SOCKET, SO_SNDBUF, &sb, &sl); out("sndbuf", sb);
  out("sendto_emsgsize", R(sendto(c, buf, sb - 31, 0, (void*)&a, al)));
  out("sendto_max", R(sendto(c, buf, sb - 32, MSG_DONTWAIT, (void*)&a, al)));
  sl = sizeof b; int n = recvfrom(x, buf, sizeof buf, MSG_DONTWAIT, (void*)&b, &sl); out("recv_max", n); out("recv_from_unbound_addrlen", sl);
  int sent = 0; for (int i = 0; i < 100; i++) { if (sendto(c, "y", 1, MSG_DONTWAIT, (void*)&a, al) < 0) { out("qfull_errno", -errno); break; } sent++; }
  out("qlen_accepted", sent);
  // peek / trunc
  for (int i = 0; i < sent; i++) recv(x, buf, 10, MSG_DONTWAIT);
  sendto(c, "hello", 5, 0, (void*)&a, al);
  out("recv_peek_trunc", R(recv(x, buf, 2, MSG_PEEK | MSG_TRUNC)));
  struct msghdr m = {0}; struct iovec iv = { buf, 2 }; m.msg_iov = &iv; m.msg_iovlen = 1;
  out("recvmsg_trunc_ret", R(recvmsg(x, &m, 0))); out("recvmsg_trunc_flags", m.msg_flags);
  out("recv_empty_nonblock", R(recv(x, buf, 10, MSG_DONTWAIT)));
  // connect
  al = mk(&a, "ksock-probe", 1);
  out("connect_len1", R(connect(c, (void*)&a, 1)));
  out("connect", R(connect(c, (void*)&a, al)));
  procline("proc_connected", ino(c)); procline("proc_connect_target", ino(x));
  sl = sizeof b; getpeername(c, (void*)&b, &sl); out("getpeername_len", sl);
  out("send_connected", R(send(c, "z", 1, 0)));
  sl = sizeof b; recvfrom(x, buf, 10, 0, (void*)&b, &sl); out("recv_from_autobound_addrlen", sl);
  out("shut_rd_recv_side", R(shutdown(x, SHUT_RD)));
  out("send_to_rcv_shutdown", R(send(c, "z", 1, 0)));
  out("recv_empty_nonblock_after_shut_rd", R(recv(x, buf, 10, MSG_DONTWAIT)));
  out("recv_empty_block_after_shut_rd", R(recv(x, buf, 10, 0)));
  out("shutdown_bad", R(shutdown(c, 3)));
  struct sockaddr unspec = { .sa_family = AF_UNSPEC };
  out("connect_unspec", R(connect(c, &unspec, sizeof unspec)));
  sl = sizeof b; out("getpeername_after_unspec", R(getpeername(c, (void*)&b, &sl)));
  out("shut_wr", R(shutdown(c, SHUT_WR)));
  out("send_after_shut_wr", R(sendto(c, "z", 1, 0, (void*)&a, al)));
  close(c);
  // dead peer
  int d = socket(AF_UNIX, SOCK_DGRAM, 0), e = socket(AF_UNIX, SOCK_DGRAM, 0);
  al = mk(&a, "ksock-dead", 1); bind(e, (void*)&a, al); connect(d, (void*)&a, al);
  procline("proc_target_refcnt", ino(e));
  close(e);
  out("send_dead_peer", R(send(d, "z", 1, 0)));
  out("send_dead_peer_again", R(send(d, "z", 1, 0)));
  close(d);
  // EPERM: target connected elsewhere
  int f1 = socket(AF_UNIX, SOCK_DGRAM, 0), f2 = socket(AF_UNIX, SOCK_DGRAM, 0), f3 = socket(AF_UNIX, SOCK_DGRAM, 0);
  al = mk(&a, "ksock-f1", 1); bind(f1, (void*)&a, al);
  al = mk(&b, "ksock-f2", 1); bind(f2, (void*)&b, al); connect(f1, (void*)&b, al);
  al = mk(&a, "ksock-f1", 1); out("sendto_eperm", R(sendto(f3, "z", 1, 0, (void*)&a, al))); out("connect_eperm", R(connect(f3, (void*)&a, al)));
  // reconnect purges queue; ECONNRESET to old peer connected back
  al = mk(&a, "ksock-f1", 1); connect(f2, (void*)&a, al);
  send(f2, "q", 1, 0); // f1's queue has 1
  al = mk(&a, "ksock-f3", 1); bind(f3, (void*)&a, al); connect(f1, (void*)&a, al); // f1 reconnects: queue purged, f2 gets ECONNRESET
  out("after_reconnect_recv", R(recv(f1, buf, 10, MSG_DONTWAIT)));
  out("old_peer_send", R(send(f2, "z", 1, 0)));
  out("old_peer_send2", R(send(f2, "z", 1, 0)));
  close(f1); close(f2); close(f3);
  // socketpair
  int sv[2]; out("socketpair", R(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)));
  procline("proc_pair", ino(sv[0]));
  sl = sizeof b; getpeername(sv[0], (void*)&b, &sl); out("pair_peername_len", sl);
  sent = 0; for (int i = 0; i < 2000; i++) { if (send(sv[0], "y", 1, MSG_DONTWAIT) < 0) { out("pair_full_errno", -errno); break; } sent++; }
  out("pair_accepted", sent);
  close(sv[0]); close(sv[1]);
  // pathname after close
  close(p);
  al = mk(&a, "/tmp/uprobe/p", 0); int g = socket(AF_UNIX, SOCK_DGRAM, 0);
  out("sendto_path_closed", R(sendto(g, "x", 1, 0, (void*)&a, al)));
  out("bind_path_stale", R(bind(g, (void*)&a, al)));
  // cross-netns
  unlink("/tmp/uprobe/ns"); int h = socket(AF_UNIX, SOCK_DGRAM, 0); al = mk(&a, "/tmp/uprobe/ns", 0); bind(h, (void*)&a, al);
  al = mk(&b, "ksock-ns", 1); int h2 = socket(AF_UNIX, SOCK_DGRAM, 0); bind(h2, (void*)&b, al);
  int pfd[2]; pipe(pfd);
  if (fork() == 0) { long res[3]; res[0] = unshare(CLONE_NEWNET); int z = socket(AF_UNIX, SOCK_DGRAM, 0);
    res[1] = R(sendto(z, "x", 1, 0, (void*)&a, mk(&a, "/tmp/uprobe/ns", 0)));
    res[2] = R(sendto(z, "x", 1, 0, (void*)&b, mk(&b, "ksock-ns", 1)));
    write(pfd[1], res, sizeof res); _exit(0); }
  long res[3]; read(pfd[0], res, sizeof res); wait(NULL);
  out("netns_unshare", res[0]); out("netns_sendto_path", res[1]); out("netns_sendto_abstract", res[2]);
  printf("\n}\n");
  return 0;
}
