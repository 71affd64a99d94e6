/**
 * net/core/datagram.c: how a datagram protocol receives — skb_recv_datagram(), skb_copy_datagram_msg(),
 * skb_free_datagram(), datagram_poll() — with sock_queue_rcv_skb() from net/core/sock.c.
 */

import type { File } from './file.js';
import type { MsgHdr } from './msg.js';
import type { PollTable } from './poll.js';
import type { SkBuff } from './skbuff.js';
import {
  consume_skb,
  skb_dequeue,
  skb_free_head,
  skb_peek,
  skb_queue_tail,
  skb_set_owner_r,
} from './skbuff.js';
import type { Sock } from './sock.js';
import {
  RCV_SHUTDOWN,
  SHUTDOWN_MASK,
  SOCK_DEAD,
  SOCK_SELECT_ERR_QUEUE,
  sock_error,
  sock_flag,
  sock_poll_wait,
  sock_writeable,
} from './sock.js';
import type { Socket } from './socket.js';
import { type Fmt, tracepoint } from './trace.js';
import { EAGAIN, ENOMEM } from './uapi/errno.js';
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
} from './uapi/poll.js';
import { MSG_DONTWAIT, MSG_PEEK, SOCK_SEQPACKET, SOCK_STREAM } from './uapi/socket.js';
import { TCP_CLOSE, TCP_SYN_SENT } from './uapi/tcp_states.js';

/**
 * Mirrors sock_queue_rcv_skb() / __sock_queue_rcv_skb(): refuse when the receive budget is spent
 * (counted in sk_drops, ENOMEM), otherwise charge, queue and wake readers.
 */
export function sock_queue_rcv_skb(sk: Sock, skb: SkBuff): number {
  if (sk.sk_rmem_alloc >= sk.sk_rcvbuf) {
    sk.sk_drops++;
    return -ENOMEM;
  }
  skb_set_owner_r(skb, sk);
  skb_queue_tail(sk.sk_receive_queue, skb);
  if (!sock_flag(sk, SOCK_DEAD)) sk.sk_data_ready(sk);
  return 0;
}

/**
 * Mirrors skb_recv_datagram() without sleeping: a pending error first, then the head of the receive
 * queue (left there with MSG_PEEK). An empty queue is EAGAIN for a non-blocking call; a blocking call
 * gets 0 (end of file) once the receive side is shut down — Linux only looks at the shutdown state when it
 * is about to sleep (__skb_wait_for_more_packets) — and otherwise -EAGAIN, on which the awaitable
 * syscall forms sleep on the socket's wait queue and retry.
 */
export function skb_recv_datagram(sk: Sock, flags: number): SkBuff | number {
  if (sk.sk_err !== 0) return sock_error(sk);
  const q = sk.sk_receive_queue;
  const skb = (flags & MSG_PEEK) !== 0 ? skb_peek(q) : skb_dequeue(q);
  if (skb !== null) return skb;
  if ((flags & MSG_DONTWAIT) === 0 && (sk.sk_shutdown & RCV_SHUTDOWN) !== 0) return 0;
  return -EAGAIN;
}

/**
 * Mirrors skb_free_datagram(): done with a received buffer (a peeked one stays queued). Its bytes have
 * been copied to the user, so its data area goes back for reuse (skb_free_head): call it after the copy,
 * and read nothing of the buffer afterwards.
 */
export function skb_free_datagram(_sk: Sock, skb: SkBuff, flags = 0): void {
  if ((flags & MSG_PEEK) !== 0) return;
  consume_skb(skb);
  skb_free_head(skb);
}

/**
 * Mirrors skb_copy_datagram_msg(): `len` bytes of the buffer from `offset` to the user. With a user
 * buffer they are copied into it, as Linux copies into the iovec. Without one the user gets a new array,
 * except that a buffer about to be freed (`consume`: not a MSG_PEEK) gives its own array when it is taken
 * whole, nobody shares it (skb->cloned) and it spans its ArrayBuffer alone — so the user's array can never
 * show another message's bytes — which saves a copy.
 */
export function skb_copy_datagram_msg(
  skb: SkBuff,
  offset: number,
  msg: MsgHdr,
  len: number,
  consume: boolean,
): void {
  const d = skb.data;
  const whole = offset === 0 && len === d.length;
  if (msg.ubuf !== null) msg.ubuf.set(whole ? d : d.subarray(offset, offset + len));
  else if (whole && consume && !skb.cloned && d.byteLength === d.buffer.byteLength) msg.data = d;
  else msg.data = d.slice(offset, offset + len);
}

/** Mirrors connection_based() in net/core/datagram.c: SOCK_SEQPACKET and SOCK_STREAM. */
function connection_based(sk: Sock): boolean {
  return sk.sk_type === SOCK_SEQPACKET || sk.sk_type === SOCK_STREAM;
}

/**
 * Mirrors datagram_poll() (net/core/datagram.c, Linux 6.18), the poll of UDP's base, raw, ping, netlink
 * and most datagram families: EPOLLERR for a pending error or a non-empty error queue (and EPOLLPRI with
 * SO_SELECT_ERR_QUEUE); EPOLLRDHUP | EPOLLIN | EPOLLRDNORM once the receive side is shut down, EPOLLHUP
 * once both are; readable with a queued buffer; a connection-based socket in CLOSE hangs up, and one in
 * SYN_SENT is not yet writable; otherwise writable while sock_writeable().
 */
export let datagram_poll = function datagram_poll(file: File, sock: Socket, wait: PollTable | null): number {
  const sk = sock.sk!;
  sock_poll_wait(file, sock, wait);
  let mask = 0;
  // exceptional events?
  if (sk.sk_err !== 0 || !sk.error_queue_empty())
    mask |= EPOLLERR | (sock_flag(sk, SOCK_SELECT_ERR_QUEUE) ? EPOLLPRI : 0);
  const shutdown = sk.sk_shutdown;
  if ((shutdown & RCV_SHUTDOWN) !== 0) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  // readable?
  if (sk.sk_receive_queue.qlen !== 0) mask |= EPOLLIN | EPOLLRDNORM;
  // Connection-based need to check for termination and startup
  if (connection_based(sk)) {
    const state = sk.sk_state;
    if (state === TCP_CLOSE) mask |= EPOLLHUP;
    // connection hasn't started yet?
    if (state === TCP_SYN_SENT) return mask;
  }
  // writable? (Linux otherwise sets SOCKWQ_ASYNC_NOSPACE, for SIGIO, which ksock does not model)
  if (sock_writeable(sk)) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
};
const fmt_datagram_poll: Fmt<typeof datagram_poll> = (_file, sock) => `ino=${sock.inode.i_ino}`;

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(datagram_poll, 'datagram_poll', fmt_datagram_poll, (f) => {
  datagram_poll = f;
});
