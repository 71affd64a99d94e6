/* When a full AF_UNIX datagram socketpair end becomes writable again (poll() uses unix_writable(), the rule
 * that also wakes blocked senders); linux-6.18-write-space.json is its output. */
#include <stdio.h>
#include <poll.h>
#include <sys/socket.h>
int main(void){ int sv[2]; char b[4]; socketpair(AF_UNIX,SOCK_DGRAM,0,sv);
 int n=0; while (send(sv[0],"y",1,MSG_DONTWAIT)==1) n++;
 int first=-1; for (int i=1;i<=n;i++){ recv(sv[1],b,1,0); struct pollfd p={sv[0],POLLOUT,0}; poll(&p,1,0); if((p.revents&POLLOUT)&&first<0){first=i;} }
 printf("filled=%d writable_after_reading=%d\n", n, first); }
