/**
 * net/ipv4/tcp_input.c, for a loopback without a wire: what a SYN meets when it arrives — no listener and
 * the connecting end is reset (tcp_reset(), tcp_done()), a full accept queue and it is dropped, else the
 * handshake completes at once (tcp_conn_request() → tcp_v4_syn_recv_sock()) and both ends are established.
 */
import { ECONNREFUSED, TCP_CLOSE, TCP_ESTABLISHED } from '@ksock/core';
import { SHUTDOWN_MASK } from '@ksock/core/kernel';
import { inet_csk_reqsk_queue_is_full, inet_lookup_listener } from './inet_connection_sock.js';
import { type TcpSock, tcp_set_state } from './tcp.js';
import { tcp_create_child } from './tcp_minisocks.js';
/** The MSS a loopback connection advertises: MTU 65536 − IP and TCP headers − the timestamp option. */
export const LOOPBACK_ADVMSS = 65536 - 20 - 20 - 12;
/**
 * mss_cache (TCP_MAXSEG) of the two ends of a fresh loopback connection as Linux 6.18 reports them:
 * tcp_bound_to_half_wnd() caps it at half the largest window the peer advertised, which differs for the
 * connecting and the accepted side. Measured on the host (see tools/host_probe.c).
 */
export const LOOPBACK_MSS_CLIENT = 32741;
export const LOOPBACK_MSS_SERVER = 32768;

/**
 * The SYN's journey: no listener → RST (the client sees ECONNREFUSED); a full accept queue → the SYN is
 * dropped (the client stays SYN_SENT and retries when connect() is called again or the listener accepts);
 * otherwise both ends are ESTABLISHED and the child waits in the listener's accept queue.
 */
export function tcp_loopback_syn(sk: TcpSock): void {
  const l = inet_lookup_listener(sk, sk.inet_daddr, sk.inet_dport);
  if (l === null) {
    // tcp_reset() → tcp_done(): both directions shut, so once the error is read a receive is end of file.
    sk.sk_err = ECONNREFUSED;
    tcp_set_state(sk, TCP_CLOSE);
    sk.sk_shutdown = SHUTDOWN_MASK;
    sk.sk_error_report(sk);
    return;
  }
  if (inet_csk_reqsk_queue_is_full(l)) return;
  const child = tcp_create_child(l as TcpSock, sk);
  if (child === null) return;
  for (const s of [sk, child]) {
    s.advmss = LOOPBACK_ADVMSS;
    s.icsk_pmtu_cookie = 65536;
  }
  sk.mss_cache = LOOPBACK_MSS_CLIENT;
  child.mss_cache = LOOPBACK_MSS_SERVER;
  sk.peer = child;
  child.peer = sk;
  sk.sk_state = TCP_ESTABLISHED;
  l.icsk_accept_list.push(child);
  l.sk_ack_backlog++;
  l.sk_data_ready(l);
  sk.sk_state_change(sk);
}
