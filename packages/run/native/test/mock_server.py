#!/usr/bin/env python3
"""mock_server.py — a stand-in for the ksock server that speaks the bridge protocol (../../PROTOCOL.md).

Not a kernel: it serves AF_INET and AF_INET6 sockets whose sends come back to the same socket (or go to the
other end of a socketpair), so the interposition library's framing, fd table, readiness/drain, fork, exec,
threads and CANCEL can be checked without Node. Every frame is logged as one JSON line.

usage: mock_server.py SOCKET_PATH LOG_PATH
"""

import json
import os
import select
import socket
import struct
import sys
import threading
import time

HELLO, PH_HELLO, CANCEL = 1, 2, 127
OPS = {
    10: "SOCKET", 11: "SOCKETPAIR", 12: "BIND", 13: "CONNECT", 14: "LISTEN", 15: "ACCEPT",
    16: "GETSOCKNAME", 17: "GETPEERNAME", 18: "SETSOCKOPT", 19: "GETSOCKOPT", 20: "SHUTDOWN",
    21: "SENDMSG", 22: "RECVMSG", 23: "WRITE", 24: "READ", 25: "SENDMMSG", 26: "RECVMMSG",
    30: "CLOSE", 31: "DUP", 32: "FCNTL", 33: "IOCTL", 34: "INODE", 40: "PROC_READ",
    41: "IF_NAMETOINDEX", 42: "IF_INDEXTONAME", 43: "IF_NAMEINDEX", 44: "GETIFADDRS",
    HELLO: "HELLO", PH_HELLO: "PH_HELLO", CANCEL: "CANCEL",
}
EAGAIN, EINTR, EINVAL, ENOTTY, ENXIO, ENODEV, EBADF = 11, 4, 22, 25, 6, 19, 9
MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC = 2, 0x40, 0x20
O_NONBLOCK, O_RDWR = 0o4000, 2
SOCK_NONBLOCK, SOCK_CLOEXEC = 0o4000, 0o2000000
F_GETFD, F_SETFD, F_GETFL, F_SETFL = 1, 2, 3, 4
FIONREAD, FIONBIO, SIOCGIFINDEX, SIOCGIFCONF = 0x541B, 0x5421, 0x8933, 0x8912
FAMILIES = (1 << socket.AF_INET) | (1 << socket.AF_INET6)
IFACES = [(1, b"lo"), (7, b"ks0")]  # ks0 exists only here: a silent fall-back to the host cannot pass


def recv_exact(conn, n):
    b = b""
    while len(b) < n:
        c = conn.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def read_frame(conn):
    (length,) = struct.unpack("<I", recv_exact(conn, 4))
    body = recv_exact(conn, length)
    op, nint, nbuf = struct.unpack_from("<HHI", body, 0)
    off = 8
    ints = list(struct.unpack_from(f"<{nint}q", body, off))
    off += 8 * nint
    bufs = []
    for _ in range(nbuf):
        (blen,) = struct.unpack_from("<I", body, off)
        off += 4
        bufs.append(body[off:off + blen])
        off += blen
    assert off == len(body), "trailing bytes in frame"
    return op, ints, bufs


def frame(op, ints, bufs=()):
    body = struct.pack("<HHI", op, len(ints), len(bufs)) + struct.pack(f"<{len(ints)}q", *ints)
    for b in bufs:
        body += struct.pack("<I", len(b)) + bytes(b)
    return struct.pack("<I", len(body)) + body


def sockaddr_in(port, ip="10.99.0.1"):
    return struct.pack("<H", socket.AF_INET) + struct.pack(">H", port) + socket.inet_aton(ip) + bytes(8)


class Sock:
    def __init__(self, ino, family, type_, ph):
        self.ino, self.family, self.type = ino, family, type_
        self.nonblock = bool(type_ & SOCK_NONBLOCK)
        self.cloexec = {}  # (pid, H) -> FD_CLOEXEC
        self.queue = []  # (data, name)
        self.peer = None
        self.ph = ph  # the server end of the placeholder
        self.signalled = False
        self.pending = 0
        self.port = 40000 + ino % 20000


class Server:
    def __init__(self, path, log_path):
        self.path = path
        self.log_f = open(log_path, "a", buffering=1)
        self.lock = threading.Condition()
        self.placeholders = {}  # program-side ino -> server-side conn
        self.socks = {}  # ino -> Sock
        self.next_inode = 5000

    def log(self, **kw):
        with self.lock:
            self.log_f.write(json.dumps(kw) + "\n")

    def serve(self):
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(self.path)
        ls.listen(64)
        self.log(ev="listening", path=self.path)
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=self.conn_main, args=(conn,), daemon=True).start()

    # ---- readiness ----
    def update(self, s):
        """Called with the lock held: signal or unsignal s's placeholder."""
        readable = bool(s.queue)
        if readable and not s.signalled:
            s.signalled = True
            s.pending += 1
            try:
                s.ph.send(b"\x01")
            except OSError:
                pass
        elif not readable and s.signalled:
            s.signalled = False

    def drain(self, s):
        if s is None or s.signalled:
            return 0
        n, s.pending = s.pending, 0
        return n

    # ---- connections ----
    def conn_main(self, conn):
        try:
            op, ints, bufs = read_frame(conn)
        except (EOFError, OSError):
            return
        if op == PH_HELLO:
            pid, ino = ints
            self.log(op="PH_HELLO", pid=pid, ino=ino)
            with self.lock:
                self.placeholders[ino] = conn
                self.lock.notify_all()
            try:
                while conn.recv(4096):
                    pass
            except OSError:
                pass
            self.log(ev="PH_EOF", ino=ino)
            return
        if op != HELLO:
            self.log(ev="bad_first_frame", op=op)
            conn.close()
            return
        kind, pid, ppid, uid, gid, euid, egid = ints
        comm, fdlist = bufs
        fds = [struct.unpack_from("<iiQ", fdlist, i) for i in range(0, len(fdlist), 16)]
        self.log(op="HELLO", kind=kind, pid=pid, ppid=ppid, uid=uid, comm=comm.decode(),
                 fdlist=[{"fd": f, "flags": fl, "ino": ino} for f, fl, ino in fds])
        conn.sendall(frame(HELLO | 0x8000, [0, 0, pid, FAMILIES]))
        try:
            while True:
                op, ints, bufs = read_frame(conn)
                if op == CANCEL:
                    self.log(op="CANCEL", pid=pid, idle=True)
                    continue
                reply = self.handle(conn, pid, op, ints, bufs)
                conn.sendall(frame(op | 0x8000, reply[0], reply[1] if len(reply) > 1 else []))
        except (EOFError, OSError):
            self.log(ev="CTL_EOF", pid=pid)

    def wait_placeholder(self, ino):
        deadline = time.time() + 3
        with self.lock:
            while ino not in self.placeholders and time.time() < deadline:
                self.lock.wait(0.05)
            return self.placeholders.get(ino)

    def handle(self, conn, pid, op, ints, bufs):
        name = OPS.get(op, str(op))
        self.log(op=name, pid=pid, ints=ints, bufs=[len(b) for b in bufs])
        s = None
        if op in (12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 30, 31, 32, 33, 34):
            with self.lock:
                s = self.socks.get(ints[1])
            if s is None:
                return [[-EBADF, 0]]
        if op == 10:  # SOCKET
            family, type_, proto, h, ino = ints
            ph = self.wait_placeholder(ino)
            if ph is None:
                return [[-EINVAL, 0]]
            with self.lock:
                self.socks[ino] = Sock(ino, family, type_, ph)
                self.socks[ino].cloexec[(pid, h)] = int(bool(type_ & SOCK_CLOEXEC))
            return [[h, 0]]
        if op == 11:  # SOCKETPAIR
            family, type_, proto, h0, i0, h1, i1 = ints
            p0, p1 = self.wait_placeholder(i0), self.wait_placeholder(i1)
            with self.lock:
                a, b = Sock(i0, family, type_, p0), Sock(i1, family, type_, p1)
                a.peer, b.peer = b, a
                self.socks[i0], self.socks[i1] = a, b
            return [[0, 0]]
        if op in (12, 13, 14, 18, 20, 31):  # BIND CONNECT LISTEN SETSOCKOPT SHUTDOWN DUP
            return [[0, 0]]
        if op == 30:  # CLOSE
            return [[0, 0]]
        if op in (16, 17):  # GETSOCKNAME / GETPEERNAME
            a = sockaddr_in(s.port)
            return [[0, 0, len(a)], [a[: max(ints[2], 0)]]]
        if op == 19:  # GETSOCKOPT: SO_TYPE, else 0
            v = struct.pack("<i", s.type & 0xF if ints[3] == 3 else 0)
            return [[0, 0, 4], [v[: max(ints[4], 0)]]]
        if op in (21, 23):  # SENDMSG / WRITE
            data = bufs[0]
            addr = bufs[1] if op == 21 and len(bufs) > 1 else b""
            with self.lock:
                target = s.peer or s
                target.queue.append((data, sockaddr_in(s.port)))
                self.update(target)
                self.lock.notify_all()
                return [[len(data), self.drain(s)]]
        if op == 25:  # SENDMMSG
            n = ints[3]
            lens = []
            with self.lock:
                target = s.peer or s
                for i in range(n):
                    target.queue.append((bufs[3 * i], sockaddr_in(s.port)))
                    lens.append(len(bufs[3 * i]))
                self.update(target)
                self.lock.notify_all()
                return [[n, self.drain(s)] + lens]
        if op in (22, 24, 26):  # RECVMSG / READ / RECVMMSG
            flags = ints[2] if op != 24 else 0
            with self.lock:
                blocking = not (s.nonblock or flags & MSG_DONTWAIT)
            if not s.queue and blocking:
                if not self.sleep(conn, pid, s):
                    return [[-EINTR, self.drain(s)]]
            with self.lock:
                if not s.queue:
                    return [[-EAGAIN, self.drain(s)]]
                if op == 26:
                    vlen = ints[3]
                    out_ints, out_bufs = [], []
                    while s.queue and len(out_ints) < 4 * vlen:
                        i = len(out_ints) // 4
                        data, nm = s.queue.pop(0)
                        data = data[: ints[7 + 3 * i]]
                        out_ints += [len(data), 0, len(nm), 0]
                        out_bufs += [data, nm if ints[8 + 3 * i] >= 0 else b"", b""]
                    self.update(s)
                    return [[len(out_ints) // 4, self.drain(s)] + out_ints, out_bufs]
                data, nm = s.queue[0]
                if op == 24 or not flags & MSG_PEEK:
                    s.queue.pop(0)
                want = ints[2] if op == 24 else ints[3]
                full = len(data)
                data = data[:want]
                self.update(s)
                d = self.drain(s)
                if op == 24:
                    return [[len(data), d], [data]]
                msg_flags = MSG_TRUNC if full > len(data) else 0
                res = full if flags & MSG_TRUNC else len(data)
                namelen = ints[4]
                return [[res, d, msg_flags, len(nm) if namelen >= 0 else 0, 0],
                        [data, nm[: max(namelen, 0)], b""]]
        if op == 32:  # FCNTL
            cmd, arg = ints[2], ints[3]
            with self.lock:
                if cmd == F_GETFL:
                    return [[O_RDWR | (O_NONBLOCK if s.nonblock else 0), 0]]
                if cmd == F_SETFL:
                    s.nonblock = bool(arg & O_NONBLOCK)
                    return [[0, 0]]
                if cmd == F_GETFD:
                    return [[s.cloexec.get((pid, ints[0]), 0), 0]]
                if cmd == F_SETFD:
                    s.cloexec[(pid, ints[0])] = arg & 1
                    return [[0, 0]]
            return [[0, 0]]
        if op == 33:  # IOCTL
            cmd, is_ptr, arg_int = ints[2], ints[3], ints[4]
            if cmd == FIONREAD:
                with self.lock:
                    n = len(s.queue[0][0]) if s.queue else 0
                return [[0, 0, n], [struct.pack("<i", n)]]
            if cmd == FIONBIO:
                with self.lock:
                    s.nonblock = bool(struct.unpack("<i", bufs[0])[0]) if bufs and bufs[0] else bool(arg_int)
                return [[0, 0, 0], [b""]]
            if cmd == SIOCGIFINDEX:
                ifr = bytearray(bufs[0])
                nm = bytes(ifr[:16]).split(b"\0")[0]
                idx = dict((n, i) for i, n in IFACES).get(nm)
                if idx is None:
                    return [[-ENODEV, 0, 0], [b""]]
                ifr[16:20] = struct.pack("<i", idx)
                return [[0, 0, 0], [bytes(ifr)]]
            return [[-ENOTTY, 0, 0], [b""]]
        if op == 34:  # INODE
            return [[s.ino + 1000000, 0]]
        if op == 40:  # PROC_READ
            path = bufs[0].decode()
            return [[0, 0], [f"ksock mock: {path}\n".encode()]]
        if op == 41:
            idx = dict((n, i) for i, n in IFACES).get(bufs[0], 0)
            return [[idx, 0]]
        if op == 42:
            nm = dict(IFACES).get(ints[0])
            return [[0, 0], [nm]] if nm else [[-ENXIO, 0], [b""]]
        if op == 43:
            return [[0, 0] + [i for i, _ in IFACES], [n for _, n in IFACES]]
        if op == 44:
            lo4 = struct.pack("<H", socket.AF_INET) + bytes(2) + socket.inet_aton("127.0.0.1") + bytes(8)
            ks4 = struct.pack("<H", socket.AF_INET) + bytes(2) + socket.inet_aton("10.99.0.1") + bytes(8)
            m8 = struct.pack("<H", socket.AF_INET) + bytes(2) + socket.inet_aton("255.0.0.0") + bytes(8)
            return [[0, 0, 0x49, socket.AF_INET, 1, 0x1043, socket.AF_INET, 7],
                    [b"lo", lo4, m8, b"", b"ks0", ks4, m8, b""]]
        return [[-EINVAL, 0]]

    def sleep(self, conn, pid, s):
        """Wait for data on s; a CANCEL on the requesting connection ends the wait (False)."""
        while True:
            with self.lock:
                if s.queue:
                    return True
            r, _, _ = select.select([conn], [], [], 0.05)
            if r:
                op, _, _ = read_frame(conn)
                self.log(op=OPS.get(op, str(op)), pid=pid, during_sleep=True)
                if op == CANCEL:
                    return False


if __name__ == "__main__":
    path, log_path = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    Server(path, log_path).serve()
