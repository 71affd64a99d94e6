import { describe, expect, it } from 'vitest';
import { addr, bootPair, testFamily } from './__fixtures__/af_test.js';
import { Kernel } from './kernel.js';
import { errnoOf } from './testing/index.js';
import { CAP_NET_ADMIN } from './uapi/capability.js';
import { F_SETFL, O_NONBLOCK } from './uapi/fcntl.js';
import {
  AF_VSOCK,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  SO_DOMAIN,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_RCVTIMEO,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOL_SOCKET,
} from './uapi/socket.js';

const F = AF_VSOCK;

const boot = () => bootPair(F);

const bytes = (...x: number[]) => new Uint8Array(x);

describe('socket syscalls reach the family through proto_ops', () => {
  it('EBADF then ENOTSOCK, in that order, for every socket call', () => {
    const { task } = boot();
    for (const [name, call] of [
      ['bind', (fd: number) => task.bind(fd, addr(F, 9))],
      ['listen', (fd: number) => task.listen(fd, 1)],
      ['getsockname', (fd: number) => task.getsockname(fd)],
      ['getpeername', (fd: number) => task.getpeername(fd)],
      ['sendto', (fd: number) => task.sendto(fd, bytes(1))],
      ['recvfrom', (fd: number) => task.recvfrom(fd, 1)],
      ['setsockopt', (fd: number) => task.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1)],
      ['getsockopt', (fd: number) => task.getsockopt(fd, SOL_SOCKET, SO_TYPE)],
      ['shutdown', (fd: number) => task.shutdown(fd, 0)],
      ['accept4', (fd: number) => task.accept(fd)],
    ] as const) {
      expect(errnoOf(() => call(99), { syscall: true })).toBe(`${name}: EBADF`);
      expect(errnoOf(() => call(0), { syscall: true })).toBe(`${name}: ENOTSOCK`); // fd 0 is /dev/null
    }
  });

  it('connect copies the address before the ENOTSOCK check; bind checks the length', () => {
    const { task, a } = boot();
    expect(errnoOf(() => task.connect(0, new Uint8Array(129)), { syscall: true })).toBe('connect: EINVAL');
    expect(errnoOf(() => task.connect(0, new Uint8Array(4)))).toBe('ENOTSOCK');
    expect(errnoOf(() => task.bind(a, new Uint8Array(129)))).toBe('EINVAL');
    expect(errnoOf(() => task.bind(a, 'x' as unknown as Uint8Array))).toBe('EFAULT');
  });

  it('sock_no_* operations answer EOPNOTSUPP', () => {
    const { task, a } = boot();
    expect(errnoOf(() => task.listen(a, 5))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => task.connect(a, addr(F, 2)))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => task.shutdown(a, 2))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => task.socketpair(F, SOCK_DGRAM, 0))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => task.setsockopt(a, 99, 1, 1))).toBe('EOPNOTSUPP');
  });

  it('datagrams: sendto / recvfrom with the source address, MSG_PEEK and MSG_TRUNC', () => {
    const { task, a, b } = boot();
    expect(task.sendto(a, bytes(1, 2, 3, 4), 0, addr(F, 2))).toBe(4);
    const peek = task.recvfrom(b, 2, MSG_PEEK);
    expect(peek).toMatchObject({ len: 2, flags: MSG_TRUNC, data: bytes(1, 2), addr: addr(F, 1) });
    const r = task.recvfrom(b, 2, MSG_TRUNC);
    expect(r).toMatchObject({ len: 4, flags: MSG_TRUNC, data: bytes(1, 2) });
    expect(errnoOf(() => task.recvfrom(b, 10, MSG_DONTWAIT))).toBe('EAGAIN');
    expect(task.sendmsg(a, { iov: [bytes(9), bytes(8, 7)], name: addr(F, 2) })).toBe(3);
    expect(task.read(b, 100)).toEqual(bytes(9, 8, 7));
    expect(task.read(b, 0)).toEqual(bytes());
    expect(errnoOf(() => task.sendto(a, bytes(1), 0, addr(F, 77)))).toBe('ECONNREFUSED');
  });

  it('a blocking recv sleeps until data arrives; SO_RCVTIMEO turns the sleep into EAGAIN', async () => {
    const { task, a, b } = boot();
    const pending = task.recvfromAsync(b, 10);
    let done = false;
    void pending.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    task.sendto(a, bytes(5), 0, addr(F, 2));
    expect(await pending).toMatchObject({ data: bytes(5), addr: addr(F, 1) });
    const tv = new Uint8Array(16);
    new DataView(tv.buffer).setBigInt64(8, 20000n, true); // 20 ms
    task.setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, tv);
    expect(task.getsockopt(b, SOL_SOCKET, SO_RCVTIMEO)).toEqual(tv);
    const t0 = performance.now();
    await expect(task.recvfromAsync(b, 10)).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    // O_NONBLOCK: no sleeping at all.
    task.fcntl(b, F_SETFL, O_NONBLOCK);
    await expect(task.recvfromAsync(b, 10)).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('SOL_SOCKET options: what creation set, and SO_RCVBUF doubling and clamps', () => {
    const { kernel, task, a } = boot();
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_TYPE)).toBe(SOCK_DGRAM);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_DOMAIN)).toBe(F);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_PROTOCOL)).toBe(0);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_RCVBUF)).toBe(212992);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_SNDBUF)).toBe(212992);
    task.setsockopt(a, SOL_SOCKET, SO_RCVBUF, 10000);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_RCVBUF)).toBe(20000);
    task.setsockopt(a, SOL_SOCKET, SO_RCVBUF, 0);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_RCVBUF)).toBe(2304);
    task.setsockopt(a, SOL_SOCKET, SO_RCVBUF, -1);
    expect(task.getsockoptInt(a, SOL_SOCKET, SO_RCVBUF)).toBe(2 * kernel.sysctl_rmem_max);
    expect(errnoOf(() => task.setsockopt(a, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 24))).toBe('EPERM');
    expect(errnoOf(() => task.setsockopt(a, SOL_SOCKET, SO_RCVBUF, new Uint8Array(3)))).toBe('EINVAL');
    expect(errnoOf(() => task.setsockopt(a, SOL_SOCKET, 9999, 1))).toBe('ENOPROTOOPT');
    expect(errnoOf(() => task.getsockopt(a, SOL_SOCKET, SO_TYPE, -1))).toBe('EINVAL');
    expect(task.getsockopt(a, SOL_SOCKET, SO_TYPE, 2)).toEqual(bytes(2, 0));
    const admin = kernel.spawn({ uid: 1000, caps: [CAP_NET_ADMIN] });
    const s = admin.socket(F, SOCK_DGRAM, 0);
    admin.setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 24);
    expect(admin.getsockoptInt(s, SOL_SOCKET, SO_RCVBUF)).toBe(1 << 25);
  });

  it('a full receive buffer drops (sk_drops) and the sender sees the family errno', () => {
    const { kernel, task, a, b } = boot();
    task.setsockopt(b, SOL_SOCKET, SO_RCVBUF, 0); // 2304 bytes of budget
    let sent = 0;
    expect(() => {
      for (;;) {
        task.sendto(a, new Uint8Array(100), 0, addr(F, 2));
        sent++;
      }
    }).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));
    const sk = task.files.fd[b]!.private_data as { sk: { sk_drops: number; sk_rmem_alloc: number } };
    expect(sk.sk.sk_drops).toBe(1);
    expect(sent).toBeGreaterThan(0);
    while (sent-- > 0) task.recvfrom(b, 200);
    expect(sk.sk.sk_rmem_alloc).toBe(0);
    void kernel;
  });

  it('getsockname gives the bound address bytes', () => {
    const { task, a } = boot();
    expect(task.getsockname(a)).toEqual(addr(F, 1));
    expect(errnoOf(() => task.getpeername(a))).toBe('ENOTCONN');
  });
});

describe('ioctl', () => {
  it('EBADF, ENOTTY on a non-socket and for commands the family does not know', () => {
    const { task, a } = boot();
    expect(errnoOf(() => task.ioctl(99, 0x541b), { syscall: true })).toBe('ioctl: EBADF');
    expect(errnoOf(() => task.ioctl(0, 0x541b))).toBe('ENOTTY');
    expect(errnoOf(() => task.ioctl(a, 0x541b))).toBe('ENOTTY');
  });
});

describe('generic options that depend on the family or the length', () => {
  it('SO_PASSCRED / SO_PASSSEC only for AF_UNIX, AF_NETLINK and AF_BLUETOOTH (EOPNOTSUPP otherwise)', () => {
    const { task, a } = boot(); // AF_VSOCK
    expect(errnoOf(() => task.setsockopt(a, SOL_SOCKET, 16 /* SO_PASSCRED */, 1))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => task.getsockopt(a, SOL_SOCKET, 34 /* SO_PASSSEC */))).toBe('EOPNOTSUPP');
    const fam = testFamily(1);
    const k = new Kernel({ modules: fam.module });
    const t = k.spawn({});
    const u = t.socket(1, SOCK_DGRAM, 0);
    t.setsockopt(u, SOL_SOCKET, 16, 1);
    expect(t.getsockoptInt(u, SOL_SOCKET, 16)).toBe(1);
  });

  it('SO_COOKIE needs room for 8 bytes; SO_BSDCOMPAT and SO_CNX_ADVICE are accepted and ignored', () => {
    const { task, a } = boot();
    expect(errnoOf(() => task.getsockopt(a, SOL_SOCKET, 57, 4))).toBe('EINVAL');
    expect(task.getsockopt(a, SOL_SOCKET, 57, 8)).toHaveLength(8);
    task.setsockopt(a, SOL_SOCKET, 14, 1);
    task.setsockopt(a, SOL_SOCKET, 53, 1);
  });
});
