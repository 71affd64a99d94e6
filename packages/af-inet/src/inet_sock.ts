/**
 * struct inet_sock (include/net/inet_sock.h): the IPv4 part every PF_INET sock starts with. Addresses are
 * kept in host order; ports as numbers (Linux keeps inet_sport/inet_dport in network order).
 */
import { SOCK_STREAM, TCP_CLOSE } from '@ksock/core';
import { SOCK_DEAD, Sock, skb_queue_purge, sock_flag } from '@ksock/core/kernel';

/**
 * The inet_sock fields only an IP option changes (IP_MULTICAST_IF, IP_UNICAST_IF, IP_MINTTL,
 * IP_LOCAL_PORT_RANGE): out of line, so that every other socket is that much smaller; InetSock's
 * accessors of the same names read 0 while a socket has none of them set.
 */
class InetRare {
  mc_index = 0;
  mc_addr = 0;
  uc_index = 0;
  min_ttl = 0;
  local_port_range = 0;
}

/** Fields set in the constructor, as in Sock: a base class of the socks sk_alloc() creates. */
export class InetSock extends Sock {
  declare inet_saddr: number;
  declare inet_rcv_saddr: number;
  declare inet_daddr: number;
  /** Local port (host order); for raw sockets the protocol. */
  declare inet_num: number;
  declare inet_sport: number;
  declare inet_dport: number;
  declare inet_id: number;
  /** -1: use net.ipv4.ip_default_ttl. */
  declare uc_ttl: number;
  declare mc_ttl: number;
  /** The multicast groups joined (inet->mc_list): struct ip_mc_socklist's ip_mreqn, newest first. */
  declare mc_list: IpMreqn[] | null;
  declare tos: number;
  declare rcv_tos: number;
  declare pmtudisc: number;
  declare is_icsk: boolean;
  /**
   * inet_flags: the on/off options (IP_RECVERR, IP_FREEBIND, IP_PKTINFO… and the router-alert bit) as
   * the INET_FLAGS_* bits below — one number rather than a field each, since every socket carries them.
   * The ones the protocols read also have an accessor of their own (recverr, freebind…).
   */
  declare inet_flags: number;
  /** The values only an IP option changes (see InetRare); null while none is set. */
  declare inet_rare: InetRare | null;
  /** A stable stand-in for the %pK pointer /proc/net prints. */
  declare readonly sk_id: number;

  constructor() {
    super();
    this.inet_saddr = 0;
    this.inet_rcv_saddr = 0;
    this.inet_daddr = 0;
    this.inet_num = 0;
    this.inet_sport = 0;
    this.inet_dport = 0;
    this.inet_id = 0;
    this.uc_ttl = -1;
    this.mc_ttl = 1;
    this.mc_list = null;
    this.tos = 0;
    this.rcv_tos = 0;
    this.pmtudisc = 0;
    this.is_icsk = false;
    this.inet_flags = 0;
    this.inet_rare = null;
    this.sk_id = ++sk_ids;
  }

  private inet_rare_w(): InetRare {
    if (this.inet_rare === null) this.inet_rare = new InetRare();
    return this.inet_rare;
  }
  /** IP_MULTICAST_IF's interface index. */
  get mc_index(): number {
    return this.inet_rare === null ? 0 : this.inet_rare.mc_index;
  }
  set mc_index(v: number) {
    if (this.inet_rare !== null || v !== 0) this.inet_rare_w().mc_index = v;
  }
  /** IP_MULTICAST_IF's address. */
  get mc_addr(): number {
    return this.inet_rare === null ? 0 : this.inet_rare.mc_addr;
  }
  set mc_addr(v: number) {
    if (this.inet_rare !== null || v !== 0) this.inet_rare_w().mc_addr = v;
  }
  /** IP_UNICAST_IF: the interface unicast is sent through (0: any). */
  get uc_index(): number {
    return this.inet_rare === null ? 0 : this.inet_rare.uc_index;
  }
  set uc_index(v: number) {
    if (this.inet_rare !== null || v !== 0) this.inet_rare_w().uc_index = v;
  }
  /** IP_MINTTL. */
  get min_ttl(): number {
    return this.inet_rare === null ? 0 : this.inet_rare.min_ttl;
  }
  set min_ttl(v: number) {
    if (this.inet_rare !== null || v !== 0) this.inet_rare_w().min_ttl = v;
  }
  /** IP_LOCAL_PORT_RANGE: the low port in the low 16 bits, the high one in the high 16; 0 when unset. */
  get local_port_range(): number {
    return this.inet_rare === null ? 0 : this.inet_rare.local_port_range;
  }
  set local_port_range(v: number) {
    if (this.inet_rare !== null || v !== 0) this.inet_rare_w().local_port_range = v;
  }
  private flag(bit: number): boolean {
    return (this.inet_flags & bit) !== 0;
  }
  private assign(bit: number, on: boolean): void {
    this.inet_flags = on ? this.inet_flags | bit : this.inet_flags & ~bit;
  }
  get mc_loop(): boolean {
    return this.flag(INET_FLAGS_MC_LOOP);
  }
  set mc_loop(on: boolean) {
    this.assign(INET_FLAGS_MC_LOOP, on);
  }
  get mc_all(): boolean {
    return this.flag(INET_FLAGS_MC_ALL);
  }
  set mc_all(on: boolean) {
    this.assign(INET_FLAGS_MC_ALL, on);
  }
  get hdrincl(): boolean {
    return this.flag(INET_FLAGS_HDRINCL);
  }
  set hdrincl(on: boolean) {
    this.assign(INET_FLAGS_HDRINCL, on);
  }
  get nodefrag(): boolean {
    return this.flag(INET_FLAGS_NODEFRAG);
  }
  set nodefrag(on: boolean) {
    this.assign(INET_FLAGS_NODEFRAG, on);
  }
  get freebind(): boolean {
    return this.flag(INET_FLAGS_FREEBIND);
  }
  set freebind(on: boolean) {
    this.assign(INET_FLAGS_FREEBIND, on);
  }
  get transparent(): boolean {
    return this.flag(INET_FLAGS_TRANSPARENT);
  }
  set transparent(on: boolean) {
    this.assign(INET_FLAGS_TRANSPARENT, on);
  }
  get bind_address_no_port(): boolean {
    return this.flag(INET_FLAGS_BIND_ADDRESS_NO_PORT);
  }
  set bind_address_no_port(on: boolean) {
    this.assign(INET_FLAGS_BIND_ADDRESS_NO_PORT, on);
  }
  get recverr(): boolean {
    return this.flag(INET_FLAGS_RECVERR);
  }
  set recverr(on: boolean) {
    this.assign(INET_FLAGS_RECVERR, on);
  }
}

let sk_ids = 0;

/** struct ip_mreqn: a multicast group, the local address and the interface it was joined on. */
export interface IpMreqn {
  imr_multiaddr: number;
  imr_address: number;
  imr_ifindex: number;
}

/** Bits of InetSock.inet_flags, named after Linux's INET_FLAGS_* (include/net/inet_sock.h); ksock's own positions. */
export const INET_FLAGS_PKTINFO = 1 << 0;
export const INET_FLAGS_TTL = 1 << 1;
export const INET_FLAGS_TOS = 1 << 2;
export const INET_FLAGS_RECVOPTS = 1 << 3;
export const INET_FLAGS_RETOPTS = 1 << 4;
export const INET_FLAGS_PASSSEC = 1 << 5;
export const INET_FLAGS_ORIGDSTADDR = 1 << 6;
export const INET_FLAGS_CHECKSUM = 1 << 7;
export const INET_FLAGS_RECVFRAGSIZE = 1 << 8;
export const INET_FLAGS_RECVERR_RFC4884 = 1 << 9;
export const INET_FLAGS_RTALERT = 1 << 10;
export const INET_FLAGS_RECVERR = 1 << 11;
export const INET_FLAGS_FREEBIND = 1 << 12;
export const INET_FLAGS_HDRINCL = 1 << 13;
export const INET_FLAGS_MC_LOOP = 1 << 14;
export const INET_FLAGS_MC_ALL = 1 << 15;
export const INET_FLAGS_TRANSPARENT = 1 << 16;
export const INET_FLAGS_NODEFRAG = 1 << 17;
export const INET_FLAGS_BIND_ADDRESS_NO_PORT = 1 << 18;

/** Mirrors inet_sk(). */
export function inet_sk(sk: Sock): InetSock {
  return sk as InetSock;
}

/** Mirrors inet_sock_destruct(): queues purged; refuses (logs) a TCP sock not closed or a live sock. */
export function inet_sock_destruct(sk: Sock): void {
  skb_queue_purge(sk.sk_receive_queue);
  sk.purge_error_queue();
  const kernel = sk.sk_net.kernel;
  if (sk.sk_type === SOCK_STREAM && sk.sk_state !== TCP_CLOSE) {
    kernel.printk(`Attempt to release TCP socket in state ${sk.sk_state}`);
    return;
  }
  if (!sock_flag(sk, SOCK_DEAD)) kernel.printk('Attempt to release alive inet socket');
}
