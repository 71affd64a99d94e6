/**
 * SOL_IP socket options: mirrors do_ip_setsockopt() / do_ip_getsockopt() in net/ipv4/ip_sockglue.c for
 * the options whose state ksock models.
 */
import type { Sock } from '@ksock/core';
import {
  CAP_NET_ADMIN,
  CAP_NET_RAW,
  capable,
  EINVAL,
  ENOPROTOOPT,
  EOPNOTSUPP,
  EPERM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_IP,
} from '@ksock/core';
import { inet_sk } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import * as IN from './uapi/in.js';

/** Options whose optval is an int but which also accept a single byte (ip_setsockopt's setsockopt_needs_rtnl list aside). */
function read_val(optval: Uint8Array): number {
  if (optval.length >= 4) return new DataView(optval.buffer, optval.byteOffset, 4).getInt32(0, true);
  if (optval.length >= 1) return optval[0]!;
  return 0;
}

/** Mirrors do_ip_setsockopt(). */
export function ip_setsockopt(sk: Sock, level: number, optname: number, optval: Uint8Array): number {
  if (level !== SOL_IP) return -ENOPROTOOPT;
  const inet = inet_sk(sk);
  const optlen = optval.length;
  const val = read_val(optval);
  switch (optname) {
    // IP_TOS, IP_HDRINCL, IP_MTU_DISCOVER, IP_RECVERR and IP_BIND_ADDRESS_NO_PORT take no length check:
    // with optlen 0 nothing is copied and the value stays 0 (do_ip_setsockopt()); the others are EINVAL.
    case IN.IP_TOS:
      inet.tos = val & 0xff;
      return 0;
    case IN.IP_TTL:
      if (optlen < 1) return -EINVAL;
      if (val !== -1 && (val < 1 || val > 255)) return -EINVAL;
      inet.uc_ttl = val;
      return 0;
    case IN.IP_HDRINCL:
      if (sk.sk_type !== SOCK_RAW) return -ENOPROTOOPT;
      inet.hdrincl = val !== 0;
      return 0;
    case IN.IP_MTU_DISCOVER:
      if (val < IN.IP_PMTUDISC_DONT || val > IN.IP_PMTUDISC_OMIT) return -EINVAL;
      inet.pmtudisc = val;
      return 0;
    case IN.IP_RECVERR:
      inet.recverr = val !== 0;
      return 0;
    case IN.IP_MULTICAST_TTL:
      if (sk.sk_type === SOCK_STREAM) return -EINVAL;
      if (optlen < 1) return -EINVAL;
      if (val < -1 || val > 255) return -EINVAL;
      inet.mc_ttl = val === -1 ? 1 : val;
      return 0;
    case IN.IP_MULTICAST_LOOP:
      if (optlen < 1) return -EINVAL;
      inet.mc_loop = val !== 0;
      return 0;
    case IN.IP_MULTICAST_ALL:
      if (optlen < 1) return -EINVAL;
      if (val !== 0 && val !== 1) return -EINVAL;
      inet.mc_all = val === 1;
      return 0;
    case IN.IP_FREEBIND:
      if (optlen < 1) return -EINVAL;
      inet.freebind = val !== 0;
      return 0;
    case IN.IP_BIND_ADDRESS_NO_PORT:
      inet.bind_address_no_port = val !== 0;
      return 0;
    case IN.IP_NODEFRAG:
      if (sk.sk_type !== SOCK_RAW) return -ENOPROTOOPT;
      inet.nodefrag = val !== 0;
      return 0;
    case IN.IP_TRANSPARENT:
      if (!capable(CAP_NET_RAW) && !capable(CAP_NET_ADMIN)) return -EPERM;
      if (optlen < 1) return -EINVAL;
      inet.transparent = val !== 0;
      return 0;
    default:
      return -ENOPROTOOPT;
  }
}

/**
 * Mirrors do_ip_getsockopt() for int options: a negative length is EINVAL; a buffer shorter than an int
 * gets one byte when the value fits in one, otherwise min(len, 4) bytes.
 */
export function ip_getsockopt(sk: Sock, level: number, optname: number, len: number): Uint8Array | number {
  if (level !== SOL_IP) return -EOPNOTSUPP;
  if (len < 0) return -EINVAL;
  const inet = inet_sk(sk);
  let val: number;
  switch (optname) {
    case IN.IP_TOS:
      val = inet.tos;
      break;
    case IN.IP_TTL:
      val = inet.uc_ttl === -1 ? ipv4(sk.sk_net).sysctl_ip_default_ttl : inet.uc_ttl;
      break;
    case IN.IP_HDRINCL:
      val = inet.hdrincl ? 1 : 0;
      break;
    case IN.IP_NODEFRAG:
      val = inet.nodefrag ? 1 : 0;
      break;
    case IN.IP_MTU_DISCOVER:
      val = inet.pmtudisc;
      break;
    case IN.IP_RECVERR:
      val = inet.recverr ? 1 : 0;
      break;
    case IN.IP_MULTICAST_TTL:
      val = inet.mc_ttl;
      break;
    case IN.IP_MULTICAST_LOOP:
      val = inet.mc_loop ? 1 : 0;
      break;
    case IN.IP_MULTICAST_ALL:
      val = inet.mc_all ? 1 : 0;
      break;
    case IN.IP_FREEBIND:
      val = inet.freebind ? 1 : 0;
      break;
    case IN.IP_TRANSPARENT:
      val = inet.transparent ? 1 : 0;
      break;
    case IN.IP_BIND_ADDRESS_NO_PORT:
      val = inet.bind_address_no_port ? 1 : 0;
      break;
    default:
      return -ENOPROTOOPT;
  }
  if (len < 4 && len > 0 && val >= 0 && val <= 255) return Uint8Array.of(val);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, val, true);
  return b.slice(0, Math.min(4, len));
}
