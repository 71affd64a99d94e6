import socket, struct, json
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((1000, 0))
def one(t, flags, payload, seq):
    h = struct.pack('=IHHII', 16+len(payload), t, flags, seq, 0)
    s.send(h + payload)
    return s.recv(65536).hex()
ifi = lambda idx: struct.pack('=BxHiII', 0, 0, idx, 0, 0)
def nla(t, b):
    l = 4 + len(b)
    return struct.pack('=HH', l, t) + b + b'\0' * ((-l) & 3)
r = {
 'kernel': open('/proc/sys/kernel/osrelease').read().strip(),
 'getlink_99_ack': one(18, 0x5, ifi(99), 10),
 'getlink_noidx_noname': one(18, 0x5, ifi(0), 11),
 'dellink_lo': one(17, 0x5, ifi(1), 12),
 'newlink_nocreate': one(16, 0x5, ifi(0) + nla(3, b'foo0\0'), 13),
 'newlink_dummy_create': one(16, 0x605, ifi(0) + nla(3, b'foo0\0') + nla(0x8000|18, nla(1, b'dummy\0')), 14),
 'getlink_tooshort': one(18, 0x5, b'', 15),
 'unknown_type_200': one(200, 0x5, b'\0'*4, 16),
}
print(json.dumps(r))
