"""waiting.py — select, poll, epoll and asyncio waiting on ksock sockets; a non-blocking connect."""
import asyncio
import errno
import json
import select
import socket

out = {}
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out["select_idle"] = select.select([a], [], [], 0)[0] == []
b.sendto(b"x", a.getsockname())
out["select_ready"] = select.select([a], [], [], 5)[0] == [a]
p = select.poll()
p.register(a, select.POLLIN)
out["poll_ready"] = p.poll(5000) == [(a.fileno(), select.POLLIN)]
a.recv(10)
out["poll_drained"] = p.poll(0) == []
ep = select.epoll()
ep.register(a.fileno(), select.EPOLLIN)
out["epoll_idle"] = ep.poll(0) == []
b.sendto(b"y", a.getsockname())
out["epoll_ready"] = ep.poll(5) == [(a.fileno(), select.EPOLLIN)]
a.recv(10)

# A non-blocking connect: EINPROGRESS, then SO_ERROR says how it ended.
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.setblocking(False)
out["connect_closed"] = errno.errorcode.get(c.connect_ex(("127.0.0.1", 1)))
select.select([], [c], [c], 5)
out["so_error_closed"] = errno.errorcode.get(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
c2 = socket.socket()
c2.setblocking(False)
out["connect_listener"] = errno.errorcode.get(c2.connect_ex(listener.getsockname()))
select.select([], [c2], [], 5)
out["so_error_listener"] = c2.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


async def main():
    async def handle(r, w):
        w.write((await r.read(100))[::-1])
        await w.drain()
        w.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"asyncio")
    await w.drain()
    out["asyncio"] = (await asyncio.wait_for(r.read(100), 5)).decode()
    w.close()
    srv.close()
    await srv.wait_closed()


asyncio.run(main())
print(json.dumps(out))
