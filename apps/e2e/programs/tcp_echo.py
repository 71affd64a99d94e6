"""tcp_echo.py server | client PORT — a TCP echo server (one connection) and its client."""
import socket
import sys

if sys.argv[1] == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    print("listening", s.getsockname()[1], flush=True)
    c, addr = s.accept()
    print("accepted", addr[0], flush=True)
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
    c.close()
    s.close()
    print("done", flush=True)
else:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=5)
    c.sendall(b"hello from a python client")
    got = b""
    while len(got) < 26:
        got += c.recv(100)
    print(got.decode())
    c.close()
