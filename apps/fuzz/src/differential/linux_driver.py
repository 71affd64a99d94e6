#!/usr/bin/env python3
"""
Run socket-call programs (JSON on stdin) against the host kernel and print, per op, 'ok' or the errno
name. Used by record.ts (run it inside `unshare --net` with lo up, so the host's interfaces and routes do
not matter). Sockets are nonblocking, so nothing waits; only read-only netlink requests are ever sent.
"""
import ctypes, errno, json, os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
libc = ctypes.CDLL(None, use_errno=True)
for f in ('socket','bind','connect','listen','shutdown','close','dup','dup2','fcntl'):
    getattr(libc, f).restype = ctypes.c_int
libc.sendto.restype = ctypes.c_ssize_t
libc.recvfrom.restype = ctypes.c_ssize_t
libc.sendto.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.recvfrom.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.bind.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.connect.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.setsockopt.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.getsockopt.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.getsockname.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.getpeername.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.accept4.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]

def res(r):
    if r < 0:
        e = ctypes.get_errno()
        return {95: 'EOPNOTSUPP', 11: 'EAGAIN', 35: 'EDEADLK'}.get(e) or errno.errorcode.get(e, 'E%d' % e)
    return 'ok'

def run(prog):
    fds = []
    out = []
    def fd(i):
        if i < 0: return -i  # raw
        return fds[i % len(fds)] if fds else 9999
    for o in prog:
        op = o['op']
        r = 0
        if op == 'socket':
            r = libc.socket(o['family'], o['type'], o['protocol'])
            if r >= 0: fds.append(r)
        elif op in ('bind', 'connect'):
            a = bytes.fromhex(o['addr'])
            r = getattr(libc, op)(fd(o['fd']), a, len(a))
        elif op == 'sendto':
            d = bytes.fromhex(o['data'])
            a = None if o['addr'] is None else bytes.fromhex(o['addr'])
            r = libc.sendto(fd(o['fd']), d, len(d), o['flags'], a, 0 if a is None else len(a))
        elif op == 'recvfrom':
            buf = ctypes.create_string_buffer(max(o['len'], 1))
            r = libc.recvfrom(fd(o['fd']), buf, o['len'], o['flags'], None, None)
        elif op == 'setsockopt':
            v = bytes.fromhex(o['value'])
            r = libc.setsockopt(fd(o['fd']), o['level'], o['name'], v, len(v))
        elif op == 'getsockopt':
            buf = ctypes.create_string_buffer(512)
            ln = ctypes.c_uint(o['len'])
            r = libc.getsockopt(fd(o['fd']), o['level'], o['name'], buf, ctypes.byref(ln))
            if r >= 0 and os.environ.get('VALUES'):
                out.append('ok:' + buf.raw[:ln.value].hex())
                continue
        elif op in ('getsockname', 'getpeername'):
            buf = ctypes.create_string_buffer(128)
            ln = ctypes.c_uint(128)
            r = getattr(libc, op)(fd(o['fd']), buf, ctypes.byref(ln))
        elif op == 'listen':
            r = libc.listen(fd(o['fd']), o['backlog'])
        elif op == 'accept':
            r = libc.accept4(fd(o['fd']), None, None, 0o4000)
            if r >= 0: fds.append(r)
        elif op == 'shutdown':
            r = libc.shutdown(fd(o['fd']), o['how'])
        elif op == 'close':
            f = fd(o['fd'])
            r = libc.close(f)
            if r == 0 and f in fds: fds.remove(f)
        elif op == 'dup':
            r = libc.dup(fd(o['fd']))
            if r >= 0: fds.append(r)
        elif op == 'fcntl':
            r = libc.fcntl(fd(o['fd']), o['cmd'], o['arg'])
            if r >= 0 and o['cmd'] in (0, 1030): fds.append(r)
        out.append(res(r))
    for f in fds:
        libc.close(f)
    return out

progs = json.load(sys.stdin)
print(json.dumps({'kernel': os.uname().release, 'results': [run(p) for p in progs]}))
