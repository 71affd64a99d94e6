# rtnetlink replies with NETLINK_EXT_ACK (and with NETLINK_CAP_ACK) from the host kernel.
import socket, struct, json
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((1000, 0))
def one(t, flags, payload, seq):
    s.send(struct.pack('=IHHII', 16 + len(payload), t, flags, seq, 0) + payload)
    return s.recv(65536).hex()
ifi = lambda idx: struct.pack('=BxHiII', 0, 0, idx, 0, 0)
def nla(t, b):
    l = 4 + len(b)
    return struct.pack('=HH', l, t) + b + b'\0' * ((-l) & 3)
s.setsockopt(270, 11, 1)
r = {'kernel': open('/proc/sys/kernel/osrelease').read().strip()}
r['extack_newlink_unknown_kind'] = one(16, 0x605, ifi(0) + nla(3, b'foo0\0') + nla(0x8000 | 18, nla(1, b'nosuch\0')), 1)
r['extack_getlink_enodev'] = one(18, 0x5, ifi(99), 2)
r['extack_ack_ok'] = one(18, 0x5, b'', 3)
s.setsockopt(270, 10, 1)
r['capack_extack_newlink_unknown_kind'] = one(16, 0x605, ifi(0) + nla(3, b'foo0\0') + nla(0x8000 | 18, nla(1, b'nosuch\0')), 4)
print(json.dumps(r, indent=1))
