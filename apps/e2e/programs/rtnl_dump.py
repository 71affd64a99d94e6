"""rtnl_dump.py — dump the links over a raw NETLINK_ROUTE socket (RTM_GETLINK), parsed here; print JSON."""
import json
import socket
import struct

RTM_NEWLINK, RTM_GETLINK = 16, 18
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
IFLA_IFNAME, IFLA_MTU = 3, 4

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
portid = s.getsockname()[0]
ifinfomsg = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
s.send(struct.pack("=IHHII", 16 + len(ifinfomsg), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + ifinfomsg)
links = []
done = False
while not done:
    data = s.recv(65536)
    off = 0
    while off < len(data):
        length, typ, _flags, seq, pid = struct.unpack_from("=IHHII", data, off)
        if typ == NLMSG_DONE:
            done = True
            break
        if typ == NLMSG_ERROR:
            raise SystemExit("NLMSG_ERROR %d" % struct.unpack_from("=i", data, off + 16)[0])
        assert typ == RTM_NEWLINK and seq == 1 and pid == portid, (typ, seq, pid, portid)
        _family, _type, index, flags, _change = struct.unpack_from("=BxHiII", data, off + 16)
        link = {"index": index, "flags": flags}
        a = off + 32
        while a < off + length:
            alen, atype = struct.unpack_from("=HH", data, a)
            if atype == IFLA_IFNAME:
                link["name"] = data[a + 4 : a + alen].rstrip(b"\0").decode()
            elif atype == IFLA_MTU:
                link["mtu"] = struct.unpack_from("=I", data, a + 4)[0]
            a += (alen + 3) & ~3
        links.append(link)
        off += (length + 3) & ~3
print(json.dumps({"portid": portid, "links": links}))
