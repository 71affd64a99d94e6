import {
  AF_INET,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  type Task,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, sk_of } from './__fixtures__/util.js';
import { INADDR_LOOPBACK, sockaddr_in } from './uapi/in.js';

const at = (port: number) => sockaddr_in(INADDR_LOOPBACK, port);

function pair(t: Task) {
  const l = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  t.bind(l, at(5000));
  t.listen(l, 8);
  const c = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  try {
    t.connect(c, at(5000));
  } catch {
    // EINPROGRESS
  }
  const a = t.accept(l);
  return { l, c, a };
}

describe('tcp_poll / udp_poll wake-ups', () => {
  it('a sleeping poll on a listener wakes when a connection is queued (sk_data_ready)', async () => {
    const t = boot().spawn({});
    const l = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    t.bind(l, at(5000));
    t.listen(l, 8);
    const p = t.pollAsync([{ fd: l, events: POLLIN }], 1000);
    await Promise.resolve();
    const c = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      t.connect(c, at(5000));
    } catch {
      // EINPROGRESS
    }
    expect(await p).toEqual([POLLIN]);
  });

  it("the peer's FIN wakes a poll for POLLRDHUP; its data wakes one for POLLIN", async () => {
    const t = boot().spawn({});
    const { c, a } = pair(t);
    let p = t.pollAsync([{ fd: a, events: POLLIN }], 1000);
    await Promise.resolve();
    t.sendto(c, new Uint8Array(3));
    expect(await p).toEqual([POLLIN]);
    t.recvfrom(a, 10);
    p = t.pollAsync([{ fd: a, events: POLLRDHUP }], 1000);
    await Promise.resolve();
    t.shutdown(c, 1);
    expect(await p).toEqual([POLLRDHUP]);
  });

  it('connect(AF_UNSPEC) (tcp_disconnect) wakes the socket: ECONNRESET and CLOSE, as Linux reports', async () => {
    const t = boot().spawn({});
    const { c } = pair(t);
    const p = t.pollAsync([{ fd: c, events: POLLIN }], -1); // woken, or the test times out
    await Promise.resolve();
    sk_of(t, c).sk_prot.disconnect!(sk_of(t, c), 0);
    expect(await p).toEqual([POLLERR | POLLHUP]);
  });

  it('a refused UDP send wakes a connected socket with POLLERR (sk_error_report)', async () => {
    const t = boot().spawn({});
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.connect(u, at(5009));
    const p = t.pollAsync([{ fd: u, events: POLLIN }], 1000);
    await Promise.resolve();
    t.sendto(u, new Uint8Array(1));
    expect(await p).toEqual([POLLERR]);
  });

  it('reading frees the space a blocked writer waits for (sk_write_space)', async () => {
    const t = boot().spawn({});
    const { c, a } = pair(t);
    const peer = sk_of(t, a);
    peer.sk_rcvbuf = 4;
    t.sendto(c, new Uint8Array(4));
    expect(t.poll([{ fd: c, events: POLLOUT }])).toEqual([0]);
    const p = t.pollAsync([{ fd: c, events: POLLOUT }], 1000);
    await Promise.resolve();
    t.recvfrom(a, 10);
    expect(await p).toEqual([POLLOUT]);
  });

  it('tcp_poll, udp_poll and datagram_poll show in a trace', () => {
    const k = boot();
    const t = k.spawn({});
    const s = t.socket(AF_INET, SOCK_STREAM, 0);
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    const { text } = k.trace(() =>
      t.poll([
        { fd: s, events: POLLIN },
        { fd: u, events: POLLIN },
      ]),
    );
    expect(text).toMatch(/tcp_poll/);
    expect(text).toMatch(/udp_poll/);
    expect(text).toMatch(/datagram_poll/);
  });
});
