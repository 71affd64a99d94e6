import {
  EPOLLERR,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
  POLLIN,
  SO_RCVBUF,
  SOL_SOCKET,
  type Task,
} from '@ksock/core';
import { sock_from_file, vfs_poll } from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { bindnl, boot, nlsocket } from './__fixtures__/test_util.js';
import { ifinfomsg, RTM_GETLINK } from './rtnetlink.js';
import { NETLINK_ROUTE, NETLINK_USERSOCK, NLM_F_DUMP, NLM_F_REQUEST, nlmsg, sockaddr_nl } from './uapi.js';

const WRITABLE = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
const READABLE = EPOLLIN | EPOLLRDNORM;

function mask(t: Task, fd: number): number {
  return t.poll([{ fd, events: 0xffff }])[0]!;
}

describe('netlink poll (datagram_poll, as netlink_ops.poll in Linux 6.18)', () => {
  it('a fresh socket is writable; a queued message makes it readable; reading it empties', () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 100);
    bindnl(t, b, 200);
    expect(mask(t, b)).toBe(WRITABLE);
    t.sendto(a, nlmsg(0x10, 0, 1, 100, new Uint8Array(4)), 0, sockaddr_nl(200));
    expect(mask(t, b)).toBe(WRITABLE | READABLE);
    t.recvfrom(b, 4096);
    expect(mask(t, b)).toBe(WRITABLE);
  });

  it('a dump too big for the receive buffer stays readable until the last part is read', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_ROUTE);
    t.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1);
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()));
    expect(mask(t, fd) & READABLE).toBe(READABLE);
    for (let i = 0; i < 100 && (mask(t, fd) & EPOLLIN) !== 0; i++) t.recvfrom(fd, 32768);
    expect(mask(t, fd)).toBe(WRITABLE);
  });

  it('a multicast overrun (ENOBUFS in sk_err) is EPOLLERR and wakes a sleeping poll', async () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 100);
    bindnl(t, b, 200, 1);
    t.setsockopt(b, SOL_SOCKET, SO_RCVBUF, 1);
    const p = t.pollAsync([{ fd: b, events: 0 }], 1000);
    await Promise.resolve();
    const msg = nlmsg(0x10, 0, 1, 100, new Uint8Array(3000));
    for (let i = 0; i < 4; i++) t.raw.sendto(a, msg, 0, sockaddr_nl(0, 1));
    expect(await p).toEqual([EPOLLERR]);
    expect(mask(t, b) & EPOLLERR).toBe(EPOLLERR);
  });

  it('vfs_poll of the file is the whole mask; pollAsync wakes when a message arrives', async () => {
    const k = boot();
    const t = k.spawn();
    const a = nlsocket(t, NETLINK_USERSOCK);
    const b = nlsocket(t, NETLINK_USERSOCK);
    bindnl(t, a, 100);
    bindnl(t, b, 200);
    const p = t.pollAsync([{ fd: b, events: POLLIN }]);
    await Promise.resolve();
    t.sendto(a, nlmsg(0x10, 0, 1, 100, new Uint8Array(4)), 0, sockaddr_nl(200));
    expect(await p).toEqual([POLLIN]);
    const file = t.files.fd[b]!;
    expect(sock_from_file(file)).not.toBeNull();
    expect(k.trace(() => t.poll([{ fd: b, events: POLLIN }])).text).toMatch(/datagram_poll/);
    expect(vfs_poll(file)).toBe(WRITABLE | READABLE);
  });
});
