/**
 * net/core/dev.c and include/linux/netdevice.h: struct net_device, register_netdevice() and the netdevice
 * notifier chain, dev_change_flags() and dev_set_mtu(); the IPv4 addresses of net/ipv4/devinet.c
 * (inet_insert_ifa(), inet_del_ifa()) and loopback_net_init() from drivers/net/loopback.c.
 */
import type { Net } from './net_namespace.js';
import { EEXIST, EINVAL, ENODEV } from './uapi/errno.js';
import {
  ARPHRD_LOOPBACK,
  IF_OPER_UNKNOWN,
  IFF_LOOPBACK,
  IFF_LOWER_UP,
  IFF_RUNNING,
  IFF_UP,
  IFNAMSIZ,
  RT_SCOPE_HOST,
} from './uapi/if.js';

/** struct in_ifaddr: one IPv4 address on a device (addresses are host-order 32-bit numbers). */
export interface InIfaddr {
  ifa_local: number;
  ifa_address: number;
  ifa_broadcast: number;
  ifa_prefixlen: number;
  ifa_scope: number;
  ifa_flags: number;
  ifa_label: string;
}

/**
 * struct net_device, as the socket layer and rtnetlink observe it. IPv4 addresses (in Linux the in_device
 * of net/ipv4/devinet.c) live here too, so that any family can see the namespace's local addresses.
 */
export class NetDevice {
  ifindex = 0;
  flags: number;
  mtu: number;
  min_mtu = 68;
  max_mtu = 65535;
  tx_queue_len: number;
  operstate = IF_OPER_UNKNOWN;
  /** Driver kind for IFLA_LINKINFO ("dummy", "veth"…), null for loopback and physical devices. */
  kind: string | null;
  dev_addr: Uint8Array;
  broadcast: Uint8Array;
  readonly ifa_list: InIfaddr[] = [];
  /** Counters as rtnl_link_stats64 reports them. */
  readonly stats = {
    rx_packets: 0,
    tx_packets: 0,
    rx_bytes: 0,
    tx_bytes: 0,
    rx_errors: 0,
    tx_errors: 0,
    rx_dropped: 0,
    tx_dropped: 0,
  };
  net: Net | null = null;

  name: string;
  readonly type: number;

  constructor(
    name: string,
    type: number,
    init: {
      flags?: number;
      mtu?: number;
      tx_queue_len?: number;
      kind?: string | null;
      dev_addr?: Uint8Array;
      broadcast?: Uint8Array;
    } = {},
  ) {
    this.name = name;
    this.type = type;
    this.flags = init.flags ?? 0;
    this.mtu = init.mtu ?? 1500;
    this.tx_queue_len = init.tx_queue_len ?? 1000;
    this.kind = init.kind ?? null;
    this.dev_addr = init.dev_addr ?? new Uint8Array(6);
    this.broadcast = init.broadcast ?? new Uint8Array(6).fill(0xff);
  }

  traceLabel(): string {
    return `dev ${this.name}`;
  }
}

/** Netdevice notifier events (include/linux/netdevice.h). */
export const NETDEV_UP = 0x0001;
export const NETDEV_DOWN = 0x0002;
export const NETDEV_CHANGE = 0x0004;
export const NETDEV_REGISTER = 0x0005;
export const NETDEV_UNREGISTER = 0x0006;
export const NETDEV_CHANGEMTU = 0x0007;
export const NETDEV_CHANGENAME = 0x000a;
export const NETDEV_CHANGE_TX_QUEUE_LEN = 0x001e;
/** ksock: an IPv4 address was added to or removed from a device (the inetaddr chain of devinet.c). */
export const NETDEV_ADDR_ADD = 0x1001;
export const NETDEV_ADDR_DEL = 0x1002;

export type NetdevNotifier = (event: number, dev: NetDevice, ifa?: InIfaddr) => void;

function valid_name(name: string): boolean {
  return name.length > 0 && name.length < IFNAMSIZ && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

export function dev_get_by_name(net: Net, name: string): NetDevice | null {
  for (const d of net.dev_base) if (d.name === name) return d;
  return null;
}

export function dev_get_by_index(net: Net, ifindex: number): NetDevice | null {
  for (const d of net.dev_base) if (d.ifindex === ifindex) return d;
  return null;
}

function call_netdevice_notifiers(net: Net, event: number, dev: NetDevice, ifa?: InIfaddr): void {
  for (const fn of net.kernel.netdev_chain) fn(event, dev, ifa);
}

/** Register a netdevice notifier (register_netdevice_notifier). Returns the unregister function. */
export function register_netdevice_notifier(net: Net, fn: NetdevNotifier): () => void {
  const chain = net.kernel.netdev_chain;
  chain.push(fn);
  return () => {
    const i = chain.indexOf(fn);
    if (i >= 0) chain.splice(i, 1);
  };
}

/**
 * Mirrors register_netdevice(): validate the name (EINVAL), refuse a duplicate (EEXIST), assign the next
 * ifindex of the namespace, link it, tell the notifier chain.
 */
export function register_netdevice(net: Net, dev: NetDevice): number {
  if (!valid_name(dev.name)) return -EINVAL;
  if (dev_get_by_name(net, dev.name) !== null) return -EEXIST;
  if (dev.mtu < dev.min_mtu || dev.mtu > dev.max_mtu) return -EINVAL;
  dev.ifindex = ++net.ifindex;
  dev.net = net;
  net.dev_base.push(dev);
  call_netdevice_notifiers(net, NETDEV_REGISTER, dev);
  return 0;
}

/** Mirrors unregister_netdevice(): addresses go first (NETDEV_ADDR_DEL), then NETDEV_UNREGISTER. */
export function unregister_netdevice(dev: NetDevice): number {
  const net = dev.net;
  if (net === null) return -ENODEV;
  if ((dev.flags & IFF_UP) !== 0) dev_change_flags(dev, dev.flags & ~IFF_UP);
  while (dev.ifa_list.length > 0) inet_del_ifa(dev, dev.ifa_list[dev.ifa_list.length - 1]!);
  net.dev_base.splice(net.dev_base.indexOf(dev), 1);
  call_netdevice_notifiers(net, NETDEV_UNREGISTER, dev);
  dev.net = null;
  return 0;
}

/**
 * Mirrors dev_change_flags(): IFF_UP transitions raise NETDEV_UP / NETDEV_DOWN. Bringing a loopback device
 * up gives it 127.0.0.1/8 when it has no address, as inetdev_event() does in net/ipv4/devinet.c.
 */
export function dev_change_flags(dev: NetDevice, flags: number): number {
  const net = dev.net;
  if (net === null) return -ENODEV;
  const was_up = (dev.flags & IFF_UP) !== 0;
  dev.flags = flags;
  const up = (flags & IFF_UP) !== 0;
  if (up && !was_up) {
    dev.flags |= IFF_RUNNING | IFF_LOWER_UP;
    call_netdevice_notifiers(net, NETDEV_UP, dev);
    if ((dev.flags & IFF_LOOPBACK) !== 0 && dev.ifa_list.length === 0) {
      inet_insert_ifa(dev, {
        ifa_local: 0x7f000001,
        ifa_address: 0x7f000001,
        ifa_broadcast: 0,
        ifa_prefixlen: 8,
        ifa_scope: RT_SCOPE_HOST,
        ifa_flags: IFA_F_PERMANENT,
        ifa_label: dev.name,
      });
    }
  } else if (!up && was_up) {
    dev.flags &= ~(IFF_RUNNING | IFF_LOWER_UP);
    call_netdevice_notifiers(net, NETDEV_DOWN, dev);
  } else {
    call_netdevice_notifiers(net, NETDEV_CHANGE, dev);
  }
  return 0;
}

/**
 * Mirrors dev_set_mtu() → dev_validate_mtu(): the same MTU is a no-op; below min_mtu or above max_mtu is
 * EINVAL; otherwise it is set and NETDEV_CHANGEMTU told.
 */
export function dev_set_mtu(dev: NetDevice, new_mtu: number): number {
  if (new_mtu === dev.mtu) return 0;
  if (new_mtu < 0 || new_mtu < dev.min_mtu) return -EINVAL;
  if (dev.max_mtu > 0 && new_mtu > dev.max_mtu) return -EINVAL;
  if (dev.net === null) return -ENODEV;
  dev.mtu = new_mtu;
  call_netdevice_notifiers(dev.net, NETDEV_CHANGEMTU, dev);
  return 0;
}

/** Mirrors dev_change_tx_queue_len(): set it and tell NETDEV_CHANGE_TX_QUEUE_LEN when it changed. */
export function dev_change_tx_queue_len(dev: NetDevice, new_len: number): number {
  if (new_len === dev.tx_queue_len) return 0;
  if (dev.net === null) return -ENODEV;
  dev.tx_queue_len = new_len;
  call_netdevice_notifiers(dev.net, NETDEV_CHANGE_TX_QUEUE_LEN, dev);
  return 0;
}

/** include/uapi/linux/if_addr.h */
export const IFA_F_PERMANENT = 0x80;

/** Mirrors inet_insert_ifa(): add an IPv4 address (EEXIST if the same local/prefix is there). */
export function inet_insert_ifa(dev: NetDevice, ifa: InIfaddr): number {
  for (const a of dev.ifa_list) {
    if (a.ifa_local === ifa.ifa_local && a.ifa_prefixlen === ifa.ifa_prefixlen) return -EEXIST;
  }
  dev.ifa_list.push(ifa);
  if (dev.net !== null) call_netdevice_notifiers(dev.net, NETDEV_ADDR_ADD, dev, ifa);
  return 0;
}

/** Mirrors inet_del_ifa(). */
export function inet_del_ifa(dev: NetDevice, ifa: InIfaddr): void {
  const i = dev.ifa_list.indexOf(ifa);
  if (i < 0) return;
  dev.ifa_list.splice(i, 1);
  if (dev.net !== null) call_netdevice_notifiers(dev.net, NETDEV_ADDR_DEL, dev, ifa);
}

/**
 * True when `addr` (host-order IPv4) is local to the namespace, as inet_addr_type() == RTN_LOCAL decides:
 * an address configured on any device, or anything in a loopback device's subnet (127.0.0.0/8 on lo).
 */
export function inet_addr_is_local(net: Net, addr: number): boolean {
  for (const dev of net.dev_base) {
    for (const a of dev.ifa_list) {
      if (a.ifa_local === addr >>> 0) return true;
      if ((dev.flags & IFF_LOOPBACK) !== 0 && a.ifa_prefixlen < 32) {
        const mask = a.ifa_prefixlen === 0 ? 0 : (~0 << (32 - a.ifa_prefixlen)) >>> 0;
        if ((addr & mask) >>> 0 === (a.ifa_local & mask) >>> 0) return true;
      }
    }
  }
  return false;
}

/**
 * Mirrors loopback_net_init(): every namespace gets `lo`, ifindex 1, MTU 65536. Linux leaves it down in a
 * new namespace; ksock brings init_net's up at boot, as every distribution's init does.
 */
export function loopback_net_init(net: Net, up: boolean): number {
  const lo = new NetDevice('lo', ARPHRD_LOOPBACK, { flags: IFF_LOOPBACK, mtu: 65536, tx_queue_len: 1000 });
  lo.max_mtu = 0x7fffffff;
  const r = register_netdevice(net, lo);
  if (r < 0) return r;
  net.loopback_dev = lo;
  return up ? dev_change_flags(lo, lo.flags | IFF_UP) : 0;
}
