"""
Ask the host kernel how socket options answer on fresh TCP, UDP and raw (IPPROTO_RAW) sockets:
getsockopt with 4, 1, 0 and 64 bytes of room, and setsockopt with ints 0, 1, -1, 2 and 256, a single
byte 1 and an empty value, each on a fresh socket and read back. Run as root in a fresh network
namespace, with the level and the options to ask about:

    unshare --net sh -c 'ip link set lo up; python3 tools/sockopt_probe.py 0 1 2 3 ...' > src/__fixtures__/ip-options-linux-6.18.json

Answers are "ok" (with the bytes read, in hex, for a get) or the errno's name; the sysctls some answers
depend on are recorded with them.
"""
import ctypes, errno, json, os, socket, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
LEVEL = int(sys.argv[1])
OPTIONS = [int(a) for a in sys.argv[2:]]
KINDS = {'tcp': (socket.SOCK_STREAM, 0), 'udp': (socket.SOCK_DGRAM, 0), 'raw': (socket.SOCK_RAW, 255)}
SETS = {'0': struct.pack('i', 0), '1': struct.pack('i', 1), '-1': struct.pack('i', -1), '2': struct.pack('i', 2),
        '256': struct.pack('i', 256), 'byte1': b'\x01', 'empty': b''}


def fail():
    return errno.errorcode[ctypes.get_errno()]


def get(fd, opt, room):
    buf = ctypes.create_string_buffer(max(room, 1))
    length = ctypes.c_uint(room)
    if libc.getsockopt(fd, LEVEL, opt, buf, ctypes.byref(length)) != 0:
        return fail()
    return 'ok:' + buf.raw[:length.value].hex()


def put(fd, opt, value):
    if libc.setsockopt(fd, LEVEL, opt, ctypes.create_string_buffer(value, max(len(value), 1)), len(value)) != 0:
        return fail()
    return 'ok'


# Host settings some answers depend on (buffer limits, TCP's receive memory): the tests copy them in.
SYSCTLS = ['net/core/rmem_max', 'net/core/wmem_max', 'net/core/rmem_default', 'net/core/wmem_default',
           'net/ipv4/tcp_rmem', 'net/ipv4/tcp_wmem']
sysctl = {name.replace('/', '.'): ' '.join(open('/proc/sys/' + name).read().split()) for name in SYSCTLS}
out = {'kernel': os.uname().release, 'level': LEVEL, 'sysctl': sysctl, 'options': {}}
for opt in OPTIONS:
    row = {}
    for kind, (stype, proto) in KINDS.items():
        s = socket.socket(socket.AF_INET, stype, proto)
        r = {f'get{room}': get(s.fileno(), opt, room) for room in (4, 1, 0, 64)}
        s.close()
        for name, value in SETS.items():
            s = socket.socket(socket.AF_INET, stype, proto)
            r[f'set{name}'] = put(s.fileno(), opt, value) + ' ' + get(s.fileno(), opt, 4)
            s.close()
        row[kind] = r
    out['options'][str(opt)] = row
print(json.dumps(out, indent=1))
