/**
 * The datagram paths of AF_UNIX: unix_dgram_sendmsg() and unix_dgram_recvmsg() (net/unix/af_unix.c).
 * These run for every message, so they are trace points (core's `tracepoint()`) instead of traced()
 * wrappers: with tracing off their bindings hold the bare functions, so nothing sits between caller and
 * callee.
 */
import {
  EAGAIN,
  ECONNREFUSED,
  ECONNRESET,
  EMSGSIZE,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPOLLOUT,
  EPOLLWRBAND,
  EPOLLWRNORM,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  TCP_CLOSE,
} from '@ksock/core';
import {
  current,
  type Fmt,
  kfree_skb,
  type MsgHdr,
  memcpy_from_msg,
  RCV_SHUTDOWN,
  SOCK_DEAD,
  SOCK_PASSCRED,
  type Socket,
  skb_copy_datagram_msg,
  skb_dequeue,
  skb_queue_tail,
  sock_alloc_send_pskb,
  sock_error,
  sock_flag,
  sock_hold,
  sock_put,
  tracepoint,
} from '@ksock/core/kernel';
import {
  unix_autobind,
  unix_dgram_disconnected,
  unix_find_other,
  unix_may_send,
  unix_validate_addr,
} from './af_unix.js';
import { type UnixSock, unix_dgram_data_len, unix_sk } from './unix_sock.js';

// The argument formatters run only while a trace is being taken.
const fmt_sendmsg: Fmt<typeof unix_dgram_sendmsg> = (sock, msg, len) =>
  `ino=${sock.inode.i_ino}, len=${len}, namelen=${msg.msg_namelen}`;
const fmt_recvmsg: Fmt<typeof unix_dgram_recvmsg> = (sock, _msg, size, flags) =>
  `ino=${sock.inode.i_ino}, size=${size}, flags=0x${flags.toString(16)}`;

/**
 * Mirrors unix_dgram_sendmsg(), in the kernel's order of checks:
 * MSG_OOB (EOPNOTSUPP) → the address (EINVAL) → autobind for SO_PASSCRED → len > sk_sndbuf − 32
 * (EMSGSIZE) → sock_alloc_send_pskb(): pending error, SEND_SHUTDOWN (EPIPE), the sender's own buffer
 * space (EAGAIN, or sleep) → the destination: by address (ENOENT / ECONNREFUSED) or the peer (ENOTCONN)
 * → unix_may_send() (EPERM) → a dead peer (ECONNREFUSED, and the peer is dropped) → the receiver shut
 * for reading (EPIPE) → the receiver's queue longer than its sk_max_ack_backlog (EAGAIN, or sleep on its
 * peer_wait; not checked when the receiver is connected back to us) → queued, receiver woken.
 *
 * Control messages (SCM_RIGHTS, SCM_CREDENTIALS) are not modelled: msg_control is ignored.
 */
export let unix_dgram_sendmsg = function unix_dgram_sendmsg(sock: Socket, msg: MsgHdr, len: number): number {
  const sk = unix_sk(sock.sk!);
  if ((msg.msg_flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  const sunaddr = msg.msg_namelen > 0 ? msg.msg_name : null;
  let err: number;
  if (sunaddr !== null) {
    err = unix_validate_addr(sunaddr, msg.msg_namelen);
    if (err !== 0) return err;
  }
  if ((sock.flags & (1 << SOCK_PASSCRED)) !== 0 && sk.addr === null) {
    err = unix_autobind(sk);
    if (err !== 0) return err;
  }
  if (len > sk.sk_sndbuf - 32) return -EMSGSIZE;

  const noblock = (msg.msg_flags & MSG_DONTWAIT) !== 0;
  // The sender's buffer space bounds what it has in flight: af_unix leaves a queued datagram charged to
  // its sender (the receiver's sk_rmem_alloc is never charged), so the sender's sk_sndbuf, not the
  // receiver's sk_rcvbuf, limits it.
  const data_len = unix_dgram_data_len(len);
  const skb = sock_alloc_send_pskb(sk, len - data_len, data_len, noblock);
  if (typeof skb === 'number') return skb;
  skb.data = memcpy_from_msg(msg);
  const timeo = noblock ? 0 : sk.sk_sndtimeo;

  let other: UnixSock;
  if (sunaddr !== null) {
    const found = unix_find_other(sk.sk_net, sunaddr, msg.msg_namelen, sk.sk_type);
    if (typeof found === 'number') {
      kfree_skb(skb);
      return found;
    }
    other = found;
  } else {
    const peer = sk.peer;
    if (peer === null) {
      kfree_skb(skb);
      return -ENOTCONN;
    }
    sock_hold(peer);
    other = peer;
  }

  if (!unix_may_send(sk, other)) {
    err = -EPERM;
  } else if (sock_flag(other, SOCK_DEAD)) {
    // The peer closed. Forget it (its last reference may go with it) and report the refusal once;
    // the next send without an address then finds no peer (ENOTCONN).
    if (sk.peer === other) {
      sk.peer = null;
      sk.sk_state = TCP_CLOSE;
      unix_dgram_disconnected(sk, other);
      sock_put(other);
      err = -ECONNREFUSED;
    } else {
      // Dead sockets are never found by address here, so this is the unconnected, unaddressed race.
      err = -ECONNRESET;
    }
  } else if ((other.sk_shutdown & RCV_SHUTDOWN) !== 0) {
    err = -EPIPE;
  } else if (
    other !== sk &&
    other.peer !== sk &&
    other.sk_receive_queue.qlen > other.sk_max_ack_backlog // unix_recvq_full_lockless()
  ) {
    // unix_wait_for_peer(): a blocking sender sleeps on the receiver's peer_wait, woken when it reads.
    if (timeo !== 0) current().blocked_on = other.peer_wait;
    err = -EAGAIN;
  } else {
    skb_queue_tail(other.sk_receive_queue, skb);
    other.sk_data_ready(other);
    sock_put(other);
    return len;
  }
  kfree_skb(skb);
  sock_put(other);
  return err;
};

/**
 * Mirrors unix_dgram_recvmsg() / __unix_dgram_recvmsg(): MSG_OOB (EOPNOTSUPP) → a pending error → the
 * head of the queue (with MSG_PEEK it stays queued; with SO_PEEK_OFF set, peeking starts that many bytes
 * in) → if empty: EAGAIN without blocking, 0 when shut for reading, else sleep. Then blocked senders are
 * woken, the sender's address is returned when it has one, and the datagram is cut to `size` (MSG_TRUNC
 * in msg_flags; with MSG_TRUNC in flags the full length is returned).
 */
export let unix_dgram_recvmsg = function unix_dgram_recvmsg(
  sock: Socket,
  msg: MsgHdr,
  size: number,
  flags: number,
): number {
  const sk = unix_sk(sock.sk!);
  if ((flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  const err = sock_error(sk);
  if (err !== 0) return err;

  // __skb_try_recv_datagram(): with MSG_PEEK and a peek offset, skip whole datagrams it covers.
  const peek = (flags & MSG_PEEK) !== 0;
  let skip = 0;
  let skb = sk.sk_receive_queue.head;
  if (peek && sk.sk_peek_off >= 0) {
    skip = sk.sk_peek_off;
    while (skb !== null && skip > 0 && skip >= skb.len) {
      skip -= skb.len;
      skb = skb.next;
    }
  } else if (!peek) {
    skb = skb_dequeue(sk.sk_receive_queue);
  }
  if (skb === null) {
    if ((flags & MSG_DONTWAIT) !== 0) return -EAGAIN;
    // __skb_wait_for_more_packets(): a receive-shut socket returns 0 instead of sleeping.
    if ((sk.sk_shutdown & RCV_SHUTDOWN) !== 0) return 0;
    return -EAGAIN; // sleep on the socket's wait queue (the default blocked_on)
  }

  if (sk.peer_wait.active) sk.peer_wait.wake_up(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
  const sender = skb.sk as UnixSock | null;
  if (sender !== null && sender.addr !== null) {
    msg.msg_name = sender.addr.slice();
    msg.msg_namelen = sender.addr.length;
  }
  const avail = skb.len - skip;
  if (size > avail) size = avail;
  else if (size < avail) msg.msg_flags |= MSG_TRUNC;
  skb_copy_datagram_msg(skb, skip, msg, size, !peek);
  if (!peek) {
    if (sk.sk_peek_off >= 0) sk.sk_peek_off = Math.max(sk.sk_peek_off - skb.len, 0);
    kfree_skb(skb); // skb_free_datagram(): the sender gets its buffer space back
  } else if (sk.sk_peek_off >= 0) {
    sk.sk_peek_off += size;
  }
  return (flags & MSG_TRUNC) !== 0 ? avail : size;
};

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(unix_dgram_sendmsg, 'unix_dgram_sendmsg', fmt_sendmsg, (f) => {
  unix_dgram_sendmsg = f;
});
tracepoint(unix_dgram_recvmsg, 'unix_dgram_recvmsg', fmt_recvmsg, (f) => {
  unix_dgram_recvmsg = f;
});
