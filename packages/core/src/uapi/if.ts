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

/** include/uapi/linux/if_arp.h: ARP protocol hardware identifiers (net_device.type, ifinfomsg.ifi_type). */
export const ARPHRD_NETROM = 0; // from KA9Q: NET/ROM pseudo
export const ARPHRD_ETHER = 1; // Ethernet 10Mbps
export const ARPHRD_EETHER = 2; // Experimental Ethernet
export const ARPHRD_AX25 = 3; // AX.25 Level 2
export const ARPHRD_PRONET = 4; // PROnet token ring
export const ARPHRD_CHAOS = 5; // Chaosnet
export const ARPHRD_IEEE802 = 6; // IEEE 802.2 Ethernet/TR/TB
export const ARPHRD_ARCNET = 7; // ARCnet
export const ARPHRD_APPLETLK = 8; // APPLEtalk
export const ARPHRD_DLCI = 15; // Frame Relay DLCI
export const ARPHRD_ATM = 19; // ATM
export const ARPHRD_METRICOM = 23; // Metricom STRIP (new IANA id)
export const ARPHRD_IEEE1394 = 24; // IEEE 1394 IPv4 - RFC 2734
export const ARPHRD_EUI64 = 27; // EUI-64
export const ARPHRD_INFINIBAND = 32; // InfiniBand
export const ARPHRD_SLIP = 256;
export const ARPHRD_CSLIP = 257;
export const ARPHRD_SLIP6 = 258;
export const ARPHRD_CSLIP6 = 259;
export const ARPHRD_RSRVD = 260; // Notional KISS type
export const ARPHRD_ADAPT = 264;
export const ARPHRD_ROSE = 270;
export const ARPHRD_X25 = 271; // CCITT X.25
export const ARPHRD_HWX25 = 272; // Boards with X.25 in firmware
export const ARPHRD_CAN = 280; // Controller Area Network
export const ARPHRD_MCTP = 290;
export const ARPHRD_PPP = 512;
export const ARPHRD_CISCO = 513; // Cisco HDLC
export const ARPHRD_HDLC = ARPHRD_CISCO;
export const ARPHRD_LAPB = 516; // LAPB
export const ARPHRD_DDCMP = 517; // Digital's DDCMP protocol
export const ARPHRD_RAWHDLC = 518; // Raw HDLC
export const ARPHRD_RAWIP = 519; // Raw IP
export const ARPHRD_TUNNEL = 768; // IPIP tunnel
export const ARPHRD_TUNNEL6 = 769; // IP6IP6 tunnel
export const ARPHRD_FRAD = 770; // Frame Relay Access Device
export const ARPHRD_SKIP = 771; // SKIP vif
export const ARPHRD_LOOPBACK = 772; // Loopback device
export const ARPHRD_LOCALTLK = 773; // Localtalk device
export const ARPHRD_FDDI = 774; // Fiber Distributed Data Interface
export const ARPHRD_BIF = 775; // AP1000 BIF
export const ARPHRD_SIT = 776; // sit0 device - IPv6-in-IPv4
export const ARPHRD_IPDDP = 777; // IP over DDP tunneller
export const ARPHRD_IPGRE = 778; // GRE over IP
export const ARPHRD_PIMREG = 779; // PIMSM register interface
export const ARPHRD_HIPPI = 780; // High Performance Parallel Interface
export const ARPHRD_ASH = 781; // Nexus 64Mbps Ash
export const ARPHRD_ECONET = 782; // Acorn Econet
export const ARPHRD_IRDA = 783; // Linux-IrDA
export const ARPHRD_FCPP = 784; // Point to point fibrechannel
export const ARPHRD_FCAL = 785; // Fibrechannel arbitrated loop
export const ARPHRD_FCPL = 786; // Fibrechannel public loop
export const ARPHRD_FCFABRIC = 787; // Fibrechannel fabric
export const ARPHRD_IEEE802_TR = 800; // Magic type ident for TR
export const ARPHRD_IEEE80211 = 801; // IEEE 802.11
export const ARPHRD_IEEE80211_PRISM = 802; // IEEE 802.11 + Prism2 header
export const ARPHRD_IEEE80211_RADIOTAP = 803; // IEEE 802.11 + radiotap header
export const ARPHRD_IEEE802154 = 804;
export const ARPHRD_IEEE802154_MONITOR = 805; // IEEE 802.15.4 network monitor
export const ARPHRD_PHONET = 820; // PhoNet media type
export const ARPHRD_PHONET_PIPE = 821; // PhoNet pipe header
export const ARPHRD_CAIF = 822; // CAIF media type
export const ARPHRD_IP6GRE = 823; // GRE over IPv6
export const ARPHRD_NETLINK = 824; // Netlink header
export const ARPHRD_6LOWPAN = 825; // IPv6 over LoWPAN
export const ARPHRD_VSOCKMON = 826; // Vsock monitor header
export const ARPHRD_VOID = 0xffff; // Void type, nothing is known
export const ARPHRD_NONE = 0xfffe; // zero header length

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
