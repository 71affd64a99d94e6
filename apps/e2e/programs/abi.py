# abi.py — the raw ABI's lengths and flags as a C caller sees them: MSG_TRUNC, MSG_CTRUNC, msg_namelen,
# ancillary data, getsockopt's written-back length. Prints one JSON object.
import json, socket, struct

out = {}
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
u.setsockopt(socket.IPPROTO_IP, 8, 1)  # IP_PKTINFO (Python 3.11 lacks the name)
u.sendto(b'0123456789', u.getsockname())
# A 4-byte buffer for a 10-byte datagram: 4 bytes, MSG_TRUNC, and the sender's address.
data, anc, flags, addr = u.recvmsg(4, socket.CMSG_SPACE(12))
out['trunc'] = {'data': data.decode(), 'flags_trunc': bool(flags & socket.MSG_TRUNC), 'addr': addr[0]}
out['pktinfo'] = [(lvl, typ, len(d)) for lvl, typ, d in anc]
if anc:
    ifindex, spec, dst = struct.unpack('=i4s4s', anc[0][2][:12])
    out['pktinfo_ifindex'] = ifindex
    out['pktinfo_dst'] = socket.inet_ntoa(dst)
# recv(MSG_TRUNC) returns the datagram's real length.
u.sendto(b'abcdef', u.getsockname())
out['recv_trunc_len'] = len(u.recv(2, socket.MSG_PEEK))
n = u.recv_into(bytearray(2), 2, socket.MSG_TRUNC)
out['recv_into_trunc'] = n
# Ancillary data that does not fit: MSG_CTRUNC.
u.sendto(b'x', u.getsockname())
_, anc2, flags2, _ = u.recvmsg(16, 1)
out['ctrunc'] = bool(flags2 & socket.MSG_CTRUNC)
# SO_TYPE into a short buffer, and a raw socket for the unprivileged.
out['so_type_short'] = len(u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 2))
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    out['raw'] = 'ok'
except PermissionError:
    out['raw'] = 'EPERM'
out['ifindex_lo'] = socket.if_nametoindex('lo')
print(json.dumps(out))
