/**
 * What af_unix shows and lets root tune: /proc/net/unix (unix_seq_show()) and net.unix.max_dgram_qlen
 * (net/unix/sysctl_net_unix.c).
 */
import {
  SS_CONNECTED,
  SS_CONNECTING,
  SS_DISCONNECTING,
  SS_UNCONNECTED,
  TCP_ESTABLISHED,
  TCP_LISTEN,
} from '@ksock/core';
import type { CtlTable, Net } from '@ksock/core/kernel';
import { unix_net } from './state.js';
import { SUN_PATH_OFFSET } from './uapi.js';
import type { UnixSock } from './unix_sock.js';

/** __SO_ACCEPTCON: the Flags column of a listening socket. */
const __SO_ACCEPTCON = 1 << 16;

const hex = (n: number, w: number): string => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');

/** How /proc/net/unix prints an address: the path, or '@' and the abstract name with NULs as '@'. */
function addr_text(addr: Uint8Array): string {
  const path = addr.subarray(SUN_PATH_OFFSET);
  if (path[0] !== 0) return new TextDecoder().decode(path.subarray(0, path.length - 1));
  let s = '@';
  for (let i = 1; i < path.length; i++) s += path[i] === 0 ? '@' : String.fromCharCode(path[i]!);
  return s;
}

/** One row, as unix_seq_show() prints it. */
function unix_seq_show(s: UnixSock): string {
  const st = s.sk_socket
    ? s.sk_state === TCP_ESTABLISHED
      ? SS_CONNECTED
      : SS_UNCONNECTED
    : s.sk_state === TCP_ESTABLISHED
      ? SS_CONNECTING
      : SS_DISCONNECTING;
  const ino = s.sk_socket?.inode.i_ino ?? 0;
  let row =
    `0000000000000000: ${hex(s.sk_refcnt, 8)} ${hex(0, 8)} ` +
    `${hex(s.sk_state === TCP_LISTEN ? __SO_ACCEPTCON : 0, 8)} ${hex(s.sk_type, 4)} ${hex(st, 2)} ` +
    String(ino).padStart(5);
  if (s.addr !== null) row += ` ${addr_text(s.addr)}`;
  return `${row}\n`;
}

/**
 * /proc/net/unix for the reader's namespace. Linux prints `%pK` for the socket's address, which reads as
 * zeros without CAP_SYSLOG; ksock always prints zeros. Rows come in creation order (Linux walks its hash
 * buckets, an order nobody relies on).
 */
export function proc_net_unix(net: Net): string {
  let out = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
  for (const s of unix_net(net).sockets) out += unix_seq_show(s);
  return out;
}

/** The net.unix ctl_table, registered once with a per-namespace value (register_net_sysctl()). */
export const unix_table: readonly CtlTable[] = [
  {
    procname: 'max_dgram_qlen',
    mode: 0o644,
    proc_handler: 'proc_dointvec',
    data: {
      get: (net) => unix_net(net).sysctl_max_dgram_qlen,
      set: (net, v) => {
        unix_net(net).sysctl_max_dgram_qlen = v as number;
      },
    },
  },
];
