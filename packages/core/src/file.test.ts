import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { counters } from './__fixtures__/helpers.js';
import { alloc_fd, FilesStruct, fcheck, put_unused_fd, replace_fd } from './file.js';
import { Kernel } from './kernel.js';
import { errnoOf } from './testing/index.js';
import { CAP_SYS_MODULE } from './uapi/capability.js';
import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
} from './uapi/fcntl.js';
import { AF_VSOCK, SOCK_CLOEXEC, SOCK_DGRAM } from './uapi/socket.js';

const F = AF_VSOCK;

function boot() {
  const fam = testFamily(F);
  const kernel = new Kernel({ modules: fam.module });
  return { kernel, task: kernel.spawn({ uid: 0, stdio: false }) };
}

describe('files_struct: alloc_fd', () => {
  it('finds the lowest free fd through full_fds_bits, across word and table boundaries', () => {
    const k = new Kernel();
    const f = new FilesStruct();
    for (let i = 0; i < 5000; i++) expect(alloc_fd(k, f, 0, 1 << 20, 0)).toBe(i);
    expect(f.max_fds).toBe(8192);
    put_unused_fd(f, 4097);
    put_unused_fd(f, 31);
    expect(alloc_fd(k, f, 0, 1 << 20, 0)).toBe(31);
    expect(alloc_fd(k, f, 0, 1 << 20, 0)).toBe(4097);
    expect(alloc_fd(k, f, 0, 1 << 20, 0)).toBe(5000);
    expect(alloc_fd(k, f, 100, 1 << 20, 0)).toBe(5001); // start >= next_fd region
  });

  it('EMFILE at RLIMIT_NOFILE and at fs.nr_open', () => {
    const k = new Kernel({ nr_open: 128 });
    const f = new FilesStruct();
    for (let i = 0; i < 10; i++) alloc_fd(k, f, 0, 10, 0);
    expect(alloc_fd(k, f, 0, 10, 0)).toBe(-24);
    for (let i = 10; i < 128; i++) expect(alloc_fd(k, f, 0, 1000, 0)).toBe(i);
    expect(alloc_fd(k, f, 0, 1000, 0)).toBe(-24);
  });
});

describe('file syscalls', () => {
  it('close: EBADF for a closed, negative or huge fd', () => {
    const { task } = boot();
    expect(errnoOf(() => task.close(0), { syscall: true })).toBe('close: EBADF');
    expect(errnoOf(() => task.close(-1))).toBe('EBADF');
    expect(errnoOf(() => task.close(2 ** 31 - 1))).toBe('EBADF');
  });

  it('dup/dup2/dup3 follow ksys_dup3 order', () => {
    const { task } = boot();
    const fd = task.socket(F, SOCK_DGRAM, 0);
    expect(task.dup(fd)).toBe(1);
    expect(errnoOf(() => task.dup(7), { syscall: true })).toBe('dup: EBADF');
    expect(task.dup2(fd, fd)).toBe(fd);
    expect(errnoOf(() => task.dup2(9, 9))).toBe('EBADF');
    expect(task.dup2(fd, 9)).toBe(9);
    expect(errnoOf(() => task.dup3(fd, fd, 0))).toBe('EINVAL');
    expect(errnoOf(() => task.dup3(fd, 5, O_NONBLOCK))).toBe('EINVAL');
    expect(errnoOf(() => task.dup3(fd, -1, 0))).toBe('EBADF');
    expect(errnoOf(() => task.dup3(fd, 1024, 0))).toBe('EBADF'); // >= RLIMIT_NOFILE
    expect(errnoOf(() => task.dup3(42, 5, 0))).toBe('EBADF');
    expect(task.dup3(fd, 5, O_CLOEXEC)).toBe(5);
    expect(task.fcntl(5, F_GETFD)).toBe(FD_CLOEXEC);
    // Replacing an open fd closes the old file only after installing the new one.
    const other = task.socket(F, SOCK_DGRAM, 0);
    expect(task.dup2(other, 9)).toBe(9);
    expect(task.kernel.proc.readlink(`/proc/${task.pid}/fd/9`, task)).toBe(
      task.kernel.proc.readlink(`/proc/${task.pid}/fd/${other}`, task),
    );
  });

  it('fcntl: F_GETFD/F_SETFD/F_GETFL/F_SETFL/F_DUPFD', () => {
    const { task } = boot();
    const fd = task.socket(F, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    expect(task.fcntl(fd, F_GETFD)).toBe(FD_CLOEXEC);
    task.fcntl(fd, F_SETFD, 0);
    expect(task.fcntl(fd, F_GETFD)).toBe(0);
    expect(task.fcntl(fd, F_GETFL)).toBe(O_RDWR);
    task.fcntl(fd, F_SETFL, O_NONBLOCK | O_CLOEXEC); // O_CLOEXEC is not a status flag: ignored
    expect(task.fcntl(fd, F_GETFL)).toBe(O_RDWR | O_NONBLOCK);
    expect(task.fcntl(fd, F_DUPFD, 10)).toBe(10);
    expect(task.fcntl(fd, F_DUPFD_CLOEXEC, 10)).toBe(11);
    expect(task.fcntl(11, F_GETFD)).toBe(FD_CLOEXEC);
    expect(errnoOf(() => task.fcntl(fd, F_DUPFD, 1024))).toBe('EINVAL');
    expect(errnoOf(() => task.fcntl(fd, 9999))).toBe('EINVAL');
    expect(errnoOf(() => task.fcntl(99, F_GETFD))).toBe('EBADF');
  });

  it('EMFILE at the task rlimit; ENFILE at fs.file-max for a task without CAP_SYS_ADMIN', () => {
    const fam = testFamily(F);
    const k = new Kernel({ modules: fam.module, rlimit_nofile: 8, file_max: 6 });
    const user = k.spawn({ uid: 1000, stdio: false });
    for (let i = 0; i < 6; i++) user.socket(F, SOCK_DGRAM, 0);
    const before = counters(k);
    expect(errnoOf(() => user.socket(F, SOCK_DGRAM, 0))).toBe('ENFILE');
    expect(counters(k)).toEqual(before);
    const root = k.spawn({ uid: 0, stdio: false });
    for (let i = 0; i < 8; i++) root.socket(F, SOCK_DGRAM, 0);
    expect(errnoOf(() => root.socket(F, SOCK_DGRAM, 0))).toBe('EMFILE');
    expect(k.proc.read('/proc/sys/fs/file-max')).toBe('6\n');
  });

  it('setrlimit(RLIMIT_NOFILE): soft above hard EINVAL, raising hard needs CAP_SYS_RESOURCE', () => {
    const k = new Kernel();
    const user = k.spawn({ uid: 1000 });
    expect(user.getrlimit(7)).toEqual([1024, 4096]);
    expect(errnoOf(() => user.setrlimit(7, 10, 5))).toBe('EINVAL');
    expect(errnoOf(() => user.setrlimit(7, 10, 5000))).toBe('EPERM');
    user.setrlimit(7, 3, 4096);
    expect(errnoOf(() => user.dup(0))).toBe('EMFILE');
    const root = k.spawn({});
    expect(errnoOf(() => root.setrlimit(7, 10, 2 ** 21))).toBe('EPERM'); // above fs.nr_open
    root.setrlimit(7, 100000, 100000);
  });

  it('fork shares open files; a socket lives until its last reference closes; exec closes O_CLOEXEC fds', () => {
    const { kernel, task } = boot();
    const keep = task.socket(F, SOCK_DGRAM, 0);
    const cloexec = task.socket(F, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const child = task.fork();
    const file = task.files.fd[keep]!;
    expect(file.f_count).toBe(2);
    expect(child.files.fd[keep]).toBe(file);
    task.close(keep);
    expect(kernel.sock_inode_cache.active_objs).toBe(2);
    child.execve('/usr/bin/worker');
    expect(child.comm).toBe('worker');
    expect(child.files.fd[cloexec]).toBeNull();
    expect(child.files.fd[keep]).toBe(file);
    child.close(keep);
    expect(kernel.sock_inode_cache.active_objs).toBe(1);
    expect(file.f_count).toBe(0);
  });

  it('exit closes everything and the parent sees the wait status', () => {
    const { kernel, task } = boot();
    const child = task.fork();
    child.socket(F, SOCK_DGRAM, 0);
    child.exit(3);
    expect(task.waitpid(child.pid)).toEqual({ pid: child.pid, status: 3 << 8 });
    expect(kernel.sock_inode_cache.active_objs).toBe(0);
    expect(errnoOf(() => task.waitpid(child.pid))).toBe('ECHILD');
    expect(errnoOf(() => child.socket(F, SOCK_DGRAM, 0))).toBe('ESRCH');
  });
});

type Op =
  | { op: 'socket'; cloexec: boolean }
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; to: number }
  | { op: 'fork' }
  | { op: 'exec' }
  | { op: 'exit' }
  | { op: 'modprobe' }
  | { op: 'rmmod' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('socket' as const), cloexec: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('close' as const), fd: fc.integer({ min: -1, max: 20 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('dup' as const), fd: fc.integer({ min: 0, max: 20 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('dup2' as const),
      fd: fc.integer({ min: 0, max: 20 }),
      to: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'fork' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'exec' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'exit' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'modprobe' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'rmmod' as const }) },
);

describe('properties', () => {
  it('the fd table always hands out the lowest free fd, and closing everything restores every counter', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), opArb), { maxLength: 60 }), (prog) => {
        const fam = testFamily(F);
        const k = new Kernel({ modules: fam.module });
        const root = k.spawn({ uid: 0, caps: [CAP_SYS_MODULE], stdio: false });
        const start = counters(k);
        const tasks = [root];
        for (const [who, o] of prog) {
          const t = tasks[who % tasks.length]!;
          try {
            switch (o.op) {
              case 'socket': {
                let lowest = 0;
                while (t.files.fd[lowest]) lowest++;
                const fd = t.socket(F, SOCK_DGRAM | (o.cloexec ? SOCK_CLOEXEC : 0), 0);
                expect(fd).toBe(lowest);
                break;
              }
              case 'close':
                t.close(o.fd);
                break;
              case 'dup': {
                let lowest = 0;
                while (t.files.fd[lowest]) lowest++;
                const had = !!t.files.fd[o.fd];
                const fd = t.dup(o.fd);
                expect(had).toBe(true);
                expect(fd).toBe(lowest);
                break;
              }
              case 'dup2':
                t.dup2(o.fd, o.to);
                break;
              case 'fork':
                tasks.push(t.fork());
                break;
              case 'exec':
                t.execve('/bin/x');
                break;
              case 'exit':
                if (t !== root) {
                  t.exit(0);
                  tasks.splice(tasks.indexOf(t), 1);
                }
                break;
              case 'modprobe':
                root.modprobe('af_test');
                break;
              case 'rmmod':
                root.rmmod('af_test');
                break;
            }
          } catch (e) {
            expect(e).toMatchObject({ name: 'KernelError' });
          }
        }
        for (const t of tasks) if (t !== root) t.exit(0);
        for (const [fd] of [...root.files.entries()]) root.close(fd);
        const end = counters(k);
        expect({ ...end, modules: end.modules.map((m) => m.replace(/:\d+$/, '')) }).toEqual({
          ...start,
          modules: end.modules.length ? ['af_test'] : [],
        });
        expect(k.modules.list().every((m) => m.refcnt === 0)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('replace_fd', () => {
  it('puts a file held elsewhere at a chosen slot, closing what was there, and counts its reference', () => {
    const { kernel, task } = boot();
    const other = kernel.spawn({ uid: 0, stdio: false });
    const a = task.socket(F, SOCK_DGRAM, 0);
    const b = other.socket(F, SOCK_DGRAM, 0);
    const file = fcheck(task.files, a)!;
    const before = file.f_count;
    expect(kernel.run(() => replace_fd(7, file, O_CLOEXEC), other)).toBe(0);
    expect(fcheck(other.files, 7)).toBe(file);
    expect(other.fcntl(7, F_GETFD)).toBe(FD_CLOEXEC);
    expect(file.f_count).toBe(before + 1);
    // Over an open slot: the old file there is closed.
    const old = fcheck(other.files, b)!;
    expect(kernel.run(() => replace_fd(b, file, 0), other)).toBe(0);
    expect(old.f_count).toBe(0);
    expect(kernel.run(() => replace_fd(other.rlimit_nofile, file, 0), other)).toBe(-9); // EBADF
    expect(kernel.run(() => replace_fd(7, null, 0), other)).toBe(0);
    expect(fcheck(other.files, 7)).toBeNull();
    other.close(b);
    task.close(a);
    expect(file.f_count).toBe(0);
  });
});
