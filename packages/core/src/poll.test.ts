import { describe, expect, it } from 'vitest';
import { addr, bootPair, testFamily } from './__fixtures__/af_test.js';
import { Kernel } from './kernel.js';
import { DEFAULT_POLLMASK, vfs_poll } from './poll.js';
import { kernel_enter, kernel_leave } from './sched.js';
import { SOCK_SELECT_ERR_QUEUE, sock_set_flag } from './sock.js';
import { sock_from_file } from './socket.js';
import type { Task } from './task.js';
import { errnoOf } from './testing/index.js';
import { ECONNREFUSED } from './uapi/errno.js';
import {
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLRDHUP,
} from './uapi/poll.js';
import { AF_VSOCK, SO_SNDBUF, SOCK_DGRAM, SOL_SOCKET } from './uapi/socket.js';
import { TCP_CLOSE, TCP_SYN_SENT } from './uapi/tcp_states.js';
import { add_wait_queue, remove_wait_queue, type WaitQueueEntry, WaitQueueHead } from './wait.js';

const F = AF_VSOCK;
const WRITABLE = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

function sk_of(task: Task, fd: number) {
  return sock_from_file(task.files.fd[fd]!)!.sk!;
}

/** vfs_poll() of a descriptor, as the bridge server asks it: the whole mask, nothing registered. */
function mask_of(task: Task, fd: number): number {
  kernel_enter(task);
  try {
    return vfs_poll(task.files.fd[fd]!);
  } finally {
    kernel_leave();
  }
}

describe('WaitQueueHead: persistent entries', () => {
  it('an entry is called on every wake_up() with its key, until removed', () => {
    const wq = new WaitQueueHead();
    const keys: number[] = [];
    const entry: WaitQueueEntry = { func: (e, key) => keys.push(e === entry ? key : -1) };
    expect(wq.active).toBe(false);
    add_wait_queue(wq, entry);
    expect(wq.active).toBe(true);
    wq.wake_up(EPOLLIN);
    wq.wake_up();
    remove_wait_queue(wq, entry);
    wq.wake_up(EPOLLOUT);
    expect(keys).toEqual([EPOLLIN, 0]);
    expect(wq.active).toBe(false);
  });

  it('one-shot sleepers still leave on their wake-up; entries stay; an entry may remove itself', async () => {
    const wq = new WaitQueueHead();
    let a = 0;
    let b = 0;
    const ea: WaitQueueEntry = { func: () => a++ };
    const eb: WaitQueueEntry = {
      func: () => {
        b++;
        remove_wait_queue(wq, eb);
      },
    };
    add_wait_queue(wq, ea);
    add_wait_queue(wq, eb);
    const slept = wq.wait(Number.POSITIVE_INFINITY);
    wq.wake_up();
    expect(await slept).toBe(true);
    wq.wake_up();
    expect([a, b]).toEqual([2, 1]);
    // The sleeper left with its wake-up: a new sleep times out.
    expect(await wq.wait(1)).toBe(false);
  });

  it('an entry removed by an earlier entry during the same wake-up is not called', () => {
    const wq = new WaitQueueHead();
    const calls: string[] = [];
    const second: WaitQueueEntry = { func: () => calls.push('second') };
    const first: WaitQueueEntry = {
      func: () => {
        calls.push('first');
        remove_wait_queue(wq, second);
      },
    };
    add_wait_queue(wq, first);
    add_wait_queue(wq, second);
    wq.wake_up();
    expect(calls).toEqual(['first']);
  });
});

describe('datagram_poll / sock_poll / vfs_poll', () => {
  it('a fresh datagram socket is writable only; data makes it readable', () => {
    const { task, a, b } = bootPair(F);
    expect(mask_of(task, a)).toBe(WRITABLE);
    task.sendto(a, new Uint8Array([1]), 0, addr(F, 2));
    expect(mask_of(task, b)).toBe(WRITABLE | EPOLLIN | EPOLLRDNORM);
    task.recvfrom(b, 10);
    expect(mask_of(task, b)).toBe(WRITABLE);
  });

  it('sk_err and the error queue give EPOLLERR (EPOLLPRI too with SO_SELECT_ERR_QUEUE)', () => {
    const { task, a } = bootPair(F);
    const sk = sk_of(task, a);
    sk.sk_err = ECONNREFUSED;
    expect(mask_of(task, a)).toBe(WRITABLE | EPOLLERR);
    sock_set_flag(sk, SOCK_SELECT_ERR_QUEUE);
    expect(mask_of(task, a)).toBe(WRITABLE | EPOLLERR | EPOLLPRI);
    sk.sk_err = 0;
    expect(mask_of(task, a)).toBe(WRITABLE);
  });

  it('RCV_SHUTDOWN reads as EPOLLRDHUP | EPOLLIN | EPOLLRDNORM, both directions add EPOLLHUP', () => {
    const { task, a } = bootPair(F);
    const sk = sk_of(task, a);
    sk.sk_shutdown = 1;
    expect(mask_of(task, a)).toBe(WRITABLE | EPOLLRDHUP | EPOLLIN | EPOLLRDNORM);
    sk.sk_shutdown = 2;
    expect(mask_of(task, a)).toBe(WRITABLE);
    sk.sk_shutdown = 3;
    expect(mask_of(task, a)).toBe(WRITABLE | EPOLLRDHUP | EPOLLIN | EPOLLRDNORM | EPOLLHUP);
  });

  it('connection-based sockets: CLOSE hangs up, SYN_SENT is not writable', () => {
    const { task, a } = bootPair(F);
    const sk = sk_of(task, a);
    sk.sk_type = 5; // SOCK_SEQPACKET
    sk.sk_state = TCP_CLOSE;
    expect(mask_of(task, a)).toBe(WRITABLE | EPOLLHUP);
    sk.sk_state = TCP_SYN_SENT;
    expect(mask_of(task, a)).toBe(0);
  });

  it('sock_writeable(): not writable once half the send buffer is in flight', () => {
    const { task, a } = bootPair(F);
    task.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
    const sk = sk_of(task, a);
    sk.sk_wmem_alloc = sk.sk_sndbuf >> 1;
    expect(mask_of(task, a)).toBe(0);
    sk.sk_wmem_alloc = 1;
  });

  it('a socket whose ops have no poll answers 0; /dev/null answers DEFAULT_POLLMASK', () => {
    const fam = testFamily(F, { no_poll: true });
    const kernel = new Kernel({ modules: fam.module });
    const task = kernel.spawn({ uid: 1000 });
    const fd = task.socket(F, SOCK_DGRAM, 0);
    expect(mask_of(task, fd)).toBe(0);
    expect(mask_of(task, 0)).toBe(DEFAULT_POLLMASK);
    expect(task.poll([{ fd: 0, events: POLLIN | POLLOUT }])).toEqual([POLLIN | POLLOUT]);
  });

  it('sock_poll and datagram_poll show in a trace', () => {
    const { kernel, task, a } = bootPair(F);
    const { text } = kernel.trace(() => task.poll([{ fd: a, events: POLLIN }]));
    expect(text).toMatch(/vfs_poll/);
    expect(text).toMatch(/sock_poll/);
    expect(text).toMatch(/datagram_poll/);
  });
});

describe('task.poll', () => {
  it('filters by events | POLLERR | POLLHUP; POLLNVAL for a closed fd; 0 for a negative one', () => {
    const { task, a, b } = bootPair(F);
    task.sendto(a, new Uint8Array([1]), 0, addr(F, 2));
    sk_of(task, a).sk_err = ECONNREFUSED;
    expect(
      task.poll([
        { fd: a, events: POLLIN },
        { fd: b, events: POLLIN },
        { fd: b, events: POLLOUT },
        { fd: 99, events: POLLIN },
        { fd: -1, events: POLLIN },
        { fd: b, events: POLLRDHUP | 0x10000 },
      ]),
    ).toEqual([POLLERR, POLLIN, POLLOUT, POLLNVAL, 0, 0]);
  });

  it('refuses what C could not pass, and more entries than RLIMIT_NOFILE (EINVAL)', () => {
    const { task } = bootPair(F);
    expect(errnoOf(() => task.poll('x' as never), { syscall: true })).toBe('poll: EFAULT');
    expect(errnoOf(() => task.poll([null as never]), { syscall: true })).toBe('poll: EFAULT');
    expect(errnoOf(() => task.poll([{ fd: 1.5, events: 0 }]), { syscall: true })).toBe('poll: EBADF');
    expect(errnoOf(() => task.poll([], 0.5), { syscall: true })).toBe('poll: EINVAL');
    task.setrlimit(7, 4, 4);
    expect(
      errnoOf(() => task.poll(Array.from({ length: 5 }, () => ({ fd: 0, events: 0 }))), { syscall: true }),
    ).toBe('poll: EINVAL');
  });

  it('pollAsync sleeps until data arrives, and leaves no entry behind', async () => {
    const { task, a, b } = bootPair(F);
    const wq = sock_from_file(task.files.fd[b]!)!.wq;
    const p = task.pollAsync([{ fd: b, events: POLLIN }], -1);
    await Promise.resolve();
    expect(wq.active).toBe(true);
    task.sendto(a, new Uint8Array([1]), 0, addr(F, 2));
    expect(await p).toEqual([POLLIN]);
    expect(wq.active).toBe(false);
  });

  it('pollAsync: timeout 0 does not sleep; a timeout passes with nothing ready', async () => {
    const { task, b } = bootPair(F);
    expect(await task.pollAsync([{ fd: b, events: POLLIN }], 0)).toEqual([0]);
    const t0 = performance.now();
    expect(await task.pollAsync([{ fd: b, events: POLLIN }], 20)).toEqual([0]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    expect(sock_from_file(task.files.fd[b]!)!.wq.active).toBe(false);
  });

  it('pollAsync holds the file it sleeps on: a close frees it only when poll returns (POLLNVAL then)', async () => {
    const { kernel, task, b } = bootPair(F);
    const before = kernel.nr_files;
    const p = task.pollAsync([{ fd: b, events: POLLIN }], 20);
    await Promise.resolve();
    task.close(b);
    expect(kernel.nr_files).toBe(before);
    expect(await p).toEqual([POLLNVAL]);
    expect(kernel.nr_files).toBe(before - 1);
  });

  it('pollAsync wakes on POLLHUP though only POLLIN was asked for', async () => {
    const { task, b } = bootPair(F);
    const p = task.pollAsync([{ fd: b, events: 0 }], -1);
    await Promise.resolve();
    const sk = sk_of(task, b);
    sk.sk_shutdown = 3;
    sk.sk_state_change(sk);
    expect(await p).toEqual([POLLHUP]);
  });
});
