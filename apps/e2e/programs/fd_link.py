"""fd_link.py — readlink of /proc/self/fd/N (and /proc/PID/fd/N) for a ksock listener, and /proc/net/tcp read
through open(). Prints JSON, then holds the socket until a line arrives on stdin."""
import json
import os
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen()
out = {
    "port": s.getsockname()[1],
    "self": os.readlink(f"/proc/self/fd/{s.fileno()}"),
    "pid": os.readlink(f"/proc/{os.getpid()}/fd/{s.fileno()}"),
    "host_ino": os.fstat(s.fileno()).st_ino,
    "tcp": open("/proc/net/tcp").read(),
    "self_net_tcp": open("/proc/self/net/tcp").read(),
}
print(json.dumps(out), flush=True)
input()  # hold the socket until told to go
