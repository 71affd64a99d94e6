/**
 * Read what a socket() call built, from the kernel's own objects: task.files.fd[fd] → File →
 * private_data (Socket, with its inode: the socket_alloc) → sk (the Sock, an instance of the family's
 * own sock class) → the modules they reference. Nothing here is invented: every value is read back.
 */
import type { Task } from '@ksock/core';
import { af_family_names, O_CLOEXEC, O_NONBLOCK, O_RDWR, sock_type_names } from '@ksock/core';
import type { Module } from '@ksock/core/kernel';
import {
  File,
  MAX_SCHEDULE_TIMEOUT,
  Module as ModuleClass,
  SkBuffHead,
  Sock,
  Socket,
  sock_from_file,
  TimerList,
} from '@ksock/core/kernel';
import type { Edge, Field, ObjectBox, ObjectGraph } from './report.js';

/** Fields each design document names, by the family's sock class; a trailing * matches a prefix. */
export const SEED_FIELDS: Record<number, readonly string[]> = {
  // seed 000 (and the netlink_sock of seed 002)
  16: [
    'sk_family',
    'sk_protocol',
    'sk_prot',
    'sk_net',
    'sk_socket',
    'portid',
    'dst_portid',
    'dst_group',
    'flags',
    'subscriptions',
    'ngroups',
    'groups',
    'state',
    'netlink_rcv',
    'netlink_bind',
    'module',
  ],
  // seed 004
  2: [
    'sk_family',
    'sk_prot',
    'sk_state',
    'sk_socket',
    'sk_receive_queue',
    'sk_write_queue',
    'sk_error_queue',
    'sk_state_change',
    'sk_data_ready',
    'sk_write_space',
    'sk_error_report',
    'sk_destruct',
    'sk_timer',
    'sk_sndbuf',
    'sk_rcvbuf',
    'is_icsk',
    'uc_ttl',
    'mc_ttl',
    'icsk_af_ops',
    'icsk_rto',
    'icsk_retransmit_timer',
    'icsk_delack_timer',
    'icsk_ca_ops',
    'out_of_order_queue',
    'mdev*',
    'snd_cwnd',
    'snd_ssthresh',
    'mss_cache',
  ],
  // seed 003
  31: ['sk_family', 'sk_protocol', 'sk_state', 'sk_socket', 'sk_prot'],
};

const TCP_STATES = [
  '',
  'TCP_ESTABLISHED',
  'TCP_SYN_SENT',
  'TCP_SYN_RECV',
  'TCP_FIN_WAIT1',
  'TCP_FIN_WAIT2',
  'TCP_TIME_WAIT',
  'TCP_CLOSE',
  'TCP_CLOSE_WAIT',
  'TCP_LAST_ACK',
  'TCP_LISTEN',
  'TCP_CLOSING',
  'TCP_NEW_SYN_RECV',
];
const BT_STATES = [
  '',
  'BT_CONNECTED',
  'BT_OPEN',
  'BT_BOUND',
  'BT_LISTEN',
  'BT_CONNECT',
  'BT_CONNECT2',
  'BT_CONFIG',
  'BT_DISCONN',
  'BT_CLOSED',
];
const SS_STATES = ['SS_FREE', 'SS_UNCONNECTED', 'SS_CONNECTING', 'SS_CONNECTED', 'SS_DISCONNECTING'];

function matches(name: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p) return true;
  }
  return false;
}

/** 'NetlinkSock' → 'netlink_sock'. */
export function cName(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The class chain of a sock, most derived first: ['TcpSock', 'InetConnectionSock', 'InetSock', 'Sock']. */
export function classChain(obj: object): string[] {
  const out: string[] = [];
  let p = Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null;
  while (p !== null && p !== Object.prototype) {
    const n = p.constructor?.name;
    if (n) out.push(n);
    p = Object.getPrototypeOf(p) as typeof p;
  }
  return out;
}

function octal(v: number): string {
  return `0${(v >>> 0).toString(8)}`;
}

function fileFlags(v: number): string {
  const parts: string[] = [];
  parts.push((v & 3) === O_RDWR ? 'O_RDWR' : (v & 3) === 1 ? 'O_WRONLY' : 'O_RDONLY');
  if (v & O_NONBLOCK) parts.push('O_NONBLOCK');
  if (v & O_CLOEXEC) parts.push('O_CLOEXEC');
  return `${octal(v)} (${parts.join('|')})`;
}

/** A value written out the way a person reading a kernel struct would want to see it. */
export function showValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'number':
      if (v === MAX_SCHEDULE_TIMEOUT) return 'MAX_SCHEDULE_TIMEOUT';
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return String(v);
    case 'function':
      return v.name ? `${v.name}()` : '(function)';
    case 'object':
      break;
    default:
      return String(v);
  }
  const o = v as Record<string, unknown>;
  if (o instanceof ModuleClass) return `module ${o.name}`;
  if (o instanceof TimerList)
    return o.function
      ? `timer → ${o.function.name || '(function)'}()${o.pending ? ' pending' : ''}`
      : 'timer (no function)';
  if (o instanceof SkBuffHead) return `queue, qlen ${o.qlen}`;
  if (o instanceof Socket) return `socket ino ${o.inode.i_ino}`;
  if (o instanceof Sock) return `sock ${o.sk_prot_creator?.name ?? ''}`.trim();
  if (v instanceof Uint8Array) return `u8[${v.length}]`;
  if (Array.isArray(v)) {
    if (v.length <= 8 && depth === 0) return `[${v.map((x) => showValue(x, 1)).join(', ')}]`;
    return `array[${v.length}]`;
  }
  if (v instanceof Map || v instanceof Set) return `${v.constructor.name}(${v.size})`;
  if (typeof o.traceLabel === 'function') {
    try {
      return String((o.traceLabel as () => string).call(o));
    } catch {
      /* fall through */
    }
  }
  if (typeof o.name === 'string') return `&${o.name}`;
  const cls = o.constructor?.name;
  if (cls && cls !== 'Object') return cls;
  if (depth === 0) {
    const keys = Object.keys(o);
    const shown = keys.slice(0, 4).map((k) => `${k}: ${showValue(o[k], 1)}`);
    return `{ ${shown.join(', ')}${keys.length > 4 ? ', …' : ''} }`;
  }
  return '{…}';
}

function stateName(family: number, state: number): string {
  const n = family === 31 ? BT_STATES[state] : TCP_STATES[state];
  return n ? `${state} (${n})` : String(state);
}

/** The struct sock fields every family shares, in the order include/net/sock.h lists them (roughly). */
function sockFields(sk: Sock, seed: readonly string[], protoName: ProtoNamer): Field[] {
  const proto = protoName(sk.sk_family, sk.sk_protocol);
  const f = (name: string, value: string): Field => ({ name, value, seed: matches(name, seed) });
  return [
    f('sk_family', `${sk.sk_family} (${(af_family_names[sk.sk_family] ?? '?').replace('AF_', 'PF_')})`),
    f('sk_type', `${sk.sk_type} (${sock_type_names[sk.sk_type] ?? '?'})`),
    f('sk_protocol', proto === String(sk.sk_protocol) ? proto : `${sk.sk_protocol} (${proto})`),
    f('sk_state', stateName(sk.sk_family, sk.sk_state)),
    f('sk_prot', sk.sk_prot ? `&${sk.sk_prot.name} proto (obj_size ${sk.sk_prot.obj_size})` : 'NULL'),
    f('sk_net', showValue(sk.sk_net)),
    f('sk_socket', showValue(sk.sk_socket)),
    f('sk_refcnt', String(sk.sk_refcnt)),
    f('sk_rcvbuf', String(sk.sk_rcvbuf)),
    f('sk_sndbuf', String(sk.sk_sndbuf)),
    f('sk_receive_queue', showValue(sk.sk_receive_queue)),
    f('sk_write_queue', showValue(sk.sk_write_queue)),
    f('sk_error_queue', showValue(sk.sk_error_queue)),
    f('sk_state_change', showValue(sk.sk_state_change)),
    f('sk_data_ready', showValue(sk.sk_data_ready)),
    f('sk_write_space', showValue(sk.sk_write_space)),
    f('sk_error_report', showValue(sk.sk_error_report)),
    f('sk_destruct', showValue(sk.sk_destruct)),
    f('sk_timer', showValue(sk.sk_timer)),
    f('sk_uid', String(sk.sk_uid)),
    f('sk_kern_sock', String(sk.sk_kern_sock)),
  ];
}

const BASE_SOCK_KEYS = new Set(Object.keys(new Sock()));

/** The fields the family's own sock adds to struct sock, seed-named ones first. */
function familyFields(sk: Sock, seed: readonly string[]): Field[] {
  const out: Field[] = [];
  for (const k of Object.keys(sk)) {
    if (BASE_SOCK_KEYS.has(k)) continue;
    const v = (sk as unknown as Record<string, unknown>)[k];
    out.push({ name: k, value: showValue(v), seed: matches(k, seed) });
  }
  return [...out.filter((x) => x.seed), ...out.filter((x) => !x.seed)];
}

function moduleBox(m: Module): ObjectBox {
  return {
    id: `module:${m.name}`,
    type: 'struct module',
    label: m.name,
    fields: [
      { name: 'name', value: JSON.stringify(m.name) },
      { name: 'state', value: `MODULE_STATE_${m.state.toUpperCase()}` },
      { name: 'refcnt', value: String(m.refcnt) },
      { name: 'used by', value: m.source_list.map((u) => u.name).join(', ') || '-' },
    ],
  };
}

/**
 * Everything behind `fd` in `task`: the fd table slot, the struct file, the socket_alloc, the sock and
 * the family's sock, the modules referenced. Null when the fd is not a socket.
 */
export type ProtoNamer = (family: number, protocol: number) => string;

export function inspectFd(
  task: Task,
  fd: number,
  protoName: ProtoNamer = (_f, p) => String(p),
): ObjectGraph | null {
  const file = task.files.fd[fd];
  if (!(file instanceof File)) return null;
  const sock = sock_from_file(file);
  if (sock === null) return null;
  const boxes: ObjectBox[] = [];
  const edges: Edge[] = [];
  const ino = sock.inode.i_ino;
  const sk = sock.sk;
  const seed = sk !== null ? (SEED_FIELDS[sk.sk_family] ?? []) : [];

  boxes.push({
    id: 'fdtable',
    type: 'struct fdtable',
    label: `task ${task.pid} (${task.comm})`,
    fields: [
      { name: `fd[${fd}]`, value: `struct file * (${file.path})`, seed: true },
      { name: 'close_on_exec', value: task.files.is_cloexec(fd) ? `bit ${fd} set` : `bit ${fd} clear` },
      { name: 'max_fds', value: String(task.files.max_fds) },
    ],
  });
  boxes.push({
    id: 'file',
    type: 'struct file',
    label: file.path,
    fields: [
      { name: 'f_op', value: `&${file.f_op.name}` },
      { name: 'f_flags', value: fileFlags(file.f_flags) },
      { name: 'f_count', value: String(file.f_count) },
      { name: 'f_inode', value: `inode ${file.f_inode?.i_ino ?? 0}` },
      { name: 'dentry name', value: JSON.stringify(file.d_name) },
      { name: 'private_data', value: `struct socket * (ino ${ino})`, seed: true },
    ],
  });
  edges.push({ from: 'fdtable', to: 'file', label: `fd[${fd}]` });

  const ops = sock.ops;
  boxes.push({
    id: 'socket_alloc',
    type: 'struct socket_alloc',
    label: `socket:[${ino}]`,
    fields: [
      { name: 'socket.state', value: `${sock.state} (${SS_STATES[sock.state] ?? '?'})` },
      { name: 'socket.type', value: `${sock.type} (${sock_type_names[sock.type] ?? '?'})` },
      { name: 'socket.flags', value: String(sock.flags) },
      {
        name: 'socket.ops',
        value:
          ops === null
            ? 'NULL'
            : `${opsName(ops)} (family ${ops.family}, owner ${ops.owner?.name ?? 'kernel'})`,
      },
      { name: 'socket.sk', value: sk === null ? 'NULL' : showValue(sk), seed: true },
      {
        name: 'socket.file',
        value: sock.file === file ? `struct file * (${file.path})` : showValue(sock.file),
      },
      { name: 'vfs_inode.i_ino', value: String(ino), seed: true },
      { name: 'vfs_inode.i_mode', value: `${octal(sock.inode.i_mode)} (S_IFSOCK|0777)` },
      { name: 'vfs_inode.i_uid', value: String(sock.inode.i_uid) },
      { name: 'vfs_inode.i_gid', value: String(sock.inode.i_gid) },
    ],
  });
  edges.push({ from: 'file', to: 'socket_alloc', label: 'private_data' });

  // Each module reference is an edge from the object holding the pointer; each module one box.
  const mods: Module[] = [];
  const ref = (from: string, m: Module | null | undefined, via: string) => {
    if (!m) return;
    if (!mods.includes(m)) mods.push(m);
    edges.push({ from, to: `module:${m.name}`, label: via });
  };
  ref('socket_alloc', ops?.owner, 'ops->owner');

  if (sk !== null) {
    boxes.push({
      id: 'sock',
      type: 'struct sock',
      label: sk.sk_prot_creator?.name ?? 'sock',
      fields: sockFields(sk, seed, protoName),
    });
    edges.push({ from: 'socket_alloc', to: 'sock', label: 'sk' });
    if (sk.sk_socket === sock) edges.push({ from: 'sock', to: 'socket_alloc', label: 'sk_socket' });
    ref('sock', sk.sk_prot?.owner, 'sk_prot->owner');
    const chain = classChain(sk);
    if (chain.length > 1 && chain[0] !== 'Sock') {
      boxes.push({
        id: 'family_sock',
        type: `struct ${cName(chain[0]!)}`,
        label: chain
          .slice(0, -1)
          .map((c) => cName(c))
          .join(' ⊃ '),
        fields: familyFields(sk, seed),
      });
      edges.push({ from: 'sock', to: 'family_sock', label: 'first member of' });
      for (const k of Object.keys(sk)) {
        if (BASE_SOCK_KEYS.has(k)) continue;
        const v = (sk as unknown as Record<string, unknown>)[k];
        if (v instanceof ModuleClass) ref('family_sock', v, k);
      }
    }
  }
  for (const m of mods) boxes.push(moduleBox(m));
  return { fd, boxes, edges };
}

/** An ops table's kernel name, when the family gave it one (netlink_ops, inet_stream_ops…). */
function opsName(ops: object): string {
  const n = (ops as { name?: unknown }).name;
  if (typeof n === 'string') return `&${n}`;
  return 'proto_ops';
}
