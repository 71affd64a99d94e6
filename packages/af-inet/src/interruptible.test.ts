/**
 * Interruptible sleeps: every awaitable syscall form takes `{ signal }` as its last argument; an abort
 * while it sleeps ends it with EINTR (sock_intr_errno() of a pending signal), leaving no sleeper behind.
 */
import {
  type AbortSignalLike,
  AF_INET,
  EALREADY,
  F_SETFL,
  MSG_DONTWAIT,
  O_NONBLOCK,
  type SleepOptions,
  SOCK_STREAM,
  type Task,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, sk_of, socket_of } from './__fixtures__/util.js';
import { sockaddr_in } from './uapi/in.js';

/** The host's AbortController (Node and browsers have one; core declares no host typings). */
function controller(): { signal: AbortSignalLike; abort(): void } {
  const AC = (
    globalThis as unknown as { AbortController: new () => { signal: AbortSignalLike; abort(): void } }
  ).AbortController;
  return new AC();
}

const enc = (s: string) => new TextEncoder().encode(s);
const PORT = 6000;
const addr = () => sockaddr_in('127.0.0.1', PORT);

/** A listener, a connected pair (client c, accepted s). */
function pair(t: Task) {
  const l = t.socket(AF_INET, SOCK_STREAM, 0);
  t.bind(l, addr());
  t.listen(l, 0);
  const c = t.socket(AF_INET, SOCK_STREAM, 0);
  t.connect(c, addr());
  const s = t.accept(l);
  return { l, c, s };
}

/** No sleeper is left on any wait queue of these sockets. */
function no_sleepers(t: Task, ...fds: number[]): boolean {
  return fds.every((fd) => !socket_of(t, fd).wq.active && !(sk_of(t, fd).sk_wq?.active ?? false));
}

/** Fill the peer's receive buffer so that the next blocking send from `c` sleeps. */
function fill(t: Task, c: number): void {
  const chunk = new Uint8Array(65536);
  while (t.raw.sendto(c, chunk, MSG_DONTWAIT) > 0);
}

type Sleeper = (t: Task, fds: ReturnType<typeof pair>, opts: SleepOptions) => Promise<unknown>;

/** Each awaitable form, set up so that it sleeps. */
const SLEEPERS: Record<string, { prepare?: (t: Task, fds: ReturnType<typeof pair>) => void; call: Sleeper }> =
  {
    recvfromAsync: { call: (t, { c }, o) => t.recvfromAsync(c, 10, 0, o) },
    recvmsgAsync: { call: (t, { c }, o) => t.recvmsgAsync(c, 10, 0, 256, o) },
    readAsync: { call: (t, { c }, o) => t.readAsync(c, 10, o) },
    sendtoAsync: {
      prepare: (t, { c }) => fill(t, c),
      call: (t, { c }, o) => t.sendtoAsync(c, enc('x'), 0, null, o),
    },
    sendmsgAsync: {
      prepare: (t, { c }) => fill(t, c),
      call: (t, { c }, o) => t.sendmsgAsync(c, { iov: [enc('x')] }, 0, o),
    },
    writeAsync: { prepare: (t, { c }) => fill(t, c), call: (t, { c }, o) => t.writeAsync(c, enc('x'), o) },
    accept4Async: { call: (t, { l }, o) => t.accept4Async(l, 0, o) },
    acceptAsync: { call: (t, { l }, o) => t.acceptAsync(l, o) },
    connectAsync: {
      // Backlog 0 admits one unaccepted connection: the next connect sleeps for room.
      prepare: (t) => t.connect(t.socket(AF_INET, SOCK_STREAM, 0), addr()),
      call: (t, _fds, o) => t.connectAsync(t.socket(AF_INET, SOCK_STREAM, 0), addr(), o),
    },
  };

describe('awaitable syscalls take { signal } and end with EINTR when it is aborted', () => {
  for (const [name, s] of Object.entries(SLEEPERS)) {
    it(`${name}: aborted while sleeping → EINTR, and the sleeper leaves the wait queue`, async () => {
      const k = boot();
      const t = k.spawn();
      const fds = pair(t);
      s.prepare?.(t, fds);
      const ac = controller();
      const p = s.call(t, fds, { signal: ac.signal });
      let settled = false;
      p.then(
        () => (settled = true),
        () => (settled = true),
      );
      await new Promise((r) => setTimeout(() => r(null), 5));
      expect(settled).toBe(false);
      expect(no_sleepers(t, fds.l, fds.c, fds.s)).toBe(false);
      ac.abort();
      await expect(p).rejects.toMatchObject({
        name: 'KernelError',
        code: 'EINTR',
        syscall: expect.any(String),
      });
      expect(no_sleepers(t, fds.l, fds.c, fds.s)).toBe(true);
    });

    it(`${name}: already aborted → EINTR only because it would sleep`, async () => {
      const k = boot();
      const t = k.spawn();
      const fds = pair(t);
      s.prepare?.(t, fds);
      const ac = controller();
      ac.abort();
      await expect(s.call(t, fds, { signal: ac.signal })).rejects.toMatchObject({ code: 'EINTR' });
      expect(no_sleepers(t, fds.l, fds.c, fds.s)).toBe(true);
    });
  }

  it('a call that would not sleep ignores an aborted signal', async () => {
    const k = boot();
    const t = k.spawn();
    const { c, s } = pair(t);
    const ac = controller();
    ac.abort();
    t.write(s, enc('data'));
    expect((await t.recvfromAsync(c, 10, 0, { signal: ac.signal })).data).toEqual(enc('data'));
    expect(await t.writeAsync(c, enc('up'), { signal: ac.signal })).toBe(2);
    // A non-blocking socket never sleeps: EAGAIN, not EINTR.
    t.fcntl(c, F_SETFL, O_NONBLOCK);
    await expect(t.readAsync(c, 10, { signal: ac.signal })).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('a call woken before the abort keeps its result; so does one whose condition holds when it re-checks', async () => {
    const k = boot();
    const t = k.spawn();
    const { c, s } = pair(t);
    // Woken by data, then aborted before the sleeper ran again: the data is received.
    let ac = controller();
    let p = t.recvfromAsync(c, 10, 0, { signal: ac.signal });
    await new Promise((r) => setTimeout(() => r(null), 1));
    t.write(s, enc('one'));
    ac.abort();
    expect((await p).data).toEqual(enc('one'));
    // Aborted first, data queued before the interrupted sleeper re-checks: the condition wins, as in
    // sk_wait_data() (the wait loop tests for data before signal_pending()).
    ac = controller();
    p = t.recvfromAsync(c, 10, 0, { signal: ac.signal });
    await new Promise((r) => setTimeout(() => r(null), 1));
    ac.abort();
    t.write(s, enc('two'));
    expect((await p).data).toEqual(enc('two'));
    expect(no_sleepers(t, c, s)).toBe(true);
  });

  it('an interrupted connect goes on: a non-blocking connect() then answers EALREADY, and 0 once accepted', async () => {
    const k = boot();
    const t = k.spawn();
    const { l } = pair(t);
    t.connect(t.socket(AF_INET, SOCK_STREAM, 0), addr()); // the backlog is full
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    const ac = controller();
    const p = t.connectAsync(fd, addr(), { signal: ac.signal });
    await new Promise((r) => setTimeout(() => r(null), 1));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'EINTR' });
    t.fcntl(fd, F_SETFL, O_NONBLOCK);
    expect(t.raw.connect(fd, addr())).toBe(-EALREADY);
    t.accept(l);
    expect(t.raw.connect(fd, addr())).toBe(0);
  });
});
