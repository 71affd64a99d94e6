/** Interface flags and hardware types (include/uapi/linux/if.h, if_arp.h). */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MASTER = 0x400;
export const IFF_SLAVE = 0x800;
export const IFF_MULTICAST = 0x1000;
export const IFF_PORTSEL = 0x2000;
export const IFF_AUTOMEDIA = 0x4000;
export const IFF_DYNAMIC = 0x8000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;
export const IFF_ECHO = 0x40000;
/** The flags the driver owns: SIOCSIFFLAGS cannot change them. */
export const IFF_VOLATILE =
  IFF_LOOPBACK |
  IFF_POINTOPOINT |
  IFF_BROADCAST |
  IFF_ECHO |
  IFF_MASTER |
  IFF_SLAVE |
  IFF_RUNNING |
  IFF_LOWER_UP |
  IFF_DORMANT;

/**
 * struct ifreq on x86-64: ifr_name[IFNAMSIZ] then a 24-byte union (ifr_addr, ifr_flags, ifr_ifindex,
 * ifr_mtu, ifr_map…) at IFR_DATA. struct ifconf: int ifc_len, 4 bytes of padding, then the buffer pointer.
 */
export const IFREQ_SIZE = 40;
export const IFR_DATA = 16;
export const IFCONF_SIZE = 16;

export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_NONE = 0xfffe;

/** RFC 2863 operational states (IF_OPER_*). */
export const IF_OPER_UNKNOWN = 0;
export const IF_OPER_NOTPRESENT = 1;
export const IF_OPER_DOWN = 2;
export const IF_OPER_LOWERLAYERDOWN = 3;
export const IF_OPER_TESTING = 4;
export const IF_OPER_DORMANT = 5;
export const IF_OPER_UP = 6;

export const IFNAMSIZ = 16;

/** Address scopes (include/uapi/linux/rtnetlink.h RT_SCOPE_*). */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
