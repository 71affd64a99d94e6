/**
 * sendmmsg(2) and recvmmsg(2). fixtures/linux-6.18-mmsg.json holds the host kernel's answers (Linux 6.18,
 * x86-64; fixtures/mmsg-probe.c asked them over loopback UDP); the core test family's datagram sockets
 * stand in for UDP here. The last test checks that every recorded case was compared.
 */
import { describe, expect, it } from 'vitest';
import { addr, testFamily } from './__fixtures__/af_test.js';
import { KernelError } from './errors.js';
import { fcheck } from './file.js';
import { Kernel } from './kernel.js';
import type { MsgHdr } from './msg.js';
import { security_add_hooks } from './security.js';
import { type Socket, sock_from_file } from './socket.js';
import type { Task, UserMsg } from './task.js';
import { errnoOf } from './testing/index.js';
import { MMSG_VLEN_MAX } from './uaccess.js';
import { EFAULT, ENOMEM } from './uapi/errno.js';
import {
  AF_VSOCK,
  MSG_BATCH,
  MSG_CMSG_COMPAT,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_OOB,
  MSG_TRUNC,
  MSG_WAITFORONE,
  SO_ERROR,
  SO_RCVBUFFORCE,
  SOCK_DGRAM,
  SOL_SOCKET,
} from './uapi/socket.js';

interface Case {
  ret: number;
  errno: string | null;
}
const FIXTURE = '../fixtures/linux-6.18-mmsg.json';
const fixture = (
  (await import(/* @vite-ignore */ FIXTURE)) as { default: { cases: Record<string, unknown> } }
).default.cases;
const compared = new Set<string>();
function linux<T = Case>(name: string): T {
  if (!(name in fixture)) throw new Error(`no fixture case ${name}`);
  compared.add(name);
  return fixture[name] as T;
}

const F = AF_VSOCK;
const BAD_FD = 999;

/** Root (for SO_RCVBUFFORCE), a receiver bound to port 2 with room for 2000 datagrams, a sender on port 1. */
function boot() {
  const kernel = new Kernel({ modules: testFamily(F).module });
  const task = kernel.spawn({ uid: 0 });
  const tx = task.socket(F, SOCK_DGRAM, 0);
  const rx = task.socket(F, SOCK_DGRAM, 0);
  task.bind(tx, addr(F, 1));
  task.bind(rx, addr(F, 2));
  task.setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20);
  return { kernel, task, tx, rx };
}

/** Messages of 5, 6, 7, 5, 6, 7… bytes to the receiver, as the probe sends. */
function msgs(n: number, name = addr(F, 2)): UserMsg[] {
  return Array.from({ length: n }, (_, i) => ({ iov: [new Uint8Array(5 + (i % 3)).fill(i & 0xff)], name }));
}

/** What a call returned, as the fixture records it. */
function outcome(fn: () => number | unknown[]): Case {
  try {
    const r = fn();
    return { ret: typeof r === 'number' ? r : (r as unknown[]).length, errno: null };
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return { ret: -1, errno: e.code };
  }
}

function sockOf(task: Task, fd: number): Socket {
  return sock_from_file(fcheck(task.files, fd)!)!;
}

describe('sendmmsg/recvmmsg against Linux 6.18', () => {
  it('check MSG_CMSG_COMPAT, then the timeout, then the fd, then the vector', () => {
    const { task, tx, rx } = boot();
    const m = msgs(1);
    const cases: Record<string, () => number | unknown[]> = {
      'sendmmsg.compat_flag_bad_fd': () => task.sendmmsg(-1, m, MSG_CMSG_COMPAT),
      'recvmmsg.compat_flag_bad_fd': () => task.recvmmsg(-1, 1, 64, MSG_CMSG_COMPAT),
      'recvmmsg.compat_flag_bad_timeout_pointer': () => task.recvmmsg(-1, 1, 64, MSG_CMSG_COMPAT, 8 as never),
      'recvmmsg.bad_timeout_pointer_bad_fd': () => task.recvmmsg(-1, 1, 64, 0, 8 as never),
      'recvmmsg.timeout_nsec_1e9_bad_fd': () => task.recvmmsg(-1, 1, 64, 0, { tv_sec: 0, tv_nsec: 1e9 }),
      'recvmmsg.timeout_sec_negative_bad_fd': () => task.recvmmsg(-1, 1, 64, 0, { tv_sec: -1, tv_nsec: 0 }),
      'sendmmsg.bad_fd': () => task.sendmmsg(BAD_FD, m),
      'sendmmsg.not_socket': () => task.sendmmsg(0, m),
      'recvmmsg.bad_fd': () => task.recvmmsg(BAD_FD, 1, 64),
      'recvmmsg.not_socket': () => task.recvmmsg(0, 1, 64),
      'sendmmsg.bad_vector_bad_fd': () => task.sendmmsg(BAD_FD, 8 as never),
      'sendmmsg.bad_vector': () => task.sendmmsg(tx, 8 as never),
      'sendmmsg.vlen_0': () => task.sendmmsg(tx, []),
      'recvmmsg.vlen_0': () => task.recvmmsg(rx, 0, 64, MSG_DONTWAIT),
      'recvmmsg.empty_queue': () => task.recvmmsg(rx, 4, 64, MSG_DONTWAIT),
    };
    for (const [name, fn] of Object.entries(cases)) expect(outcome(fn), name).toEqual(linux(name));
  });

  it('sendmmsg() looks at UIO_MAXIOV messages at most; recvmmsg() has no such limit', () => {
    const { task, tx, rx } = boot();
    const sent = task.sendmmsg(tx, msgs(2000));
    expect(sent.length).toBe(linux('sendmmsg.vlen_2000').ret);
    expect(sent.slice(0, 3)).toEqual(linux('sendmmsg.vlen_2000.msg_len_0_1_2'));
    const got = task.recvmmsg(rx, 2000, 64, MSG_DONTWAIT);
    expect(got.length).toBe(linux('recvmmsg.vlen_2000').ret);
    expect(got.slice(0, 3).map((r) => r.len)).toEqual(linux('recvmmsg.vlen_2000.msg_len_0_1_2'));
    expect(got[2]!.data).toEqual(new Uint8Array(7).fill(2));
    expect(got[2]!.addr).toEqual(addr(F, 1));
  });

  it('an error on a later message returns the count so far and is not kept; on the first it throws', () => {
    const { task, tx, rx } = boot();
    const m = msgs(3);
    m[1] = { iov: [new Uint8Array(6)], name: 8 as never };
    expect(outcome(() => task.sendmmsg(tx, m))).toEqual(linux('sendmmsg.fault_at_1'));
    expect(task.getsockoptInt(tx, SOL_SOCKET, SO_ERROR)).toBe(linux('sendmmsg.fault_at_1.so_error'));
    m[0] = m[1];
    expect(outcome(() => task.sendmmsg(tx, m))).toEqual(linux('sendmmsg.fault_at_0'));
    expect(() => task.sendmmsg(tx, m)).toThrow(
      'sendmmsg: EFAULT (msgvec[0].name must be a Uint8Array, got 8)',
    );
    const einval = msgs(3);
    einval[1] = { iov: [new Uint8Array(6)], name: addr(F, 2).subarray(0, 3) }; // the family wants 4 bytes
    expect(outcome(() => task.sendmmsg(tx, einval))).toEqual(linux('sendmmsg.einval_at_1'));
    expect(task.recvmmsg(rx, 2000, 64, MSG_DONTWAIT).length).toBe(linux('recvmmsg.the_two_sent').ret);
  });

  it('checks the timeout after each datagram and writes back the time left', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    const zero = { tv_sec: 0, tv_nsec: 0 };
    expect(outcome(() => task.recvmmsg(rx, 8, 64, MSG_DONTWAIT, zero))).toEqual(linux('recvmmsg.timeout_0'));
    expect([zero.tv_sec, zero.tv_nsec]).toEqual(linux('recvmmsg.timeout_0.after'));
    const five = { tv_sec: 5, tv_nsec: 0 };
    expect(outcome(() => task.recvmmsg(rx, 8, 64, MSG_DONTWAIT, five))).toEqual(linux('recvmmsg.timeout_5s'));
    expect(five.tv_sec === 4 && five.tv_nsec > 0).toBe(linux('recvmmsg.timeout_5s.after_is_less'));
    const left = { ...five };
    expect(outcome(() => task.recvmmsg(rx, 8, 64, MSG_DONTWAIT, five))).toEqual(
      linux('recvmmsg.timeout_5s_empty'),
    );
    expect(five).toEqual(left); // nothing received: nothing written back
  });

  it('MSG_WAITFORONE takes what is queued without waiting for more', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    const got = task.recvmmsg(rx, 8, 64, MSG_WAITFORONE);
    expect(got.length).toBe(linux('recvmmsg.waitforone_3_queued').ret);
    expect(got.map((r) => r.len)).toEqual(linux('recvmmsg.waitforone_3_queued.msg_len_0_1_2'));
  });

  it('keeps an error after the first datagram in sk_err for the next call', () => {
    // Linux's case faults on the second entry's iovec; ksock's recvmmsg has no per-entry user memory, so
    // the family's recvmsg fails the second receive instead, which do_recvmmsg() handles the same way.
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    const sock = sockOf(task, rx);
    const ops = sock.ops!;
    let calls = 0;
    sock.ops = {
      ...ops,
      recvmsg: (s: Socket, msg: MsgHdr, size: number, flags: number) =>
        ++calls === 2 ? -ENOMEM : ops.recvmsg(s, msg, size, flags),
    };
    expect(outcome(() => task.recvmmsg(rx, 3, 64, MSG_DONTWAIT))).toEqual(linux('recvmmsg.fault_at_1'));
    expect(outcome(() => task.recvmmsg(rx, 1, 64, MSG_DONTWAIT))).toEqual({
      ...linux('recvmmsg.fault_at_1.next_call'),
      errno: 'ENOMEM',
    });
    expect(outcome(() => task.recvmmsg(rx, 3, 64, MSG_DONTWAIT))).toEqual(linux('recvmmsg.fault_at_1.then'));
  });

  it('reports truncation per message', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(2));
    const got = task.recvmmsg(rx, 2, 2, MSG_DONTWAIT);
    expect(got.length).toBe(linux('recvmmsg.truncated_first').ret);
    // Linux's second entry offered 64 bytes; ksock's entries all offer the same length.
    const [first] = linux<[number, boolean][]>('recvmmsg.truncated_first.msg_len_trunc');
    expect([got[0]!.len, (got[0]!.flags & MSG_TRUNC) !== 0]).toEqual(first);
    expect([got[1]!.len, (got[1]!.flags & MSG_TRUNC) !== 0]).toEqual([2, true]);
  });

  it('compares every recorded case', () => {
    expect(Object.keys(fixture).filter((name) => !compared.has(name))).toEqual([]);
  });
});

describe('sendmmsg', () => {
  /** The flags each message reached the family with. */
  function recordFlags(task: Task, fd: number): number[] {
    const seen: number[] = [];
    const sock = sockOf(task, fd);
    const ops = sock.ops!;
    sock.ops = {
      ...ops,
      sendmsg: (s: Socket, msg: MsgHdr, len: number) => {
        seen.push(msg.msg_flags);
        return ops.sendmsg(s, msg, len);
      },
    };
    return seen;
  }

  it('sets MSG_BATCH on all but the last message and honours MSG_EOR (only) from each message', () => {
    const { task, tx } = boot();
    const seen = recordFlags(task, tx);
    const m = msgs(3);
    m[1]!.flags = MSG_EOR | MSG_OOB;
    expect(task.sendmmsg(tx, m, MSG_DONTWAIT)).toEqual([5, 6, 7]);
    expect(seen).toEqual([MSG_DONTWAIT | MSG_BATCH, MSG_DONTWAIT | MSG_BATCH | MSG_EOR, MSG_DONTWAIT]);
    seen.length = 0;
    task.sendmsg(tx, m[1]!);
    expect(seen).toEqual([0]); // sendmsg() reads no flags from the message
  });

  it('stops after a message the family took only in part', () => {
    const { task, tx } = boot();
    const sock = sockOf(task, tx);
    const ops = sock.ops!;
    sock.ops = { ...ops, sendmsg: (s: Socket, msg: MsgHdr, len: number) => ops.sendmsg(s, msg, len) - 1 };
    expect(task.sendmmsg(tx, msgs(3))).toEqual([4]);
  });

  it('asks the LSM again only when the destination changes', () => {
    const { kernel, task, tx } = boot();
    const rx3 = task.socket(F, SOCK_DGRAM, 0);
    task.bind(rx3, addr(F, 3));
    let asked = 0;
    security_add_hooks(kernel, {
      name: 'count',
      socket_sendmsg: () => {
        asked++;
        return 0;
      },
    });
    task.sendmmsg(tx, [...msgs(3), ...msgs(2, addr(F, 3)), ...msgs(1)]);
    expect(asked).toBe(3);
  });

  it('refuses arguments C could not pass', () => {
    const { task, tx } = boot();
    expect(errnoOf(() => task.sendmmsg('x' as never, msgs(1)), { syscall: true })).toBe('sendmmsg: EBADF');
    expect(errnoOf(() => task.sendmmsg(tx, msgs(1), Number.NaN), { syscall: true })).toBe('sendmmsg: EINVAL');
    const m = msgs(2);
    m[0]!.flags = 1.5;
    expect(() => task.sendmmsg(tx, m)).toThrow(
      'sendmmsg: EINVAL (msgvec[0].flags must be a 32-bit integer, got 1.5)',
    );
    expect(() => task.sendmmsg(tx, [{ iov: ['x'] } as never])).toThrow(
      'sendmmsg: EFAULT (msgvec[0].iov[0] must be a Uint8Array, got "x")',
    );
  });
});

describe('recvmmsg', () => {
  it('asks the LSM for the first datagram only', () => {
    const { kernel, task, tx, rx } = boot();
    let asked = 0;
    security_add_hooks(kernel, {
      name: 'count',
      socket_recvmsg: () => {
        asked++;
        return 0;
      },
    });
    task.sendmmsg(tx, msgs(3));
    expect(task.recvmmsg(rx, 8, 64, MSG_DONTWAIT).length).toBe(3);
    expect(asked).toBe(1);
  });

  it('ends the batch after an out-of-band datagram', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    const sock = sockOf(task, rx);
    const ops = sock.ops!;
    sock.ops = {
      ...ops,
      recvmsg: (s: Socket, msg: MsgHdr, size: number, flags: number) => {
        const r = ops.recvmsg(s, msg, size, flags);
        msg.msg_flags |= MSG_OOB;
        return r;
      },
    };
    expect(task.recvmmsg(rx, 8, 64, MSG_DONTWAIT).length).toBe(1);
  });

  it('a receive that would sleep ends the batch without being kept', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    expect(task.recvmmsg(rx, MMSG_VLEN_MAX, 64).length).toBe(3);
    expect(task.getsockoptInt(rx, SOL_SOCKET, SO_ERROR)).toBe(0);
    expect(errnoOf(() => task.recvmmsg(rx, 8, 64), { syscall: true })).toBe('recvmmsg: EAGAIN');
  });

  it('receives into buffers the caller owns, one per message; an entry past them faults when reached', () => {
    const { task, tx, rx } = boot();
    task.sendmmsg(tx, msgs(3));
    const bufs = [new Uint8Array(64), new Uint8Array(2)];
    const got = task.recvmmsg(rx, 8, bufs, MSG_DONTWAIT);
    expect(got.length).toBe(2); // the third entry has no buffer: EFAULT after two datagrams
    expect(got[0]!.data.buffer).toBe(bufs[0]!.buffer);
    expect(got[1]!.data.buffer).toBe(bufs[1]!.buffer);
    expect(got[1]!.data.length).toBe(2);
    expect(got[1]!.flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(task.getsockoptInt(rx, SOL_SOCKET, SO_ERROR)).toBe(EFAULT); // kept for the next call, as Linux does
    expect(() => task.recvmmsg(rx, 1, ['x' as never])).toThrow(
      'recvmmsg: EFAULT (each buffer must be a Uint8Array, one per message)',
    );
    expect(task.recvmmsg(rx, 1, [new Uint8Array(64)])[0]!.len).toBeGreaterThan(0);
  });

  it('refuses arguments C could not pass', () => {
    const { task, rx } = boot();
    expect(errnoOf(() => task.recvmmsg(rx, Number.NaN, 64), { syscall: true })).toBe('recvmmsg: EINVAL');
    expect(errnoOf(() => task.recvmmsg(rx, 1.5, 64), { syscall: true })).toBe('recvmmsg: EINVAL');
    expect(errnoOf(() => task.recvmmsg(rx, 2 ** 40, 64), { syscall: true })).toBe('recvmmsg: EINVAL');
    // A C caller's vector ends where its memory does; ksock's is bounded up front.
    expect(() => task.recvmmsg(rx, -1, 64)).toThrow(
      'recvmmsg: EINVAL (vlen must be an integer in [0, 65536], got -1)',
    );
    expect(errnoOf(() => task.recvmmsg(rx, MMSG_VLEN_MAX + 1, 64), { syscall: true })).toBe(
      'recvmmsg: EINVAL',
    );
    expect(errnoOf(() => task.recvmmsg(rx, 1, Number.NaN), { syscall: true })).toBe('recvmmsg: EINVAL');
    expect(() => task.recvmmsg(rx, 1, 64, 0, { tv_sec: 1.5, tv_nsec: 0 })).toThrow(
      'recvmmsg: EINVAL (timeout.tv_sec must be an integer, got 1.5)',
    );
    expect(() => task.recvmmsg(rx, 1, 64, 0, 'soon' as never)).toThrow(
      'recvmmsg: EFAULT (timeout must be { tv_sec, tv_nsec }, got string)',
    );
  });
});
