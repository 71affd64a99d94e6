"""blocked.py — a TCP listener, a netlink socket and a UDP socket, then a blocking recv that nothing
answers: says "blocking" and waits to be killed."""
import socket

l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
n.bind((0, 0))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
print("blocking", l.getsockname()[1], u.getsockname()[1], n.getsockname()[0], flush=True)
u.recv(10)
