/**
 * net/ipv4/tcp_ipv4.c: tcp_prot, TCP's IPv4 address-family operations (ipv4_specific), tcp_v4_init_sock(),
 * tcp_v4_destroy_sock() and tcp_v4_connect(), whose SYN tcp_input.ts delivers.
 */
import {
  AF_INET,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EINVAL,
  ENETUNREACH,
  TCP_CLOSE,
  TCP_SYN_SENT,
} from '@ksock/core';
import type { Fmt, Module, Proto, Sock } from '@ksock/core/kernel';
import { call_ops, skb_queue_purge, tracepoint, tracing } from '@ksock/core/kernel';
import { inet_addr_type, ip_route_oif_check, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST } from './fib.js';
import {
  type InetConnectionSockAfOps,
  inet_csk,
  inet_csk_accept,
  inet_csk_find_open_port,
  inet_csk_get_port,
  inet_hash,
  inet_put_port,
  inet_unhash,
} from './inet_connection_sock.js';
import { inet_sk } from './inet_sock.js';
import { ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
import { inet_state } from './state.js';
import {
  TcpSock,
  tcp_close,
  tcp_disconnect,
  tcp_init_sock,
  tcp_ioctl,
  tcp_recvmsg,
  tcp_sendmsg,
  tcp_shutdown,
  tcp_sk,
} from './tcp.js';
import { tcp_loopback_syn } from './tcp_input.js';
import { tcp_getsockopt, tcp_setsockopt } from './tcp_sockopt.js';
import * as IN from './uapi/in.js';
import { local_saddr } from './udp.js';
/** ipv4_specific: TCP's IPv4 address-family operations (net/ipv4/tcp_ipv4.c). */
export const ipv4_specific: InetConnectionSockAfOps = {
  name: 'ipv4_specific',
  net_header_len: 20,
  setsockopt: ip_setsockopt,
  getsockopt: ip_getsockopt,
};

/** Mirrors tcp_v4_init_sock(): tcp_init_sock(), then the IPv4 af_ops. */
export let tcp_v4_init_sock = function tcp_v4_init_sock(sk: Sock): number {
  tcp_init_sock(sk);
  inet_csk(sk).icsk_af_ops = ipv4_specific;
  return 0;
};

/** Mirrors tcp_v4_destroy_sock(): the port goes back, the allocation counter drops. */
export let tcp_v4_destroy_sock = function tcp_v4_destroy_sock(sk: Sock): void {
  const tp = tcp_sk(sk);
  sk.purge_write_queue();
  skb_queue_purge(tp.out_of_order_queue);
  skb_queue_purge(tp.tcp_rtx_queue);
  if (inet_csk(sk).icsk_bind_hash) inet_put_port(sk);
  inet_state(sk.sk_net.kernel).tcp_sockets_allocated--;
};

/**
 * Mirrors tcp_v4_connect(): EINVAL if short, EAFNOSUPPORT for another family, ENETUNREACH for
 * multicast/broadcast or (ksock has no routes) any non-local address; the source address and an
 * ephemeral port (even ports first, as __inet_hash_connect() prefers) are chosen, SYN_SENT, hashed, SYN.
 */
export let tcp_v4_connect = function tcp_v4_connect(sk: Sock, addr: Uint8Array, addr_len: number): number {
  if (addr_len < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  const a = IN.parse_sockaddr_in(addr);
  if (a.family !== AF_INET) return -EAFNOSUPPORT;
  const inet = inet_sk(sk);
  const daddr = a.addr === IN.INADDR_ANY ? IN.INADDR_LOOPBACK : a.addr;
  // ip_route_connect() first (a missing bound device is ENODEV), then multicast and broadcast refused.
  const route = ip_route_oif_check(sk);
  if (route !== 0) return route;
  const type = inet_addr_type(sk.sk_net, daddr);
  if (type === RTN_MULTICAST || type === RTN_BROADCAST || type !== RTN_LOCAL) return -ENETUNREACH;
  if (inet.inet_saddr === 0) inet.inet_saddr = local_saddr(inet, daddr);
  if (inet.inet_rcv_saddr === 0) inet.inet_rcv_saddr = inet.inet_saddr;
  inet.inet_dport = a.port;
  inet.inet_daddr = daddr;
  sk.sk_state = TCP_SYN_SENT;
  if (inet.inet_num === 0) {
    if (inet_csk_find_open_port(sk, 0) === 0) {
      sk.sk_state = TCP_CLOSE;
      inet.inet_dport = 0;
      return -EADDRNOTAVAIL; // __inet_hash_connect(): no free ephemeral port
    }
    inet.inet_sport = inet.inet_num;
  }
  tracing ? call_ops(sk.sk_prot.hash!, 'sk_prot->hash', sk) : sk.sk_prot.hash!(sk);
  tcp_loopback_syn(tcp_sk(sk));
  return 0;
};
const fmt_tcp_v4_connect: Fmt<typeof tcp_v4_connect> = (_sk, addr) => {
  const a = IN.parse_sockaddr_in(addr);
  return `${IN.inet_ntoa(a.addr)}:${a.port}`;
};

/** tcp_prot (net/ipv4/tcp_ipv4.c): obj_size = sizeof(struct tcp_sock) on x86-64 6.18 (2304 bytes). */
export function make_tcp_prot(owner: Module | null): Proto {
  return {
    name: 'TCP',
    owner,
    obj_size: 2304,
    sk_class: TcpSock,
    max_header: 192,
    no_autobind: true,
    close: tcp_close,
    connect: tcp_v4_connect,
    disconnect: tcp_disconnect,
    accept: inet_csk_accept,
    ioctl: tcp_ioctl,
    init: tcp_v4_init_sock,
    destroy: tcp_v4_destroy_sock,
    shutdown: tcp_shutdown,
    setsockopt: tcp_setsockopt,
    getsockopt: tcp_getsockopt,
    sendmsg: tcp_sendmsg,
    recvmsg: tcp_recvmsg,
    backlog_rcv: () => 0,
    hash: inet_hash,
    unhash: inet_unhash,
    get_port: inet_csk_get_port,
    enter_memory_pressure: () => {},
    memory_allocated: { value: 0 },
    memory_pressure: { value: false },
  };
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(tcp_v4_init_sock, 'tcp_v4_init_sock', undefined, (f) => {
  tcp_v4_init_sock = f;
});
tracepoint(tcp_v4_destroy_sock, 'tcp_v4_destroy_sock', undefined, (f) => {
  tcp_v4_destroy_sock = f;
});
tracepoint(tcp_v4_connect, 'tcp_v4_connect', fmt_tcp_v4_connect, (f) => {
  tcp_v4_connect = f;
});
