/**
 * IP protocol numbers (include/uapi/linux/in.h): the third argument of socket(AF_INET, …), global to the
 * kernel as the header is, so core (sk_is_tcp() and SO_ZEROCOPY in net/core/sock.c) and every family read
 * the same names.
 */
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_EGP = 8;
export const IPPROTO_PUP = 12;
export const IPPROTO_UDP = 17;
export const IPPROTO_IDP = 22;
export const IPPROTO_TP = 29;
export const IPPROTO_DCCP = 33;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_RSVP = 46;
export const IPPROTO_GRE = 47;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_MTP = 92;
export const IPPROTO_BEETPH = 94;
export const IPPROTO_ENCAP = 98;
export const IPPROTO_PIM = 103;
export const IPPROTO_COMP = 108;
export const IPPROTO_L2TP = 115;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;
export const IPPROTO_MPLS = 137;
export const IPPROTO_ETHERNET = 143;
export const IPPROTO_AGGFRAG = 144;
export const IPPROTO_RAW = 255;
export const IPPROTO_SMC = 256;
export const IPPROTO_MPTCP = 262;
export const IPPROTO_MAX = 263;
