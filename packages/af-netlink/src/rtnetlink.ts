/**
 * NETLINK_ROUTE (net/core/rtnetlink.c, net/ipv4/devinet.c): one kernel socket per namespace, RTM_GETLINK
 * dump and get, RTM_NEWLINK / RTM_DELLINK of dummy devices, RTM_GETADDR dump, and RTNLGRP_LINK /
 * RTNLGRP_IPV4_IFADDR notifications, with attributes laid out as Linux 6.18 lays them out.
 */
import {
  type InIfaddr,
  type Kernel,
  type Module,
  type Net,
  type SkBuff,
  ARPHRD_ETHER,
  AF_INET,
  AF_UNSPEC,
  CAP_NET_ADMIN,
  EEXIST,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EPERM,
  IF_OPER_DOWN,
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_NOARP,
  IFF_UP,
  NETDEV_ADDR_ADD,
  NETDEV_ADDR_DEL,
  NETDEV_CHANGE,
  NETDEV_CHANGEMTU,
  NETDEV_CHANGENAME,
  NETDEV_DOWN,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_UP,
  NetDevice,
  dev_change_flags,
  dev_get_by_index,
  dev_get_by_name,
  ns_capable,
  register_netdevice,
  register_netdevice_notifier,
  register_pernet_subsys,
  unregister_netdevice,
  unregister_pernet_subsys,
  type PernetOperations,
} from '@ksock/core';
import {
  type NetlinkCallback,
  type NetlinkExtAck,
  type NetlinkSock,
  type NlDumpSkb,
  NETLINK_CB,
  netlink_dump_start,
  netlink_kernel_create,
  netlink_kernel_release,
  netlink_net_capable,
  netlink_rcv_skb,
  nlmsg_notify,
  nlmsg_unicast,
} from './af_netlink.js';
import {
  type NlAttr,
  type NlMsgHdr,
  NETLINK_ROUTE,
  NL_CFG_F_NONROOT_RECV,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLMSG_ALIGN,
  NLMSG_HDRLEN,
  nla,
  nla_find,
  nla_get_string,
  nla_get_u32,
  nla_nest,
  nla_parse,
  nla_string,
  nla_u8,
  nla_u16,
  nla_u32,
  nlmsg,
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
export const INFINITY_LIFE_TIME = 0xffffffff;

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
  socks: Map<Net, NetlinkSock>;
  pernet: PernetOperations;
  unreg_notifier: () => void;
}
const states = new WeakMap<Kernel, RtnlState>();

/** The namespace's rtnl kernel socket (net->rtnl), or null. */
export function rtnl_sock(net: Net): NetlinkSock | null {
  return states.get(net.kernel)?.socks.get(net) ?? null;
}

// ---- message builders -----------------------------------------------------------------------------
function be32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, false);
  return b;
}

/** The counters ksock keeps, in the order rtnl_link_stats64 / rtnl_link_stats begin with. */
function link_counters(dev: NetDevice): number[] {
  const s = dev.stats;
  return [
    s.rx_packets,
    s.tx_packets,
    s.rx_bytes,
    s.tx_bytes,
    s.rx_errors,
    s.tx_errors,
    s.rx_dropped,
    s.tx_dropped,
  ];
}

function stats64(dev: NetDevice): Uint8Array {
  const b = new Uint8Array(25 * 8);
  const dv = new DataView(b.buffer);
  const v = link_counters(dev);
  for (let i = 0; i < v.length; i++) dv.setBigUint64(i * 8, BigInt(v[i]!), true);
  return b;
}
function stats32(dev: NetDevice): Uint8Array {
  const b = new Uint8Array(24 * 4);
  const dv = new DataView(b.buffer);
  const v = link_counters(dev);
  for (let i = 0; i < v.length; i++) dv.setUint32(i * 4, v[i]! >>> 0, true);
  return b;
}

/**
 * Mirrors rtnl_fill_ifinfo(): struct ifinfomsg and the attributes in Linux 6.18's order. ksock leaves out
 * IFLA_AF_SPEC (per-family device configuration it does not model).
 */
export function rtnl_fill_ifinfo(
  dev: NetDevice,
  type: number,
  pid: number,
  seq: number,
  change: number,
  flags: number,
): Uint8Array {
  const loop = (dev.flags & IFF_LOOPBACK) !== 0;
  const up = (dev.flags & IFF_UP) !== 0;
  const attrs: Uint8Array[] = [
    nla_string(IFLA_IFNAME, dev.name),
    nla_u32(IFLA_TXQLEN, dev.tx_queue_len),
    nla_u8(IFLA_OPERSTATE, up ? dev.operstate : IF_OPER_DOWN),
    nla_u8(IFLA_LINKMODE, 0),
    nla_u8(IFLA_NETNS_IMMUTABLE, loop ? 1 : 0),
    nla_u32(IFLA_MTU, dev.mtu),
    nla_u32(IFLA_MIN_MTU, loop ? 0 : dev.min_mtu),
    nla_u32(IFLA_MAX_MTU, loop || dev.max_mtu >= 0x7fffffff ? 0 : dev.max_mtu),
    nla_u32(IFLA_GROUP, 0),
    nla_u32(IFLA_PROMISCUITY, 0),
    nla_u32(IFLA_ALLMULTI, 0),
    nla_u32(IFLA_NUM_TX_QUEUES, 1),
    nla_u32(IFLA_GSO_MAX_SEGS, 65535),
    nla_u32(IFLA_GSO_MAX_SIZE, 65536),
    nla_u32(IFLA_GRO_MAX_SIZE, 65536),
    nla_u32(IFLA_GSO_IPV4_MAX_SIZE, 65536),
    nla_u32(IFLA_GRO_IPV4_MAX_SIZE, 65536),
    nla_u32(IFLA_TSO_MAX_SIZE, 524280),
    nla_u32(IFLA_TSO_MAX_SEGS, 65535),
    nla_u32(IFLA_MAX_PACING_OFFLOAD_HORIZON, 0),
    nla_u32(IFLA_NUM_RX_QUEUES, 1),
    nla_u8(IFLA_CARRIER, 1),
    nla_u32(IFLA_CARRIER_CHANGES, 0),
    nla_u32(IFLA_CARRIER_UP_COUNT, 0),
    nla_u32(IFLA_CARRIER_DOWN_COUNT, 0),
    nla_u16(IFLA_HEADROOM, 0),
    nla_u16(IFLA_TAILROOM, 0),
    nla_u8(IFLA_PROTO_DOWN, 0),
    nla(IFLA_ADDRESS, dev.dev_addr),
    nla(IFLA_BROADCAST, loop ? new Uint8Array(6) : dev.broadcast),
    nla(IFLA_STATS64, stats64(dev)),
    nla(IFLA_STATS, stats32(dev)),
    nla(IFLA_XDP, nla_u8(IFLA_XDP_ATTACHED, 0)),
  ];
  if (dev.kind !== null) attrs.push(nla(IFLA_LINKINFO, nla_string(IFLA_INFO_KIND, dev.kind)));
  attrs.push(nla_string(IFLA_QDISC, 'noqueue'), nla(IFLA_MAP, new Uint8Array(32)));
  attrs.push(nla_nest(IFLA_DEVLINK_PORT, []), nla_nest(IFLA_DPLL_PIN, []));
  const hdr = ifinfomsg({
    ifi_type: dev.type,
    ifi_index: dev.ifindex,
    ifi_flags: dev.flags,
    ifi_change: change,
  });
  return nlmsg(type, flags, seq, pid, [hdr, ...attrs]);
}

/** Mirrors inet_fill_ifaddr(): struct ifaddrmsg and IFA_* attributes (addresses in network order). */
export function inet_fill_ifaddr(
  dev: NetDevice,
  ifa: InIfaddr,
  type: number,
  pid: number,
  seq: number,
  flags: number,
): Uint8Array {
  const attrs: Uint8Array[] = [];
  if (ifa.ifa_address) attrs.push(nla(IFA_ADDRESS, be32(ifa.ifa_address)));
  if (ifa.ifa_local) attrs.push(nla(IFA_LOCAL, be32(ifa.ifa_local)));
  if (ifa.ifa_broadcast) attrs.push(nla(IFA_BROADCAST, be32(ifa.ifa_broadcast)));
  if (ifa.ifa_label) attrs.push(nla_string(IFA_LABEL, ifa.ifa_label));
  attrs.push(nla_u32(IFA_FLAGS, ifa.ifa_flags));
  const ci = new Uint8Array(16);
  const dv = new DataView(ci.buffer);
  dv.setUint32(0, INFINITY_LIFE_TIME, true);
  dv.setUint32(4, INFINITY_LIFE_TIME, true);
  attrs.push(nla(IFA_CACHEINFO, ci));
  return nlmsg(type, flags, seq, pid, [
    ifaddrmsg(AF_INET, ifa.ifa_prefixlen, ifa.ifa_flags, ifa.ifa_scope, dev.ifindex),
    ...attrs,
  ]);
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
function rtnl_getlink(skb: SkBuff, nlh: NlMsgHdr, msg: Uint8Array): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  const portid = NETLINK_CB(skb).portid;
  return nlmsg_unicast(
    rtnl_sock(net)!,
    rtnl_fill_ifinfo(dev, RTM_NEWLINK, portid, nlh.nlmsg_seq, 0, 0),
    portid,
  );
}

function random_ether_addr(): Uint8Array {
  const a = new Uint8Array(6);
  for (let i = 0; i < 6; i++) a[i] = Math.floor(Math.random() * 256);
  a[0] = (a[0]! & 0xfe) | 0x02; // unicast, locally administered (eth_random_addr)
  return a;
}

/** The dummy driver's setup (drivers/net/dummy.c: ether_setup + IFF_NOARP, no multicast, any MTU). */
export function dummy_setup(name: string): NetDevice {
  const dev = new NetDevice(name, ARPHRD_ETHER, {
    flags: IFF_BROADCAST | IFF_NOARP,
    mtu: 1500,
    tx_queue_len: 1000,
    kind: 'dummy',
    dev_addr: random_ether_addr(),
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
function rtnl_newlink(skb: SkBuff, nlh: NlMsgHdr, msg: Uint8Array, extack: NetlinkExtAck): number {
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
  const dev2 = dummy_setup(name.includes('%d') ? dev_alloc_name(net, name) : name);
  if (mtu !== undefined) dev2.mtu = nla_get_u32(mtu);
  const err = register_netdevice(net, dev2);
  if (err) return err;
  if (r.ifm.ifi_flags & IFF_UP) dev_change_flags(dev2, dev2.flags | IFF_UP);
  return 0;
}

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
function rtnl_setlink(skb: SkBuff, _nlh: NlMsgHdr, msg: Uint8Array): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  return do_setlink(net, dev, r);
}

/** Mirrors rtnl_dellink(): ENODEV if absent, EOPNOTSUPP for a device without rtnl_link_ops (lo). */
function rtnl_dellink(skb: SkBuff, _nlh: NlMsgHdr, msg: Uint8Array): number {
  const net = (skb.sk as NetlinkSock).sk_net;
  const r = parse_ifinfo(msg);
  if (typeof r === 'number') return r;
  const dev = find_dev(net, r);
  if (typeof dev === 'number') return dev;
  if (dev === null) return -ENODEV;
  if (dev.kind !== 'dummy') return -EOPNOTSUPP;
  return unregister_netdevice(dev);
}

/**
 * Mirrors rtnl_dump_ifinfo(): devices from cb->args[0] (an ifindex) on; RTNL_FLAG_DUMP_SPLIT_NLM_DONE
 * makes NLMSG_DONE a datagram of its own.
 */
function rtnl_dump_ifinfo(buf: NlDumpSkb, cb: NetlinkCallback): number {
  const net = buf.sk.sk_net;
  const portid = NETLINK_CB(cb.skb!).portid;
  for (const dev of net.dev_base) {
    if (dev.ifindex < cb.args[0]!) continue;
    const m = rtnl_fill_ifinfo(dev, RTM_NEWLINK, portid, cb.nlh.nlmsg_seq, 0, NLM_F_MULTI);
    if (!buf.put(m)) {
      cb.args[0] = dev.ifindex;
      return buf.len;
    }
  }
  cb.args[0] = 0x7fffffff;
  return buf.len;
}

/** Mirrors inet_dump_ifaddr(): IPv4 addresses device by device (cb->args[0] ifindex, [1] address). */
function inet_dump_ifaddr(buf: NlDumpSkb, cb: NetlinkCallback): number {
  const net = buf.sk.sk_net;
  const portid = NETLINK_CB(cb.skb!).portid;
  const fam = cb.req.length > NLMSG_HDRLEN ? cb.req[NLMSG_HDRLEN]! : AF_UNSPEC;
  if (fam !== AF_UNSPEC && fam !== AF_INET) return 0;
  for (const dev of net.dev_base) {
    if (dev.ifindex < cb.args[0]!) continue;
    const start = dev.ifindex === cb.args[0] ? cb.args[1]! : 0;
    for (let i = start; i < dev.ifa_list.length; i++) {
      const m = inet_fill_ifaddr(dev, dev.ifa_list[i]!, RTM_NEWADDR, portid, cb.nlh.nlmsg_seq, NLM_F_MULTI);
      if (!buf.put(m)) {
        cb.args[0] = dev.ifindex;
        cb.args[1] = i;
        return buf.len;
      }
    }
  }
  cb.args[0] = 0x7fffffff;
  cb.args[1] = 0;
  return buf.len;
}

interface Link {
  doit?: (skb: SkBuff, nlh: NlMsgHdr, msg: Uint8Array, extack: NetlinkExtAck) => number;
  dumpit?: (buf: NlDumpSkb, cb: NetlinkCallback) => number;
}
const links: Record<number, Link> = {
  [RTM_NEWLINK]: { doit: rtnl_newlink },
  [RTM_DELLINK]: { doit: rtnl_dellink },
  [RTM_GETLINK]: { doit: rtnl_getlink, dumpit: rtnl_dump_ifinfo },
  [RTM_SETLINK]: { doit: rtnl_setlink },
  [RTM_GETADDR]: { dumpit: inet_dump_ifaddr },
};

/** Mirrors rtnl_calcit(): the largest link message, so a dump buffer can always hold one. */
function rtnl_calcit(net: Net): number {
  let n = 0;
  for (const d of net.dev_base) n = Math.max(n, rtnl_fill_ifinfo(d, RTM_NEWLINK, 0, 0, 0, 0).length);
  return n;
}

/**
 * Mirrors rtnetlink_rcv_msg(): EOPNOTSUPP above RTM_MAX, a payload under 1 byte ignored, CAP_NET_ADMIN
 * (opener and sender) for anything but GET, dumps for GET with NLM_F_DUMP bits, else the doit.
 */
export function rtnetlink_rcv_msg(
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
      dump: link.dumpit,
      module: st.mod,
      min_dump_alloc: type === RTM_GETLINK ? rtnl_calcit(net) : 0,
    });
  }
  if (link?.doit === undefined) return -EOPNOTSUPP;
  return link.doit(skb, nlh, msg, extack);
}

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
  nlmsg_notify(sk, rtnl_fill_ifinfo(dev, type, 0, 0, change, 0), 0, RTNLGRP_LINK, false);
}

function netdev_event(st: RtnlState, event: number, dev: NetDevice, ifa?: InIfaddr): void {
  const net = dev.net;
  if (net === null || !st.socks.has(net)) return;
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
    case NETDEV_ADDR_DEL: {
      const t = event === NETDEV_ADDR_ADD ? RTM_NEWADDR : RTM_DELADDR;
      nlmsg_notify(
        st.socks.get(net)!,
        inet_fill_ifaddr(dev, ifa!, t, 0, 0, 0),
        0,
        RTNLGRP_IPV4_IFADDR,
        false,
      );
      break;
    }
  }
}

/** The rtnetlink module: NETLINK_ROUTE, autoloaded as net-pf-16-proto-0. */
export const rtnetlink_module = {
  name: 'rtnetlink',
  version: '0.1.0',
  aliases: ['net-pf-16-proto-0'],
  depends: ['af_netlink'],
  description: 'NETLINK_ROUTE: links, addresses and their notifications',
  license: 'MIT',
  init(kernel: Kernel, mod: Module): number {
    const socks = new Map<Net, NetlinkSock>();
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
        socks.set(net, sk);
        return 0;
      },
      exit(net: Net): void {
        const sk = socks.get(net);
        socks.delete(net);
        if (sk !== undefined) netlink_kernel_release(sk);
      },
    };
    const st: RtnlState = { mod, socks, pernet, unreg_notifier: () => {} };
    states.set(kernel, st);
    const err = register_pernet_subsys(kernel, pernet);
    if (err) {
      states.delete(kernel);
      return err;
    }
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
};
