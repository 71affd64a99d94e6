/**
 * /proc/net/tcp, /proc/net/udp, /proc/net/raw and the inet rows of /proc/net/sockstat, formatted as
 * tcp4_seq_show(), udp4_seq_show(), raw_seq_show() (net/ipv4/tcp_ipv4.c, udp.c, raw.c) and
 * sockstat_seq_show() (net/ipv4/proc.c) print them.
 *
 * Deviations: the "pointer" column is a stable per-sock number (Linux prints a hashed kernel pointer);
 * the UDP and raw "sl" bucket columns use net_hash_mix = 0 and a 65536-slot UDP table (Linux mixes in a
 * random per-namespace value), and /proc/net/tcp lists listeners in the order they started listening.
 */

import { TCP_LISTEN } from '@ksock/core';
import type { Net, Sock } from '@ksock/core/kernel';
import { sock_prot_inuse_get } from '@ksock/core/kernel';
import { sock_i_uid } from './inet_connection_sock.js';
import type { InetSock } from './inet_sock.js';
import { ipv4 } from './netns_ipv4.js';
import { inet_state } from './state.js';
import type { TcpSock } from './tcp.js';

const hex = (v: number, w: number): string => (v >>> 0).toString(16).toUpperCase().padStart(w, '0');

/** A __be32 address as %08X prints it on a little-endian machine: the bytes reversed. */
function be32(addr: number): string {
  const a = addr >>> 0;
  const swapped = ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
  return hex(swapped, 8);
}

const pad = (v: number | string, w: number): string => String(v).padStart(w);

function ino(sk: Sock): number {
  return sk.sk_socket !== null ? sk.sk_socket.inode.i_ino : 0;
}

function ptr(sk: InetSock): string {
  return hex(sk.sk_id, 16).toLowerCase();
}

/** jiffies_to_clock_t() of a millisecond value (USER_HZ = 100). */
const clock_t = (ms: number): number => Math.floor(ms / 10);

const TMPSZ = 150;

/** Mirrors get_tcp4_sock() for one hashed socket. */
function tcp4_row(sk: TcpSock, i: number): string {
  const listen = sk.sk_state === TCP_LISTEN;
  const rx_queue = listen ? sk.sk_ack_backlog : Math.max(sk.rcv_nxt - sk.copied_seq, 0);
  const tx_queue = sk.write_seq - sk.snd_una;
  const last = listen ? 0 : sk.snd_ssthresh >= 0x7fffffff ? -1 : sk.snd_ssthresh;
  const line =
    `${pad(i, 4)}: ${be32(sk.inet_rcv_saddr)}:${hex(sk.inet_num, 4)} ${be32(sk.inet_daddr)}:${hex(sk.inet_dport, 4)} ` +
    `${hex(sk.sk_state, 2)} ${hex(tx_queue, 8)}:${hex(rx_queue, 8)} 00:00000000 ${hex(sk.icsk_retransmits, 8)} ` +
    `${pad(sock_i_uid(sk), 5)} ${pad(sk.icsk_probes_out, 8)} ${ino(sk)} ${sk.sk_refcnt} ${ptr(sk)} ` +
    `${clock_t(sk.icsk_rto)} ${clock_t(sk.icsk_ack_ato)} ${(sk.icsk_ack_quick << 1) | sk.icsk_ack_pingpong} ` +
    `${sk.snd_cwnd} ${last}`;
  return line.padEnd(TMPSZ - 1);
}

/** /proc/net/tcp. */
export function tcp4_seq_show(net: Net): string {
  const t = ipv4(net);
  let out = `${'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'.padEnd(TMPSZ - 1)}\n`;
  let i = 0;
  for (const sk of t.tcp_listening) out += `${tcp4_row(sk as TcpSock, i++)}\n`;
  for (const sk of t.tcp_established) out += `${tcp4_row(sk as TcpSock, i++)}\n`;
  return out;
}

/** Mirrors udp4_format_sock(). */
function udp4_row(sk: InetSock, bucket: number): string {
  const line =
    `${pad(bucket, 5)}: ${be32(sk.inet_rcv_saddr)}:${hex(sk.inet_num, 4)} ${be32(sk.inet_daddr)}:${hex(sk.inet_dport, 4)} ` +
    `${hex(sk.sk_state, 2)} ${hex(sk.sk_wmem_alloc - 1, 8)}:${hex(sk.sk_rmem_alloc, 8)} 00:00000000 00000000 ` +
    `${pad(sock_i_uid(sk), 5)} ${pad(0, 8)} ${ino(sk)} ${sk.sk_refcnt} ${ptr(sk)} ${sk.sk_drops}`;
  return line.padEnd(127);
}

function udp_table_show(table: Map<number, InetSock[]>): string {
  let out = `${'   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops'.padEnd(127)}\n`;
  const ports = [...table.keys()].sort((a, b) => a - b);
  for (const port of ports) {
    for (const sk of table.get(port)!) out += `${udp4_row(sk, port & 0xffff)}\n`;
  }
  return out;
}

/** /proc/net/udp: the udp table walked slot by slot. */
export function udp4_seq_show(net: Net): string {
  return udp_table_show(ipv4(net).udp_table);
}

/** /proc/net/udplite: the same format over UDP-Lite's table. */
export function udplite4_seq_show(net: Net): string {
  return udp_table_show(ipv4(net).udplite_table);
}

/** /proc/net/raw (raw_sock_seq_show). */
export function raw_seq_show(net: Net): string {
  let out =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
  const list = [...ipv4(net).raw_list].sort((a, b) => (a.inet_num & 255) - (b.inet_num & 255));
  for (const sk of list) {
    out +=
      `${pad(sk.inet_num & 255, 4)}: ${be32(sk.inet_rcv_saddr)}:${hex(sk.inet_num, 4)} ${be32(sk.inet_daddr)}:${hex(sk.inet_dport, 4)} ` +
      `${hex(sk.sk_state, 2)} ${hex(sk.sk_wmem_alloc - 1, 8)}:${hex(sk.sk_rmem_alloc, 8)} 00:00000000 00000000 ` +
      `${pad(sock_i_uid(sk), 5)} ${pad(0, 8)} ${ino(sk)} ${sk.sk_refcnt} ${ptr(sk)} ${sk.sk_drops}\n`;
  }
  return out;
}

/** The inet rows of /proc/net/sockstat (sockstat_seq_show()). */
export function sockstat_inet_show(net: Net): string {
  const st = inet_state(net.kernel);
  const tcp_inuse = sock_prot_inuse_get(net, st.tcp_prot);
  const udp_inuse = sock_prot_inuse_get(net, st.udp_prot);
  const raw_inuse = sock_prot_inuse_get(net, st.raw_prot);
  return (
    `TCP: inuse ${tcp_inuse} orphan 0 tw 0 alloc ${st.tcp_sockets_allocated} mem ${st.tcp_prot.memory_allocated?.value ?? 0}\n` +
    `UDP: inuse ${udp_inuse} mem ${st.udp_prot.memory_allocated?.value ?? 0}\n` +
    `UDPLITE: inuse ${sock_prot_inuse_get(net, st.udplite_prot)}\n` +
    `RAW: inuse ${raw_inuse}\n` +
    'FRAG: inuse 0 memory 0\n'
  );
}
