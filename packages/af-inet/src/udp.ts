/**
 * UDP over IPv4: mirrors udp_init_sock() / udp_lib_init_sock(), udp_v4_get_port() → udp_lib_get_port(),
 * udp_lib_unhash(), udp_lib_close(), udp_sendmsg() / udp_recvmsg() (net/ipv4/udp.c). Datagrams are
 * delivered between ksock sockets of the same namespace when the destination is a local address; ksock
 * has no route to anywhere else (ENETUNREACH).
 */
import {
  AF_INET,
  AF_UNSPEC,
  EAFNOSUPPORT,
  EAGAIN,
  ECONNREFUSED,
  EDESTADDRREQ,
  EINVAL,
  EMSGSIZE,
  ENOBUFS,
  ENOPROTOOPT,
  EOPNOTSUPP,
  EPIPE,
  EPOLLIN,
  EPOLLRDNORM,
  MSG_ERRQUEUE,
  MSG_MORE,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  SIOCINQ,
  SIOCOUTQ,
  SOL_SOCKET,
  SOL_UDP,
  TCP_CLOSE,
  TCP_ESTABLISHED,
} from '@ksock/core';
import type { Fmt, Module, MsgHdr, Proto, Sock } from '@ksock/core/kernel';
import {
  call_ops,
  datagram_poll,
  ENOIOCTLCMD,
  type File,
  get_random_u32_below,
  int_bytes,
  kfree_skb,
  memcpy_from_msg,
  type PollTable,
  read_int,
  SEND_SHUTDOWN,
  SkBuff,
  SkBuffHead,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  SOCK_CUSTOM_SOCKOPT,
  SOCK_SUPPORT_ZC,
  type Socket,
  sk_common_release,
  skb_copy_datagram_msg,
  skb_free_datagram,
  skb_queue_purge,
  skb_recv_datagram,
  sock_error,
  sock_hold,
  sock_prot_inuse_add,
  sock_put,
  sock_queue_rcv_skb,
  sock_setsockopt,
  tracepoint,
  tracing,
} from '@ksock/core/kernel';
import {
  inet_addr_type,
  inet_bound_dev_eq,
  ip_route_output_dgram,
  local_iif,
  RTN_BROADCAST,
  RTN_LOCAL,
} from './fib.js';
import { inet_get_local_port_range, sock_i_uid } from './inet_connection_sock.js';
import { InetSock, inet_sk, inet_sock_destruct } from './inet_sock.js';
import { type IpRecvInfo, ip_cmsg_recv, ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
import { ipv4 } from './netns_ipv4.js';
import * as IN from './uapi/in.js';

/** UDPLITE_BIT (include/net/udplite.h): the pcflag of a UDP-Lite socket. */
const UDPLITE_BIT = 0x1;
/** sizeof(struct udphdr) + sizeof(struct iphdr): the largest UDP payload is 65535 - 28. */
const UDP_MAX_PAYLOAD = 65535 - 28;

export class UdpSock extends InetSock {
  readonly reader_queue = new SkBuffHead();
  forward_threshold = 0;
  /** udp_flags: UDP_CORK, UDP_NO_CHECK6_TX/RX, UDP_GRO… as the UDP_FLAGS_* bits below. */
  udp_flags = 0;
  /** UDP_SEGMENT. */
  gso_size = 0;
  /** UDP-Lite checksum coverage (UDPLITE_SEND_CSCOV, UDPLITE_RECV_CSCOV); 0: the whole datagram. */
  pcslen = 0;
  pcrlen = 0;
  /** The datagram being corked (MSG_MORE, UDP_CORK): up->pending with inet->cork's flow. */
  pending: UdpPending | null = null;
  encap_type = 0;
  /** UDPLITE_BIT for UDP-Lite sockets. */
  pcflag = 0;
  /** Hashed in the udp table (sk_hashed). */
  udp_hashed = false;
}

/** A corked datagram: where it goes (fixed by its first send) and the bytes appended so far. */
interface UdpPending {
  saddr: number;
  daddr: number;
  dport: number;
  parts: Uint8Array[];
  /** Bytes appended (up->len without the UDP header). */
  len: number;
}

/**
 * What a datagram carries past the socket layer (skb->cb for ksock's loopback delivery): its IP and UDP
 * header fields and the route it arrived by, as ip_cmsg_recv_offset() reads them.
 */
export type UdpCb = IpRecvInfo;

/** The port table of the socket's protocol (sk->sk_prot->h.udp_table): UDP's or UDP-Lite's. */
export function udp_table_of(sk: Sock): Map<number, InetSock[]> {
  const t = ipv4(sk.sk_net);
  return sk.sk_protocol === IN.IPPROTO_UDPLITE ? t.udplite_table : t.udp_table;
}

/** Mirrors udp_lib_init_sock() + udp_init_sock(). */
export let udp_init_sock = function udp_init_sock(sk: Sock): number {
  const up = sk as UdpSock;
  skb_queue_purge(up.reader_queue);
  up.forward_threshold = sk.sk_rcvbuf >> 2;
  if (sk.sk_socket !== null) sk.sk_socket.flags |= (1 << SOCK_CUSTOM_SOCKOPT) | (1 << SOCK_SUPPORT_ZC);
  sk.sk_destruct = udp_destruct_sock;
  return 0;
};

/** Mirrors udp_destruct_sock(): the reader queue, then inet_sock_destruct(). */
export function udp_destruct_sock(sk: Sock): void {
  skb_queue_purge((sk as UdpSock).reader_queue);
  inet_sock_destruct(sk);
}

/** Mirrors udp_lib_lport_inuse(): another socket on the port whose address overlaps, unless both
 * set SO_REUSEADDR, or both SO_REUSEPORT with the same owner. */
function udp_lib_lport_inuse(sk: InetSock, owners: readonly InetSock[] | undefined): boolean {
  if (owners === undefined) return false;
  const uid = sock_i_uid(sk);
  for (const sk2 of owners) {
    if (sk2 === sk) continue;
    if (sk2.sk_reuse !== 0 && sk.sk_reuse !== 0) continue;
    if (sk2.sk_bound_dev_if !== 0 && sk.sk_bound_dev_if !== 0 && sk2.sk_bound_dev_if !== sk.sk_bound_dev_if)
      continue;
    const overlap =
      sk.inet_rcv_saddr === sk2.inet_rcv_saddr || sk.inet_rcv_saddr === 0 || sk2.inet_rcv_saddr === 0;
    if (!overlap) continue;
    if (sk2.sk_reuseport !== 0 && sk.sk_reuseport !== 0 && uid === sock_i_uid(sk2)) continue;
    return true;
  }
  return false;
}

/**
 * Mirrors udp_lib_get_port(): 0 = bound and hashed (with a reference, and counted in use), 1 = in use.
 * Port 0 searches ip_local_port_range from a random start.
 */
export let udp_v4_get_port = function udp_v4_get_port(sk: Sock, snum: number): number {
  const isk = inet_sk(sk);
  const table = udp_table_of(sk);
  if (snum === 0) {
    const [low, high] = inet_get_local_port_range(sk);
    const remaining = high - low + 1;
    const first = get_random_u32_below(sk.sk_net.kernel, remaining);
    let found = 0;
    for (let i = 0; i < remaining; i++) {
      const port = low + ((first + i) % remaining);
      if (!udp_lib_lport_inuse(isk, table.get(port))) {
        found = port;
        break;
      }
    }
    if (found === 0) return 1;
    snum = found;
  } else if (udp_lib_lport_inuse(isk, table.get(snum))) {
    return 1;
  }
  isk.inet_num = snum;
  let owners = table.get(snum);
  if (owners === undefined) {
    owners = [];
    table.set(snum, owners);
  }
  owners.push(isk);
  (sk as UdpSock).udp_hashed = true;
  sock_hold(sk);
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, 1);
  return 0;
};
const fmt_udp_v4_get_port: Fmt<typeof udp_v4_get_port> = (_sk, snum) => `snum=${snum}`;

/** Mirrors udp_lib_unhash(). */
export let udp_lib_unhash = function udp_lib_unhash(sk: Sock): void {
  const up = sk as UdpSock;
  if (!up.udp_hashed) return;
  const table = udp_table_of(sk);
  const owners = table.get(up.inet_num);
  if (owners !== undefined) {
    owners.splice(owners.indexOf(up), 1);
    if (owners.length === 0) table.delete(up.inet_num);
  }
  up.udp_hashed = false;
  up.inet_num = 0;
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, -1);
  sock_put(sk);
};

/** Mirrors udp_lib_close(): sk_common_release(). */
export let udp_lib_close = function udp_lib_close(sk: Sock, _timeout: number): void {
  sk_common_release(sk);
};

/** Mirrors udp_destroy_sock(): a corked datagram is dropped (udp_flush_pending_frames()). */
export function udp_destroy_sock(sk: Sock): void {
  (sk as UdpSock).pending = null;
}

/**
 * Mirrors __udp4_lib_lookup(): the best-scoring socket bound to the port for a datagram from saddr:sport
 * to daddr:dport arriving on interface `dif` (exact address, connected peer and bound device each score).
 */
export function udp4_lib_lookup(
  table: Map<number, InetSock[]>,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  dif: number,
): UdpSock | null {
  const owners = table.get(dport);
  if (owners === undefined) return null;
  let best: UdpSock | null = null;
  let best_score = -1;
  for (const s of owners) {
    let score = 0;
    // compute_score(): a socket bound to another device does not hear this one; one bound to it scores.
    if (!inet_bound_dev_eq(s.sk_bound_dev_if, dif)) continue;
    if (s.sk_bound_dev_if !== 0) score += 4;
    if (s.inet_rcv_saddr !== 0) {
      if (s.inet_rcv_saddr !== daddr) continue;
      score += 4;
    }
    if (s.inet_daddr !== 0) {
      if (s.inet_daddr !== saddr) continue;
      score += 4;
    }
    if (s.inet_dport !== 0) {
      if (s.inet_dport !== sport) continue;
      score += 4;
    }
    if (score > best_score) {
      best = s as UdpSock;
      best_score = score;
    }
  }
  return best;
}

/** The source address a local route gives: the bound address, else the destination itself (or 127.0.0.1). */
export function local_saddr(inet: InetSock, daddr: number): number {
  if (inet.inet_saddr !== 0) return inet.inet_saddr;
  return IN.ipv4_is_loopback(daddr) ? IN.INADDR_LOOPBACK : daddr;
}

/**
 * Mirrors udp_sendmsg(): EMSGSIZE over 65535, EOPNOTSUPP for MSG_OOB, the address checks (EINVAL /
 * EAFNOSUPPORT / EDESTADDRREQ), autobind, the route (ENODEV / ENETUNREACH), EMSGSIZE over 65507, a pending
 * error or a shut-down send side (sock_alloc_send_skb()), then local delivery. A datagram nobody is bound to is dropped and answered
 * with ICMP port unreachable (udp4_port_unreach()). With MSG_MORE or UDP_CORK the datagram is corked
 * instead: later sends append to it — skipping the address checks, whatever address they give — until
 * one without MSG_MORE (or UDP_CORK turned off) sends it as one datagram.
 */
export let udp_sendmsg = function udp_sendmsg(sk: Sock, msg: MsgHdr, len: number): number {
  const inet = inet_sk(sk);
  const up = sk as UdpSock;
  if (len > 0xffff) return -EMSGSIZE;
  // BSD compatibility: UDP has no out-of-band data.
  if ((msg.msg_flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  const corkreq = (up.udp_flags & UDP_FLAGS_CORK) !== 0 || (msg.msg_flags & MSG_MORE) !== 0;
  if (up.pending !== null) return udp_append_data(up, msg, len, corkreq);
  let daddr: number;
  let dport: number;
  if (msg.msg_name !== null) {
    if (msg.msg_name.length < IN.SOCKADDR_IN_SIZE) return -EINVAL;
    const a = IN.parse_sockaddr_in(msg.msg_name);
    if (a.family !== AF_INET && a.family !== AF_UNSPEC) return -EAFNOSUPPORT;
    daddr = a.addr;
    dport = a.port;
    if (dport === 0) return -EINVAL;
  } else {
    if (sk.sk_state !== TCP_ESTABLISHED) return -EDESTADDRREQ;
    daddr = inet.inet_daddr;
    dport = inet.inet_dport;
  }
  if (inet.inet_num === 0) {
    if (
      (tracing ? call_ops(sk.sk_prot.get_port!, 'sk_prot->get_port', sk, 0) : sk.sk_prot.get_port!(sk, 0)) !==
      0
    )
      return -EAGAIN;
    inet.inet_sport = inet.inet_num;
  }
  if (daddr === IN.INADDR_ANY) daddr = IN.INADDR_LOOPBACK; // as ip_route_output_key() treats 0.0.0.0
  const route = ip_route_output_dgram(sk, daddr);
  if (route < 0) return route;
  // __ip_append_data(): the datagram must fit in an IP packet; then sock_alloc_send_skb(): a pending
  // error (an ICMP error a previous datagram earned) is returned and cleared, EPIPE once sending is shut
  // down, and the allocation can fail (ENOBUFS).
  if (len > UDP_MAX_PAYLOAD) return -EMSGSIZE;
  if (sk.sk_err !== 0) return sock_error(sk);
  if ((sk.sk_shutdown & SEND_SHUTDOWN) !== 0) return -EPIPE;
  if (sk.sk_net.kernel.faults.should_fail('sock_alloc_send_skb')) return -ENOBUFS;
  const data = memcpy_from_msg(msg);
  const saddr = local_saddr(inet, daddr);
  const bcast = route === RTN_BROADCAST;
  if (corkreq) {
    up.pending = { saddr, daddr, dport, parts: [data], len };
    return len;
  }
  udp_send_skb(up, saddr, daddr, dport, bcast, data);
  return len;
};
const fmt_udp_sendmsg: Fmt<typeof udp_sendmsg> = (_sk, _msg, len) => `len=${len}`;

/**
 * The do_append_data part of udp_sendmsg() for a corked socket: the bytes join the pending datagram
 * (its whole payload at most 65507 bytes, else EMSGSIZE and the pending datagram is dropped, as
 * udp_flush_pending_frames() drops it); without MSG_MORE or UDP_CORK it is sent. The appends fit in the
 * first buffer's page fragments, so no new allocation checks for errors.
 */
function udp_append_data(up: UdpSock, msg: MsgHdr, len: number, corkreq: boolean): number {
  const p = up.pending!;
  if (p.len + len > UDP_MAX_PAYLOAD) {
    up.pending = null;
    return -EMSGSIZE;
  }
  p.parts.push(memcpy_from_msg(msg));
  p.len += len;
  if (!corkreq) udp_push_pending_frames(up);
  return len;
}

/** Mirrors udp_push_pending_frames(): the corked datagram, its parts joined, is sent. */
export function udp_push_pending_frames(up: UdpSock): void {
  const p = up.pending;
  if (p === null) return;
  up.pending = null;
  let data = p.parts[0]!;
  if (p.parts.length > 1) {
    data = new Uint8Array(p.len);
    let off = 0;
    for (const part of p.parts) {
      data.set(part, off);
      off += part.length;
    }
  }
  // The flow may have been redirected by a connect() since the cork (see ip4_datagram_connect()): the
  // datagram still leaves over lo, and is dropped on arrival unless the new address is local.
  const type = inet_addr_type(up.sk_net, p.daddr);
  if (type === RTN_LOCAL || type === RTN_BROADCAST)
    udp_send_skb(up, p.saddr, p.daddr, p.dport, type === RTN_BROADCAST, data);
}

/**
 * Mirrors udp_send_skb() and the loopback receive (__udp4_lib_rcv()): the socket bound to the
 * destination gets the datagram, or the sender an ICMP port unreachable; a broadcast goes to every
 * socket that would accept it.
 */
function udp_send_skb(
  sk: UdpSock,
  saddr: number,
  daddr: number,
  dport: number,
  bcast: boolean,
  data: Uint8Array,
): void {
  const inet = inet_sk(sk);
  const dif = local_iif(sk);
  if (bcast) {
    udp4_lib_mcast_deliver(sk, saddr, inet.inet_num, daddr, dport, dif, data);
    return;
  }
  const dst = udp4_lib_lookup(udp_table_of(sk), saddr, inet.inet_num, daddr, dport, dif);
  if (dst === null) {
    udp4_port_unreach(sk, saddr, inet.inet_num, daddr, dport, dif);
    return;
  }
  const skb = new SkBuff(data); // memcpy_from_msg() already made the kernel copy
  skb.cb = udp_cb(sk, saddr, inet.inet_num, daddr, dport, dif, daddr);
  if (sock_queue_rcv_skb(dst, skb) < 0) kfree_skb(skb); // __udp_queue_rcv_skb(): counted in sk_drops
}

/**
 * The header fields the sender's socket gives a datagram (ip_build_and_send_pkt()/ip_make_skb(): the TTL
 * from IP_TTL or net.ipv4.ip_default_ttl, the TOS from IP_TOS) and the route it arrives by.
 */
function udp_cb(
  sk: Sock,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  iif: number,
  spec_dst: number,
): UdpCb {
  const inet = inet_sk(sk);
  const ttl = inet.uc_ttl === -1 ? ipv4(sk.sk_net).sysctl_ip_default_ttl : inet.uc_ttl;
  return { saddr, sport, daddr, dport, ttl, tos: inet.tos, iif, spec_dst };
}

/**
 * Mirrors __udp4_lib_mcast_deliver() for a broadcast: a copy for every socket on the port whose bound
 * address, connected peer and device accept it (the sender's own included); nobody there is no error.
 */
function udp4_lib_mcast_deliver(
  sk: Sock,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  dif: number,
  data: Uint8Array,
): void {
  const owners = udp_table_of(sk).get(dport);
  if (owners === undefined) return;
  for (const s of [...owners]) {
    if (s.inet_daddr !== 0 && s.inet_daddr !== saddr) continue;
    if (s.inet_dport !== 0 && s.inet_dport !== sport) continue;
    if (s.inet_rcv_saddr !== 0 && s.inet_rcv_saddr !== daddr) continue;
    if (!inet_bound_dev_eq(s.sk_bound_dev_if, dif)) continue;
    const skb = new SkBuff(data.slice());
    // fib_compute_spec_dst() of a broadcast: the receiving device's address (lo's, for loopback).
    const spec = sk.sk_net.loopback_dev?.ifa_list[0]?.ifa_local ?? daddr;
    skb.cb = udp_cb(sk, saddr, sport, daddr, dport, dif, spec);
    if (sock_queue_rcv_skb(s, skb) < 0) kfree_skb(skb);
  }
}

/**
 * What a datagram to a port nobody holds earns: __udp4_lib_rcv() answers with ICMP port unreachable,
 * which comes back over lo to __udp4_lib_err(). That looks up the socket the datagram came from (its
 * addresses reversed) and hands it ECONNREFUSED — a hard error, so only a connected socket, or one that
 * asked for errors with IP_RECVERR, keeps it in sk_err for its next call. ksock has no error queue:
 * IP_RECVERR's queued copy (MSG_ERRQUEUE) is not kept. Loopback ICMP is not rate limited.
 */
function udp4_port_unreach(
  sk: Sock,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  dif: number,
): void {
  const src = udp4_lib_lookup(udp_table_of(sk), daddr, dport, saddr, sport, dif);
  if (src === null) return;
  if (!inet_sk(src).recverr && src.sk_state !== TCP_ESTABLISHED) return;
  src.sk_err = ECONNREFUSED;
  src.sk_error_report(src);
}

/** Mirrors udp_recvmsg(): one datagram, truncated to the buffer (MSG_TRUNC), with the sender's address. */
export let udp_recvmsg = function udp_recvmsg(sk: Sock, msg: MsgHdr, len: number, flags: number): number {
  if ((flags & MSG_ERRQUEUE) !== 0) return -EAGAIN;
  const skb = skb_recv_datagram(sk, flags);
  if (typeof skb === 'number') return skb;
  const ulen = skb.len;
  const copied = Math.min(len, ulen);
  skb_copy_datagram_msg(skb, 0, msg, copied, (flags & MSG_PEEK) === 0);
  if (copied < ulen) msg.msg_flags |= MSG_TRUNC;
  const cb = skb.cb as UdpCb;
  msg.msg_name = IN.sockaddr_in(cb.saddr, cb.sport);
  ip_cmsg_recv(msg, sk, cb);
  const ret = (flags & MSG_TRUNC) !== 0 ? ulen : copied;
  skb_free_datagram(sk, skb, flags & MSG_PEEK);
  return ret;
};
const fmt_udp_recvmsg: Fmt<typeof udp_recvmsg> = (_sk, _msg, len, flags) =>
  `len=${len}, flags=0x${flags.toString(16)}`;

/**
 * Mirrors udp_poll() (net/ipv4/udp.c): datagram_poll(), plus readable while the reader queue holds
 * datagrams. Linux also takes back EPOLLIN from a blocking socket whose first datagram fails its checksum
 * (first_packet_length()), and adds it for a sockmap's queue; ksock has neither bad checksums nor sockmaps.
 */
export let udp_poll = function udp_poll(file: File, sock: Socket, wait: PollTable | null): number {
  let mask = datagram_poll(file, sock, wait);
  if ((sock.sk as UdpSock).reader_queue.qlen !== 0) mask |= EPOLLIN | EPOLLRDNORM;
  return mask;
};
const fmt_udp_poll: Fmt<typeof udp_poll> = (_file, sock) => `ino=${sock.inode.i_ino}`;

/** Mirrors ip4_datagram_connect(): EINVAL if short, EAFNOSUPPORT for another family; then "connected". */
export let ip4_datagram_connect = function ip4_datagram_connect(sk: Sock, addr: Uint8Array): number {
  if (addr.length < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  const a = IN.parse_sockaddr_in(addr);
  if (a.family !== AF_INET) return -EAFNOSUPPORT;
  const inet = inet_sk(sk);
  let daddr = a.addr;
  if (daddr === IN.INADDR_ANY) daddr = IN.INADDR_LOOPBACK;
  // The route is looked up into inet->cork's flow, which a corked datagram also uses: from here on, even
  // if the connect fails, a pending datagram leaves for this address and port (a Linux quirk, kept).
  const pending = (sk as UdpSock).pending;
  if (pending != null) {
    pending.daddr = daddr;
    pending.dport = a.port;
  }
  const route = ip_route_output_dgram(sk, daddr);
  if (route < 0) return route;
  if (inet.inet_saddr === 0) inet.inet_saddr = local_saddr(inet, daddr);
  if (inet.inet_rcv_saddr === 0) inet.inet_rcv_saddr = inet.inet_saddr;
  inet.inet_daddr = daddr;
  inet.inet_dport = a.port;
  sk.sk_state = TCP_ESTABLISHED;
  return 0;
};

/**
 * Mirrors __udp_disconnect() (raw sockets use it too): back to unconnected, unbound from any device; an
 * address and port not bound explicitly are released (for a raw socket, which never locks them, that
 * takes it out of the raw table).
 */
export function udp_disconnect(sk: Sock, _flags: number): number {
  const inet = inet_sk(sk);
  sk.sk_state = TCP_CLOSE;
  inet.inet_daddr = 0;
  inet.inet_dport = 0;
  sk.sk_bound_dev_if = 0;
  if ((sk.sk_userlocks & SOCK_BINDADDR_LOCK) === 0) inet.inet_saddr = inet.inet_rcv_saddr = 0;
  if ((sk.sk_userlocks & SOCK_BINDPORT_LOCK) === 0) {
    tracing ? call_ops(sk.sk_prot.unhash!, 'sk_prot->unhash', sk) : sk.sk_prot.unhash!(sk);
    inet.inet_sport = 0;
  }
  return 0;
}

/** Bits of UdpSock.udp_flags (enum udp_flags, include/linux/udp.h; ksock's own positions). */
const UDP_FLAGS_CORK = 1 << 0;
const UDP_FLAGS_NO_CHECK6_TX = 1 << 1;
const UDP_FLAGS_NO_CHECK6_RX = 1 << 2;
const UDP_FLAGS_GRO_ENABLED = 1 << 3;
const UDP_FLAGS_ACCEPT_L4 = 1 << 4;
const UDP_FLAGS_UDPLITE_SEND_CC = 1 << 5;
const UDP_FLAGS_UDPLITE_RECV_CC = 1 << 6;

function udp_assign_bit(up: UdpSock, bit: number, on: boolean): void {
  up.udp_flags = on ? up.udp_flags | bit : up.udp_flags & ~bit;
}

/** UDPLITE_SEND_CSCOV / RECV: a coverage below 8 (the header) becomes 8, above 65535 is capped. */
function udplite_cscov(val: number): number {
  if (val !== 0 && val < 8) return 8;
  return Math.min(val, 0xffff);
}

/**
 * Mirrors udp_setsockopt() / udp_lib_setsockopt(): SOL_SOCKET (SOCK_CUSTOM_SOCKOPT) and SOL_UDP or
 * SOL_UDPLITE here, other levels ip_setsockopt. The GRO, segmentation and IPv6 checksum switches are
 * kept and read back; ksock neither segments nor aggregates.
 */
export function udp_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  if (level === SOL_SOCKET) return sock_setsockopt(sk.sk_socket!, optname, optval);
  if (level !== SOL_UDP && level !== IN.SOL_UDPLITE) return ip_setsockopt(sk, level, optname, optval);
  if (optval.length < 4) return -EINVAL;
  const val = read_int(optval);
  const up = sk as UdpSock;
  switch (optname) {
    case IN.UDP_CORK:
      udp_assign_bit(up, UDP_FLAGS_CORK, val !== 0);
      // Uncorking sends what was held (udp_push_pending_frames()).
      if (!val) udp_push_pending_frames(up);
      return 0;
    case IN.UDP_ENCAP:
      // Only "none" and ESP in UDP are left (the others were removed from Linux).
      if (val !== 0 && val !== IN.UDP_ENCAP_ESPINUDP) return -ENOPROTOOPT;
      up.encap_type = val;
      return 0;
    case IN.UDP_NO_CHECK6_TX:
      udp_assign_bit(up, UDP_FLAGS_NO_CHECK6_TX, val !== 0);
      return 0;
    case IN.UDP_NO_CHECK6_RX:
      udp_assign_bit(up, UDP_FLAGS_NO_CHECK6_RX, val !== 0);
      return 0;
    case IN.UDP_SEGMENT:
      if (val < 0 || val > 0xffff) return -EINVAL;
      up.gso_size = val;
      return 0;
    case IN.UDP_GRO:
      udp_assign_bit(up, UDP_FLAGS_GRO_ENABLED, val !== 0);
      udp_assign_bit(up, UDP_FLAGS_ACCEPT_L4, val !== 0);
      return 0;
    case IN.UDPLITE_SEND_CSCOV:
      if (up.pcflag === 0) return -ENOPROTOOPT;
      up.pcslen = udplite_cscov(val);
      udp_assign_bit(up, UDP_FLAGS_UDPLITE_SEND_CC, true);
      return 0;
    case IN.UDPLITE_RECV_CSCOV:
      if (up.pcflag === 0) return -ENOPROTOOPT;
      up.pcrlen = udplite_cscov(val);
      udp_assign_bit(up, UDP_FLAGS_UDPLITE_RECV_CC, true);
      return 0;
    default:
      return -ENOPROTOOPT;
  }
}

/** Mirrors udp_getsockopt() / udp_lib_getsockopt(). */
export function udp_getsockopt(sk: Sock, level: number, optname: number, len: number): Uint8Array | number {
  if (level !== SOL_UDP && level !== IN.SOL_UDPLITE) return ip_getsockopt(sk, level, optname, len);
  if (len < 0) return -EINVAL;
  const up = sk as UdpSock;
  let val: number;
  switch (optname) {
    case IN.UDP_CORK:
      val = up.udp_flags & UDP_FLAGS_CORK ? 1 : 0;
      break;
    case IN.UDP_ENCAP:
      val = up.encap_type;
      break;
    case IN.UDP_NO_CHECK6_TX:
      val = up.udp_flags & UDP_FLAGS_NO_CHECK6_TX ? 1 : 0;
      break;
    case IN.UDP_NO_CHECK6_RX:
      val = up.udp_flags & UDP_FLAGS_NO_CHECK6_RX ? 1 : 0;
      break;
    case IN.UDP_SEGMENT:
      val = up.gso_size;
      break;
    case IN.UDP_GRO:
      val = up.udp_flags & UDP_FLAGS_GRO_ENABLED ? 1 : 0;
      break;
    // Fixed at 0 (the whole datagram) on UDP sockets; UDP-Lite's own values otherwise.
    case IN.UDPLITE_SEND_CSCOV:
      val = up.pcslen;
      break;
    case IN.UDPLITE_RECV_CSCOV:
      val = up.pcrlen;
      break;
    default:
      return -ENOPROTOOPT;
  }
  return int_bytes(val).slice(0, Math.min(4, len));
}

/** Mirrors udp_ioctl(): SIOCOUTQ bytes in flight (none on loopback), SIOCINQ the next datagram's length. */
export function udp_ioctl(sk: Sock, cmd: number, _arg: number): number {
  switch (cmd) {
    case SIOCOUTQ:
      return sk.sk_wmem_alloc - 1;
    case SIOCINQ:
      return sk.sk_receive_queue.head?.len ?? 0;
    default:
      return -ENOIOCTLCMD;
  }
}

function udp_connect(sk: Sock, addr: Uint8Array, _len: number): number {
  return ip4_datagram_connect(sk, addr);
}

/** udp_prot (net/ipv4/udp.c): obj_size = sizeof(struct udp_sock) on x86-64 6.18 (1344 bytes). */
export function make_udp_prot(owner: Module | null): Proto {
  return {
    name: 'UDP',
    owner,
    obj_size: 1344,
    sk_class: UdpSock,
    close: udp_lib_close,
    connect: udp_connect,
    disconnect: udp_disconnect,
    ioctl: udp_ioctl,
    init: udp_init_sock,
    destroy: udp_destroy_sock,
    setsockopt: udp_setsockopt,
    getsockopt: udp_getsockopt,
    sendmsg: udp_sendmsg,
    recvmsg: udp_recvmsg,
    hash: () => 0,
    unhash: udp_lib_unhash,
    get_port: udp_v4_get_port,
    memory_allocated: { value: 0 },
  };
}

/** Mirrors udplite_sk_init(): a UDP socket with the UDP-Lite flag, and the deprecation notice once. */
export let udplite_sk_init = function udplite_sk_init(sk: Sock): number {
  udp_init_sock(sk);
  (sk as UdpSock).pcflag = UDPLITE_BIT;
  const kernel = sk.sk_net.kernel;
  if (!udplite_warned.has(kernel)) {
    udplite_warned.add(kernel);
    kernel.printk(
      'UDPLite: UDP-Lite is deprecated and scheduled to be removed in 2025, please contact the netdev mailing list',
    );
  }
  return 0;
};

/** pr_warn_once() state, per kernel. */
const udplite_warned = new WeakSet<object>();

/** udplite_prot (net/ipv4/udplite.c): UDP's operations over its own table; sizeof(struct udp_sock). */
export function make_udplite_prot(owner: Module | null): Proto {
  return { ...make_udp_prot(owner), name: 'UDP-Lite', init: udplite_sk_init };
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(udp_poll, 'udp_poll', fmt_udp_poll, (f) => {
  udp_poll = f;
});
tracepoint(udp_init_sock, 'udp_init_sock', undefined, (f) => {
  udp_init_sock = f;
});
tracepoint(udp_v4_get_port, 'udp_v4_get_port', fmt_udp_v4_get_port, (f) => {
  udp_v4_get_port = f;
});
tracepoint(udp_lib_unhash, 'udp_lib_unhash', undefined, (f) => {
  udp_lib_unhash = f;
});
tracepoint(udp_lib_close, 'udp_lib_close', undefined, (f) => {
  udp_lib_close = f;
});
tracepoint(udp_sendmsg, 'udp_sendmsg', fmt_udp_sendmsg, (f) => {
  udp_sendmsg = f;
});
tracepoint(udp_recvmsg, 'udp_recvmsg', fmt_udp_recvmsg, (f) => {
  udp_recvmsg = f;
});
tracepoint(ip4_datagram_connect, 'ip4_datagram_connect', undefined, (f) => {
  ip4_datagram_connect = f;
});
tracepoint(udplite_sk_init, 'udplite_sk_init', undefined, (f) => {
  udplite_sk_init = f;
});
