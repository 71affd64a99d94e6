/**
 * SOL_IP socket options: mirrors do_ip_setsockopt() / do_ip_getsockopt() in net/ipv4/ip_sockglue.c for
 * the options whose state ksock models.
 */

import {
  CAP_NET_ADMIN,
  CAP_NET_RAW,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EINVAL,
  ENOBUFS,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPROTO,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_IP,
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
} from '@ksock/core';
import type { MsgHdr, Sock } from '@ksock/core/kernel';
import { capable, dev_get_by_index, int_bytes, put_cmsg, read_int } from '@ksock/core/kernel';
import { ip_dev_find, ip_mc_join_group, ip_mc_leave_group } from './igmp.js';
import {
  INET_FLAGS_CHECKSUM,
  INET_FLAGS_ORIGDSTADDR,
  INET_FLAGS_PASSSEC,
  INET_FLAGS_PKTINFO,
  INET_FLAGS_RECVERR_RFC4884,
  INET_FLAGS_RECVFRAGSIZE,
  INET_FLAGS_RECVOPTS,
  INET_FLAGS_RETOPTS,
  INET_FLAGS_RTALERT,
  INET_FLAGS_TOS,
  INET_FLAGS_TTL,
  type InetSock,
  type IpMreqn,
  inet_sk,
} from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import * as IN from './uapi/in.js';

/**
 * The on/off options that only set an inet_flags bit. Those asking for ancillary data (IP_PKTINFO,
 * IP_RECVTTL…) are kept and read back, but ksock attaches no control messages to what is received.
 */
const FLAG_OPTS: Readonly<Record<number, number>> = {
  [IN.IP_PKTINFO]: INET_FLAGS_PKTINFO,
  [IN.IP_RECVTTL]: INET_FLAGS_TTL,
  [IN.IP_RECVTOS]: INET_FLAGS_TOS,
  [IN.IP_RECVOPTS]: INET_FLAGS_RECVOPTS,
  [IN.IP_RETOPTS]: INET_FLAGS_RETOPTS,
  [IN.IP_PASSSEC]: INET_FLAGS_PASSSEC,
  [IN.IP_RECVORIGDSTADDR]: INET_FLAGS_ORIGDSTADDR,
  [IN.IP_CHECKSUM]: INET_FLAGS_CHECKSUM,
  [IN.IP_RECVFRAGSIZE]: INET_FLAGS_RECVFRAGSIZE,
  [IN.IP_RECVERR_RFC4884]: INET_FLAGS_RECVERR_RFC4884,
};

function inet_assign_flag(inet: InetSock, bit: number, on: boolean): void {
  inet.inet_flags = on ? inet.inet_flags | bit : inet.inet_flags & ~bit;
}

/**
 * Mirrors ip_ra_control(): only raw sockets other than IPPROTO_RAW join the router-alert chain; joining
 * twice is EADDRINUSE, leaving without having joined ENOBUFS.
 */
function ip_ra_control(sk: Sock, on: boolean): number {
  const inet = inet_sk(sk);
  if (sk.sk_type !== SOCK_RAW || inet.inet_num === IN.IPPROTO_RAW) return -EINVAL;
  const joined = (inet.inet_flags & INET_FLAGS_RTALERT) !== 0;
  if (joined) {
    if (on) return -EADDRINUSE;
    inet_assign_flag(inet, INET_FLAGS_RTALERT, false);
    return 0;
  }
  if (!on) return -ENOBUFS;
  inet_assign_flag(inet, INET_FLAGS_RTALERT, true);
  return 0;
}

/**
 * IP_MTU: the MTU of the route the socket caches, which only a connected socket has (a UDP socket
 * after connect(), a TCP socket from connect() until it is closed or refused); every ksock route goes
 * through lo.
 */
function ip_sk_dst_mtu(sk: Sock): number {
  const connected =
    sk.sk_type === SOCK_STREAM
      ? sk.sk_state !== TCP_CLOSE && sk.sk_state !== TCP_LISTEN
      : sk.sk_type === SOCK_DGRAM && sk.sk_state === TCP_ESTABLISHED;
  if (!connected) return 0;
  return Math.min(sk.sk_net.loopback_dev?.mtu ?? 65536, IN.IP_MAX_MTU);
}

/** INET_ECN_MASK: the two ECN bits of the TOS byte, which TCP manages itself. */
const INET_ECN_MASK = 3;

/** ip_tos2prio (net/ipv4/route.c): the packet priority each TOS class maps to (TC_PRIO_*). */
const ip_tos2prio = [0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4];

/**
 * Mirrors __ip_sock_set_tos(): a TCP socket keeps its own ECN bits; a new TOS also sets sk_priority
 * (rt_tos2priority()), an unchanged one leaves it alone.
 */
function __ip_sock_set_tos(sk: Sock, val: number): void {
  const inet = inet_sk(sk);
  const old_tos = inet.tos;
  if (sk.sk_type === SOCK_STREAM) val = (val & ~INET_ECN_MASK) | (old_tos & INET_ECN_MASK);
  if (old_tos === val) return;
  inet.tos = val;
  sk.sk_priority = ip_tos2prio[(val & 0x1e) >> 1]!;
}

/**
 * Mirrors IP_MULTICAST_IF in do_ip_setsockopt(): a struct in_addr, ip_mreq or ip_mreqn naming the
 * outgoing interface by address or index; INADDR_ANY with no index clears it; an interface that does not
 * exist is EADDRNOTAVAIL, one other than the socket's bound device EINVAL. Not for TCP (EINVAL).
 */
function ip_set_multicast_if(sk: Sock, optval: Uint8Array): number {
  const inet = inet_sk(sk);
  const optlen = optval.length;
  if (sk.sk_type === SOCK_STREAM) return -EINVAL;
  if (optlen < 4) return -EINVAL;
  const dv = new DataView(optval.buffer, optval.byteOffset, optlen);
  // ip_mreqn / ip_mreq carry the address second; a bare in_addr is the address itself.
  const address = optlen >= 8 ? dv.getUint32(4, false) : dv.getUint32(0, false);
  let ifindex = optlen >= 12 ? dv.getInt32(8, true) : 0;
  let dev = null;
  if (ifindex === 0) {
    if (address === 0) {
      inet.mc_index = 0;
      inet.mc_addr = 0;
      return 0;
    }
    dev = ip_dev_find(sk.sk_net, address);
    if (dev !== null) ifindex = dev.ifindex;
  } else {
    dev = dev_get_by_index(sk.sk_net, ifindex);
  }
  if (dev === null) return -EADDRNOTAVAIL;
  if (sk.sk_bound_dev_if !== 0 && ifindex !== sk.sk_bound_dev_if) return -EINVAL;
  inet.mc_index = ifindex;
  inet.mc_addr = address >>> 0;
  return 0;
}

/** Options whose optval is an int but which also accept a single byte (ip_setsockopt's setsockopt_needs_rtnl list aside). */
function read_val(optval: Uint8Array): number {
  if (optval.length >= 4) return read_int(optval);
  if (optval.length >= 1) return optval[0]!;
  return 0;
}

/** Mirrors do_ip_setsockopt(). */
export function ip_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  if (level !== SOL_IP) return -ENOPROTOOPT;
  const inet = inet_sk(sk);
  const optlen = optval.length;
  const val = read_val(optval);
  switch (optname) {
    // IP_TOS, IP_HDRINCL, IP_MTU_DISCOVER, IP_RECVERR and IP_BIND_ADDRESS_NO_PORT take no length check:
    // with optlen 0 nothing is copied and the value stays 0 (do_ip_setsockopt()); the others are EINVAL.
    case IN.IP_TOS:
      __ip_sock_set_tos(sk, val & 0xff);
      return 0;
    case IN.IP_TTL:
      if (optlen < 1) return -EINVAL;
      if (val !== -1 && (val < 1 || val > 255)) return -EINVAL;
      inet.uc_ttl = val;
      return 0;
    case IN.IP_HDRINCL:
      if (sk.sk_type !== SOCK_RAW) return -ENOPROTOOPT;
      inet.hdrincl = val !== 0;
      return 0;
    case IN.IP_MTU_DISCOVER:
      if (val < IN.IP_PMTUDISC_DONT || val > IN.IP_PMTUDISC_OMIT) return -EINVAL;
      inet.pmtudisc = val;
      return 0;
    case IN.IP_RECVERR:
      inet.recverr = val !== 0;
      return 0;
    case IN.IP_MULTICAST_TTL:
      if (sk.sk_type === SOCK_STREAM) return -EINVAL;
      if (optlen < 1) return -EINVAL;
      if (val < -1 || val > 255) return -EINVAL;
      inet.mc_ttl = val === -1 ? 1 : val;
      return 0;
    case IN.IP_MULTICAST_LOOP:
      if (optlen < 1) return -EINVAL;
      inet.mc_loop = val !== 0;
      return 0;
    case IN.IP_MULTICAST_ALL:
      if (optlen < 1) return -EINVAL;
      if (val !== 0 && val !== 1) return -EINVAL;
      inet.mc_all = val === 1;
      return 0;
    case IN.IP_FREEBIND:
      if (optlen < 1) return -EINVAL;
      inet.freebind = val !== 0;
      return 0;
    case IN.IP_BIND_ADDRESS_NO_PORT:
      inet.bind_address_no_port = val !== 0;
      return 0;
    case IN.IP_NODEFRAG:
      if (sk.sk_type !== SOCK_RAW) return -ENOPROTOOPT;
      inet.nodefrag = val !== 0;
      return 0;
    case IN.IP_TRANSPARENT:
      if (!capable(CAP_NET_RAW) && !capable(CAP_NET_ADMIN)) return -EPERM;
      if (optlen < 1) return -EINVAL;
      inet.transparent = val !== 0;
      return 0;
    case IN.IP_RECVFRAGSIZE:
      if (sk.sk_type !== SOCK_RAW && sk.sk_type !== SOCK_DGRAM) return -EINVAL;
      inet_assign_flag(inet, INET_FLAGS_RECVFRAGSIZE, val !== 0);
      return 0;
    case IN.IP_RECVERR_RFC4884:
      if (val < 0 || val > 1) return -EINVAL;
      inet_assign_flag(inet, INET_FLAGS_RECVERR_RFC4884, val !== 0);
      return 0;
    case IN.IP_MINTTL:
      if (optlen < 1) return -EINVAL;
      if (val < 0 || val > 255) return -EINVAL;
      inet.min_ttl = val;
      return 0;
    case IN.IP_ROUTER_ALERT:
      return ip_ra_control(sk, val !== 0);
    case IN.IP_ADD_MEMBERSHIP:
    case IN.IP_DROP_MEMBERSHIP: {
      // struct ip_mreq (group, address), or struct ip_mreqn with the interface index after them.
      if (inet.is_icsk) return -EPROTO;
      if (optlen < 8) return -EINVAL;
      const dv = new DataView(optval.buffer, optval.byteOffset, optlen);
      const imr: IpMreqn = {
        imr_multiaddr: dv.getUint32(0, false),
        imr_address: dv.getUint32(4, false),
        imr_ifindex: optlen >= 12 ? dv.getInt32(8, true) : 0,
      };
      return optname === IN.IP_ADD_MEMBERSHIP ? ip_mc_join_group(sk, imr) : ip_mc_leave_group(sk, imr);
    }
    case IN.IP_MULTICAST_IF:
      return ip_set_multicast_if(sk, optval);
    case IN.IP_UNICAST_IF: {
      // An int holding the interface index in network byte order.
      if (optlen !== 4) return -EINVAL;
      const ifindex = new DataView(optval.buffer, optval.byteOffset, 4).getInt32(0, false);
      if (ifindex === 0) {
        inet.uc_index = 0;
        return 0;
      }
      if (dev_get_by_index(sk.sk_net, ifindex) === null) return -EADDRNOTAVAIL;
      // Only a VRF master may differ from the bound device, and ksock has no VRFs (l3mdev index 0).
      if (sk.sk_bound_dev_if !== 0) return -EINVAL;
      inet.uc_index = ifindex;
      return 0;
    }
    case IN.IP_LOCAL_PORT_RANGE: {
      // A u32 exactly: the low port in its low half, the high port in its high half (0: no bound).
      if (optlen !== 4) return -EINVAL;
      const lo = val & 0xffff;
      const hi = val >>> 16;
      if (lo !== 0 && hi !== 0 && lo > hi) return -EINVAL;
      inet.local_port_range = val >>> 0;
      return 0;
    }
    default: {
      // The plain on/off options (IP_PKTINFO, IP_RECVTTL…): any value, 0 with optlen 0.
      const bit = FLAG_OPTS[optname];
      if (bit === undefined) return -ENOPROTOOPT;
      inet_assign_flag(inet, bit, val !== 0);
      return 0;
    }
  }
}

/**
 * Mirrors do_ip_getsockopt() for int options: a negative length is EINVAL; a buffer shorter than an int
 * gets one byte when the value fits in one, otherwise min(len, 4) bytes.
 */
export function ip_getsockopt(sk: Sock, level: number, optname: number, len: number): Uint8Array | number {
  if (level !== SOL_IP) return -EOPNOTSUPP;
  if (len < 0) return -EINVAL;
  const inet = inet_sk(sk);
  let val: number;
  switch (optname) {
    case IN.IP_TOS:
      val = inet.tos;
      break;
    case IN.IP_TTL:
      val = inet.uc_ttl === -1 ? ipv4(sk.sk_net).sysctl_ip_default_ttl : inet.uc_ttl;
      break;
    case IN.IP_HDRINCL:
      val = inet.hdrincl ? 1 : 0;
      break;
    case IN.IP_NODEFRAG:
      val = inet.nodefrag ? 1 : 0;
      break;
    case IN.IP_MTU_DISCOVER:
      val = inet.pmtudisc;
      break;
    case IN.IP_RECVERR:
      val = inet.recverr ? 1 : 0;
      break;
    case IN.IP_MULTICAST_TTL:
      val = inet.mc_ttl;
      break;
    case IN.IP_MULTICAST_LOOP:
      val = inet.mc_loop ? 1 : 0;
      break;
    case IN.IP_MULTICAST_ALL:
      val = inet.mc_all ? 1 : 0;
      break;
    case IN.IP_FREEBIND:
      val = inet.freebind ? 1 : 0;
      break;
    case IN.IP_TRANSPARENT:
      val = inet.transparent ? 1 : 0;
      break;
    case IN.IP_BIND_ADDRESS_NO_PORT:
      val = inet.bind_address_no_port ? 1 : 0;
      break;
    case IN.IP_ROUTER_ALERT:
      val = (inet.inet_flags & INET_FLAGS_RTALERT) !== 0 ? 1 : 0;
      break;
    case IN.IP_MINTTL:
      val = inet.min_ttl;
      break;
    case IN.IP_LOCAL_PORT_RANGE:
      val = inet.local_port_range | 0;
      break;
    case IN.IP_MULTICAST_IF: {
      // The address only (struct in_addr), at most four bytes.
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, inet.mc_addr, false);
      return b.slice(0, Math.min(4, len));
    }
    case IN.IP_UNICAST_IF:
      // Read back in network byte order, as it was given.
      val = new DataView(Uint32Array.of(inet.uc_index).buffer).getInt32(0, false);
      break;
    case IN.IP_PROTOCOL:
      // inet_num: the protocol for a raw socket, the local port (0 until bound) otherwise.
      val = inet.inet_num;
      break;
    case IN.IP_MTU:
      val = ip_sk_dst_mtu(sk);
      if (val === 0) return -ENOTCONN;
      break;
    default: {
      const bit = FLAG_OPTS[optname];
      if (bit === undefined) return -ENOPROTOOPT;
      val = (inet.inet_flags & bit) !== 0 ? 1 : 0;
    }
  }
  if (len < 4 && len > 0 && val >= 0 && val <= 255) return Uint8Array.of(val);
  return int_bytes(val).slice(0, Math.min(4, len));
}

/** What ip_cmsg_recv_offset() reads of a received datagram: its IP header and the route it arrived by. */
export interface IpRecvInfo {
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  ttl: number;
  tos: number;
  /** inet_iif(): the interface it arrived on (lo for ksock's loopback delivery, or the bound device). */
  iif: number;
  /** fib_compute_spec_dst(): the local address a reply would come from. */
  spec_dst: number;
}

const IP_CMSG_FLAGS = INET_FLAGS_PKTINFO | INET_FLAGS_TTL | INET_FLAGS_TOS | INET_FLAGS_ORIGDSTADDR;

/**
 * Mirrors ip_cmsg_recv_offset() (net/ipv4/ip_sockglue.c): the ancillary data a socket asked for, in
 * Linux's order — IP_PKTINFO (struct in_pktinfo), IP_TTL (int), IP_TOS (one byte), then IP_ORIGDSTADDR
 * (struct sockaddr_in). IP_RECVOPTS/IP_RETOPTS add nothing for a datagram without IP options, IP_PASSSEC
 * nothing without a security label, IP_CHECKSUM nothing for loopback's CHECKSUM_UNNECESSARY, and
 * IP_RECVFRAGSIZE nothing for an unfragmented datagram: ksock's never have those.
 */
export function ip_cmsg_recv(msg: MsgHdr, sk: Sock, info: IpRecvInfo): void {
  const flags = inet_sk(sk).inet_flags;
  if ((flags & IP_CMSG_FLAGS) === 0) return;
  if ((flags & INET_FLAGS_PKTINFO) !== 0) {
    const b = new Uint8Array(12);
    const v = new DataView(b.buffer);
    v.setInt32(0, info.iif, true);
    v.setUint32(4, info.spec_dst >>> 0, false);
    v.setUint32(8, info.daddr >>> 0, false);
    put_cmsg(msg, SOL_IP, IN.IP_PKTINFO, b);
  }
  if ((flags & INET_FLAGS_TTL) !== 0) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, info.ttl, true);
    put_cmsg(msg, SOL_IP, IN.IP_TTL, b);
  }
  if ((flags & INET_FLAGS_TOS) !== 0) put_cmsg(msg, SOL_IP, IN.IP_TOS, Uint8Array.of(info.tos & 0xff));
  if ((flags & INET_FLAGS_ORIGDSTADDR) !== 0)
    put_cmsg(msg, SOL_IP, IN.IP_RECVORIGDSTADDR, IN.sockaddr_in(info.daddr, info.dport));
}
