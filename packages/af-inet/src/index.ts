/**
 * @ksock/af-inet — PF_INET for ksock: the `af_inet` module (alias net-pf-2) with inet_create over the
 * inetsw table, TCP, UDP, ping and raw socket creation, bind, listen, the net.ipv4 sysctls and
 * /proc/net/{tcp,udp,raw,sockstat}.
 *
 * For programs: the user-space constants (include/uapi/linux/in.h, tcp.h, udp.h) and the sockaddr_in
 * codecs. For other modules: inetsw registration (inet_register_protosw) and the inet socket calls and
 * socks a protocol built on it reuses. The default export is the array of its module descriptors, `[af_inet]`. Every name
 * is listed (see api.test.ts).
 */
import type { Kernel } from '@ksock/core';
import type { Module, Net, Unwind } from '@ksock/core/kernel';
import { defineModule, register_pernet_subsys, unregister_pernet_subsys } from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import { inet_exit, inet_init } from './af_inet.js';

export type { InetProtosw } from './af_inet.js';

import { ipv4_net_exit, ipv4_net_init } from './netns_ipv4.js';
import { raw_seq_show, sockstat_inet_show, tcp4_seq_show, udp4_seq_show, udplite4_seq_show } from './proc.js';
import { ipv4_net_table } from './sysctl_net_ipv4.js';

export {
  INET_PROTOSW_ICSK,
  INET_PROTOSW_PERMANENT,
  INET_PROTOSW_REUSE,
  inet_accept,
  inet_bind,
  inet_dgram_connect,
  inet_getname,
  inet_ioctl,
  inet_listen,
  inet_recvmsg,
  inet_register_protosw,
  inet_release,
  inet_sendmsg,
  inet_shutdown,
  inet_stream_connect,
  inet_unregister_protosw,
  sock_common_getsockopt,
  sock_common_setsockopt,
} from './af_inet.js';
export {
  InetConnectionSock,
  inet_csk,
  inet_csk_get_port,
  inet_hash,
  inet_put_port,
  inet_unhash,
} from './inet_connection_sock.js';
export {
  InetSock,
  inet_sk,
} from './inet_sock.js';
export {
  ip_getsockopt,
  ip_setsockopt,
} from './ip_sockglue.js';
export {
  TcpSock,
  tcp_sk,
} from './tcp.js';
export type { SockaddrIn } from './uapi/in.js';
export {
  ICMP_FILTER,
  INADDR_ANY,
  INADDR_BROADCAST,
  INADDR_LOOPBACK,
  INADDR_NONE,
  IP_ADD_MEMBERSHIP,
  IP_BIND_ADDRESS_NO_PORT,
  IP_CHECKSUM,
  IP_DROP_MEMBERSHIP,
  IP_FREEBIND,
  IP_HDRINCL,
  IP_LOCAL_PORT_RANGE,
  IP_MAX_MTU,
  IP_MINTTL,
  IP_MTU,
  IP_MTU_DISCOVER,
  IP_MULTICAST_ALL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_NODEFRAG,
  IP_OPTIONS,
  IP_PASSSEC,
  IP_PKTINFO,
  IP_PMTUDISC_DO,
  IP_PMTUDISC_DONT,
  IP_PMTUDISC_INTERFACE,
  IP_PMTUDISC_OMIT,
  IP_PMTUDISC_PROBE,
  IP_PMTUDISC_WANT,
  IP_PROTOCOL,
  IP_RECVERR,
  IP_RECVERR_RFC4884,
  IP_RECVFRAGSIZE,
  IP_RECVOPTS,
  IP_RECVORIGDSTADDR,
  IP_RECVTOS,
  IP_RECVTTL,
  IP_RETOPTS,
  IP_ROUTER_ALERT,
  IP_TOS,
  IP_TRANSPARENT,
  IP_TTL,
  IP_UNICAST_IF,
  IPPROTO_AGGFRAG,
  IPPROTO_AH,
  IPPROTO_BEETPH,
  IPPROTO_COMP,
  IPPROTO_DCCP,
  IPPROTO_EGP,
  IPPROTO_ENCAP,
  IPPROTO_ESP,
  IPPROTO_ETHERNET,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_IDP,
  IPPROTO_IGMP,
  IPPROTO_IP,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_L2TP,
  IPPROTO_MAX,
  IPPROTO_MPLS,
  IPPROTO_MPTCP,
  IPPROTO_MTP,
  IPPROTO_PIM,
  IPPROTO_PUP,
  IPPROTO_RAW,
  IPPROTO_RSVP,
  IPPROTO_SCTP,
  IPPROTO_SMC,
  IPPROTO_TCP,
  IPPROTO_TP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  inet_aton,
  inet_ntoa,
  ipv4_is_loopback,
  ipv4_is_multicast,
  parse_sockaddr_in,
  SOCKADDR_IN_SIZE,
  SOL_UDPLITE,
  sockaddr_in,
  TCP_CA_NAME_MAX,
  TCP_CC_INFO,
  TCP_CONGESTION,
  TCP_CORK,
  TCP_DEFER_ACCEPT,
  TCP_DELACK_MAX_US,
  TCP_FASTOPEN,
  TCP_FASTOPEN_CONNECT,
  TCP_FASTOPEN_KEY,
  TCP_FASTOPEN_NO_COOKIE,
  TCP_INFO,
  TCP_INFO_SIZE,
  TCP_INQ,
  TCP_IS_MPTCP,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_LINGER2,
  TCP_MAXSEG,
  TCP_MD5SIG,
  TCP_MD5SIG_EXT,
  TCP_MD5SIG_FLAG_IFINDEX,
  TCP_MD5SIG_FLAG_PREFIX,
  TCP_MD5SIG_MAXKEYLEN,
  TCP_MD5SIG_SIZE,
  TCP_NO_QUEUE,
  TCP_NODELAY,
  TCP_NOTSENT_LOWAT,
  TCP_QUEUE_SEQ,
  TCP_QUEUES_NR,
  TCP_QUICKACK,
  TCP_RECV_QUEUE,
  TCP_REPAIR,
  TCP_REPAIR_OFF,
  TCP_REPAIR_OFF_NO_WP,
  TCP_REPAIR_ON,
  TCP_REPAIR_OPT_SIZE,
  TCP_REPAIR_OPTIONS,
  TCP_REPAIR_QUEUE,
  TCP_REPAIR_WINDOW,
  TCP_REPAIR_WINDOW_SIZE,
  TCP_RTO_MAX_MS,
  TCP_RTO_MIN_US,
  TCP_SAVE_SYN,
  TCP_SAVED_SYN,
  TCP_SEND_QUEUE,
  TCP_SYNCNT,
  TCP_THIN_DUPACK,
  TCP_THIN_LINEAR_TIMEOUTS,
  TCP_TIMESTAMP,
  TCP_TX_DELAY,
  TCP_ULP,
  TCP_USER_TIMEOUT,
  TCP_WINDOW_CLAMP,
  TCP_ZC_END_INQ,
  TCP_ZC_END_LENGTH,
  TCP_ZC_END_MSG_FLAGS,
  TCP_ZC_ENDS_ERR,
  TCP_ZEROCOPY_RECEIVE,
  TCP_ZEROCOPY_RECEIVE_SIZE,
  UDP_CORK,
  UDP_ENCAP,
  UDP_ENCAP_ESPINUDP,
  UDP_GRO,
  UDP_NO_CHECK6_RX,
  UDP_NO_CHECK6_TX,
  UDP_SEGMENT,
  UDPLITE_RECV_CSCOV,
  UDPLITE_SEND_CSCOV,
} from './uapi/in.js';
export { UdpSock } from './udp.js';

/** Per-namespace setup: ipv4_sysctl_init_net() and friends — a NetnsIpv4 with Linux's defaults. */
function inet_setup(kernel: Kernel, unwind: Unwind): number {
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
  unwind.push(() => unregister_pernet_subsys(kernel, pernet));
  unwind.push(kernel.sysctl.register('net/ipv4', ipv4_net_table(), true));
  unwind.push(kernel.proc.create_net('tcp', tcp4_seq_show));
  unwind.push(kernel.proc.create_net('udp', udp4_seq_show));
  unwind.push(kernel.proc.create_net('udplite', udplite4_seq_show));
  unwind.push(kernel.proc.create_net('raw', raw_seq_show));
  unwind.push(kernel.proc.sockstat_register('inet', sockstat_inet_show));
  return 0;
}

/** The af_inet module: `modprobe af_inet`, or loaded on demand by socket(AF_INET, …) via "net-pf-2". */
export const af_inet = defineModule({
  name: 'af_inet',
  version: pkg.version,
  abi: '1.0',
  aliases: ['net-pf-2'],
  description: 'PF_INET: TCP, UDP, ping and raw IPv4 sockets',
  license: 'MIT',
  init(kernel: Kernel, mod: Module): number {
    return inet_init(kernel, mod, { setup: inet_setup });
  },
  exit(kernel: Kernel): void {
    inet_exit(kernel);
  },
});

/** The modules this package ships: `af_inet` (net-pf-2). */
const modules = [af_inet];
export default modules;
