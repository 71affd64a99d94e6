/*
 * Asks the host kernel how PF_INET sockets behave, and prints the answers as JSON for
 * src/__fixtures__/host-linux.json. Run as root: cc -O2 -o /tmp/host_probe tools/host_probe.c && /tmp/host_probe
 * The unprivileged half runs in a child that drops to uid/gid 65534 (no capabilities).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

static const char *en(int e) {
  switch (e) {
  case 0: return "OK";
  case EINVAL: return "EINVAL";
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
  case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case ENOPROTOOPT: return "ENOPROTOOPT";
  case EFAULT: return "EFAULT";
  case EINPROGRESS: return "EINPROGRESS";
  case EISCONN: return "EISCONN";
  case EALREADY: return "EALREADY";
  case ECONNREFUSED: return "ECONNREFUSED";
  default: { static char b[32]; snprintf(b, sizeof b, "E%d", e); return b; }
  }
}

static void print_file(const char *key, const char *path, int comma) {
  FILE *f = fopen(path, "r");
  printf("  \"%s\": \"", key);
  if (f) {
    int c;
    while ((c = fgetc(f)) != EOF) {
      if (c == '\n') printf("\\n");
      else if (c == '\t') printf("\\t");
      else if (c == '"' || c == '\\') printf("\\%c", c);
      else putchar(c);
    }
    fclose(f);
  }
  printf("\"%s\n", comma ? "," : "");
}

static int types[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static int protos[] = {-1, 0, 1, 2, 6, 17, 41, 132, 136, 255, 256, 262, 263};

static void socket_matrix(const char *key) {
  printf("  \"%s\": {", key);
  int first = 1;
  for (unsigned t = 0; t < sizeof types / sizeof *types; t++)
    for (unsigned p = 0; p < sizeof protos / sizeof *protos; p++) {
      int fd = socket(AF_INET, types[t], protos[p]);
      int e = fd < 0 ? errno : 0;
      if (fd >= 0) close(fd);
      printf("%s\"%d/%d\": \"%s\"", first ? "" : ", ", types[t], protos[p], en(e));
      first = 0;
    }
  printf("},\n");
}

static struct sockaddr_in sin4(const char *ip, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

static const char *bind_try(int type, const char *ip, int port, int family, int len) {
  int fd = socket(AF_INET, type, 0);
  struct sockaddr_in a = sin4(ip, port);
  a.sin_family = family;
  int r = bind(fd, (struct sockaddr *)&a, len);
  int e = r < 0 ? errno : 0;
  close(fd);
  return en(e);
}

static void bind_cases(const char *key) {
  printf("  \"%s\": {\n", key);
  printf("    \"short_len_15\": \"%s\",\n", bind_try(SOCK_STREAM, "127.0.0.1", 0, AF_INET, 15));
  printf("    \"family_inet6\": \"%s\",\n", bind_try(SOCK_STREAM, "127.0.0.1", 0, AF_INET6, 16));
  printf("    \"unspec_any\": \"%s\",\n", bind_try(SOCK_STREAM, "0.0.0.0", 0, AF_UNSPEC, 16));
  printf("    \"unspec_loopback\": \"%s\",\n", bind_try(SOCK_STREAM, "127.0.0.1", 0, AF_UNSPEC, 16));
  printf("    \"nonlocal_192_0_2_1\": \"%s\",\n", bind_try(SOCK_STREAM, "192.0.2.1", 0, AF_INET, 16));
  printf("    \"loopback_127_1_2_3\": \"%s\",\n", bind_try(SOCK_DGRAM, "127.1.2.3", 0, AF_INET, 16));
  printf("    \"broadcast_255\": \"%s\",\n", bind_try(SOCK_DGRAM, "255.255.255.255", 0, AF_INET, 16));
  printf("    \"multicast_224_0_0_1_udp\": \"%s\",\n", bind_try(SOCK_DGRAM, "224.0.0.1", 0, AF_INET, 16));
  printf("    \"port_80_tcp\": \"%s\",\n", bind_try(SOCK_STREAM, "127.0.0.1", 80, AF_INET, 16));
  printf("    \"port_1023_udp\": \"%s\",\n", bind_try(SOCK_DGRAM, "0.0.0.0", 1023, AF_INET, 16));
  printf("    \"port_1024_udp\": \"%s\",\n", bind_try(SOCK_DGRAM, "0.0.0.0", 1024, AF_INET, 16));
  /* twice */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin4("127.0.0.1", 0);
  bind(fd, (struct sockaddr *)&a, sizeof a);
  int r = bind(fd, (struct sockaddr *)&a, sizeof a);
  printf("    \"bind_twice\": \"%s\",\n", en(r < 0 ? errno : 0));
  socklen_t sl = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &sl);
  int port = ntohs(a.sin_port);
  printf("    \"ephemeral_in_range\": %s,\n", port >= 32768 && port <= 60999 ? "true" : "false");
  printf("    \"getsockname_len\": %d,\n", (int)sl);
  int fd2 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in b = sin4("127.0.0.1", port);
  r = bind(fd2, (struct sockaddr *)&b, sizeof b);
  printf("    \"tcp_same_port\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(fd2);
  int one = 1;
  fd2 = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  r = bind(fd2, (struct sockaddr *)&b, sizeof b);
  printf("    \"tcp_same_port_both_reuseaddr_unlistened\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(fd2);
  listen(fd, 5);
  fd2 = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  r = bind(fd2, (struct sockaddr *)&b, sizeof b);
  printf("    \"tcp_same_port_reuseaddr_listener\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(fd2);
  close(fd);
  /* UDP: reuseport */
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(u1, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  setsockopt(u2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  a = sin4("127.0.0.1", 0);
  bind(u1, (struct sockaddr *)&a, sizeof a);
  sl = sizeof a;
  getsockname(u1, (struct sockaddr *)&a, &sl);
  r = bind(u2, (struct sockaddr *)&a, sizeof a);
  printf("    \"udp_same_port_reuseport\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(u2);
  u2 = socket(AF_INET, SOCK_DGRAM, 0);
  r = bind(u2, (struct sockaddr *)&a, sizeof a);
  printf("    \"udp_same_port\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(u2);
  u2 = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in c = sin4("0.0.0.0", ntohs(a.sin_port));
  r = bind(u2, (struct sockaddr *)&c, sizeof c);
  printf("    \"udp_any_same_port\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(u2);
  close(u1);
  u1 = socket(AF_INET, SOCK_DGRAM, 0);
  r = listen(u1, 5);
  printf("    \"udp_listen\": \"%s\",\n", en(r < 0 ? errno : 0));
  close(u1);
  u1 = socket(AF_INET, SOCK_STREAM, 0);
  r = listen(u1, 5);
  sl = sizeof a;
  getsockname(u1, (struct sockaddr *)&a, &sl);
  printf("    \"tcp_listen_unbound_autobinds\": %s\n", r == 0 && ntohs(a.sin_port) != 0 ? "true" : "false");
  close(u1);
  printf("  },\n");
}

static int geti(int fd, int level, int opt) {
  int v = -12345;
  socklen_t l = sizeof v;
  if (getsockopt(fd, level, opt, &v, &l) < 0) return -errno;
  return v;
}

static void fresh(const char *key, int type, int proto) {
  int fd = socket(AF_INET, type, proto);
  printf("  \"%s\": {", key);
  printf("\"SO_TYPE\": %d, \"SO_PROTOCOL\": %d, \"SO_DOMAIN\": %d, \"SO_RCVBUF\": %d, \"SO_SNDBUF\": %d, "
         "\"IP_TTL\": %d, \"IP_MTU_DISCOVER\": %d, \"IP_MULTICAST_TTL\": %d, \"IP_MULTICAST_LOOP\": %d, "
         "\"IP_TOS\": %d, \"SO_REUSEADDR\": %d",
         geti(fd, SOL_SOCKET, SO_TYPE), geti(fd, SOL_SOCKET, SO_PROTOCOL), geti(fd, SOL_SOCKET, SO_DOMAIN),
         geti(fd, SOL_SOCKET, SO_RCVBUF), geti(fd, SOL_SOCKET, SO_SNDBUF), geti(fd, IPPROTO_IP, IP_TTL),
         geti(fd, IPPROTO_IP, IP_MTU_DISCOVER), geti(fd, IPPROTO_IP, IP_MULTICAST_TTL),
         geti(fd, IPPROTO_IP, IP_MULTICAST_LOOP), geti(fd, IPPROTO_IP, IP_TOS), geti(fd, SOL_SOCKET, SO_REUSEADDR));
  if (type == SOCK_STREAM) {
    char cc[32] = {0};
    socklen_t l = sizeof cc;
    getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &l);
    printf(", \"TCP_MAXSEG\": %d, \"TCP_NODELAY\": %d, \"TCP_CONGESTION\": \"%s\", \"TCP_CONGESTION_len\": %d",
           geti(fd, IPPROTO_TCP, TCP_MAXSEG), geti(fd, IPPROTO_TCP, TCP_NODELAY), cc, (int)l);
    printf(", \"TCP_CORK\": %d, \"TCP_KEEPIDLE\": %d, \"TCP_KEEPINTVL\": %d, \"TCP_KEEPCNT\": %d, \"TCP_SYNCNT\": %d"
           ", \"TCP_LINGER2\": %d, \"TCP_DEFER_ACCEPT\": %d, \"TCP_WINDOW_CLAMP\": %d, \"TCP_QUICKACK\": %d"
           ", \"TCP_USER_TIMEOUT\": %d, \"TCP_bogus_99\": %d, \"SOL_UDP_on_tcp\": %d",
           geti(fd, IPPROTO_TCP, TCP_CORK), geti(fd, IPPROTO_TCP, TCP_KEEPIDLE), geti(fd, IPPROTO_TCP, TCP_KEEPINTVL),
           geti(fd, IPPROTO_TCP, TCP_KEEPCNT), geti(fd, IPPROTO_TCP, TCP_SYNCNT), geti(fd, IPPROTO_TCP, TCP_LINGER2),
           geti(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), geti(fd, IPPROTO_TCP, TCP_WINDOW_CLAMP),
           geti(fd, IPPROTO_TCP, TCP_QUICKACK), geti(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), geti(fd, IPPROTO_TCP, 99),
           geti(fd, IPPROTO_UDP, 1));
    unsigned char info[512];
    l = sizeof info;
    memset(info, 0, sizeof info);
    getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &l);
    printf(", \"TCP_INFO_len\": %d, \"TCP_INFO\": [", (int)l);
    for (socklen_t i = 0; i < l; i++) printf("%s%d", i ? "," : "", info[i]);
    printf("]");
  }
  printf("},\n");
  close(fd);
}

static void proc_rows(void) {
  int t = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin4("127.0.0.1", 40123);
  int one = 1;
  setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind(t, (struct sockaddr *)&a, sizeof a);
  listen(t, 7);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  a = sin4("127.0.0.1", 40124);
  bind(u, (struct sockaddr *)&a, sizeof a);
  int r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  struct stat st;
  fstat(t, &st);
  printf("  \"proc_inodes\": {\"tcp\": %lu,", (unsigned long)st.st_ino);
  fstat(u, &st);
  printf(" \"udp\": %lu,", (unsigned long)st.st_ino);
  fstat(r, &st);
  printf(" \"raw\": %lu},\n", (unsigned long)st.st_ino);
  print_file("proc_net_tcp", "/proc/net/tcp", 1);
  print_file("proc_net_udp", "/proc/net/udp", 1);
  print_file("proc_net_raw", "/proc/net/raw", 1);
  print_file("proc_net_sockstat", "/proc/net/sockstat", 1);
  close(t);
  close(u);
  close(r);
}

static void loopback_tcp(void) {
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin4("127.0.0.1", 40999);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind(l, (struct sockaddr *)&a, sizeof a);
  listen(l, 1);
  printf("  \"nonblocking_connect_backlog_1\": [");
  for (int i = 0; i < 4; i++) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    printf("%s\"", i ? ", " : "");
    for (int j = 0; j < 3; j++) {
      int r = connect(c, (struct sockaddr *)&a, sizeof a);
      printf("%s%s", j ? " " : "", en(r < 0 ? errno : 0));
    }
    printf("\"");
  }
  printf("],\n");
  close(l);
  l = socket(AF_INET, SOCK_STREAM, 0);
  a = sin4("127.0.0.1", 40997);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind(l, (struct sockaddr *)&a, sizeof a);
  listen(l, 1);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&a, sizeof a);
  int s = accept(l, 0, 0);
  printf("  \"loopback_mss\": {\"client\": %d, \"server\": %d},\n", geti(c, IPPROTO_TCP, TCP_MAXSEG),
         geti(s, IPPROTO_TCP, TCP_MAXSEG));
  close(c);
  close(s);
  close(l);
  c = socket(AF_INET, SOCK_STREAM, 0);
  a = sin4("127.0.0.1", 40998);
  int r1 = connect(c, (struct sockaddr *)&a, sizeof a);
  int e1 = errno;
  int r2 = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("  \"connect_refused_twice\": \"%s", en(r1 < 0 ? e1 : 0));
  printf(" %s\",\n", en(r2 < 0 ? errno : 0));
  close(c);
}

int main(void) {
  struct utsname u;
  uname(&u);
  printf("{\n  \"kernel\": \"%s %s %s\",\n", u.sysname, u.release, u.machine);
  print_file("protocols", "/proc/net/protocols", 1);
  const char *sys[] = {"tcp_rmem", "tcp_wmem", "tcp_congestion_control", "ping_group_range", "ip_default_ttl",
                       "ip_no_pmtu_disc", "ip_local_port_range", "ip_unprivileged_port_start", "tcp_reordering",
                       "tcp_rto_max_ms", "tcp_rto_min_us", "tcp_syn_retries", "tcp_fin_timeout",
                       "tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes", "ip_nonlocal_bind"};
  char path[128];
  for (unsigned i = 0; i < sizeof sys / sizeof *sys; i++) {
    char key[64];
    snprintf(path, sizeof path, "/proc/sys/net/ipv4/%s", sys[i]);
    snprintf(key, sizeof key, "sysctl_%s", sys[i]);
    print_file(key, path, 1);
  }
  print_file("sysctl_rmem_default", "/proc/sys/net/core/rmem_default", 1);
  print_file("sysctl_wmem_default", "/proc/sys/net/core/wmem_default", 1);
  socket_matrix("socket_root");
  bind_cases("bind_root");
  fresh("fresh_tcp", SOCK_STREAM, 0);
  fresh("fresh_udp", SOCK_DGRAM, 0);
  fresh("fresh_raw_icmp", SOCK_RAW, IPPROTO_ICMP);
  fresh("fresh_raw_255", SOCK_RAW, IPPROTO_RAW);
  proc_rows();
  loopback_tcp();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
      perror("drop");
      _exit(1);
    }
    socket_matrix("socket_unprivileged");
    bind_cases("bind_unprivileged");
    fflush(stdout);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("  \"unprivileged_uid\": 65534\n}\n");
  return 0;
}
