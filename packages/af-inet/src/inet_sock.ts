/**
 * struct inet_sock (include/net/inet_sock.h): the IPv4 part every PF_INET sock starts with. Addresses are
 * kept in host order; ports as numbers (Linux keeps inet_sport/inet_dport in network order).
 */
import { SOCK_DEAD, SOCK_STREAM, Sock, TCP_CLOSE, skb_queue_purge, sock_flag } from '@ksock/core';

export class InetSock extends Sock {
  inet_saddr = 0;
  inet_rcv_saddr = 0;
  inet_daddr = 0;
  /** Local port (host order); for raw sockets the protocol. */
  inet_num = 0;
  inet_sport = 0;
  inet_dport = 0;
  inet_id = 0;
  /** -1: use net.ipv4.ip_default_ttl. */
  uc_ttl = -1;
  mc_ttl = 1;
  mc_index = 0;
  mc_list: unknown[] | null = null;
  tos = 0;
  rcv_tos = 0;
  pmtudisc = 0;
  // inet_flags bits, kept as booleans.
  is_icsk = false;
  mc_loop = false;
  mc_all = false;
  hdrincl = false;
  nodefrag = false;
  freebind = false;
  transparent = false;
  bind_address_no_port = false;
  recverr = false;
  /** A stable stand-in for the %pK pointer /proc/net prints. */
  readonly sk_id = ++sk_ids;
}

let sk_ids = 0;

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
