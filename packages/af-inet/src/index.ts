/**
 * @ksock/af-inet — PF_INET for ksock: the `af_inet` module (alias net-pf-2) with inet_create over the
 * inetsw table, TCP, UDP, ping and raw socket creation, bind, listen, the net.ipv4 sysctls and
 * /proc/net/{tcp,udp,raw,sockstat}.
 */
import type { Kernel } from '@ksock/core';
import type { Module, ModuleDescriptor, Net } from '@ksock/core/kernel';
import { register_pernet_subsys, unregister_pernet_subsys } from '@ksock/core/kernel';
import { inet_exit, inet_init } from './af_inet.js';
import { ipv4_net_exit, ipv4_net_init } from './netns_ipv4.js';
import { raw_seq_show, sockstat_inet_show, tcp4_seq_show, udp4_seq_show, udplite4_seq_show } from './proc.js';
import { ipv4_net_table } from './sysctl_net_ipv4.js';
import { stream_impl, tcp_impl } from './tcp_loopback.js';

export * from './uapi/in.js';
export {
  INET_PROTOSW_ICSK,
  INET_PROTOSW_PERMANENT,
  INET_PROTOSW_REUSE,
  SK_CAN_REUSE,
  __inet_bind,
  inet_autobind,
  inet_bind,
  inet_create,
  inet_dgram_connect,
  inet_getname,
  inet_ioctl,
  inet_listen,
  inet_recvmsg,
  inet_register_protosw,
  inet_release,
  inet_sendmsg,
  inet_shutdown,
  inet_unregister_protosw,
  inetsw_list,
  sock_common_getsockopt,
  sock_common_setsockopt,
} from './af_inet.js';
export type { InetProtosw, InetStreamImpl } from './af_inet.js';
export { InetSock, inet_sk, inet_sock_destruct } from './inet_sock.js';
export {
  InetConnectionSock,
  inet_csk,
  inet_csk_get_port,
  inet_csk_listen_start,
  inet_hash,
  inet_put_port,
  inet_unhash,
} from './inet_connection_sock.js';
export type { InetConnectionSockAfOps, TcpCongestionOps } from './inet_connection_sock.js';
export {
  TcpSock,
  TCP_DELACK_MAX,
  TCP_INFINITE_SSTHRESH,
  TCP_INIT_CWND,
  TCP_MSS_DEFAULT,
  TCP_TIMEOUT_INIT,
  ipv4_specific,
  tcp_ca_find,
  tcp_close,
  tcp_init_sock,
  tcp_sk,
  tcp_v4_init_sock,
} from './tcp.js';
export { tcp_get_info, tcp_getsockopt, tcp_setsockopt } from './tcp_sockopt.js';
export {
  UdpSock,
  udp_init_sock,
  udp_lib_close,
  udp_recvmsg,
  udp_sendmsg,
  udp_v4_get_port,
  udplite_sk_init,
} from './udp.js';
export {
  inet_accept,
  inet_csk_accept,
  inet_stream_connect,
  tcp_recvmsg,
  tcp_sendmsg,
  tcp_v4_connect,
} from './tcp_loopback.js';
export { RawSock, raw_sk_init } from './raw.js';
export { PingSock, ping_init_sock } from './ping.js';
export { ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
export { NetnsIpv4, ipv4 } from './netns_ipv4.js';
export { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, inet_addr_type } from './fib.js';
export { raw_seq_show, sockstat_inet_show, tcp4_seq_show, udp4_seq_show, udplite4_seq_show } from './proc.js';
export { inet_state } from './state.js';

/** Per-namespace setup: ipv4_sysctl_init_net() and friends — a NetnsIpv4 with Linux's defaults. */
function inet_setup(kernel: Kernel): Array<() => void> | number {
  const undo: Array<() => void> = [];
  const pernet = {
    init(net: Net): number {
      ipv4_net_init(net);
      return 0;
    },
    exit(net: Net): void {
      ipv4_net_exit(net);
    },
  };
  const rc = register_pernet_subsys(kernel, pernet);
  if (rc < 0) return rc;
  undo.push(() => unregister_pernet_subsys(kernel, pernet));
  undo.push(kernel.sysctl.register('net/ipv4', ipv4_net_table(), true));
  undo.push(kernel.proc.create_net('tcp', tcp4_seq_show));
  undo.push(kernel.proc.create_net('udp', udp4_seq_show));
  undo.push(kernel.proc.create_net('udplite', udplite4_seq_show));
  undo.push(kernel.proc.create_net('raw', raw_seq_show));
  undo.push(kernel.proc.sockstat_register('inet', sockstat_inet_show));
  return undo;
}

/** The af_inet module: `modprobe af_inet`, or loaded on demand by socket(AF_INET, …) via "net-pf-2". */
export const af_inet: ModuleDescriptor = {
  name: 'af_inet',
  version: '0.1.0',
  abi: '1.0',
  aliases: ['net-pf-2'],
  description: 'PF_INET: TCP, UDP, ping and raw IPv4 sockets',
  license: 'MIT',
  init(kernel: Kernel, mod: Module): number {
    return inet_init(kernel, mod, { tcp: tcp_impl, stream: stream_impl, setup: inet_setup });
  },
  exit(kernel: Kernel): void {
    inet_exit(kernel);
  },
};

export default af_inet;
