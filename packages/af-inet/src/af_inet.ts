/**
 * PF_INET socket creation and the generic inet socket calls: mirrors net/ipv4/af_inet.c — the inetsw
 * table and inet_register_protosw(), inet_create(), inet_release(), inet_bind(), inet_getname(),
 * inet_listen(), inet_shutdown(), the inet_stream_ops / inet_dgram_ops / inet_sockraw_ops tables and
 * inet_init().
 */

import type { Kernel } from '@ksock/core';
import {
  AF_INET,
  AF_UNSPEC,
  CAP_NET_BIND_SERVICE,
  CAP_NET_RAW,
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EAGAIN,
  EALREADY,
  ECONNABORTED,
  EFAULT,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENOMEM,
  ENOTCONN,
  EPERM,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  O_NONBLOCK,
  PF_INET,
  SIOCGIFADDR,
  SIOCGIFBRDADDR,
  SIOCGIFDSTADDR,
  SIOCGIFNETMASK,
  SIOCGIFPFLAGS,
  SIOCRTMSG,
  SIOCSIFADDR,
  SIOCSIFBRDADDR,
  SIOCSIFDSTADDR,
  SIOCSIFFLAGS,
  SIOCSIFNETMASK,
  SIOCSIFPFLAGS,
  SOCK_DGRAM,
  SOCK_MAX,
  SOCK_RAW,
  SOCK_STREAM,
  SS_CONNECTED,
  SS_CONNECTING,
  SS_DISCONNECTING,
  SS_UNCONNECTED,
  TCP_CLOSE,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '@ksock/core';
import type {
  GetsockoptResult,
  Module,
  MsgHdr,
  Net,
  NetProtoFamily,
  Proto,
  ProtoAcceptArg,
  ProtoOps,
  Sock,
  Socket,
} from '@ksock/core/kernel';
import {
  call_ops,
  current,
  datagram_poll,
  devinet_ioctl,
  ENOIOCTLCMD,
  type Fmt,
  get_user_ifreq,
  ns_capable,
  proto_register,
  proto_unregister,
  RCV_SHUTDOWN,
  request_module,
  SHUTDOWN_MASK,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  SOCK_LINGER,
  SOCK_RCVBUF_LOCK,
  SOCK_SUPPORT_ZC,
  sk_alloc,
  sk_common_release,
  sock_error,
  sock_flag,
  sock_init_data,
  sock_no_accept,
  sock_no_listen,
  sock_no_socketpair,
  sock_register,
  sock_unregister,
  trace_note,
  tracepoint,
  tracing,
  Unwind,
} from '@ksock/core/kernel';
import { inet_addr_type, inet_addr_valid_or_nonlocal, RTN_BROADCAST, RTN_MULTICAST } from './fib.js';
import { ip_mc_drop_socket } from './igmp.js';
import { inet_csk_listen_start, inet_lookup_listener } from './inet_connection_sock.js';
import { inet_sk, inet_sock_destruct } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { make_ping_prot } from './ping.js';
import { make_raw_prot } from './raw.js';
import { type InetProtosw, type InetState, inet_state, set_inet_state } from './state.js';
import { tcp_poll, tcp_sk } from './tcp.js';
import { tcp_loopback_syn } from './tcp_input.js';
import { make_tcp_prot } from './tcp_ipv4.js';
import * as IN from './uapi/in.js';
import { make_udp_prot, make_udplite_prot, udp_poll } from './udp.js';

export type { InetProtosw } from './state.js';

/** inet_protosw flags (include/net/protocol.h). */
export const INET_PROTOSW_REUSE = 0x01;
export const INET_PROTOSW_PERMANENT = 0x02;
export const INET_PROTOSW_ICSK = 0x04;
/** sk_reuse value set for INET_PROTOSW_REUSE protocols. */
export const SK_CAN_REUSE = 1;

// ---- the inetsw table ---------------------------------------------------------------------------

/**
 * Mirrors inet_register_protosw(): an invalid type is ignored with a log line; a protocol a permanent
 * entry already serves cannot be overridden; otherwise the entry goes right after the last permanent
 * one, so it shadows older non-permanent entries of the same type.
 */
export function inet_register_protosw(kernel: Kernel, p: InetProtosw): void {
  const st = inet_state(kernel);
  if (p.type >= SOCK_MAX || p.type < 0) {
    kernel.printk(`Ignoring attempt to register invalid socket type ${p.type}.`);
    return;
  }
  const list = st.inetsw[p.type]!;
  let last_perm = 0;
  for (const answer of list) {
    if ((answer.flags & INET_PROTOSW_PERMANENT) === 0) break;
    if (p.protocol === answer.protocol) {
      kernel.printk(`Attempt to override permanent protocol ${p.protocol}.`);
      return;
    }
    last_perm++;
  }
  list.splice(last_perm, 0, p);
}

/** Mirrors inet_unregister_protosw(): permanent entries stay (logged). */
export function inet_unregister_protosw(kernel: Kernel, p: InetProtosw): void {
  const st = inet_state(kernel);
  if ((p.flags & INET_PROTOSW_PERMANENT) !== 0) {
    kernel.printk(`Attempt to unregister permanent protocol ${p.protocol}.`);
    return;
  }
  const list = st.inetsw[p.type];
  if (list === undefined) return;
  const i = list.indexOf(p);
  if (i >= 0) list.splice(i, 1);
}

/** The inetsw list of a socket type (a copy), for inspection. */
export function inetsw_list(kernel: Kernel, type: number): InetProtosw[] {
  return [...(inet_state(kernel).inetsw[type] ?? [])];
}

// ---- creation -----------------------------------------------------------------------------------

/**
 * Mirrors inet_create(): the inetsw lookup with its IPPROTO_IP wildcard rules and two module-loading
 * retries, EPERM for SOCK_RAW without CAP_NET_RAW (user sockets), sk_alloc(), the inet_sock defaults,
 * sock_init_data(), raw hashing, then the protocol's init. Any later failure releases the sock.
 */
export let inet_create = function inet_create(
  net: Net,
  sock: Socket,
  protocol: number,
  kern: boolean,
): number {
  if (protocol < 0 || protocol >= IN.IPPROTO_MAX) return -EINVAL;
  sock.state = SS_UNCONNECTED;
  const kernel = net.kernel;
  let try_loading_module = 0;
  let answer: InetProtosw | null = null;
  let err: number;
  for (;;) {
    err = -ESOCKTNOSUPPORT;
    answer = null;
    const list = inet_state(kernel).inetsw[sock.type] ?? [];
    for (const a of list) {
      err = 0;
      if (protocol === a.protocol) {
        if (protocol !== IN.IPPROTO_IP) {
          answer = a;
          break;
        }
      } else {
        if (protocol === IN.IPPROTO_IP) {
          protocol = a.protocol;
          answer = a;
          break;
        }
        if (a.protocol === IN.IPPROTO_IP) {
          answer = a;
          break;
        }
      }
      err = -EPROTONOSUPPORT;
    }
    if (err === 0) break;
    if (try_loading_module < 2) {
      if (++try_loading_module === 1)
        request_module(kernel, `net-pf-${PF_INET}-proto-${protocol}-type-${sock.type}`);
      else request_module(kernel, `net-pf-${PF_INET}-proto-${protocol}`);
      continue;
    }
    return err;
  }
  const ans = answer!;
  if (sock.type === SOCK_RAW && !kern && !ns_capable(net, CAP_NET_RAW)) return -EPERM;

  sock.ops = ans.ops;
  const sk = sk_alloc(net, PF_INET, ans.prot, kern);
  if (sk === null) return -ENOMEM;
  const inet = inet_sk(sk);
  if ((ans.flags & INET_PROTOSW_REUSE) !== 0) sk.sk_reuse = SK_CAN_REUSE;
  inet.is_icsk = (ans.flags & INET_PROTOSW_ICSK) !== 0;
  inet.nodefrag = false;
  if (sock.type === SOCK_RAW) {
    inet.inet_num = protocol;
    if (protocol === IN.IPPROTO_RAW) inet.hdrincl = true;
  }
  inet.pmtudisc = ipv4(net).sysctl_ip_no_pmtu_disc ? IN.IP_PMTUDISC_DONT : IN.IP_PMTUDISC_WANT;
  inet.inet_id = 0;
  sock_init_data(sock, sk);
  sk.sk_destruct = inet_sock_destruct;
  sk.sk_protocol = protocol;
  inet.uc_ttl = -1;
  inet.mc_loop = true;
  inet.mc_ttl = 1;
  inet.mc_all = true;
  inet.mc_index = 0;
  inet.mc_list = null;
  inet.rcv_tos = 0;
  if (inet.inet_num !== 0) {
    inet.inet_sport = inet.inet_num;
    err = tracing ? call_ops(sk.sk_prot.hash!, 'sk_prot->hash', sk) : sk.sk_prot.hash!(sk);
    if (err !== 0) return out_sk_release(sock, sk, err);
  }
  if (sk.sk_prot.init !== undefined) {
    err = tracing ? call_ops(sk.sk_prot.init, 'sk_prot->init', sk) : sk.sk_prot.init(sk);
    if (err !== 0) return out_sk_release(sock, sk, err);
  }
  return 0;
};
const fmt_inet_create: Fmt<typeof inet_create> = (_net, sock, protocol, kern) =>
  `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`;

function out_sk_release(sock: Socket, sk: Sock, err: number): number {
  sk_common_release(sk);
  sock.sk = null;
  return err;
}

// ---- socket calls -------------------------------------------------------------------------------

/** Mirrors inet_release(): multicast groups left, the protocol's close (with the linger time if SO_LINGER), sock->sk = NULL. */
export let inet_release = function inet_release(sock: Socket): number {
  const sk = sock.sk;
  if (sk !== null) {
    // Applications forget to leave their multicast groups before exiting.
    if (inet_sk(sk).mc_list !== null) ip_mc_drop_socket(sk);
    const timeout = sock_flag(sk, SOCK_LINGER) ? sk.sk_lingertime : 0;
    tracing ? call_ops(sk.sk_prot.close!, 'sk_prot->close', sk, timeout) : sk.sk_prot.close!(sk, timeout);
    sock.sk = null;
  }
  return 0;
};
const fmt_inet_release: Fmt<typeof inet_release> = (sock) => `ino=${sock.inode.i_ino}`;

/**
 * Mirrors __inet_bind(): family (AF_UNSPEC only with INADDR_ANY) → EAFNOSUPPORT; an address that is not
 * local, multicast or broadcast → EADDRNOTAVAIL; a port below ip_unprivileged_port_start without
 * CAP_NET_BIND_SERVICE → EACCES; already bound or not CLOSE → EINVAL; the protocol's get_port →
 * EADDRINUSE.
 */
export let __inet_bind = function __inet_bind(sk: Sock, addr: Uint8Array): number {
  const inet = inet_sk(sk);
  const net = sk.sk_net;
  const a = IN.parse_sockaddr_in(addr);
  if (a.family !== AF_INET) {
    if (a.family !== AF_UNSPEC || a.addr !== IN.INADDR_ANY) return -EAFNOSUPPORT;
  }
  const chk_addr_ret = inet_addr_type(net, a.addr);
  if (!inet_addr_valid_or_nonlocal(net, inet, a.addr, chk_addr_ret)) return -EADDRNOTAVAIL;
  const snum = a.port;
  if (snum !== 0 && snum < ipv4(net).sysctl_ip_prot_sock && !ns_capable(net, CAP_NET_BIND_SERVICE))
    return -EACCES;
  if (sk.sk_state !== TCP_CLOSE || inet.inet_num !== 0) return -EINVAL;
  inet.inet_rcv_saddr = inet.inet_saddr = a.addr;
  if (chk_addr_ret === RTN_MULTICAST || chk_addr_ret === RTN_BROADCAST) inet.inet_saddr = 0;
  if (snum !== 0 || !inet.bind_address_no_port) {
    if (
      (tracing
        ? call_ops(sk.sk_prot.get_port!, 'sk_prot->get_port', sk, snum)
        : sk.sk_prot.get_port!(sk, snum)) !== 0
    ) {
      inet.inet_saddr = inet.inet_rcv_saddr = 0;
      return -EADDRINUSE;
    }
  }
  if (inet.inet_rcv_saddr !== 0) sk.sk_userlocks |= SOCK_BINDADDR_LOCK;
  if (snum !== 0) sk.sk_userlocks |= SOCK_BINDPORT_LOCK;
  inet.inet_sport = inet.inet_num;
  inet.inet_daddr = 0;
  inet.inet_dport = 0;
  return 0;
};
const fmt___inet_bind: Fmt<typeof __inet_bind> = (_sk, addr) => {
  const a = IN.parse_sockaddr_in(addr);
  return `${IN.inet_ntoa(a.addr)}:${a.port}`;
};

/** Mirrors inet_bind() → inet_bind_sk(): a protocol's own bind (raw, ping) first, then the length check. */
export let inet_bind = function inet_bind(sock: Socket, addr: Uint8Array, addr_len: number): number {
  const sk = sock.sk!;
  if (sk.sk_prot.bind !== undefined)
    return tracing
      ? call_ops(sk.sk_prot.bind, 'sk_prot->bind', sk, addr, addr_len)
      : sk.sk_prot.bind(sk, addr, addr_len);
  if (addr_len < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  return __inet_bind(sk, addr);
};
const fmt_inet_bind: Fmt<typeof inet_bind> = (sock, _addr, len) => `ino=${sock.inode.i_ino}, addrlen=${len}`;

/** Mirrors inet_autobind(): a port from the ephemeral range, EAGAIN when none is free. */
export function inet_autobind(sk: Sock): number {
  const inet = inet_sk(sk);
  if (inet.inet_num === 0) {
    if (
      (tracing ? call_ops(sk.sk_prot.get_port!, 'sk_prot->get_port', sk, 0) : sk.sk_prot.get_port!(sk, 0)) !==
      0
    )
      return -EAGAIN;
    inet.inet_sport = inet.inet_num;
  }
  return 0;
}

/** Mirrors inet_getname(): the local (bound, else source) address, or the peer's (ENOTCONN if none). */
export let inet_getname = function inet_getname(sock: Socket, peer: boolean): Uint8Array | number {
  const sk = sock.sk!;
  const inet = inet_sk(sk);
  if (peer) {
    if (inet.inet_dport === 0 || sk.sk_state === TCP_CLOSE || sk.sk_state === TCP_SYN_SENT) return -ENOTCONN;
    return IN.sockaddr_in(inet.inet_daddr, inet.inet_dport);
  }
  const addr = inet.inet_rcv_saddr !== 0 ? inet.inet_rcv_saddr : inet.inet_saddr;
  return IN.sockaddr_in(addr, inet.inet_sport);
};
const fmt_inet_getname: Fmt<typeof inet_getname> = (sock, peer) =>
  `ino=${sock.inode.i_ino}, peer=${peer ? 1 : 0}`;

/**
 * Mirrors inet_listen() → __inet_listen_sk(): EINVAL unless an unconnected SOCK_STREAM socket in CLOSE
 * or LISTEN; the backlog is (re)set; a new listener starts (an unbound one gets an ephemeral port).
 */
export let inet_listen = function inet_listen(sock: Socket, backlog: number): number {
  const sk = sock.sk!;
  if (sock.state !== SS_UNCONNECTED || sock.type !== SOCK_STREAM) return -EINVAL;
  const old_state = sk.sk_state;
  if (old_state !== TCP_CLOSE && old_state !== TCP_LISTEN) return -EINVAL;
  sk.sk_max_ack_backlog = backlog;
  if (old_state !== TCP_LISTEN) {
    const err = inet_csk_listen_start(sk);
    if (err !== 0) return err;
  }
  return 0;
};
const fmt_inet_listen: Fmt<typeof inet_listen> = (sock, backlog) =>
  `ino=${sock.inode.i_ino}, backlog=${backlog}`;

/** Mirrors inet_shutdown(): how 0..2 → RCV/SEND/both; CLOSE answers ENOTCONN (after marking the bits). */
export let inet_shutdown = function inet_shutdown(sock: Socket, how: number): number {
  const sk = sock.sk!;
  how++;
  if ((how & ~SHUTDOWN_MASK) !== 0 || how === 0) return -EINVAL;
  if (sock.state === SS_CONNECTING) {
    if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV || sk.sk_state === TCP_CLOSE)
      sock.state = SS_DISCONNECTING;
    else sock.state = SS_CONNECTED;
  }
  let err = 0;
  switch (sk.sk_state) {
    case TCP_LISTEN:
      if ((how & RCV_SHUTDOWN) === 0) break;
      err = tracing
        ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, O_NONBLOCK)
        : sk.sk_prot.disconnect!(sk, O_NONBLOCK);
      sock.state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
      break;
    case TCP_SYN_SENT:
      err = tracing
        ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, O_NONBLOCK)
        : sk.sk_prot.disconnect!(sk, O_NONBLOCK);
      sock.state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
      break;
    default:
      if (sk.sk_state === TCP_CLOSE) err = -ENOTCONN;
      sk.sk_shutdown |= how;
      sk.sk_prot.shutdown?.(sk, how);
      break;
  }
  sk.sk_state_change(sk);
  return err;
};
const fmt_inet_shutdown: Fmt<typeof inet_shutdown> = (sock, how) => `ino=${sock.inode.i_ino}, how=${how}`;

/** Mirrors inet_sendmsg(): the protocol's sendmsg (UDP autobinds inside udp_sendmsg here). */
export function inet_sendmsg(sock: Socket, msg: MsgHdr, len: number): number {
  const sk = sock.sk!;
  // inet_send_prepare(): an unbound socket gets its ephemeral port before the protocol sees the message,
  // whatever the protocol then answers.
  if (
    inet_sk(sk).inet_num === 0 &&
    sk.sk_prot.no_autobind !== true &&
    sk.sk_prot.get_port !== undefined &&
    inet_autobind(sk) !== 0
  )
    return -EAGAIN;
  return tracing
    ? call_ops(sk.sk_prot.sendmsg!, 'sk_prot->sendmsg', sk, msg, len)
    : sk.sk_prot.sendmsg!(sk, msg, len);
}

/** Mirrors inet_recvmsg(). */
export function inet_recvmsg(sock: Socket, msg: MsgHdr, size: number, flags: number): number {
  const sk = sock.sk!;
  return tracing
    ? call_ops(sk.sk_prot.recvmsg!, 'sk_prot->recvmsg', sk, msg, size, flags)
    : sk.sk_prot.recvmsg!(sk, msg, size, flags);
}

/** Mirrors inet_dgram_connect(): AF_UNSPEC disconnects; autobind (EAGAIN); then the protocol's connect. */
export let inet_dgram_connect = function inet_dgram_connect(
  sock: Socket,
  addr: Uint8Array,
  addr_len: number,
  _flags: number,
): number {
  const sk = sock.sk!;
  if (addr_len < 2) return -EINVAL;
  const family = addr[0]! | (addr[1]! << 8);
  if (family === AF_UNSPEC)
    return tracing
      ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, 0)
      : sk.sk_prot.disconnect!(sk, 0);
  if (inet_sk(sk).inet_num === 0 && inet_autobind(sk) !== 0) return -EAGAIN;
  return tracing
    ? call_ops(sk.sk_prot.connect!, 'sk_prot->connect', sk, addr, addr_len)
    : sk.sk_prot.connect!(sk, addr, addr_len);
};
const fmt_inet_dgram_connect: Fmt<typeof inet_dgram_connect> = (sock, _a, len) =>
  `ino=${sock.inode.i_ino}, addrlen=${len}`;

/** Mirrors sock_common_setsockopt(): straight to the protocol. */
export function sock_common_setsockopt(
  sock: Socket,
  level: number,
  optname: number,
  optval: Uint8Array,
): number {
  const sk = sock.sk!;
  return tracing
    ? call_ops(sk.sk_prot.setsockopt!, 'sk_prot->setsockopt', sk, level, optname, optval)
    : sk.sk_prot.setsockopt!(sk, level, optname, optval);
}

/** Mirrors sock_common_getsockopt(). */
export function sock_common_getsockopt(
  sock: Socket,
  level: number,
  optname: number,
  optlen: number,
): Uint8Array | GetsockoptResult | number {
  const sk = sock.sk!;
  return tracing
    ? call_ops(sk.sk_prot.getsockopt!, 'sk_prot->getsockopt', sk, level, optname, optlen)
    : sk.sk_prot.getsockopt!(sk, level, optname, optlen);
}

/**
 * Mirrors inet_ioctl(): the IPv4 address ioctls go to devinet_ioctl() with the caller's struct ifreq (the
 * getters SIOCGIFADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK, SIOCGIFDSTADDR, SIOCGIFPFLAGS; the setters
 * SIOCSIFADDR, SIOCSIFBRDADDR, SIOCSIFNETMASK, SIOCSIFDSTADDR, SIOCSIFPFLAGS and SIOCSIFFLAGS, which
 * copy nothing back); SIOCRTMSG is EINVAL; anything else goes to sk_ioctl(): the protocol's ioctl computes
 * an int (SIOCINQ, SIOCOUTQ…) written to the user's int. A command nobody knows is ENOIOCTLCMD, which
 * sock_do_ioctl() hands to dev_ioctl(). Routes (SIOCADDRT) and ARP (SIOCSARP…) are not modelled: they
 * reach dev_ioctl() too and end as ENOTTY.
 */
export function inet_ioctl(sock: Socket, cmd: number, arg: Uint8Array | number): number {
  const sk = sock.sk!;
  switch (cmd) {
    case SIOCRTMSG:
      return -EINVAL;
    case SIOCGIFADDR:
    case SIOCGIFBRDADDR:
    case SIOCGIFNETMASK:
    case SIOCGIFDSTADDR:
    case SIOCGIFPFLAGS:
    case SIOCSIFADDR:
    case SIOCSIFBRDADDR:
    case SIOCSIFNETMASK:
    case SIOCSIFDSTADDR:
    case SIOCSIFPFLAGS:
    case SIOCSIFFLAGS: {
      const ifr = get_user_ifreq(arg);
      return typeof ifr === 'number' ? ifr : devinet_ioctl(sk.sk_net, cmd, ifr);
    }
  }
  if (sk.sk_prot.ioctl === undefined) return -ENOIOCTLCMD;
  const answ = tracing
    ? call_ops(sk.sk_prot.ioctl, 'sk_prot->ioctl', sk, cmd, 0)
    : sk.sk_prot.ioctl(sk, cmd, 0);
  if (answ < 0) return answ;
  if (typeof arg === 'number' || arg.length < 4) return -EFAULT; // put_user() to a bad pointer
  new DataView(arg.buffer, arg.byteOffset, 4).setInt32(0, answ, true);
  return 0;
}

/**
 * Mirrors __inet_stream_connect(): AF_UNSPEC disconnects; EISCONN / EALREADY / EINPROGRESS by socket
 * state; a non-blocking connect answers EINPROGRESS even though the loopback handshake already
 * completed — the next connect() then returns 0 (as Linux does), the one after EISCONN. A blocking
 * connect whose SYN was dropped sleeps on the listener (EAGAIN to the synchronous API).
 */
export let inet_stream_connect = function inet_stream_connect(
  sock: Socket,
  addr: Uint8Array,
  addr_len: number,
  flags: number,
): number {
  const sk = sock.sk!;
  if (addr_len < 2) return -EINVAL;
  if ((addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) {
    const err = tracing
      ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, flags)
      : sk.sk_prot.disconnect!(sk, flags);
    sock.state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
    return err;
  }
  let err: number;
  switch (sock.state) {
    case SS_CONNECTED:
      return -EISCONN;
    case SS_CONNECTING:
      if (sk.sk_state === TCP_SYN_SENT) tcp_loopback_syn(tcp_sk(sk)); // the SYN is retransmitted
      err = -EALREADY;
      break;
    case SS_UNCONNECTED:
      if (sk.sk_state !== TCP_CLOSE) return -EISCONN;
      err = tracing
        ? call_ops(sk.sk_prot.connect!, 'sk_prot->connect', sk, addr, addr_len)
        : sk.sk_prot.connect!(sk, addr, addr_len);
      if (err < 0) return err;
      sock.state = SS_CONNECTING;
      err = -EINPROGRESS;
      break;
    default:
      return -EINVAL;
  }
  const nonblock = (flags & O_NONBLOCK) !== 0;
  if (sk.sk_state === TCP_SYN_SENT || sk.sk_state === TCP_SYN_RECV) {
    if (nonblock) return err;
    const l = inet_lookup_listener(sk, inet_sk(sk).inet_daddr, inet_sk(sk).inet_dport);
    current().blocked_on = l?.sk_wq ?? sock.wq;
    return -EAGAIN;
  }
  if (nonblock && err === -EINPROGRESS) return err;
  if (sk.sk_state === TCP_CLOSE) {
    // sock_error: the RST's ECONNREFUSED (or ECONNABORTED), then disconnect.
    const e = sock_error(sk);
    sock.state = SS_UNCONNECTED;
    if (
      (tracing
        ? call_ops(sk.sk_prot.disconnect!, 'sk_prot->disconnect', sk, flags)
        : sk.sk_prot.disconnect!(sk, flags)) !== 0
    )
      sock.state = SS_DISCONNECTING;
    return e !== 0 ? e : -ECONNABORTED;
  }
  sock.state = SS_CONNECTED;
  return 0;
};
const fmt_inet_stream_connect: Fmt<typeof inet_stream_connect> = (sock, addr) => {
  const a = IN.parse_sockaddr_in(addr);
  return `ino=${sock.inode.i_ino}, ${IN.inet_ntoa(a.addr)}:${a.port}`;
};

/** Mirrors inet_accept() + __inet_accept(): the child grafted onto the new socket, SS_CONNECTED. */
export let inet_accept = function inet_accept(sock: Socket, newsock: Socket, arg: ProtoAcceptArg): number {
  const sk1 = sock.sk!;
  const sk2 = tracing
    ? call_ops(sk1.sk_prot.accept!, 'sk_prot->accept', sk1, arg.flags)
    : sk1.sk_prot.accept!(sk1, arg.flags);
  if (typeof sk2 === 'number') {
    arg.err = sk2;
    return sk2;
  }
  if ((sock.flags & (1 << SOCK_SUPPORT_ZC)) !== 0) newsock.flags |= 1 << SOCK_SUPPORT_ZC;
  // sock_graft()
  sk2.sk_wq = newsock.wq;
  sk2.sk_socket = newsock;
  sk2.sk_uid = newsock.inode.i_uid;
  newsock.sk = sk2;
  newsock.state = SS_CONNECTED;
  return 0;
};
const fmt_inet_accept: Fmt<typeof inet_accept> = (sock) => `ino=${sock.inode.i_ino}`;

/** Mirrors sk_set_peek_off() / udp_set_peek_off(): SO_PEEK_OFF for TCP and UDP (raw has none). */
function inet_set_peek_off(sk: Sock, val: number): number {
  sk.sk_peek_off = val;
  return 0;
}

/**
 * Mirrors tcp_set_rcvlowat() (inet_stream_ops): the low-water mark is capped at half the receive
 * buffer when SO_RCVBUF locked it, else at half of tcp_rmem[2]. Linux then grows an unlocked buffer
 * to fit the mark (tcp_space_from_win()); ksock leaves sk_rcvbuf as it is.
 */
function tcp_set_rcvlowat(sk: Sock, val: number): number {
  const cap =
    (sk.sk_userlocks & SOCK_RCVBUF_LOCK) !== 0 ? sk.sk_rcvbuf >> 1 : ipv4(sk.sk_net).sysctl_tcp_rmem[2] >> 1;
  val = Math.min(val, cap);
  sk.sk_rcvlowat = val === 0 ? 1 : val;
  return 0;
}

function make_ops(owner: Module, kind: 'stream' | 'dgram' | 'raw'): ProtoOps {
  const ops: ProtoOps = {
    family: PF_INET,
    owner,
    release: inet_release,
    bind: inet_bind,
    connect: kind === 'stream' ? inet_stream_connect : inet_dgram_connect,
    socketpair: sock_no_socketpair,
    accept: kind === 'stream' ? inet_accept : sock_no_accept,
    getname: inet_getname,
    ioctl: inet_ioctl,
    listen: kind === 'stream' ? inet_listen : sock_no_listen,
    shutdown: inet_shutdown,
    setsockopt: sock_common_setsockopt,
    getsockopt: sock_common_getsockopt,
    sendmsg: inet_sendmsg,
    recvmsg: inet_recvmsg,
  };
  // inet_stream_ops.poll = tcp_poll, inet_dgram_ops.poll = udp_poll, inet_sockraw_ops.poll = datagram_poll
  // (raw and ping sockets).
  ops.poll = kind === 'stream' ? tcp_poll : kind === 'dgram' ? udp_poll : datagram_poll;
  if (kind !== 'raw') ops.set_peek_off = inet_set_peek_off;
  if (kind === 'stream') ops.set_rcvlowat = tcp_set_rcvlowat;
  return ops;
}

// ---- module init --------------------------------------------------------------------------------

/** What index.ts supplies to inet_init: the per-namespace, /proc and sysctl setup. */
export interface InetInitHooks {
  /** Registers pernet ops, sysctls and /proc files, pushing the undo of each on `unwind`; 0 or -errno. */
  setup(kernel: Kernel, unwind: Unwind): number;
}

/**
 * Mirrors inet_init(): proto_register() of TCP, UDP, RAW and PING (each with its slab), then
 * sock_register(&inet_family_ops), then the inetsw lists from inetsw_array. The unwind list, kept in
 * the state, is also what inet_exit() runs.
 */
export function inet_init(kernel: Kernel, mod: Module, hooks: InetInitHooks): number {
  const unwind = new Unwind();
  const protos: Proto[] = [
    make_tcp_prot(mod),
    make_udp_prot(mod),
    make_raw_prot(mod),
    make_ping_prot(mod),
    // udplite4_register(), later in inet_init().
    make_udplite_prot(mod),
  ];
  for (const p of protos) {
    const rc = proto_register(kernel, p, true);
    if (rc !== 0) return unwind.fail(rc); // goto out_unregister_<the last registered>_proto
    unwind.push(() => proto_unregister(kernel, p)); // out_unregister_<p>_proto:
  }
  const [tcp_prot, udp_prot, raw_prot, ping_prot, udplite_prot] = protos as [
    Proto,
    Proto,
    Proto,
    Proto,
    Proto,
  ];
  const st: InetState = {
    mod,
    inetsw: Array.from({ length: SOCK_MAX }, () => []),
    tcp_prot,
    udp_prot,
    raw_prot,
    ping_prot,
    udplite_prot,
    inet_stream_ops: make_ops(mod, 'stream'),
    inet_dgram_ops: make_ops(mod, 'dgram'),
    inet_sockraw_ops: make_ops(mod, 'raw'),
    tcp_sockets_allocated: 0,
    unwind,
  };
  set_inet_state(kernel, st);
  unwind.push(() => set_inet_state(kernel, null));
  let rc = hooks.setup(kernel, unwind);
  if (rc < 0) return unwind.fail(rc);
  const inet_family_ops: NetProtoFamily = { family: PF_INET, create: inet_create, owner: mod };
  rc = sock_register(kernel, inet_family_ops);
  if (rc < 0) return unwind.fail(rc);
  unwind.push(() => sock_unregister(kernel, PF_INET));
  // inetsw_array (net/ipv4/af_inet.c).
  const inetsw_array: InetProtosw[] = [
    {
      type: SOCK_STREAM,
      protocol: IN.IPPROTO_TCP,
      prot: tcp_prot,
      ops: st.inet_stream_ops,
      flags: INET_PROTOSW_PERMANENT | INET_PROTOSW_ICSK,
    },
    {
      type: SOCK_DGRAM,
      protocol: IN.IPPROTO_UDP,
      prot: udp_prot,
      ops: st.inet_dgram_ops,
      flags: INET_PROTOSW_PERMANENT,
    },
    {
      type: SOCK_DGRAM,
      protocol: IN.IPPROTO_ICMP,
      prot: ping_prot,
      ops: st.inet_sockraw_ops,
      flags: INET_PROTOSW_REUSE,
    },
    {
      type: SOCK_RAW,
      protocol: IN.IPPROTO_IP,
      prot: raw_prot,
      ops: st.inet_sockraw_ops,
      flags: INET_PROTOSW_REUSE,
    },
  ];
  for (const q of inetsw_array) inet_register_protosw(kernel, q);
  // udplite4_protosw: permanent, so it lands after UDP and before PING.
  inet_register_protosw(kernel, {
    type: SOCK_DGRAM,
    protocol: IN.IPPROTO_UDPLITE,
    prot: udplite_prot,
    ops: st.inet_dgram_ops,
    flags: INET_PROTOSW_PERMANENT,
  });
  trace_note('IPv4 over ksock: TCP, UDP, RAW, PING, UDP-Lite registered');
  return 0;
}

/** Undo inet_init() (Linux cannot unload inet; ksock can once no socket or dependent module is left). */
export function inet_exit(kernel: Kernel): void {
  // sock_unregister(), the setup's sysctls, /proc files and pernet ops, the state, the protos: last first.
  inet_state(kernel).unwind.unwind();
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(inet_create, 'inet_create', fmt_inet_create, (f) => {
  inet_create = f;
});
tracepoint(inet_release, 'inet_release', fmt_inet_release, (f) => {
  inet_release = f;
});
tracepoint(__inet_bind, '__inet_bind', fmt___inet_bind, (f) => {
  __inet_bind = f;
});
tracepoint(inet_bind, 'inet_bind', fmt_inet_bind, (f) => {
  inet_bind = f;
});
tracepoint(inet_getname, 'inet_getname', fmt_inet_getname, (f) => {
  inet_getname = f;
});
tracepoint(inet_listen, 'inet_listen', fmt_inet_listen, (f) => {
  inet_listen = f;
});
tracepoint(inet_shutdown, 'inet_shutdown', fmt_inet_shutdown, (f) => {
  inet_shutdown = f;
});
tracepoint(inet_dgram_connect, 'inet_dgram_connect', fmt_inet_dgram_connect, (f) => {
  inet_dgram_connect = f;
});
tracepoint(inet_stream_connect, 'inet_stream_connect', fmt_inet_stream_connect, (f) => {
  inet_stream_connect = f;
});
tracepoint(inet_accept, 'inet_accept', fmt_inet_accept, (f) => {
  inet_accept = f;
});
