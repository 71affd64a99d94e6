"""ifaces.py — the interface answers glibc computes itself, through Python's socket module; print JSON."""
import json
import socket

names = socket.if_nameindex()
out = {"nameindex": names, "nametoindex": {}, "indextoname": {}}
for index, name in names:
    out["nametoindex"][name] = socket.if_nametoindex(name)
    out["indextoname"][str(index)] = socket.if_indextoname(index)
try:
    socket.if_nametoindex("no-such-dev")
    out["missing_raises"] = False
except OSError:
    out["missing_raises"] = True
print(json.dumps(out))
