import { describe, expect, it } from 'vitest';
import { addr, bootPair } from './__fixtures__/af_test.js';
import { fcheck } from './file.js';
import { sock_from_file } from './socket.js';
import { AF_VSOCK, SO_RCVTIMEO, SOL_SOCKET } from './uapi/socket.js';
import { type AbortSignalLike, WaitQueueHead } from './wait.js';

/** The host's AbortController (core declares no host typings). */
function controller(): { signal: AbortSignalLike; abort(): void } {
  const AC = (
    globalThis as unknown as { AbortController: new () => { signal: AbortSignalLike; abort(): void } }
  ).AbortController;
  return new AC();
}

describe('WaitQueueHead.wait(timeout, signal): an interruptible sleep', () => {
  it('an abort wakes the sleeper and takes it off the queue', async () => {
    const wq = new WaitQueueHead();
    const ac = controller();
    const p = wq.wait(20, ac.signal);
    expect(wq.active).toBe(true);
    ac.abort();
    expect(wq.active).toBe(false);
    expect(await p).toBe(true);
  });

  it('a wake-up or a timeout drops the abort listener; an aborted signal does not sleep at all', async () => {
    const wq = new WaitQueueHead();
    const ac = controller();
    let listeners = 0;
    const signal: AbortSignalLike = {
      get aborted() {
        return ac.signal.aborted;
      },
      addEventListener: (t, l, o) => {
        listeners++;
        ac.signal.addEventListener(t, l, o);
      },
      removeEventListener: (t, l) => {
        listeners--;
        ac.signal.removeEventListener(t, l);
      },
    };
    const woken = wq.wait(Number.POSITIVE_INFINITY, signal);
    expect(listeners).toBe(1);
    wq.wake_up();
    expect(await woken).toBe(true);
    expect(listeners).toBe(0);
    expect(await wq.wait(1, signal)).toBe(false);
    expect(listeners).toBe(0);
    expect(wq.active).toBe(false);
    ac.abort();
    expect(await wq.wait(Number.POSITIVE_INFINITY, signal)).toBe(true);
    expect(wq.active).toBe(false);
  });

  it('recvfromAsync under SO_RCVTIMEO: the abort ends it with EINTR before the timeout', async () => {
    const { task, a, b } = bootPair(AF_VSOCK);
    const tv = new Uint8Array(16);
    new DataView(tv.buffer).setBigInt64(0, 10n, true); // 10 s
    task.setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, tv);
    const ac = controller();
    const p = task.recvfromAsync(b, 10, 0, { signal: ac.signal });
    await new Promise((r) => setTimeout(() => r(null), 1));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'EINTR', syscall: 'recvfrom' });
    expect(sock_from_file(fcheck(task.files, b)!)!.wq.active).toBe(false);
    // The socket is as it was: the next datagram is received.
    task.sendto(a, new Uint8Array([7]), 0, addr(AF_VSOCK, 2));
    expect((await task.recvfromAsync(b, 10)).data).toEqual(new Uint8Array([7]));
  });
});
