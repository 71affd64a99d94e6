/**
 * include/uapi/linux/in.h, tcp.h and icmp.h: struct sockaddr_in and the SOL_IP / SOL_TCP / SOL_RAW option
 * numbers (x86-64 values). The IPv4 protocol numbers are core's (in.h is global), re-exported here.
 */
import { AF_INET, EAFNOSUPPORT, EINVAL } from '@ksock/core';

export {
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
} from '@ksock/core';

/** Addresses are kept in host order (as core's ifa_local is): 127.0.0.1 is 0x7f000001. */
export const INADDR_ANY = 0x00000000;
export const INADDR_BROADCAST = 0xffffffff;
export const INADDR_LOOPBACK = 0x7f000001;
export const INADDR_NONE = 0xffffffff;

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;

/** SOL_IP options. */
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_HDRINCL = 3;
export const IP_OPTIONS = 4;
export const IP_ROUTER_ALERT = 5;
export const IP_RECVOPTS = 6;
export const IP_RETOPTS = 7;
export const IP_PKTINFO = 8;
export const IP_MTU_DISCOVER = 10;
export const IP_RECVERR = 11;
export const IP_RECVTTL = 12;
export const IP_RECVTOS = 13;
export const IP_MTU = 14;
export const IP_FREEBIND = 15;
export const IP_PASSSEC = 18;
export const IP_TRANSPARENT = 19;
export const IP_RECVORIGDSTADDR = 20;
export const IP_MINTTL = 21;
export const IP_NODEFRAG = 22;
export const IP_CHECKSUM = 23;
export const IP_BIND_ADDRESS_NO_PORT = 24;
export const IP_RECVFRAGSIZE = 25;
export const IP_RECVERR_RFC4884 = 26;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IP_MULTICAST_ALL = 49;
export const IP_UNICAST_IF = 50;
export const IP_LOCAL_PORT_RANGE = 51;
export const IP_PROTOCOL = 52;

/** The largest MTU IPv4 reports (IP_MAX_MTU, include/net/ip.h): dst_mtu() caps lo's 65536 at it. */
export const IP_MAX_MTU = 0xffff;

/** IP_MTU_DISCOVER values. */
export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;
export const IP_PMTUDISC_PROBE = 3;
export const IP_PMTUDISC_INTERFACE = 4;
export const IP_PMTUDISC_OMIT = 5;

/** SOL_TCP options (include/uapi/linux/tcp.h). */
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_SYNCNT = 7;
export const TCP_LINGER2 = 8;
export const TCP_DEFER_ACCEPT = 9;
export const TCP_WINDOW_CLAMP = 10;
export const TCP_INFO = 11;
export const TCP_QUICKACK = 12;
export const TCP_CONGESTION = 13;
export const TCP_MD5SIG = 14;
export const TCP_THIN_LINEAR_TIMEOUTS = 16;
export const TCP_THIN_DUPACK = 17;
export const TCP_USER_TIMEOUT = 18;
export const TCP_REPAIR = 19;
export const TCP_REPAIR_QUEUE = 20;
export const TCP_QUEUE_SEQ = 21;
export const TCP_REPAIR_OPTIONS = 22;
export const TCP_FASTOPEN = 23;
export const TCP_TIMESTAMP = 24;
export const TCP_NOTSENT_LOWAT = 25;
export const TCP_CC_INFO = 26;
export const TCP_SAVE_SYN = 27;
export const TCP_SAVED_SYN = 28;
export const TCP_REPAIR_WINDOW = 29;
export const TCP_FASTOPEN_CONNECT = 30;
export const TCP_ULP = 31;
export const TCP_MD5SIG_EXT = 32;
export const TCP_FASTOPEN_KEY = 33;
export const TCP_FASTOPEN_NO_COOKIE = 34;
export const TCP_ZEROCOPY_RECEIVE = 35;
export const TCP_INQ = 36;
export const TCP_TX_DELAY = 37;
export const TCP_IS_MPTCP = 43;
export const TCP_RTO_MAX_MS = 44;
export const TCP_RTO_MIN_US = 45;
export const TCP_DELACK_MAX_US = 46;
/** TCP_REPAIR values. */
export const TCP_REPAIR_ON = 1;
export const TCP_REPAIR_OFF = 0;
export const TCP_REPAIR_OFF_NO_WP = -1;
/** TCP_REPAIR_QUEUE values. */
export const TCP_NO_QUEUE = 0;
export const TCP_RECV_QUEUE = 1;
export const TCP_SEND_QUEUE = 2;
export const TCP_QUEUES_NR = 3;
/** sizeof(struct tcp_repair_opt) and sizeof(struct tcp_repair_window). */
export const TCP_REPAIR_OPT_SIZE = 8;
export const TCP_REPAIR_WINDOW_SIZE = 20;
/** struct tcp_md5sig: sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80] (216 bytes). */
export const TCP_MD5SIG_SIZE = 216;
export const TCP_MD5SIG_MAXKEYLEN = 80;
export const TCP_MD5SIG_FLAG_PREFIX = 0x1;
export const TCP_MD5SIG_FLAG_IFINDEX = 0x2;
/** sizeof(struct tcp_zerocopy_receive) on Linux 6.18, and offsetofend() of its fields a caller may stop at. */
export const TCP_ZEROCOPY_RECEIVE_SIZE = 64;
export const TCP_ZC_END_LENGTH = 12;
export const TCP_ZC_END_INQ = 20;
export const TCP_ZC_END_MSG_FLAGS = 60;
/** offsetofend() of err, copybuf_address, copybuf_len, flags, msg_control and msg_controllen. */
export const TCP_ZC_ENDS_ERR: readonly number[] = [24, 32, 36, 40, 48, 56];
/** TCP_CA_NAME_MAX: congestion control names are at most 15 characters plus NUL. */
export const TCP_CA_NAME_MAX = 16;
/** sizeof(struct tcp_info) on Linux 6.18 (measured on the host: 280 bytes). */
export const TCP_INFO_SIZE = 280;

/** SOL_UDP options. */
export const UDP_CORK = 1;
export const UDP_ENCAP = 100;
export const UDP_NO_CHECK6_TX = 101;
export const UDP_NO_CHECK6_RX = 102;
export const UDP_SEGMENT = 103;
export const UDP_GRO = 104;
/** UDP_ENCAP types: the only one Linux 6.18 still accepts besides 0 (include/uapi/linux/udp.h). */
export const UDP_ENCAP_ESPINUDP = 2;
/** SOL_UDPLITE and its checksum-coverage options (include/net/udplite.h). */
export const SOL_UDPLITE = 136;
export const UDPLITE_SEND_CSCOV = 10;
export const UDPLITE_RECV_CSCOV = 11;

/** SOL_RAW options (include/uapi/linux/icmp.h). */
export const ICMP_FILTER = 1;

/** Encode a struct sockaddr_in: family (host order u16), port and address in network order, 8 zero bytes. */
export function sockaddr_in(addr: number | string, port: number, family: number = AF_INET): Uint8Array {
  const b = new Uint8Array(SOCKADDR_IN_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, family, true);
  dv.setUint16(2, port, false);
  dv.setUint32(4, typeof addr === 'string' ? inet_aton(addr) : addr >>> 0, false);
  return b;
}

/** A decoded struct sockaddr_in. */
export interface SockaddrIn {
  family: number;
  port: number;
  /** Host-order IPv4 address. */
  addr: number;
}

/** Decode the first 16 bytes of a sockaddr_in (callers check the length first). */
export function parse_sockaddr_in(b: Uint8Array): SockaddrIn {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    family: b.length >= 2 ? dv.getUint16(0, true) : 0,
    port: b.length >= 4 ? dv.getUint16(2, false) : 0,
    addr: b.length >= 8 ? dv.getUint32(4, false) : 0,
  };
}

/** Validate and decode like the start of __inet_bind(): EINVAL if short, EAFNOSUPPORT for another family. */
export function sockaddr_in_from_user(b: Uint8Array): SockaddrIn | number {
  if (b.length < SOCKADDR_IN_SIZE) return -EINVAL;
  const a = parse_sockaddr_in(b);
  if (a.family !== AF_INET) return -EAFNOSUPPORT;
  return a;
}

/** Dotted quad → host-order u32; throws on malformed input (it is a host-side helper, not a syscall). */
export function inet_aton(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) throw new TypeError(`ksock: not an IPv4 address: ${s}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new TypeError(`ksock: not an IPv4 address: ${s}`);
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

/** Host-order u32 → dotted quad. */
export function inet_ntoa(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** ipv4_is_multicast(): 224.0.0.0/4. */
export function ipv4_is_multicast(a: number): boolean {
  return (a & 0xf0000000) >>> 0 === 0xe0000000;
}

/** ipv4_is_loopback(): 127.0.0.0/8. */
export function ipv4_is_loopback(a: number): boolean {
  return a >>> 24 === 127;
}
