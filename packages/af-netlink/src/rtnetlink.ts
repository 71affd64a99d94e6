/**
 * NETLINK_ROUTE (net/core/rtnetlink.c, net/ipv4/devinet.c): one kernel socket per namespace, RTM_GETLINK
 * dump and get, RTM_NEWLINK / RTM_DELLINK of dummy devices, RTM_GETADDR dump, and RTNLGRP_LINK /
 * RTNLGRP_IPV4_IFADDR notifications, with attributes laid out as Linux 6.18 lays them out.
 */
import {
  AF_INET,
  AF_UNSPEC,
  ARPHRD_ETHER,
  CAP_NET_ADMIN,
  EADDRNOTAVAIL,
  EEXIST,
  EINVAL,
  EMSGSIZE,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EPERM,
  IF_OPER_DOWN,
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_NOARP,
  IFF_UP,
  IFNAMSIZ,
  type Kernel,
} from '@ksock/core';
import {
  defineModule,
  dev_change_flags,
  dev_get_by_index,
  dev_get_by_name,
  type Fmt,
  get_random_bytes,
  IFA_F_PERMANENT,
  type InIfaddr,
  inet_del_ifa,
  inet_insert_ifa,
  type Module,
  NETDEV_ADDR_ADD,
  NETDEV_ADDR_DEL,
  NETDEV_CHANGE,
  NETDEV_CHANGEMTU,
  NETDEV_CHANGENAME,
  NETDEV_DOWN,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_UP,
  type Net,
  NetDevice,
  ns_capable,
  type PernetOperations,
  perKernel,
  perNet,
  register_netdevice,
  register_netdevice_notifier,
  register_pernet_subsys,
  type SkBuff,
  tracepoint,
  Unwind,
  unregister_netdevice,
  unregister_pernet_subsys,
} from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import {
  NETLINK_CB,
  type NetlinkCallback,
  type NetlinkExtAck,
  type NetlinkSock,
  type NlDumpSkb,
  netlink_dump_start,
  netlink_kernel_create,
  netlink_kernel_release,
  netlink_net_capable,
  netlink_rcv_skb,
  nlmsg_notify,
  nlmsg_unicast,
} from './af_netlink.js';
import {
  NLA_S32,
  NLA_STRING,
  NLA_U8,
  NLA_U32,
  NLA_UNSPEC,
  type NlaFound,
  type NlaPolicy,
  type NlSkb,
  nla_nest_cancel,
  nla_nest_end,
  nla_nest_start,
  nla_nest_start_noflag,
  nla_put,
  nla_put_in_addr,
  nla_put_string,
  nla_put_u8,
  nla_put_u16,
  nla_put_u32,
  nla_reserve,
  nla_total_size,
  nlmsg_cancel,
  nlmsg_end,
  nlmsg_new,
  nlmsg_parse_deprecated,
  nlmsg_put,
  nlmsg_total_size,
  put_unaligned_le16,
  put_unaligned_le32,
  put_unaligned_le64,
  skb_bytes,
  strlen,
} from './nlattr.js';
import {
  NETLINK_ROUTE,
  NL_CFG_F_NONROOT_RECV,
  NLA_ALIGN,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLM_F_BULK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REPLACE,
  NLMSG_ALIGN,
  NLMSG_GOODSIZE,
  NLMSG_HDRLEN,
  type NlAttr,
  type NlMsgHdr,
  nla_find,
  nla_get_string,
  nla_get_u32,
  nla_parse,
} from './uapi.js';

// ---- include/uapi/linux/rtnetlink.h -------------------------------------------------------------------
export const RTM_BASE = 16;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
/** RTM_MAX: (((__RTM_MAX + 3) & ~3) − 1) with __RTM_MAX = 123 (RTM_GETTUNNEL + 1). */
export const RTM_MAX = 123;

export const RTNLGRP_NONE = 0;
export const RTNLGRP_LINK = 1;
export const RTNLGRP_NOTIFY = 2;
export const RTNLGRP_NEIGH = 3;
export const RTNLGRP_TC = 4;
export const RTNLGRP_IPV4_IFADDR = 5;
export const RTNLGRP_IPV4_MROUTE = 6;
export const RTNLGRP_IPV4_ROUTE = 7;
export const RTNLGRP_IPV4_RULE = 8;
export const RTNLGRP_IPV6_IFADDR = 9;
export const RTNLGRP_IPV4_MROUTE_R = 30;
export const RTNLGRP_IPV6_MROUTE_R = 31;
/** RTNLGRP_MAX as observed on Linux 6.18 (version dependent). */
export const RTNLGRP_MAX = 39;

// include/uapi/linux/if_link.h
export const IFLA_UNSPEC = 0;
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_QDISC = 6;
export const IFLA_STATS = 7;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_MAP = 14;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKMODE = 17;
export const IFLA_LINKINFO = 18;
export const IFLA_IFALIAS = 20;
export const IFLA_STATS64 = 23;
export const IFLA_AF_SPEC = 26;
export const IFLA_GROUP = 27;
export const IFLA_PROMISCUITY = 30;
export const IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32;
export const IFLA_CARRIER = 33;
export const IFLA_CARRIER_CHANGES = 35;
export const IFLA_PROTO_DOWN = 39;
export const IFLA_GSO_MAX_SEGS = 40;
export const IFLA_GSO_MAX_SIZE = 41;
export const IFLA_XDP = 43;
export const IFLA_CARRIER_UP_COUNT = 47;
export const IFLA_CARRIER_DOWN_COUNT = 48;
export const IFLA_MIN_MTU = 50;
export const IFLA_MAX_MTU = 51;
export const IFLA_ALT_IFNAME = 53;
export const IFLA_GRO_MAX_SIZE = 58;
export const IFLA_TSO_MAX_SIZE = 59;
export const IFLA_TSO_MAX_SEGS = 60;
export const IFLA_ALLMULTI = 61;
export const IFLA_DEVLINK_PORT = 62;
export const IFLA_GSO_IPV4_MAX_SIZE = 63;
export const IFLA_GRO_IPV4_MAX_SIZE = 64;
export const IFLA_DPLL_PIN = 65;
export const IFLA_MAX_PACING_OFFLOAD_HORIZON = 66;
export const IFLA_NETNS_IMMUTABLE = 67;
export const IFLA_HEADROOM = 68;
export const IFLA_TAILROOM = 69;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_XDP_ATTACHED = 2;

// include/uapi/linux/if_addr.h
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_ANYCAST = 5;
export const IFA_CACHEINFO = 6;
export const IFA_MULTICAST = 7;
export const IFA_FLAGS = 8;
export const IFA_RT_PRIORITY = 9;
export const IFA_TARGET_NETNSID = 10;
export const IFA_PROTO = 11;
export const IFA_MAX = 11;
export const INFINITY_LIFE_TIME = 0xffffffff;
/** IFA_F_SECONDARY and IFA_F_PERMANENT come from core (where the addresses are); these two are rtnetlink's. */
const IFA_F_DEPRECATED = 0x20;
const IFA_F_NOPREFIXROUTE = 0x200;

/** sizeof(struct ifinfomsg), sizeof(struct ifaddrmsg). */
export const IFINFOMSG_SIZE = 16;
export const IFADDRMSG_SIZE = 8;

export interface IfInfoMsg {
  ifi_family: number;
  ifi_type: number;
  ifi_index: number;
  ifi_flags: number;
  ifi_change: number;
}

/** Encode struct ifinfomsg: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change. */
export function ifinfomsg(m: Partial<IfInfoMsg> = {}): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, m.ifi_family ?? AF_UNSPEC);
  dv.setUint16(2, m.ifi_type ?? 0, true);
  dv.setInt32(4, m.ifi_index ?? 0, true);
  dv.setUint32(8, (m.ifi_flags ?? 0) >>> 0, true);
  dv.setUint32(12, (m.ifi_change ?? 0) >>> 0, true);
  return b;
}

export function decode_ifinfomsg(b: Uint8Array): IfInfoMsg {
  const dv = new DataView(b.buffer, b.byteOffset, IFINFOMSG_SIZE);
  return {
    ifi_family: dv.getUint8(0),
    ifi_type: dv.getUint16(2, true),
    ifi_index: dv.getInt32(4, true),
    ifi_flags: dv.getUint32(8, true),
    ifi_change: dv.getUint32(12, true),
  };
}

/** Encode struct ifaddrmsg: family, prefixlen, flags, scope (u8 each), u32 index. */
export function ifaddrmsg(family: number, prefixlen = 0, flags = 0, scope = 0, index = 0): Uint8Array {
  const b = Uint8Array.of(family, prefixlen, flags & 0xff, scope, 0, 0, 0, 0);
  new DataView(b.buffer).setUint32(4, index >>> 0, true);
  return b;
}

// ---- state ----------------------------------------------------------------------------------------
interface RtnlState {
  mod: Module;
  pernet: PernetOperations;
  unreg_notifier: () => void;
  /**
   * The request whose handler is changing addresses: its sender's portid and the header, which Linux
   * passes down through __inet_insert_ifa() / __inet_del_ifa() to rtmsg_ifa(), so the notification
   * carries the requester's pid and seq. Null for changes made from elsewhere (pid 0, seq 0).
   */
  req: { portid: number; nlh: NlMsgHdr } | null;
}
const states = perKernel<RtnlState>();
/** Each namespace's rtnl kernel socket: net->rtnl. */
const rtnl = perNet<NetlinkSock>();

/** The namespace's rtnl kernel socket (net->rtnl), or null. */
export function rtnl_sock(net: Net): NetlinkSock | null {
  return rtnl.get(net) ?? null;
}

// ---- message builders -----------------------------------------------------------------------------
/** MAX_ADDR_LEN (include/linux/netdevice.h). */
const MAX_ADDR_LEN = 32;
/** sizeof(struct rtnl_link_stats64), sizeof(struct rtnl_link_stats), sizeof(struct rtnl_link_ifmap). */
const RTNL_LINK_STATS64_SIZE = 25 * 8;
const RTNL_LINK_STATS_SIZE = 24 * 4;
const RTNL_LINK_IFMAP_SIZE = 32;
/** sizeof(struct ifa_cacheinfo). */
const IFA_CACHEINFO_SIZE = 16;

/**
 * Mirrors if_nlmsg_size(): the kernel's bound for each attribute ksock's rtnl_fill_ifinfo() puts (names
 * up to IFNAMSIZ, addresses up to MAX_ADDR_LEN), so a message built in a buffer of this size never fails.
 * Stats need no IFLA_PAD on x86-64 (efficient unaligned access), so nla_total_size_64bit() is
 * nla_total_size().
 */
export function if_nlmsg_size(dev: NetDevice): number {
  let size =
    NLMSG_ALIGN(IFINFOMSG_SIZE) +
    nla_total_size(IFNAMSIZ) + // IFLA_IFNAME
    nla_total_size(IFNAMSIZ) + // IFLA_QDISC
    nla_total_size(RTNL_LINK_IFMAP_SIZE) + // IFLA_MAP
    nla_total_size(RTNL_LINK_STATS_SIZE) + // IFLA_STATS
    nla_total_size(RTNL_LINK_STATS64_SIZE) + // IFLA_STATS64
    nla_total_size(MAX_ADDR_LEN) * 2 + // IFLA_ADDRESS, IFLA_BROADCAST
    // IFLA_TXQLEN, _MTU, _MIN_MTU, _MAX_MTU, _GROUP, _PROMISCUITY, _ALLMULTI, _NUM_TX_QUEUES,
    // _GSO_MAX_SEGS, _GSO_MAX_SIZE, _GRO_MAX_SIZE, _GSO_IPV4_MAX_SIZE, _GRO_IPV4_MAX_SIZE, _TSO_MAX_SIZE,
    // _TSO_MAX_SEGS, _MAX_PACING_OFFLOAD_HORIZON, _NUM_RX_QUEUES, _CARRIER_CHANGES, _CARRIER_UP_COUNT,
    // _CARRIER_DOWN_COUNT
    nla_total_size(4) * 20 +
    nla_total_size(2) * 2 + // IFLA_HEADROOM, IFLA_TAILROOM
    nla_total_size(1) * 5 + // IFLA_OPERSTATE, IFLA_LINKMODE, IFLA_NETNS_IMMUTABLE, IFLA_CARRIER, IFLA_PROTO_DOWN
    nla_total_size(0) + // IFLA_XDP (rtnl_xdp_size)
    nla_total_size(1) + //   IFLA_XDP_ATTACHED
    nla_total_size(0) + // IFLA_AF_SPEC (rtnl_link_get_af_size())
    nla_total_size(0) + //   AF_INET
    nla_total_size(IPV4_DEVCONF_MAX * 4) + //     IFLA_INET_CONF (inet_get_link_af_size())
    nla_total_size(0) + // IFLA_DEVLINK_PORT
    nla_total_size(0); // IFLA_DPLL_PIN
  // rtnl_link_get_size(): IFLA_LINKINFO and its IFLA_INFO_KIND.
  if (dev.kind !== null) size += nla_total_size(NLA_HDRLEN) + nla_total_size(strlen(dev.kind) + 1);
  return size;
}

/**
 * Mirrors rtnl_fill_stats(): IFLA_STATS64 (struct rtnl_link_stats64) then IFLA_STATS (struct
 * rtnl_link_stats, the same counters cut to 32 bits), reserved in place and filled field by field. ksock
 * keeps the first eight counters; the rest are 0, as dev_get_stats() leaves what a driver does not count.
 */
function rtnl_fill_stats(skb: NlSkb, dev: NetDevice): number {
  const s = dev.stats;
  let nla = nla_reserve(skb, IFLA_STATS64, RTNL_LINK_STATS64_SIZE);
  if (nla < 0) return -EMSGSIZE;
  const b = skb.data;
  let p = nla + NLA_HDRLEN;
  put_unaligned_le64(b, p, s.rx_packets);
  put_unaligned_le64(b, p + 8, s.tx_packets);
  put_unaligned_le64(b, p + 16, s.rx_bytes);
  put_unaligned_le64(b, p + 24, s.tx_bytes);
  put_unaligned_le64(b, p + 32, s.rx_errors);
  put_unaligned_le64(b, p + 40, s.tx_errors);
  put_unaligned_le64(b, p + 48, s.rx_dropped);
  put_unaligned_le64(b, p + 56, s.tx_dropped);
  b.fill(0, p + 64, p + RTNL_LINK_STATS64_SIZE);
  // copy_rtnl_link_stats(): the 32-bit copy.
  nla = nla_reserve(skb, IFLA_STATS, RTNL_LINK_STATS_SIZE);
  if (nla < 0) return -EMSGSIZE;
  p = nla + NLA_HDRLEN;
  put_unaligned_le32(b, p, s.rx_packets);
  put_unaligned_le32(b, p + 4, s.tx_packets);
  put_unaligned_le32(b, p + 8, s.rx_bytes);
  put_unaligned_le32(b, p + 12, s.tx_bytes);
  put_unaligned_le32(b, p + 16, s.rx_errors);
  put_unaligned_le32(b, p + 20, s.tx_errors);
  put_unaligned_le32(b, p + 24, s.rx_dropped);
  put_unaligned_le32(b, p + 28, s.tx_dropped);
  b.fill(0, p + 32, p + RTNL_LINK_STATS_SIZE);
  return 0;
}

/** Mirrors rtnl_xdp_fill(): IFLA_XDP (a nest without NLA_F_NESTED) saying no program is attached. */
function rtnl_xdp_fill(skb: NlSkb): number {
  const xdp = nla_nest_start_noflag(skb, IFLA_XDP);
  if (xdp < 0) return -EMSGSIZE;
  if (nla_put_u8(skb, IFLA_XDP_ATTACHED, 0)) {
    nla_nest_cancel(skb, xdp);
    return -EMSGSIZE;
  }
  nla_nest_end(skb, xdp);
  return 0;
}

/** Mirrors rtnl_link_fill(): IFLA_LINKINFO (no NLA_F_NESTED) with the driver's IFLA_INFO_KIND. */
function rtnl_link_fill(skb: NlSkb, kind: string): number {
  const linkinfo = nla_nest_start_noflag(skb, IFLA_LINKINFO);
  if (linkinfo < 0) return -EMSGSIZE;
  if (nla_put_string(skb, IFLA_INFO_KIND, kind)) {
    nla_nest_cancel(skb, linkinfo);
    return -EMSGSIZE;
  }
  nla_nest_end(skb, linkinfo);
  return 0;
}

/** Mirrors rtnl_fill_link_ifmap(): struct rtnl_link_ifmap, all zero (ksock devices have no I/O map). */
function rtnl_fill_link_ifmap(skb: NlSkb): number {
  const nla = nla_reserve(skb, IFLA_MAP, RTNL_LINK_IFMAP_SIZE);
  if (nla < 0) return -EMSGSIZE;
  skb.data.fill(0, nla + NLA_HDRLEN, nla + NLA_HDRLEN + RTNL_LINK_IFMAP_SIZE);
  return 0;
}

/** An empty nest (rtnl_fill_devlink_port(), rtnl_fill_dpll_pin() for a device without either). */
function rtnl_fill_empty_nest(skb: NlSkb, attrtype: number): number {
  const nest = nla_nest_start(skb, attrtype);
  if (nest < 0) return -EMSGSIZE;
  nla_nest_end(skb, nest);
  return 0;
}

/** IPV4_DEVCONF_MAX (include/uapi/linux/ip.h): the entries of IFLA_INET_CONF, IPV4_DEVCONF_FORWARDING (1) on. */
const IPV4_DEVCONF_MAX = 33;
const IPV4_DEVCONF_NOXFRM = 15;
const IPV4_DEVCONF_NOPOLICY = 16;
const IFLA_INET_CONF = 1;
/**
 * A new namespace's IPv4 device configuration (net.ipv4.conf.default.*), IPV4_DEVCONF_FORWARDING first, as
 * Linux 6.18 reports it for a device in a fresh `unshare -n` namespace: accept_redirects, secure_redirects,
 * send_redirects, shared_media and accept_source_route 1, igmpv2/igmpv3_unsolicited_report_interval 10000
 * and 1000 ms, arp_evict_nocarrier 1, the rest 0. inetdev_event() sets noxfrm and nopolicy on a loopback.
 */
const IPV4_DEVCONF_DFLT: readonly number[] = [
  0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10000, 1000, 0, 0, 0, 0, 1,
];

/**
 * Mirrors rtnl_fill_link_af() with the one rtnl_af_ops ksock has, inet_fill_link_af(): IFLA_AF_SPEC
 * holding AF_INET's IFLA_INET_CONF (the device's ipv4_devconf as 32-bit values), nests without
 * NLA_F_NESTED. Linux with IPv6 adds an AF_INET6 nest after it (addrgenmode and the rest); ksock has no
 * IPv6, so its IFLA_AF_SPEC is what a kernel without ipv6 sends, and `ip -d` prints no addrgenmode.
 */
function rtnl_fill_link_af(skb: NlSkb, dev: NetDevice): number {
  const af_spec = nla_nest_start_noflag(skb, IFLA_AF_SPEC);
  if (af_spec < 0) return -EMSGSIZE;
  const af = nla_nest_start_noflag(skb, AF_INET);
  if (af < 0) return -EMSGSIZE;
  const nla = nla_reserve(skb, IFLA_INET_CONF, IPV4_DEVCONF_MAX * 4);
  if (nla < 0) return -EMSGSIZE;
  const loop = (dev.flags & IFF_LOOPBACK) !== 0;
  for (let i = 0; i < IPV4_DEVCONF_MAX; i++) {
    const v =
      loop && (i + 1 === IPV4_DEVCONF_NOXFRM || i + 1 === IPV4_DEVCONF_NOPOLICY) ? 1 : IPV4_DEVCONF_DFLT[i]!;
    put_unaligned_le32(skb.data, nla + NLA_HDRLEN + 4 * i, v);
  }
  nla_nest_end(skb, af);
  nla_nest_end(skb, af_spec);
  return 0;
}

/** Six zero bytes: lo's IFLA_BROADCAST. */
const ZERO_ADDR = new Uint8Array(6);

/**
 * What rtnl_fill_ifinfo() is told besides the device: the message type, its header's pid, seq and flags,
 * and ifi_change. (Linux passes them one by one; one object keeps the trace point within the six
 * arguments the tracer records, and a dump reuses it for every device.)
 */
export interface RtnlFillArgs {
  type: number;
  pid: number;
  seq: number;
  change: number;
  flags: number;
}

/**
 * Mirrors rtnl_fill_ifinfo(): struct ifinfomsg and the attributes in Linux 6.18's order, written at the
 * tail of `skb`; 0, or -EMSGSIZE with the message cancelled when the tailroom runs out (a dump then ends
 * its step and resumes at this device). IFLA_AF_SPEC carries AF_INET only (no IPv6 in ksock).
 */
export let rtnl_fill_ifinfo = function rtnl_fill_ifinfo(
  skb: NlSkb,
  dev: NetDevice,
  args: RtnlFillArgs,
): number {
  const { type, pid, seq, change, flags } = args;
  const nlh = nlmsg_put(skb, pid, seq, type, IFINFOMSG_SIZE, flags);
  if (nlh < 0) return -EMSGSIZE;
  const b = skb.data;
  const ifm = nlh + NLMSG_HDRLEN;
  b[ifm] = AF_UNSPEC; // ifi_family
  b[ifm + 1] = 0; // __ifi_pad
  put_unaligned_le16(b, ifm + 2, dev.type);
  put_unaligned_le32(b, ifm + 4, dev.ifindex);
  put_unaligned_le32(b, ifm + 8, dev.flags);
  put_unaligned_le32(b, ifm + 12, change);
  const loop = (dev.flags & IFF_LOOPBACK) !== 0;
  const up = (dev.flags & IFF_UP) !== 0;
  if (
    nla_put_string(skb, IFLA_IFNAME, dev.name) ||
    nla_put_u32(skb, IFLA_TXQLEN, dev.tx_queue_len) ||
    nla_put_u8(skb, IFLA_OPERSTATE, up ? dev.operstate : IF_OPER_DOWN) ||
    nla_put_u8(skb, IFLA_LINKMODE, 0) ||
    nla_put_u8(skb, IFLA_NETNS_IMMUTABLE, loop ? 1 : 0) ||
    nla_put_u32(skb, IFLA_MTU, dev.mtu) ||
    nla_put_u32(skb, IFLA_MIN_MTU, loop ? 0 : dev.min_mtu) ||
    nla_put_u32(skb, IFLA_MAX_MTU, loop || dev.max_mtu >= 0x7fffffff ? 0 : dev.max_mtu) ||
    nla_put_u32(skb, IFLA_GROUP, 0) ||
    nla_put_u32(skb, IFLA_PROMISCUITY, 0) ||
    nla_put_u32(skb, IFLA_ALLMULTI, 0) ||
    nla_put_u32(skb, IFLA_NUM_TX_QUEUES, 1) ||
    nla_put_u32(skb, IFLA_GSO_MAX_SEGS, 65535) ||
    nla_put_u32(skb, IFLA_GSO_MAX_SIZE, 65536) ||
    nla_put_u32(skb, IFLA_GRO_MAX_SIZE, 65536) ||
    nla_put_u32(skb, IFLA_GSO_IPV4_MAX_SIZE, 65536) ||
    nla_put_u32(skb, IFLA_GRO_IPV4_MAX_SIZE, 65536) ||
    nla_put_u32(skb, IFLA_TSO_MAX_SIZE, dev.tso_max_size) ||
    nla_put_u32(skb, IFLA_TSO_MAX_SEGS, 65535) ||
    nla_put_u32(skb, IFLA_MAX_PACING_OFFLOAD_HORIZON, 0) ||
    nla_put_u32(skb, IFLA_NUM_RX_QUEUES, 1) ||
    nla_put_u8(skb, IFLA_CARRIER, 1) ||
    nla_put_u32(skb, IFLA_CARRIER_CHANGES, 0) ||
    nla_put_u32(skb, IFLA_CARRIER_UP_COUNT, 0) ||
    nla_put_u32(skb, IFLA_CARRIER_DOWN_COUNT, 0) ||
    nla_put_u16(skb, IFLA_HEADROOM, 0) ||
    nla_put_u16(skb, IFLA_TAILROOM, 0) ||
    nla_put_u8(skb, IFLA_PROTO_DOWN, 0) ||
    nla_put(skb, IFLA_ADDRESS, dev.dev_addr.length, dev.dev_addr) ||
    (loop
      ? nla_put(skb, IFLA_BROADCAST, ZERO_ADDR.length, ZERO_ADDR)
      : nla_put(skb, IFLA_BROADCAST, dev.broadcast.length, dev.broadcast)) ||
    rtnl_fill_stats(skb, dev) ||
    rtnl_xdp_fill(skb) ||
    (dev.kind !== null && rtnl_link_fill(skb, dev.kind)) ||
    nla_put_string(skb, IFLA_QDISC, dev.qdisc) ||
    rtnl_fill_link_af(skb, dev) ||
    rtnl_fill_link_ifmap(skb) ||
    rtnl_fill_empty_nest(skb, IFLA_DEVLINK_PORT) ||
    rtnl_fill_empty_nest(skb, IFLA_DPLL_PIN)
  ) {
    nlmsg_cancel(skb, nlh);
    return -EMSGSIZE;
  }
  nlmsg_end(skb, nlh);
  return 0;
};

/** Mirrors inet_nlmsg_size(): the bound of one address message. */
function inet_nlmsg_size(): number {
  return (
    NLMSG_ALIGN(IFADDRMSG_SIZE) +
    nla_total_size(4) + // IFA_ADDRESS
    nla_total_size(4) + // IFA_LOCAL
    nla_total_size(4) + // IFA_BROADCAST
    nla_total_size(IFNAMSIZ) + // IFA_LABEL
    nla_total_size(4) + // IFA_FLAGS
    nla_total_size(1) + // IFA_PROTO
    nla_total_size(4) + // IFA_RT_PRIORITY
    nla_total_size(IFA_CACHEINFO_SIZE) // IFA_CACHEINFO
  );
}

/** cstamp_delta(): a time stamp in hundredths of a second since boot (here: of the host's monotonic clock). */
function cstamp_delta(ms: number): number {
  return Math.floor(ms / 10) >>> 0;
}

/** Mirrors put_cacheinfo(): struct ifa_cacheinfo (ifa_prefered, ifa_valid, cstamp, tstamp). */
function put_cacheinfo(skb: NlSkb, cstamp: number, tstamp: number, preferred: number, valid: number): number {
  const nla = nla_reserve(skb, IFA_CACHEINFO, IFA_CACHEINFO_SIZE);
  if (nla < 0) return -EMSGSIZE;
  const p = nla + NLA_HDRLEN;
  put_unaligned_le32(skb.data, p, preferred);
  put_unaligned_le32(skb.data, p + 4, valid);
  put_unaligned_le32(skb.data, p + 8, cstamp_delta(cstamp));
  put_unaligned_le32(skb.data, p + 12, cstamp_delta(tstamp));
  return 0;
}

/**
 * The lifetimes inet_fill_ifaddr() reports: infinite for a permanent address, else what remains of them
 * since the last update (whole seconds, never below 0).
 */
function ifa_remaining(ifa: InIfaddr): [preferred: number, valid: number] {
  if ((ifa.ifa_flags & IFA_F_PERMANENT) !== 0) return [INFINITY_LIFE_TIME, INFINITY_LIFE_TIME];
  let preferred = ifa.ifa_preferred_lft ?? INFINITY_LIFE_TIME;
  let valid = ifa.ifa_valid_lft ?? INFINITY_LIFE_TIME;
  if (preferred !== INFINITY_LIFE_TIME) {
    const tval = Math.floor((performance.now() - (ifa.ifa_tstamp ?? 0)) / 1000);
    preferred = preferred > tval ? preferred - tval : 0;
    if (valid !== INFINITY_LIFE_TIME) valid = valid > tval ? valid - tval : 0;
  }
  return [preferred, valid];
}

/**
 * Mirrors inet_fill_ifaddr(): struct ifaddrmsg and IFA_* attributes (addresses in network order), written
 * at the tail of `skb`; 0, or -EMSGSIZE with the message cancelled.
 */
export function inet_fill_ifaddr(
  skb: NlSkb,
  dev: NetDevice,
  ifa: InIfaddr,
  type: number,
  pid: number,
  seq: number,
  flags: number,
): number {
  const nlh = nlmsg_put(skb, pid, seq, type, IFADDRMSG_SIZE, flags);
  if (nlh < 0) return -EMSGSIZE;
  const b = skb.data;
  const m = nlh + NLMSG_HDRLEN;
  b[m] = AF_INET;
  b[m + 1] = ifa.ifa_prefixlen;
  b[m + 2] = ifa.ifa_flags & 0xff;
  b[m + 3] = ifa.ifa_scope;
  put_unaligned_le32(b, m + 4, dev.ifindex);
  if (
    (ifa.ifa_address !== 0 && nla_put_in_addr(skb, IFA_ADDRESS, ifa.ifa_address)) ||
    (ifa.ifa_local !== 0 && nla_put_in_addr(skb, IFA_LOCAL, ifa.ifa_local)) ||
    (ifa.ifa_broadcast !== 0 && nla_put_in_addr(skb, IFA_BROADCAST, ifa.ifa_broadcast)) ||
    (ifa.ifa_label !== '' && nla_put_string(skb, IFA_LABEL, ifa.ifa_label)) ||
    (ifa.ifa_proto ? nla_put_u8(skb, IFA_PROTO, ifa.ifa_proto) : 0) ||
    nla_put_u32(skb, IFA_FLAGS, ifa.ifa_flags) ||
    (ifa.ifa_rt_priority ? nla_put_u32(skb, IFA_RT_PRIORITY, ifa.ifa_rt_priority) : 0) ||
    put_cacheinfo(skb, ifa.ifa_cstamp ?? 0, ifa.ifa_tstamp ?? 0, ...ifa_remaining(ifa))
  ) {
    nlmsg_cancel(skb, nlh);
    return -EMSGSIZE;
  }
  nlmsg_end(skb, nlh);
  return 0;
}

// ---- handlers -------------------------------------------------------------------------------------
interface Req {
  nlh: NlMsgHdr;
  /** Payload after the family header. */
  attrs: NlAttr[];
  ifm: IfInfoMsg;
}

function parse_ifinfo(msg: Uint8Array): Req | number {
  const nlh = { nlmsg_len: msg.length, nlmsg_type: 0, nlmsg_flags: 0, nlmsg_seq: 0, nlmsg_pid: 0 };
  if (msg.length - NLMSG_HDRLEN < IFINFOMSG_SIZE) return -EINVAL;
  const ifm = decode_ifinfomsg(msg.subarray(NLMSG_HDRLEN));
  const attrs = nla_parse(msg.subarray(NLMSG_HDRLEN + NLMSG_ALIGN(IFINFOMSG_SIZE)));
  return { nlh, attrs, ifm };
}

function find_dev(net: Net, r: Req): NetDevice | null | number {
  if (r.ifm.ifi_index > 0) return dev_get_by_index(net, r.ifm.ifi_index);
  const name = nla_find(r.attrs, IFLA_IFNAME);
  if (name !== undefined) return dev_get_by_name(net, nla_get_string(name));
  return -EINVAL;
}

/** Mirrors rtnl_getlink(): by index, else by IFLA_IFNAME (EINVAL without either), ENODEV if absent. */
let rtnl_getlink = function rtnl_getlink(
  skb: SkBuff,
  nlh: NlMsgHdr,
  msg: Uint8Array,
  _extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  const portid = NETLINK_CB(skb).portid;
  const nskb = nlmsg_new(if_nlmsg_size(dev));
  const err = rtnl_fill_ifinfo(nskb, dev, {
    type: RTM_NEWLINK,
    pid: portid,
    seq: nlh.nlmsg_seq,
    change: 0,
    flags: 0,
  });
  if (err < 0) return err; // -EMSGSIZE would mean if_nlmsg_size() is short (the kernel WARNs)
  return nlmsg_unicast(rtnl_sock(net)!, skb_bytes(nskb), portid);
};

/** Mirrors eth_random_addr(). */
function eth_random_addr(kernel: Kernel): Uint8Array {
  const a = new Uint8Array(6);
  get_random_bytes(kernel, a);
  a[0] = (a[0]! & 0xfe) | 0x02; // unicast, locally administered
  return a;
}

/**
 * The dummy driver's setup (drivers/net/dummy.c: ether_setup + IFF_NOARP, no multicast, any MTU), with
 * the random address eth_hw_addr_random() gives it from the kernel's generator.
 */
export function dummy_setup(kernel: Kernel, name: string): NetDevice {
  const dev = new NetDevice(name, ARPHRD_ETHER, {
    flags: IFF_BROADCAST | IFF_NOARP,
    mtu: 1500,
    tx_queue_len: 1000,
    kind: 'dummy',
    dev_addr: eth_random_addr(kernel),
  });
  dev.min_mtu = 0;
  dev.max_mtu = 0x7fffffff;
  return dev;
}

function dev_alloc_name(net: Net, pattern: string): string {
  for (let i = 0; ; i++) {
    const n = pattern.replace('%d', String(i));
    if (dev_get_by_name(net, n) === null) return n;
  }
}

/**
 * Mirrors rtnl_newlink(): an existing device is changed (EEXIST with NLM_F_EXCL); a new one needs
 * NLM_F_CREATE (ENODEV) and a known kind — only "dummy" here (EOPNOTSUPP "Unknown device type").
 */
let rtnl_newlink = function rtnl_newlink(
  skb: SkBuff,
  nlh: NlMsgHdr,
  msg: Uint8Array,
  extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  let dev: NetDevice | null = null;
  if (r.ifm.ifi_index > 0) dev = dev_get_by_index(net, r.ifm.ifi_index);
  else {
    const n = nla_find(r.attrs, IFLA_IFNAME);
    if (n !== undefined) dev = dev_get_by_name(net, nla_get_string(n));
  }
  const mtu = nla_find(r.attrs, IFLA_MTU);
  if (dev !== null) {
    if (nlh.nlmsg_flags & NLM_F_EXCL) return -EEXIST;
    return do_setlink(net, dev, r);
  }
  if ((nlh.nlmsg_flags & NLM_F_CREATE) === 0) return -ENODEV;
  const li = nla_find(r.attrs, IFLA_LINKINFO);
  const kindAttr = li !== undefined ? nla_find(nla_parse(li.payload), IFLA_INFO_KIND) : undefined;
  const kind = kindAttr !== undefined ? nla_get_string(kindAttr) : null;
  if (kind !== 'dummy') {
    extack._msg = 'Unknown device type';
    return -EOPNOTSUPP;
  }
  const nameAttr = nla_find(r.attrs, IFLA_IFNAME);
  const name = nameAttr !== undefined ? nla_get_string(nameAttr) : 'dummy%d';
  const dev2 = dummy_setup(net.kernel, name.includes('%d') ? dev_alloc_name(net, name) : name);
  if (mtu !== undefined) dev2.mtu = nla_get_u32(mtu);
  const err = register_netdevice(net, dev2);
  if (err) return err;
  if (r.ifm.ifi_flags & IFF_UP) dev_change_flags(dev2, dev2.flags | IFF_UP);
  return 0;
};

/** Mirrors do_setlink() for what ksock devices have: IFLA_MTU (EINVAL out of range) and IFF_UP. */
function do_setlink(net: Net, dev: NetDevice, r: Req): number {
  const mtu = nla_find(r.attrs, IFLA_MTU);
  if (mtu !== undefined) {
    const v = nla_get_u32(mtu);
    if (v < dev.min_mtu || v > dev.max_mtu) return -EINVAL;
    if (v !== dev.mtu) {
      dev.mtu = v;
      notify_link(net, dev, RTM_NEWLINK, 0);
    }
  }
  if (r.ifm.ifi_change !== 0 || r.ifm.ifi_flags !== 0) {
    const change = r.ifm.ifi_change === 0 ? 0xffffffff : r.ifm.ifi_change;
    const nf = ((dev.flags & ~change) | (r.ifm.ifi_flags & change)) >>> 0;
    if ((nf & IFF_UP) !== (dev.flags & IFF_UP)) dev_change_flags(dev, (dev.flags & ~IFF_UP) | (nf & IFF_UP));
  }
  return 0;
}

/** Mirrors rtnl_setlink(): an existing device by index or name (EINVAL without either, ENODEV). */
let rtnl_setlink = function rtnl_setlink(
  skb: SkBuff,
  _nlh: NlMsgHdr,
  msg: Uint8Array,
  _extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  return do_setlink(net, dev, r);
};

/** Mirrors rtnl_dellink(): ENODEV if absent, EOPNOTSUPP for a device without rtnl_link_ops (lo). */
let rtnl_dellink = function rtnl_dellink(
  skb: SkBuff,
  _nlh: NlMsgHdr,
  msg: Uint8Array,
  _extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  if (dev.kind !== 'dummy') return -EOPNOTSUPP;
  return unregister_netdevice(dev);
};

// ---- net/ipv4/devinet.c: RTM_NEWADDR / RTM_DELADDR ------------------------------------------------
/** ifa_ipv4_policy. */
const ifa_ipv4_policy: ReadonlyArray<NlaPolicy | undefined> = (() => {
  const p: Array<NlaPolicy | undefined> = new Array(IFA_MAX + 1);
  p[IFA_LOCAL] = { type: NLA_U32 };
  p[IFA_ADDRESS] = { type: NLA_U32 };
  p[IFA_BROADCAST] = { type: NLA_U32 };
  p[IFA_LABEL] = { type: NLA_STRING, len: IFNAMSIZ - 1 };
  p[IFA_CACHEINFO] = { type: NLA_UNSPEC, len: IFA_CACHEINFO_SIZE };
  p[IFA_FLAGS] = { type: NLA_U32 };
  p[IFA_RT_PRIORITY] = { type: NLA_U32 };
  p[IFA_TARGET_NETNSID] = { type: NLA_S32 };
  p[IFA_PROTO] = { type: NLA_U8 };
  return p;
})();

/** The flags a request may set on an IPv4 address (observed on Linux 6.18: the others are dropped). */
const IFA_F_SETTABLE = IFA_F_NOPREFIXROUTE;

const u32_at = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
/** nla_get_in_addr(): four bytes in network order, as the host-order number ksock keeps. */
const in_addr_of = (a: NlaFound) =>
  ((a.payload[0]! << 24) | (a.payload[1]! << 16) | (a.payload[2]! << 8) | a.payload[3]!) >>> 0;
/** The string of an NLA_STRING attribute, up to its first NUL. */
function nla_str(a: NlaFound): string {
  const i = a.payload.indexOf(0);
  return new TextDecoder().decode(i < 0 ? a.payload : a.payload.subarray(0, i));
}

/** inet_make_mask(). */
function inet_make_mask(prefixlen: number): number {
  return prefixlen === 0 ? 0 : (~0 << (32 - prefixlen)) >>> 0;
}

/** inet_ifa_match(): `addr` in ifa's subnet. */
function inet_ifa_match(addr: number, ifa: InIfaddr): boolean {
  return ((addr ^ ifa.ifa_address) & inet_make_mask(ifa.ifa_prefixlen)) >>> 0 === 0;
}

/** Mirrors set_ifa_lifetime(): infinite valid → IFA_F_PERMANENT; zero preferred → IFA_F_DEPRECATED. */
function set_ifa_lifetime(ifa: InIfaddr, valid_lft: number, prefered_lft: number): void {
  ifa.ifa_flags &= ~(IFA_F_PERMANENT | IFA_F_DEPRECATED);
  if (valid_lft !== INFINITY_LIFE_TIME) ifa.ifa_valid_lft = valid_lft;
  else ifa.ifa_flags |= IFA_F_PERMANENT;
  if (prefered_lft !== INFINITY_LIFE_TIME) {
    if (prefered_lft === 0) ifa.ifa_flags |= IFA_F_DEPRECATED;
    ifa.ifa_preferred_lft = prefered_lft;
  }
  ifa.ifa_tstamp = performance.now();
  if (!ifa.ifa_cstamp) ifa.ifa_cstamp = ifa.ifa_tstamp;
}

/** Run `fn` with `req` as the request whose address notifications carry its sender's pid and seq. */
function with_req<T>(net: Net, portid: number, nlh: NlMsgHdr, fn: () => T): T {
  const st = states.get(net.kernel)!;
  const saved = st.req;
  st.req = { portid, nlh };
  try {
    return fn();
  } finally {
    st.req = saved;
  }
}

/**
 * Mirrors inet_rtm_newaddr() (inet_validate_rtm(), inet_rtm_to_ifa(), find_matching_ifa(),
 * __inet_insert_ifa()): the policy; a prefix above 32 or a missing IFA_LOCAL → EINVAL; a cacheinfo with
 * valid 0 or preferred > valid → EINVAL; local 0.0.0.0 is accepted and ignored; ENODEV; an address already
 * there → EEXIST unless NLM_F_REPLACE without NLM_F_EXCL, which updates its lifetimes, priority and proto.
 */
export let inet_rtm_newaddr = function inet_rtm_newaddr(
  skb: SkBuff,
  nlh: NlMsgHdr,
  msg: Uint8Array,
  extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  // inet_validate_rtm()
  const tb = nlmsg_parse_deprecated(msg, IFADDRMSG_SIZE, IFA_MAX, ifa_ipv4_policy, extack);
  if (typeof tb === 'number') return tb;
  const m = NLMSG_HDRLEN;
  const ifa_prefixlen = msg[m + 1]!;
  const ifa_flags = msg[m + 2]!;
  const ifa_scope = msg[m + 3]!;
  const ifa_index = u32_at(msg, m + 4) | 0;
  if (ifa_prefixlen > 32) {
    extack._msg = 'ipv4: Invalid prefix length';
    return -EINVAL;
  }
  const local = tb[IFA_LOCAL];
  if (local === undefined) {
    extack._msg = 'ipv4: Local address is not supplied';
    return -EINVAL;
  }
  let valid_lft = INFINITY_LIFE_TIME;
  let prefered_lft = INFINITY_LIFE_TIME;
  const ci = tb[IFA_CACHEINFO];
  if (ci !== undefined) {
    const prefered = u32_at(ci.payload, 0);
    const valid = u32_at(ci.payload, 4);
    if (!valid || prefered > valid) {
      extack._msg = 'ipv4: address lifetime invalid';
      return -EINVAL;
    }
    valid_lft = valid;
    prefered_lft = prefered;
  }
  if (in_addr_of(local) === 0) return 0;
  // inet_rtm_to_ifa()
  const dev = dev_get_by_index(net, ifa_index);
  if (dev === null) {
    extack._msg = 'ipv4: Device not found';
    return -ENODEV;
  }
  const flags_attr = tb[IFA_FLAGS];
  const ifa: InIfaddr = {
    ifa_local: in_addr_of(local),
    ifa_address: in_addr_of(tb[IFA_ADDRESS] ?? local),
    ifa_broadcast: tb[IFA_BROADCAST] !== undefined ? in_addr_of(tb[IFA_BROADCAST]) : 0,
    ifa_prefixlen,
    ifa_scope,
    ifa_flags: (flags_attr !== undefined ? u32_at(flags_attr.payload, 0) : ifa_flags) & IFA_F_SETTABLE,
    ifa_label: tb[IFA_LABEL] !== undefined ? nla_str(tb[IFA_LABEL]) : dev.name,
  };
  if (tb[IFA_RT_PRIORITY] !== undefined) ifa.ifa_rt_priority = u32_at(tb[IFA_RT_PRIORITY].payload, 0);
  if (tb[IFA_PROTO] !== undefined) ifa.ifa_proto = tb[IFA_PROTO].payload[0]!;
  const portid = NETLINK_CB(skb).portid;
  // find_matching_ifa()
  const existing = dev.ifa_list.find(
    (a) =>
      a.ifa_prefixlen === ifa.ifa_prefixlen &&
      inet_ifa_match(a.ifa_address, ifa) &&
      a.ifa_local === ifa.ifa_local,
  );
  if (existing === undefined) {
    set_ifa_lifetime(ifa, valid_lft, prefered_lft);
    const err = with_req(net, portid, nlh, () => inet_insert_ifa(dev, ifa));
    if (err === -EINVAL) extack._msg = 'ipv4: Invalid scope value';
    return err;
  }
  if ((nlh.nlmsg_flags & NLM_F_EXCL) !== 0 || (nlh.nlmsg_flags & NLM_F_REPLACE) === 0) {
    extack._msg = 'ipv4: Address already assigned';
    return -EEXIST;
  }
  existing.ifa_rt_priority = ifa.ifa_rt_priority ?? 0;
  existing.ifa_proto = ifa.ifa_proto ?? 0;
  set_ifa_lifetime(existing, valid_lft, prefered_lft);
  rtmsg_ifa(net, RTM_NEWADDR, dev, existing, portid, nlh.nlmsg_seq);
  return 0;
};

/**
 * Mirrors inet_rtm_deladdr(): the policy; ENODEV; the first address matching every attribute given
 * (IFA_LOCAL, IFA_LABEL, IFA_ADDRESS with the prefix length) goes — a primary taking the secondaries of
 * its subnet with it — else EADDRNOTAVAIL.
 */
export let inet_rtm_deladdr = function inet_rtm_deladdr(
  skb: SkBuff,
  nlh: NlMsgHdr,
  msg: Uint8Array,
  extack: NetlinkExtAck,
): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const tb = nlmsg_parse_deprecated(msg, IFADDRMSG_SIZE, IFA_MAX, ifa_ipv4_policy, extack);
  if (typeof tb === 'number') return tb;
  const ifa_prefixlen = msg[NLMSG_HDRLEN + 1]!;
  const dev = dev_get_by_index(net, u32_at(msg, NLMSG_HDRLEN + 4) | 0);
  if (dev === null) {
    extack._msg = 'ipv4: Device not found';
    return -ENODEV;
  }
  const local = tb[IFA_LOCAL];
  const label = tb[IFA_LABEL];
  const address = tb[IFA_ADDRESS];
  for (const ifa of dev.ifa_list) {
    if (local !== undefined && ifa.ifa_local !== in_addr_of(local)) continue;
    if (label !== undefined && nla_str(label) !== ifa.ifa_label) continue;
    if (
      address !== undefined &&
      (ifa_prefixlen !== ifa.ifa_prefixlen || !inet_ifa_match(in_addr_of(address), ifa))
    )
      continue;
    with_req(net, NETLINK_CB(skb).portid, nlh, () => inet_del_ifa(dev, ifa));
    return 0;
  }
  extack._msg = 'ipv4: Address not found';
  return -EADDRNOTAVAIL;
};

/** Mirrors rtmsg_ifa(): an address message to RTNLGRP_IPV4_IFADDR listeners. */
function rtmsg_ifa(
  net: Net,
  event: number,
  dev: NetDevice,
  ifa: InIfaddr,
  portid: number,
  seq: number,
): void {
  const sk = rtnl_sock(net);
  if (sk === null) return;
  const skb = nlmsg_new(inet_nlmsg_size());
  if (inet_fill_ifaddr(skb, dev, ifa, event, portid, seq, 0) < 0) return; // inet_nlmsg_size() short: WARN
  nlmsg_notify(sk, skb_bytes(skb), portid, RTNLGRP_IPV4_IFADDR, false);
}

/**
 * Mirrors rtnl_dump_ifinfo(): devices from cb->args[0] (an ifindex, for_each_netdev_dump()'s cursor) on;
 * -EMSGSIZE leaves the cursor at the device that did not fit, for the next step.
 */
let rtnl_dump_ifinfo = function rtnl_dump_ifinfo(skb: NlDumpSkb, cb: NetlinkCallback): number {
  const net = skb.sk.sk_net;
  const args: RtnlFillArgs = {
    type: RTM_NEWLINK,
    pid: NETLINK_CB(cb.skb!).portid,
    seq: cb.nlh.nlmsg_seq,
    change: 0,
    flags: NLM_F_MULTI,
  };
  for (const dev of net.dev_base) {
    if (dev.ifindex < cb.args[0]!) continue;
    cb.args[0] = dev.ifindex;
    const err = rtnl_fill_ifinfo(skb, dev, args);
    if (err < 0) return err;
  }
  cb.args[0] = 0x7fffffff;
  return 0;
};

/**
 * Mirrors inet_dump_ifaddr() → inet_dump_addr() / in_dev_dump_addr(): IPv4 addresses device by device
 * (cb->args[0] the ifindex, cb->args[1] the address index within it, reset to 0 once a device is done).
 */
let inet_dump_ifaddr = function inet_dump_ifaddr(skb: NlDumpSkb, cb: NetlinkCallback): number {
  const net = skb.sk.sk_net;
  const portid = NETLINK_CB(cb.skb!).portid;
  const seq = cb.nlh.nlmsg_seq;
  const fam = cb.req.length > NLMSG_HDRLEN ? cb.req[NLMSG_HDRLEN]! : AF_UNSPEC;
  if (fam !== AF_UNSPEC && fam !== AF_INET) return 0;
  for (const dev of net.dev_base) {
    if (dev.ifindex < cb.args[0]!) continue;
    cb.args[0] = dev.ifindex;
    for (let i = cb.args[1]!; i < dev.ifa_list.length; i++) {
      const err = inet_fill_ifaddr(skb, dev, dev.ifa_list[i]!, RTM_NEWADDR, portid, seq, NLM_F_MULTI);
      if (err < 0) {
        cb.args[1] = i;
        return err;
      }
    }
    cb.args[1] = 0;
  }
  cb.args[0] = 0x7fffffff;
  return 0;
};

/** RTNL_FLAG_DUMP_SPLIT_NLM_DONE (include/net/rtnetlink.h): the dump's NLMSG_DONE goes out on its own. */
const RTNL_FLAG_DUMP_SPLIT_NLM_DONE = 1 << 3;

/**
 * Mirrors rtnl_dumpit(): run the family's dump (cb->data) unless it already finished. With
 * RTNL_FLAG_DUMP_SPLIT_NLM_DONE a finished step still reports its length, so NLMSG_DONE comes in the
 * next step, alone, as older kernels sent it and some readers expect.
 */
function rtnl_dumpit(skb: NlDumpSkb, cb: NetlinkCallback): number {
  const dumpit = cb.data as DumpIt | null;
  if (dumpit === null) return 0;
  const ret = dumpit(skb, cb);
  if ((cb.flags & RTNL_FLAG_DUMP_SPLIT_NLM_DONE) !== 0) {
    if (ret < 0 && ret !== -EMSGSIZE) return ret;
    if (ret === 0) cb.data = null;
    return skb.len;
  }
  return ret;
}

type DumpIt = (skb: NlDumpSkb, cb: NetlinkCallback) => number;

/** struct rtnl_link: a message type's handlers and RTNL_FLAG_* flags. */
interface Link {
  doit?: (skb: SkBuff, nlh: NlMsgHdr, msg: Uint8Array, extack: NetlinkExtAck) => number;
  dumpit?: DumpIt;
  flags?: number;
}
// The handlers are called through their bindings, so a trace point swapped in later is the one called.
const links: Record<number, Link> = {
  [RTM_NEWLINK]: { doit: (...a) => rtnl_newlink(...a) },
  [RTM_DELLINK]: { doit: (...a) => rtnl_dellink(...a) },
  [RTM_GETLINK]: {
    doit: (...a) => rtnl_getlink(...a),
    dumpit: (skb, cb) => rtnl_dump_ifinfo(skb, cb),
    flags: RTNL_FLAG_DUMP_SPLIT_NLM_DONE,
  },
  [RTM_SETLINK]: { doit: (...a) => rtnl_setlink(...a) },
  [RTM_NEWADDR]: { doit: (...a) => inet_rtm_newaddr(...a) },
  [RTM_DELADDR]: { doit: (...a) => inet_rtm_deladdr(...a) },
  [RTM_GETADDR]: { dumpit: (skb, cb) => inet_dump_ifaddr(skb, cb), flags: RTNL_FLAG_DUMP_SPLIT_NLM_DONE },
};

/** IFLA_EXT_MASK (include/uapi/linux/if_link.h). */
const IFLA_EXT_MASK = 29;

/**
 * Mirrors rtnl_calcit(): NLMSG_GOODSIZE unless the request carries a non-zero IFLA_EXT_MASK (the last
 * one of u32 size counts, as nla_for_each_attr_type() finds them); then the largest if_nlmsg_size() of
 * the namespace's devices, so a dump buffer can always hold one. Requests shorter than struct ifinfomsg
 * carry a struct rtgenmsg (one byte), the pre-3.9 iproute2 layout.
 */
function rtnl_calcit(net: Net, msg: Uint8Array): number {
  const nlmsg_len = msg.length;
  const hdrlen = nlmsg_len - NLMSG_HDRLEN < IFINFOMSG_SIZE ? 1 : IFINFOMSG_SIZE;
  if (nlmsg_len < NLMSG_HDRLEN + hdrlen) return NLMSG_GOODSIZE;
  let ext_filter_mask = 0;
  // Walk the attributes with byte loads, as nla_ok() / nla_next() do, without decoding them.
  for (let off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen); nlmsg_len - off >= NLA_HDRLEN; ) {
    const len = msg[off]! | (msg[off + 1]! << 8);
    if (len < NLA_HDRLEN || len > nlmsg_len - off) break;
    const type = (msg[off + 2]! | (msg[off + 3]! << 8)) & NLA_TYPE_MASK;
    if (type === IFLA_EXT_MASK && len === NLA_HDRLEN + 4)
      ext_filter_mask = msg[off + 4]! | (msg[off + 5]! << 8) | (msg[off + 6]! << 16) | (msg[off + 7]! << 24);
    off += NLA_ALIGN(len);
  }
  if (ext_filter_mask === 0) return NLMSG_GOODSIZE;
  let min_ifinfo_dump_size = 0;
  for (const dev of net.dev_base) min_ifinfo_dump_size = Math.max(min_ifinfo_dump_size, if_nlmsg_size(dev));
  return nlmsg_total_size(min_ifinfo_dump_size);
}

/**
 * Mirrors rtnetlink_rcv_msg(): EOPNOTSUPP above RTM_MAX, a payload under 1 byte ignored, CAP_NET_ADMIN
 * (opener and sender) for anything but GET, dumps for GET with NLM_F_DUMP bits, else the doit.
 */
export let rtnetlink_rcv_msg = function rtnetlink_rcv_msg(
  skb: SkBuff,
  nlh: NlMsgHdr,
  msg: Uint8Array,
  extack: NetlinkExtAck,
): number {
  const type = nlh.nlmsg_type;
  if (type > RTM_MAX) return -EOPNOTSUPP;
  if (nlh.nlmsg_len - NLMSG_HDRLEN < 1) return 0;
  const kind = (type - RTM_BASE) & 3;
  if (kind !== 2 && !netlink_net_capable(skb, CAP_NET_ADMIN)) return -EPERM;
  const link = links[type];
  const net = (skb.sk as NetlinkSock).sk_net;
  if (kind === 2 && (nlh.nlmsg_flags & NLM_F_DUMP) !== 0) {
    if (link?.dumpit === undefined) return -EOPNOTSUPP;
    const st = states.get(net.kernel)!;
    return netlink_dump_start(rtnl_sock(net)!, skb, msg, {
      dump: rtnl_dumpit,
      data: link.dumpit,
      module: st.mod,
      min_dump_alloc: type === RTM_GETLINK ? rtnl_calcit(net, msg) : 0,
      flags: link.flags ?? 0,
    });
  }
  if (link?.doit === undefined) return -EOPNOTSUPP;
  if (kind === 1 && (nlh.nlmsg_flags & NLM_F_BULK) !== 0) {
    // No ksock handler sets RTNL_FLAG_BULK_DEL_SUPPORTED.
    extack._msg = 'Bulk delete is not supported';
    return -EOPNOTSUPP;
  }
  return link.doit(skb, nlh, msg, extack);
};

/** Mirrors rtnetlink_rcv(). */
function rtnetlink_rcv(skb: SkBuff): void {
  netlink_rcv_skb(skb, rtnetlink_rcv_msg);
}

/** Mirrors rtnetlink_bind(): the multicast-routing groups need CAP_NET_ADMIN. */
function rtnetlink_bind(_net: Net, group: number): number {
  if (
    (group === RTNLGRP_IPV4_MROUTE_R || group === RTNLGRP_IPV6_MROUTE_R) &&
    !ns_capable(null, CAP_NET_ADMIN)
  )
    return -EPERM;
  return 0;
}

/** Mirrors rtmsg_ifinfo() → rtnl_notify(): a link message to RTNLGRP_LINK listeners. */
function notify_link(net: Net, dev: NetDevice, type: number, change: number): void {
  const sk = rtnl_sock(net);
  if (sk === null) return;
  const skb = nlmsg_new(if_nlmsg_size(dev));
  if (rtnl_fill_ifinfo(skb, dev, { type, pid: 0, seq: 0, change, flags: 0 }) < 0) return; // if_nlmsg_size() short: WARN in Linux
  nlmsg_notify(sk, skb_bytes(skb), 0, RTNLGRP_LINK, false);
}

function netdev_event(st: RtnlState, event: number, dev: NetDevice, ifa?: InIfaddr): void {
  const net = dev.net;
  if (net === null || !rtnl.has(net)) return;
  switch (event) {
    case NETDEV_REGISTER:
      notify_link(net, dev, RTM_NEWLINK, 0xffffffff);
      break;
    case NETDEV_UP:
    case NETDEV_DOWN:
      notify_link(net, dev, RTM_NEWLINK, IFF_UP);
      break;
    case NETDEV_CHANGE:
    case NETDEV_CHANGEMTU:
    case NETDEV_CHANGENAME:
      notify_link(net, dev, RTM_NEWLINK, 0);
      break;
    case NETDEV_UNREGISTER:
      notify_link(net, dev, RTM_DELLINK, 0xffffffff);
      break;
    case NETDEV_ADDR_ADD:
    case NETDEV_ADDR_DEL:
      rtmsg_ifa(
        net,
        event === NETDEV_ADDR_ADD ? RTM_NEWADDR : RTM_DELADDR,
        dev,
        ifa!,
        st.req?.portid ?? 0,
        st.req?.nlh.nlmsg_seq ?? 0,
      );
      break;
  }
}

/** The rtnetlink module: NETLINK_ROUTE, autoloaded as net-pf-16-proto-0. */
export const rtnetlink_module = defineModule({
  name: 'rtnetlink',
  version: pkg.version,
  aliases: ['net-pf-16-proto-0'],
  depends: ['af_netlink'],
  abi: '1.0',
  description: 'NETLINK_ROUTE: links, addresses and their notifications',
  license: 'MIT',
  init(kernel: Kernel, mod: Module): number {
    const pernet: PernetOperations = {
      // Mirrors rtnetlink_net_init().
      init(net: Net): number {
        const sk = netlink_kernel_create(net, NETLINK_ROUTE, {
          groups: RTNLGRP_MAX,
          input: rtnetlink_rcv,
          flags: NL_CFG_F_NONROOT_RECV,
          bind: rtnetlink_bind,
          module: mod,
        });
        if (sk === null) return -ENOMEM;
        rtnl.set(net, sk);
        return 0;
      },
      exit(net: Net): void {
        const sk = rtnl.get(net);
        rtnl.delete(net);
        if (sk !== undefined) netlink_kernel_release(sk);
      },
    };
    const unwind = new Unwind();
    const st: RtnlState = { mod, pernet, unreg_notifier: () => {}, req: null };
    states.set(kernel, st);
    unwind.push(() => states.delete(kernel));
    const err = register_pernet_subsys(kernel, pernet);
    if (err) return unwind.fail(err); // rtnetlink_init() panics here; a module unwinds
    st.unreg_notifier = register_netdevice_notifier(kernel.init_net, (ev, dev, ifa) =>
      netdev_event(st, ev, dev, ifa),
    );
    return 0;
  },
  exit(kernel: Kernel): void {
    const st = states.get(kernel)!;
    st.unreg_notifier();
    unregister_pernet_subsys(kernel, st.pernet);
    states.delete(kernel);
  },
});

// ---- trace points -----------------------------------------------------------------------------------
const RTM_NAMES: Record<number, string> = {
  [RTM_NEWLINK]: 'RTM_NEWLINK',
  [RTM_DELLINK]: 'RTM_DELLINK',
  [RTM_GETLINK]: 'RTM_GETLINK',
  [RTM_SETLINK]: 'RTM_SETLINK',
  [RTM_NEWADDR]: 'RTM_NEWADDR',
  [RTM_DELADDR]: 'RTM_DELADDR',
  [RTM_GETADDR]: 'RTM_GETADDR',
  [RTM_NEWROUTE]: 'RTM_NEWROUTE',
  [RTM_DELROUTE]: 'RTM_DELROUTE',
  [RTM_GETROUTE]: 'RTM_GETROUTE',
};
const rtm_name = (type: number) => RTM_NAMES[type] ?? String(type);
const fmt_req = (_skb: SkBuff, nlh: NlMsgHdr) =>
  `type=${rtm_name(nlh.nlmsg_type)} flags=0x${nlh.nlmsg_flags.toString(16)} seq=${nlh.nlmsg_seq}`;
const fmt_dump = (_skb: NlDumpSkb, cb: NetlinkCallback) => `ifindex>=${cb.args[0]}`;
const fmt_rtnl_fill_ifinfo: Fmt<typeof rtnl_fill_ifinfo> = (_skb, dev, args) =>
  `dev=${dev.name} ${rtm_name(args.type)}`;

// The function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(rtnetlink_rcv_msg, 'rtnetlink_rcv_msg', fmt_req, (f) => {
  rtnetlink_rcv_msg = f;
});
tracepoint(rtnl_getlink, 'rtnl_getlink', fmt_req, (f) => {
  rtnl_getlink = f;
});
tracepoint(rtnl_newlink, 'rtnl_newlink', fmt_req, (f) => {
  rtnl_newlink = f;
});
tracepoint(rtnl_setlink, 'rtnl_setlink', fmt_req, (f) => {
  rtnl_setlink = f;
});
tracepoint(rtnl_dellink, 'rtnl_dellink', fmt_req, (f) => {
  rtnl_dellink = f;
});
tracepoint(rtnl_dump_ifinfo, 'rtnl_dump_ifinfo', fmt_dump, (f) => {
  rtnl_dump_ifinfo = f;
});
tracepoint(rtnl_fill_ifinfo, 'rtnl_fill_ifinfo', fmt_rtnl_fill_ifinfo, (f) => {
  rtnl_fill_ifinfo = f;
});
tracepoint(inet_rtm_newaddr, 'inet_rtm_newaddr', fmt_req, (f) => {
  inet_rtm_newaddr = f;
});
tracepoint(inet_rtm_deladdr, 'inet_rtm_deladdr', fmt_req, (f) => {
  inet_rtm_deladdr = f;
});
tracepoint(inet_dump_ifaddr, 'inet_dump_ifaddr', fmt_dump, (f) => {
  inet_dump_ifaddr = f;
});
