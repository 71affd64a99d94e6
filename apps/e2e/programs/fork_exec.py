"""fork_exec.py — fork (seen by cn_proc; the child uses the parent's socket), then exec keeping a socket
without close-on-exec and losing one with it. Prints JSON."""
import json
import os
import socket
import struct
import sys

if sys.argv[1:2] == ["exec"]:
    keep, drop = int(sys.argv[2]), int(sys.argv[3])
    k = socket.socket(fileno=keep)
    out = {"kept": k.getsockname()[1]}
    try:
        os.fstat(drop)
        out["dropped"] = False
    except OSError:
        out["dropped"] = True
    k.detach()
    print(json.dumps(out), flush=True)
    sys.exit(0)

out = {}
NETLINK_CONNECTOR, CN_IDX_PROC, CN_VAL_PROC, PROC_CN_MCAST_LISTEN, PROC_EVENT_FORK = 11, 1, 1, 1, 1
cn = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
cn.bind((0, CN_IDX_PROC))
out["ksock_pid"] = cn.getsockname()[0]  # an autobound portid is the task's tgid
msg = struct.pack("=IIIIHH", CN_IDX_PROC, CN_VAL_PROC, 0, 0, 4, 0) + struct.pack("=I", PROC_CN_MCAST_LISTEN)
cn.send(struct.pack("=IHHII", 16 + len(msg), 3, 0, 0, 0) + msg)

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
pid = os.fork()
if pid == 0:
    # The child's task shares the parent's open file: its name is the one the parent bound.
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.sendto(b"%d" % u.getsockname()[1], u.getsockname())
    os._exit(0)
os.waitpid(pid, 0)
out["host_child"] = pid
u.settimeout(5)
out["child_said"] = int(u.recv(100))
out["port"] = u.getsockname()[1]
cn.settimeout(5)
while True:
    d = cn.recv(4096)
    if struct.unpack_from("=I", d, 16 + 20)[0] == PROC_EVENT_FORK:
        out["fork"] = struct.unpack_from("=IIII", d, 16 + 20 + 16)
        break

keep = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
keep.bind(("127.0.0.1", 0))
keep.set_inheritable(True)
drop = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # Python's sockets are close-on-exec
out["keep_port"] = keep.getsockname()[1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    os.execv(sys.executable, [sys.executable, __file__, "exec", str(keep.fileno()), str(drop.fileno())])
os.close(w)
os.waitpid(pid, 0)
out["exec"] = json.loads(os.read(r, 4096))
print(json.dumps(out))
