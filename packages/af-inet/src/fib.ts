/**
 * The part of the IPv4 routing tables ksock models: inet_addr_type_table() (net/ipv4/fib_frontend.c) over
 * RT_TABLE_LOCAL, which Linux fills from the namespace's addresses, inet_addr_valid_or_nonlocal()
 * (include/net/inet_sock.h), and the output-device check of ip_route_output_key_hash_rcu() for a socket
 * bound to a device. Every route ksock has is local: packets go through lo.
 */

import { EACCES, ENETUNREACH, ENODEV, IFF_UP } from '@ksock/core';
import type { Net, Sock } from '@ksock/core/kernel';
import { dev_get_by_index, inet_addr_is_local, SOCK_BROADCAST, sock_flag } from '@ksock/core/kernel';
import type { InetSock } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { INADDR_ANY, INADDR_BROADCAST, ipv4_is_multicast } from './uapi/in.js';

/** Route types (include/uapi/linux/rtnetlink.h). */
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_MULTICAST = 5;

/**
 * Mirrors inet_addr_type_table(net, addr, RT_TABLE_LOCAL): the limited broadcast and each address's
 * subnet broadcast are RTN_BROADCAST, 224/4 RTN_MULTICAST, the devices' addresses and lo's subnet
 * RTN_LOCAL, anything else RTN_UNICAST.
 */
export function inet_addr_type(net: Net, addr: number): number {
  addr >>>= 0;
  if (addr === INADDR_BROADCAST) return RTN_BROADCAST;
  if (ipv4_is_multicast(addr)) return RTN_MULTICAST;
  for (const dev of net.dev_base) {
    for (const a of dev.ifa_list) {
      if (a.ifa_local >>> 0 === addr) return RTN_LOCAL;
      if (a.ifa_prefixlen < 31) {
        const host = a.ifa_prefixlen === 0 ? 0xffffffff : ~(~0 << (32 - a.ifa_prefixlen)) >>> 0;
        const bcast = a.ifa_broadcast !== 0 ? a.ifa_broadcast >>> 0 : (a.ifa_local | host) >>> 0;
        if (addr === bcast) return RTN_BROADCAST;
      }
    }
  }
  if (addr !== INADDR_ANY && inet_addr_is_local(net, addr)) return RTN_LOCAL;
  return RTN_UNICAST;
}

/** Mirrors inet_addr_valid_or_nonlocal(): bindable without IP_FREEBIND / IP_TRANSPARENT. */
export function inet_addr_valid_or_nonlocal(
  net: Net,
  inet: InetSock,
  addr: number,
  addr_type: number,
): boolean {
  return (
    ipv4(net).sysctl_ip_nonlocal_bind !== 0 ||
    inet.freebind ||
    inet.transparent ||
    addr === INADDR_ANY ||
    addr_type === RTN_LOCAL ||
    addr_type === RTN_MULTICAST ||
    addr_type === RTN_BROADCAST
  );
}

/**
 * The output-device check at the top of ip_route_output_key_hash_rcu() (net/ipv4/route.c) for a socket
 * bound to a device (SO_BINDTODEVICE, SO_BINDTOIFINDEX): ENODEV when no such device exists in the
 * namespace, ENETUNREACH when it is down. Past this check ksock routes as if unbound (a deliberate
 * simplification: Linux would then look the route up through that device only).
 */
export function ip_route_oif_check(sk: Sock): number {
  const oif = sk.sk_bound_dev_if;
  if (oif === 0) return 0;
  const dev = dev_get_by_index(sk.sk_net, oif);
  if (dev === null) return -ENODEV;
  if ((dev.flags & IFF_UP) === 0) return -ENETUNREACH;
  return 0;
}

/**
 * The interface a packet the socket sends locally arrives on, as inet_iif() reads it at the receiver:
 * the device the sender was bound to (a local route keeps the output interface as rt_iif), else lo.
 */
export function local_iif(sk: Sock): number {
  return sk.sk_bound_dev_if !== 0 ? sk.sk_bound_dev_if : (sk.sk_net.loopback_dev?.ifindex ?? 1);
}

/**
 * Mirrors inet_bound_dev_eq() without L3 master devices: a socket bound to no device hears every
 * interface, a bound one only its own.
 */
export function inet_bound_dev_eq(bound_dev_if: number, dif: number): boolean {
  return bound_dev_if === 0 || bound_dev_if === dif;
}

/**
 * The route ip_route_output_flow() finds from `sk` to `daddr` (0.0.0.0 already made 127.0.0.1), with the
 * check the datagram protocols make on it: the bound device first (ENODEV, ENETUNREACH), then a local
 * address is RTN_LOCAL and a subnet broadcast address RTN_BROADCAST — EACCES unless SO_BROADCAST is
 * set. Anything else has no route here: ENETUNREACH (multicast and the limited broadcast included, which
 * Linux would route through a device — a documented limit).
 */
export function ip_route_output_dgram(sk: Sock, daddr: number): number {
  const oif = ip_route_oif_check(sk);
  if (oif !== 0) return oif;
  const type = inet_addr_type(sk.sk_net, daddr);
  if (type === RTN_LOCAL) return type;
  if (type === RTN_BROADCAST && daddr >>> 0 !== INADDR_BROADCAST)
    return sock_flag(sk, SOCK_BROADCAST) ? type : -EACCES;
  return -ENETUNREACH;
}
