"""rogue.py malformed | truncated — a program whose ksock sockets are real, and which then breaks the bridge
protocol on a control connection of its own: a frame whose integers overrun it, or half a frame and the
end of the connection. Prints JSON: what its calls answer afterwards."""
import json
import os
import socket
import struct
import sys


def frame(op, ints, bufs):
    body = struct.pack("<HHI", op, len(ints), len(bufs)) + b"".join(struct.pack("<q", i) for i in ints)
    body += b"".join(struct.pack("<I", len(b)) + b for b in bufs)
    return struct.pack("<I", len(body)) + body


u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
n.bind((0, 0))
out = {"port": u.getsockname()[1]}
print(json.dumps(out), flush=True)
sys.stdin.readline()

c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # AF_UNIX is the host's
c.connect(os.environ["KSOCK_SOCKET"])
HELLO_THREAD = 2
c.sendall(frame(1, [HELLO_THREAD, os.getpid(), os.getppid(), 0, 0, 0, 0], [b"rogue", b""]))
out["hello"] = struct.unpack_from("<q", c.recv(4096), 12)[0]
bad = frame(20, [u.fileno(), 0, 0], [])
if sys.argv[1] == "malformed":
    c.sendall(struct.pack("<I", len(bad) - 4 + 64) + bad[4:] + bytes(64))  # nint says 3, 64 bytes left over
else:
    c.sendall(bad[: len(bad) // 2])
    c.shutdown(socket.SHUT_WR)
out["eof"] = c.recv(100) == b""
try:
    u.sendto(b"x", ("127.0.0.1", 9))
    out["after"] = "sent"
except OSError as e:
    out["after"] = e.errno
print(json.dumps(out), flush=True)
