/**
 * The part of the IPv4 routing tables bind() consults: mirrors inet_addr_type_table() (net/ipv4/
 * fib_frontend.c) over RT_TABLE_LOCAL, which Linux fills from the namespace's addresses, and
 * inet_addr_valid_or_nonlocal() (include/net/inet_sock.h).
 */
import type { Net } from '@ksock/core';
import { inet_addr_is_local } from '@ksock/core';
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
