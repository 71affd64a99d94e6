import { describe, expect, it } from 'vitest';
import { addr, bootPair } from './__fixtures__/af_test.js';
import { KernelError } from './errors.js';
import { fget, fput } from './file.js';
import type { GetsockoptResult } from './socket.js';
import type { RecvResult, Task } from './task.js';
import { EAGAIN, EBADF, ESRCH } from './uapi/errno.js';
import { F_GETFD, F_GETFL, O_CLOEXEC } from './uapi/fcntl.js';
import {
  AF_VSOCK,
  MSG_DONTWAIT,
  MSG_PEEK,
  SIOCINQ,
  SO_RCVBUF,
  SOCK_DGRAM,
  SOL_SOCKET,
} from './uapi/socket.js';

const F = AF_VSOCK;
const bytes = (...x: number[]) => new Uint8Array(x);

const boot = () => bootPair(F);

/** What the throwing form gives: its value (0 for a call returning nothing), or the negative errno it threw. */
function thrown<T>(call: () => T): T | number {
  try {
    return call() ?? 0;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return -e.errno;
  }
}

/** The bytes raw.getsockopt() copied, as the throwing form returns them. */
const optval = (r: GetsockoptResult | number) => (typeof r === 'number' ? r : r.optval);

/** Each raw call next to its throwing form, with arguments that succeed and arguments that fail. */
function pairs(task: Task, a: number, b: number) {
  const s = a; // the test family's accept is sock_no_accept: EOPNOTSUPP
  const bad = [99, -1, 0.5, Number.NaN, 2 ** 40, 0]; // fd 0 is /dev/null: ENOTSOCK, or a read/write
  const list: [string, () => unknown, () => unknown][] = [];
  for (const fd of [a, ...bad]) {
    list.push(
      [
        'sendto',
        () => task.sendto(fd, bytes(1, 2), 0, addr(F, 2)),
        () => task.raw.sendto(fd, bytes(1, 2), 0, addr(F, 2)),
      ],
      [
        'sendmsg',
        () => task.sendmsg(fd, { iov: [bytes(3)], name: addr(F, 2) }),
        () => task.raw.sendmsg(fd, { iov: [bytes(3)], name: addr(F, 2) }),
      ],
      [
        'recvfrom',
        () => task.recvfrom(fd === a ? b : fd, 8, MSG_DONTWAIT),
        () => task.raw.recvfrom(fd === a ? b : fd, 8, MSG_DONTWAIT),
      ],
      [
        'recvmsg',
        () => task.recvmsg(fd === a ? b : fd, new Uint8Array(8), MSG_DONTWAIT | MSG_PEEK),
        () => task.raw.recvmsg(fd === a ? b : fd, new Uint8Array(8), MSG_DONTWAIT | MSG_PEEK),
      ],
      [
        'sendmmsg',
        () =>
          task.sendmmsg(fd, [
            { iov: [bytes(4)], name: addr(F, 2) },
            { iov: [bytes(5)], name: addr(F, 2) },
          ]),
        () =>
          task.raw.sendmmsg(fd, [
            { iov: [bytes(4)], name: addr(F, 2) },
            { iov: [bytes(5)], name: addr(F, 2) },
          ]),
      ],
      [
        'recvmmsg',
        () => task.recvmmsg(fd === a ? b : fd, 2, 8, MSG_DONTWAIT),
        () => task.raw.recvmmsg(fd === a ? b : fd, 2, 8, MSG_DONTWAIT),
      ],
      ['read', () => task.read(fd, 4), () => task.raw.read(fd, 4)],
      ['write', () => task.write(fd, bytes(9)), () => task.raw.write(fd, bytes(9))],
      ['accept4', () => task.accept4(fd === a ? s : fd, 0), () => task.raw.accept4(fd === a ? s : fd, 0)],
      ['connect', () => task.connect(fd, addr(F, 2)), () => task.raw.connect(fd, addr(F, 2))],
      ['bind', () => task.bind(fd, addr(F, 7)), () => task.raw.bind(fd, addr(F, 7))],
      ['listen', () => task.listen(fd, 5), () => task.raw.listen(fd, 5)],
      ['getsockname', () => task.getsockname(fd), () => task.raw.getsockname(fd)],
      ['getpeername', () => task.getpeername(fd), () => task.raw.getpeername(fd)],
      [
        'setsockopt',
        () => task.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4096),
        () => task.raw.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4096),
      ],
      [
        'getsockopt',
        () => task.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4),
        () => optval(task.raw.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4)),
      ],
      [
        'ioctl',
        () => task.ioctl(fd, SIOCINQ, new Uint8Array(4)),
        () => task.raw.ioctl(fd, SIOCINQ, new Uint8Array(4)),
      ],
      ['dup', () => task.dup(fd), () => task.raw.dup(fd)],
      ['dup2', () => task.dup2(fd, 50), () => task.raw.dup2(fd, 50)],
      ['dup3', () => task.dup3(fd, 51, O_CLOEXEC), () => task.raw.dup3(fd, 51, O_CLOEXEC)],
      ['fcntl', () => task.fcntl(fd, F_GETFL), () => task.raw.fcntl(fd, F_GETFL)],
      ['shutdown', () => task.shutdown(fd, 1), () => task.raw.shutdown(fd, 1)],
      ['close', () => task.close(fd === a ? 51 : fd), () => task.raw.close(fd === a ? 51 : fd)],
    );
  }
  list.push(
    ['socket', () => task.socket(F, SOCK_DGRAM, 0), () => task.raw.socket(F, SOCK_DGRAM, 0)],
    ['socket type', () => task.socket(F, 99, 0), () => task.raw.socket(F, 99, 0)],
    ['socketpair', () => task.socketpair(F, SOCK_DGRAM, 0), () => task.raw.socketpair(F, SOCK_DGRAM, 0)],
  );
  // Bad arguments other than the fd: the same errno as the throwing form's KernelError.
  list.push(
    [
      'sendto flags',
      () => task.sendto(a, bytes(1), Number.NaN),
      () => task.raw.sendto(a, bytes(1), Number.NaN),
    ],
    ['sendto buf', () => task.sendto(a, 'x' as never), () => task.raw.sendto(a, 'x' as never)],
    ['sendmsg msg', () => task.sendmsg(a, null as never), () => task.raw.sendmsg(a, null as never)],
    ['recvfrom len', () => task.recvfrom(b, -1), () => task.raw.recvfrom(b, -1)],
    ['recvmsg controllen', () => task.recvmsg(b, 8, 0, 0.5), () => task.raw.recvmsg(b, 8, 0, 0.5)],
    ['read count', () => task.read(a, Number.NaN), () => task.raw.read(a, Number.NaN)],
    ['connect addr', () => task.connect(a, [1, 2] as never), () => task.raw.connect(a, [1, 2] as never)],
    ['accept4 flags', () => task.accept4(s, 1.5), () => task.raw.accept4(s, 1.5)],
    ['sendmmsg vector', () => task.sendmmsg(a, 'x' as never), () => task.raw.sendmmsg(a, 'x' as never)],
    [
      'sendmmsg entry',
      () => task.sendmmsg(a, [{ iov: [1] }] as never),
      () => task.raw.sendmmsg(a, [{ iov: [1] }] as never),
    ],
    ['recvmmsg vlen', () => task.recvmmsg(b, -1, 8), () => task.raw.recvmmsg(b, -1, 8)],
    ['recvmmsg buffers', () => task.recvmmsg(b, 2, [] as never), () => task.raw.recvmmsg(b, 2, [] as never)],
    ['socket family', () => task.socket('x' as never, 2, 0), () => task.raw.socket('x' as never, 2, 0)],
    ['listen backlog', () => task.listen(a, 0.5), () => task.raw.listen(a, 0.5)],
    [
      'setsockopt level',
      () => task.setsockopt(a, Number.NaN, 1, 1),
      () => task.raw.setsockopt(a, Number.NaN, 1, 1),
    ],
    [
      'getsockopt optlen',
      () => task.getsockopt(a, SOL_SOCKET, SO_RCVBUF, 2 ** 40),
      () => optval(task.raw.getsockopt(a, SOL_SOCKET, SO_RCVBUF, 2 ** 40)),
    ],
    ['ioctl cmd', () => task.ioctl(a, 1.5), () => task.raw.ioctl(a, 1.5)],
    ['dup3 flags', () => task.dup3(a, 60, Number.NaN), () => task.raw.dup3(a, 60, Number.NaN)],
    ['fcntl cmd', () => task.fcntl(a, 'x' as never), () => task.raw.fcntl(a, 'x' as never)],
    [
      'recvmmsg timeout',
      () => task.recvmmsg(b, 2, 8, 0, 5 as never),
      () => task.raw.recvmmsg(b, 2, 8, 0, 5 as never),
    ],
  );
  return list;
}

describe('task.raw: the syscalls that return -errno instead of throwing', () => {
  it('returns what the throwing form returns, or minus the errno it throws', () => {
    // Two kernels driven through the same calls, one through each form, must agree call by call.
    const x = boot();
    const y = boot();
    const px = pairs(x.task, x.a, x.b);
    const py = pairs(y.task, y.a, y.b);
    let failures = 0;
    for (let i = 0; i < px.length; i++) {
      const [name, throwing] = px[i]!;
      const raw = py[i]![2];
      const want = thrown(throwing);
      const got = raw();
      if (typeof want === 'number' && want < 0) failures++;
      expect(got, `${name} #${i}`).toEqual(want);
    }
    expect(failures).toBeGreaterThan(100);
    const state = (k: ReturnType<typeof boot>) => [
      k.kernel.proc.read('/proc/net/sockstat'),
      k.task.files.count,
    ];
    expect(state(y)).toEqual(state(x));
  });

  it('delivers and receives as the throwing forms do', () => {
    const { task, a, b } = boot();
    expect(task.raw.sendto(a, bytes(5, 6, 7), 0, addr(F, 2))).toBe(3);
    const buf = new Uint8Array(16);
    const r = task.raw.recvfrom(b, buf, 0) as RecvResult;
    expect(r.len).toBe(3);
    expect([...r.data]).toEqual([5, 6, 7]);
    expect(r.data.buffer).toBe(buf.buffer);
    expect(task.raw.recvfrom(b, buf, MSG_DONTWAIT)).toBe(-EAGAIN);
    expect(task.raw.sendto(99, bytes(1))).toBe(-EBADF);
  });

  it('answers ESRCH once the task has exited, as the throwing forms do', () => {
    const { kernel } = boot();
    const t = kernel.spawn({ uid: 1000 });
    const raw = t.raw;
    t.exit(0);
    expect(raw.sendto(0, bytes(1))).toBe(-ESRCH);
    expect(raw.recvfrom(0, 1)).toBe(-ESRCH);
    expect(raw.read(0, 1)).toBe(-ESRCH);
    expect(thrown(() => t.sendto(0, bytes(1)))).toBe(-ESRCH);
  });

  it('lets exceptions that are not kernel errors through', () => {
    const { task, a } = boot();
    const evil = {
      get iov(): never {
        throw new TypeError('not a kernel error');
      },
    };
    expect(() => task.raw.sendmsg(a, evil as never)).toThrow(TypeError);
  });
});

describe('task.raw.replace_fd() and fget(): a file installed at a chosen fd', () => {
  it('puts a file reference at the fd, closing what was there; the table holds its own reference', () => {
    const { kernel, task, a } = boot();
    const other = kernel.spawn({ uid: 1000 });
    const file = fget(task, a)!;
    expect(file.f_count).toBe(2);
    expect(other.raw.replace_fd(200, file, O_CLOEXEC)).toBe(0);
    expect(file.f_count).toBe(3);
    expect(other.fcntl(200, F_GETFD)).toBe(1);
    expect(other.getsockname(200)).toEqual(task.getsockname(a));
    // Over an open fd: that file is closed (here /dev/null's last reference).
    const nr = kernel.nr_files;
    expect(other.raw.replace_fd(0, file, 0)).toBe(0);
    expect(kernel.nr_files).toBe(nr - 1);
    expect(other.fcntl(0, F_GETFD)).toBe(0);
    expect(file.f_count).toBe(4);
    expect(other.raw.replace_fd(-1, file)).toBe(-EBADF);
    expect(other.raw.replace_fd(other.getrlimit(7)[0], file)).toBe(-EBADF);
    expect(() => other.raw.replace_fd(1, {} as never)).not.toThrow();
    expect(other.raw.replace_fd(1, {} as never)).toBe(-EBADF);
    other.close(200);
    other.close(0);
    fput(kernel, file);
    expect(file.f_count).toBe(1);
    expect(fget(task, 99)).toBeNull();
  });
});
