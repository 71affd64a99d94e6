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
  IPPROTO_IP,
  IPPROTO_ICMP,
  IPPROTO_IGMP,
  IPPROTO_IPIP,
  IPPROTO_TCP,
  IPPROTO_EGP,
  IPPROTO_PUP,
  IPPROTO_UDP,
  IPPROTO_IDP,
  IPPROTO_TP,
  IPPROTO_DCCP,
  IPPROTO_IPV6,
  IPPROTO_RSVP,
  IPPROTO_GRE,
  IPPROTO_ESP,
  IPPROTO_AH,
  IPPROTO_MTP,
  IPPROTO_BEETPH,
  IPPROTO_ENCAP,
  IPPROTO_PIM,
  IPPROTO_COMP,
  IPPROTO_L2TP,
  IPPROTO_SCTP,
  IPPROTO_UDPLITE,
  IPPROTO_MPLS,
  IPPROTO_ETHERNET,
  IPPROTO_AGGFRAG,
  IPPROTO_RAW,
  IPPROTO_SMC,
  IPPROTO_MPTCP,
  IPPROTO_MAX,
  INADDR_ANY,
  INADDR_BROADCAST,
  INADDR_LOOPBACK,
  INADDR_NONE,
  SOCKADDR_IN_SIZE,
  IP_TOS,
  IP_TTL,
  IP_HDRINCL,
  IP_OPTIONS,
  IP_ROUTER_ALERT,
  IP_RECVOPTS,
  IP_RETOPTS,
  IP_PKTINFO,
  IP_MTU_DISCOVER,
  IP_RECVERR,
  IP_RECVTTL,
  IP_RECVTOS,
  IP_MTU,
  IP_FREEBIND,
  IP_PASSSEC,
  IP_TRANSPARENT,
  IP_RECVORIGDSTADDR,
  IP_MINTTL,
  IP_NODEFRAG,
  IP_CHECKSUM,
  IP_BIND_ADDRESS_NO_PORT,
  IP_RECVFRAGSIZE,
  IP_RECVERR_RFC4884,
  IP_MULTICAST_IF,
  IP_MULTICAST_TTL,
  IP_MULTICAST_LOOP,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_ALL,
  IP_UNICAST_IF,
  IP_LOCAL_PORT_RANGE,
  IP_PROTOCOL,
  IP_MAX_MTU,
  IP_PMTUDISC_DONT,
  IP_PMTUDISC_WANT,
  IP_PMTUDISC_DO,
  IP_PMTUDISC_PROBE,
  IP_PMTUDISC_INTERFACE,
  IP_PMTUDISC_OMIT,
  TCP_NODELAY,
  TCP_MAXSEG,
  TCP_CORK,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_KEEPCNT,
  TCP_SYNCNT,
  TCP_LINGER2,
  TCP_DEFER_ACCEPT,
  TCP_WINDOW_CLAMP,
  TCP_INFO,
  TCP_QUICKACK,
  TCP_CONGESTION,
  TCP_MD5SIG,
  TCP_THIN_LINEAR_TIMEOUTS,
  TCP_THIN_DUPACK,
  TCP_USER_TIMEOUT,
  TCP_REPAIR,
  TCP_REPAIR_QUEUE,
  TCP_QUEUE_SEQ,
  TCP_REPAIR_OPTIONS,
  TCP_FASTOPEN,
  TCP_TIMESTAMP,
  TCP_NOTSENT_LOWAT,
  TCP_CC_INFO,
  TCP_SAVE_SYN,
  TCP_SAVED_SYN,
  TCP_REPAIR_WINDOW,
  TCP_FASTOPEN_CONNECT,
  TCP_ULP,
  TCP_MD5SIG_EXT,
  TCP_FASTOPEN_KEY,
  TCP_FASTOPEN_NO_COOKIE,
  TCP_ZEROCOPY_RECEIVE,
  TCP_INQ,
  TCP_TX_DELAY,
  TCP_IS_MPTCP,
  TCP_RTO_MAX_MS,
  TCP_RTO_MIN_US,
  TCP_DELACK_MAX_US,
  TCP_REPAIR_ON,
  TCP_REPAIR_OFF,
  TCP_REPAIR_OFF_NO_WP,
  TCP_NO_QUEUE,
  TCP_RECV_QUEUE,
  TCP_SEND_QUEUE,
  TCP_QUEUES_NR,
  TCP_REPAIR_OPT_SIZE,
  TCP_REPAIR_WINDOW_SIZE,
  TCP_MD5SIG_SIZE,
  TCP_MD5SIG_MAXKEYLEN,
  TCP_MD5SIG_FLAG_PREFIX,
  TCP_MD5SIG_FLAG_IFINDEX,
  TCP_ZEROCOPY_RECEIVE_SIZE,
  TCP_ZC_END_LENGTH,
  TCP_ZC_END_INQ,
  TCP_ZC_END_MSG_FLAGS,
  TCP_ZC_ENDS_ERR,
  TCP_CA_NAME_MAX,
  TCP_INFO_SIZE,
  UDP_CORK,
  UDP_ENCAP,
  UDP_NO_CHECK6_TX,
  UDP_NO_CHECK6_RX,
  UDP_SEGMENT,
  UDP_GRO,
  UDP_ENCAP_ESPINUDP,
  SOL_UDPLITE,
  UDPLITE_SEND_CSCOV,
  UDPLITE_RECV_CSCOV,
  ICMP_FILTER,
  sockaddr_in,
  parse_sockaddr_in,
  inet_aton,
  inet_ntoa,
  ipv4_is_multicast,
  ipv4_is_loopback,
} from './uapi/in.js';
export type { SockaddrIn } from './uapi/in.js';
export {
  INET_PROTOSW_ICSK,
  INET_PROTOSW_PERMANENT,
  INET_PROTOSW_REUSE,
  inet_register_protosw,
  inet_unregister_protosw,
  inet_release,
  inet_bind,
  inet_dgram_connect,
  inet_getname,
  inet_ioctl,
  inet_listen,
  inet_shutdown,
  inet_sendmsg,
  inet_recvmsg,
  sock_common_getsockopt,
  sock_common_setsockopt,
  inet_stream_connect,
  inet_accept,
} from './af_inet.js';
export {
  ip_getsockopt,
  ip_setsockopt,
} from './ip_sockglue.js';
export {
  InetSock,
  inet_sk,
} from './inet_sock.js';
export {
  InetConnectionSock,
  inet_csk,
  inet_csk_get_port,
  inet_hash,
  inet_unhash,
  inet_put_port,
} from './inet_connection_sock.js';
export {
  TcpSock,
  tcp_sk,
} from './tcp.js';
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
