/**
 * Where Linux sleeps, the ops return EAGAIN with current().blocked_on naming the queue; the Task's
 * …Async calls sleep there and retry.
 */
import { AF_UNIX, MSG_DONTWAIT, SOCK_DGRAM, SOCK_NONBLOCK } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import W from './__fixtures__/linux-6.18-write-space.json' with { type: 'json' };
import { boot, bytes, dgram, text } from './test_util.js';
import { sockaddr_un_abstract } from './uapi.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('blocking', () => {
  it('recvfromAsync sleeps until a datagram arrives', async () => {
    const { t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    let got: string | null = null;
    const p = t.recvfromAsync(b, 10).then((r) => {
      got = text(r.data);
    });
    await tick();
    expect(got).toBeNull();
    t.sendto(a, bytes('wake'));
    await p;
    expect(got).toBe('wake');
  });

  it('a sender to a full receiver sleeps on its peer_wait until the receiver reads', async () => {
    const { t } = boot();
    const r = dgram(t);
    const s = dgram(t);
    const addr = sockaddr_un_abstract('full');
    t.bind(r, addr);
    for (let i = 0; i < 11; i++) t.sendto(s, bytes(`m${i}`), 0, addr);
    // The plain call cannot sleep: it reports EAGAIN, as a blocking sender would have waited.
    expect(() => t.sendto(s, bytes('x'), 0, addr)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    let sent = -1;
    const p = t.sendtoAsync(s, bytes('late'), 0, addr).then((n) => {
      sent = n;
    });
    await tick();
    expect(sent).toBe(-1);
    expect(text(t.recvfrom(r, 10).data)).toBe('m0');
    await p;
    expect(sent).toBe(4);
    // MSG_DONTWAIT and O_NONBLOCK never sleep.
    await expect(t.sendtoAsync(s, bytes('x'), MSG_DONTWAIT, addr)).rejects.toMatchObject({ code: 'EAGAIN' });
    const nb = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    await expect(t.sendtoAsync(nb, bytes('x'), 0, addr)).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('a socketpair writer out of buffer space sleeps until the reader drains three quarters of it', async () => {
    const { t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    for (let i = 0; i < W.filled; i++) t.sendto(a, bytes('y'));
    let done = false;
    const p = t.sendtoAsync(a, bytes('z')).then(() => {
      done = true;
    });
    // unix_write_space() wakes writers only once wmem × 4 ≤ sk_sndbuf: with 69 datagrams in flight, after
    // 209 reads — when Linux 6.18's poll() reports the socket writable again.
    for (let i = 0; i < W.writable_after_reading - 1; i++) t.recvfrom(b, 1);
    await tick();
    expect(done).toBe(false);
    t.recvfrom(b, 1);
    await p;
    expect(done).toBe(true);
  });

  it('closing a full receiver wakes its blocked senders, who then see ECONNREFUSED', async () => {
    const { t } = boot();
    const r = dgram(t);
    const s = dgram(t);
    const addr = sockaddr_un_abstract('going');
    t.bind(r, addr);
    for (let i = 0; i < 11; i++) t.sendto(s, bytes('m'), 0, addr);
    const p = t.sendtoAsync(s, bytes('x'), 0, addr);
    await tick();
    t.close(r);
    await expect(p).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
