#!/usr/bin/env python3
"""run_tests.py — builds the interposition library from ../sources.json and runs programs under it against
mock_server.py: framing, the fd table, drain, fork/exec/thread HELLOs, CANCEL on a signal, dup/fcntl/ioctl,
/proc and interface answers, an unreachable server, and (KSOCK_SOCKET unset) exact host behaviour.

usage: python3 packages/run/native/test/run_tests.py        (Python 3.11 stdlib, a C compiler; exit 1 on failure)
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NATIVE = os.path.dirname(HERE)
PY = sys.executable  # the real interpreter, not a shim script
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f"  -- {detail}"))
    if not cond:
        failures.append(name)


def build(out):
    spec = json.load(open(os.path.join(NATIVE, "sources.json")))
    cc = os.environ.get("CC", "cc")
    lib = os.path.join(out, "libksock.so")
    subprocess.run([cc, *spec["cflags"], "-shared", "-fPIC", "-o", lib,
                    *[os.path.join(NATIVE, s) for s in spec["preload"]], *spec.get("libs", ["-ldl", "-lpthread"])],
                   check=True)
    subprocess.run([cc, *spec["cflags"], "-shared", "-fPIC", "-o", os.path.join(out, "peercred.node"),
                    *[os.path.join(NATIVE, s) for s in spec["peercred"]]], check=True)
    return lib


class Mock:
    def __init__(self, tmp, name="mock"):
        self.sock = os.path.join(tmp, name + ".sock")
        self.logp = os.path.join(tmp, name + ".log")
        open(self.logp, "w").close()
        self.proc = subprocess.Popen([PY, os.path.join(HERE, "mock_server.py"), self.sock, self.logp])
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.02)
        self.mark = 0

    def entries(self):
        """Log entries since the last call."""
        time.sleep(0.15)  # let the server log EOFs
        lines = open(self.logp).read().splitlines()
        out = [json.loads(l) for l in lines[self.mark:]]
        self.mark = len(lines)
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def run(lib, code, sock, extra_env=None, timeout=15):
    env = dict(os.environ)
    env.pop("KSOCK_DEBUG", None)
    env["LD_PRELOAD"] = lib
    if sock is None:
        env.pop("KSOCK_SOCKET", None)
    else:
        env["KSOCK_SOCKET"] = sock
    env.update(extra_env or {})
    return subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)


PRELUDE = "import socket, os, select, sys, signal, fcntl, struct, threading, time\n"


def ops(entries, pid=None):
    return [e.get("op") for e in entries if "op" in e and (pid is None or e.get("pid") == pid)]


def test_basic(lib, m):
    r = run(lib, PRELUDE + """
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(os.getpid(), s.fileno(), os.fstat(s.fileno()).st_ino)
s.sendto(b"hello", ("10.0.0.1", 9))
print(select.select([s], [], [], 0)[0] != [])
print(s.recvfrom(100)[0].decode())
print(select.select([s], [], [], 0)[0] != [])
print(os.readlink(f"/proc/self/fd/{s.fileno()}"))
print(open("/proc/net/dev").read().strip())
print(socket.if_nametoindex("ks0"), socket.if_indextoname(7), socket.if_nameindex())
s.sendmsg([b"ab", b"cd"])
print(s.recvmsg(100, 64)[0].decode())
a, b = socket.socketpair()          # AF_UNIX: not served, stays on the host
a.send(b"x"); print(b.recv(1).decode())
s.close()
""", m.sock)
    lines = r.stdout.splitlines()
    check("basic: runs", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return
    pid, fd, ino = map(int, lines[0].split())
    check("basic: readable after a send (readiness byte)", lines[1] == "True", lines[1])
    check("basic: data comes back through RECVMSG", lines[2] == "hello")
    check("basic: drained after the receive", lines[3] == "False", lines[3])
    # the mock answers INODE with the placeholder's host inode + 1000000
    check("basic: readlink gives the ksock inode", lines[4] == f"socket:[{ino + 1000000}]", lines[4])
    check("basic: /proc/net/dev from the server", lines[5] == "ksock mock: /proc/net/dev", lines[5])
    check("basic: interface names from the server", lines[6] == "7 ks0 [(1, 'lo'), (7, 'ks0')]", lines[6])
    check("basic: sendmsg gathers, recvmsg scatters", lines[7] == "abcd", lines[7])
    check("basic: AF_UNIX socketpair on the host", lines[8] == "x")
    e = m.entries()
    o = ops(e, pid)
    check("basic: HELLO kind 0 first", o[:1] == ["HELLO"] and [x for x in e if x.get("op") == "HELLO"
                                                               and x["pid"] == pid][0]["kind"] == 0, o)
    for want in ["PH_HELLO", "SOCKET", "SENDMSG", "RECVMSG", "INODE", "PROC_READ", "IF_NAMETOINDEX",
                 "IF_INDEXTONAME", "IF_NAMEINDEX", "CLOSE"]:
        check(f"basic: {want} sent", want in o, o)
    check("basic: no SOCKETPAIR for AF_UNIX", "SOCKETPAIR" not in o)
    sock = [x for x in e if x.get("op") == "SOCKET"][0]
    check("basic: SOCKET names H", sock["ints"][3] == fd, sock)
    check("basic: placeholder closed at exit/close", any(x.get("ev") == "PH_EOF" for x in e))


def test_fork_exec_threads(lib, m):
    r = run(lib, PRELUDE + """
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.send(b"one"); s.send(b"two")
pid = os.fork()
if pid == 0:
    s.send(b"child")
    os._exit(0)
os.waitpid(pid, 0)
print(s.recv(10).decode(), pid, os.getpid(), s.fileno())
import subprocess
out = subprocess.run([sys.executable, "-c",
    "import socket,sys; s=socket.socket(fileno=int(sys.argv[1])); print(s.recv(10).decode())", str(s.fileno())],
    pass_fds=[s.fileno()], capture_output=True, text=True)
print(out.stdout.strip(), out.returncode, out.stderr.strip()[:200])
res = []
t = threading.Thread(target=lambda: res.append(s.recv(10).decode()))
t.start(); t.join()
print(res[0])
""", m.sock)
    check("fork/exec/threads: runs", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return
    lines = r.stdout.splitlines()
    first, child, parent, fd = lines[0].split()
    child, parent = int(child), int(parent)
    check("fork: parent still in step after the child used the socket", first == "one", lines[0])
    check("exec: inherited placeholder recognised and served", lines[1].split()[0] == "two", lines[1])
    check("thread: call from another thread", lines[2] == "child", lines[2])
    e = m.entries()
    hellos = [x for x in e if x.get("op") == "HELLO"]
    ch = [x for x in hellos if x["pid"] == child]
    check("fork: child says HELLO kind 1", len(ch) == 1 and ch[0]["kind"] == 1, ch)
    check("fork: child's fdlist lists the socket", ch and any(f["fd"] == int(fd) for f in ch[0]["fdlist"]), ch)
    check("fork: child's request arrives", "SENDMSG" in ops(e, child))
    ex = [x for x in hellos if x["kind"] == 0 and x["ppid"] == parent and x["pid"] != child]
    check("exec: new image says HELLO kind 0 with the fd in fdlist",
          any(any(f["fd"] == int(fd) for f in x["fdlist"]) for x in ex), ex)
    th = [x for x in hellos if x["pid"] == parent and x["kind"] == 2]
    check("thread: HELLO kind 2", len(th) == 1, [x["kind"] for x in hellos if x["pid"] == parent])


def test_cancel(lib, m):
    r = run(lib, PRELUDE + """
class Timeout(Exception): pass
def h(*a): raise Timeout()
signal.signal(signal.SIGALRM, h)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
signal.setitimer(signal.ITIMER_REAL, 0.3)
t = time.time()
try:
    s.recv(10); print("no")
except Timeout:
    print("interrupted", round(time.time() - t, 1))
s.send(b"after"); print(s.recv(10).decode())
""", m.sock)
    check("cancel: runs", r.returncode == 0, r.stderr)
    lines = r.stdout.splitlines()
    check("cancel: blocking recv interrupted by the signal", lines[:1] == ["interrupted 0.3"], r.stdout)
    check("cancel: connection in step afterwards", lines[1:2] == ["after"], r.stdout)
    e = m.entries()
    check("cancel: CANCEL reached the server during the sleep",
          any(x.get("op") == "CANCEL" and x.get("during_sleep") for x in e), ops(e))


def test_fd_calls(lib, m):
    r = run(lib, PRELUDE + """
import array
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d = os.dup(s.fileno())
os.dup2(s.fileno(), t.fileno())
s.setblocking(False)
try:
    s.recv(10); print("no")
except BlockingIOError:
    print("EAGAIN")
print(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK != 0)
s.send(b"12345")
buf = array.array("i", [0]); fcntl.ioctl(s.fileno(), 0x541B, buf); print(buf[0])
ifr = struct.pack("16s24x", b"ks0")
print(struct.unpack_from("i", fcntl.ioctl(s.fileno(), 0x8933, ifr), 16)[0])
os.close(d)
print(os.read(t.fileno(), 10).decode())
""", m.sock)
    check("fd calls: runs", r.returncode == 0, r.stderr)
    lines = r.stdout.splitlines()
    check("fd calls: non-blocking recv → EAGAIN", lines[:1] == ["EAGAIN"], r.stdout)
    check("fd calls: F_GETFL answered with O_NONBLOCK", lines[1:2] == ["True"], r.stdout)
    check("fd calls: FIONREAD", lines[2:3] == ["5"], r.stdout)
    check("fd calls: SIOCGIFINDEX of a server-only device", lines[3:4] == ["7"], r.stdout)
    check("fd calls: read() on a dup2'ed descriptor", lines[4:5] == ["12345"], r.stdout)
    o = ops(m.entries())
    check("fd calls: DUP, CLOSE-before-DUP for dup2, IOCTL, FCNTL, READ",
          all(x in o for x in ["DUP", "IOCTL", "FCNTL", "READ"]) and o.count("CLOSE") >= 2, o)


def test_unreachable(lib, tmp):
    r = run(lib, PRELUDE + """
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM); print("no")
except OSError as e:
    print(e.errno)
a, b = socket.socketpair(); a.send(b"u"); print(b.recv(1).decode())
""", os.path.join(tmp, "nobody.sock"), timeout=10)
    check("unreachable: EIO, no hang", r.stdout.splitlines()[:1] == ["5"], r.stdout + r.stderr)
    check("unreachable: stderr names the socket path", "nobody.sock" in r.stderr, r.stderr)
    check("unreachable: AF_UNIX still on the host", r.stdout.splitlines()[1:2] == ["u"], r.stdout)


def test_server_dies(lib, tmp):
    m = Mock(tmp, "dying")
    env = dict(os.environ, LD_PRELOAD=lib, KSOCK_SOCKET=m.sock)
    p = subprocess.Popen([PY, "-c", PRELUDE + """
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("ready", flush=True); sys.stdin.readline()
try:
    s.send(b"x"); print("no")
except OSError as e:
    print(e.errno)
"""], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()
    m.stop()
    out, err = p.communicate("go\n", timeout=10)
    check("server gone: EIO on a ksock socket, no hang", out.strip() == "5", out + err)
    check("server gone: stderr names the socket path", "dying.sock" in err, err)


def test_passthrough(lib):
    env = dict(os.environ, LD_PRELOAD=lib)
    env.pop("KSOCK_SOCKET", None)
    plain = dict(os.environ)
    plain.pop("KSOCK_SOCKET", None)
    code = ("import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); "
            "c=socket.create_connection(s.getsockname()); a,_=s.accept(); c.sendall(b'hi'); print(a.recv(9)); "
            "print(socket.if_nameindex()[0], open('/proc/net/dev').read()[:30])")
    for cmd in (["ip", "link"], ["ip", "addr"], [PY, "-c", code], ["curl", "--version"]):
        if not shutil.which(cmd[0]):
            print(f"skip passthrough: {cmd[0]} not installed")
            continue
        a = subprocess.run(cmd, env=plain, capture_output=True, text=True)
        b = subprocess.run(cmd, env=env, capture_output=True, text=True)
        check(f"KSOCK_SOCKET unset: `{' '.join(cmd)[:40]}` unchanged",
              (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr), b.stderr)


def test_peercred(tmp):
    if not shutil.which("node"):
        print("skip peercred: node not installed")
        return
    js = """
const { peercred } = require(process.argv[1]);
const net = require('node:net');
const p = process.argv[2];
const srv = net.createServer((c) => { const r = peercred(c._handle.fd);
  console.log(JSON.stringify(r) === JSON.stringify({ pid: process.pid, uid: process.getuid(), gid: process.getgid() }));
  c.destroy(); srv.close(); });
srv.listen(p, () => net.connect(p));
try { peercred(0); } catch (e) { console.log(e.code); }
"""
    r = subprocess.run(["node", "-e", js, os.path.join(tmp, "peercred.node"), os.path.join(tmp, "pc.sock")],
                       capture_output=True, text=True, timeout=10)
    check("peercred: error names errno", r.stdout.splitlines()[:1] == ["ENOTSOCK"], r.stdout + r.stderr)
    check("peercred: pid/uid/gid of the peer", r.stdout.splitlines()[1:2] == ["true"], r.stdout + r.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="ksock-native-")
    try:
        lib = build(tmp)
        m = Mock(tmp)
        try:
            test_basic(lib, m)
            test_fork_exec_threads(lib, m)
            test_cancel(lib, m)
            test_fd_calls(lib, m)
        finally:
            m.stop()
        test_unreachable(lib, tmp)
        test_server_dies(lib, tmp)
        test_passthrough(lib)
        test_peercred(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{len(failures)} failed" if failures else "\nall passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    main()
