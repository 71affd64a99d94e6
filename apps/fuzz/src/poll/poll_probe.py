"""
Ask the host kernel for the poll masks of sockets in a set of scenarios, and print them with the steps
that built them (poll.test.ts replays the same steps on ksock). Run as root in a fresh network namespace:

    unshare --net sh -c 'ip link set lo up; python3 src/poll/poll_probe.py' > src/poll/poll-linux-6.18.json

A scenario is a list of steps on named descriptors; every "poll" step records poll()'s revents for
events 0xffff (what the descriptor can report), as an int. Steps:
  ["socket", name, family, type, protocol]       non-blocking
  ["bind", name, port]                            127.0.0.1:port (inet); pid (netlink)
  ["listen", name, backlog]
  ["connect", name, port]                         127.0.0.1:port (EINPROGRESS and errors ignored)
  ["accept", name, newname]
  ["sendto", name, port, nbytes]                  port 0: send() on a connected socket
  ["nl_send", name, dst_pid, nbytes]              a NETLINK_USERSOCK message of nbytes payload
  ["nl_getlink_dump", name]                       RTM_GETLINK with NLM_F_DUMP to the kernel
  ["recv", name]                                  one recv(MSG_DONTWAIT) of up to 64 KiB, errors ignored
  ["setsockopt", name, level, optname, int]
  ["shutdown", name, how]                         errors ignored (ENOTCONN still marks the bits)
  ["close", name]
  ["devnull", name]                               open("/dev/null", O_RDWR)
  ["poll", name]
"""
import errno, json, os, select, socket, struct, time

AF_INET, AF_NETLINK = 2, 16
STREAM, DGRAM, RAW = 1, 2, 3
SOL_SOCKET, SO_RCVLOWAT, SO_SNDBUF, SO_RCVBUF = 1, 18, 7, 8

P = 40000  # a port with a socket on it
Q = 40009  # a port nobody holds

S = lambda n, t, p=0: ['socket', n, AF_INET, t, p]
poll = lambda n: ['poll', n]
listener = [S('l', STREAM), ['bind', 'l', P], ['listen', 'l', 8]]
pair = listener + [S('c', STREAM), ['connect', 'c', P], ['accept', 'l', 'a']]

SCENARIOS = {
    'devnull': [['devnull', 'n'], poll('n')],
    'udp_fresh': [S('u', DGRAM), poll('u')],
    'udp_bound': [S('u', DGRAM), ['bind', 'u', P], poll('u')],
    'udp_data': [S('u', DGRAM), ['bind', 'u', P], S('s', DGRAM), ['sendto', 's', P, 10], poll('u'),
                 ['recv', 'u'], poll('u')],
    'udp_connected': [S('u', DGRAM), ['bind', 'u', P], S('s', DGRAM), ['connect', 's', P], poll('s')],
    'udp_connected_refused': [S('s', DGRAM), ['connect', 's', Q], ['sendto', 's', 0, 10], poll('s'),
                              ['recv', 's'], poll('s')],
    'udp_unconnected_refused': [S('s', DGRAM), ['sendto', 's', Q, 10], poll('s')],
    'udp_shut_rd': [S('u', DGRAM), ['shutdown', 'u', 0], poll('u')],
    'udp_shut_wr': [S('u', DGRAM), ['shutdown', 'u', 1], poll('u')],
    'udp_shut_rdwr': [S('u', DGRAM), ['shutdown', 'u', 2], poll('u')],
    'udp_connected_shut_rdwr': [S('u', DGRAM), ['bind', 'u', P], S('s', DGRAM), ['connect', 's', P],
                                ['shutdown', 's', 2], poll('s')],
    'udp_small_sndbuf_data': [S('u', DGRAM), ['setsockopt', 'u', SOL_SOCKET, SO_SNDBUF, 1], poll('u')],
    'raw_fresh': [S('r', RAW, 1), poll('r')],
    'tcp_fresh': [S('t', STREAM), poll('t')],
    'tcp_bound': [S('t', STREAM), ['bind', 't', P], poll('t')],
    'tcp_listen': listener + [poll('l')],
    'tcp_listen_pending': listener + [S('c', STREAM), ['connect', 'c', P], poll('l'), poll('c'),
                                      ['accept', 'l', 'a'], poll('l'), poll('a')],
    'tcp_data': pair + [['sendto', 'a', 0, 10], poll('c'), ['recv', 'c'], poll('c')],
    'tcp_rcvlowat': pair + [['setsockopt', 'c', SOL_SOCKET, SO_RCVLOWAT, 100], ['sendto', 'a', 0, 10],
                            poll('c'), ['sendto', 'a', 0, 90], poll('c')],
    'tcp_peer_shut_wr': pair + [['shutdown', 'c', 1], poll('a'), poll('c')],
    'tcp_peer_shut_wr_then_local': pair + [['shutdown', 'c', 1], ['shutdown', 'a', 1], poll('a'), poll('c')],
    'tcp_peer_close': pair + [['close', 'c'], poll('a')],
    'tcp_peer_close_unread': pair + [['sendto', 'a', 0, 10], ['close', 'c'], poll('a'), ['recv', 'a'],
                                     poll('a')],
    'tcp_refused': [S('t', STREAM), ['connect', 't', Q], poll('t'), ['recv', 't'], poll('t')],
    'tcp_shut_rd': pair + [['shutdown', 'c', 0], poll('c'), poll('a')],
    'tcp_shut_wr': pair + [['shutdown', 'c', 1], poll('c')],
    'tcp_shut_rdwr': pair + [['shutdown', 'c', 2], poll('c'), poll('a')],
    'tcp_fresh_shut_rd': [S('t', STREAM), ['shutdown', 't', 0], poll('t')],
    'tcp_fresh_shut_rdwr': [S('t', STREAM), ['shutdown', 't', 2], poll('t')],
    'tcp_listen_shut_rd': listener + [['shutdown', 'l', 0], poll('l')],
    'tcp_listener_closed': pair + [['close', 'l'], poll('a'), poll('c')],
    'tcp_unaccepted_listener_closed': listener + [S('c', STREAM), ['connect', 'c', P], ['close', 'l'],
                                                  poll('c')],
    'tcp_disconnect': pair + [['connect', 'c', 0], poll('c'), poll('a')],
    'nl_fresh': [['socket', 'n', AF_NETLINK, DGRAM, 2], poll('n')],
    'nl_queued': [['socket', 'n', AF_NETLINK, DGRAM, 2], ['bind', 'n', 200], ['socket', 'm', AF_NETLINK, DGRAM, 2],
                  ['bind', 'm', 100], ['nl_send', 'm', 200, 4], poll('n'), ['recv', 'n'], poll('n')],
    'nl_dump': [['socket', 'n', AF_NETLINK, DGRAM, 0], ['nl_getlink_dump', 'n'], poll('n')],
    'nl_dump_small_rcvbuf': [['socket', 'n', AF_NETLINK, DGRAM, 0], ['setsockopt', 'n', SOL_SOCKET, SO_RCVBUF, 1],
                             ['nl_getlink_dump', 'n'], poll('n'), ['recv', 'n'], poll('n')],
}


def run(steps):
    fds, masks = {}, []
    for step in steps:
        op, name = step[0], step[1]
        try:
            if op == 'socket':
                fds[name] = socket.socket(step[2], step[3] | socket.SOCK_NONBLOCK, step[4])
            elif op == 'devnull':
                fds[name] = os.open('/dev/null', os.O_RDWR)
            elif op == 'bind':
                s = fds[name]
                s.bind((step[2], 0) if s.family == AF_NETLINK else ('127.0.0.1', step[2]))
            elif op == 'listen':
                fds[name].listen(step[2])
            elif op == 'connect':
                s = fds[name]
                if step[2] == 0:  # AF_UNSPEC: disconnect
                    import ctypes
                    libc = ctypes.CDLL(None, use_errno=True)
                    libc.connect(s.fileno(), struct.pack('HH12x', 0, 0), 16)
                else:
                    s.connect_ex(('127.0.0.1', step[2]))
            elif op == 'accept':
                fds[step[2]] = fds[name].accept()[0]
            elif op == 'sendto':
                s = fds[name]
                if step[2] == 0:
                    s.send(b'x' * step[3])
                else:
                    s.sendto(b'x' * step[3], ('127.0.0.1', step[2]))
            elif op == 'nl_send':
                fds[name].sendto(struct.pack('IHHII', 16 + step[3], 0x10, 0, 1, 0) + b'\0' * step[3], (step[2], 0))
            elif op == 'nl_getlink_dump':
                ifinfo = struct.pack('BxHiII', 0, 0, 0, 0, 0)
                fds[name].sendto(struct.pack('IHHII', 16 + len(ifinfo), 18, 0x301, 1, 0) + ifinfo, (0, 0))
            elif op == 'recv':
                fds[name].recv(65536, socket.MSG_DONTWAIT)
            elif op == 'setsockopt':
                fds[name].setsockopt(step[2], step[3], step[4])
            elif op == 'shutdown':
                fds[name].shutdown(step[2])
            elif op == 'close':
                fds.pop(name).close()
            elif op == 'poll':
                time.sleep(0.02)  # let loopback's softirq work (ICMP, handshakes, FIN) finish
                f = fds[name]
                p = select.poll()
                p.register(f if isinstance(f, int) else f.fileno(), 0xffff)
                r = p.poll(0)
                masks.append(r[0][1] if r else 0)
        except OSError as e:
            if op not in ('shutdown', 'recv', 'connect', 'sendto'):
                raise
    for f in fds.values():
        os.close(f) if isinstance(f, int) else f.close()
    return masks


out = {'kernel': os.uname().release, 'events': 0xffff, 'scenarios': {}}
for name, steps in SCENARIOS.items():
    out['scenarios'][name] = {'steps': steps, 'masks': run(steps)}
    time.sleep(0.05)
print(json.dumps(out, indent=1))
