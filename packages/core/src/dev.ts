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
  /** Lifetimes in seconds (INFINITY_LIFE_TIME 0xffffffff when absent, as for a permanent address). */
  ifa_valid_lft?: number;
  ifa_preferred_lft?: number;
  /** Creation and last-update times (ifa_cstamp, ifa_tstamp), in milliseconds of the host's monotonic clock. */
  ifa_cstamp?: number;
  ifa_tstamp?: number;
  /** IFA_RT_PRIORITY and IFA_PROTO as the address was given them. */
  ifa_rt_priority?: number;
  ifa_proto?: number;
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
  /**
   * The root qdisc's id, as IFLA_QDISC reports it (dev->qdisc->ops->id): "noop" until the device is first
   * brought up; dev_activate() then attaches the default, "noqueue" for the IFF_NO_QUEUE devices ksock has
   * (lo, dummy), and it stays attached when the device goes down again.
   */
  qdisc = 'noop';
  /** dev->tso_max_size: TSO_LEGACY_MAX_SIZE unless the driver raises it (loopback: GSO_MAX_SIZE). */
  tso_max_size = 65536;
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

  /**
   * `init` sets what a driver's setup function sets before register_netdevice(): `mtu` (default 1500),
   * and the range dev_validate_mtu() allows, `min_mtu` / `max_mtu` (default 68 and 65535, ETH_MIN_MTU and
   * IP_MAX_MTU; a CAN device has 16 and 72, CAN_MTU and CANFD_MTU).
   */
  constructor(
    name: string,
    type: number,
    init: {
      flags?: number;
      mtu?: number;
      min_mtu?: number;
      max_mtu?: number;
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
    if (init.min_mtu !== undefined) this.min_mtu = init.min_mtu;
    if (init.max_mtu !== undefined) this.max_mtu = init.max_mtu;
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
 * Mirrors dev_validate_mtu() (net/core/dev.c): negative or below min_mtu, or above a max_mtu that is
 * set (> 0), is EINVAL. Returns the reason as Linux's extack would give it, or null.
 */
export function dev_validate_mtu(dev: NetDevice, new_mtu: number): string | null {
  if (new_mtu < 0 || new_mtu < dev.min_mtu) return 'mtu less than device minimum';
  if (dev.max_mtu > 0 && new_mtu > dev.max_mtu) return 'mtu greater than device maximum';
  return null;
}

/**
 * Mirrors register_netdevice(): validate the name (EINVAL), refuse a duplicate (EEXIST), check the MTU
 * against the device's min_mtu/max_mtu (dev_validate_mtu(): EINVAL), assign the next ifindex of the
 * namespace, link it, tell the notifier chain. A refused MTU is also named in the kernel log (where
 * Linux puts the reason in the netlink extack, which a family calling this has no way to read).
 */
export function register_netdevice(net: Net, dev: NetDevice): number {
  if (!valid_name(dev.name)) return -EINVAL;
  if (dev_get_by_name(net, dev.name) !== null) return -EEXIST;
  const bad_mtu = dev_validate_mtu(dev, dev.mtu);
  if (bad_mtu !== null) {
    net.kernel.printk(
      `${dev.name}: ${bad_mtu} (mtu ${dev.mtu}, min_mtu ${dev.min_mtu}, max_mtu ${dev.max_mtu})`,
    );
    return -EINVAL;
  }
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
    dev.qdisc = 'noqueue'; // dev_activate()
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
  if (dev_validate_mtu(dev, new_mtu) !== null) return -EINVAL;
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

/** include/uapi/linux/if_addr.h */
export const IFA_F_SECONDARY = 0x01;

/** inet_make_mask(): the netmask of a prefix length, host order. */
function inet_make_mask(prefixlen: number): number {
  return prefixlen === 0 ? 0 : (~0 << (32 - prefixlen)) >>> 0;
}

/** Same mask and `addr` in ifa's subnet (ifa1->ifa_mask == ifa->ifa_mask && inet_ifa_match()). */
function same_subnet(a: InIfaddr, b: InIfaddr): boolean {
  if (a.ifa_prefixlen !== b.ifa_prefixlen) return false;
  const mask = inet_make_mask(b.ifa_prefixlen);
  return ((a.ifa_address ^ b.ifa_address) & mask) >>> 0 === 0;
}

/**
 * Mirrors __inet_insert_ifa(): an address with local 0 is dropped (0); the same local address in the same
 * subnet → -EEXIST; another address of that subnet with a different scope → -EINVAL ("ipv4: Invalid scope
 * value" in Linux's extack); otherwise it becomes IFA_F_SECONDARY behind a primary of its subnet and goes
 * to the end of the list, or, as a primary, after the last primary whose scope is not narrower than its own
 * (so host-scope addresses stay first). Then NETDEV_ADDR_ADD (rtmsg_ifa() and the inetaddr chain in Linux).
 */
export function inet_insert_ifa(dev: NetDevice, ifa: InIfaddr): number {
  if (ifa.ifa_local === 0) return 0;
  ifa.ifa_flags &= ~IFA_F_SECONDARY;
  let last_primary = 0;
  for (let i = 0; i < dev.ifa_list.length; i++) {
    const a = dev.ifa_list[i]!;
    if ((a.ifa_flags & IFA_F_SECONDARY) === 0 && ifa.ifa_scope <= a.ifa_scope) last_primary = i + 1;
    if (same_subnet(a, ifa)) {
      if (a.ifa_local === ifa.ifa_local) return -EEXIST;
      if (a.ifa_scope !== ifa.ifa_scope) return -EINVAL;
      ifa.ifa_flags |= IFA_F_SECONDARY;
    }
  }
  if ((ifa.ifa_flags & IFA_F_SECONDARY) !== 0) dev.ifa_list.push(ifa);
  else dev.ifa_list.splice(last_primary, 0, ifa);
  if (dev.net !== null) call_netdevice_notifiers(dev.net, NETDEV_ADDR_ADD, dev, ifa);
  return 0;
}

/**
 * Mirrors inet_del_ifa() → __inet_del_ifa() with promote_secondaries off (the default): deleting a primary
 * deletes the secondaries of its subnet first, each with its own NETDEV_ADDR_DEL, then the primary.
 */
export function inet_del_ifa(dev: NetDevice, ifa: InIfaddr): void {
  if (dev.ifa_list.indexOf(ifa) < 0) return;
  if ((ifa.ifa_flags & IFA_F_SECONDARY) === 0) {
    for (const a of [...dev.ifa_list]) {
      if (a === ifa || (a.ifa_flags & IFA_F_SECONDARY) === 0 || !same_subnet(a, ifa)) continue;
      dev.ifa_list.splice(dev.ifa_list.indexOf(a), 1);
      if (dev.net !== null) call_netdevice_notifiers(dev.net, NETDEV_ADDR_DEL, dev, a);
    }
  }
  dev.ifa_list.splice(dev.ifa_list.indexOf(ifa), 1);
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
  lo.tso_max_size = 524280; // netif_set_tso_max_size(dev, GSO_MAX_SIZE) in gen_lo_setup()
  const r = register_netdevice(net, lo);
  if (r < 0) return r;
  net.loopback_dev = lo;
  return up ? dev_change_flags(lo, lo.flags | IFF_UP) : 0;
}
