/**
 * The per-namespace net.ipv4.* sysctls af_inet models, with Linux's handlers' rules: mirrors ipv4_net_table
 * in net/ipv4/sysctl_net_ipv4.c (ipv4_local_port_range, ipv4_privileged_ports, ipv4_ping_group_range,
 * proc_tcp_congestion_control).
 */

import { EINVAL, ENOENT } from '@ksock/core';
import type { CtlTable, Net, SysctlValue } from '@ksock/core/kernel';
import { ipv4, type NetnsIpv4 } from './netns_ipv4.js';
import { tcp_ca_find } from './tcp.js';

type IntKey = {
  [K in keyof NetnsIpv4]: NetnsIpv4[K] extends number ? K : never;
}[keyof NetnsIpv4];

function int_entry(procname: string, key: IntKey, min?: number, max?: number): CtlTable {
  const data = {
    get: (net: Net): SysctlValue => ipv4(net)[key],
    set: (net: Net, v: SysctlValue) => {
      (ipv4(net) as unknown as Record<string, number>)[key] = v as number;
    },
  };
  if (min === undefined && max === undefined)
    return { procname, mode: 0o644, proc_handler: 'proc_dointvec', data };
  return {
    procname,
    mode: 0o644,
    proc_handler: 'proc_dointvec_minmax',
    ...(min !== undefined ? { extra1: min } : {}),
    ...(max !== undefined ? { extra2: max } : {}),
    data,
  };
}

function vec3(procname: string, key: 'sysctl_tcp_rmem' | 'sysctl_tcp_wmem'): CtlTable {
  return {
    procname,
    mode: 0o644,
    proc_handler: 'proc_dointvec_minmax',
    maxlen: 3,
    extra1: 1,
    data: {
      get: (net) => ipv4(net)[key],
      set: (net, v) => {
        const a = v as readonly number[];
        ipv4(net)[key] = [a[0]!, a[1]!, a[2]!];
      },
    },
  };
}

/** The table registered under net/ipv4 for every namespace. */
export function ipv4_net_table(): CtlTable[] {
  return [
    int_entry('ip_default_ttl', 'sysctl_ip_default_ttl', 1, 255),
    int_entry('ip_no_pmtu_disc', 'sysctl_ip_no_pmtu_disc'),
    int_entry('ip_nonlocal_bind', 'sysctl_ip_nonlocal_bind'),
    {
      // ipv4_local_port_range(): low <= high, and low not below ip_unprivileged_port_start.
      procname: 'ip_local_port_range',
      mode: 0o644,
      proc_handler: 'proc_dointvec_minmax',
      maxlen: 2,
      extra1: 1,
      extra2: 65535,
      validate: (v, net) => {
        const [low, high] = v as readonly number[];
        if (high! < low! || low! < ipv4(net).sysctl_ip_prot_sock) return -EINVAL;
        return 0;
      },
      data: {
        get: (net) => ipv4(net).ip_local_ports,
        set: (net, v) => {
          const a = v as readonly number[];
          ipv4(net).ip_local_ports = [a[0]!, a[1]!];
        },
      },
    },
    {
      // ipv4_privileged_ports(): 0..65535 and not above the start of the local port range.
      procname: 'ip_unprivileged_port_start',
      mode: 0o644,
      proc_handler: 'proc_dointvec_minmax',
      extra1: 0,
      extra2: 65535,
      validate: (v, net) => (ipv4(net).ip_local_ports[0] < (v as number) ? -EINVAL : 0),
      data: {
        get: (net) => ipv4(net).sysctl_ip_prot_sock,
        set: (net, v) => {
          ipv4(net).sysctl_ip_prot_sock = v as number;
        },
      },
    },
    {
      // ipv4_ping_group_range(): two gids; a reversed range becomes the empty "1 0".
      procname: 'ping_group_range',
      mode: 0o644,
      proc_handler: 'proc_douintvec',
      maxlen: 2,
      validate: (v) => {
        const [low, high] = v as readonly number[];
        return low! > 0xfffffffe || high! > 0xfffffffe ? -EINVAL : 0;
      },
      data: {
        get: (net) => ipv4(net).ping_group_range,
        set: (net, v) => {
          const [low, high] = v as readonly number[];
          ipv4(net).ping_group_range = high! < low! ? [1, 0] : [low!, high!];
        },
      },
    },
    int_entry('igmp_max_memberships', 'sysctl_igmp_max_memberships'),
    vec3('tcp_rmem', 'sysctl_tcp_rmem'),
    vec3('tcp_wmem', 'sysctl_tcp_wmem'),
    int_entry('tcp_reordering', 'sysctl_tcp_reordering'),
    int_entry('tcp_syn_retries', 'sysctl_tcp_syn_retries', 1, 127),
    int_entry('tcp_fin_timeout', 'sysctl_tcp_fin_timeout'),
    int_entry('tcp_keepalive_time', 'sysctl_tcp_keepalive_time', 1),
    int_entry('tcp_keepalive_intvl', 'sysctl_tcp_keepalive_intvl', 1),
    int_entry('tcp_keepalive_probes', 'sysctl_tcp_keepalive_probes'),
    int_entry('tcp_rto_min_us', 'sysctl_tcp_rto_min_us', 1),
    int_entry('tcp_rto_max_ms', 'sysctl_tcp_rto_max_ms', 1000, 120000),
    {
      // proc_tcp_congestion_control(): the name must be a registered algorithm (ENOENT otherwise).
      procname: 'tcp_congestion_control',
      mode: 0o644,
      proc_handler: 'proc_dostring',
      validate: (v) => (tcp_ca_find(String(v).trim()) === null ? -ENOENT : 0),
      data: {
        get: (net) => ipv4(net).tcp_congestion_control,
        set: (net, v) => {
          ipv4(net).tcp_congestion_control = String(v).trim();
        },
      },
    },
    {
      procname: 'tcp_available_congestion_control',
      mode: 0o444,
      proc_handler: 'proc_dostring',
      validate: () => -EINVAL,
      data: { get: () => 'reno cubic', set: () => {} },
    },
  ];
}
