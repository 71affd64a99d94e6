/**
 * Raw IPv4 sockets: mirrors raw_hash_sk() / raw_unhash_sk(), raw_sk_init(), raw_bind(), raw_close(), the
 * ICMP_FILTER option, connect and disconnect (ip4_datagram_connect(), __udp_disconnect()) and
 * raw_sendmsg()'s checks (net/ipv4/raw.c). inet_create() hashes a raw socket under its protocol number.
 */

import {
  AF_INET,
  AF_UNSPEC,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EAGAIN,
  EDESTADDRREQ,
  EFAULT,
  EINVAL,
  EMSGSIZE,
  ENOPROTOOPT,
  EOPNOTSUPP,
  MSG_OOB,
  SIOCINQ,
  SIOCOUTQ,
  SOL_RAW,
  TCP_CLOSE,
  TCP_ESTABLISHED,
} from '@ksock/core';
import type { Module, MsgHdr, Proto, Sock } from '@ksock/core/kernel';
import {
  ENOIOCTLCMD,
  sk_common_release,
  sock_hold,
  sock_prot_inuse_add,
  sock_put,
  tracepoint,
} from '@ksock/core/kernel';
import {
  inet_addr_type,
  inet_addr_valid_or_nonlocal,
  ip_route_output_dgram,
  RTN_BROADCAST,
  RTN_MULTICAST,
} from './fib.js';
import { InetSock, inet_sk } from './inet_sock.js';
import { ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
import { ipv4 } from './netns_ipv4.js';
import * as IN from './uapi/in.js';
import { ip4_datagram_connect, udp_disconnect } from './udp.js';

export class RawSock extends InetSock {
  /** struct icmp_filter: a bitmask of ICMP types to drop. */
  icmp_filter = 0;
  raw_hashed = false;
}

/** Mirrors raw_hash_sk(): into raw_v4_hashinfo, holding a reference, counted in use. */
export let raw_hash_sk = function raw_hash_sk(sk: Sock): number {
  ipv4(sk.sk_net).raw_list.push(inet_sk(sk));
  (sk as RawSock).raw_hashed = true;
  sock_hold(sk);
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, 1);
  return 0;
};

/** Mirrors raw_unhash_sk(). */
export let raw_unhash_sk = function raw_unhash_sk(sk: Sock): void {
  const rs = sk as RawSock;
  if (!rs.raw_hashed) return;
  const list = ipv4(sk.sk_net).raw_list;
  list.splice(list.indexOf(rs), 1);
  rs.raw_hashed = false;
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, -1);
  sock_put(sk);
};

/** Mirrors raw_sk_init(): an ICMP raw socket starts with an empty filter. */
export let raw_sk_init = function raw_sk_init(sk: Sock): number {
  const rs = sk as RawSock;
  if (rs.inet_num === IN.IPPROTO_ICMP) rs.icmp_filter = 0;
  return 0;
};

/** Mirrors raw_bind(): EINVAL if not CLOSE or short, EADDRNOTAVAIL for a non-local address; no port. */
export let raw_bind = function raw_bind(sk: Sock, addr: Uint8Array, addr_len: number): number {
  const inet = inet_sk(sk);
  if (sk.sk_state !== TCP_CLOSE || addr_len < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  const a = IN.parse_sockaddr_in(addr);
  const chk = inet_addr_type(sk.sk_net, a.addr);
  if (!inet_addr_valid_or_nonlocal(sk.sk_net, inet, a.addr, chk)) return -EADDRNOTAVAIL;
  inet.inet_rcv_saddr = inet.inet_saddr = a.addr;
  if (chk === RTN_MULTICAST || chk === RTN_BROADCAST) inet.inet_saddr = 0;
  return 0;
};

/** Mirrors raw_close(): sk_common_release(). */
export let raw_close = function raw_close(sk: Sock, _timeout: number): void {
  sk_common_release(sk);
};

/** Mirrors raw_setsockopt(): SOL_RAW ICMP_FILTER (only on IPPROTO_ICMP sockets), other levels IP. */
export function raw_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  if (level !== SOL_RAW) return ip_setsockopt(sk, level, optname, optval);
  if (optname !== IN.ICMP_FILTER) return -ENOPROTOOPT;
  if (inet_sk(sk).inet_num !== IN.IPPROTO_ICMP) return -EOPNOTSUPP;
  const n = Math.min(optval.length, 4);
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + optval[i]!;
  (sk as RawSock).icmp_filter = v >>> 0;
  return 0;
}

/** Mirrors raw_getsockopt(). */
export function raw_getsockopt(sk: Sock, level: number, optname: number, len: number): Uint8Array | number {
  if (level !== SOL_RAW) return ip_getsockopt(sk, level, optname, len);
  if (optname !== IN.ICMP_FILTER) return -ENOPROTOOPT;
  if (inet_sk(sk).inet_num !== IN.IPPROTO_ICMP) return -EOPNOTSUPP;
  if (len < 0) return -EINVAL;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, (sk as RawSock).icmp_filter, true);
  return b.slice(0, Math.min(4, len));
}

/** Mirrors raw_ioctl(): SIOCOUTQ bytes in flight, SIOCINQ the next packet's length. */
export function raw_ioctl(sk: Sock, cmd: number, _arg: number): number {
  if (cmd === SIOCOUTQ) return sk.sk_wmem_alloc - 1;
  if (cmd === SIOCINQ) return sk.sk_receive_queue.head?.len ?? 0;
  return -ENOIOCTLCMD;
}

/**
 * Mirrors raw_sendmsg() up to the transmit: EMSGSIZE over 65535, EOPNOTSUPP for MSG_OOB, the address
 * (EINVAL if short, EAFNOSUPPORT for a family other than AF_INET or AF_UNSPEC, EDESTADDRREQ unconnected
 * without one), ICMP's first two bytes read for the flow (raw_probe_proto_opt(): EFAULT when the message
 * is shorter), the route (ip_route_output_dgram()), and for IP_HDRINCL sockets raw_send_hdrinc()'s
 * checks (EMSGSIZE past lo's MTU, EINVAL for less than an IP header or a header length past the data).
 * ksock builds no IP packets: a send that passes every check is EOPNOTSUPP.
 */
function raw_sendmsg(sk: Sock, msg: MsgHdr, len: number): number {
  const inet = inet_sk(sk);
  if (len > 0xffff) return -EMSGSIZE;
  if ((msg.msg_flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  let daddr: number;
  if (msg.msg_namelen !== 0) {
    if (msg.msg_namelen < IN.SOCKADDR_IN_SIZE) return -EINVAL;
    const a = IN.parse_sockaddr_in(msg.msg_name!);
    if (a.family !== AF_INET && a.family !== AF_UNSPEC) return -EAFNOSUPPORT;
    daddr = a.addr;
  } else {
    if (sk.sk_state !== TCP_ESTABLISHED) return -EDESTADDRREQ;
    daddr = inet.inet_daddr;
  }
  if (!inet.hdrincl && inet.inet_num === IN.IPPROTO_ICMP && len < 2) return -EFAULT;
  if (daddr === IN.INADDR_ANY) daddr = IN.INADDR_LOOPBACK;
  const route = ip_route_output_dgram(sk, daddr);
  if (route < 0) return route;
  if (inet.hdrincl) {
    if (len > (sk.sk_net.loopback_dev?.mtu ?? 65536)) return -EMSGSIZE;
    if (len < 20) return -EINVAL; // sizeof(struct iphdr)
    const first = msg.iov.find((b) => b.length > 0);
    if (((first?.[0] ?? 0) & 0x0f) * 4 > len) return -EINVAL; // ihl
  }
  return -EOPNOTSUPP; // ksock does not build IP packets
}
/** Mirrors raw_recvmsg(): no out-of-band data (EOPNOTSUPP); otherwise nothing ever arrives (EAGAIN). */
function raw_recvmsg(_sk: Sock, _msg: MsgHdr, _len: number, flags: number): number {
  if ((flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  return -EAGAIN;
}

/** raw_prot (net/ipv4/raw.c): obj_size = sizeof(struct raw_sock) on x86-64 6.18 (1152 bytes). */
export function make_raw_prot(owner: Module | null): Proto {
  return {
    name: 'RAW',
    owner,
    obj_size: 1152,
    sk_class: RawSock,
    close: raw_close,
    connect: (sk: Sock, addr: Uint8Array) => ip4_datagram_connect(sk, addr),
    disconnect: udp_disconnect,
    ioctl: raw_ioctl,
    init: raw_sk_init,
    destroy: () => {},
    setsockopt: raw_setsockopt,
    getsockopt: raw_getsockopt,
    sendmsg: raw_sendmsg,
    recvmsg: raw_recvmsg,
    bind: raw_bind,
    backlog_rcv: () => 0,
    hash: raw_hash_sk,
    unhash: raw_unhash_sk,
  };
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(raw_hash_sk, 'raw_hash_sk', undefined, (f) => {
  raw_hash_sk = f;
});
tracepoint(raw_unhash_sk, 'raw_unhash_sk', undefined, (f) => {
  raw_unhash_sk = f;
});
tracepoint(raw_sk_init, 'raw_sk_init', undefined, (f) => {
  raw_sk_init = f;
});
tracepoint(raw_bind, 'raw_bind', undefined, (f) => {
  raw_bind = f;
});
tracepoint(raw_close, 'raw_close', undefined, (f) => {
  raw_close = f;
});
