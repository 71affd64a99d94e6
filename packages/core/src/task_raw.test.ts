import { describe, expect, it } from 'vitest';
import { addr, bootPair } from './__fixtures__/af_test.js';
import { KernelError } from './errors.js';
import type { RecvResult, Task } from './task.js';
import { EAGAIN, EBADF, ESRCH } from './uapi/errno.js';
import { AF_VSOCK, MSG_DONTWAIT, MSG_PEEK } from './uapi/socket.js';

const F = AF_VSOCK;
const bytes = (...x: number[]) => new Uint8Array(x);

const boot = () => bootPair(F);

/** What the throwing form gives: its value, or the negative errno it threw. */
function thrown<T>(call: () => T): T | number {
  try {
    return call();
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return -e.errno;
  }
}

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
    );
  }
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
    expect(failures).toBeGreaterThan(50);
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
