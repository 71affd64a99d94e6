import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { counters } from './__fixtures__/helpers.js';
import { Kernel } from './kernel.js';
import { security_add_hooks } from './security.js';
import { errnoOf } from './testing/index.js';
import { EACCES, EPERM, EPROTONOSUPPORT } from './uapi/errno.js';
import { F_GETFD, F_GETFL, FD_CLOEXEC, O_CLOEXEC, O_NONBLOCK, O_RDWR } from './uapi/fcntl.js';
import {
  AF_INET,
  AF_MAX,
  AF_VSOCK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_MAX,
  SOCK_NONBLOCK,
  SOCK_PACKET,
  SOCK_STREAM,
} from './uapi/socket.js';

const F = AF_VSOCK;

function boot(knobs = {}) {
  const fam = testFamily(F, knobs);
  const kernel = new Kernel({ modules: [fam.module] });
  const task = kernel.spawn({ uid: 1000 });
  return { kernel, task, fam };
}

describe('socket(): __sys_socket and __sock_create', () => {
  it('returns the lowest free fd (3 after stdio) and autoloads the family module on first use', () => {
    const { kernel, task } = boot();
    expect(kernel.modules.list()).toEqual([]);
    const fd = task.socket(F, SOCK_DGRAM, 0);
    expect(fd).toBe(3);
    expect(kernel.modules.list()).toEqual([{ name: 'af_test', refcnt: 2, state: 'Live', usedBy: [] }]);
    expect(kernel.proc.readlink(`/proc/${task.pid}/fd/3`, task)).toMatch(/^socket:\[\d+\]$/);
    task.close(fd);
    expect(kernel.modules.list()[0]!.refcnt).toBe(0);
  });

  it('runs the functions of seed 003 in the kernel order', () => {
    const { kernel, task } = boot();
    const { events, error } = kernel.trace(() => task.socket(F, SOCK_DGRAM, 0));
    expect(error).toBeUndefined();
    const names = events.filter((e) => !e.note).map((e) => e.name);
    const expected = [
      '__sys_socket',
      'sock_create',
      '__sock_create',
      'security_socket_create',
      'sock_alloc',
      'request_module',
      'load_module',
      'try_module_get',
      'test_create',
      'sk_alloc',
      'sock_init_data',
      'try_module_get',
      'module_put',
      'security_socket_post_create',
      'sock_map_fd',
      'get_unused_fd_flags',
      'sock_alloc_file',
      'alloc_file_pseudo',
      'fd_install',
    ];
    let i = 0;
    for (const n of names) if (n === expected[i]) i++;
    expect(expected.slice(i), `missing after ${names.join(' ')}`).toEqual([]);
    const top = events[0]!;
    expect(top).toMatchObject({ name: '__sys_socket', depth: 0, ret: 3 });
  });

  it('refuses unknown flag bits with EINVAL before looking at the family', () => {
    const { kernel, task } = boot();
    const before = kernel.get_next_ino();
    expect(errnoOf(() => task.socket(AF_MAX, SOCK_DGRAM | 0x100000, 0), { syscall: true })).toBe(
      'socket: EINVAL',
    );
    // No inode was consumed: the flag check comes before sock_alloc().
    expect(kernel.get_next_ino()).toBe(before + 1);
  });

  it('EAFNOSUPPORT for a family outside 0..NPROTO-1, without allocating an inode', () => {
    const { kernel, task } = boot();
    const before = kernel.get_next_ino();
    expect(errnoOf(() => task.socket(-1, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(errnoOf(() => task.socket(AF_MAX, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(kernel.get_next_ino()).toBe(before + 1);
  });

  it('EINVAL for a type outside 0..SOCK_MAX-1 (family checked first)', () => {
    const { task } = boot();
    expect(errnoOf(() => task.socket(F, SOCK_MAX, 0))).toBe('EINVAL');
    expect(errnoOf(() => task.socket(F, 15, 0))).toBe('EINVAL');
    // 7 is unused but in range: the generic check passes it and the family refuses it.
    expect(errnoOf(() => task.socket(F, 7, 0))).toBe('ESOCKTNOSUPPORT');
    expect(errnoOf(() => task.socket(AF_MAX, SOCK_MAX, 0))).toBe('EAFNOSUPPORT');
  });

  it('an absent family: request_module("net-pf-N") fails, EAFNOSUPPORT, one inode number consumed', () => {
    const { kernel, task } = boot();
    const before = counters(kernel);
    const ino = kernel.get_next_ino();
    const { events, error } = kernel.trace(() => task.socket(12, SOCK_DGRAM, 0));
    expect(error).toMatchObject({ code: 'EAFNOSUPPORT' });
    expect(events.find((e) => e.name === 'request_module')).toMatchObject({
      args: '"net-pf-12"',
      ret: -2,
      errno: 'ENOENT',
    });
    expect(kernel.get_next_ino()).toBe(ino + 2);
    expect(counters(kernel)).toEqual(before);
  });

  it('PF_INET with SOCK_PACKET is rewritten to PF_PACKET (and logged once)', () => {
    const { kernel, task } = boot();
    const { events } = kernel.trace(() => task.socket(AF_INET, SOCK_PACKET, 0));
    expect(events.find((e) => e.name === 'request_module')?.args).toBe('"net-pf-17"');
    expect(kernel.log.filter((l) => l.includes('uses obsolete (PF_INET,SOCK_PACKET)'))).toHaveLength(1);
    expect(errnoOf(() => task.socket(AF_INET, SOCK_PACKET, 0))).toBe('EAFNOSUPPORT');
    expect(kernel.log.filter((l) => l.includes('obsolete'))).toHaveLength(1);
  });

  it("a refused create returns the family's errno and leaves every counter where it was", () => {
    const { kernel, task } = boot({ create_error: -EPROTONOSUPPORT });
    kernel.modules.load('af_test');
    const before = counters(kernel);
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EPROTONOSUPPORT');
    expect(counters(kernel)).toEqual(before);
  });

  it('the family module being unloaded (try_module_get(pf->owner) fails) gives EAFNOSUPPORT', () => {
    const { kernel, task } = boot();
    kernel.modules.load('af_test');
    const mod = kernel.modules.loaded[0]!;
    mod.state = 'Going';
    const before = counters(kernel);
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(counters(kernel)).toEqual(before);
    mod.state = 'Live';
  });

  it('ops owned by a module going away (try_module_get(sock->ops->owner) fails): EAFNOSUPPORT, sk leaked as in Linux', () => {
    const goneFam = testFamily(AF_MAX - 1, {}, 'af_gone');
    const kernel0 = new Kernel({ modules: [goneFam.module] });
    kernel0.modules.load('af_gone');
    const gone = kernel0.modules.loaded[0]!;
    const fam = testFamily(F, { ops_owner: gone });
    const kernel = new Kernel({ modules: [fam.module] });
    const task = kernel.spawn({});
    kernel.modules.load('af_test');
    gone.state = 'Going';
    const inodes = kernel.sock_inode_cache.active_objs;
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(kernel.sock_inode_cache.active_objs).toBe(inodes);
    expect(kernel.modules.list()[0]!.refcnt).toBe(1); // the leaked sk still pins its proto module
    expect(kernel.sk_allocated).toBe(1);
  });

  it('a create() that returns 0 without setting sock->ops: a WARN naming the family, EAFNOSUPPORT, nothing kept', () => {
    const { kernel, task } = boot({ forget_ops: true });
    kernel.modules.load('af_test');
    const before = counters(kernel);
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(counters(kernel)).toEqual(before);
    expect(kernel.log.slice(-3)).toEqual([
      '------------[ cut here ]------------',
      'AF_VSOCK: test_create() returned 0 without setting sock->ops',
      'WARNING: at net/socket.c __sock_create()',
    ]);
    expect(kernel.tainted).toBe(1 << 9); // TAINT_WARN
    expect(kernel.proc.read('/proc/sys/kernel/tainted')).toBe('512\n');
  });

  it.each([
    ['sock_alloc', 'ENFILE'],
    ['sk_alloc', 'ENOBUFS'],
    ['get_unused_fd_flags', 'EMFILE'],
    ['alloc_file_pseudo', 'ENOMEM'],
    ['request_module', 'EAFNOSUPPORT'],
  ])('fault injected at %s: %s, and everything taken is released', (site, code) => {
    const { kernel, task } = boot();
    if (site !== 'request_module') kernel.modules.load('af_test');
    const before = counters(kernel);
    const fds = task.files.count;
    kernel.faults.inject(site);
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe(code);
    expect(counters(kernel)).toEqual(before);
    expect(task.files.count).toBe(fds);
    // The next call succeeds: the fault fired once.
    const fd = task.socket(F, SOCK_DGRAM, 0);
    task.close(fd);
    if (site === 'request_module') expect(kernel.modules.list()[0]!.refcnt).toBe(0);
    else expect(counters(kernel)).toEqual(before);
  });

  it('security hooks can deny creation (EACCES) before or after the family runs', () => {
    const { kernel, task } = boot();
    kernel.modules.load('af_test');
    const before = counters(kernel);
    const remove = security_add_hooks(kernel, {
      name: 'deny-create',
      socket_create: (family) => (family === F ? -EACCES : 0),
    });
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EACCES');
    remove();
    security_add_hooks(kernel, { name: 'deny-post', socket_post_create: () => -EPERM });
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 0))).toBe('EPERM');
    expect(counters(kernel)).toEqual(before);
  });

  it('SOCK_CLOEXEC and SOCK_NONBLOCK set the fd and file flags', () => {
    const { task } = boot();
    const fd = task.socket(F, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    expect(task.fcntl(fd, F_GETFD)).toBe(FD_CLOEXEC);
    expect(task.fcntl(fd, F_GETFL)).toBe(O_RDWR | O_NONBLOCK);
    expect(task.kernel.proc.read(`/proc/${task.pid}/fdinfo/${fd}`, task)).toContain(
      `flags:\t0${(O_RDWR | O_NONBLOCK | O_CLOEXEC).toString(8)}`,
    );
    expect(errnoOf(() => task.recvfrom(fd, 10))).toBe('EAGAIN');
  });

  it('the family decides type and protocol errors', () => {
    const { task } = boot();
    expect(errnoOf(() => task.socket(F, SOCK_STREAM, 0))).toBe('ESOCKTNOSUPPORT');
    expect(errnoOf(() => task.socket(F, SOCK_DGRAM, 5))).toBe('EPROTONOSUPPORT');
  });

  it('refuses values a C caller could not pass, with a clear message', () => {
    const { task } = boot();
    for (const bad of [Number.NaN, 1.5, 2 ** 40, '2', undefined, null]) {
      expect(() => task.socket(bad as number, SOCK_DGRAM, 0)).toThrow(
        /socket: EINVAL \(family must be a 32-bit integer/,
      );
    }
    expect(() => task.close(Number.NaN)).toThrow(/close: EBADF/);
  });
});
