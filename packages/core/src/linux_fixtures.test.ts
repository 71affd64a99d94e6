/**
 * Differential tests: ksock against answers recorded from a real Linux kernel.
 *
 * fixtures/linux-probe.c asked the host kernel (Linux 6.18, x86-64) about the generic, family-independent
 * socket layer — socket() argument checks, fd allocation, close/dup/dup2/dup3/fcntl, EMFILE, EBADF and
 * ENOTSOCK ordering, SOL_SOCKET options, /proc/self/fd and fdinfo — and fixtures/record.sh stored the
 * answers in fixtures/linux-6.18.json. These tests drive the same calls through a ksock Kernel and
 * require the same answers. Neither gcc nor the host kernel is needed here: only the JSON.
 *
 * Mapping between the probe and ksock:
 * - the probe's AF_UNIX SOCK_DGRAM sockets are the core test family's datagram sockets, registered as AF_UNIX:
 *   both leave SOL_SOCKET to the generic sk_setsockopt()/sk_getsockopt();
 * - the probe's "not a socket" fd 0 is /dev/null, as a ksock task's fds 0-2 are;
 * - the probe ran with RLIMIT_NOFILE = host.rlimit_nofile; the ksock task gets the same limit;
 * - ksock's net.core.{r,w}mem_{max,default} default to the kernel source defaults (212992); this host
 *   raised rmem_max/wmem_max, so each test first writes the host's recorded values into ksock's sysctls.
 *
 * Every recorded case is either compared here or listed in NOT_COMPARED with the reason; the last test
 * checks that nothing in the fixture is silently ignored.
 */
import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { KernelError } from './errors.js';
import { Kernel } from './kernel.js';
import type { Task } from './task.js';
import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FASYNC,
  FD_CLOEXEC,
  O_APPEND,
  O_CLOEXEC,
  O_DIRECT,
  O_NOATIME,
  O_NONBLOCK,
  O_WRONLY,
  RLIMIT_NOFILE,
} from './uapi/fcntl.js';
import {
  AF_UNIX,
  MSG_DONTWAIT,
  SHUT_RDWR,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_COOKIE,
  SO_DEBUG,
  SO_DOMAIN,
  SO_DONTROUTE,
  SO_ERROR,
  SO_INCOMING_CPU,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_MARK,
  SO_NO_CHECK,
  SO_OOBINLINE,
  SO_PASSCRED,
  SO_PEEK_OFF,
  SO_PRIORITY,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_RCVLOWAT,
  SO_RCVTIMEO,
  SO_RCVTIMEO_NEW,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_RXQ_OVFL,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SO_SNDLOWAT,
  SO_SNDTIMEO,
  SO_SNDTIMEO_NEW,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from './uapi/socket.js';

// ---- the fixture -----------------------------------------------------------------------------------

interface LinuxCase {
  ret: number;
  errno: string | null;
  [extra: string]: unknown;
}

interface LinuxFixture {
  uname: { sysname: string; release: string; machine: string };
  host: {
    euid: number;
    rlimit_nofile: [number, number];
    rmem_max: number;
    wmem_max: number;
    rmem_default: number;
    wmem_default: number;
    somaxconn: number;
    nr_open: number;
    badfd: number;
    absent_family: number;
    unknown_opt: number;
    unknown_level: number;
  };
  cases: Record<string, LinuxCase>;
}

// A non-literal specifier: core's tsconfig has no JSON modules, and vitest loads the JSON at run time.
const FIXTURE = '../fixtures/linux-6.18.json';
const linux = ((await import(/* @vite-ignore */ FIXTURE)) as { default: LinuxFixture }).default;
const host = linux.host;

/**
 * Recorded cases that are deliberately not compared, with the reason. Two kinds:
 * - HZ: Linux keeps socket timeouts in jiffies and this host runs CONFIG_HZ=250; ksock keeps
 *   milliseconds (it behaves as HZ=1000), so values that are not whole multiples of 4 ms round differently.
 * - DIFF: ksock answers differently from Linux (the reason names the call and both answers). These are
 *   bugs or gaps in core, kept out of the comparison so the suite stays green until core is fixed; once
 *   fixed, delete the entry and the comparison takes over (add the call below if it is not there yet).
 * - family: the answer depends on the family (AF_UNIX there, the test family here), not on core.
 */
const NOT_COMPARED: Record<string, string> = {
  'opt.rcvtimeo_0_1': 'HZ: 1 usec rounds up to one jiffy (4000 usec at HZ=250; ksock 1000)',
  'opt.sndtimeo_3_250000': 'HZ: 250000 usec is 62.5 jiffies at HZ=250, rounded up to 252000',
  'opt.linger_on_minus1':
    'HZ: SO_LINGER {1, -1} reads back (int)(LONG_MAX / HZ): -1752346657 at HZ=250; ksock keeps milliseconds (HZ=1000 arithmetic)',
  'sweep.get_39': 'family: SO_DOMAIN is the family itself (compared in opt.family)',
  'sweep.get_42':
    'family: SO_PEEK_OFF is answered only when the family has set_peek_off (AF_UNIX does, the test family does not)',
};

const compared = new Set<string>();

/** Compare ksock's outcome (plus any extra fields) with the recorded Linux case of the same name. */
function same(name: string, got: LinuxCase, pick?: (want: LinuxCase) => LinuxCase): void {
  const rec = linux.cases[name];
  if (rec === undefined) throw new Error(`linux-6.18.json has no case ${name}`);
  if (name in NOT_COMPARED) throw new Error(`${name} is listed in NOT_COMPARED`);
  compared.add(name);
  const want = pick ? pick(rec) : rec;
  expect({ case: name, ...got }).toEqual({ case: name, ...want });
}

/** Run a syscall the way the probe did: the return value, or -1 and the errno name. */
function sys(fn: () => unknown): LinuxCase {
  try {
    const r = fn();
    if (typeof r === 'number') return { ret: r, errno: null };
    if (r instanceof Uint8Array) return { ret: r.length, errno: null };
    return { ret: 0, errno: null };
  } catch (e) {
    if (e instanceof KernelError) return { ret: -1, errno: e.code };
    throw e;
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// ---- a ksock machine set up like the probed host ---------------------------------------------------

const F = AF_UNIX;
const BADFD = host.badfd;
const RLIM = host.rlimit_nofile[0];

function boot(): { kernel: Kernel; task: Task } {
  const fam = testFamily(F);
  const kernel = new Kernel({ modules: fam.module, rlimit_nofile: RLIM });
  // ksock's defaults are the kernel source's (212992); use what this host had configured.
  const root = kernel.init;
  root.sysctl('net.core.rmem_max', String(host.rmem_max));
  root.sysctl('net.core.wmem_max', String(host.wmem_max));
  root.sysctl('net.core.rmem_default', String(host.rmem_default));
  root.sysctl('net.core.wmem_default', String(host.wmem_default));
  const task = kernel.spawn({ uid: host.euid });
  task.setrlimit(RLIMIT_NOFILE, host.rlimit_nofile[0], host.rlimit_nofile[1]);
  return { kernel, task };
}

function dgram(t: Task, flags = 0): number {
  return t.socket(F, SOCK_DGRAM | flags, 0);
}

function int_val(t: Task, fd: number, opt: number): number {
  const get = opt === SO_RCVBUFFORCE ? SO_RCVBUF : opt === SO_SNDBUFFORCE ? SO_SNDBUF : opt;
  try {
    return t.getsockoptInt(fd, SOL_SOCKET, get);
  } catch {
    return -12345; // what the probe records when the read-back fails
  }
}

/** setsockopt of an int, then the option read back (as the probe's sso_int). */
function sso_int(t: Task, fd: number, opt: number, val: number): LinuxCase {
  return { ...sys(() => t.setsockopt(fd, SOL_SOCKET, opt, val)), value: int_val(t, fd, opt) };
}

/** setsockopt with `len` bytes holding `val` (shorter or longer than an int). */
function sso_len(t: Task, fd: number, level: number, opt: number, val: number, len: number): LinuxCase {
  const b = new Uint8Array(len);
  const full = new Uint8Array(16);
  new DataView(full.buffer).setInt32(0, val, true);
  b.set(full.subarray(0, len));
  return sys(() => t.setsockopt(fd, level, opt, b));
}

/** getsockopt with a given optlen: ret, errno, and on success the optlen written back and the bytes. */
function gso(t: Task, fd: number, level: number, opt: number, optlen: number): LinuxCase {
  let bytes: Uint8Array | null = null;
  const r = sys(() => {
    bytes = t.getsockopt(fd, level, opt, optlen);
    return 0;
  });
  if (r.ret < 0 || bytes === null) return r;
  const b: Uint8Array = bytes;
  return { ...r, optlen: b.length, bytes: hex(b) };
}

function timeval(sec: number, usec: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(sec), true);
  dv.setBigInt64(8, BigInt(usec), true);
  return b;
}

function sso_timeval(t: Task, fd: number, opt: number, sec: number, usec: number): LinuxCase {
  const r = sys(() => t.setsockopt(fd, SOL_SOCKET, opt, timeval(sec, usec)));
  const got = t.getsockopt(fd, SOL_SOCKET, opt, 16);
  const dv = new DataView(got.buffer, got.byteOffset, 16);
  return { ...r, sec: Number(dv.getBigInt64(0, true)), usec: Number(dv.getBigInt64(8, true)) };
}

function sso_linger(t: Task, fd: number, onoff: number, secs: number): LinuxCase {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, onoff, true);
  dv.setInt32(4, secs, true);
  const r = sys(() => t.setsockopt(fd, SOL_SOCKET, SO_LINGER, b));
  const got = t.getsockopt(fd, SOL_SOCKET, SO_LINGER, 8);
  const gv = new DataView(got.buffer, got.byteOffset, 8);
  return { ...r, onoff: gv.getInt32(0, true), linger: gv.getInt32(4, true) };
}

/** The fields the probe reads from /proc/self/fdinfo/N. */
function fdinfo(k: Kernel, t: Task, fd: number) {
  const text = k.proc.read(`/proc/self/fdinfo/${fd}`, t);
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return {
    flags: fields.get('flags') ?? '',
    pos: fields.get('pos') ?? '',
    ino: fields.get('ino') ?? '',
    keys: [...fields.keys()],
  };
}

/**
 * The generic part of a Linux fdinfo record: AF_UNIX adds its own "scm_fds" line (unix_show_fdinfo, the
 * family's show_fdinfo op); the test family has no such op, so that key is not part of the comparison.
 */
function generic_fdinfo(c: LinuxCase): LinuxCase {
  return { ...c, keys: (c.keys as string[]).filter((k) => k !== 'scm_fds') };
}

// ---- the tests -------------------------------------------------------------------------------------

describe(`the fixture (Linux ${linux.uname.release})`, () => {
  it('was recorded on Linux 6.18 x86-64 as root', () => {
    expect(linux.uname).toMatchObject({ sysname: 'Linux', machine: 'x86_64' });
    expect(linux.uname.release).toMatch(/^6\.18\./);
    expect(host.euid).toBe(0);
  });
});

describe('socket(): flag, family and type checks', () => {
  it('answers as Linux for bad flags, families and types, in the same order', () => {
    const { task: t } = boot();
    const A = host.absent_family;
    same(
      'socket.unknown_flag_bad_family',
      sys(() => t.socket(46, 0x100000 | SOCK_DGRAM, 0)),
    );
    same(
      'socket.unknown_flag',
      sys(() => t.socket(F, 0x100000 | SOCK_DGRAM, 0)),
    );
    same(
      'socket.family_minus1',
      sys(() => t.socket(-1, SOCK_DGRAM, 0)),
    );
    same(
      'socket.family_46',
      sys(() => t.socket(46, SOCK_DGRAM, 0)),
    );
    same(
      'socket.family_absent',
      sys(() => t.socket(A, SOCK_DGRAM, 0)),
    );
    same(
      'socket.type_minus1',
      sys(() => t.socket(F, -1, 0)),
    );
    same(
      'socket.type_11',
      sys(() => t.socket(F, 11, 0)),
    );
    same(
      'socket.type_15',
      sys(() => t.socket(F, 15, 0)),
    );
    same(
      'socket.family46_type11',
      sys(() => t.socket(46, 11, 0)),
    );
    same(
      'socket.family46_type11_cloexec',
      sys(() => t.socket(46, 11 | SOCK_CLOEXEC, 0)),
    );
    same(
      'socket.family_minus1_type_minus1',
      sys(() => t.socket(-1, -1, 0)),
    );
    same(
      'socket.family_absent_type11',
      sys(() => t.socket(A, 11, 0)),
    );
  });

  it('SOCK_CLOEXEC and SOCK_NONBLOCK become FD_CLOEXEC and O_NONBLOCK', () => {
    const { task: t } = boot();
    let fd = dgram(t, SOCK_CLOEXEC | SOCK_NONBLOCK);
    same('socket.cloexec_nonblock', {
      ret: fd,
      errno: null,
      getfd: t.fcntl(fd, F_GETFD),
      getfl: t.fcntl(fd, F_GETFL),
    });
    t.close(fd);
    fd = dgram(t);
    same('socket.plain', { ret: fd, errno: null, getfd: t.fcntl(fd, F_GETFD), getfl: t.fcntl(fd, F_GETFL) });
    t.close(fd);
  });
});

describe('fd table', () => {
  it('always hands out the lowest free fd', () => {
    const { task: t } = boot();
    const a = dgram(t);
    const b = dgram(t);
    const c = dgram(t);
    t.close(b);
    const d = dgram(t);
    t.close(a);
    t.close(c);
    const e = t.dup(0);
    const f = dgram(t);
    const g = dgram(t);
    t.close(e);
    const h = t.fcntl(0, F_DUPFD, 0);
    same('fdalloc.sequence', { ret: 0, errno: null, fds: [a, b, c, d, e, f, g, h] });
  });

  it('close', () => {
    const { task: t } = boot();
    same(
      'close.minus1',
      sys(() => t.close(-1)),
    );
    same(
      'close.never_opened',
      sys(() => t.close(BADFD)),
    );
    same(
      'close.huge',
      sys(() => t.close(0x7fffffff)),
    );
    const fd = dgram(t);
    same(
      'close.first',
      sys(() => t.close(fd)),
    );
    same(
      'close.twice',
      sys(() => t.close(fd)),
    );
  });

  it('dup and dup2', () => {
    const { task: t } = boot();
    same(
      'dup.minus1',
      sys(() => t.dup(-1)),
    );
    same(
      'dup.bad',
      sys(() => t.dup(BADFD)),
    );
    const d = sys(() => t.dup(0));
    same('dup.lowest', d);
    t.close(d.ret);

    same(
      'dup2.same_open',
      sys(() => t.dup2(0, 0)),
    );
    same(
      'dup2.same_closed',
      sys(() => t.dup2(BADFD, BADFD)),
    );
    same(
      'dup2.same_minus1',
      sys(() => t.dup2(-1, -1)),
    );
    same(
      'dup2.newfd_minus1',
      sys(() => t.dup2(0, -1)),
    );
    same(
      'dup2.newfd_int_max',
      sys(() => t.dup2(0, 0x7fffffff)),
    );
    same(
      'dup2.newfd_rlimit',
      sys(() => t.dup2(0, RLIM)),
    );
    const r = sys(() => t.dup2(0, RLIM - 1));
    same('dup2.newfd_rlimit_minus1', r);
    t.close(r.ret);
    same(
      'dup2.bad_oldfd',
      sys(() => t.dup2(BADFD, 10)),
    );
    same(
      'dup2.oldfd_minus1',
      sys(() => t.dup2(-1, 10)),
    );
    same(
      'dup2.bad_oldfd_newfd_int_max',
      sys(() => t.dup2(BADFD, 0x7fffffff)),
    );
    same(
      'dup2.bad_oldfd_newfd_rlimit',
      sys(() => t.dup2(BADFD, RLIM)),
    );

    t.dup3(0, 10, O_CLOEXEC);
    same('dup2.clears_cloexec', { ...sys(() => t.dup2(0, 10)), getfd: t.fcntl(10, F_GETFD) });
    t.close(10);

    const s1 = dgram(t);
    const s2 = dgram(t, SOCK_NONBLOCK);
    const rr = sys(() => t.dup2(s1, s2));
    same('dup2.replaces_open', { ...rr, same_fd: rr.ret === s2, getfl: t.fcntl(s2, F_GETFL) });
    t.close(s1);
    t.close(s2);
  });

  it('dup3', () => {
    const { task: t } = boot();
    same(
      'dup3.same',
      sys(() => t.dup3(0, 0, 0)),
    );
    same(
      'dup3.same_cloexec',
      sys(() => t.dup3(0, 0, O_CLOEXEC)),
    );
    same(
      'dup3.same_closed',
      sys(() => t.dup3(BADFD, BADFD, 0)),
    );
    same(
      'dup3.flag_nonblock',
      sys(() => t.dup3(0, 10, O_NONBLOCK)),
    );
    same(
      'dup3.flag_1',
      sys(() => t.dup3(0, 10, 1)),
    );
    same(
      'dup3.bad_flag_bad_oldfd',
      sys(() => t.dup3(BADFD, 10, 1)),
    );
    same('dup3.cloexec', { ...sys(() => t.dup3(0, 10, O_CLOEXEC)), getfd: t.fcntl(10, F_GETFD) });
    t.close(10);
    same('dup3.plain', { ...sys(() => t.dup3(0, 10, 0)), getfd: t.fcntl(10, F_GETFD) });
    t.close(10);
    same(
      'dup3.newfd_minus1',
      sys(() => t.dup3(0, -1, 0)),
    );
    same(
      'dup3.newfd_rlimit',
      sys(() => t.dup3(0, RLIM, 0)),
    );
    same(
      'dup3.bad_oldfd',
      sys(() => t.dup3(BADFD, 10, 0)),
    );
    same(
      'dup3.bad_oldfd_newfd_rlimit',
      sys(() => t.dup3(BADFD, RLIM, 0)),
    );
  });

  it('fcntl: F_GETFD / F_SETFD / F_GETFL / F_SETFL / F_DUPFD / unknown commands', () => {
    const { task: t } = boot();
    const s = dgram(t);
    same(
      'fcntl.getfd_plain',
      sys(() => t.fcntl(s, F_GETFD)),
    );
    same(
      'fcntl.setfd_1',
      sys(() => t.fcntl(s, F_SETFD, FD_CLOEXEC)),
    );
    same(
      'fcntl.getfd_after_setfd_1',
      sys(() => t.fcntl(s, F_GETFD)),
    );
    t.fcntl(s, F_SETFD, 0xff);
    same(
      'fcntl.getfd_after_setfd_0xff',
      sys(() => t.fcntl(s, F_GETFD)),
    );
    t.fcntl(s, F_SETFD, 2);
    same(
      'fcntl.getfd_after_setfd_2',
      sys(() => t.fcntl(s, F_GETFD)),
    );
    t.fcntl(s, F_SETFD, 0);
    same(
      'fcntl.getfl_socket',
      sys(() => t.fcntl(s, F_GETFL)),
    );

    const setfl: Array<[string, number]> = [
      ['fcntl.setfl_nonblock', O_NONBLOCK],
      ['fcntl.setfl_0', 0],
      ['fcntl.setfl_append_nonblock', O_APPEND | O_NONBLOCK],
      ['fcntl.setfl_cloexec', O_CLOEXEC],
      ['fcntl.setfl_wronly', O_WRONLY],
      ['fcntl.setfl_async', FASYNC],
      ['fcntl.setfl_noatime', O_NOATIME],
      ['fcntl.setfl_direct', O_DIRECT],
      ['fcntl.setfl_all_bits', -1],
    ];
    for (const [name, arg] of setfl) {
      t.fcntl(s, F_SETFL, 0);
      same(name, { ...sys(() => t.fcntl(s, F_SETFL, arg)), arg, getfl: t.fcntl(s, F_GETFL) });
    }
    t.fcntl(s, F_SETFL, 0);

    let r = sys(() => t.fcntl(s, F_DUPFD, 0));
    same('fcntl.dupfd_0', r);
    t.close(r.ret);
    r = sys(() => t.fcntl(s, F_DUPFD, 100));
    same('fcntl.dupfd_100', r);
    t.close(r.ret);
    t.fcntl(s, F_SETFD, FD_CLOEXEC);
    r = sys(() => t.fcntl(s, F_DUPFD, 100));
    same('fcntl.dupfd_from_cloexec', { ...r, getfd: t.fcntl(r.ret, F_GETFD) });
    t.close(r.ret);
    t.fcntl(s, F_SETFD, 0);
    r = sys(() => t.fcntl(s, F_DUPFD_CLOEXEC, 100));
    same('fcntl.dupfd_cloexec', { ...r, getfd: t.fcntl(r.ret, F_GETFD) });
    t.close(r.ret);
    same(
      'fcntl.dupfd_rlimit',
      sys(() => t.fcntl(s, F_DUPFD, RLIM)),
    );
    same(
      'fcntl.dupfd_minus1',
      sys(() => t.fcntl(s, F_DUPFD, -1)),
    );
    r = sys(() => t.fcntl(s, F_DUPFD, RLIM - 1));
    same('fcntl.dupfd_rlimit_minus1', r);
    t.close(r.ret);
    same(
      'fcntl.dupfd_bad_fd',
      sys(() => t.fcntl(BADFD, F_DUPFD, 0)),
    );
    same(
      'fcntl.unknown_cmd',
      sys(() => t.fcntl(s, 9999)),
    );
    same(
      'fcntl.unknown_cmd_bad_fd',
      sys(() => t.fcntl(BADFD, 9999)),
    );
    same(
      'fcntl.getfd_bad_fd',
      sys(() => t.fcntl(BADFD, F_GETFD)),
    );
    same(
      'fcntl.getfl_bad_fd',
      sys(() => t.fcntl(BADFD, F_GETFL)),
    );
    same(
      'fcntl.setfl_bad_fd',
      sys(() => t.fcntl(BADFD, F_SETFL, O_NONBLOCK)),
    );
    same(
      'fcntl.getfd_minus1',
      sys(() => t.fcntl(-1, F_GETFD)),
    );
    t.close(s);
  });

  it('dup and fork share the open file (status flags) but not the fd (close-on-exec)', () => {
    const { task: t } = boot();
    const a = dgram(t);
    const b = t.dup(a);
    t.fcntl(b, F_SETFL, O_NONBLOCK);
    t.fcntl(b, F_SETFD, FD_CLOEXEC);
    same('shared.dup', {
      ret: 0,
      errno: null,
      getfl: t.fcntl(a, F_GETFL),
      getfd: t.fcntl(a, F_GETFD),
      getfd_dup: t.fcntl(b, F_GETFD),
    });
    t.close(a);
    t.close(b);

    const s = dgram(t);
    const child = t.fork();
    child.fcntl(s, F_SETFL, O_NONBLOCK);
    child.fcntl(s, F_SETFD, FD_CLOEXEC);
    child.close(s);
    child.exit(7);
    const { status } = t.waitpid(child.pid);
    same('shared.fork', {
      ret: 0,
      errno: null,
      getfl: t.fcntl(s, F_GETFL),
      getfd: t.fcntl(s, F_GETFD),
      so_type: t.getsockoptInt(s, SOL_SOCKET, SO_TYPE),
      wait_status: status,
    });
    t.close(s);
  });

  it('EMFILE at RLIMIT_NOFILE, and which calls report EINVAL or EBADF instead', () => {
    const { task: t } = boot();
    t.setrlimit(RLIMIT_NOFILE, 10, host.rlimit_nofile[1]);
    const fds: number[] = [];
    let last: LinuxCase = { ret: 0, errno: null };
    for (;;) {
      last = sys(() => dgram(t));
      if (last.ret < 0) break;
      fds.push(last.ret);
      if (fds.length === 16) break;
    }
    same('emfile.sockets', { ...last, fds });
    same(
      'emfile.dup',
      sys(() => t.dup(0)),
    );
    same(
      'emfile.dupfd_0',
      sys(() => t.fcntl(0, F_DUPFD, 0)),
    );
    same(
      'emfile.dupfd_9',
      sys(() => t.fcntl(0, F_DUPFD, 9)),
    );
    same(
      'emfile.dupfd_10',
      sys(() => t.fcntl(0, F_DUPFD, 10)),
    );
    same(
      'emfile.dup2_10',
      sys(() => t.dup2(0, 10)),
    );
    same(
      'emfile.dup3_10',
      sys(() => t.dup3(0, 10, 0)),
    );
    same(
      'emfile.accept4',
      sys(() => t.accept4(fds[0]!, 0)),
    );
    // socketpair reserves both fds before it creates a socket, so EMFILE comes before the family's
    // answer (AF_UNIX would pair; the test family would say EOPNOTSUPP).
    same(
      'emfile.socketpair_none_free',
      sys(() => t.socketpair(F, SOCK_DGRAM, 0)),
    );
    t.close(fds[fds.length - 1]!);
    same(
      'emfile.socketpair_one_free',
      sys(() => t.socketpair(F, SOCK_DGRAM, 0)),
    );
    const again = sys(() => dgram(t));
    same('emfile.socket_after_close', again);
    same(
      'emfile.dup2_9_over_open',
      sys(() => t.dup2(0, 9)),
    );
  });
});

describe('socket calls on a file that is not a socket, and on fds that are not open', () => {
  const targets: Array<[string, (t: Task) => number]> = [
    ['notsock', () => 0],
    ['badfd', () => BADFD],
    ['minus1', () => -1],
  ];
  for (const [tag, pick] of targets) {
    it(`${tag}: EBADF / ENOTSOCK and the checks ordered around them`, () => {
      const { task: t } = boot();
      const fd = pick(t);
      const x = new Uint8Array([0x78]);
      const a16 = new Uint8Array(16);
      const a129 = new Uint8Array(129);
      const c = (op: string, fn: () => unknown) => same(`${tag}.${op}`, sys(fn));
      c('bind', () => t.bind(fd, a16));
      c('bind_addrlen129', () => t.bind(fd, a129));
      c('connect', () => t.connect(fd, a16));
      c('connect_addrlen129', () => t.connect(fd, a129));
      c('listen', () => t.listen(fd, 5));
      c('accept', () => t.accept(fd));
      c('accept4_badflags', () => t.accept4(fd, 1));
      c('getsockname', () => t.getsockname(fd));
      c('getpeername', () => t.getpeername(fd));
      c('setsockopt', () => t.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1));
      c('setsockopt_optlen3', () => t.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Uint8Array(3)));
      c('getsockopt', () => t.getsockopt(fd, SOL_SOCKET, SO_TYPE, 4));
      c('getsockopt_optlen_minus1', () => t.getsockopt(fd, SOL_SOCKET, SO_TYPE, -1));
      c('shutdown', () => t.shutdown(fd, SHUT_RDWR));
      c('sendto', () => t.sendto(fd, x, 0, null));
      c('sendto_addrlen129', () => t.sendto(fd, x, 0, a129));
      c('recvfrom', () => t.recvfrom(fd, 1, MSG_DONTWAIT));
      c('sendmsg', () => t.sendmsg(fd, { iov: [x] }));
      c('recvmsg', () => t.recvmsg(fd, 1, MSG_DONTWAIT));
      if (fd !== 0) {
        c('read', () => t.read(fd, 1));
        c('write', () => t.write(fd, x));
      }
    });
  }
});

describe('generic checks on a socket before the family is asked', () => {
  it('address length, sock_no_listen / sock_no_accept, zero-length read, empty non-blocking receive', () => {
    const { task: t } = boot();
    let s = dgram(t, SOCK_NONBLOCK);
    const a129 = new Uint8Array(129);
    const x = new Uint8Array([0x78]);
    same(
      'sock.bind_addrlen129',
      sys(() => t.bind(s, a129)),
    );
    same(
      'sock.connect_addrlen129',
      sys(() => t.connect(s, a129)),
    );
    same(
      'sock.sendto_addrlen129',
      sys(() => t.sendto(s, x, 0, a129)),
    );
    same(
      'sock.listen',
      sys(() => t.listen(s, 5)),
    );
    same(
      'sock.accept',
      sys(() => t.accept(s)),
    );
    same(
      'sock.accept4_badflags',
      sys(() => t.accept4(s, 1)),
    );
    same(
      'sock.read_0',
      sys(() => t.read(s, 0)),
    );
    same(
      'sock.read_1_empty_nonblock',
      sys(() => t.read(s, 1)),
    );
    same(
      'sock.recvfrom_empty_nonblock',
      sys(() => t.recvfrom(s, 1, 0)),
    );
    t.close(s);
    s = dgram(t);
    same(
      'sock.recvfrom_empty_dontwait',
      sys(() => t.recvfrom(s, 1, MSG_DONTWAIT)),
    );
    t.close(s);
  });
});

describe('SOL_SOCKET options (generic sk_setsockopt / sk_getsockopt)', () => {
  it('defaults as getsockopt reads them', () => {
    const { task: t } = boot();
    const s = dgram(t);
    // SO_DOMAIN reads back the family the socket was made with (AF_UNIX there, the test family here).
    const fam = linux.cases['opt.family']!;
    same(
      'opt.family',
      { ret: 0, errno: null, domain_is_family: t.getsockoptInt(s, SOL_SOCKET, SO_DOMAIN) === F },
      (w) => ({ ret: w.ret, errno: w.errno, domain_is_family: w.so_domain === w.family }),
    );
    expect(fam.so_domain).toBe(1);
    const ints: Array<[string, number]> = [
      ['opt.get_type', SO_TYPE],
      ['opt.get_protocol', SO_PROTOCOL],
      ['opt.get_rcvbuf', SO_RCVBUF],
      ['opt.get_sndbuf', SO_SNDBUF],
      ['opt.get_acceptconn', SO_ACCEPTCONN],
      ['opt.get_error', SO_ERROR],
      ['opt.get_rcvlowat', SO_RCVLOWAT],
      ['opt.get_sndlowat', SO_SNDLOWAT],
      ['opt.get_priority', SO_PRIORITY],
      ['opt.get_keepalive', SO_KEEPALIVE],
      ['opt.get_broadcast', SO_BROADCAST],
      ['opt.get_reuseaddr', SO_REUSEADDR],
      ['opt.get_reuseport', SO_REUSEPORT],
      ['opt.get_debug', SO_DEBUG],
      ['opt.get_dontroute', SO_DONTROUTE],
      ['opt.get_oobinline', SO_OOBINLINE],
      ['opt.get_mark', SO_MARK],
      ['opt.get_passcred', SO_PASSCRED],
      ['opt.get_rxq_ovfl', SO_RXQ_OVFL],
      ['opt.get_incoming_cpu', SO_INCOMING_CPU],
      ['opt.get_no_check', SO_NO_CHECK],
    ];
    for (const [name, opt] of ints) same(name, gso(t, s, SOL_SOCKET, opt, 4));
    same('opt.get_linger', gso(t, s, SOL_SOCKET, SO_LINGER, 8));
    same('opt.get_rcvtimeo', gso(t, s, SOL_SOCKET, SO_RCVTIMEO, 16));
    same('opt.get_sndtimeo', gso(t, s, SOL_SOCKET, SO_SNDTIMEO, 16));
  });

  it('getsockopt lengths: cut to optlen, the written-back optlen, EINVAL for a negative one', () => {
    const { task: t } = boot();
    const s = dgram(t);
    const U = host.unknown_opt;
    same('opt.get_type_optlen_2', gso(t, s, SOL_SOCKET, SO_TYPE, 2));
    same('opt.get_type_optlen_0', gso(t, s, SOL_SOCKET, SO_TYPE, 0));
    same('opt.get_type_optlen_minus1', gso(t, s, SOL_SOCKET, SO_TYPE, -1));
    same('opt.get_type_optlen_100', gso(t, s, SOL_SOCKET, SO_TYPE, 100));
    same('opt.get_rcvtimeo_optlen_8', gso(t, s, SOL_SOCKET, SO_RCVTIMEO, 8));
    same('opt.get_linger_optlen_4', gso(t, s, SOL_SOCKET, SO_LINGER, 4));
    same('opt.get_unknown', gso(t, s, SOL_SOCKET, U, 4));
    same('opt.get_unknown_optlen_minus1', gso(t, s, SOL_SOCKET, U, -1));
  });

  it('setsockopt lengths and unknown options / levels', () => {
    const { task: t } = boot();
    let s = dgram(t);
    const U = host.unknown_opt;
    same('opt.set_rcvbuf_optlen_3', sso_len(t, s, SOL_SOCKET, SO_RCVBUF, 5000, 3));
    same('opt.set_rcvbuf_optlen_0', sso_len(t, s, SOL_SOCKET, SO_RCVBUF, 5000, 0));
    same('opt.set_unknown', sso_len(t, s, SOL_SOCKET, U, 1, 4));
    same('opt.set_unknown_optlen_3', sso_len(t, s, SOL_SOCKET, U, 1, 3));
    t.close(s);
    s = dgram(t);
    const eight = new Uint8Array(8);
    new DataView(eight.buffer).setInt32(0, 5000, true);
    new DataView(eight.buffer).setInt32(4, 7, true);
    same('opt.set_rcvbuf_optlen_8', {
      ...sys(() => t.setsockopt(s, SOL_SOCKET, SO_RCVBUF, eight)),
      value: int_val(t, s, SO_RCVBUF),
    });
    t.close(s);
    s = dgram(t);
    // The test family, like AF_UNIX datagram sockets, has no setsockopt/getsockopt of its own.
    same('opt.set_unknown_level', sso_len(t, s, host.unknown_level, 1, 1, 4));
    same('opt.get_unknown_level', gso(t, s, host.unknown_level, 1, 4));
  });

  it('SO_RCVBUF / SO_SNDBUF (and the FORCE forms): doubled, minimum, clamped to the host rmem_max/wmem_max', () => {
    const { task: t } = boot();
    const s = dgram(t);
    const cases: Array<[string, number, number]> = [
      ['opt.rcvbuf_0', SO_RCVBUF, 0],
      ['opt.rcvbuf_1000', SO_RCVBUF, 1000],
      ['opt.rcvbuf_1152', SO_RCVBUF, 1152],
      ['opt.rcvbuf_2000', SO_RCVBUF, 2000],
      ['opt.rcvbuf_minus1', SO_RCVBUF, -1],
      ['opt.rcvbuf_int_max', SO_RCVBUF, 0x7fffffff],
      ['opt.rcvbuf_rmem_max', SO_RCVBUF, host.rmem_max],
      ['opt.rcvbuf_rmem_max_plus1', SO_RCVBUF, host.rmem_max + 1],
      ['opt.sndbuf_0', SO_SNDBUF, 0],
      ['opt.sndbuf_1000', SO_SNDBUF, 1000],
      ['opt.sndbuf_3000', SO_SNDBUF, 3000],
      ['opt.sndbuf_minus1', SO_SNDBUF, -1],
      ['opt.sndbuf_int_max', SO_SNDBUF, 0x7fffffff],
      ['opt.sndbuf_wmem_max_plus1', SO_SNDBUF, host.wmem_max + 1],
      ['opt.rcvbufforce_0', SO_RCVBUFFORCE, 0],
      ['opt.rcvbufforce_minus1', SO_RCVBUFFORCE, -1],
      ['opt.rcvbufforce_10000000', SO_RCVBUFFORCE, 10000000],
      ['opt.rcvbufforce_int_max', SO_RCVBUFFORCE, 0x7fffffff],
      ['opt.sndbufforce_0', SO_SNDBUFFORCE, 0],
      ['opt.sndbufforce_minus1', SO_SNDBUFFORCE, -1],
      ['opt.sndbufforce_10000000', SO_SNDBUFFORCE, 10000000],
      ['opt.sndbufforce_int_max', SO_SNDBUFFORCE, 0x7fffffff],
    ];
    for (const [name, opt, val] of cases) same(name, sso_int(t, s, opt, val));
  });

  it('boolean and small int options (as root)', () => {
    const { task: t } = boot();
    const s = dgram(t);
    const cases: Array<[string, number, number]> = [
      ['opt.keepalive_5', SO_KEEPALIVE, 5],
      ['opt.broadcast_1', SO_BROADCAST, 1],
      ['opt.reuseaddr_2', SO_REUSEADDR, 2],
      ['opt.debug_1_root', SO_DEBUG, 1],
      ['opt.priority_6', SO_PRIORITY, 6],
      ['opt.priority_7_root', SO_PRIORITY, 7],
      ['opt.mark_5_root', SO_MARK, 5],
      ['opt.rcvlowat_0', SO_RCVLOWAT, 0],
      ['opt.rcvlowat_10', SO_RCVLOWAT, 10],
      ['opt.rcvlowat_minus1', SO_RCVLOWAT, -1],
    ];
    for (const [name, opt, val] of cases) same(name, sso_int(t, s, opt, val));
  });

  it('SO_LINGER: turning it off keeps the time; a short optlen is EINVAL', () => {
    const { task: t } = boot();
    const s = dgram(t);
    same('opt.linger_off_7', sso_linger(t, s, 0, 7));
    same('opt.linger_on_5', sso_linger(t, s, 1, 5));
    same('opt.linger_off_after_5', sso_linger(t, s, 0, 9));
    same('opt.linger_optlen_4', sso_len(t, s, SOL_SOCKET, SO_LINGER, 1, 4));
  });

  it('SO_RCVTIMEO / SO_SNDTIMEO: EDOM before the sign of tv_sec, 0 means forever, short optlen EINVAL', () => {
    const { task: t } = boot();
    const s = dgram(t);
    const R = SO_RCVTIMEO;
    // Values that are whole jiffies at this host's HZ (250) round-trip identically in ksock (ms).
    same('opt.rcvtimeo_1_500000', sso_timeval(t, s, R, 1, 500000));
    same('opt.rcvtimeo_0_0', sso_timeval(t, s, R, 0, 0));
    same('opt.rcvtimeo_2_0', sso_timeval(t, s, R, 2, 0));
    same('opt.rcvtimeo_usec_1000000', sso_timeval(t, s, R, 0, 1000000));
    same('opt.rcvtimeo_usec_minus1', sso_timeval(t, s, R, 0, -1));
    same('opt.rcvtimeo_sec_minus1_usec_1000000', sso_timeval(t, s, R, -1, 1000000));
    same('opt.rcvtimeo_sec_minus1', sso_timeval(t, s, R, -1, 0));
    same('opt.rcvtimeo_100000000_0', sso_timeval(t, s, R, 100000000, 0));
    same('opt.rcvtimeo_0_8000', sso_timeval(t, s, R, 0, 8000));
    const tv8 = timeval(1, 0).subarray(0, 8);
    same(
      'opt.rcvtimeo_optlen_8',
      sys(() => t.setsockopt(s, SOL_SOCKET, R, tv8)),
    );
  });

  it('without CAP_NET_ADMIN / CAP_NET_RAW (uid 65534): the privileged options are refused', () => {
    const { kernel } = boot();
    const t = kernel.spawn({ uid: 65534 });
    const s = dgram(t);
    const cases: Array<[string, number, number]> = [
      ['nonroot.rcvbufforce', SO_RCVBUFFORCE, 100000],
      ['nonroot.sndbufforce', SO_SNDBUFFORCE, 100000],
      ['nonroot.rcvbuf_1000', SO_RCVBUF, 1000],
      ['nonroot.debug_1', SO_DEBUG, 1],
      ['nonroot.debug_0', SO_DEBUG, 0],
      ['nonroot.priority_7', SO_PRIORITY, 7],
      ['nonroot.priority_6', SO_PRIORITY, 6],
      ['nonroot.mark_1', SO_MARK, 1],
    ];
    for (const [name, opt, val] of cases) same(name, sso_int(t, s, opt, val));
  });
});

describe('getsockopt of every SOL_SOCKET optname 1..82 on a fresh socket (optlen 256)', () => {
  it('answers as Linux, except the options listed in NOT_COMPARED', () => {
    const { task: t } = boot();
    const s = dgram(t);
    for (let o = 1; o <= 82; o++) {
      const name = `sweep.get_${o}`;
      if (name in NOT_COMPARED) continue;
      const got = gso(t, s, SOL_SOCKET, o, 256);
      if (o === SO_COOKIE) {
        // The cookie's value differs per boot; its length does not.
        same(name, { ret: got.ret, errno: got.errno, optlen: got.optlen }, (w) => ({
          ret: w.ret,
          errno: w.errno,
          optlen: w.optlen,
        }));
      } else {
        same(name, got);
      }
    }
  });
});

describe('other generic checks', () => {
  it('sendmsg / recvmsg refuse MSG_CMSG_COMPAT before looking at the fd', () => {
    const { task: t } = boot();
    const x = new Uint8Array([0x78]);
    same(
      'badfd.sendmsg_cmsg_compat',
      sys(() => t.sendmsg(BADFD, { iov: [x] }, 0x80000000)),
    );
    same(
      'badfd.recvmsg_cmsg_compat',
      sys(() => t.recvmsg(BADFD, 1, 0x80000000)),
    );
  });

  it('SO_PEEK_OFF on a family without a set_peek_off op (Linux: AF_NETLINK; here: the test family)', () => {
    const { task: t } = boot();
    const s = dgram(t);
    same('peek_off.without_op_set', sso_len(t, s, SOL_SOCKET, SO_PEEK_OFF, 0, 4));
    same('peek_off.without_op_get', gso(t, s, SOL_SOCKET, SO_PEEK_OFF, 4));
  });

  it('SO_LINGER {1, -1} lingers forever: (int)(LONG_MAX / HZ) comes back (HZ=1000 arithmetic in ksock)', () => {
    const { task: t } = boot();
    const s = dgram(t);
    const got = sso_linger(t, s, 1, -1);
    expect(got).toMatchObject({
      ret: 0,
      onoff: 1,
      linger: Number(BigInt.asIntN(32, 0x7fffffffffffffffn / 1000n)),
    });
    expect(linux.cases['opt.linger_on_minus1']).toMatchObject({ ret: 0, onoff: 1 });
  });

  it("SO_RCVTIMEO_NEW / SO_SNDTIMEO_NEW share the old options' value and checks", () => {
    const { task: t } = boot();
    const s = dgram(t);
    const r = sys(() => t.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO_NEW, timeval(1, 500000)));
    const tv = (opt: number) => {
      const b = t.getsockopt(s, SOL_SOCKET, opt, 16);
      const dv = new DataView(b.buffer, b.byteOffset, 16);
      return [Number(dv.getBigInt64(0, true)), Number(dv.getBigInt64(8, true))];
    };
    const [new_sec, new_usec] = tv(SO_RCVTIMEO_NEW);
    const [old_sec, old_usec] = tv(SO_RCVTIMEO);
    same('opt.rcvtimeo_new_1_500000', { ...r, new_sec, new_usec, old_sec, old_usec });
    same(
      'opt.sndtimeo_new_usec_1000000',
      sys(() => t.setsockopt(s, SOL_SOCKET, SO_SNDTIMEO_NEW, timeval(0, 1000000))),
    );
  });

  it('a length of SIZE_MAX is clamped to MAX_RW_COUNT, so the fd checks still come first', () => {
    const { task: t } = boot();
    const s = dgram(t, SOCK_NONBLOCK);
    same(
      'len.read_badfd_size_max',
      sys(() => t.read(BADFD, -1)),
    );
    same(
      'len.recvfrom_badfd_size_max',
      sys(() => t.recvfrom(BADFD, -1)),
    );
    same(
      'len.recvfrom_notsock_size_max',
      sys(() => t.recvfrom(0, -1)),
    );
    same(
      'len.recvfrom_sock_size_max',
      sys(() => t.recvfrom(s, -1, MSG_DONTWAIT)),
    );
    same(
      'fcntl.getfl_devnull',
      sys(() => t.fcntl(0, F_GETFL)),
    );
    // read() checks access_ok(buf, count) itself after the fd: EFAULT for a socket and /dev/null alike.
    same(
      'len.read_sock_size_max',
      sys(() => t.read(s, -1)),
    );
  });

  it('a length of SIZE_MAX (-1 here) in read() on /dev/null is EFAULT', () => {
    const { task: t } = boot();
    same(
      'len.read_devnull_size_max',
      sys(() => t.read(0, -1)),
    );
  });

  it('socketpair(): flag check, family and type range, and the reserved fds given back', () => {
    const { task: t } = boot();
    same(
      'socketpair.unknown_flag',
      sys(() => t.socketpair(F, SOCK_DGRAM | 0x100000, 0)),
    );
    same(
      'socketpair.family_46',
      sys(() => t.socketpair(46, SOCK_DGRAM, 0)),
    );
    same(
      'socketpair.family_minus1',
      sys(() => t.socketpair(-1, SOCK_DGRAM, 0)),
    );
    same(
      'socketpair.type_11',
      sys(() => t.socketpair(F, 11, 0)),
    );
    same(
      'socketpair.fds_after_failures',
      sys(() => dgram(t)),
    );
  });

  it('setrlimit(RLIMIT_NOFILE): soft above hard EINVAL, hard above fs.nr_open EPERM', () => {
    const { kernel, task: t } = boot();
    kernel.init.sysctl('fs.nr_open', String(host.nr_open));
    const hard = host.rlimit_nofile[1];
    same(
      'rlimit.soft_above_hard',
      sys(() => t.setrlimit(RLIMIT_NOFILE, hard + 1, hard)),
    );
    const over = host.nr_open + 1;
    same(
      'rlimit.hard_above_nr_open',
      sys(() => t.setrlimit(RLIMIT_NOFILE, over, over)),
    );
  });

  it('execve closes exactly the close-on-exec fds', () => {
    const { task: t } = boot();
    const child = t.fork();
    const a = child.socket(F, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const b = child.socket(F, SOCK_DGRAM, 0);
    const c = child.dup(a);
    child.dup3(b, 10, O_CLOEXEC);
    expect([a, b, c]).toEqual([3, 4, 5]);
    child.execve('/usr/local/bin/linux-probe');
    const open: number[] = [];
    for (let fd = 3; fd <= 10; fd++) if (sys(() => child.fcntl(fd, F_GETFD)).ret >= 0) open.push(fd);
    child.exit(0);
    same('execve.cloexec', {
      ret: 0,
      errno: null,
      open_after_exec: open,
      wait_status: t.waitpid(child.pid).status,
    });
  });
});

describe('/proc/self/fd and /proc/self/fdinfo', () => {
  const SOCKET_LINK = /^socket:\[(\d+)\]$/;

  /** A socket's link and fdinfo, reduced to what is comparable across machines (not the number). */
  function socket_view(k: Kernel, t: Task, fd: number, withLink = true): LinuxCase {
    const info = fdinfo(k, t, fd);
    const link = withLink ? k.proc.readlink(`/proc/self/fd/${fd}`, t) : null;
    return {
      ret: fd,
      errno: null,
      ...(withLink ? { link_ino_is_fdinfo_ino: SOCKET_LINK.exec(link!)?.[1] === info.ino } : {}),
      flags: info.flags,
      pos: info.pos,
      keys: info.keys,
    };
  }
  function linux_view(c: LinuxCase, withLink = true): LinuxCase {
    const g = generic_fdinfo(c);
    return {
      ret: g.ret,
      errno: g.errno,
      ...(withLink ? { link_ino_is_fdinfo_ino: SOCKET_LINK.exec(g.link as string)?.[1] === g.ino } : {}),
      flags: g.flags,
      pos: g.pos,
      keys: g.keys,
    };
  }

  it('readlink shows socket:[ino]; fdinfo flags include O_CLOEXEC from the fd and O_NONBLOCK from the file', () => {
    const { kernel: k, task: t } = boot();
    let s = dgram(t, SOCK_CLOEXEC | SOCK_NONBLOCK);
    const rec = linux.cases['proc.socket_cloexec_nonblock']!;
    same('proc.socket_cloexec_nonblock', socket_view(k, t, s), (w) => linux_view(w));
    // st_mode: S_IFSOCK | 0777, as fstat shows a socket.
    expect(t.files.fd[s]!.f_inode!.i_mode).toBe(rec.st_mode);
    const d = t.dup(s);
    const dupView = socket_view(k, t, d);
    same('proc.dup_of_socket', dupView, (w) => linux_view(w));
    expect(k.proc.readlink(`/proc/self/fd/${d}`, t)).toBe(k.proc.readlink(`/proc/self/fd/${s}`, t));
    t.close(d);
    t.close(s);

    s = dgram(t);
    same('proc.socket_plain', socket_view(k, t, s), (w) => linux_view(w));
    t.fcntl(s, F_SETFD, FD_CLOEXEC);
    t.fcntl(s, F_SETFL, O_NONBLOCK);
    same('proc.socket_after_fcntl', socket_view(k, t, s, false), (w) => linux_view(w, false));
    t.close(s);

    same('proc.devnull', { ret: 0, errno: null, link: k.proc.readlink('/proc/self/fd/0', t) });
    same(
      'proc.readlink_closed_fd',
      sys(() => k.proc.readlink(`/proc/self/fd/${BADFD}`, t)),
    );
  });
});

describe('coverage of the fixture', () => {
  it('every recorded case is compared above or listed in NOT_COMPARED', () => {
    const missing = Object.keys(linux.cases).filter((n) => !compared.has(n) && !(n in NOT_COMPARED));
    expect(missing).toEqual([]);
    for (const n of Object.keys(NOT_COMPARED)) expect(linux.cases[n], n).toBeDefined();
  });
});
