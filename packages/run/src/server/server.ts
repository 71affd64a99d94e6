// server.ts — the kernel server: one ksock Kernel, served over a Unix socket to programs that run with the
// interposition library (PROTOCOL.md). Each host process is one ksock task; each ksock socket is backed in
// its program by a placeholder descriptor whose readability mirrors the socket's.

import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Socket as NetSocket, type Server } from 'node:net';
import { EACCES, EINTR, EIO, EPROTO, type Kernel, KernelError, O_CLOEXEC, type Task } from '@ksock/core';
import { type File, replace_fd } from '@ksock/core/kernel';
import { encode, type Frame, FrameError, FrameReader, REPLY } from './frame.js';
import { HostProcess, host_exe, host_stat } from './host_process.js';
import { getifaddrs, if_indextoname, if_nameindex, if_nametoindex, proc_read } from './ifaces.js';
import { bridge_get, bridge_put, file_at, sys } from './kernel_glue.js';
import { HELLO_FORK, HELLO_IMAGE, HELLO_THREAD, OP, OP_NAME } from './ops.js';
import { Placeholder } from './placeholder.js';
import { readable, watch } from './readiness.js';
import { type Ctx, handlers, type Reply } from './syscalls.js';

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

export interface BridgeOptions {
  kernel: Kernel;
  /** The Unix socket to listen on; created 0600. */
  path: string;
  /** SO_PEERCRED of an accepted connection's descriptor (the native addon). */
  peercred: (fd: number) => PeerCred;
  /** Credentials for every task instead of the host process's own (`--uid`/`--gid`). */
  uid?: number;
  gid?: number;
  /** Families served besides those the kernel has or can load (bit N: family N). */
  families?: (kernel: Kernel) => number;
  /** Where the function graph of every served call goes, a line at a time (`--trace`). */
  trace?: (text: string) => void;
  /** Problems worth a line on stderr: dropped clients, refused peers. */
  log?: (msg: string) => void;
}

interface Conn {
  readonly sock: NetSocket;
  readonly peer: PeerCred;
  kind: 'ctl' | 'ph' | null;
  proc: HostProcess | null;
  /** The request being served, while it sleeps. */
  busy: AbortController | null;
}

/** How often processes whose connections all closed are checked for having exited (ms). */
const REAP_INTERVAL = 250;
const EMPTY = new Uint8Array(0);
/** The calls that sleep until their socket is readable. */
const RECEIVES = new Set<number>([OP.RECVMSG, OP.READ, OP.ACCEPT, OP.RECVMMSG]);

export class BridgeServer {
  readonly kernel: Kernel;
  /** Host processes by host pid. */
  readonly processes = new Map<number, HostProcess>();
  /** Placeholders by the host inode of the program's end. */
  readonly placeholders = new Map<number, Placeholder>();
  private readonly by_file = new Map<File, Placeholder>();
  private readonly unwatch = new Map<Placeholder, () => void>();
  private readonly ph_waiters = new Map<number, Array<(ph: Placeholder | null) => void>>();
  private readonly dirty = new Set<Placeholder>();
  private readonly conns = new Set<NetSocket>();
  private flush_queued = false;
  /**
   * Sockets with a blocking receive sleeping in the server: data arriving there is taken by that call, so
   * their placeholders are not made readable meanwhile (a byte the program would only have to drain).
   */
  private readonly receiving = new Map<Placeholder, number>();
  private readonly server: Server;
  private readonly reaper: ReturnType<typeof setInterval>;
  private readonly opts: BridgeOptions;
  private closing = false;
  /** Requests served, for tests and the bench. */
  served = 0;

  constructor(opts: BridgeOptions) {
    this.opts = opts;
    this.kernel = opts.kernel;
    this.server = createServer((s) => this.on_connection(s));
    this.reaper = setInterval(() => this.reap(), REAP_INTERVAL);
    this.reaper.unref();
    if (opts.trace !== undefined) this.kernel.tracer.enabled = true;
  }

  /** Listen on the socket path: 0600, created under a umask that never lets it be wider. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const old = process.umask(0o177);
      this.server.once('error', (e) => {
        process.umask(old);
        reject(e);
      });
      this.server.listen(this.opts.path, () => {
        process.umask(old);
        chmodSync(this.opts.path, 0o600);
        resolve();
      });
    });
  }

  /** Stop serving: every client is dropped and its task exits; the socket file is removed. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.reaper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Programs still running (a server left in the background) lose their kernel: their calls fail with EIO.
    for (const c of this.conns) c.destroy();
    await closed;
    for (const p of [...this.processes.values()]) this.exit_process(p);
    rmSync(this.opts.path, { force: true });
  }

  private log(msg: string): void {
    this.opts.log?.(msg);
  }

  // ---- connections --------------------------------------------------------------------------------

  private on_connection(sock: NetSocket): void {
    const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    let peer: PeerCred;
    try {
      peer = this.opts.peercred(fd);
    } catch (e) {
      this.log(`ksock: refused a connection: SO_PEERCRED failed (${(e as Error).message})`);
      sock.destroy();
      return;
    }
    const euid = process.geteuid?.() ?? 0;
    if (peer.uid !== euid) {
      this.log(`ksock: refused pid ${peer.pid}: its uid ${peer.uid} is not the server's (${euid})`);
      // What it sends is read and dropped (so its end of file is seen); the refusal is a HELLO reply, so the
      // library can name the reason.
      this.conns.add(sock);
      sock.on('error', () => {});
      sock.on('close', () => this.conns.delete(sock));
      sock.resume();
      sock.end(encode(OP.HELLO | REPLY, [-EACCES, 0]));
      return;
    }
    const conn: Conn = { sock, peer, kind: null, proc: null, busy: null };
    this.conns.add(sock);
    const reader = new FrameReader();
    sock.setNoDelay?.(true);
    sock.on('data', (chunk: Buffer) => {
      if (conn.kind === 'ph') return; // a placeholder carries nothing after PH_HELLO (see on_placeholder)
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        this.drop(conn, e instanceof FrameError ? e.message : String(e));
        return;
      }
      for (const f of frames) this.on_frame(conn, f);
    });
    sock.on('error', () => {}); // ECONNRESET from a killed program: 'close' follows
    sock.on('close', () => {
      this.conns.delete(sock);
      if (conn.kind !== 'ph' && reader.pending > 0 && !this.closing)
        this.drop(conn, 'its connection ended in the middle of a frame');
      this.on_close(conn);
    });
  }

  /**
   * A client that broke the protocol (a malformed frame, or one cut off by the end of the connection): the
   * connection is closed and the process loses the kernel — its task exits, and the sockets only it held are
   * released. Its later calls fail with EIO, as after the server went away. Everyone else is served on.
   */
  private drop(conn: Conn, why: string): void {
    this.log(`ksock: dropping pid ${conn.peer.pid}: ${why}`);
    conn.sock.destroy();
    const p = conn.proc;
    if (p === null || this.processes.get(p.pid) !== p) return;
    this.exit_process(p);
    // Its placeholders, unless a live task (a fork child) still holds the file.
    const held = new Set<File>();
    for (const q of this.processes.values()) for (const [, f] of q.task.files.entries()) held.add(f);
    for (const ph of [...this.placeholders.values()]) {
      if (ph.pid !== p.pid || (ph.file !== null && held.has(ph.file))) continue;
      ph.conn.destroy();
      this.placeholder_ended(ph);
    }
  }

  private on_close(conn: Conn): void {
    if (conn.kind === 'ph') {
      const ph = [...this.placeholders.values()].find((p) => p.conn === conn.sock);
      if (ph !== undefined) this.placeholder_ended(ph);
      return;
    }
    conn.busy?.abort();
    const p = conn.proc;
    if (p === null) return;
    p.conns.delete(conn);
    if (p.conns.size === 0 && !p.alive()) this.exit_process(p);
  }

  private on_frame(conn: Conn, f: Frame): void {
    const name = OP_NAME[f.op] ?? `op ${f.op}`;
    if (conn.kind === null) {
      if (f.op === OP.PH_HELLO) this.on_placeholder(conn, f);
      else if (f.op === OP.HELLO) this.on_hello(conn, f);
      else this.drop(conn, `${name} before HELLO`);
    } else if (f.op === OP.CANCEL) {
      conn.busy?.abort();
    } else if (conn.busy !== null) {
      this.drop(conn, `${name} while a call is in progress`);
    } else if (f.op === OP.HELLO || f.op === OP.PH_HELLO) {
      this.drop(conn, 'a second HELLO');
    } else {
      this.serve(conn, f);
    }
  }

  // ---- processes ----------------------------------------------------------------------------------

  private on_hello(conn: Conn, f: Frame): void {
    const [kind, , ppid, uid, gid] = f.ints;
    const pid = conn.peer.pid;
    const comm = new TextDecoder().decode(f.bufs[0] ?? EMPTY).slice(0, 15) || 'task';
    conn.kind = 'ctl';
    let p = this.processes.get(pid);
    const st = host_stat(pid);
    if (p !== undefined && st !== null && p.starttime !== st.starttime) {
      this.exit_process(p); // the pid was reused
      p = undefined;
    }
    if (kind === HELLO_THREAD && p === undefined) {
      this.drop(conn, 'a thread HELLO from an unknown process');
      return;
    }
    if (p === undefined) {
      const parent = this.processes.get(ppid!);
      let task: Task;
      if (parent !== undefined && parent.task.state === 'running') {
        task = parent.task.fork();
        if (kind === HELLO_IMAGE) task.execve(host_exe(pid) ?? `/${comm}`);
      } else {
        task = this.kernel.spawn({
          uid: this.opts.uid ?? uid!,
          gid: this.opts.gid ?? this.opts.uid ?? gid!,
          comm,
          stdio: false,
        });
        if (kind !== HELLO_FORK) task.execve(host_exe(pid) ?? `/${comm}`);
      }
      p = new HostProcess(pid, task, st?.starttime ?? '');
      this.processes.set(pid, p);
    } else if (kind === HELLO_IMAGE) {
      // The same process with a new image: execve(), which closes the close-on-exec descriptors.
      p.task.execve(host_exe(pid) ?? `/${comm}`);
    }
    p.task.comm = comm;
    conn.proc = p;
    p.conns.add(conn);
    if (kind !== HELLO_THREAD) this.reconcile(p, f.bufs[1] ?? EMPTY);
    conn.sock.write(encode(OP.HELLO | REPLY, [0, 0, p.task.pid, this.families()]));
  }

  /**
   * Make the task's fd table hold exactly the ksock sockets the host process holds (HELLO's fdlist): after
   * a fork or an exec the host kernel decided which descriptors survived, and where.
   */
  private reconcile(p: HostProcess, fdlist: Uint8Array): void {
    const v = new DataView(fdlist.buffer, fdlist.byteOffset, fdlist.byteLength);
    const want = new Map<number, { file: File; cloexec: boolean }>();
    for (let off = 0; off + 16 <= fdlist.length; off += 16) {
      const fd = v.getInt32(off, true);
      const flags = v.getInt32(off + 4, true);
      const ino = Number(v.getBigUint64(off + 8, true));
      const ph = this.placeholders.get(ino);
      if (ph?.file != null && !ph.ended) want.set(fd, { file: ph.file, cloexec: (flags & 1) !== 0 });
    }
    const task = p.task;
    for (const [fd, file] of task.files.entries()) {
      if (want.get(fd)?.file !== file) sys(() => task.close(fd));
    }
    for (const [fd, w] of want) if (file_at(task, fd) !== w.file) this.install(task, fd, w.file, w.cloexec);
  }

  /** A process is gone: its task exits (closing what its table held) and is reaped. */
  private exit_process(p: HostProcess): void {
    if (this.processes.get(p.pid) === p) this.processes.delete(p.pid);
    for (const c of p.conns) (c as Conn).sock.destroy();
    p.conns.clear();
    const t = p.task;
    if (t.state === 'running') {
      sys(() => t.exit(0));
      this.flush();
    }
    if (t.state === 'zombie') this.kernel.reap(t);
  }

  /** Processes whose connections all closed (an exec in progress, or a program that stopped calling). */
  private reap(): void {
    for (const p of [...this.processes.values()]) if (p.conns.size === 0 && !p.alive()) this.exit_process(p);
  }

  private families(): number {
    const k = this.kernel;
    let bits = 0;
    for (let f = 1; f < 63 && f < k.net_families.length; f++) {
      const served = k.net_families[f] !== null || k.modules.resolve(`net-pf-${f}`) !== undefined;
      if (served) bits += 2 ** f;
    }
    return bits | (this.opts.families?.(k) ?? 0);
  }

  // ---- placeholders -------------------------------------------------------------------------------

  private on_placeholder(conn: Conn, f: Frame): void {
    const ino = f.ints[1]!;
    conn.kind = 'ph';
    const ph = new Placeholder(ino, conn.peer.pid, conn.sock);
    const old = this.placeholders.get(ino);
    if (old !== undefined) this.placeholder_ended(old); // the host reused the inode: the old one is gone
    this.placeholders.set(ino, ph);
    const w = this.ph_waiters.get(ino);
    if (w !== undefined) {
      this.ph_waiters.delete(ino);
      for (const fn of w) fn(ph);
    }
  }

  /** The program's last reference to a placeholder is gone: the ksock file goes from every table. */
  private placeholder_ended(ph: Placeholder): void {
    if (ph.ended) return;
    ph.ended = true;
    if (this.placeholders.get(ph.ino) === ph) this.placeholders.delete(ph.ino);
    const file = ph.file;
    if (file !== null) {
      this.unwatch.get(ph)?.();
      this.unwatch.delete(ph);
      this.by_file.delete(file);
      for (const p of this.processes.values()) {
        for (const [fd, f] of p.task.files.entries()) if (f === file) sys(() => p.task.close(fd));
      }
      bridge_put(this.kernel.init, file);
      ph.file = null;
      this.flush();
    }
    for (const fn of ph.end_waiters.splice(0)) fn();
  }

  private fresh(ino: number, signal: AbortSignal): Placeholder | null | Promise<Placeholder | null> {
    const ph = this.placeholders.get(ino);
    if (ph !== undefined && ph.file === null && !ph.ended) return ph;
    // Not here yet, or the one here is a dead placeholder whose inode the host has already given to the new
    // one (its end of file still queued): wait for the PH_HELLO naming it.
    return new Promise((resolve) => {
      const list = this.ph_waiters.get(ino) ?? [];
      list.push(resolve);
      this.ph_waiters.set(ino, list);
      // A PH_HELLO that never comes (the program died between its two writes, or a signal interrupted the
      // wait) ends the call when its connection closes or CANCEL comes. No timer: a server that stalls for a
      // while (a loaded machine) must not fail a request whose PH_HELLO is merely still unread.
      signal.addEventListener('abort', () => {
        const l = this.ph_waiters.get(ino);
        const i = l?.indexOf(resolve) ?? -1;
        if (i >= 0) {
          l!.splice(i, 1);
          if (l!.length === 0) this.ph_waiters.delete(ino);
          resolve(null);
        }
      });
    });
  }

  private install(task: Task, fd: number, file: File, cloexec: boolean): number {
    return this.kernel.run(() => replace_fd(fd, file, cloexec ? O_CLOEXEC : 0), task);
  }

  private attach(task: Task, ph: Placeholder, k: number, h: number, cloexec: boolean): number {
    const file = file_at(task, k)!;
    bridge_get(file);
    ph.file = file;
    this.by_file.set(file, ph);
    this.unwatch.set(
      ph,
      watch(file, () => this.mark(ph)),
    );
    if (k !== h) {
      const r = this.install(task, h, file, cloexec);
      sys(() => task.close(k));
      if (r < 0) return r;
    }
    this.dirty.add(ph);
    return h;
  }

  // ---- readiness ----------------------------------------------------------------------------------

  private mark(ph: Placeholder): void {
    this.dirty.add(ph);
    if (!this.flush_queued) {
      this.flush_queued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Recompute readability of every woken socket; signal or unsignal its placeholder. */
  private flush(): void {
    this.flush_queued = false;
    for (const ph of this.dirty) {
      if (ph.file === null || ph.ended) continue;
      if (!readable(ph.file)) ph.unsignal();
      else if (!this.receiving.has(ph)) ph.signal();
    }
    this.dirty.clear();
  }

  // ---- requests -----------------------------------------------------------------------------------

  private serve(conn: Conn, f: Frame): void {
    const p = conn.proc!;
    const task = p.task;
    // Only a call that sleeps needs to be interruptible: the controller is made on first use.
    let ac: AbortController | null = null;
    const signal = () => {
      ac ??= new AbortController();
      return ac.signal;
    };
    const ctx: Ctx = {
      task,
      get signal() {
        return signal();
      },
      fd: (h, ino) => {
        const ph = this.placeholders.get(ino);
        if (ph === undefined || ph.file === null || ph.ended) return null;
        if (file_at(task, h) !== ph.file && this.install(task, h, ph.file, false) < 0) return null;
        return ph;
      },
      fresh: (ino) => this.fresh(ino, signal()),
      attach: (ph, k, h, cloexec) => this.attach(task, ph, k, h, cloexec),
      close: (h, file) => {
        if (file_at(task, h) === file) sys(() => task.close(h));
        const ph = this.by_file.get(file);
        if (ph === undefined || ph.ended) return undefined;
        // The program closed its descriptor before sending CLOSE: if that was the last reference, the end
        // of file on the placeholder is already queued and is seen within this turn of the event loop.
        return new Promise((resolve) => {
          ph.end_waiters.push(resolve);
          setImmediate(resolve);
        });
      },
      install: (h, file, cloexec) => this.install(task, h, file, cloexec),
    };
    let r: Reply | Promise<Reply>;
    try {
      r = this.dispatch(ctx, p, f);
    } catch (e) {
      r = this.internal(f, e);
    }
    this.served++;
    if (r instanceof Promise) {
      conn.busy = ac ?? new AbortController();
      const ph = RECEIVES.has(f.op) ? this.placeholders.get(f.ints[1] ?? -1) : undefined;
      if (ph !== undefined) {
        this.receiving.set(ph, (this.receiving.get(ph) ?? 0) + 1);
        const done = () => {
          const n = (this.receiving.get(ph) ?? 1) - 1;
          if (n === 0) this.receiving.delete(ph);
          else this.receiving.set(ph, n);
          // Whatever the call left in the queue makes the placeholder readable now.
          this.dirty.add(ph);
        };
        r = r.finally(done);
      }
      r.then(
        (rep) => this.reply(conn, f, rep),
        (e) => this.reply(conn, f, this.internal(f, e)),
      );
    } else {
      this.reply(conn, f, r);
    }
  }

  private dispatch(ctx: Ctx, p: HostProcess, f: Frame): Reply | Promise<Reply> {
    const task = ctx.task;
    const text = () => new TextDecoder().decode(f.bufs[0] ?? EMPTY);
    switch (f.op) {
      case OP.PROC_READ:
        return proc_read(task, p.pid, text());
      case OP.IF_NAMETOINDEX:
        return if_nametoindex(task, text());
      case OP.IF_INDEXTONAME:
        return if_indextoname(task, f.ints[0]!);
      case OP.IF_NAMEINDEX:
        return if_nameindex(task);
      case OP.GETIFADDRS:
        return getifaddrs(task);
    }
    const h = handlers[f.op];
    if (h === undefined) return { ret: -EPROTO };
    return h(ctx, f.ints, f.bufs);
  }

  /** A JavaScript error inside the kernel is a ksock bug: the call fails with EIO and the bug is logged. */
  private internal(f: Frame, e: unknown): Reply {
    if (e instanceof KernelError) return { ret: -e.errno };
    this.log(`ksock: internal error serving ${OP_NAME[f.op] ?? f.op}: ${(e as Error)?.stack ?? e}`);
    return { ret: -EIO };
  }

  private reply(conn: Conn, f: Frame, rep: Reply): void {
    conn.busy = null;
    // The call's own socket is looked at again even if nothing woke its wait queue: a receive that
    // emptied the queue wakes nobody (Linux's poll would simply find it empty next time).
    if (rep.ph != null) this.dirty.add(rep.ph);
    this.flush();
    const ret = conn.sock.destroyed && rep.ret === -EINTR ? -EINTR : rep.ret;
    const drain = rep.ph?.take_drain() ?? 0;
    const ints = rep.ints === undefined ? [ret, drain] : [ret, drain, ...rep.ints];
    if (!conn.sock.destroyed) conn.sock.write(encode(f.op | REPLY, ints, rep.bufs ?? []));
    this.trace_flush(conn.proc);
  }

  private trace_flush(p: HostProcess | null): void {
    const out = this.opts.trace;
    if (out === undefined) return;
    const t = this.kernel.tracer;
    if (t.events.length === 0) return;
    const tag = p === null ? '<idle>-0' : `${p.task.comm}-${p.pid}`;
    const text = t.format(t.events);
    t.clear();
    out(
      `${text
        .split('\n')
        .map((l) => ` ${tag.padStart(16)} | ${l}`)
        .join('\n')}\n`,
    );
  }
}
