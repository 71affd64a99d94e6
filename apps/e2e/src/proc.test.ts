// proc.test.ts — /proc and glibc's internal answers under ksock run: sysctl, lsmod and ss read the ksock
// kernel's /proc, readlink of a socket's fd link gives ksock's inode, interface names come from ksock.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  counters,
  exited,
  line,
  PROGRAMS,
  procTcpPorts,
  run,
  type Served,
  serve,
  settled,
  start,
} from './harness.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
  expect((await run(s, 'ip', ['link', 'add', 'ksproc0', 'type', 'dummy'])).code).toBe(0);
  await run(s, 'python3', ['-c', 'import socket; socket.socket()']);
  await settled(s);
});
afterAll(async () => {
  await s?.close();
});

async function balanced(body: () => Promise<void>): Promise<void> {
  await settled(s);
  const before = counters(s);
  await body();
  await settled(s);
  expect(counters(s)).toEqual(before);
}

describe('/proc on ksock', () => {
  it('sysctl net.core.rmem_max reads the ksock kernel’s value', () =>
    balanced(async () => {
      // A value no host has by default (Linux's is 212992): set in the ksock kernel only.
      expect(s.kernel.sysctl.write(s.kernel, 'net/core/rmem_max', '424243')).toBe(0);
      const r = await run(s, 'sysctl', ['net.core.rmem_max']);
      expect(r.stdout).toBe('net.core.rmem_max = 424243\n');
      expect((await run(s, 'cat', ['/proc/sys/net/core/rmem_max'])).stdout).toBe('424243\n');
      // Writes are not bridged: refused, and the value stays.
      const w = await run(s, 'sysctl', ['-w', 'net.core.rmem_max=1000']);
      expect(w.code).not.toBe(0);
      expect(s.kernel.sysctl_rmem_max).toBe(424243);
    }));

  it('lsmod lists the ksock kernel’s modules', () =>
    balanced(async () => {
      const r = await run(s, 'lsmod', []);
      expect(r.code).toBe(0);
      const names = r.stdout
        .split('\n')
        .slice(1)
        .filter((l) => l !== '')
        .map((l) => l.split(/\s+/)[0]);
      expect(names.sort()).toEqual(
        s.kernel.modules
          .list()
          .map((m) => m.name)
          .sort(),
      );
      expect(names).toContain('af_inet');
      expect((await run(s, 'cat', ['/proc/modules'])).stdout).toBe(s.kernel.proc.read('/proc/modules'));
    }));

  it('ss -tln shows a ksock listener (read from /proc/net/tcp: ksock has no NETLINK_SOCK_DIAG)', () =>
    balanced(async () => {
      const prog = start(s, 'python3', [join(PROGRAMS, 'fd_link.py')]);
      try {
        const out = JSON.parse((await line(prog, /^\{.*\}$/m))[0]);
        expect(procTcpPorts(s)).toContain(out.port);
        const r = await run(s, 'ss', ['-tln']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`LISTEN .* 127\\.0\\.0\\.1:${out.port} `));
        expect(r.stdout.trim().split('\n')).toHaveLength(2);
        // ss first asks NETLINK_SOCK_DIAG, which ksock's af_netlink refuses as a kernel without it would.
        expect(r.stderr).toBe('Cannot open netlink socket: Protocol not supported\n');
      } finally {
        prog.stdin?.end('\n');
      }
      expect(await exited(prog)).toBe(0);
    }));

  it('readlink of /proc/self/fd/N gives socket:[ino] with the ksock inode; /proc/net/tcp is ksock’s', () =>
    balanced(async () => {
      const prog = start(s, 'python3', [join(PROGRAMS, 'fd_link.py')]);
      const out = JSON.parse((await line(prog, /^\{.*\}$/m))[0]);
      // The inode of the ksock socket bound to that port, in the ksock kernel's /proc/net/tcp.
      const row = s.kernel.proc
        .read('/proc/net/tcp')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((f) => f[1]?.endsWith(`:${out.port.toString(16).toUpperCase().padStart(4, '0')}`));
      const ino = row?.[9];
      expect(ino).toBeDefined();
      expect(out.self).toBe(`socket:[${ino}]`);
      expect(out.pid).toBe(`socket:[${ino}]`);
      expect(String(out.host_ino)).not.toBe(ino);
      expect(out.tcp).toBe(s.kernel.proc.read('/proc/net/tcp'));
      expect(out.self_net_tcp).toBe(out.tcp);
      prog.stdin?.end('\n');
      expect(await exited(prog)).toBe(0);
    }));
});
