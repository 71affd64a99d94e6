/**
 * The IPv4 address ioctls: mirrors devinet_ioctl() in net/ipv4/devinet.c. ksock keeps the addresses in
 * core's NetDevice (`ifa_list`), so the function lives here and af-inet's inet_ioctl() calls it, as
 * Linux's inet_ioctl() does.
 */
import { ns_capable } from './cred.js';
import type { InIfaddr } from './dev.js';
import { dev_get_by_name, inet_del_ifa } from './dev.js';
import { dev_change_flags_user, ifr_name } from './dev_ioctl.js';
import type { Net } from './net_namespace.js';
import { CAP_NET_ADMIN } from './uapi/capability.js';
import { EADDRNOTAVAIL, EINVAL, ENODEV, EOPNOTSUPP, EPERM } from './uapi/errno.js';
import { IFF_UP, IFNAMSIZ, IFR_DATA, IFREQ_SIZE } from './uapi/if.js';
import * as S from './uapi/socket.js';

/** ifa_mask: the prefix as a host-order netmask. */
function inet_make_mask(prefixlen: number): number {
  return prefixlen === 0 ? 0 : (~0 << (32 - prefixlen)) >>> 0;
}

/**
 * Mirrors devinet_ioctl() for the getters SIOCGIFADDR / SIOCGIFBRDADDR / SIOCGIFDSTADDR / SIOCGIFNETMASK
 * and the setter SIOCSIFFLAGS. `ifr` is the caller's struct ifreq; a getter that succeeds writes ifr_addr
 * (a whole sockaddr_in) and clears byte 15 of the name, as inet_ioctl() copies the ifreq back.
 *
 * The address is the one whose label is ifr_name ("eth0", or an alias "eth0:1") — and, when the caller put
 * an AF_INET address in ifr_addr, whose local address is that one too, if any is (4.4BSD style). No device
 * is ENODEV, no such address EADDRNOTAVAIL. SIOCSIFFLAGS (CAP_NET_ADMIN) on an alias deletes that address
 * when IFF_UP is cleared; on a device it changes the device's flags. SIOCSIFADDR, SIOCSIFBRDADDR,
 * SIOCSIFDSTADDR and SIOCSIFNETMASK are not modelled (EOPNOTSUPP after Linux's permission and family
 * checks); other commands are EINVAL.
 */
export function devinet_ioctl(net: Net, cmd: number, ifr: Uint8Array): number {
  const k = ifr.slice(0, IFREQ_SIZE); // the kernel's copy
  k[IFNAMSIZ - 1] = 0;
  const dv = new DataView(k.buffer);
  const sin_family = dv.getUint16(IFR_DATA, true);
  const sin_addr = dv.getUint32(IFR_DATA + 4, false);
  let tryaddrmatch = false;
  switch (cmd) {
    case S.SIOCGIFADDR:
    case S.SIOCGIFBRDADDR:
    case S.SIOCGIFDSTADDR:
    case S.SIOCGIFNETMASK:
      tryaddrmatch = sin_family === S.AF_INET;
      k.fill(0, IFR_DATA, IFR_DATA + 16);
      dv.setUint16(IFR_DATA, S.AF_INET, true);
      break;
    case S.SIOCSIFFLAGS:
      if (!ns_capable(null, CAP_NET_ADMIN)) return -EPERM;
      break;
    case S.SIOCSIFADDR:
    case S.SIOCSIFBRDADDR:
    case S.SIOCSIFDSTADDR:
    case S.SIOCSIFNETMASK:
      if (!ns_capable(null, CAP_NET_ADMIN)) return -EPERM;
      if (sin_family !== S.AF_INET) return -EINVAL;
      return -EOPNOTSUPP;
    default:
      return -EINVAL;
  }
  const label = ifr_name(k);
  const colon = label.indexOf(':');
  const dev = dev_get_by_name(net, colon < 0 ? label : label.slice(0, colon));
  if (dev === null) return -ENODEV;
  let ifa: InIfaddr | undefined;
  if (tryaddrmatch) ifa = dev.ifa_list.find((a) => a.ifa_label === label && a.ifa_local >>> 0 === sin_addr);
  ifa ??= dev.ifa_list.find((a) => a.ifa_label === label);
  if (ifa === undefined && cmd !== S.SIOCSIFFLAGS) return -EADDRNOTAVAIL;
  let answer = 0;
  switch (cmd) {
    case S.SIOCGIFADDR:
      answer = ifa!.ifa_local;
      break;
    case S.SIOCGIFBRDADDR:
      answer = ifa!.ifa_broadcast;
      break;
    case S.SIOCGIFDSTADDR:
      answer = ifa!.ifa_address;
      break;
    case S.SIOCGIFNETMASK:
      answer = inet_make_mask(ifa!.ifa_prefixlen);
      break;
    default: {
      // SIOCSIFFLAGS: nothing is copied back.
      const flags = dv.getInt16(IFR_DATA, true);
      if (colon >= 0) {
        if (ifa === undefined) return -EADDRNOTAVAIL;
        if ((flags & IFF_UP) === 0) inet_del_ifa(dev, ifa);
        return 0;
      }
      return dev_change_flags_user(dev, flags);
    }
  }
  dv.setUint32(IFR_DATA + 4, answer >>> 0, false);
  ifr.set(k.subarray(0, IFR_DATA + 16));
  return 0;
}
