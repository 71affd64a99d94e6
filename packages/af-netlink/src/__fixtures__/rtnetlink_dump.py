import socket, struct, json, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
def req(t, flags, payload, seq):
    h = struct.pack('=IHHII', 16+len(payload), t, flags, seq, 0)
    s.send(h + payload)
def dump(t, payload):
    req(t, 0x301, payload, 1)
    out = []
    while True:
        d = s.recv(65536)
        out.append(d.hex())
        msgs = []
        off = 0
        done = False
        while off + 16 <= len(d):
            ln, ty, fl, sq, pid = struct.unpack_from('=IHHII', d, off)
            msgs.append((ln, ty, fl))
            if ty == 3: done = True
            off += (ln + 3) & ~3
        if done: break
    return out
links = dump(18, struct.pack('=BxHiII', 0, 0, 0, 0, 0))
addrs = dump(22, struct.pack('=BBBBI', 2, 0, 0, 0, 0))
print(json.dumps({'kernel': open('/proc/sys/kernel/osrelease').read().strip(), 'getlink': links, 'getaddr': addrs}))
