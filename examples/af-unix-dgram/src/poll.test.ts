import { AF_UNIX, POLLERR, POLLIN, POLLOUT, SOCK_DGRAM, SOCK_NONBLOCK } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, bytes } from './test_util.js';
import { sockaddr_un_abstract } from './uapi.js';

const ALL = POLLIN | POLLOUT | POLLERR;

describe('unix_dgram_poll', () => {
  it('a sender connected to a full receiver is not writable, and a poll on it wakes when the receiver reads', async () => {
    const { t } = boot();
    const r = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    t.bind(r, sockaddr_un_abstract('poll-r'));
    const s = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    t.connect(s, sockaddr_un_abstract('poll-r'));
    expect(t.poll([{ fd: s, events: ALL }])).toEqual([POLLOUT]);
    while (t.raw.sendto(s, bytes('x')) > 0);
    expect(
      t.poll([
        { fd: s, events: ALL },
        { fd: r, events: ALL },
      ]),
    ).toEqual([0, POLLIN | POLLOUT]);
    const p = t.pollAsync([{ fd: s, events: POLLOUT }], -1);
    await Promise.resolve();
    t.recvfrom(r, 10);
    expect(await p).toEqual([POLLOUT]);
  });

  it('reconnecting elsewhere takes the relay off the old receiver and wakes the sender', async () => {
    const { t } = boot();
    const r = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    t.bind(r, sockaddr_un_abstract('poll-r2'));
    const r2 = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    t.bind(r2, sockaddr_un_abstract('poll-r3'));
    const s = t.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    t.connect(s, sockaddr_un_abstract('poll-r2'));
    while (t.raw.sendto(s, bytes('x')) > 0);
    const p = t.pollAsync([{ fd: s, events: POLLOUT }], -1);
    await Promise.resolve();
    t.connect(s, sockaddr_un_abstract('poll-r3'));
    expect(await p).toEqual([POLLOUT]);
  });

  it('a socketpair end is readable with data and traced as unix_dgram_poll', () => {
    const { k, t } = boot();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    t.sendto(a, bytes('hi'));
    const { result, text } = k.trace(() => t.poll([{ fd: b, events: ALL }]));
    expect(result).toEqual([POLLIN | POLLOUT]);
    expect(text).toMatch(/unix_dgram_poll/);
  });
});
