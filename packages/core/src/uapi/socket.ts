/** Address families, socket types and flags, message flags, socket options (include/linux/socket.h, net.h, asm-generic/socket.h). */

export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_LOCAL = 1;
export const AF_INET = 2;
export const AF_AX25 = 3;
export const AF_IPX = 4;
export const AF_APPLETALK = 5;
export const AF_NETROM = 6;
export const AF_BRIDGE = 7;
export const AF_ATMPVC = 8;
export const AF_X25 = 9;
export const AF_INET6 = 10;
export const AF_ROSE = 11;
export const AF_DECnet = 12;
export const AF_NETBEUI = 13;
export const AF_SECURITY = 14;
export const AF_KEY = 15;
export const AF_NETLINK = 16;
export const AF_ROUTE = AF_NETLINK;
export const AF_PACKET = 17;
export const AF_ASH = 18;
export const AF_ECONET = 19;
export const AF_ATMSVC = 20;
export const AF_RDS = 21;
export const AF_SNA = 22;
export const AF_IRDA = 23;
export const AF_PPPOX = 24;
export const AF_WANPIPE = 25;
export const AF_LLC = 26;
export const AF_IB = 27;
export const AF_MPLS = 28;
export const AF_CAN = 29;
export const AF_TIPC = 30;
export const AF_BLUETOOTH = 31;
export const AF_IUCV = 32;
export const AF_RXRPC = 33;
export const AF_ISDN = 34;
export const AF_PHONET = 35;
export const AF_IEEE802154 = 36;
export const AF_CAIF = 37;
export const AF_ALG = 38;
export const AF_NFC = 39;
export const AF_VSOCK = 40;
export const AF_KCM = 41;
export const AF_QIPCRTR = 42;
export const AF_SMC = 43;
export const AF_XDP = 44;
export const AF_MCTP = 45;
export const AF_MAX = 46;
/** include/uapi/linux/net.h: the size of net_families[]. */
export const NPROTO = AF_MAX;

/** include/linux/socket.h: a PF_* name for every AF_* (the protocol family of the same number). */
export const PF_UNSPEC = AF_UNSPEC;
export const PF_UNIX = AF_UNIX;
export const PF_LOCAL = AF_LOCAL;
export const PF_INET = AF_INET;
export const PF_AX25 = AF_AX25;
export const PF_IPX = AF_IPX;
export const PF_APPLETALK = AF_APPLETALK;
export const PF_NETROM = AF_NETROM;
export const PF_BRIDGE = AF_BRIDGE;
export const PF_ATMPVC = AF_ATMPVC;
export const PF_X25 = AF_X25;
export const PF_INET6 = AF_INET6;
export const PF_ROSE = AF_ROSE;
export const PF_DECnet = AF_DECnet;
export const PF_NETBEUI = AF_NETBEUI;
export const PF_SECURITY = AF_SECURITY;
export const PF_KEY = AF_KEY;
export const PF_NETLINK = AF_NETLINK;
export const PF_ROUTE = AF_ROUTE;
export const PF_PACKET = AF_PACKET;
export const PF_ASH = AF_ASH;
export const PF_ECONET = AF_ECONET;
export const PF_ATMSVC = AF_ATMSVC;
export const PF_RDS = AF_RDS;
export const PF_SNA = AF_SNA;
export const PF_IRDA = AF_IRDA;
export const PF_PPPOX = AF_PPPOX;
export const PF_WANPIPE = AF_WANPIPE;
export const PF_LLC = AF_LLC;
export const PF_IB = AF_IB;
export const PF_MPLS = AF_MPLS;
export const PF_CAN = AF_CAN;
export const PF_TIPC = AF_TIPC;
export const PF_BLUETOOTH = AF_BLUETOOTH;
export const PF_IUCV = AF_IUCV;
export const PF_RXRPC = AF_RXRPC;
export const PF_ISDN = AF_ISDN;
export const PF_PHONET = AF_PHONET;
export const PF_IEEE802154 = AF_IEEE802154;
export const PF_CAIF = AF_CAIF;
export const PF_ALG = AF_ALG;
export const PF_NFC = AF_NFC;
export const PF_VSOCK = AF_VSOCK;
export const PF_KCM = AF_KCM;
export const PF_QIPCRTR = AF_QIPCRTR;
export const PF_SMC = AF_SMC;
export const PF_XDP = AF_XDP;
export const PF_MCTP = AF_MCTP;
export const PF_MAX = AF_MAX;

/** Printable family names, as net/socket.c and net/core/sock.c print them in log lines. */
export const af_family_names: readonly string[] = Object.freeze([
  'AF_UNSPEC',
  'AF_UNIX',
  'AF_INET',
  'AF_AX25',
  'AF_IPX',
  'AF_APPLETALK',
  'AF_NETROM',
  'AF_BRIDGE',
  'AF_ATMPVC',
  'AF_X25',
  'AF_INET6',
  'AF_ROSE',
  'AF_DECnet',
  'AF_NETBEUI',
  'AF_SECURITY',
  'AF_KEY',
  'AF_NETLINK',
  'AF_PACKET',
  'AF_ASH',
  'AF_ECONET',
  'AF_ATMSVC',
  'AF_RDS',
  'AF_SNA',
  'AF_IRDA',
  'AF_PPPOX',
  'AF_WANPIPE',
  'AF_LLC',
  'AF_IB',
  'AF_MPLS',
  'AF_CAN',
  'AF_TIPC',
  'AF_BLUETOOTH',
  'AF_IUCV',
  'AF_RXRPC',
  'AF_ISDN',
  'AF_PHONET',
  'AF_IEEE802154',
  'AF_CAIF',
  'AF_ALG',
  'AF_NFC',
  'AF_VSOCK',
  'AF_KCM',
  'AF_QIPCRTR',
  'AF_SMC',
  'AF_XDP',
  'AF_MCTP',
]);

/** enum sock_type (include/linux/net.h). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;
export const SOCK_DCCP = 6;
export const SOCK_PACKET = 10;
export const SOCK_MAX = SOCK_PACKET + 1;
export const SOCK_TYPE_MASK = 0xf;
/** Flags for socket(), socketpair() and accept4(): the same bits as O_CLOEXEC and O_NONBLOCK on x86-64. */
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;

export const sock_type_names: Readonly<Record<number, string>> = Object.freeze({
  1: 'SOCK_STREAM',
  2: 'SOCK_DGRAM',
  3: 'SOCK_RAW',
  4: 'SOCK_RDM',
  5: 'SOCK_SEQPACKET',
  6: 'SOCK_DCCP',
  10: 'SOCK_PACKET',
});

/** enum socket_state (include/uapi/linux/net.h). */
export const SS_FREE = 0;
export const SS_UNCONNECTED = 1;
export const SS_CONNECTING = 2;
export const SS_CONNECTED = 3;
export const SS_DISCONNECTING = 4;

/** enum sock_shutdown_cmd. */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

/** Message flags (include/linux/socket.h). */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_CTRUNC = 0x8;
export const MSG_PROBE = 0x10;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_FIN = 0x200;
export const MSG_SYN = 0x400;
export const MSG_CONFIRM = 0x800;
export const MSG_RST = 0x1000;
export const MSG_ERRQUEUE = 0x2000;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_MORE = 0x8000;
export const MSG_WAITFORONE = 0x10000;
export const MSG_BATCH = 0x40000;
export const MSG_ZEROCOPY = 0x4000000;
export const MSG_FASTOPEN = 0x20000000;
export const MSG_CMSG_CLOEXEC = 0x40000000;
export const MSG_CMSG_COMPAT = 0x80000000;
/** Kernel-internal flags that sendmsg() silently clears from what user space passes. */
export const MSG_SPLICE_PAGES = 0x8000000;
export const MSG_SENDPAGE_NOPOLICY = 0x10000;
export const MSG_SENDPAGE_DECRYPTED = 0x100000;
export const MSG_INTERNAL_SENDMSG_FLAGS = MSG_SPLICE_PAGES | MSG_SENDPAGE_NOPOLICY | MSG_SENDPAGE_DECRYPTED;

/** SOL_SOCKET control message types (include/linux/socket.h). */
export const SCM_RIGHTS = 0x01;
export const SCM_CREDENTIALS = 0x02;
export const SCM_SECURITY = 0x03;
export const SCM_PIDFD = 0x04;

/** Socket option levels. */
export const SOL_IP = 0;
export const SOL_SOCKET = 1;
export const SOL_TCP = 6;
export const SOL_UDP = 17;
export const SOL_IPV6 = 41;
export const SOL_RAW = 255;
export const SOL_PACKET = 263;
export const SOL_NETLINK = 270;
export const SOL_BLUETOOTH = 274;

/** SOL_SOCKET options (include/uapi/asm-generic/socket.h, x86-64 values). */
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_NO_CHECK = 11;
export const SO_PRIORITY = 12;
export const SO_LINGER = 13;
export const SO_BSDCOMPAT = 14;
export const SO_REUSEPORT = 15;
export const SO_PASSCRED = 16;
export const SO_PEERCRED = 17;
export const SO_RCVLOWAT = 18;
export const SO_SNDLOWAT = 19;
export const SO_RCVTIMEO_OLD = 20;
export const SO_SNDTIMEO_OLD = 21;
/** On 64-bit, SO_RCVTIMEO is the "old" option number; the timeval is two 64-bit longs. */
export const SO_RCVTIMEO = SO_RCVTIMEO_OLD;
export const SO_SNDTIMEO = SO_SNDTIMEO_OLD;
export const SO_BINDTODEVICE = 25;
export const SO_ATTACH_FILTER = 26;
export const SO_DETACH_FILTER = 27;
export const SO_PEERNAME = 28;
export const SO_TIMESTAMP = 29;
export const SO_ACCEPTCONN = 30;
export const SO_PEERSEC = 31;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const SO_PASSSEC = 34;
export const SO_MARK = 36;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;
export const SO_RXQ_OVFL = 40;
export const SO_PEEK_OFF = 42;
export const SO_BUSY_POLL = 46;
export const SO_INCOMING_CPU = 49;
export const SO_COOKIE = 57;
export const SO_GET_FILTER = SO_ATTACH_FILTER;
export const SO_TIMESTAMPNS_OLD = 35;
export const SO_TIMESTAMPING_OLD = 37;
export const SO_WIFI_STATUS = 41;
export const SO_NOFCS = 43;
export const SO_LOCK_FILTER = 44;
export const SO_SELECT_ERR_QUEUE = 45;
export const SO_MAX_PACING_RATE = 47;
export const SO_BPF_EXTENSIONS = 48;
export const SO_MEMINFO = 55;
export const SO_INCOMING_NAPI_ID = 56;
export const SO_PEERGROUPS = 59;
export const SO_ZEROCOPY = 60;
export const SO_TXTIME = 61;
export const SO_BINDTOIFINDEX = 62;
export const SO_TIMESTAMP_NEW = 63;
export const SO_TIMESTAMPNS_NEW = 64;
export const SO_TIMESTAMPING_NEW = 65;
export const SO_RCVTIMEO_NEW = 66;
export const SO_SNDTIMEO_NEW = 67;
export const SO_PREFER_BUSY_POLL = 69;
export const SO_NETNS_COOKIE = 71;
export const SO_BUF_LOCK = 72;
export const SO_RESERVE_MEM = 73;
export const SO_TXREHASH = 74;
export const SO_RCVMARK = 75;
export const SO_PASSPIDFD = 76;
export const SO_PEERPIDFD = 77;
export const SO_RCVPRIORITY = 82;
export const SO_PASSRIGHTS = 83;

/** include/linux/socket.h: the largest socket address the syscalls copy in (sizeof(struct sockaddr_storage)). */
export const _K_SS_MAXSIZE = 128;
/** The default listen() backlog cap (net.core.somaxconn). */
export const SOMAXCONN = 4096;
/** include/linux/socket.h UIO_MAXIOV: the most iovecs sendmsg()/recvmsg() accept. */
export const UIO_MAXIOV = 1024;

/** socket->flags bit numbers (include/linux/net.h). */
export const SOCKWQ_ASYNC_NOSPACE = 0;
export const SOCKWQ_ASYNC_WAITDATA = 1;
export const SOCK_NOSPACE = 2;
export const SOCK_PASSCRED = 3;
export const SOCK_PASSSEC = 4;
export const SOCK_SUPPORT_ZC = 5;
export const SOCK_CUSTOM_SOCKOPT = 6;
export const SOCK_PASSPIDFD = 7;

/** File ioctls every descriptor has (include/uapi/asm-generic/ioctls.h, x86-64 values). */
export const TIOCOUTQ = 0x5411;
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;
export const FIOQSIZE = 0x5460;

/** Socket ioctls (include/uapi/linux/sockios.h). */
export const SIOCINQ = FIONREAD;
export const SIOCOUTQ = TIOCOUTQ;
export const SIOCOUTQNSD = 0x894b;
export const FIOSETOWN = 0x8901;
export const SIOCSPGRP = 0x8902;
export const FIOGETOWN = 0x8903;
export const SIOCGPGRP = 0x8904;
export const SIOCATMARK = 0x8905;
export const SIOCADDRT = 0x890b;
export const SIOCDELRT = 0x890c;
export const SIOCRTMSG = 0x890d;
export const SIOCGSTAMP_OLD = 0x8906;
export const SIOCGSTAMPNS_OLD = 0x8907;
export const SIOCGIFNAME = 0x8910;
export const SIOCSIFLINK = 0x8911;
export const SIOCGIFCONF = 0x8912;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const SIOCGIFADDR = 0x8915;
export const SIOCSIFADDR = 0x8916;
export const SIOCGIFDSTADDR = 0x8917;
export const SIOCSIFDSTADDR = 0x8918;
export const SIOCGIFBRDADDR = 0x8919;
export const SIOCSIFBRDADDR = 0x891a;
export const SIOCGIFNETMASK = 0x891b;
export const SIOCSIFNETMASK = 0x891c;
export const SIOCGIFMETRIC = 0x891d;
export const SIOCSIFMETRIC = 0x891e;
export const SIOCGIFMEM = 0x891f;
export const SIOCSIFMEM = 0x8920;
export const SIOCGIFMTU = 0x8921;
export const SIOCSIFMTU = 0x8922;
export const SIOCSIFNAME = 0x8923;
export const SIOCSIFHWADDR = 0x8924;
export const SIOCGIFHWADDR = 0x8927;
export const SIOCGIFSLAVE = 0x8929;
export const SIOCSIFSLAVE = 0x8930;
export const SIOCADDMULTI = 0x8931;
export const SIOCDELMULTI = 0x8932;
export const SIOCGIFINDEX = 0x8933;
export const SIOCSIFPFLAGS = 0x8934;
export const SIOCGIFPFLAGS = 0x8935;
export const SIOCDIFADDR = 0x8936;
export const SIOCSIFHWBROADCAST = 0x8937;
export const SIOCGIFCOUNT = 0x8938;
export const SIOCGIFTXQLEN = 0x8942;
export const SIOCSIFTXQLEN = 0x8943;
export const SIOCGSKNS = 0x894c;
export const SIOCGIFMAP = 0x8970;
export const SIOCSIFMAP = 0x8971;
/** SIOCDEVPRIVATE … SIOCDEVPRIVATE + 15: device-private commands. */
export const SIOCDEVPRIVATE = 0x89f0;
/** _IOC_TYPE() of the socket ioctls: sock_do_ioctl() hands only these to dev_ioctl(). */
export const SOCK_IOC_TYPE = 0x89;

/** SOL_SOCKET options for BPF programs, reuseport groups, busy polling and devmem (asm-generic/socket.h). */
export const SO_ATTACH_BPF = 50;
export const SO_ATTACH_REUSEPORT_CBPF = 51;
export const SO_ATTACH_REUSEPORT_EBPF = 52;
export const SO_DETACH_REUSEPORT_BPF = 68;
export const SO_BUSY_POLL_BUDGET = 70;
export const SO_DEVMEM_DONTNEED = 80;
export const SO_CNX_ADVICE = 53;
