/**
 * Answers the Linux kernel of the development machine gave to tools/host_probe.c (recorded once, with
 * the kernel version, so that tests do not depend on the machine they run on).
 */
import host_json from './host-linux-6.18.json' with { type: 'json' };

export interface HostFresh {
  [opt: string]: number | string | number[];
}

export interface HostAnswers {
  kernel: string;
  protocols: string;
  socket_root: Record<string, string>;
  socket_unprivileged: Record<string, string>;
  bind_root: Record<string, string | boolean | number>;
  bind_unprivileged: Record<string, string | boolean | number>;
  fresh_tcp: HostFresh;
  fresh_udp: HostFresh;
  fresh_raw_icmp: HostFresh;
  fresh_raw_255: HostFresh;
  proc_inodes: { tcp: number; udp: number; raw: number };
  proc_net_tcp: string;
  proc_net_udp: string;
  proc_net_raw: string;
  proc_net_sockstat: string;
  nonblocking_connect_backlog_1: string[];
  loopback_mss: { client: number; server: number };
  connect_refused_twice: string;
  [sysctl: `sysctl_${string}`]: string;
}

export const host = host_json as unknown as HostAnswers;
