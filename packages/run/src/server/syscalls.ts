// syscalls.ts — what each bridged call does on the ksock kernel (PROTOCOL.md "Ops"): the program's
// arguments in, the task's system call, the raw ABI's answer out.

import {
  EBADF,
  EINVAL,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  MSG_DONTWAIT,
  O_CLOEXEC,
  O_NONBLOCK,
  type RecvResult,
  SIOCGIFCONF,
  type Task,
} from '@ksock/core';
import type { File } from '@ksock/core/kernel';
import { errno_of, file_at, sys } from './kernel_glue.js';
import { OP } from './ops.js';
import type { Placeholder } from './placeholder.js';

/** A reply: the result, the placeholder whose drain it reports, and the op's own integers and buffers. */
export interface Reply {
  ret: number;
  ph?: Placeholder | null;
  ints?: number[];
  bufs?: Uint8Array[];
}

/** What a handler can ask of the server. */
export interface Ctx {
  readonly task: Task;
  /** Aborted when the program's wait is interrupted by a signal (CANCEL). */
  readonly signal: AbortSignal;
  /** The placeholder of (H, I), its file put at H in the task's table; null when it is not a ksock socket. */
  fd(h: number, ino: number): Placeholder | null;
  /** A fresh placeholder by inode, waiting for its PH_HELLO if the request overtook it. */
  fresh(ino: number): Placeholder | null | Promise<Placeholder | null>;
  /** Bind the ksock file at task fd `k` to `ph` and move it to host fd `h`; returns h or -errno. */
  attach(ph: Placeholder, k: number, h: number, cloexec: boolean): number;
  /** Close fd `h` of the task if it holds `file`; wait until the program's last reference is gone. */
  close(h: number, file: File): Promise<void> | undefined;
  /** Put `file` at `h` of the task (DUP). */
  install(h: number, file: File, cloexec: boolean): number;
}

export type Handler = (ctx: Ctx, ints: number[], bufs: Uint8Array[]) => Reply | Promise<Reply>;

const EMPTY = new Uint8Array(0);

function nonblocking(file: File | null, flags: number): boolean {
  return (flags & MSG_DONTWAIT) !== 0 || file === null || (file.f_flags & O_NONBLOCK) !== 0;
}

/** A call that may sleep: the raw form when it cannot, the awaitable form (interruptible) when it can. */
function maybe_sleeping<T>(
  ph: Placeholder,
  flags: number,
  now: () => T | number,
  later: () => Promise<T>,
  reply: (r: T | number) => Reply,
): Reply | Promise<Reply> {
  if (nonblocking(ph.file, flags)) return reply(now());
  return later().then(reply, (e) => reply(errno_of(e)));
}

function recv_reply(ph: Placeholder, r: RecvResult | number): Reply {
  if (typeof r === 'number') return { ret: r, ph };
  const name = r.addr ?? EMPTY;
  return {
    ret: r.len,
    ph,
    ints: [r.flags, name.length, r.control.length],
    bufs: [r.data, name, r.control],
  };
}

function addr_reply(ph: Placeholder, r: Uint8Array | number): Reply {
  if (typeof r === 'number') return { ret: r, ph };
  return { ret: 0, ph, ints: [r.length], bufs: [r] };
}

const badf: Reply = { ret: -EBADF };

export const handlers: Record<number, Handler> = {
  [OP.SOCKET]: (ctx, [family, type, protocol, h, ino]) => {
    const bind = (ph: Placeholder | null): Reply => {
      if (ph === null) return { ret: -EBADF };
      const k = sys(() => ctx.task.socket(family!, type!, protocol!));
      if (k < 0) return { ret: k };
      return { ret: ctx.attach(ph, k, h!, (type! & O_CLOEXEC) !== 0), ph };
    };
    const ph = ctx.fresh(ino!);
    return ph instanceof Promise ? ph.then(bind) : bind(ph);
  },

  [OP.SOCKETPAIR]: async (ctx, [family, type, protocol, h0, i0, h1, i1]) => {
    const p0 = await ctx.fresh(i0!);
    const p1 = await ctx.fresh(i1!);
    if (p0 === null || p1 === null) return badf;
    const r = sys(() => ctx.task.socketpair(family!, type!, protocol!));
    if (typeof r === 'number') return { ret: r };
    const cloexec = (type! & O_CLOEXEC) !== 0;
    const a = ctx.attach(p0, r[0], h0!, cloexec);
    const b = ctx.attach(p1, r[1], h1!, cloexec);
    return { ret: Math.min(a, b, 0) };
  },

  [OP.BIND]: (ctx, [h, ino], [addr]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return { ret: sys(() => ctx.task.bind(h!, addr!)) ?? 0, ph };
  },

  [OP.CONNECT]: (ctx, [h, ino], [addr]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return maybe_sleeping(
      ph,
      0,
      () => ctx.task.raw.connect(h!, addr!),
      () => ctx.task.connectAsync(h!, addr!, { signal: ctx.signal }).then(() => 0),
      (r) => ({ ret: r, ph }),
    );
  },

  [OP.LISTEN]: (ctx, [h, ino, backlog]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return { ret: sys(() => ctx.task.listen(h!, backlog!)) ?? 0, ph };
  },

  [OP.ACCEPT]: async (ctx, [h, ino, flags, addrlen, h2, i2]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const ph2 = await ctx.fresh(i2!);
    if (ph2 === null) return { ret: -EBADF, ph };
    const k = nonblocking(ph.file, 0)
      ? ctx.task.raw.accept4(h!, flags!)
      : await ctx.task.accept4Async(h!, flags!, { signal: ctx.signal }).catch(errno_of);
    if (k < 0) return { ret: k, ph };
    const ret = ctx.attach(ph2, k, h2!, (flags! & O_CLOEXEC) !== 0);
    if (ret < 0 || addrlen! < 0) return { ret, ph, ints: [0], bufs: [EMPTY] };
    // accept() reports the peer's address from the new socket's ops->getname(peer), as __sys_accept4 does.
    const name = sys(() => ctx.task.getpeername(ret));
    const addr = typeof name === 'number' ? EMPTY : name;
    return { ret, ph, ints: [addr.length], bufs: [addr] };
  },

  [OP.GETSOCKNAME]: (ctx, [h, ino]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return addr_reply(
      ph,
      sys(() => ctx.task.getsockname(h!)),
    );
  },

  [OP.GETPEERNAME]: (ctx, [h, ino]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return addr_reply(
      ph,
      sys(() => ctx.task.getpeername(h!)),
    );
  },

  [OP.SETSOCKOPT]: (ctx, [h, ino, level, optname, optlen], [optval]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const v = optval!.subarray(0, optlen!);
    return { ret: sys(() => ctx.task.setsockopt(h!, level!, optname!, v)) ?? 0, ph };
  },

  [OP.GETSOCKOPT]: (ctx, [h, ino, level, optname, optlen]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const r = ctx.task.raw.getsockopt(h!, level!, optname!, optlen!);
    if (typeof r === 'number') return { ret: r, ph };
    return { ret: 0, ph, ints: [r.optlen], bufs: [r.optval] };
  },

  [OP.SHUTDOWN]: (ctx, [h, ino, how]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return { ret: sys(() => ctx.task.shutdown(h!, how!)) ?? 0, ph };
  },

  [OP.SENDMSG]: (ctx, [h, ino, flags], [data, name, control]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const msg = {
      iov: [data!],
      name: name!.length > 0 ? name! : null,
      control: control!.length > 0 ? control! : null,
    };
    return maybe_sleeping(
      ph,
      flags!,
      () => ctx.task.raw.sendmsg(h!, msg, flags!),
      () => ctx.task.sendmsgAsync(h!, msg, flags!, { signal: ctx.signal }),
      (r) => ({ ret: r, ph }),
    );
  },

  [OP.RECVMSG]: (ctx, [h, ino, flags, len, _namelen, controllen]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return maybe_sleeping(
      ph,
      flags!,
      () => ctx.task.raw.recvmsg(h!, len!, flags!, controllen!),
      () => ctx.task.recvmsgAsync(h!, len!, flags!, controllen!, { signal: ctx.signal }),
      (r) => recv_reply(ph, r),
    );
  },

  [OP.WRITE]: (ctx, [h, ino], [data]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return maybe_sleeping(
      ph,
      0,
      () => ctx.task.raw.write(h!, data!),
      () => ctx.task.writeAsync(h!, data!, { signal: ctx.signal }),
      (r) => ({ ret: r, ph }),
    );
  },

  [OP.READ]: (ctx, [h, ino, len]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    return maybe_sleeping(
      ph,
      0,
      () => ctx.task.raw.read(h!, len!),
      () => ctx.task.readAsync(h!, len!, { signal: ctx.signal }),
      (r) => (typeof r === 'number' ? { ret: r, ph } : { ret: r.length, ph, bufs: [r] }),
    );
  },

  [OP.SENDMMSG]: (ctx, [h, ino, flags, vlen], bufs) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const msgs = [];
    for (let i = 0; i < vlen!; i++) {
      const [data, name, control] = [bufs[3 * i]!, bufs[3 * i + 1]!, bufs[3 * i + 2]!];
      msgs.push({
        iov: [data],
        name: name.length > 0 ? name : null,
        control: control.length > 0 ? control : null,
      });
    }
    const r = ctx.task.raw.sendmmsg(h!, msgs, flags!);
    if (typeof r === 'number') return { ret: r, ph };
    return { ret: r.length, ph, ints: r };
  },

  [OP.RECVMMSG]: (ctx, ints) => {
    const [h, ino, flags, vlen, has_timeout, sec, nsec] = ints;
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    const lens: number[] = [];
    let controllen = 0;
    for (let i = 0; i < vlen!; i++) {
      lens.push(ints[7 + 3 * i]!);
      controllen = Math.max(controllen, ints[9 + 3 * i]!);
    }
    const bufs = lens.map((l) => new Uint8Array(l));
    const timeout = has_timeout ? { tv_sec: sec!, tv_nsec: nsec! } : null;
    const r = ctx.task.raw.recvmmsg(h!, vlen!, bufs, flags!, timeout, controllen);
    if (typeof r === 'number') return { ret: r, ph };
    const out: number[] = [];
    const data: Uint8Array[] = [];
    for (const m of r) {
      const name = m.addr ?? EMPTY;
      out.push(m.len, m.flags, name.length, m.control.length);
      data.push(m.data, name, m.control);
    }
    return { ret: r.length, ph, ints: out, bufs: data };
  },

  [OP.CLOSE]: (ctx, [h, ino]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null || ph.file === null) return badf;
    const wait = ctx.close(h!, ph.file);
    return wait === undefined ? { ret: 0 } : wait.then(() => ({ ret: 0 }));
  },

  [OP.DUP]: (ctx, [h, ino, newh, cloexec]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null || ph.file === null) return badf;
    return { ret: ctx.install(newh!, ph.file, cloexec !== 0), ph };
  },

  [OP.FCNTL]: (ctx, [h, ino, cmd, arg]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    switch (cmd) {
      case F_GETFL:
      case F_SETFL:
      case F_GETFD:
      case F_SETFD:
        return { ret: sys(() => ctx.task.fcntl(h!, cmd!, arg!)), ph };
      default:
        return { ret: -EINVAL, ph };
    }
  },

  [OP.IOCTL]: (ctx, [h, ino, cmd, is_ptr, arg_int], [arg]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null) return badf;
    if (cmd === SIOCGIFCONF) {
      // struct ifconf: ifc_len in and out, the ifreq array written into ifc_buf (or only measured).
      const ifc = { ifc_len: arg_int!, ifc_buf: is_ptr ? new Uint8Array(Math.max(0, arg_int!)) : null };
      const r = ctx.task.raw.ioctl(h!, cmd, ifc);
      const out = ifc.ifc_buf?.subarray(0, Math.max(0, Math.min(ifc.ifc_len, ifc.ifc_buf.length))) ?? EMPTY;
      return { ret: r, ph, ints: [ifc.ifc_len], bufs: [out] };
    }
    // A pointer argument's structure is filled in place, as copy_to_user() would.
    const a = is_ptr ? new Uint8Array(arg!) : arg_int!;
    const r = ctx.task.raw.ioctl(h!, cmd!, a);
    return { ret: r, ph, ints: [0], bufs: [typeof a === 'number' ? EMPTY : a] };
  },

  [OP.INODE]: (ctx, [h, ino]) => {
    const ph = ctx.fd(h!, ino!);
    if (ph === null || ph.file === null) return badf;
    return { ret: ph.file.f_inode?.i_ino ?? 0, ph };
  },
};

/** fd flags for the task's table, from a host descriptor's FD_CLOEXEC. */
export function cloexec_of(fd_flags: number): boolean {
  return (fd_flags & FD_CLOEXEC) !== 0;
}

/** The file at `h` of `task`, if any (for DUP over a ksock descriptor). */
export { file_at };
