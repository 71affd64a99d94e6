/**
 * A socket's multicast memberships: mirrors ip_mc_find_dev(), ip_mc_join_group(), ip_mc_leave_group()
 * and ip_mc_drop_socket() (net/ipv4/igmp.c) as far as the socket sees them — the checks and the list
 * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP keep. ksock sends no IGMP and routes no multicast: joining
 * changes what the socket answers, not what it receives (a deliberate limit).
 */

import { EADDRINUSE, EADDRNOTAVAIL, EINVAL, ENOBUFS, ENODEV } from '@ksock/core';
import type { Net, NetDevice, Sock } from '@ksock/core/kernel';
import { dev_get_by_index } from '@ksock/core/kernel';
import { inet_addr_type, RTN_LOCAL } from './fib.js';
import { type IpMreqn, inet_sk } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { ipv4_is_multicast } from './uapi/in.js';

/**
 * Mirrors __ip_dev_find(): the device that owns a local address — one of its own addresses, else
 * whatever the local table routes there (all of 127/8 is lo's).
 */
export function ip_dev_find(net: Net, addr: number): NetDevice | null {
  addr >>>= 0;
  for (const dev of net.dev_base) for (const a of dev.ifa_list) if (a.ifa_local >>> 0 === addr) return dev;
  if (addr !== 0 && inet_addr_type(net, addr) === RTN_LOCAL) return net.loopback_dev;
  return null;
}

/**
 * Mirrors ip_mc_find_dev(): the interface a membership is for — the index given, else the device that
 * owns the address given, else the route to the group (ksock routes only local addresses, none of them
 * multicast). Fills in imr_ifindex as Linux does.
 */
function ip_mc_find_dev(net: Net, imr: IpMreqn): NetDevice | null {
  if (imr.imr_ifindex !== 0) return dev_get_by_index(net, imr.imr_ifindex);
  let dev: NetDevice | null;
  if (imr.imr_address !== 0) {
    dev = ip_dev_find(net, imr.imr_address);
  } else {
    // ip_route_output() to the group: only a local address has a route here, and it leaves through lo.
    dev = inet_addr_type(net, imr.imr_multiaddr) === RTN_LOCAL ? net.loopback_dev : null;
  }
  if (dev !== null) imr.imr_ifindex = dev.ifindex;
  return dev;
}

/**
 * Mirrors ip_mc_join_group(): a multicast group (EINVAL), on an interface found (ENODEV), not already
 * joined there (EADDRINUSE), within net.ipv4.igmp_max_memberships (ENOBUFS).
 */
export function ip_mc_join_group(sk: Sock, imr: IpMreqn): number {
  const inet = inet_sk(sk);
  if (!ipv4_is_multicast(imr.imr_multiaddr)) return -EINVAL;
  if (ip_mc_find_dev(sk.sk_net, imr) === null) return -ENODEV;
  const list = inet.mc_list ?? [];
  for (const m of list) {
    if (m.imr_multiaddr === imr.imr_multiaddr && m.imr_ifindex === imr.imr_ifindex) return -EADDRINUSE;
  }
  if (list.length >= ipv4(sk.sk_net).sysctl_igmp_max_memberships) return -ENOBUFS;
  list.unshift({ ...imr });
  inet.mc_list = list;
  return 0;
}

/**
 * Mirrors ip_mc_leave_group(): the membership for that group on that interface (or with that address),
 * EADDRNOTAVAIL if there is none; ENODEV when neither an interface nor an address was given and the
 * group has no route.
 */
export function ip_mc_leave_group(sk: Sock, imr: IpMreqn): number {
  const inet = inet_sk(sk);
  const dev = ip_mc_find_dev(sk.sk_net, imr);
  if (imr.imr_ifindex === 0 && imr.imr_address === 0 && dev === null) return -ENODEV;
  const list = inet.mc_list ?? [];
  const i = list.findIndex(
    (m) =>
      m.imr_multiaddr === imr.imr_multiaddr &&
      (imr.imr_ifindex !== 0
        ? m.imr_ifindex === imr.imr_ifindex
        : imr.imr_address === 0 || m.imr_address === imr.imr_address),
  );
  if (i < 0) return -EADDRNOTAVAIL;
  list.splice(i, 1);
  if (list.length === 0) inet.mc_list = null;
  return 0;
}

/** Mirrors ip_mc_drop_socket(): a closing socket leaves every group it joined. */
export function ip_mc_drop_socket(sk: Sock): void {
  inet_sk(sk).mc_list = null;
}
