/**
 * struct unix_sock and the per-namespace and per-kernel tables it lives in (include/net/af_unix.h,
 * net/unix/af_unix.c), plus the sizes of the buffers it sends.
 */
import type { WaitQueueEntry } from '@ksock/core/kernel';
import {
  alloc_skb_truesize,
  type Module,
  type NetProtoFamily,
  type Proto,
  type ProtoOps,
  Sock,
  WaitQueueHead,
} from '@ksock/core/kernel';

/**
 * ksock has no filesystem, so a pathname socket's inode is this node in a table of paths kept per kernel
 * (one "filesystem" shared by every network namespace, as pathname sockets are reachable across
 * namespaces in Linux). Like the socket file Linux creates, a node outlives the socket bound to it: a path
 * stays taken (EADDRINUSE) and answers ECONNREFUSED until unix_unlink() removes it.
 */
export class UnixInode {
  /** The socket bound to this inode, null once it is closed (unix_find_socket_byinode() finds nothing). */
  sk: UnixSock | null = null;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }
}

/** The af_unix part of struct net (net->unx): the sockets of one network namespace. */
export class UnixNet {
  /**
   * Every socket of the namespace, bound or not (net->unx.table), in creation order; membership holds a
   * reference on the sock, as sk_add_node() does.
   */
  readonly sockets = new Set<UnixSock>();
  /** The abstract namespace: name bytes (as a latin1 key) → the socket bound to it. Per namespace. */
  readonly abstract = new Map<string, UnixSock>();
  /** net.unix.max_dgram_qlen (per namespace; unix_net_init() sets 10). */
  sysctl_max_dgram_qlen = 10;
}

/** What one kernel's af_unix holds: its ops tables (owned by this kernel's Module) and its tables. */
export interface UnixState {
  mod: Module;
  proto: Proto;
  ops: ProtoOps;
  family: NetProtoFamily;
  /** Path → inode: the stand-in for the filesystem pathname sockets are created in. */
  fs: Map<string, UnixInode>;
  /** unix_nr_socks: sockets allocated and not yet destroyed, checked against 2 × fs.file-max. */
  nr_socks: number;
  unregister_sysctl: (() => void) | null;
  remove_proc: (() => void) | null;
}

/**
 * struct unix_sock. Every field is set in the class body so every UnixSock has the same shape (the
 * conventions' performance rule); sk_alloc() creates it through proto.sk_class.
 */
export class UnixSock extends Sock {
  /**
   * u->addr: the bound address exactly as getsockname() returns it (family included), or null while
   * unbound. Kept until the sock is destroyed, so a datagram still names its sender after the sender closed.
   */
  addr: Uint8Array | null = null;
  /** The abstract-table key of `addr` (null when unbound or bound to a path). */
  addr_key: string | null = null;
  /** u->path: the inode of a pathname binding. */
  path: UnixInode | null = null;
  /** unix_peer(sk): the default destination; holds a reference on it. */
  peer: UnixSock | null = null;
  /** u->peer_wait: senders blocked because this socket's receive queue is full sleep here. */
  readonly peer_wait = new WaitQueueHead();
  /**
   * u->peer_wake: the entry unix_dgram_poll() hangs on a full receiver's peer_wait (created on first use),
   * and the receiver it is on (null while on none).
   */
  private peer_wake_: WaitQueueEntry | null = null;
  peer_wake_other: UnixSock | null = null;
  /** The namespace tables this socket is in. */
  unet: UnixNet = null as unknown as UnixNet;
  /** This kernel's af_unix state. */
  st: UnixState = null as unknown as UnixState;

  get peer_wake(): WaitQueueEntry {
    if (this.peer_wake_ === null) this.peer_wake_ = { func: (_e, key) => unix_peer_wake_relay(this, key) };
    return this.peer_wake_;
  }

  override traceLabel(): string {
    return `unix_sock ino=${this.sk_socket?.inode.i_ino ?? 0}`;
  }
}

/** unix_sk(). */
export function unix_sk(sk: Sock): UnixSock {
  return sk as UnixSock;
}

/** unix_peer(sk). */
export function unix_peer(sk: UnixSock): UnixSock | null {
  return sk.peer;
}

// ---- transmit buffer sizes (net/unix/af_unix.c) -----------------------------------------------------

const PAGE_SIZE = 4096;
/** SKB_MAX_ALLOC: the largest linear part unix_dgram_sendmsg() asks for; the rest goes to page frags. */
const SKB_MAX_ALLOC = (PAGE_SIZE << 2) - 320;

/**
 * The page-fragment part of a datagram of `len` bytes, as unix_dgram_sendmsg() splits it before
 * sock_alloc_send_pskb(): nothing up to SKB_MAX_ALLOC, then the rest (at most MAX_SKB_FRAGS pages) in
 * whole pages.
 */
export function unix_dgram_data_len(len: number): number {
  if (len <= SKB_MAX_ALLOC) return 0;
  return Math.ceil(Math.min(len - SKB_MAX_ALLOC, 17 * PAGE_SIZE) / PAGE_SIZE) * PAGE_SIZE;
}

/**
 * skb->truesize of a datagram of `len` bytes as unix_dgram_sendmsg() allocates it: the sk_buff, the
 * kmalloc'ed (size-class rounded) head holding up to SKB_MAX_ALLOC bytes plus skb_shared_info, and whole
 * pages for the rest. A 1-byte datagram costs 768 bytes, so a socketpair end takes 278 of them before its
 * 212992-byte sk_sndbuf is spent — what Linux 6.18 answers.
 */
export function unix_skb_truesize(len: number): number {
  const data_len = unix_dgram_data_len(len);
  return alloc_skb_truesize(len - data_len) + data_len;
}

/** Mirrors unix_writable(): a quarter of sk_sndbuf or less in flight. */
export function unix_writable(sk: Sock): boolean {
  return sk.sk_wmem_alloc << 2 <= sk.sk_sndbuf;
}

/** Mirrors unix_write_space(): wake blocked writers once the socket is writable again. */
export function unix_write_space(sk: Sock): void {
  if (unix_writable(sk)) sk.sk_wq?.wake_up();
}

/** Mirrors unix_dgram_peer_wake_relay(): the receiver read; the sender's pollers are woken, once. */
function unix_peer_wake_relay(u: UnixSock, key: number): void {
  const other = u.peer_wake_other;
  if (other !== null) other.peer_wait.remove(u.peer_wake);
  u.peer_wake_other = null;
  u.sk_wq?.wake_up(key);
}
