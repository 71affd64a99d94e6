/**
 * struct netns_ipv4 (include/net/netns/ipv4.h): what IPv4 keeps per network namespace — the
 * net.ipv4.* sysctls with Linux's defaults, and (ksock's simplification of the global hash tables, whose
 * keys include the namespace) the port and socket tables of TCP, UDP, raw and ping.
 */
import type { Net } from '@ksock/core/kernel';
import { perNet } from '@ksock/core/kernel';
import type { InetSock } from './inet_sock.js';

export class NetnsIpv4 {
  sysctl_ip_default_ttl = 64;
  sysctl_ip_no_pmtu_disc = 0;
  sysctl_ip_nonlocal_bind = 0;
  /** ip_unprivileged_port_start (sysctl_ip_prot_sock). */
  sysctl_ip_prot_sock = 1024;
  /** ip_local_port_range. */
  ip_local_ports: [number, number] = [32768, 60999];
  /** ping_group_range: gids low..high; "1 0" (the default) is empty. */
  ping_group_range: [number, number] = [1, 0];
  /** igmp_max_memberships: multicast groups one socket may join. */
  sysctl_igmp_max_memberships = 20;
  sysctl_tcp_rmem: [number, number, number] = [4096, 131072, 6291456];
  sysctl_tcp_wmem: [number, number, number] = [4096, 16384, 4194304];
  sysctl_tcp_reordering = 3;
  sysctl_tcp_rto_min_us = 200000;
  sysctl_tcp_rto_max_ms = 120000;
  sysctl_tcp_syn_retries = 6;
  sysctl_tcp_fin_timeout = 60;
  sysctl_tcp_keepalive_time = 7200;
  sysctl_tcp_keepalive_intvl = 75;
  sysctl_tcp_keepalive_probes = 9;
  /** net.ipv4.tcp_congestion_control: CONFIG_DEFAULT_TCP_CONG, "cubic" on distribution kernels. */
  tcp_congestion_control = 'cubic';

  /** TCP bind buckets (inet_bind_bucket): port → owners. */
  readonly tcp_bhash = new Map<number, InetSock[]>();
  /** Hashed TCP sockets (listening, then connected), in the order /proc/net/tcp shows them. */
  readonly tcp_listening: InetSock[] = [];
  readonly tcp_established: InetSock[] = [];
  /** udp_table: port → sockets bound to it. */
  readonly udp_table = new Map<number, InetSock[]>();
  /** udplite_table: UDP-Lite's own port space. */
  readonly udplite_table = new Map<number, InetSock[]>();
  /** raw_v4_hashinfo. */
  readonly raw_list: InetSock[] = [];
  /** ping_table: identifier → sockets. */
  readonly ping_table = new Map<number, InetSock[]>();
}

/** Each namespace's IPv4 data: Linux's `net->ipv4`. */
const ipv4_net = perNet<NetnsIpv4>();

/** The namespace's IPv4 data (present while af_inet is loaded). */
export function ipv4(net: Net): NetnsIpv4 {
  return ipv4_net.get(net)!;
}

/** The pernet init of af_inet's IPv4 data: a NetnsIpv4 with Linux's defaults. */
export function ipv4_net_init(net: Net): void {
  ipv4_net.set(net, new NetnsIpv4());
}

/** The pernet exit: the namespace's IPv4 data goes. */
export function ipv4_net_exit(net: Net): void {
  ipv4_net.delete(net);
}
