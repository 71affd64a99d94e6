/*
 * linux_bench: the Linux side of ksock's benchmarks. The bench (apps/bench/src/linux.ts) compiles this
 * file with gcc at run time and runs it once per operation; each run prints one JSON line on stdout.
 *
 *   linux_bench fcntl <min_seconds> <repeats>
 *   linux_bench socket_close <family> <type> <protocol> <min_seconds> <repeats>
 *   linux_bench unicast <payload_bytes> <batch> <min_seconds> <repeats>
 *   linux_bench multicast <members> <payload_bytes> <min_seconds> <repeats>
 *   linux_bench dump <min_seconds> <repeats>
 *   linux_bench many <count, 0 = as many as RLIMIT_NOFILE allows> <slabinfo_before> <slabinfo_after>
 *   linux_bench getsockname <min_seconds> <repeats>
 *   linux_bench pingpong <message_bytes> <min_seconds> <repeats>
 *   linux_bench exec <command> [args...]
 *
 * getsockname, pingpong and exec also run under ksock's bridge (LD_PRELOAD of @ksock/run's library, with
 * KSOCK_SOCKET naming a kernel the bench serves): the same binary, the same calls, answered by ksock.
 *
 * Every rate is measured the same way as the ksock side does it (src/measure.ts): one short warm-up
 * sample, then `repeats` samples, each running chunks of operations until at least `min_seconds` have
 * passed; the result is the median sample. Netlink messages are a 16-byte nlmsghdr plus the payload.
 *
 * Our own code, written for this benchmark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 64
#define USER_TYPE 0x10 /* NLMSG_MIN_TYPE: the first type free for a protocol's own messages */
#define RCVBUF 212992  /* the default net.core.rmem_max; the kernel doubles it */
#define RECV_LEN 32768

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *op, const char *what) {
  printf("{\"op\":\"%s\",\"error\":\"%s: %s\",\"errno\":%d}\n", op, what, strerror(errno), errno);
  exit(0);
}

/* One chunk of operations; returns how many operations it did. */
typedef long (*chunk_fn)(void *ctx);

/* On-CPU time of this thread (user and kernel, syscalls included). */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The rate per on-CPU second of the last sample (what the JSON calls cpu_samples). */
static double last_cpu_rate;

static double sample(chunk_fn fn, void *ctx, double min_s) {
  long ops = 0;
  double c0 = cpu_now();
  double t0 = now(), t;
  do {
    ops += fn(ctx);
    t = now();
  } while (t - t0 < min_s);
  double c = cpu_now() - c0;
  last_cpu_rate = c > 0 ? (double)ops / c : 0;
  return (double)ops / (t - t0);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(const double *xs, int n) {
  double sorted[MAX_SAMPLES];
  memcpy(sorted, xs, sizeof(double) * (size_t)n);
  qsort(sorted, (size_t)n, sizeof(double), cmp_double);
  return sorted[n / 2];
}

/* The per-on-CPU-second samples of the last measure(). */
static double cpu_samples[MAX_SAMPLES];
static int n_cpu_samples;

/* Warm up, take `repeats` samples into out[], return the median. */
static double measure(chunk_fn fn, void *ctx, double min_s, int repeats, double *out) {
  sample(fn, ctx, min_s / 4);
  for (int i = 0; i < repeats; i++) {
    out[i] = sample(fn, ctx, min_s);
    cpu_samples[i] = last_cpu_rate;
  }
  n_cpu_samples = repeats;
  return median(out, repeats);
}

/* "samples":[…],"cpu_ops_per_sec":…,"cpu_samples":[…] (the on-CPU figures of the last measure()). */
static void print_samples(const double *s, int n) {
  printf("\"samples\":[");
  for (int i = 0; i < n; i++) printf("%s%.1f", i ? "," : "", s[i]);
  printf("],\"cpu_ops_per_sec\":%.1f,\"cpu_samples\":[", median(cpu_samples, n_cpu_samples));
  for (int i = 0; i < n_cpu_samples; i++) printf("%s%.1f", i ? "," : "", cpu_samples[i]);
  printf("]");
}

/* ---- fcntl(F_GETFD): entering the kernel and looking up an fd, the floor under every other row ---- */
static long chunk_fcntl(void *p) {
  int fd = *(int *)p;
  for (int i = 0; i < 256; i++)
    if (fcntl(fd, F_GETFD) < 0) die("fcntl", "F_GETFD");
  return 256;
}

static void op_fcntl(double min_s, int repeats) {
  int fd = open("/dev/null", O_RDWR);
  if (fd < 0) die("fcntl", "open /dev/null");
  double s[MAX_SAMPLES];
  double m = measure(chunk_fcntl, &fd, min_s, repeats, s);
  printf("{\"op\":\"fcntl\",\"ops_per_sec\":%.1f,", m);
  print_samples(s, repeats);
  printf("}\n");
  close(fd);
}

/* ---- socket()+close() ------------------------------------------------------------------------------ */
struct sc_ctx {
  int family, type, protocol;
};

static long chunk_socket_close(void *p) {
  struct sc_ctx *c = p;
  for (int i = 0; i < 256; i++) {
    int fd = socket(c->family, c->type, c->protocol);
    if (fd < 0) die("socket_close", "socket");
    close(fd);
  }
  return 256;
}

static void op_socket_close(int family, int type, int protocol, double min_s, int repeats) {
  struct sc_ctx c = {family, type, protocol};
  int fd = socket(family, type, protocol);
  if (fd < 0) {
    printf("{\"op\":\"socket_close\",\"family\":%d,\"type\":%d,\"protocol\":%d,\"unsupported\":true,"
           "\"errno\":%d,\"error\":\"%s\"}\n",
           family, type, protocol, errno, strerror(errno));
    return;
  }
  close(fd);
  double s[MAX_SAMPLES];
  double m = measure(chunk_socket_close, &c, min_s, repeats, s);
  printf("{\"op\":\"socket_close\",\"family\":%d,\"type\":%d,\"protocol\":%d,\"ops_per_sec\":%.1f,", family,
         type, protocol, m);
  print_samples(s, repeats);
  printf("}\n");
}

/* ---- netlink helpers ------------------------------------------------------------------------------- */
static int nl_socket(int protocol, uint32_t groups, const char *op) {
  int fd = socket(AF_NETLINK, SOCK_RAW, protocol);
  if (fd < 0) die(op, "socket");
  int rcvbuf = RCVBUF;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) die(op, "setsockopt");
  struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = groups};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die(op, "bind");
  return fd;
}

static uint32_t nl_portid(int fd, const char *op) {
  struct sockaddr_nl a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die(op, "getsockname");
  return a.nl_pid;
}

static unsigned char *make_msg(size_t payload, uint32_t portid) {
  size_t len = NLMSG_LENGTH(payload);
  unsigned char *m = calloc(1, NLMSG_ALIGN(len));
  struct nlmsghdr *h = (struct nlmsghdr *)m;
  h->nlmsg_len = (uint32_t)len;
  h->nlmsg_type = USER_TYPE;
  h->nlmsg_flags = NLM_F_REQUEST;
  h->nlmsg_seq = 1;
  h->nlmsg_pid = portid;
  for (size_t i = 0; i < payload; i++) m[NLMSG_HDRLEN + i] = (unsigned char)i;
  return m;
}

/* ---- NETLINK_USERSOCK unicast ---------------------------------------------------------------------- */
#define BATCH_MAX 64
struct uc_ctx {
  int tx, rx, batch;
  size_t len;
  unsigned char *msg;
  struct sockaddr_nl dst;
  unsigned char *rbuf;
  struct mmsghdr smsgs[BATCH_MAX], rmsgs[BATCH_MAX];
  struct iovec siov[BATCH_MAX], riov[BATCH_MAX];
  struct sockaddr_nl rname[BATCH_MAX];
};

/* One message at a time: sendto() then recv(). */
static long chunk_unicast_one(void *p) {
  struct uc_ctx *c = p;
  for (int i = 0; i < 64; i++) {
    if (sendto(c->tx, c->msg, c->len, 0, (struct sockaddr *)&c->dst, sizeof c->dst) != (ssize_t)c->len)
      die("unicast", "sendto");
    struct sockaddr_nl from;
    socklen_t fl = sizeof from;
    if (recvfrom(c->rx, c->rbuf, RECV_LEN, 0, (struct sockaddr *)&from, &fl) != (ssize_t)c->len)
      die("unicast", "recvfrom");
  }
  return 64;
}

/* A batch: one sendmmsg() of `batch` messages, one recvmmsg() of `batch` messages. */
static long chunk_unicast_mmsg(void *p) {
  struct uc_ctx *c = p;
  int n = sendmmsg(c->tx, c->smsgs, (unsigned)c->batch, 0);
  if (n != c->batch) die("unicast", "sendmmsg");
  for (int i = 0; i < c->batch; i++) c->rmsgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_nl);
  n = recvmmsg(c->rx, c->rmsgs, (unsigned)c->batch, MSG_DONTWAIT, NULL);
  if (n != c->batch) die("unicast", "recvmmsg");
  return c->batch;
}

/* The same batch as loops of sendto() and recvfrom(), for comparison (bench.json: loop_ops_per_sec). */
static long chunk_unicast_loop(void *p) {
  struct uc_ctx *c = p;
  for (int i = 0; i < c->batch; i++)
    if (sendto(c->tx, c->msg, c->len, 0, (struct sockaddr *)&c->dst, sizeof c->dst) != (ssize_t)c->len)
      die("unicast", "sendto");
  for (int i = 0; i < c->batch; i++) {
    struct sockaddr_nl from;
    socklen_t fl = sizeof from;
    if (recvfrom(c->rx, c->rbuf + (size_t)i * RECV_LEN, RECV_LEN, 0, (struct sockaddr *)&from, &fl) !=
        (ssize_t)c->len)
      die("unicast", "recvfrom");
  }
  return c->batch;
}

static void op_unicast(size_t payload, int batch, double min_s, int repeats) {
  static struct uc_ctx c;
  if (batch < 1 || batch > BATCH_MAX) batch = BATCH_MAX;
  c.batch = batch;
  c.rx = nl_socket(NETLINK_USERSOCK, 0, "unicast");
  c.tx = nl_socket(NETLINK_USERSOCK, 0, "unicast");
  c.len = NLMSG_LENGTH(payload);
  c.msg = make_msg(payload, nl_portid(c.tx, "unicast"));
  c.dst = (struct sockaddr_nl){.nl_family = AF_NETLINK, .nl_pid = nl_portid(c.rx, "unicast")};
  c.rbuf = malloc((size_t)BATCH_MAX * RECV_LEN);
  for (int i = 0; i < BATCH_MAX; i++) {
    c.siov[i] = (struct iovec){c.msg, c.len};
    c.smsgs[i].msg_hdr = (struct msghdr){.msg_name = &c.dst,
                                         .msg_namelen = sizeof c.dst,
                                         .msg_iov = &c.siov[i],
                                         .msg_iovlen = 1};
    c.riov[i] = (struct iovec){c.rbuf + (size_t)i * RECV_LEN, RECV_LEN};
    c.rmsgs[i].msg_hdr = (struct msghdr){.msg_name = &c.rname[i],
                                         .msg_namelen = sizeof c.rname[i],
                                         .msg_iov = &c.riov[i],
                                         .msg_iovlen = 1};
  }
  double s[MAX_SAMPLES], sl[MAX_SAMPLES];
  printf("{\"op\":\"unicast\",\"payload\":%zu,\"batch\":%d,\"msg_len\":%zu,", payload, batch, c.len);
  if (batch == 1) {
    double m = measure(chunk_unicast_one, &c, min_s, repeats, s);
    printf("\"method\":\"sendto+recvfrom\",\"ops_per_sec\":%.1f,", m);
    print_samples(s, repeats);
  } else {
    double ml = measure(chunk_unicast_loop, &c, min_s, repeats, sl);
    double m = measure(chunk_unicast_mmsg, &c, min_s, repeats, s); /* last: its on-CPU samples are printed */
    printf("\"method\":\"sendmmsg+recvmmsg\",\"ops_per_sec\":%.1f,\"loop_ops_per_sec\":%.1f,", m, ml);
    print_samples(s, repeats);
  }
  printf("}\n");
}

/* ---- NETLINK_USERSOCK multicast -------------------------------------------------------------------- */
struct mc_ctx {
  int tx, members;
  int *rx;
  size_t len;
  unsigned char *msg, *rbuf;
  struct sockaddr_nl dst;
  long refused;
};

/*
 * One message to group 1, then one recv() on each member. The destination is {nl_pid 0, nl_groups 1}:
 * netlink_sendmsg() broadcasts to the group, then unicasts to portid 0, which no NETLINK_USERSOCK socket
 * holds, so sendto() reports ECONNREFUSED after the members got their copies (counted, not an error).
 */
static long chunk_multicast(void *p) {
  struct mc_ctx *c = p;
  for (int k = 0; k < 4; k++) {
    if (sendto(c->tx, c->msg, c->len, 0, (struct sockaddr *)&c->dst, sizeof c->dst) < 0) {
      if (errno != ECONNREFUSED) die("multicast", "sendto");
      c->refused++;
    }
    for (int i = 0; i < c->members; i++) {
      struct sockaddr_nl from;
      socklen_t fl = sizeof from;
      if (recvfrom(c->rx[i], c->rbuf, RECV_LEN, MSG_DONTWAIT, (struct sockaddr *)&from, &fl) !=
          (ssize_t)c->len)
        die("multicast", "recvfrom");
    }
  }
  return 4L * c->members;
}

static void op_multicast(int members, size_t payload, double min_s, int repeats) {
  static struct mc_ctx c;
  c.members = members;
  c.rx = calloc((size_t)members, sizeof(int));
  for (int i = 0; i < members; i++) c.rx[i] = nl_socket(NETLINK_USERSOCK, 1, "multicast");
  c.tx = nl_socket(NETLINK_USERSOCK, 0, "multicast");
  c.len = NLMSG_LENGTH(payload);
  c.msg = make_msg(payload, nl_portid(c.tx, "multicast"));
  c.rbuf = malloc(RECV_LEN);
  c.dst = (struct sockaddr_nl){.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 1};
  double s[MAX_SAMPLES];
  double m = measure(chunk_multicast, &c, min_s, repeats, s);
  printf("{\"op\":\"multicast\",\"members\":%d,\"payload\":%zu,\"ops_per_sec\":%.1f,\"econnrefused\":%s,",
         members, payload, m, c.refused > 0 ? "true" : "false");
  print_samples(s, repeats);
  printf("}\n");
}

/* ---- RTM_GETLINK dump ------------------------------------------------------------------------------ */
struct dump_ctx {
  int fd;
  uint32_t seq;
  unsigned char *rbuf;
  int links, parts;
  long bytes;
};

static int one_dump(struct dump_ctx *c) {
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = ++c->seq;
  struct sockaddr_nl k = {.nl_family = AF_NETLINK};
  if (sendto(c->fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0) die("dump", "sendto");
  int links = 0, parts = 0;
  long bytes = 0;
  for (;;) {
    ssize_t n = recv(c->fd, c->rbuf, RECV_LEN, 0);
    if (n < 0) die("dump", "recv");
    parts++;
    bytes += n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)c->rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) {
        c->links = links;
        c->parts = parts;
        c->bytes = bytes;
        return 1;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        die("dump", "NLMSG_ERROR");
      }
      if (h->nlmsg_type == RTM_NEWLINK) links++;
    }
  }
}

static long chunk_dump(void *p) {
  for (int i = 0; i < 16; i++) one_dump(p);
  return 16;
}

static void op_dump(double min_s, int repeats) {
  /* A fresh network namespace holds only lo, as a new ksock kernel's init_net does. */
  int own_netns = unshare(CLONE_NEWNET) == 0;
  static struct dump_ctx c;
  c.fd = nl_socket(NETLINK_ROUTE, 0, "dump");
  c.rbuf = malloc(RECV_LEN);
  double s[MAX_SAMPLES];
  double m = measure(chunk_dump, &c, min_s, repeats, s);
  printf("{\"op\":\"dump\",\"links\":%d,\"recvs\":%d,\"bytes\":%ld,\"netns\":\"%s\",\"ops_per_sec\":%.1f,", c.links,
         c.parts, c.bytes, own_netns ? "new" : "host", m);
  print_samples(s, repeats);
  printf("}\n");
}

/* ---- many open UDP sockets ------------------------------------------------------------------------- */
static int copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0) return -1;
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) return -1;
  close(in);
  close(out);
  return 0;
}

static void op_many(long count, const char *before, const char *after) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  long limit = (long)rl.rlim_cur - 16; /* stdio, the slabinfo files and some slack */
  if (count <= 0 || count > limit) count = limit;
  int *fds = malloc(sizeof(int) * (size_t)count);
  const int blocks = 10;
  long per_block = count / blocks;
  count = per_block * blocks;
  double block_s[10];
  /* Warm the fd table to its final size so the first block does not pay for its growth alone. */
  int hi = fcntl(0, F_DUPFD, (int)count + 8);
  if (hi >= 0) close(hi);
  if (copy_file("/proc/slabinfo", before) < 0) die("many", before);
  long opened = 0;
  double t_all = now();
  for (int b = 0; b < blocks; b++) {
    double t0 = now();
    for (long i = 0; i < per_block; i++) {
      int fd = socket(AF_INET, SOCK_DGRAM, 0);
      if (fd < 0) die("many", "socket");
      fds[opened++] = fd;
    }
    block_s[b] = now() - t0;
  }
  double total = now() - t_all;
  if (copy_file("/proc/slabinfo", after) < 0) die("many", after);
  for (long i = 0; i < opened; i++) close(fds[i]);
  printf("{\"op\":\"many\",\"count\":%ld,\"rlimit\":%ld,\"ops_per_sec\":%.1f,\"block_size\":%ld,\"block_seconds\":[",
         opened, (long)rl.rlim_cur, (double)opened / total, per_block);
  for (int b = 0; b < blocks; b++) printf("%s%.6f", b ? "," : "", block_s[b]);
  printf("]}\n");
}

/* ---- getsockname() on a bound UDP socket: one socket syscall that does almost nothing ---------------- */
static long chunk_getsockname(void *p) {
  int fd = *(int *)p;
  struct sockaddr_in a;
  for (int i = 0; i < 256; i++) {
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname", "getsockname");
  }
  return 256;
}

static void op_getsockname(double min_s, int repeats) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("getsockname", "socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("getsockname", "bind");
  double s[MAX_SAMPLES];
  double m = measure(chunk_getsockname, &fd, min_s, repeats, s);
  printf("{\"op\":\"getsockname\",\"ops_per_sec\":%.1f,", m);
  print_samples(s, repeats);
  printf("}\n");
  close(fd);
}

/* ---- TCP ping-pong between two processes over 127.0.0.1 ------------------------------------------------
 * The parent listens, forks a child that connects and echoes every message back; the parent sends a
 * message, waits for the echo, and counts round trips. Blocking send/recv, TCP_NODELAY on both ends. */
#define PP_MAX 65536
struct pp_ctx {
  int fd;
  size_t len;
  unsigned char buf[PP_MAX];
};

static int send_full(int fd, const unsigned char *p, size_t len) {
  while (len) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* 1: a whole message, 0: end of file before any byte, -1: an error or a short message. */
static int recv_full(int fd, unsigned char *p, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = recv(fd, p + got, len - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return got == 0 ? 0 : -1;
    got += (size_t)n;
  }
  return 1;
}

static long chunk_pingpong(void *p) {
  struct pp_ctx *c = p;
  for (int i = 0; i < 16; i++) {
    if (send_full(c->fd, c->buf, c->len) < 0) die("pingpong", "send");
    if (recv_full(c->fd, c->buf, c->len) != 1) die("pingpong", "recv");
  }
  return 16;
}

static void op_pingpong(size_t len, double min_s, int repeats) {
  static struct pp_ctx c;
  if (len < 1 || len > PP_MAX) die("pingpong", "message size");
  int one = 1;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) die("pingpong", "socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("pingpong", "bind");
  if (listen(lfd, 1) < 0) die("pingpong", "listen");
  socklen_t alen = sizeof a;
  if (getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) die("pingpong", "getsockname");
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) die("pingpong", "fork");
  if (pid == 0) {
    /* the echoing child: its own connection, until the parent closes its end */
    close(lfd);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) _exit(3);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r;
    while ((r = recv_full(fd, c.buf, len)) == 1)
      if (send_full(fd, c.buf, len) < 0) _exit(4);
    _exit(r == 0 ? 0 : 5);
  }
  c.fd = accept(lfd, NULL, NULL);
  if (c.fd < 0) die("pingpong", "accept");
  close(lfd);
  if (setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("pingpong", "TCP_NODELAY");
  c.len = len;
  memset(c.buf, 'x', len);
  double s[MAX_SAMPLES];
  double m = measure(chunk_pingpong, &c, min_s, repeats, s);
  close(c.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("{\"op\":\"pingpong\",\"bytes\":%zu,\"ops_per_sec\":%.1f,", len, m);
  print_samples(s, repeats);
  printf(",\"child_status\":%d}\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* ---- exec: the wall time of one run of a command, from fork to its exit (its output discarded) ---- */
static void op_exec(char **cmd) {
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) die("exec", "fork");
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp(cmd[0], cmd);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) die("exec", "waitpid");
  double t = now() - t0;
  printf("{\"op\":\"exec\",\"seconds\":%.6f,\"status\":%d}\n", t,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: linux_bench fcntl|socket_close|unicast|multicast|dump|many|getsockname|pingpong|exec ...\n");
    return 2;
  }
  const char *op = argv[1];
  int repeats;
  if (strcmp(op, "fcntl") == 0 && argc == 4) {
    repeats = atoi(argv[3]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_fcntl(atof(argv[2]), repeats);
  } else if (strcmp(op, "socket_close") == 0 && argc == 7) {
    repeats = atoi(argv[6]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_socket_close(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atof(argv[5]), repeats);
  } else if (strcmp(op, "unicast") == 0 && argc == 6) {
    repeats = atoi(argv[5]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_unicast((size_t)atol(argv[2]), atoi(argv[3]), atof(argv[4]), repeats);
  } else if (strcmp(op, "multicast") == 0 && argc == 6) {
    repeats = atoi(argv[5]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_multicast(atoi(argv[2]), (size_t)atol(argv[3]), atof(argv[4]), repeats);
  } else if (strcmp(op, "dump") == 0 && argc == 4) {
    repeats = atoi(argv[3]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_dump(atof(argv[2]), repeats);
  } else if (strcmp(op, "many") == 0 && argc == 5) {
    op_many(atol(argv[2]), argv[3], argv[4]);
  } else if (strcmp(op, "getsockname") == 0 && argc == 4) {
    repeats = atoi(argv[3]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_getsockname(atof(argv[2]), repeats);
  } else if (strcmp(op, "pingpong") == 0 && argc == 5) {
    repeats = atoi(argv[4]);
    if (repeats < 1 || repeats > MAX_SAMPLES) return 2;
    op_pingpong((size_t)atol(argv[2]), atof(argv[3]), repeats);
  } else if (strcmp(op, "exec") == 0 && argc >= 3) {
    op_exec(argv + 2);
  } else {
    fprintf(stderr, "linux_bench: bad arguments for %s\n", op);
    return 2;
  }
  return 0;
}
