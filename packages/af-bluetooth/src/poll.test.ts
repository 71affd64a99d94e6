import {
  AF_BLUETOOTH,
  CAP_NET_RAW,
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
  Kernel,
  POLLIN,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  type Task,
} from '@ksock/core';
import { sock_from_file } from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { BtSock } from './bluetooth.js';
import modules, { BTPROTO_HCI, BTPROTO_L2CAP, BTPROTO_RFCOMM, sockaddr_l2 } from './index.js';
import {
  BT_CLOSED,
  BT_CONNECT,
  BT_CONNECT2,
  BT_CONNECTED,
  BT_SK_DEFER_SETUP,
  BT_SK_SUSPEND,
} from './uapi/bluetooth.js';

const WRITABLE = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
const mask = (t: Task, fd: number) => t.poll([{ fd, events: 0xffff }])[0]!;
const bsk = (t: Task, fd: number) => sock_from_file(t.files.fd[fd]!)!.sk as BtSock;

function child(state: number): BtSock {
  const c = new BtSock();
  c.sk_state = state;
  return c;
}

describe('bt_sock_poll', () => {
  it('an open socket is writable; BT_CLOSED hangs up; connecting states are neither; suspend stops writes', () => {
    const t = new Kernel({ modules }).spawn({ uid: 1000 });
    for (const proto of [BTPROTO_L2CAP, BTPROTO_RFCOMM]) {
      const fd = t.socket(AF_BLUETOOTH, proto === BTPROTO_L2CAP ? SOCK_SEQPACKET : SOCK_STREAM, proto);
      const sk = bsk(t, fd);
      expect(mask(t, fd)).toBe(WRITABLE);
      sk.sk_state = BT_CLOSED;
      expect(mask(t, fd)).toBe(WRITABLE | EPOLLHUP);
      for (const s of [BT_CONNECT, BT_CONNECT2]) {
        sk.sk_state = s;
        expect(mask(t, fd)).toBe(0);
      }
      sk.sk_state = BT_CONNECTED;
      sk.sk_err = 104;
      sk.flags |= 1 << BT_SK_SUSPEND;
      expect(mask(t, fd)).toBe(EPOLLERR);
    }
  });

  it('a listener is readable once a queued child is connected (or in CONNECT2 with BT_DEFER_SETUP)', () => {
    const t = new Kernel({ modules }).spawn({ uid: 1000 });
    const l = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    t.bind(l, sockaddr_l2('00:00:00:00:00:00', 0));
    t.listen(l, 4);
    expect(mask(t, l)).toBe(0);
    const sk = bsk(t, l);
    sk.accept_q.push(child(BT_CONNECT2));
    expect(mask(t, l)).toBe(0);
    sk.flags |= 1 << BT_SK_DEFER_SETUP;
    expect(mask(t, l)).toBe(EPOLLIN | EPOLLRDNORM);
    sk.flags = 0;
    sk.accept_q.push(child(BT_CONNECTED));
    expect(mask(t, l)).toBe(EPOLLIN | EPOLLRDNORM);
    sk.accept_q.length = 0;
  });

  it('HCI sockets use datagram_poll; polls are traced', () => {
    const k = new Kernel({ modules });
    const t = k.spawn({ uid: 1000, caps: [CAP_NET_RAW] });
    const h = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    const l = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    expect(mask(t, h)).toBe(WRITABLE);
    const { text } = k.trace(() =>
      t.poll([
        { fd: h, events: POLLIN },
        { fd: l, events: POLLIN },
      ]),
    );
    expect(text).toMatch(/datagram_poll/);
    expect(text).toMatch(/bt_sock_poll/);
  });
});
