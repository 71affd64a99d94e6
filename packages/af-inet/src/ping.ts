/**
 * ICMP echo ("ping") sockets: mirrors ping_init_sock(), ping_get_port(), ping_unhash(), ping_bind() and
 * ping_close() (net/ipv4/ping.c). Creating one needs the caller's group inside net.ipv4.ping_group_range.
 */

import {
  AF_INET,
  AF_UNSPEC,
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EINVAL,
  EOPNOTSUPP,
} from '@ksock/core';
import type { Module, Proto, Sock } from '@ksock/core/kernel';
import {
  current,
  perNet,
  SOCK_BINDPORT_LOCK,
  sk_common_release,
  sock_hold,
  sock_prot_inuse_add,
  sock_put,
  tracepoint,
} from '@ksock/core/kernel';
import { inet_addr_type, inet_addr_valid_or_nonlocal, RTN_BROADCAST, RTN_MULTICAST } from './fib.js';
import { InetSock, inet_sk } from './inet_sock.js';
import { ip_getsockopt, ip_setsockopt } from './ip_sockglue.js';
import { ipv4 } from './netns_ipv4.js';
import * as IN from './uapi/in.js';

export class PingSock extends InetSock {
  ping_hashed = false;
}

/** The rover of ping_get_port() (ping_port_rover), per namespace. */
const rovers = perNet<number>();

/** Mirrors ping_init_sock(): EACCES unless the egid or a supplementary group is in ping_group_range. */
export let ping_init_sock = function ping_init_sock(sk: Sock): number {
  const [low, high] = ipv4(sk.sk_net).ping_group_range;
  const cred = current().cred;
  if (low <= cred.egid && cred.egid <= high) return 0;
  for (const gid of cred.groups) if (low <= gid && gid <= high) return 0;
  return -EACCES;
};

/** Mirrors ping_get_port(): identifier 0 picks the next free one after the rover; hashing happens here. */
export let ping_get_port = function ping_get_port(sk: Sock, ident: number): number {
  const isk = inet_sk(sk);
  const table = ipv4(sk.sk_net).ping_table;
  const inuse = (id: number): boolean => {
    const owners = table.get(id);
    if (owners === undefined) return false;
    for (const sk2 of owners) if (sk2 !== isk && (sk2.sk_reuse === 0 || isk.sk_reuse === 0)) return true;
    return false;
  };
  if (ident === 0) {
    const key = sk.sk_net;
    let result = (rovers.get(key) ?? 0) + 1;
    let found = 0;
    for (let i = 0; i < 65536; i++, result++) {
      result &= 0xffff;
      if (result === 0) result = 1;
      if (!inuse(result)) {
        found = result;
        break;
      }
    }
    if (found === 0) return 1;
    rovers.set(key, found);
    ident = found;
  } else if (inuse(ident)) {
    return 1;
  }
  if (!(sk as PingSock).ping_hashed) {
    isk.inet_num = ident;
    let owners = table.get(ident);
    if (owners === undefined) {
      owners = [];
      table.set(ident, owners);
    }
    owners.push(isk);
    (sk as PingSock).ping_hashed = true;
    sock_hold(sk);
    sock_prot_inuse_add(sk.sk_net, sk.sk_prot, 1);
  }
  return 0;
};

/** Mirrors ping_unhash(). */
export let ping_unhash = function ping_unhash(sk: Sock): void {
  const ps = sk as PingSock;
  if (!ps.ping_hashed) return;
  const table = ipv4(sk.sk_net).ping_table;
  const owners = table.get(ps.inet_num)!;
  owners.splice(owners.indexOf(ps), 1);
  if (owners.length === 0) table.delete(ps.inet_num);
  ps.ping_hashed = false;
  ps.inet_num = 0;
  ps.inet_sport = 0;
  sock_prot_inuse_add(sk.sk_net, sk.sk_prot, -1);
  sock_put(sk);
};

/** Mirrors ping_bind() with ping_check_bind_addr() for AF_INET. */
export let ping_bind = function ping_bind(sk: Sock, addr: Uint8Array, addr_len: number): number {
  const isk = inet_sk(sk);
  if (addr_len < IN.SOCKADDR_IN_SIZE) return -EINVAL;
  const a = IN.parse_sockaddr_in(addr);
  if (a.family !== AF_INET && !(a.family === AF_UNSPEC && a.addr === IN.INADDR_ANY)) return -EAFNOSUPPORT;
  const chk = inet_addr_type(sk.sk_net, a.addr);
  if (!inet_addr_valid_or_nonlocal(sk.sk_net, isk, a.addr, chk)) return -EADDRNOTAVAIL;
  if (isk.inet_num !== 0) return -EINVAL;
  if (ping_get_port(sk, a.port) !== 0) return -EADDRINUSE;
  isk.inet_rcv_saddr = isk.inet_saddr = a.addr;
  if (chk === RTN_MULTICAST || chk === RTN_BROADCAST) isk.inet_saddr = 0;
  if (a.port !== 0) sk.sk_userlocks |= SOCK_BINDPORT_LOCK;
  isk.inet_sport = isk.inet_num;
  isk.inet_daddr = 0;
  isk.inet_dport = 0;
  return 0;
};

/** Mirrors ping_close(): sk_common_release(). */
export let ping_close = function ping_close(sk: Sock, _timeout: number): void {
  sk_common_release(sk);
};

/** ping_prot (net/ipv4/ping.c): obj_size = sizeof(struct ping_sock)... inet_sock on x86-64 6.18 (1016 bytes). */
export function make_ping_prot(owner: Module | null): Proto {
  return {
    name: 'PING',
    owner,
    obj_size: 1016,
    sk_class: PingSock,
    close: ping_close,
    connect: () => -EOPNOTSUPP,
    disconnect: () => 0,
    init: ping_init_sock,
    setsockopt: ip_setsockopt,
    getsockopt: ip_getsockopt,
    sendmsg: () => -EOPNOTSUPP,
    recvmsg: () => -11,
    bind: ping_bind,
    backlog_rcv: () => 0,
    unhash: ping_unhash,
    get_port: ping_get_port,
  };
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(ping_init_sock, 'ping_init_sock', undefined, (f) => {
  ping_init_sock = f;
});
tracepoint(ping_get_port, 'ping_get_port', undefined, (f) => {
  ping_get_port = f;
});
tracepoint(ping_unhash, 'ping_unhash', undefined, (f) => {
  ping_unhash = f;
});
tracepoint(ping_bind, 'ping_bind', undefined, (f) => {
  ping_bind = f;
});
tracepoint(ping_close, 'ping_close', undefined, (f) => {
  ping_close = f;
});
