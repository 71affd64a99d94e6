import socket, struct, json, os, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
s.bind((os.getpid(), 1))
def send(op, seq, ack, form=4):
    data = struct.pack('=I', op) if form == 4 else struct.pack('=II', op, 0)
    cn = struct.pack('=IIIIHH', 1, 1, seq, ack, len(data), 0) + data
    nl = struct.pack('=IHHII', 16 + len(cn), 3, 0, seq, os.getpid()) + cn
    s.send(nl)
send(1, 5, 7)
out = {'kernel': open('/proc/sys/kernel/osrelease').read().strip(), 'pid': os.getpid(), 'msgs': []}
pid = os.fork()
if pid == 0:
    os._exit(3)
os.waitpid(pid, 0)
s.settimeout(0.5)
try:
    while len(out['msgs']) < 50:
        d, a = s.recvfrom(65536)
        out['msgs'].append({'addr': list(a), 'hex': d.hex()})
except socket.timeout:
    pass
out['child'] = pid
print(json.dumps(out))
