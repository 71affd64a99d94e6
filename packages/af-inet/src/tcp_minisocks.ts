/**
 * net/ipv4/tcp_minisocks.c, with sk_clone_lock() (net/core/sock.c) and inet_csk_clone_lock()
 * (net/ipv4/inet_connection_sock.c): the sock a completed handshake creates for the listener's accept queue.
 */
import { PF_INET, SOCK_STREAM, TCP_ESTABLISHED } from '@ksock/core';
import { call_ops, SOCK_DONE, sk_alloc, sock_init_data, tracing } from '@ksock/core/kernel';
import { inet_inherit_port } from './inet_connection_sock.js';
import { inet_sock_destruct } from './inet_sock.js';
import { __tcp_init_sock, type TcpSock, TcpXopt } from './tcp.js';
/**
 * Mirrors tcp_create_openreq_child() + sk_clone_lock(): the accepted sock, a copy of the listener's
 * settings, connected to the client, sharing the listener's port, hashed as established.
 */
export function tcp_create_child(l: TcpSock, client: TcpSock): TcpSock | null {
  const child = sk_alloc(l.sk_net, PF_INET, l.sk_prot, false) as TcpSock | null;
  if (child === null) return null;
  sock_init_data(null, child);
  child.sk_type = SOCK_STREAM;
  child.sk_protocol = l.sk_protocol;
  child.sk_destruct = inet_sock_destruct;
  child.sk_uid = l.sk_uid;
  child.sk_userlocks = l.sk_userlocks;
  child.sk_reuse = l.sk_reuse;
  child.is_icsk = true;
  child.uc_ttl = l.uc_ttl;
  child.mc_ttl = l.mc_ttl;
  // sk_clone_lock() copies the whole sock: the on/off options, the mark, the bound device, the socket
  // flags (SO_KEEPALIVE, SO_TIMESTAMP…) and the option-only state; the priority comes from the SYN (0).
  child.inet_flags = l.inet_flags;
  child.min_ttl = l.min_ttl;
  child.local_port_range = l.local_port_range;
  child.mc_index = l.mc_index;
  child.mc_addr = l.mc_addr;
  child.uc_index = l.uc_index;
  child.sk_flags = l.sk_flags & ~(1 << SOCK_DONE);
  child.sk_mark = l.sk_mark;
  child.sk_bound_dev_if = l.sk_bound_dev_if;
  if (l.opts !== null) Object.assign(child.opts_w(), l.opts);
  child.pmtudisc = l.pmtudisc;
  child.tos = l.tos;
  __tcp_init_sock(child);
  // The copy covers struct tcp_sock too: the TCP options carry over, except what belongs to the
  // listener's accept queue (TCP_DEFER_ACCEPT, TCP_FASTOPEN's queue and key) and the ACK state
  // (TCP_QUICKACK); the MSS is the one the handshake settled.
  child.nonagle = l.nonagle;
  child.keepalive_time = l.keepalive_time;
  child.keepalive_intvl = l.keepalive_intvl;
  child.keepalive_probes = l.keepalive_probes;
  child.icsk_syn_retries = l.icsk_syn_retries;
  child.linger2 = l.linger2;
  child.window_clamp = l.window_clamp;
  child.user_timeout = l.user_timeout;
  child.notsent_lowat = l.notsent_lowat;
  child.tp_bits = l.tp_bits;
  child.defer_accept = 0;
  if (l.xopt !== null) {
    child.xopt = Object.assign(new TcpXopt(), l.xopt, {
      fastopen_max_qlen: 0,
      fastopen_key: null,
      md5_keys: [],
    });
  }
  child.icsk_af_ops = l.icsk_af_ops;
  child.icsk_ca_ops = l.icsk_ca_ops;
  child.sk_rcvbuf = l.sk_rcvbuf;
  child.sk_sndbuf = l.sk_sndbuf;
  child.inet_num = child.inet_sport = l.inet_num;
  child.inet_rcv_saddr = child.inet_saddr = client.inet_daddr;
  child.inet_daddr = client.inet_saddr;
  child.inet_dport = client.inet_num;
  inet_inherit_port(l, child);
  child.sk_state = TCP_ESTABLISHED;
  tracing ? call_ops(child.sk_prot.hash!, 'sk_prot->hash', child) : child.sk_prot.hash!(child);
  return child;
}
