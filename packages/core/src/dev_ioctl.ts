/**
 * The device ioctls every socket answers: mirrors net/core/dev_ioctl.c — dev_ioctl() with
 * dev_ifsioc_locked() (the getters anyone may use) and dev_ifsioc() (the setters, CAP_NET_ADMIN), and
 * dev_ifconf() (SIOCGIFCONF) over inet_gifconf().
 *
 * The `struct ifreq` is the caller's 40 bytes, read and written in place: a getter writes only the fields
 * Linux assigns (the rest of the union keeps what the caller put there), a setter leaves the bytes alone,
 * as dev_ioctl() then skips the copy back.
 */
import { ns_capable } from './cred.js';
import type { NetDevice } from './dev.js';
import {
  dev_change_flags,
  dev_change_tx_queue_len,
  dev_get_by_index,
  dev_get_by_name,
  dev_set_mtu,
} from './dev.js';
import type { Net } from './net_namespace.js';
import { CAP_NET_ADMIN } from './uapi/capability.js';
import { EFAULT, EINVAL, ENODEV, ENOTTY, EOPNOTSUPP, EPERM } from './uapi/errno.js';
import {
  IFF_ALLMULTI,
  IFF_AUTOMEDIA,
  IFF_DEBUG,
  IFF_DORMANT,
  IFF_DYNAMIC,
  IFF_LOWER_UP,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_NOTRAILERS,
  IFF_PORTSEL,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_UP,
  IFF_VOLATILE,
  IFNAMSIZ,
  IFR_DATA,
  IFREQ_SIZE,
} from './uapi/if.js';
import * as S from './uapi/socket.js';

/**
 * SIOCGIFCONF's argument, struct ifconf: `ifc_len` is the buffer's length going in and the bytes used
 * (or, with no buffer, needed) coming out; `ifc_buf` receives the struct ifreq array, or is null (NULL).
 */
export interface IfConf {
  ifc_len: number;
  ifc_buf: Uint8Array | null;
}

/** A view of a struct ifreq the caller handed over. */
function ifr_view(ifr: Uint8Array): DataView {
  return new DataView(ifr.buffer, ifr.byteOffset, IFREQ_SIZE);
}

/** ifr_name up to its NUL (the caller's byte 15 was already made NUL). */
export function ifr_name(ifr: Uint8Array): string {
  const n = ifr.subarray(0, IFNAMSIZ);
  const nul = n.indexOf(0);
  return new TextDecoder().decode(n.subarray(0, nul < 0 ? IFNAMSIZ : nul));
}

/** The device an ifr_name names, an alias label ("eth0:1") naming its device, as dev_ioctl() cuts it. */
function ifr_dev(net: Net, name: string): NetDevice | null {
  const colon = name.indexOf(':');
  return dev_get_by_name(net, colon < 0 ? name : name.slice(0, colon));
}

/** Mirrors get_user_ifreq(): the 40 bytes must be there (EFAULT otherwise). */
export function get_user_ifreq(arg: unknown): Uint8Array | number {
  return arg instanceof Uint8Array && arg.length >= IFREQ_SIZE ? arg : -EFAULT;
}

/**
 * Mirrors dev_get_flags(): the flags as userspace sees them, RUNNING / LOWER_UP / DORMANT from the
 * device's state (ksock's dev.flags carries them already).
 */
export function dev_get_flags(dev: NetDevice): number {
  const f = dev.flags & ~(IFF_PROMISC | IFF_ALLMULTI | IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);
  const up = (dev.flags & IFF_UP) !== 0;
  return (
    (f |
      (dev.flags & (IFF_PROMISC | IFF_ALLMULTI)) |
      (up ? dev.flags & (IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT) : 0)) >>>
    0
  );
}

/**
 * Mirrors __dev_change_flags() as SIOCSIFFLAGS reaches it: the short is sign-extended; only the flags the
 * user may set are taken from it, the driver's (IFF_VOLATILE) kept; IFF_UP opens or closes the device.
 * ksock keeps IFF_PROMISC / IFF_ALLMULTI as asked (Linux counts promiscuity users).
 */
export function dev_change_flags_user(dev: NetDevice, ifr_flags: number): number {
  const flags = (ifr_flags << 16) >> 16;
  const user =
    IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC | IFF_MULTICAST | IFF_PORTSEL | IFF_AUTOMEDIA;
  const nf = (flags & (user | IFF_UP | IFF_PROMISC | IFF_ALLMULTI)) | (dev.flags & IFF_VOLATILE);
  return dev_change_flags(dev, nf >>> 0);
}

/** Mirrors dev_ifname() / netdev_get_name(): the name of the device with ifr_ifindex, and its NUL. */
function dev_ifname(net: Net, ifr: Uint8Array): number {
  ifr[IFNAMSIZ - 1] = 0;
  const dev = dev_get_by_index(net, ifr_view(ifr).getInt32(IFR_DATA, true));
  if (dev === null) return -ENODEV;
  const name = new TextEncoder().encode(dev.name);
  ifr.set(name);
  ifr[name.length] = 0;
  return 0;
}

/** Mirrors dev_ifsioc_locked(): the getters anyone may use. */
function dev_ifsioc_locked(net: Net, ifr: Uint8Array, cmd: number): number {
  const dev = ifr_dev(net, ifr_name(ifr));
  if (dev === null) return -ENODEV;
  const dv = ifr_view(ifr);
  switch (cmd) {
    case S.SIOCGIFFLAGS:
      dv.setInt16(IFR_DATA, dev_get_flags(dev), true); // (short): IFF_LOWER_UP and above are cut
      return 0;
    case S.SIOCGIFMETRIC:
      dv.setInt32(IFR_DATA, 0, true);
      return 0;
    case S.SIOCGIFMTU:
      dv.setInt32(IFR_DATA, dev.mtu, true);
      return 0;
    case S.SIOCGIFSLAVE:
      return -EINVAL;
    case S.SIOCGIFMAP:
      // dev_getifmap(): struct ifmap field by field (mem_start, mem_end, base_addr, irq, dma, port): no
      // ksock device has I/O resources. Its three bytes of tail padding are not written.
      ifr.fill(0, IFR_DATA, IFR_DATA + 21);
      return 0;
    case S.SIOCGIFINDEX:
      dv.setInt32(IFR_DATA, dev.ifindex, true);
      return 0;
    case S.SIOCGIFTXQLEN:
      dv.setInt32(IFR_DATA, dev.tx_queue_len, true);
      return 0;
    default:
      return -ENOTTY;
  }
}

/**
 * Mirrors netif_get_mac_address(): ifr_hwaddr gets the device type as sa_family and the address bytes
 * (at most sa_data's 14); the rest of sa_data is left as it was.
 */
function netif_get_mac_address(net: Net, ifr: Uint8Array): number {
  const dev = ifr_dev(net, ifr_name(ifr));
  if (dev === null) return -ENODEV;
  ifr_view(ifr).setUint16(IFR_DATA, dev.type, true);
  ifr.set(dev.dev_addr.subarray(0, 14), IFR_DATA + 2);
  return 0;
}

/** Mirrors dev_ifsioc(): the setters ksock devices support; the others are EOPNOTSUPP. */
function dev_ifsioc(net: Net, ifr: Uint8Array, cmd: number): number {
  const dev = ifr_dev(net, ifr_name(ifr));
  if (dev === null) return -ENODEV;
  const dv = ifr_view(ifr);
  switch (cmd) {
    case S.SIOCSIFFLAGS:
      return dev_change_flags_user(dev, dv.getInt16(IFR_DATA, true));
    case S.SIOCSIFMTU:
      return dev_set_mtu(dev, dv.getInt32(IFR_DATA, true));
    case S.SIOCSIFTXQLEN: {
      const qlen = dv.getInt32(IFR_DATA, true);
      if (qlen < 0) return -EINVAL;
      return dev_change_tx_queue_len(dev, qlen);
    }
    default:
      // SIOCSIFMETRIC, SIOCSIFHWADDR, multicast lists, device-private commands: no ksock driver has them.
      return -EOPNOTSUPP;
  }
}

/**
 * Mirrors dev_ioctl(): SIOCGIFNAME by index; otherwise ifr_name is cut at IFNAMSIZ - 1 and at an alias
 * colon, and the command chooses: getters for anyone, setters with CAP_NET_ADMIN, SIOCGIFMEM /
 * SIOCSIFMEM / SIOCSIFLINK and unknown commands ENOTTY. `ifr` is the caller's struct ifreq (checked by
 * get_user_ifreq()); getters write their answer into it.
 */
export function dev_ioctl(net: Net, cmd: number, ifr: Uint8Array): number {
  if (cmd === S.SIOCGIFNAME) return dev_ifname(net, ifr);
  // The NUL goes into the copy that is written back: a getter's caller sees byte 15 cleared.
  const getter = (): number => {
    ifr[IFNAMSIZ - 1] = 0;
    return cmd === S.SIOCGIFHWADDR ? netif_get_mac_address(net, ifr) : dev_ifsioc_locked(net, ifr, cmd);
  };
  switch (cmd) {
    case S.SIOCGIFHWADDR:
    case S.SIOCGIFFLAGS:
    case S.SIOCGIFMETRIC:
    case S.SIOCGIFMTU:
    case S.SIOCGIFSLAVE:
    case S.SIOCGIFMAP:
    case S.SIOCGIFINDEX:
    case S.SIOCGIFTXQLEN:
      return getter();
    case S.SIOCSIFMAP:
    case S.SIOCSIFTXQLEN:
    case S.SIOCSIFFLAGS:
    case S.SIOCSIFMETRIC:
    case S.SIOCSIFMTU:
    case S.SIOCSIFHWADDR:
    case S.SIOCSIFSLAVE:
    case S.SIOCADDMULTI:
    case S.SIOCDELMULTI:
    case S.SIOCSIFHWBROADCAST:
    case S.SIOCSIFNAME:
      // The setters work on a copy that is not written back: byte 15 stays as the caller left it.
      if (!ns_capable(null, CAP_NET_ADMIN)) return -EPERM;
      return dev_ifsioc(net, with_name_cut(ifr), cmd);
    default:
      if (cmd >= S.SIOCDEVPRIVATE && cmd <= S.SIOCDEVPRIVATE + 15) {
        // dev_siocdevprivate(): a device must be named; no ksock driver has ndo_siocdevprivate.
        return ifr_dev(net, ifr_name(with_name_cut(ifr))) === null ? -ENODEV : -EOPNOTSUPP;
      }
      return -ENOTTY;
  }
}

/** The kernel's copy of a struct ifreq with ifr_name[IFNAMSIZ - 1] = 0, for commands that do not copy back. */
function with_name_cut(ifr: Uint8Array): Uint8Array {
  const k = ifr.slice(0, IFREQ_SIZE);
  k[IFNAMSIZ - 1] = 0;
  return k;
}

/**
 * Mirrors inet_gifconf() (net/ipv4/devinet.c): one zeroed struct ifreq per IPv4 address of the device —
 * its label, and AF_INET with the local address in ifr_addr — while a whole one fits in `len`. With no
 * buffer it counts what it would write.
 */
export function inet_gifconf(dev: NetDevice, buf: Uint8Array | null, off: number, len: number): number {
  let done = 0;
  for (const ifa of dev.ifa_list) {
    if (buf === null) {
      done += IFREQ_SIZE;
      continue;
    }
    if (len < IFREQ_SIZE) break;
    if (off + done + IFREQ_SIZE > buf.length) return -EFAULT; // copy_to_user() past the caller's buffer
    const r = buf.subarray(off + done, off + done + IFREQ_SIZE);
    r.fill(0);
    r.set(new TextEncoder().encode(ifa.ifa_label).subarray(0, IFNAMSIZ - 1));
    const dv = ifr_view(r);
    dv.setUint16(IFR_DATA, S.AF_INET, true);
    dv.setUint32(IFR_DATA + 4, ifa.ifa_local >>> 0, false);
    len -= IFREQ_SIZE;
    done += IFREQ_SIZE;
  }
  return done;
}

/**
 * Mirrors dev_ifconf(): every device's inet_gifconf() in turn, into `ifc_buf` (at most `ifc_len`
 * bytes), then the total written — or, with a NULL buffer, needed — into `ifc_len`. Only devices with IPv4
 * addresses appear, once per address.
 */
export function dev_ifconf(net: Net, ifc: unknown): number {
  if (typeof ifc !== 'object' || ifc === null || !('ifc_len' in ifc) || !('ifc_buf' in ifc)) return -EFAULT;
  const uifc = ifc as IfConf;
  const buf = uifc.ifc_buf;
  if (buf !== null && !(buf instanceof Uint8Array)) return -EFAULT;
  const len = uifc.ifc_len | 0;
  let total = 0;
  for (const dev of net.dev_base) {
    const done = buf === null ? inet_gifconf(dev, null, 0, 0) : inet_gifconf(dev, buf, total, len - total);
    if (done < 0) return -EFAULT;
    total += done;
  }
  uifc.ifc_len = total;
  return 0;
}
