/**
 * One ksock measurement in its own Node process (so one operation's JIT state cannot help or hurt
 * another). argv[2] is a JSON object: { spec: KsockSpec, minSeconds, repeats }. Prints one JSON line.
 *
 * The tracer comparison's "compiled out" mode runs with `--import packages/core/bench/untrace.mjs`, which
 * loads the packages without live trace points and sets core's `__KSOCK_TRACE_COMPILED_OUT__`.
 */
import type { Kernel, Task } from '@ksock/core';
import { type Chunk, measure } from './measure.js';
import {
  AF_INET,
  AF_NETLINK,
  type KsockSpec,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  SOCK_DGRAM,
  SOCK_RAW,
} from './ops.js';

interface Args {
  spec: KsockSpec;
  minSeconds: number;
  repeats: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const { spec, minSeconds, repeats } = args;

const core = await import('@ksock/core');
const kcore = await import('@ksock/core/kernel');
// The compiled-out mode must really run without trace points: core's bench/untrace.mjs makes their bindings
// constants, so enabling a tracer cannot swap them for recording wrappers.
if (spec.kind === 'tracer' && spec.mode === 'out') {
  const bare = kcore.sock_alloc;
  const k = new core.Kernel();
  k.tracer.enabled = true;
  const swapped = kcore.sock_alloc !== bare;
  k.tracer.enabled = false;
  const built = (globalThis as { __KSOCK_TRACE_COMPILED_OUT__?: boolean }).__KSOCK_TRACE_COMPILED_OUT__;
  if (built !== true || swapped || String(bare).includes('ftrace'))
    throw new Error(
      'tracer "out" mode: trace points are live (run with --import packages/core/bench/untrace.mjs)',
    );
}
const { loadFamilies } = await import('./families.js');
const families = await loadFamilies();
// Failing calls that are routine here (the ECONNREFUSED ending every multicast send) go through
// `task.raw`, which returns -errno as C's syscalls return -1, rather than throwing a KernelError.
const { KernelError, SOL_SOCKET, SO_RCVBUF, MSG_DONTWAIT, RLIMIT_NOFILE, F_DUPFD, F_GETFD, ECONNREFUSED } =
  core;

const USER_TYPE = 0x10; // NLMSG_MIN_TYPE
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 0x2;
const NLMSG_DONE = 0x3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RCVBUF = 212992;
const RECV_LEN = 32768;
/** One receive buffer reused by every call, as the C side's `rbuf`: the bytes are copied into it. */
const rbuf = new Uint8Array(RECV_LEN);

function out(v: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

function boot(opts: { nr_open?: number } = {}): { kernel: Kernel; task: Task } {
  const kernel = new core.Kernel({ modules: families.modules, ...opts });
  const task = kernel.spawn({ stdio: true, comm: 'bench' });
  return { kernel, task };
}

/** struct sockaddr_nl (12 bytes, little endian). */
function sockaddr_nl(pid: number, groups = 0): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_NETLINK, true);
  dv.setUint32(4, pid >>> 0, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
}

/** A 16-byte nlmsghdr and `payload` bytes. */
function message(payload: number, portid: number, type = USER_TYPE, flags = NLM_F_REQUEST): Uint8Array {
  const m = new Uint8Array(16 + payload);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, m.length, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, portid >>> 0, true);
  for (let i = 0; i < payload; i++) m[16 + i] = i & 0xff;
  return m;
}

function nlSocket(t: Task, protocol: number, groups = 0): { fd: number; portid: number } {
  const fd = t.socket(AF_NETLINK, SOCK_RAW, protocol);
  t.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, RCVBUF);
  t.bind(fd, sockaddr_nl(0, groups));
  const a = t.getsockname(fd);
  return { fd, portid: new DataView(a.buffer, a.byteOffset, a.byteLength).getUint32(4, true) };
}

function fail(what: string, got: unknown): never {
  throw new Error(`${what}: got ${String(got)}`);
}

function run(): Record<string, unknown> {
  switch (spec.kind) {
    case 'fcntl': {
      const { task } = boot();
      const fd = task.open_devnull();
      const chunk: Chunk = () => {
        for (let i = 0; i < 256; i++) if (task.fcntl(fd, F_GETFD) !== 0) fail('fcntl', 'FD_CLOEXEC set');
        return 256;
      };
      return { ...measure(chunk, minSeconds, repeats) };
    }
    case 'socket_close':
    case 'tracer': {
      const { kernel, task } = boot();
      const { family, type, protocol } = spec;
      task.close(task.socket(family, type, protocol)); // loads the modules; an errno here means n/a
      let chunk: Chunk = () => {
        for (let i = 0; i < 256; i++) task.close(task.socket(family, type, protocol));
        return 256;
      };
      if (spec.kind === 'tracer' && spec.mode === 'on') {
        kernel.tracer.enabled = true;
        kernel.tracer.subscribe(() => {});
        const inner = chunk;
        // Keep the event list bounded: the cost measured is recording, not memory growth.
        chunk = () => {
          const n = inner();
          kernel.tracer.clear();
          return n;
        };
      }
      const r = measure(chunk, minSeconds, repeats);
      const events =
        spec.kind === 'tracer' && spec.mode === 'on' ? traceLength(kernel, task, spec) : undefined;
      return { ...r, ...(events === undefined ? {} : { events_per_op: events }) };
    }
    case 'unicast': {
      const { task } = boot();
      const rx = nlSocket(task, NETLINK_USERSOCK);
      const tx = nlSocket(task, NETLINK_USERSOCK);
      const msg = message(spec.payload, tx.portid);
      const dst = sockaddr_nl(rx.portid);
      const len = msg.length;
      const { batch } = spec;
      if (batch === 1) {
        const chunk: Chunk = () => {
          for (let i = 0; i < 64; i++) {
            task.sendto(tx.fd, msg, 0, dst);
            const r = task.recvfrom(rx.fd, rbuf, 0);
            if (r.len !== len) fail('recvfrom', r.len);
          }
          return 64;
        };
        return { ...measure(chunk, minSeconds, repeats), msg_len: len, method: 'sendto+recvfrom' };
      }
      // As the C side: the same batch as loops of sendto()/recvfrom() first (kept for comparison), then
      // one sendmmsg() and one recvmmsg() per batch, the figure reported.
      const loop: Chunk = () => {
        for (let i = 0; i < batch; i++) task.sendto(tx.fd, msg, 0, dst);
        for (let i = 0; i < batch; i++) {
          const r = task.recvfrom(rx.fd, rbuf, 0);
          if (r.len !== len) fail('recvfrom', r.len);
        }
        return batch;
      };
      const msgs = Array.from({ length: batch }, () => ({ iov: [msg], name: dst }));
      // One RECV_LEN buffer per entry, reused by every batch, as the C side's rbuf.
      const rbufs = Array.from({ length: batch }, () => new Uint8Array(RECV_LEN));
      const mmsg: Chunk = () => {
        const sent = task.sendmmsg(tx.fd, msgs, 0);
        if (sent.length !== batch) fail('sendmmsg', sent.length);
        const got = task.recvmmsg(rx.fd, batch, rbufs, MSG_DONTWAIT);
        if (got.length !== batch) fail('recvmmsg', got.length);
        for (const r of got) if (r.len !== len) fail('recvmmsg msg_len', r.len);
        return batch;
      };
      const l = measure(loop, minSeconds, repeats);
      return {
        ...measure(mmsg, minSeconds, repeats),
        msg_len: len,
        method: 'sendmmsg+recvmmsg',
        loop_ops_per_sec: l.ops_per_sec,
      };
    }
    case 'multicast': {
      const { task } = boot();
      const members: number[] = [];
      for (let i = 0; i < spec.members; i++) members.push(nlSocket(task, NETLINK_USERSOCK, 1).fd);
      const tx = nlSocket(task, NETLINK_USERSOCK);
      const msg = message(spec.payload, tx.portid);
      const dst = sockaddr_nl(0, 1);
      const len = msg.length;
      let refused = 0;
      // The raw form returns -ECONNREFUSED as C's sendto() returns -1 with errno set: throwing and catching
      // it would cost V8 more than the deliveries measured.
      const { raw } = task;
      const chunk: Chunk = () => {
        for (let k = 0; k < 4; k++) {
          // As on Linux: the group gets its copies, then the unicast to portid 0 finds nobody.
          const sent = raw.sendto(tx.fd, msg, 0, dst);
          if (sent === -ECONNREFUSED) refused++;
          else if (sent !== len) fail('sendto', sent);
          for (let i = 0; i < members.length; i++) {
            const r = task.recvfrom(members[i]!, rbuf, MSG_DONTWAIT);
            if (r.len !== len) fail('recvfrom', r.len);
          }
        }
        return 4 * members.length;
      };
      const r = measure(chunk, minSeconds, repeats);
      return { ...r, econnrefused: refused > 0 };
    }
    case 'dump': {
      const { task } = boot();
      const { fd } = nlSocket(task, NETLINK_ROUTE);
      const req = message(16, 0, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP); // ifinfomsg: 16 zero bytes
      req.fill(0, 16);
      const reqView = new DataView(req.buffer);
      const kernelAddr = sockaddr_nl(0);
      let seq = 0;
      let links = 0;
      let recvs = 0;
      let bytes = 0;
      const oneDump = () => {
        reqView.setUint32(8, ++seq, true);
        task.sendto(fd, req, 0, kernelAddr);
        let n = 0;
        let parts = 0;
        let got = 0;
        for (;;) {
          const r = task.recvfrom(fd, rbuf, 0);
          parts++;
          got += r.len;
          // Read the headers byte by byte: a DataView on a small received array would make V8 move its
          // bytes off the heap first, a cost of the bench rather than of the dump.
          const d = r.data;
          for (let off = 0; off + 16 <= d.length; ) {
            const l = (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
            const type = d[off + 4]! | (d[off + 5]! << 8);
            if (l < 16 || off + l > d.length) fail('nlmsg_len', l);
            if (type === NLMSG_DONE) {
              links = n;
              recvs = parts;
              bytes = got;
              return;
            }
            if (type === NLMSG_ERROR) fail('NLMSG_ERROR', d[off + 16]! | (d[off + 17]! << 8));
            if (type === RTM_NEWLINK) n++;
            off += (l + 3) & ~3;
          }
        }
      };
      const chunk: Chunk = () => {
        for (let i = 0; i < 16; i++) oneDump();
        return 16;
      };
      return { ...measure(chunk, minSeconds, repeats), links, recvs, bytes };
    }
    case 'many':
      return many(spec.count, spec.block);
  }
}

/** How many trace events one socket()+close() records (what "on" pays for). */
function traceLength(
  kernel: Kernel,
  task: Task,
  s: { family: number; type: number; protocol: number },
): number {
  const t = kernel.trace(() => task.close(task.socket(s.family, s.type, s.protocol)));
  return t.events.length;
}

/**
 * `count` UDP sockets open at once in one task, timed per block; heap bytes per open socket with the
 * garbage collector run before and after (the process has --expose-gc).
 */
function many(count: number, block: number): Record<string, unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('many: run with --expose-gc');
  // fs.nr_open through the kernel options, RLIMIT_NOFILE through setrlimit, as root would raise them.
  const nr_open = Math.max(1 << 20, Math.ceil((count + 1024) / 1024) * 1024);
  const { kernel, task } = boot({ nr_open });
  task.setrlimit(RLIMIT_NOFILE, count + 64, count + 64);
  // Warm the JIT on the same path, then grow the fd table to its final size (as the C side does with
  // F_DUPFD), so the first block pays neither for compilation nor for table growth alone.
  for (let i = 0; i < 20_000; i++) task.close(task.socket(AF_INET, SOCK_DGRAM, 0));
  task.close(task.fcntl(0, F_DUPFD, count + 8));
  const fds = new Int32Array(count);
  gc();
  gc();
  const m0 = process.memoryUsage();
  const blocks: number[] = [];
  let n = 0;
  const t0 = performance.now();
  while (n < count) {
    const b0 = performance.now();
    const end = Math.min(count, n + block);
    for (; n < end; n++) fds[n] = task.socket(AF_INET, SOCK_DGRAM, 0);
    blocks.push((performance.now() - b0) / 1000);
  }
  const total = (performance.now() - t0) / 1000;
  gc();
  gc();
  const m1 = process.memoryUsage();
  const open = task.files.count;
  const c0 = performance.now();
  for (let i = 0; i < count; i++) task.close(fds[i]!);
  const closeSeconds = (performance.now() - c0) / 1000;
  const udp = kernel.slabs.find((s) => s.name === 'UDP');
  return {
    ops_per_sec: Math.round((count / total) * 10) / 10,
    count,
    open_fds_at_peak: open,
    block_size: block,
    block_seconds: blocks.map((s) => Math.round(s * 1e6) / 1e6),
    heap_bytes_per_socket: Math.round(((m1.heapUsed - m0.heapUsed) / count) * 10) / 10,
    external_bytes_per_socket: Math.round(((m1.external - m0.external) / count) * 10) / 10,
    close_ops_per_sec: Math.round(count / closeSeconds),
    udp_slab_after_close: udp?.active_objs ?? null,
  };
}

try {
  out({ kind: spec.kind, ...run() });
} catch (e) {
  if (e instanceof KernelError) {
    // The kernel refused (a module that cannot load, an unsupported protocol): report it, do not fake it.
    out({ kind: spec.kind, unsupported: true, error: e.message, errno: e.errno });
  } else {
    out({ kind: spec.kind, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}
