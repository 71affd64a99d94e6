/** The module as a whole: loading, discovery metadata, ABI, /proc files, the sysctl, tracing, faults. */
import { AF_UNIX, CLONE_NEWNET, Kernel, SOCK_DGRAM } from '@ksock/core';
import { KSOCK_ABI } from '@ksock/core/kernel';
import { checkPackageModules, errnoOf } from '@ksock/core/testing';
import pkg from 'ksock-example-af-unix-dgram/package.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import unix, { unix_module } from './index.js';
import { unix_nets } from './state.js';
import { boot, bytes, dgram } from './test_util.js';
import { sockaddr_un_abstract } from './uapi.js';

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
  }
}

describe('the unix module', () => {
  it('is a valid descriptor that package.json declares for discoverModules()', () => {
    expect(checkPackageModules(pkg, unix)).toEqual([]);
    expect(unix_module.version).toBe(pkg.version);
    expect(Object.isFrozen(unix_module)).toBe(true);
    expect(unix_module.abi.split('.')[0]).toBe(KSOCK_ABI.split('.')[0]);
  });

  it('declares the peer range the plugin guide shows', () => {
    const guide = Object.values(
      import.meta.glob('../../../docs/plugin-authoring.md', {
        query: '?raw',
        import: 'default',
        eager: true,
      }),
    )[0] as string;
    const shown = /"peerDependencies": \{ "@ksock\/core": "([^"]+)" \}/.exec(guide);
    expect(shown?.[1]).toBe(pkg.peerDependencies['@ksock/core']);
  });

  it('autoloads on net-pf-1, registers PF_UNIX and the UNIX proto, and unloads cleanly', () => {
    const { k, t } = boot();
    expect(k.modules.list()).toEqual([]);
    const fd = dgram(t);
    expect(k.modules.list()).toEqual([{ name: 'unix', refcnt: 2, state: 'Live', usedBy: [] }]);
    expect(k.log).toContain('NET: Registered AF_UNIX protocol family');
    const row = k.proc
      .read('/proc/net/protocols')
      .split('\n')
      .find((l) => l.startsWith('UNIX '));
    // Linux 6.18: "UNIX      1152      0      -1   NI       0   yes  kernel      y  n  n …" (built in there).
    expect(row).toMatch(/^UNIX\s+1152\s+1\s+-1\s+NI\s+0\s+yes\s+unix\s+y(\s+n){17}$/);
    expect(errnoOf(() => t.rmmod('unix'))).toBe('EAGAIN');
    t.close(fd);
    t.rmmod('unix');
    expect(k.proto_list.map((p) => p.name)).not.toContain('UNIX');
    expect(k.sysctl.has('net/unix/max_dgram_qlen')).toBe(false);
    expect(errnoOf(() => k.proc.read('/proc/net/unix'))).toBe('ENOENT');
    expect(errnoOf(() => t.close(dgram(t)))).toBe('OK');
  });

  it('fails to load, leaving nothing registered, when /proc/net/unix is already taken', () => {
    const { k, t } = boot();
    k.proc.create_net('unix', () => 'someone else\n');
    expect(errnoOf(() => t.modprobe('unix'))).toBe('ENOMEM');
    expect(k.modules.list()).toEqual([]);
    expect(k.net_families[AF_UNIX]).toBeNull();
    expect(k.proto_list.map((p) => p.name)).not.toContain('UNIX');
    expect(k.sysctl.has('net/unix/max_dgram_qlen')).toBe(false);
    expect(unix_nets.has(k.init_net)).toBe(false);
  });

  it('is refused by a core whose ABI major differs (ENOEXEC, both versions named)', () => {
    const k = new Kernel({ modules: { ...unix_module, abi: '2.0' } });
    const t = k.spawn();
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT');
    expect(k.log.join('\n')).toMatch(/built for core ABI 2\.0, core is 1\./);
  });

  it('keeps separate state in separate kernels', () => {
    const a = boot();
    const b = boot();
    a.t.bind(dgram(a.t), sockaddr_un_abstract('same'));
    expect(errnoOf(() => b.t.bind(dgram(b.t), sockaddr_un_abstract('same')))).toBe('OK');
  });

  it('net.unix.max_dgram_qlen is per namespace and applies to sockets created after it changes', () => {
    const { k, t } = boot();
    dgram(t);
    expect(k.proc.read('/proc/sys/net/unix/max_dgram_qlen')).toBe('10\n');
    const old = dgram(t);
    t.bind(old, sockaddr_un_abstract('old'));
    t.sysctl('net.unix.max_dgram_qlen', '2');
    const r = dgram(t);
    t.bind(r, sockaddr_un_abstract('r'));
    const s = dgram(t);
    for (let i = 0; i < 3; i++) t.sendto(s, bytes('x'), 0, sockaddr_un_abstract('r'));
    expect(errnoOf(() => t.sendto(s, bytes('x'), 0, sockaddr_un_abstract('r')))).toBe('EAGAIN');
    for (let i = 0; i < 4; i++) t.sendto(s, bytes('x'), 0, sockaddr_un_abstract('old'));
    const child = k.spawn();
    child.unshare(CLONE_NEWNET);
    expect(k.proc.read('/proc/sys/net/unix/max_dgram_qlen', child)).toBe('10\n');
    expect(errnoOf(() => t.sysctl('net.unix.max_dgram_qlen', 'many'))).toBe('EINVAL');
  });

  it('shows its functions in the trace under their kernel names', () => {
    const { k, t } = boot();
    const tr = k.trace(() => {
      const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
      t.sendto(a, bytes('hi'));
      t.recvfrom(b, 10);
      t.close(a);
      t.close(b);
    });
    expect(tr.error).toBeUndefined();
    const names = new Set(tr.events.map((e) => e.name));
    for (const fn of [
      'unix_create',
      'unix_create1',
      'sk_alloc',
      'unix_socketpair',
      'unix_dgram_sendmsg',
      'unix_dgram_recvmsg',
      'unix_release',
      'unix_release_sock',
    ])
      expect(names).toContain(fn);
    expect(tr.text).toMatch(/unix_create\(type=2, protocol=0, kern=0\) \{/);
    // The inline prologue and call_ops together record each call once.
    expect(tr.events.filter((e) => e.name === 'unix_dgram_sendmsg')).toHaveLength(1);
    expect(tr.events.filter((e) => e.name === 'unix_dgram_recvmsg')).toHaveLength(1);
  });

  it('unwinds an allocation failure in bind and in sendmsg', () => {
    const { k, t } = boot();
    const fd = dgram(t);
    k.faults.inject('unix_create_addr');
    expect(errnoOf(() => t.bind(fd, sockaddr_un_abstract('x')))).toBe('ENOMEM');
    t.bind(fd, sockaddr_un_abstract('x'));
    k.faults.inject('sock_alloc_send_pskb');
    expect(errnoOf(() => t.sendto(fd, bytes('x'), 0, sockaddr_un_abstract('x')))).toBe('ENOBUFS');
    expect(t.sendto(fd, bytes('x'), 0, sockaddr_un_abstract('x'))).toBe(1);
  });

  it('refuses sockets beyond 2 × fs.file-max with ENFILE', () => {
    const k = new Kernel({ modules: unix, file_max: 4 });
    const t = k.spawn();
    const [a, b] = t.socketpair(AF_UNIX, SOCK_DGRAM, 0);
    t.close(a);
    // b's sock still holds a's (its peer) alive: both count, as unix_nr_socks counts socks, not files.
    t.sysctl('fs.file-max', '1');
    expect(errnoOf(() => t.socket(AF_UNIX, SOCK_DGRAM, 0))).toBe('ENFILE');
    t.close(b);
    // Root may exceed fs.file-max for files; the limit that refused was af_unix's own count of socks.
    expect(errnoOf(() => t.close(dgram(t)))).toBe('OK');
  });
});
