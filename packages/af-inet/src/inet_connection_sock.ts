/**
 * struct inet_connection_sock and the port/listen helpers of net/ipv4/inet_connection_sock.c and
 * inet_hashtables.c: bind buckets, bind conflicts, ephemeral port choice, listen start/stop, hashing, the
 * listener lookup and inet_csk_accept().
 */

import { EADDRINUSE, EAGAIN, EINVAL, TCP_CLOSE, TCP_LISTEN, TCP_TIME_WAIT } from '@ksock/core';
import type { Sock } from '@ksock/core/kernel';
import {
  call_ops,
  type Fmt,
  get_random_u32_below,
  SkBuffHead,
  sock_prot_inuse_add,
  TimerList,
  tracepoint,
  tracing,
} from '@ksock/core/kernel';
import { inet_bound_dev_eq, local_iif } from './fib.js';
import { InetSock, inet_sk } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';

/** struct inet_connection_sock_af_ops: the address-family half of a connection socket (ipv4_specific). */
export interface InetConnectionSockAfOps {
  readonly name: string;
  readonly net_header_len: number;
  setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number;
  getsockopt(sk: Sock, level: number, optname: number, optlen: number): Uint8Array | number;
}

/** struct tcp_congestion_ops, as far as a socket observes it: the algorithm's name. */
export interface TcpCongestionOps {
  readonly name: string;
  readonly key: number;
}

/** struct inet_connection_sock. Fields set in the constructor, as in Sock (a base class of TcpSock). */
export class InetConnectionSock extends InetSock {
  declare icsk_af_ops: InetConnectionSockAfOps | null;
  declare icsk_ca_ops: TcpCongestionOps | null;
  declare readonly icsk_retransmit_timer: TimerList;
  declare readonly icsk_delack_timer: TimerList;
  /** The accept queue (request_sock_queue): children ready for accept(). */
  declare readonly icsk_accept_queue: SkBuffHead;
  declare readonly icsk_accept_list: Sock[];
  /** Set while the socket owns a port in the bind hash (icsk_bind_hash). */
  declare icsk_bind_hash: boolean;
  /** In milliseconds (Linux: jiffies). */
  declare icsk_rto: number;
  declare icsk_rto_min: number;
  declare icsk_rto_max: number;
  declare icsk_delack_max: number;
  declare icsk_pmtu_cookie: number;
  declare icsk_ca_state: number;
  declare icsk_retransmits: number;
  declare icsk_backoff: number;
  declare icsk_probes_out: number;
  declare icsk_syn_retries: number;
  declare icsk_ack_ato: number;
  declare icsk_ack_rcv_mss: number;
  declare icsk_ack_quick: number;
  declare icsk_ack_pingpong: number;
  declare icsk_ack_lrcvtime: number;

  constructor() {
    super();
    this.icsk_af_ops = null;
    this.icsk_ca_ops = null;
    this.icsk_retransmit_timer = new TimerList();
    this.icsk_delack_timer = new TimerList();
    this.icsk_accept_queue = new SkBuffHead();
    this.icsk_accept_list = [];
    this.icsk_bind_hash = false;
    this.icsk_rto = 0;
    this.icsk_rto_min = 0;
    this.icsk_rto_max = 0;
    this.icsk_delack_max = 0;
    this.icsk_pmtu_cookie = 0;
    this.icsk_ca_state = 0;
    this.icsk_retransmits = 0;
    this.icsk_backoff = 0;
    this.icsk_probes_out = 0;
    this.icsk_syn_retries = 0;
    this.icsk_ack_ato = 0;
    this.icsk_ack_rcv_mss = 0;
    this.icsk_ack_quick = 0;
    this.icsk_ack_pingpong = 0;
    this.icsk_ack_lrcvtime = 0;
  }
}

export function inet_csk(sk: Sock): InetConnectionSock {
  return sk as InetConnectionSock;
}

/** Mirrors inet_rcv_saddr_equal(sk, sk2, match_wildcard = true): the same address, or either is ANY. */
export function inet_rcv_saddr_equal(sk: InetSock, sk2: InetSock, match_wildcard: boolean): boolean {
  if (sk.inet_rcv_saddr === sk2.inet_rcv_saddr) return true;
  return match_wildcard && (sk.inet_rcv_saddr === 0 || sk2.inet_rcv_saddr === 0);
}

/** sock_i_uid(): the owning socket inode's uid. */
export function sock_i_uid(sk: Sock): number {
  return sk.sk_socket !== null ? sk.sk_socket.inode.i_uid : sk.sk_uid;
}

/**
 * Mirrors inet_bind_conflict() + inet_rcv_saddr_equal() as inet_csk_bind_conflict() uses them for bind()
 * (relax = true, reuseport_ok = true): SO_REUSEADDR on both sides lets non-listening sockets share a
 * port; otherwise SO_REUSEPORT on both with the same owner uid does.
 */
function inet_bind_conflict(sk: InetSock, sk2: InetSock, uid: number): boolean {
  if (sk === sk2) return false;
  const dev2 = sk2.sk_bound_dev_if;
  if (sk.sk_bound_dev_if !== 0 && dev2 !== 0 && sk.sk_bound_dev_if !== dev2) return false;
  if (sk.sk_reuse !== 0 && sk2.sk_reuse !== 0 && sk2.sk_state !== TCP_LISTEN) return false;
  if (
    sk.sk_reuseport !== 0 &&
    sk2.sk_reuseport !== 0 &&
    (sk2.sk_state === TCP_TIME_WAIT || uid === sock_i_uid(sk2))
  )
    return false;
  return true;
}

export function inet_csk_bind_conflict(sk: InetSock, owners: readonly InetSock[]): boolean {
  const uid = sock_i_uid(sk);
  for (const sk2 of owners) {
    if (inet_bind_conflict(sk, sk2, uid) && inet_rcv_saddr_equal(sk, sk2, true)) return true;
  }
  return false;
}

/**
 * Mirrors inet_sk_get_local_port_range(): net.ipv4.ip_local_port_range, narrowed by the socket's
 * IP_LOCAL_PORT_RANGE where each of its bounds lies inside it.
 */
export function inet_get_local_port_range(sk: Sock): [number, number] {
  const ports = ipv4(sk.sk_net).ip_local_ports;
  const range = inet_sk(sk).local_port_range;
  if (range === 0) return ports;
  let [lo, hi] = ports;
  const sk_lo = range & 0xffff;
  const sk_hi = range >>> 16;
  if (lo <= sk_lo && sk_lo <= hi) lo = sk_lo;
  if (lo <= sk_hi && sk_hi <= hi) hi = sk_hi;
  return [lo, hi];
}

function inet_bind_hash(sk: InetSock, port: number, bhash: Map<number, InetSock[]>): void {
  let owners = bhash.get(port);
  if (owners === undefined) {
    owners = [];
    bhash.set(port, owners);
  }
  owners.push(sk);
  sk.inet_num = port;
  (sk as InetConnectionSock).icsk_bind_hash = true;
}

/**
 * Mirrors inet_csk_get_port(): a given port is taken unless it conflicts (non-zero = EADDRINUSE);
 * port 0 searches ip_local_port_range from a random offset, odd ports first (inet_csk_find_open_port
 * leaves even ones to connect()), then even ones.
 */
export let inet_csk_get_port = function inet_csk_get_port(sk: Sock, snum: number): number {
  const isk = inet_sk(sk);
  const bhash = ipv4(sk.sk_net).tcp_bhash;
  if (snum === 0) return inet_csk_find_open_port(sk, 1) === 0 ? 1 : 0;
  const owners = bhash.get(snum);
  if (owners !== undefined && owners.length > 0 && inet_csk_bind_conflict(isk, owners)) return 1;
  if (owners?.includes(isk)) return 0; // listen() after bind(): already ours
  inet_bind_hash(isk, snum, bhash);
  return 0;
};
const fmt_inet_csk_get_port: Fmt<typeof inet_csk_get_port> = (_sk, snum) => `snum=${snum}`;

/**
 * Mirrors inet_csk_find_open_port() (parity 1: bind() takes odd ports first) and the search of
 * __inet_hash_connect() (parity 0: connect() takes even ones first): from a random offset in
 * ip_local_port_range, the first port without a conflict is taken. Returns the port, or 0.
 */
export function inet_csk_find_open_port(sk: Sock, parity_first: number): number {
  const isk = inet_sk(sk);
  const bhash = ipv4(sk.sk_net).tcp_bhash;
  const [low, high] = inet_get_local_port_range(sk);
  const remaining = high - low + 1;
  const offset = get_random_u32_below(sk.sk_net.kernel, remaining);
  for (let pass = 0; pass < 2; pass++) {
    const parity = pass === 0 ? parity_first : 1 - parity_first;
    for (let i = 0; i < remaining; i++) {
      const port = low + ((offset + i) % remaining);
      if ((port & 1) !== parity) continue;
      const owners = bhash.get(port);
      if (owners === undefined || !inet_csk_bind_conflict(isk, owners)) {
        inet_bind_hash(isk, port, bhash);
        return port;
      }
    }
  }
  return 0;
}

/** Mirrors __inet_inherit_port(): an accepted child shares its listener's bind bucket. */
export function inet_inherit_port(listener: Sock, child: Sock): void {
  inet_bind_hash(inet_sk(child), inet_sk(listener).inet_num, ipv4(child.sk_net).tcp_bhash);
}

/** Mirrors inet_put_port(): leave the bind bucket; an empty bucket is freed. */
export let inet_put_port = function inet_put_port(sk: Sock): void {
  const isk = inet_csk(sk);
  if (!isk.icsk_bind_hash) return;
  const bhash = ipv4(sk.sk_net).tcp_bhash;
  const owners = bhash.get(isk.inet_num);
  if (owners !== undefined) {
    const i = owners.indexOf(isk);
    if (i >= 0) owners.splice(i, 1);
    if (owners.length === 0) bhash.delete(isk.inet_num);
  }
  isk.icsk_bind_hash = false;
  isk.inet_num = 0;
};

/** Mirrors inet_hash(): a listening socket goes into the listening hash and counts as in use. */
export let inet_hash = function inet_hash(sk: Sock): number {
  if (sk.sk_state === TCP_CLOSE) return 0;
  const t = ipv4(sk.sk_net);
  const list = sk.sk_state === TCP_LISTEN ? t.tcp_listening : t.tcp_established;
  list.push(inet_sk(sk));
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, 1);
  return 0;
};

/** Mirrors inet_unhash(). */
export let inet_unhash = function inet_unhash(sk: Sock): void {
  const t = ipv4(sk.sk_net);
  const isk = inet_sk(sk);
  for (const list of [t.tcp_listening, t.tcp_established]) {
    const i = list.indexOf(isk);
    if (i >= 0) {
      list.splice(i, 1);
      sock_prot_inuse_add(sk.sk_net, sk.sk_prot, -1);
      return;
    }
  }
};

/**
 * Mirrors inet_csk_listen_start(): empty accept queue, delayed-ACK state reset, state LISTEN, the port
 * taken (or re-checked), hashed. On failure the state goes back to CLOSE and EADDRINUSE is returned.
 */
export let inet_csk_listen_start = function inet_csk_listen_start(sk: Sock): number {
  const isk = inet_csk(sk);
  isk.icsk_accept_list.length = 0;
  sk.sk_ack_backlog = 0;
  // inet_csk_delack_init(): the delayed-ACK state starts over (TCP_QUICKACK reads 1 again).
  isk.icsk_ack_pingpong = 0;
  sk.sk_state = TCP_LISTEN;
  if (
    (tracing
      ? call_ops(sk.sk_prot.get_port!, 'sk_prot->get_port', sk, isk.inet_num)
      : sk.sk_prot.get_port!(sk, isk.inet_num)) === 0
  ) {
    isk.inet_sport = isk.inet_num;
    const err = tracing ? call_ops(sk.sk_prot.hash!, 'sk_prot->hash', sk) : sk.sk_prot.hash!(sk);
    if (err === 0) return 0;
    sk.sk_state = TCP_CLOSE;
    return err;
  }
  sk.sk_state = TCP_CLOSE;
  return -EADDRINUSE;
};

/**
 * Mirrors __inet_lookup_listener() for a SYN from `sk` to daddr:dport: listeners on the exact address are
 * looked up before those on INADDR_ANY; one bound to another device than the SYN arrives on is skipped,
 * and one bound to that device outranks an unbound one (compute_score()). The first best wins.
 */
export function inet_lookup_listener(sk: Sock, daddr: number, dport: number): InetConnectionSock | null {
  const dif = local_iif(sk);
  let best: InetConnectionSock | null = null;
  let best_score = 0;
  for (const l of ipv4(sk.sk_net).tcp_listening) {
    if (l.inet_num !== dport || l.sk_state !== TCP_LISTEN) continue;
    if (l.inet_rcv_saddr !== daddr && l.inet_rcv_saddr !== 0) continue;
    if (!inet_bound_dev_eq(l.sk_bound_dev_if, dif)) continue;
    const score = (l.inet_rcv_saddr === daddr ? 4 : 0) + (l.sk_bound_dev_if !== 0 ? 2 : 1);
    if (score > best_score) {
      best = l as InetConnectionSock;
      best_score = score;
    }
  }
  return best;
}

/** Mirrors inet_csk_reqsk_queue_is_full(): more than the backlog waiting to be accepted. */
export function inet_csk_reqsk_queue_is_full(l: Sock): boolean {
  return l.sk_ack_backlog > l.sk_max_ack_backlog;
}

/** Mirrors inet_csk_accept(): EINVAL unless listening; EAGAIN while the queue is empty; the oldest child. */
export let inet_csk_accept = function inet_csk_accept(sk: Sock, _flags: number): Sock | number {
  if (sk.sk_state !== TCP_LISTEN) return -EINVAL;
  const q = inet_csk(sk).icsk_accept_list;
  const child = q.shift();
  if (child === undefined) return -EAGAIN;
  sk.sk_ack_backlog--;
  // Connectors whose SYN was dropped while the queue was full may retry now.
  sk.sk_wq?.wake_up();
  return child;
};
const fmt_inet_csk_accept: Fmt<typeof inet_csk_accept> = (_sk, flags) => `flags=0x${flags.toString(16)}`;

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(inet_csk_get_port, 'inet_csk_get_port', fmt_inet_csk_get_port, (f) => {
  inet_csk_get_port = f;
});
tracepoint(inet_put_port, 'inet_put_port', undefined, (f) => {
  inet_put_port = f;
});
tracepoint(inet_hash, 'inet_hash', undefined, (f) => {
  inet_hash = f;
});
tracepoint(inet_unhash, 'inet_unhash', undefined, (f) => {
  inet_unhash = f;
});
tracepoint(inet_csk_listen_start, 'inet_csk_listen_start', undefined, (f) => {
  inet_csk_listen_start = f;
});
tracepoint(inet_csk_accept, 'inet_csk_accept', fmt_inet_csk_accept, (f) => {
  inet_csk_accept = f;
});
