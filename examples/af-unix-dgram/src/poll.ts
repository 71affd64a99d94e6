/**
 * unix_dgram_poll() and the peer-wake relay it relies on (net/unix/af_unix.c): a socket connected to a
 * receiver whose queue is full is not writable, and puts an entry on that receiver's peer_wait which, when
 * the receiver reads, passes the wake-up on to the sender's own wait queue — so a poll on the sender
 * wakes when it can send again.
 */

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
  SOCK_SEQPACKET,
  TCP_CLOSE,
  TCP_LISTEN,
  TCP_SYN_SENT,
} from '@ksock/core';
import {
  add_wait_queue,
  type File,
  type Fmt,
  type PollTable,
  poll_requested_events,
  RCV_SHUTDOWN,
  remove_wait_queue,
  SHUTDOWN_MASK,
  SOCK_SELECT_ERR_QUEUE,
  type Socket,
  sock_flag,
  sock_poll_wait,
  tracepoint,
} from '@ksock/core/kernel';
import { type UnixSock, unix_peer, unix_sk, unix_writable } from './unix_sock.js';

/** Mirrors unix_dgram_peer_wake_connect(): hang the relay entry on `other`'s peer_wait. */
function unix_dgram_peer_wake_connect(u: UnixSock, other: UnixSock): boolean {
  if (u.peer_wake_other !== null) return false;
  u.peer_wake_other = other;
  add_wait_queue(other.peer_wait, u.peer_wake);
  return true;
}

/** Mirrors unix_dgram_peer_wake_disconnect(): take the relay entry off `other`'s peer_wait. */
export function unix_dgram_peer_wake_disconnect(u: UnixSock, other: UnixSock): void {
  if (u.peer_wake_other !== other) return;
  remove_wait_queue(other.peer_wait, u.peer_wake);
  u.peer_wake_other = null;
}

/**
 * Mirrors unix_dgram_peer_wake_disconnect_wakeup(): the peer changed; a sender that waited for the old
 * one may be writable now.
 */
export function unix_dgram_peer_wake_disconnect_wakeup(u: UnixSock, other: UnixSock): void {
  unix_dgram_peer_wake_disconnect(u, other);
  u.sk_wq?.wake_up(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
}

/** Mirrors unix_dgram_peer_wake_me(): true while `other`'s queue is full (the relay then stays on). */
function unix_dgram_peer_wake_me(u: UnixSock, other: UnixSock): boolean {
  const connected = unix_dgram_peer_wake_connect(u, other);
  if (other.sk_receive_queue.qlen > other.sk_max_ack_backlog) return true;
  if (connected) unix_dgram_peer_wake_disconnect(u, other);
  return false;
}

/**
 * Mirrors unix_dgram_poll(): datagram_poll()'s error, shutdown and queue rules (SOCK_SEQPACKET's states
 * are not modelled by this family); writable per unix_writable() unless connected to a receiver that is
 * not connected back and whose queue is full (unix_recvq_full_lockless()), in which case the peer-wake
 * relay is armed. A caller that asked for no write event skips the write tests, as Linux does.
 */
export let unix_dgram_poll = function unix_dgram_poll(
  file: File,
  sock: Socket,
  wait: PollTable | null,
): number {
  const sk = unix_sk(sock.sk!);
  sock_poll_wait(file, sock, wait);
  let mask = 0;
  const shutdown = sk.sk_shutdown;
  if (sk.sk_err !== 0 || !sk.error_queue_empty())
    mask |= EPOLLERR | (sock_flag(sk, SOCK_SELECT_ERR_QUEUE) ? EPOLLPRI : 0);
  if ((shutdown & RCV_SHUTDOWN) !== 0) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (sk.sk_receive_queue.qlen !== 0) mask |= EPOLLIN | EPOLLRDNORM;
  if (sk.sk_type === SOCK_SEQPACKET) {
    if (sk.sk_state === TCP_CLOSE) mask |= EPOLLHUP;
    if (sk.sk_state === TCP_SYN_SENT) return mask;
  }
  if ((poll_requested_events(wait) & (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT)) === 0) return mask;
  let writable = sk.sk_state !== TCP_LISTEN && unix_writable(sk);
  if (writable) {
    const other = unix_peer(sk);
    if (other !== null && unix_peer(other) !== sk && unix_dgram_peer_wake_me(sk, other)) writable = false;
  }
  if (writable) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
};
const fmt_unix_dgram_poll: Fmt<typeof unix_dgram_poll> = (_file, sock) => `ino=${sock.inode.i_ino}`;

tracepoint(unix_dgram_poll, 'unix_dgram_poll', fmt_unix_dgram_poll, (f) => {
  unix_dgram_poll = f;
});
