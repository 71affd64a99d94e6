"""signals.py — a blocking recv (libc's, through ctypes) interrupted by SIGALRM: EINTR when the handler
was installed without SA_RESTART (siginterrupt True), restarted when with it. Prints JSON."""
import ctypes
import json
import os
import signal
import socket
import time

libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
addr = s.getsockname()
out = {}


def case(interrupt):
    signal.signal(signal.SIGALRM, lambda *a: None)
    signal.siginterrupt(signal.SIGALRM, interrupt)
    pid = os.fork()
    if pid == 0:
        time.sleep(0.6)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"late", addr)
        os._exit(0)
    signal.setitimer(signal.ITIMER_REAL, 0.15)
    t = time.monotonic()
    buf = ctypes.create_string_buffer(16)
    r = libc.recv(s.fileno(), buf, 16, 0)
    e = ctypes.get_errno()
    res = {"ret": r, "errno": errno_name(e) if r < 0 else None, "data": buf.value.decode() if r >= 0 else None}
    res["waited"] = round(time.monotonic() - t, 2)
    os.waitpid(pid, 0)
    if r < 0:
        s.recv(16)
    return res


def errno_name(e):
    import errno

    return errno.errorcode.get(e, str(e))


out["without_restart"] = case(True)
out["with_restart"] = case(False)
print(json.dumps(out))
