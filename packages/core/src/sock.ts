/**
 * net/core/sock.c and include/net/sock.h: struct sock and struct proto — sk_alloc(), sock_init_data(),
 * sock_hold() / sock_put(), the sock_def_*() callbacks, write-space accounting, proto_register() and the
 * per-namespace in-use counters.
 */

import type { Cred } from './cred.js';
import type { File } from './file.js';
import type { Kernel } from './kernel.js';
import type { Module } from './module.js';
import { module_put, try_module_get } from './module.js';
import type { MsgHdr } from './msg.js';
import type { Net } from './net_namespace.js';
import { get_net, put_net, sock_inuse_add } from './net_namespace.js';
import { __warn } from './panic.js';
import { type PollTable, poll_wait } from './poll.js';
import { current } from './sched.js';
import { alloc_skb_truesize, SkBuff, SkBuffHead, skb_orphan, skb_queue_purge } from './skbuff.js';
import type { KmemCache } from './slab.js';
import type { GetsockoptResult, Socket } from './socket.js';
import { type Fmt, tracepoint } from './trace.js';
import { EAGAIN, ENOBUFS, ENOSPC, EPIPE } from './uapi/errno.js';
import {
  EPOLLERR,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDBAND,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
} from './uapi/poll.js';
import { SOCK_NOSPACE } from './uapi/socket.js';
import { TCP_CLOSE } from './uapi/tcp_states.js';
import type { WaitQueueHead } from './wait.js';

/** enum sock_flags (include/net/sock.h): bit numbers in `sk_flags`. */
export const SOCK_DEAD = 0;
export const SOCK_DONE = 1;
export const SOCK_URGINLINE = 2;
export const SOCK_KEEPOPEN = 3;
export const SOCK_LINGER = 4;
export const SOCK_DESTROY = 5;
export const SOCK_BROADCAST = 6;
export const SOCK_TIMESTAMP = 7;
export const SOCK_ZAPPED = 8;
export const SOCK_USE_WRITE_QUEUE = 9;
export const SOCK_DBG = 10;
export const SOCK_RCVTSTAMP = 11;
export const SOCK_RCVTSTAMPNS = 12;
export const SOCK_LOCALROUTE = 13;
export const SOCK_TIMESTAMPING_RX_SOFTWARE = 15;
export const SOCK_RXQ_OVFL = 17;
export const SOCK_ZEROCOPY = 18;
export const SOCK_WIFI_STATUS = 19;
export const SOCK_NOFCS = 20;
export const SOCK_FILTER_LOCKED = 21;
export const SOCK_SELECT_ERR_QUEUE = 22;
export const SOCK_RCU_FREE = 23;
export const SOCK_TXTIME = 24;
export const SOCK_TSTAMP_NEW = 26;
export const SOCK_RCVMARK = 27;
export const SOCK_RCVPRIORITY = 28;
export const SOCK_TIMESTAMPING_ANY = 29;

/** sk_userlocks bits. */
export const SOCK_SNDBUF_LOCK = 1;
export const SOCK_RCVBUF_LOCK = 2;
export const SOCK_BINDADDR_LOCK = 4;
export const SOCK_BINDPORT_LOCK = 8;

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/**
 * include/linux/sched.h MAX_SCHEDULE_TIMEOUT: "no timeout" for sk_rcvtimeo / sk_sndtimeo (kept in
 * milliseconds in ksock). It must stay far above any timeout a user can set: SO_RCVTIMEO of three years
 * reads back as three years in Linux.
 */
export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;

/** include/net/sock.h: the smallest buffers SO_RCVBUF / SO_SNDBUF can set (2 × TCP_SKB_MIN_TRUESIZE). */
export const TCP_SKB_MIN_TRUESIZE = 2048 + 256;
export const SOCK_MIN_SNDBUF = 2 * TCP_SKB_MIN_TRUESIZE;
export const SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE;

/**
 * struct timer_list, as far as socket creation observes it: which function is attached and whether the
 * timer is pending. ksock does not run protocol timers; they are attached so that state can be shown.
 */
export class TimerList {
  function: ((t: TimerList) => void) | null = null;
  expires = 0;
  pending = false;
}

/** Mirrors timer_setup(). */
export function timer_setup(timer: TimerList, fn: (t: TimerList) => void): void {
  timer.function = fn;
  timer.pending = false;
}

/**
 * struct proto: the protocol side of a family (sock allocation and the protocol's own operations).
 * `sk_class` is ksock's stand-in for `obj_size` bytes: the class of the family's own sock (netlink_sock,
 * tcp_sock…), which extends Sock as those structs begin with a struct sock.
 */
export interface Proto {
  readonly name: string;
  owner: Module | null;
  readonly obj_size: number;
  readonly sk_class?: new () => Sock;
  /** Set by proto_register(prot, true): the proto's own kmem_cache. */
  slab?: KmemCache | null;
  /** Set by proto_register(): this proto's slot in every namespace's prot_inuse counters. */
  inuse_idx?: number;
  readonly max_header?: number;
  /** The protocol does not bind a port on its own when sending unbound (TCP); see inet_send_prepare(). */
  readonly no_autobind?: boolean;
  init?(sk: Sock): number;
  close?(sk: Sock, timeout: number): void;
  connect?(sk: Sock, addr: Uint8Array, addrlen: number): number;
  disconnect?(sk: Sock, flags: number): number;
  accept?(sk: Sock, flags: number): Sock | number;
  ioctl?(sk: Sock, cmd: number, arg: number): number;
  destroy?(sk: Sock): void;
  shutdown?(sk: Sock, how: number): void;
  setsockopt?(sk: Sock, level: number, optname: number, optval: Uint8Array): number;
  getsockopt?(
    sk: Sock,
    level: number,
    optname: number,
    optlen: number,
  ): Uint8Array | GetsockoptResult | number;
  sendmsg?(sk: Sock, msg: MsgHdr, len: number): number;
  recvmsg?(sk: Sock, msg: MsgHdr, len: number, flags: number): number;
  bind?(sk: Sock, addr: Uint8Array, addrlen: number): number;
  backlog_rcv?(sk: Sock, skb: unknown): number;
  hash?(sk: Sock): number;
  unhash?(sk: Sock): void;
  get_port?(sk: Sock, snum: number): number;
  enter_memory_pressure?(sk: Sock): void;
  /** Protocol memory accounting (pages), when the protocol keeps it: shown in /proc/net/protocols. */
  memory_allocated?: { value: number };
  memory_pressure?: { value: boolean };
}

/**
 * struct sock fields that only setsockopt() changes and nothing else in ksock reads back: busy polling,
 * pacing, timestamping, transmit time, the UDP checksum switch, reserved memory, rehashing. Kept out of
 * line even from SockRare (Sock.opts is null until one is set).
 */
export class SockOpts {
  sk_no_check_tx = 0;
  sk_ll_usec = 0;
  sk_prefer_busy_poll = 0;
  sk_busy_poll_budget = 0;
  /** sk_max_pacing_rate; -1 stands for ~0UL, "unlimited", the initial value. */
  sk_max_pacing_rate = -1;
  sk_tsflags = 0;
  sk_clockid = 0;
  sk_txtime_deadline_mode = 0;
  sk_txtime_report_errors = 0;
  /** SOCK_TXREHASH_ENABLED: net.core.txrehash's default, which inet_create() copies. */
  sk_txrehash = 1;
  sk_scm_pidfd = 0;
  /** SO_PASSRIGHTS: AF_UNIX sockets accept SCM_RIGHTS unless told not to. */
  sk_scm_rights = 1;
}

/**
 * The struct sock fields that only a socket option, an ICMP error or a local connection changes from
 * their initial value. Kept out of line so that every other sock is that much smaller; Sock's accessors
 * of the same names read the initial value while the sock has none of these set.
 */
class SockRare {
  opts: SockOpts | null = null;
  sk_err_soft = 0;
  sk_reuseport = 0;
  sk_priority = 0;
  sk_mark = 0;
  sk_bound_dev_if = 0;
  sk_lingertime = 0;
  sk_cookie = 0;
  sk_peer_pid = 0;
  sk_peer_cred: Cred | null = null;
}

/**
 * struct sock: the protocol-side half of a socket (include/net/sock.h). Fields keep their kernel names.
 * Families extend it with their own sock (NetlinkSock, InetSock → TcpSock…).
 *
 * The fields are declared here and set in the constructor rather than written as class fields: V8 builds
 * an instance of a derived class markedly faster when its base classes initialise by assignment (the
 * family's own sock, the class sk_alloc() instantiates, keeps plain class fields, as the plugin guide
 * shows). Every field is still set on every sock, in this order, so all socks share one shape.
 */
export class Sock {
  declare sk_family: number;
  declare sk_type: number;
  declare sk_protocol: number;
  declare sk_state: number;
  declare sk_prot: Proto;
  declare sk_prot_creator: Proto;
  declare sk_net: Net;
  /** True for user sockets: the sock holds a reference on its namespace (sk_net_refcnt). */
  declare sk_net_refcnt: boolean;
  declare sk_kern_sock: boolean;
  declare sk_socket: Socket | null;
  declare sk_wq: WaitQueueHead | null;
  declare sk_refcnt: number;
  declare sk_wmem_alloc: number;
  declare sk_rmem_alloc: number;
  declare sk_rcvbuf: number;
  declare sk_sndbuf: number;
  declare sk_receive_queue: SkBuffHead;
  /** Created on first use: most socks never queue a transmit or error buffer (see the getters below). */
  declare private q_write: SkBuffHead | null;
  declare private q_error: SkBuffHead | null;
  declare private timer: TimerList | null;
  declare sk_state_change: (sk: Sock) => void;
  declare sk_data_ready: (sk: Sock) => void;
  declare sk_write_space: (sk: Sock) => void;
  declare sk_error_report: (sk: Sock) => void;
  declare sk_destruct: ((sk: Sock) => void) | null;
  declare sk_uid: number;
  declare sk_flags: number;
  declare sk_userlocks: number;
  declare sk_shutdown: number;
  declare sk_err: number;
  declare sk_reuse: number;
  declare sk_rcvlowat: number;
  /**
   * sk_rcvtimeo / sk_sndtimeo in milliseconds, -1 standing for MAX_SCHEDULE_TIMEOUT (see the accessors):
   * MAX_SCHEDULE_TIMEOUT is no small integer, and a field holding it costs every sock a boxed number.
   */
  declare private rcvtimeo: number;
  declare private sndtimeo: number;
  declare sk_peek_off: number;
  declare sk_drops: number;
  declare sk_ack_backlog: number;
  declare sk_max_ack_backlog: number;
  declare sk_incoming_cpu: number;
  declare sk_pacing_shift: number;
  declare sk_write_pending: number;
  /** The fields few socks ever change (see SockRare), created by the first write of another value. */
  declare private rare: SockRare | null;

  constructor() {
    this.sk_family = 0;
    this.sk_type = 0;
    this.sk_protocol = 0;
    this.sk_state = 0;
    this.sk_prot = null as unknown as Proto;
    this.sk_prot_creator = null as unknown as Proto;
    this.sk_net = null as unknown as Net;
    this.sk_net_refcnt = false;
    this.sk_kern_sock = false;
    this.sk_socket = null;
    this.sk_wq = null;
    this.sk_refcnt = 0;
    this.sk_wmem_alloc = 0;
    this.sk_rmem_alloc = 0;
    this.sk_rcvbuf = 0;
    this.sk_sndbuf = 0;
    this.sk_receive_queue = new SkBuffHead();
    this.q_write = null;
    this.q_error = null;
    this.timer = null;
    this.sk_state_change = sock_def_wakeup;
    this.sk_data_ready = sock_def_readable;
    this.sk_write_space = sock_def_write_space;
    this.sk_error_report = sock_def_error_report;
    this.sk_destruct = null;
    this.sk_uid = 0;
    this.sk_flags = 0;
    this.sk_userlocks = 0;
    this.sk_shutdown = 0;
    this.sk_err = 0;
    this.sk_reuse = 0;
    this.sk_rcvlowat = 0;
    this.rcvtimeo = 0;
    this.sndtimeo = 0;
    this.sk_peek_off = 0;
    this.sk_drops = 0;
    this.sk_ack_backlog = 0;
    this.sk_max_ack_backlog = 0;
    this.sk_incoming_cpu = 0;
    this.sk_pacing_shift = 0;
    this.sk_write_pending = 0;
    this.rare = null;
  }

  private rare_w(): SockRare {
    if (this.rare === null) this.rare = new SockRare();
    return this.rare;
  }

  /** The values only setsockopt() changes (see SockOpts), or null while none is set. */
  get opts(): SockOpts | null {
    return this.rare === null ? null : this.rare.opts;
  }
  /** The same, created on first use: for setsockopt(). */
  opts_w(): SockOpts {
    const rare = this.rare_w();
    if (rare.opts === null) rare.opts = new SockOpts();
    return rare.opts;
  }

  get sk_err_soft(): number {
    return this.rare === null ? 0 : this.rare.sk_err_soft;
  }
  set sk_err_soft(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_err_soft = v;
  }
  get sk_reuseport(): number {
    return this.rare === null ? 0 : this.rare.sk_reuseport;
  }
  set sk_reuseport(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_reuseport = v;
  }
  get sk_priority(): number {
    return this.rare === null ? 0 : this.rare.sk_priority;
  }
  set sk_priority(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_priority = v;
  }
  get sk_mark(): number {
    return this.rare === null ? 0 : this.rare.sk_mark;
  }
  set sk_mark(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_mark = v;
  }
  get sk_bound_dev_if(): number {
    return this.rare === null ? 0 : this.rare.sk_bound_dev_if;
  }
  set sk_bound_dev_if(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_bound_dev_if = v;
  }
  get sk_lingertime(): number {
    return this.rare === null ? 0 : this.rare.sk_lingertime;
  }
  set sk_lingertime(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_lingertime = v;
  }
  get sk_cookie(): number {
    return this.rare === null ? 0 : this.rare.sk_cookie;
  }
  set sk_cookie(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_cookie = v;
  }
  /** The peer's pid (SO_PEERCRED), set by families that connect two local sockets. */
  get sk_peer_pid(): number {
    return this.rare === null ? 0 : this.rare.sk_peer_pid;
  }
  set sk_peer_pid(v: number) {
    if (this.rare !== null || v !== 0) this.rare_w().sk_peer_pid = v;
  }
  /** The peer's credentials (SO_PEERCRED). */
  get sk_peer_cred(): Cred | null {
    return this.rare === null ? null : this.rare.sk_peer_cred;
  }
  set sk_peer_cred(v: Cred | null) {
    if (this.rare !== null || v !== null) this.rare_w().sk_peer_cred = v;
  }

  /** sk_rcvtimeo: how long a receive sleeps (MAX_SCHEDULE_TIMEOUT: no limit). */
  get sk_rcvtimeo(): number {
    return this.rcvtimeo === -1 ? MAX_SCHEDULE_TIMEOUT : this.rcvtimeo;
  }
  set sk_rcvtimeo(ms: number) {
    this.rcvtimeo = ms === MAX_SCHEDULE_TIMEOUT ? -1 : ms;
  }

  /** sk_sndtimeo: how long a send (or a connect) sleeps (MAX_SCHEDULE_TIMEOUT: no limit). */
  get sk_sndtimeo(): number {
    return this.sndtimeo === -1 ? MAX_SCHEDULE_TIMEOUT : this.sndtimeo;
  }
  set sk_sndtimeo(ms: number) {
    this.sndtimeo = ms === MAX_SCHEDULE_TIMEOUT ? -1 : ms;
  }

  /** sk_write_queue: transmit buffers. Allocated when first used, to keep idle socks small. */
  get sk_write_queue(): SkBuffHead {
    if (this.q_write === null) this.q_write = new SkBuffHead();
    return this.q_write;
  }

  /** sk_error_queue: MSG_ERRQUEUE buffers. Allocated when first used. */
  get sk_error_queue(): SkBuffHead {
    if (this.q_error === null) this.q_error = new SkBuffHead();
    return this.q_error;
  }

  /** sk_timer (a protocol's keepalive or similar). Allocated when first used. */
  get sk_timer(): TimerList {
    if (this.timer === null) this.timer = new TimerList();
    return this.timer;
  }

  /** skb_queue_empty_lockless(&sk->sk_error_queue) without creating a queue that was never used. */
  error_queue_empty(): boolean {
    return this.q_error === null || this.q_error.qlen === 0;
  }

  /** skb_queue_purge(&sk->sk_write_queue) without creating a queue that was never used. */
  purge_write_queue(): void {
    if (this.q_write !== null) skb_queue_purge(this.q_write);
  }

  /** skb_queue_purge(&sk->sk_error_queue) without creating a queue that was never used. */
  purge_error_queue(): void {
    if (this.q_error !== null) skb_queue_purge(this.q_error);
  }

  /** ksock: free what the lazily created queues hold without creating them (used by __sk_free). */
  purge_lazy_queues(): void {
    this.purge_write_queue();
    this.purge_error_queue();
  }

  traceLabel(): string {
    return `sock ${this.sk_prot_creator?.name ?? '?'}`;
  }
}

export function sock_flag(sk: Sock, flag: number): boolean {
  return (sk.sk_flags & (1 << flag)) !== 0;
}
export function sock_set_flag(sk: Sock, flag: number): void {
  sk.sk_flags |= 1 << flag;
}
export function sock_reset_flag(sk: Sock, flag: number): void {
  sk.sk_flags &= ~(1 << flag);
}
export function sock_valbool_flag(sk: Sock, flag: number, on: boolean): void {
  if (on) sock_set_flag(sk, flag);
  else sock_reset_flag(sk, flag);
}

/**
 * Mirrors sock_poll_wait() (include/net/sock.h): a socket's poll registers on the socket's wait queue,
 * the one sk_data_ready, sk_state_change, sk_write_space and sk_error_report wake.
 */
export function sock_poll_wait(file: File, sock: Socket, p: PollTable | null): void {
  poll_wait(file, sock.wq, p);
}

/** Mirrors sock_net(). */
export function sock_net(sk: Sock): Net {
  return sk.sk_net;
}

const POLL_KEY_READABLE = EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND;
const POLL_KEY_WRITABLE = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

/** Mirrors sock_def_wakeup(): state changed, wake every sleeper (wake_up_interruptible_all: no key). */
export function sock_def_wakeup(sk: Sock): void {
  sk.sk_wq?.wake_up();
}
/** Mirrors sock_def_readable(): data arrived, wake readers (key EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND). */
export function sock_def_readable(sk: Sock): void {
  sk.sk_wq?.wake_up(POLL_KEY_READABLE);
}
/**
 * Mirrors sock_def_write_space(): buffer space freed, wake writers (key EPOLLOUT | EPOLLWRNORM |
 * EPOLLWRBAND). Linux wakes only once sock_writeable() holds; ksock wakes on every call, and the woken
 * re-check.
 */
export function sock_def_write_space(sk: Sock): void {
  sk.sk_wq?.wake_up(POLL_KEY_WRITABLE);
}
/** Mirrors sock_def_error_report(): sk_err was set (key EPOLLERR). */
export function sock_def_error_report(sk: Sock): void {
  sk.sk_wq?.wake_up(EPOLLERR);
}

/**
 * Mirrors sk_alloc() (net/core/sock.c): a zeroed sock of the protocol's size, a reference on the
 * protocol's module, family and proto recorded, a namespace reference for user sockets.
 * Fault-injectable as 'sk_alloc' (the allocation fails: NULL).
 */
export let sk_alloc = function sk_alloc(net: Net, family: number, prot: Proto, kern: boolean): Sock | null {
  const kernel = net.kernel;
  if (kernel.faults.should_fail('sk_alloc')) return null;
  const sk = prot.sk_class !== undefined ? new prot.sk_class() : new Sock();
  if (!try_module_get(prot.owner)) return null;
  prot.slab?.alloc();
  kernel.sk_allocated++;
  sk.sk_family = family;
  sk.sk_prot = sk.sk_prot_creator = prot;
  sk.sk_kern_sock = kern;
  sk.sk_net = net;
  sk.sk_net_refcnt = !kern;
  if (!kern) {
    get_net(net);
    sock_inuse_add(net, 1);
  }
  sk.sk_wmem_alloc = 1;
  return sk;
};
const fmt_sk_alloc: Fmt<typeof sk_alloc> = (_net, family, prot, kern) =>
  `family=${family}, prot=${prot.name}, kern=${kern ? 1 : 0}`;

/**
 * Mirrors sock_init_data() / sock_init_data_uid(): the generic defaults every sock starts with, and the
 * socket ↔ sock link.
 */
export let sock_init_data = function sock_init_data(sock: Socket | null, sk: Sock): void {
  const kernel = sk.sk_net.kernel;
  sk.sk_rcvbuf = kernel.sysctl_rmem_default;
  sk.sk_sndbuf = kernel.sysctl_wmem_default;
  sk.sk_state = TCP_CLOSE;
  sock_set_flag(sk, SOCK_ZAPPED);
  sk.sk_socket = sock;
  if (sock !== null) {
    sk.sk_type = sock.type;
    sk.sk_wq = sock.wq;
    sock.sk = sk;
    sk.sk_uid = sock.inode.i_uid;
  } else {
    sk.sk_wq = null;
    sk.sk_uid = 0;
  }
  sk.sk_state_change = sock_def_wakeup;
  sk.sk_data_ready = sock_def_readable;
  sk.sk_write_space = sock_def_write_space;
  sk.sk_error_report = sock_def_error_report;
  sk.sk_destruct = null;
  sk.sk_peek_off = -1;
  sk.sk_write_pending = 0;
  sk.sk_rcvlowat = 1;
  sk.sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
  sk.sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
  sk.sk_pacing_shift = 10;
  sk.sk_incoming_cpu = -1;
  sk.sk_refcnt = 1;
  sk.sk_drops = 0;
};
const fmt_sock_init_data: Fmt<typeof sock_init_data> = (_sock, sk) => sk.sk_prot_creator.name;

/**
 * Mirrors sock_hold() (refcount_inc()). A reference taken on a sock whose count already reached zero —
 * one that was freed, or is being — is refcount_t's "addition on 0" warning (lib/refcount.c): printed to
 * the kernel log, the kernel tainted (TAINT_WARN), and the count left at zero (Linux saturates it) so
 * that nothing frees the sock a second time.
 */
export function sock_hold(sk: Sock): void {
  if (sk.sk_refcnt === 0) refcount_warn_saturate(sk, 'addition on 0; use-after-free.');
  else sk.sk_refcnt++;
}

/**
 * Mirrors sock_put() (refcount_dec_and_test()): the last reference frees the sock. A put on a count
 * already at zero is refcount_t's "underflow" warning, and frees nothing.
 */
export function sock_put(sk: Sock): void {
  if (sk.sk_refcnt === 0) refcount_warn_saturate(sk, 'underflow; use-after-free.');
  else if (--sk.sk_refcnt === 0) sk_free(sk);
}

/** Mirrors refcount_warn_saturate() (lib/refcount.c): the warning, naming the sock's protocol. */
function refcount_warn_saturate(sk: Sock, what: string): void {
  __warn(sk.sk_net.kernel, 'lib/refcount.c refcount_warn_saturate()', `refcount_t: ${what}`);
  sk.sk_net.kernel.printk(`  (sk_refcnt of a ${sk.sk_prot_creator?.name ?? '?'} sock)`);
}

/**
 * Mirrors sk_free(): drop the sk_wmem_alloc bias; when no transmit buffer is in flight, __sk_free():
 * namespace counters, the family's destructor, the queues, the proto's module reference.
 */
export function sk_free(sk: Sock): void {
  if (--sk.sk_wmem_alloc === 0) __sk_free(sk);
}

/**
 * Mirrors sock_wfree(): the destructor skb_set_owner_w() installs. The space comes back (waking writers
 * through sk_write_space); if the owner already called sk_free(), the last buffer finishes the free.
 */
export function sock_wfree(skb: SkBuff): void {
  const sk = skb.sk;
  if (sk === null) return;
  sk.sk_wmem_alloc -= skb.truesize - 1;
  sk.sk_write_space(sk);
  if (--sk.sk_wmem_alloc === 0) __sk_free(sk);
}

/** Mirrors skb_set_owner_w(): charge a buffer being sent to the sender's write budget (sk_wmem_alloc). */
export function skb_set_owner_w(skb: SkBuff, sk: Sock): void {
  skb_orphan(skb);
  skb.sk = sk;
  skb.destructor = sock_wfree;
  sk.sk_wmem_alloc += skb.truesize;
}

/**
 * Mirrors sock_writeable() (include/net/sock.h): less than half the send buffer is in flight, so a
 * datagram send will not sleep.
 */
export function sock_writeable(sk: Sock): boolean {
  return sk.sk_wmem_alloc < sk.sk_sndbuf >> 1;
}

/** Mirrors sk_wmem_alloc_get(): bytes of transmit buffers in flight (without the bias). */
export function sk_wmem_alloc_get(sk: Sock): number {
  return sk.sk_wmem_alloc - 1;
}

/** Mirrors sock_error() (include/net/sock.h): the pending error, cleared by reading it. */
export function sock_error(sk: Sock): number {
  const err = sk.sk_err;
  sk.sk_err = 0;
  return -err;
}

/**
 * Mirrors sock_alloc_send_pskb() (net/core/sock.c): a buffer for a message being sent, charged to the
 * sender's send budget. In Linux's order: a pending socket error (sock_error()), a send side shut down
 * (EPIPE), then room — while sk_wmem_alloc_get(sk) >= sk_sndbuf, SOCK_NOSPACE is set on the socket and
 * the call sleeps in sock_wait_for_wmem() until sk_sndtimeo passes; then the allocation
 * (alloc_skb_with_frags(), fault-injectable as 'sock_alloc_send_pskb': ENOBUFS) and skb_set_owner_w().
 *
 * ksock's sleep is the syscall's: with no room a blocking call names sk_wq as the queue to wait on
 * (`current().blocked_on`) and returns -EAGAIN, and the awaitable syscall forms sleep there until
 * sock_wfree() wakes writers or SO_SNDTIMEO passes (see Task); `noblock` (MSG_DONTWAIT or O_NONBLOCK)
 * answers -EAGAIN at once. Returns the buffer or a negative errno (Linux returns NULL and sets *errcode).
 *
 * The buffer comes back empty, as Linux's does before skb_put(): its truesize is what a linear part of
 * `header_len` bytes (alloc_skb_truesize) and `data_len` bytes of page fragments cost, and the caller puts
 * the message in (`skb.data = memcpy_from_msg(msg)`).
 */
export let sock_alloc_send_pskb = function sock_alloc_send_pskb(
  sk: Sock,
  header_len: number,
  data_len: number,
  noblock: boolean,
): SkBuff | number {
  const err = sock_error(sk);
  if (err !== 0) return err;
  if ((sk.sk_shutdown & SEND_SHUTDOWN) !== 0) return -EPIPE;
  if (sk_wmem_alloc_get(sk) >= sk.sk_sndbuf) {
    const sock = sk.sk_socket;
    if (sock !== null) sock.flags |= 1 << SOCK_NOSPACE;
    // sock_wait_for_wmem(): sleep on the sock's wait queue until sock_wfree() makes room.
    if (!noblock) current().blocked_on = sk.sk_wq;
    return -EAGAIN;
  }
  if (sk.sk_net.kernel.faults.should_fail('sock_alloc_send_pskb')) return -ENOBUFS;
  const skb = new SkBuff(NO_DATA, alloc_skb_truesize(header_len) + data_len);
  skb_set_owner_w(skb, sk);
  return skb;
};
const fmt_sock_alloc_send_pskb: Fmt<typeof sock_alloc_send_pskb> = (_sk, header_len, data_len, noblock) =>
  `header_len=${header_len}, data_len=${data_len}, noblock=${noblock ? 1 : 0}`;

/** Mirrors sock_alloc_send_skb(): sock_alloc_send_pskb() with every byte in the linear part. */
export function sock_alloc_send_skb(sk: Sock, size: number, noblock: boolean): SkBuff | number {
  return sock_alloc_send_pskb(sk, size, 0, noblock);
}

const NO_DATA = new Uint8Array(0);

let __sk_free = function __sk_free(sk: Sock): void {
  const net = sk.sk_net;
  if (sk.sk_net_refcnt) sock_inuse_add(net, -1);
  if (sk.sk_destruct !== null) sk.sk_destruct(sk);
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_lazy_queues();
  if (sk.sk_net_refcnt) put_net(net);
  // sk_prot_free(): memory back to the proto's cache, then the module reference sk_alloc took.
  const prot = sk.sk_prot_creator;
  prot.slab?.free();
  net.kernel.sk_allocated--;
  module_put(prot.owner);
};
const fmt___sk_free: Fmt<typeof __sk_free> = (sk) => sk.sk_prot_creator.name;

/** Mirrors sock_orphan(): the socket is going away; the sock lives on, unattached. */
export function sock_orphan(sk: Sock): void {
  sock_set_flag(sk, SOCK_DEAD);
  sk.sk_socket = null;
  sk.sk_wq = null;
}

/** Mirrors sk_common_release(): what UDP, raw and ping do on close. */
export function sk_common_release(sk: Sock): void {
  sk.sk_prot.destroy?.(sk);
  sk.sk_prot.unhash?.(sk);
  sock_orphan(sk);
  sock_put(sk);
}

/**
 * include/net/sock.h PROTO_INUSE_NR: the size of each namespace's prot_inuse array. The last slot is
 * never handed out (assign_proto_idx() treats reaching it as exhaustion).
 */
export const PROTO_INUSE_NR = 64;

/** Mirrors assign_proto_idx(): the lowest free prot_inuse slot, ENOSPC when none is left. */
function assign_proto_idx(kernel: Kernel, prot: Proto): number {
  const used = kernel.proto_inuse_idx;
  let idx = 0;
  while (used[idx] !== 0) idx++;
  prot.inuse_idx = idx;
  if (idx === PROTO_INUSE_NR - 1) {
    kernel.printk('PROTO_INUSE_NR exhausted');
    return -ENOSPC;
  }
  used[idx] = 1;
  return 0;
}

/** Mirrors release_proto_idx(): the last slot was never taken (it marks a failed assignment). */
function release_proto_idx(kernel: Kernel, prot: Proto): void {
  if (prot.inuse_idx !== undefined && prot.inuse_idx !== PROTO_INUSE_NR - 1)
    kernel.proto_inuse_idx[prot.inuse_idx] = 0;
}

/**
 * Mirrors proto_register(prot, alloc_slab): optionally a kmem_cache named after the protocol, a
 * prot_inuse slot (assign_proto_idx), and an entry in the list /proc/net/protocols prints (newest first).
 */
export function proto_register(kernel: Kernel, prot: Proto, alloc_slab = false): number {
  if (alloc_slab) {
    if (kernel.faults.should_fail('proto_register')) return -ENOBUFS; // kmem_cache_create() failed
    prot.slab = kernel.kmem_cache_create(prot.name, prot.obj_size);
  }
  const err = assign_proto_idx(kernel, prot);
  if (err !== 0) {
    if (prot.slab) {
      kernel.kmem_cache_destroy(prot.slab);
      prot.slab = null;
    }
    return err;
  }
  kernel.proto_list.unshift(prot);
  return 0;
}

/** Mirrors proto_unregister(). */
export function proto_unregister(kernel: Kernel, prot: Proto): void {
  release_proto_idx(kernel, prot);
  const i = kernel.proto_list.indexOf(prot);
  if (i >= 0) kernel.proto_list.splice(i, 1);
  if (prot.slab) {
    kernel.kmem_cache_destroy(prot.slab);
    prot.slab = null;
  }
}

/**
 * Mirrors sock_prot_inuse_add(): the per-namespace "sockets" column of /proc/net/protocols, indexed by
 * the slot proto_register() gave the proto.
 */
export function sock_prot_inuse_add(net: Net, prot: Proto, val: number): void {
  net.prot_inuse[prot.inuse_idx!]! += val;
}

/** Mirrors sock_prot_inuse_get(). */
export function sock_prot_inuse_get(net: Net, prot: Proto): number {
  return net.prot_inuse[prot.inuse_idx!]!;
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(sk_alloc, 'sk_alloc', fmt_sk_alloc, (f) => {
  sk_alloc = f;
});
tracepoint(sock_init_data, 'sock_init_data', fmt_sock_init_data, (f) => {
  sock_init_data = f;
});
tracepoint(sock_alloc_send_pskb, 'sock_alloc_send_pskb', fmt_sock_alloc_send_pskb, (f) => {
  sock_alloc_send_pskb = f;
});
tracepoint(__sk_free, '__sk_free', fmt___sk_free, (f) => {
  __sk_free = f;
});
