/* SIOCINQ / SIOCOUTQ / SIOCATMARK on an AF_UNIX datagram socketpair; linux-6.18-ioctl.json is its output. */
#include <stdio.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
int main(void) {
  int sv[2], v = -1, r; socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  r = ioctl(sv[1], SIOCINQ, &v); printf("{\n  \"inq_empty\": %d,\n", r < 0 ? -errno : v);
  send(sv[0], "hello", 5, 0); send(sv[0], "abc", 3, 0);
  r = ioctl(sv[1], SIOCINQ, &v); printf("  \"inq_two\": %d,\n", r < 0 ? -errno : v);
  r = ioctl(sv[0], SIOCOUTQ, &v); printf("  \"outq_two\": %d,\n", r < 0 ? -errno : v);
  r = ioctl(sv[1], SIOCOUTQ, &v); printf("  \"outq_receiver\": %d,\n", r < 0 ? -errno : v);
  r = ioctl(sv[1], SIOCATMARK, &v); printf("  \"atmark\": %d,\n", r < 0 ? -errno : v);
  r = ioctl(sv[1], 0x1234, &v); printf("  \"unknown\": %d\n}\n", r < 0 ? -errno : r);
}
