# Delivery semantics of the host kernel: overrun/ENOBUFS, NO_ENOBUFS, connect filtering, MSG_TRUNC/PEEK, PKTINFO.
import socket, struct, json, os, errno as E
AF = socket.AF_NETLINK
def en(fn):
    try:
        return ['ok', fn()]
    except OSError as e:
        return [E.errorcode[e.errno], None]
out = {'kernel': open('/proc/sys/kernel/osrelease').read().strip()}
def mk(pid, groups=0):
    s = socket.socket(AF, socket.SOCK_DGRAM, 2); s.bind((pid, groups)); return s
r = mk(10, 1); q = mk(11, 1); s = mk(20)
q.setsockopt(270, 5, 1)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1); q.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
out['rcvbuf_min'] = r.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
out['bcast_sends'] = [en(lambda: s.sendto(b'\0' * 3000, (0, 1))) for _ in range(3)]
seq = []
for _ in range(3):
    x = en(lambda: len(r.recv(4000, socket.MSG_DONTWAIT)))
    seq.append(x)
out['r_recvs'] = seq
out['q_recvs'] = [en(lambda: len(q.recv(4000, socket.MSG_DONTWAIT))) for _ in range(2)]
# After draining, a new broadcast is delivered again.
out['after_drain_send'] = en(lambda: s.sendto(b'abc', (10, 1)))
out['after_drain_recv'] = en(lambda: r.recv(100, socket.MSG_DONTWAIT).hex())
# Unicast to a full receiver, nonblocking.
u = mk(30); u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
out['uni_first'] = en(lambda: s.sendto(b'\0' * 3000, socket.MSG_DONTWAIT, (30, 0)))
out['uni_second'] = en(lambda: s.sendto(b'\0' * 3000, socket.MSG_DONTWAIT, (30, 0)))
out['uni_recv'] = [en(lambda: len(u.recv(4000, socket.MSG_DONTWAIT))) for _ in range(2)]
# Connected receiver only accepts its peer.
a = mk(40); b = mk(41); c = mk(42)
a.connect((41, 0))
out['conn_from_peer'] = en(lambda: b.sendto(b'p', (40, 0)))
out['conn_from_other'] = en(lambda: c.sendto(b'o', (40, 0)))
out['peername'] = list(a.getpeername())
a.connect((41, 6))
out['peername_groups'] = list(a.getpeername())
# TRUNC and PEEK.
b.sendto(b'hello world', (42, 0))
out['peek'] = en(lambda: c.recv(100, socket.MSG_PEEK).hex())
d, _anc, _fl, addr = c.recvmsg(5, 0)
out['trunc_recvmsg'] = [d.hex(), list(addr)]
b.sendto(b'hello world', (42, 0))
out['trunc_flag_ret'] = en(lambda: len(c.recv(5, socket.MSG_TRUNC)))
# PKTINFO.
g = mk(50); g.setsockopt(270, 1, 5); g.setsockopt(270, 3, 1)
s.sendto(b'p', (50, 1 << 4))
d, anc, fl, addr = g.recvmsg(10, 256)
out['pktinfo'] = [[lvl, typ, data.hex()] for (lvl, typ, data) in anc] + [list(addr)]
# Group bind then recv from group sender address.
print(json.dumps(out, indent=1))
