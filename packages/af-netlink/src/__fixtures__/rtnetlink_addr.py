# RTM_NEWADDR / RTM_DELADDR replies (NETLINK_EXT_ACK on) and notifications from the host kernel, in a fresh
# network namespace with lo up: `unshare -n python3 rtnetlink_addr.py > linux-6.18-rtnetlink-addr.json`.
# Each step records the request's bytes, the replies to it (a dump's datagrams up to NLMSG_DONE), and what a
# socket bound to RTNLGRP_IPV4_IFADDR received meanwhile.
import socket, struct, json, subprocess
subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((1000, 0))
s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
mon = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
mon.bind((1001, 1 << 4))  # RTNLGRP_IPV4_IFADDR
mon.setblocking(False)
steps = []
def notes():
    out = []
    try:
        while True: out.append(mon.recv(65536).hex())
    except BlockingIOError:
        return out
def step(name, t, flags, payload, seq):
    req = struct.pack('=IHHII', 16 + len(payload), t, flags, seq, 0) + payload
    s.send(req)
    replies = []
    while True:
        d = s.recv(65536); replies.append(d.hex())
        if not flags & 0x300 or t % 4 != 2 or struct.unpack_from('=H', d, 4)[0] == 3: break
    steps.append({'name': name, 'req': req.hex(), 'replies': replies, 'notes': notes()})
def ifa(idx, plen=24, flags=0, scope=0):
    return struct.pack('=BBBBI', 2, plen, flags, scope, idx)
def nla(t, b):
    l = 4 + len(b)
    return struct.pack('=HH', l, t) + b + b'\0' * ((-l) & 3)
ip = lambda a: socket.inet_aton(a)
NEW, DEL, GET = 20, 21, 22
ACK, CREATE_EXCL = 0x5, 0x600
step('new_ok', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.9')) + nla(1, ip('10.9.9.9')) + nla(4, ip('10.9.9.255')), 1)
step('new_exists_excl', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.9')), 2)
step('new_exists_create', NEW, ACK | 0x400, ifa(1) + nla(2, ip('10.9.9.9')), 3)
step('new_exists_replace', NEW, ACK | 0x100, ifa(1) + nla(2, ip('10.9.9.9')), 4)
step('new_secondary', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.10')) + nla(3, b'lo:1\0'), 5)
step('new_prefix33', NEW, ACK | CREATE_EXCL, ifa(1, 33) + nla(2, ip('10.9.9.11')), 6)
step('new_nolocal', NEW, ACK | CREATE_EXCL, ifa(1) + nla(1, ip('10.9.9.11')), 7)
step('new_enodev', NEW, ACK | CREATE_EXCL, ifa(99) + nla(2, ip('10.9.9.11')), 8)
step('new_zero_local', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('0.0.0.0')), 9)
step('new_short_local', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, b'\x0a\x09'), 10)
step('new_long_label', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.12')) + nla(3, b'abcdefghijklmnop\0'), 11)
step('new_empty_label', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.12')) + nla(3, b''), 12)
step('new_short_proto', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.12')) + nla(11, b''), 13)
step('new_short_netnsid', NEW, ACK | CREATE_EXCL, ifa(1) + nla(10, b'\1\2') + nla(2, ip('10.9.9.12')), 14)
step('new_short_cacheinfo', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.12')) + nla(6, bytes(8)), 15)
step('new_bad_cacheinfo', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.13')) + nla(6, struct.pack('=IIII', 10, 5, 0, 0)), 16)
step('new_zero_valid', NEW, ACK | CREATE_EXCL, ifa(1) + nla(2, ip('10.9.9.13')) + nla(6, struct.pack('=IIII', 0, 0, 0, 0)), 17)
step('new_short_hdr', NEW, ACK | CREATE_EXCL, b'\x02\x18\x00\x00', 18)
step('new_scope_mismatch', NEW, ACK | CREATE_EXCL, ifa(1, 24, 0, 254) + nla(2, ip('10.9.9.14')), 19)
step('new_flags_attr', NEW, ACK | CREATE_EXCL, ifa(1, 16) + nla(2, ip('10.8.0.1')) + nla(8, struct.pack('=I', 0x3ff)), 20)
step('new_flags_u8', NEW, ACK | CREATE_EXCL, ifa(1, 32, 0xff) + nla(2, ip('10.7.0.1')), 21)
step('new_long_local_ignored_type', NEW, ACK | CREATE_EXCL, ifa(1, 32) + nla(2, ip('10.7.0.2') + bytes(4)) + nla(40, b''), 22)
step('new_host_scope', NEW, ACK | CREATE_EXCL, ifa(1, 8, 0, 254) + nla(2, ip('127.0.0.2')), 23)
step('dump_after_adds', GET, 0x301, ifa(0, 0), 24)
step('del_nomatch', DEL, ACK, ifa(1) + nla(2, ip('10.9.9.99')), 25)
step('del_enodev', DEL, ACK, ifa(99) + nla(2, ip('10.9.9.9')), 26)
step('del_bulk', DEL, ACK | 0x200, ifa(1) + nla(2, ip('10.9.9.9')), 27)
step('del_primary', DEL, ACK, ifa(1) + nla(2, ip('10.9.9.9')), 28)
step('dump_after_del', GET, 0x301, ifa(0, 0), 29)
step('del_by_label_only', DEL, ACK, ifa(1, 0) + nla(3, b'lo\0'), 30)
step('del_short_hdr', DEL, ACK, b'\x02\x18\x00\x00', 31)
step('del_by_address_wrong_prefix', DEL, ACK, ifa(1, 24) + nla(1, ip('10.8.0.1')), 32)
step('del_by_address', DEL, ACK, ifa(1, 16) + nla(1, ip('10.8.0.0')), 33)
step('dump_end', GET, 0x301, ifa(0, 0), 34)
print(json.dumps({
    '_comment': 'Linux 6.18 answering RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR in a fresh network namespace with lo up '
                '(root, portid 1000, NETLINK_EXT_ACK); recorded by rtnetlink_addr.py.',
    'kernel': open('/proc/sys/kernel/osrelease').read().strip(),
    'steps': steps,
}, indent=1))
