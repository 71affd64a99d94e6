/**
 * fs/proc: the /proc files core shows — /proc/self, /proc/<pid>/fd and ns/net, /proc/sys (fs/proc/proc_sysctl.c),
 * /proc/modules (kernel/module/procfs.c), /proc/slabinfo (mm/slab_common.c), /proc/net/protocols
 * (net/core/sock.c) — and proc_create() / proc_create_net() (fs/proc/generic.c, fs/proc/proc_net.c) for
 * the rest.
 */
import { KernelError } from './errors.js';
import type { Kernel } from './kernel.js';
import { module_name } from './module.js';
import type { Net } from './net_namespace.js';
import type { Proto } from './sock.js';
import { sock_prot_inuse_get } from './sock.js';
import type { Task } from './task.js';
import { EINVAL, ENOENT, ENXIO } from './uapi/errno.js';
import { O_CLOEXEC } from './uapi/fcntl.js';

/** Shows one /proc file. `task` is the reader (what /proc/self and /proc/net resolve against). */
export type ProcShow = (task: Task) => string;
/**
 * Shows one /proc/net file for the reader's network namespace. A negative errno means the file does not
 * exist in that namespace (e.g. files Linux creates in init_net only).
 */
export type ProcNetShow = (net: Net, task: Task) => string | number;

function yn(fn: unknown): string {
  return fn === undefined ? 'n' : 'y';
}

/** /proc/net/protocols, as proto_seq_show() prints it on Linux 6.18 (no sendpage column). */
function proc_protocols(kernel: Kernel, net: Net): string {
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  const lpad = (s: string, w: number) => s.padEnd(w);
  const lines = [
    `${lpad('protocol', 9)} ${lpad('size', 4)} ${lpad('sockets', 8)} ${lpad('memory', 6)} ${lpad('press', 5)} ${lpad('maxhdr', 7)} ${lpad('slab', 4)} ${lpad('module', 10)} cl co di ac io in de sh ss gs se re bi br ha uh gp em`,
  ];
  for (const p of kernel.proto_list) {
    const methods: Array<keyof Proto> = [
      'close',
      'connect',
      'disconnect',
      'accept',
      'ioctl',
      'init',
      'destroy',
      'shutdown',
      'setsockopt',
      'getsockopt',
      'sendmsg',
      'recvmsg',
      'bind',
      'backlog_rcv',
      'hash',
      'unhash',
      'get_port',
      'enter_memory_pressure',
    ];
    const memory = p.memory_allocated ? p.memory_allocated.value : -1;
    const press = p.memory_pressure ? (p.memory_pressure.value ? 'yes' : 'no') : 'NI';
    lines.push(
      `${lpad(p.name, 9)} ${pad(p.obj_size, 4)} ${pad(sock_prot_inuse_get(net, p), 6)}  ${pad(memory, 6)}   ${lpad(press, 3)} ${pad(p.max_header ?? 0, 6)}   ${lpad(p.slab ? 'yes' : 'no', 3)}  ${lpad(module_name(p.owner), 10)} ${methods.map((m) => pad(yn(p[m]), 2)).join(' ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** /proc/modules, as m_show() prints it: name size refcnt users, state address. */
function proc_modules(kernel: Kernel): string {
  let out = '';
  for (const m of kernel.modules.loaded) {
    let users = m.source_list.map((u) => `${u.name},`).join('');
    if (m.desc.exit === undefined) users += '[permanent],';
    const state = m.state === 'Going' ? 'Unloading' : m.state === 'Coming' ? 'Loading' : 'Live';
    out += `${m.name} ${m.desc.size ?? 0} ${m.refcnt} ${users || '-'} ${state} 0x0000000000000000\n`;
  }
  return out;
}

/** /proc/slabinfo (slabinfo version 2.1) for ksock's caches. */
function proc_slabinfo(kernel: Kernel): string {
  const lines = [
    'slabinfo - version: 2.1',
    '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
  ];
  for (const c of kernel.slabs) {
    lines.push(
      `${c.name.padEnd(17)} ${String(c.active_objs).padStart(6)} ${String(c.num_objs).padStart(6)} ${String(c.object_size).padStart(6)} ${String(c.objperslab).padStart(4)} ${String(c.pagesperslab).padStart(4)} : tunables ${'0'.padStart(4)} ${'0'.padStart(4)} ${'0'.padStart(4)} : slabdata ${String(c.active_slabs).padStart(6)} ${String(c.num_slabs).padStart(6)} ${'0'.padStart(6)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * procfs: the /proc files ksock models, formatted as Linux formats them, plus what families register
 * (proc_create / proc_create_net). Read with `kernel.proc.read(path)`.
 */
export class ProcFs {
  private readonly files = new Map<string, ProcShow>();
  private readonly net_files = new Map<string, ProcNetShow>();
  private readonly sockstat = new Map<string, (net: Net) => string>();

  private readonly kernel: Kernel;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  /** Mirrors proc_create(): a file at an absolute path under /proc. Returns the remove function. */
  create(path: string, show: ProcShow): () => void {
    if (this.files.has(path)) throw new Error(`ksock: /proc entry ${path} exists`);
    this.files.set(path, show);
    return () => this.files.delete(path);
  }

  /** Mirrors proc_create_net(): /proc/net/<name>, shown for the reader's namespace. */
  create_net(name: string, show: ProcNetShow): () => void {
    if (this.net_files.has(name) || name === 'protocols' || name === 'sockstat') {
      throw new Error(`ksock: /proc/net/${name} exists`);
    }
    this.net_files.set(name, show);
    return () => this.net_files.delete(name);
  }

  /** Add lines to /proc/net/sockstat under "sockets: used" (as net/ipv4/proc.c's TCP/UDP/RAW rows). */
  sockstat_register(key: string, show: (net: Net) => string): () => void {
    this.sockstat.set(key, show);
    return () => this.sockstat.delete(key);
  }

  /** The text of a /proc file, read by `task` (default: init). Throws KernelError ENOENT if absent. */
  read(path: string, task: Task = this.kernel.init): string {
    const r = this.lookup(path, task);
    if (typeof r === 'number') throw new KernelError(-r, 'open', path);
    return r;
  }

  /** readlink(2) on /proc/<pid>/fd/<n> (→ `socket:[ino]`), /proc/<pid>/ns/net, /proc/self. */
  readlink(path: string, task: Task = this.kernel.init): string {
    const p = this.resolve_self(path, task);
    const m = /^\/proc\/(\d+)\/(fd\/(\d+)|ns\/net)$/.exec(p);
    if (m === null) {
      if (path === '/proc/self') return String(task.pid);
      throw new KernelError(EINVAL, 'readlink', path);
    }
    const t = this.kernel.tasks.get(Number(m[1]));
    if (t === undefined || t.state !== 'running') throw new KernelError(ENOENT, 'readlink', path);
    if (m[2] === 'ns/net') return `net:[${t.nsproxy_net.inum}]`;
    const f = t.files.fd[Number(m[3])];
    if (!f) throw new KernelError(ENOENT, 'readlink', path);
    return f.path;
  }

  private resolve_self(path: string, task: Task): string {
    return path
      .replace(/^\/proc\/self(?=\/|$)/, `/proc/${task.pid}`)
      .replace(/^\/proc\/net(?=\/|$)/, `/proc/${task.pid}/net`);
  }

  private lookup(path: string, task: Task): string | number {
    const k = this.kernel;
    const direct = this.files.get(path);
    if (direct !== undefined) return direct(task);
    switch (path) {
      case '/proc/modules':
        return proc_modules(k);
      case '/proc/slabinfo':
        return proc_slabinfo(k);
    }
    if (path.startsWith('/proc/sys/'))
      return k.sysctl.read(k, path.slice('/proc/sys/'.length), task.nsproxy_net);
    const p = this.resolve_self(path, task);
    const m = /^\/proc\/(\d+)(?:\/(.*))?$/.exec(p);
    if (m === null) return -ENOENT;
    const t = k.tasks.get(Number(m[1]));
    if (t === undefined) return -ENOENT;
    const rest = m[2] ?? '';
    // An exited task has no namespace any more: only its status remains readable.
    if (t.state !== 'running' && rest !== 'status') return -ENOENT;
    const net = t.nsproxy_net;
    if (rest.startsWith('net/')) {
      const name = rest.slice(4);
      if (name === 'protocols') return proc_protocols(k, net);
      if (name === 'sockstat') {
        let s = `sockets: used ${net.sock_inuse}\n`;
        for (const show of this.sockstat.values()) s += show(net);
        return s;
      }
      const show = this.net_files.get(name);
      return show === undefined ? -ENOENT : show(net, t);
    }
    if (rest === 'fd' || rest === 'fd/') {
      let s = '';
      for (const [fd, f] of t.files.entries()) s += `${fd} -> ${f.path}\n`;
      return s;
    }
    const fdinfo = /^fdinfo\/(\d+)$/.exec(rest);
    if (fdinfo !== null) {
      const fd = Number(fdinfo[1]);
      const f = t.files.fd[fd];
      if (!f) return -ENOENT;
      const flags = f.f_flags | (t.files.is_cloexec(fd) ? O_CLOEXEC : 0);
      return `pos:\t0\nflags:\t0${flags.toString(8)}\nmnt_id:\t${f.f_inode ? 8 : 22}\nino:\t${f.f_inode?.i_ino ?? 4}\n`;
    }
    if (/^fd\/\d+$/.test(rest)) return -ENXIO; // opening a socket's fd link fails, as in Linux
    if (rest === 'status') {
      const c = t.cred;
      const state = t.state === 'running' ? 'S (sleeping)' : 'Z (zombie)';
      return `Name:\t${t.comm}\nState:\t${state}\nTgid:\t${t.pid}\nPid:\t${t.pid}\nPPid:\t${t.parent?.pid ?? 0}\nUid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}\nGid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}\nFDSize:\t${t.files.max_fds}\nGroups:\t${c.groups.join(' ')}${c.groups.length ? ' ' : ''}\n`;
    }
    return -ENOENT;
  }
}
