"""udp_echo.py server | client PORT — one UDP request, answered in capitals."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "server":
    s.bind(("127.0.0.1", 0))
    print("bound", s.getsockname()[1], flush=True)
    d, a = s.recvfrom(100)
    s.sendto(d.upper(), a)
else:
    s.settimeout(5)
    s.sendto(b"ping", ("127.0.0.1", int(sys.argv[2])))
    d, a = s.recvfrom(100)
    print(d.decode(), a[1])
