// python.test.ts — python3, unmodified, on a ksock kernel: TCP and UDP between two processes, a raw
// NETLINK_ROUTE dump, the interface answers glibc computes itself, waiting on ksock sockets, fork, exec and
// signals. Each case checks something only the ksock kernel has, and that everything comes back.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  counters,
  exited,
  hostAccepts,
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
const py = (name: string) => join(PROGRAMS, name);
const json = async (name: string, ...args: string[]) => {
  const r = await run(s, 'python3', [py(name), ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  s = await serve();
  // A device only this kernel has, and every family module loaded once (modules stay loaded, as in Linux).
  expect((await run(s, 'ip', ['link', 'add', 'kspy0', 'type', 'dummy'])).code).toBe(0);
  expect((await run(s, 'python3', [py('waiting.py')])).code).toBe(0);
  expect((await run(s, 'python3', [py('fork_exec.py')])).code).toBe(0); // loads cn
  await settled(s);
});
afterAll(async () => {
  await s?.close();
});

/** Run `body`, then check that every counter is back where it was. */
async function balanced(body: () => Promise<void>): Promise<void> {
  await settled(s);
  const before = counters(s);
  await body();
  await settled(s);
  expect(counters(s)).toEqual(before);
}

describe('python3 on ksock', () => {
  it('a TCP echo server and its client, two processes on one kernel', () =>
    balanced(async () => {
      const server = start(s, 'python3', [py('tcp_echo.py'), 'server']);
      const port = Number((await line(server, /listening (\d+)/))[1]);
      // The listener is the ksock kernel's: its /proc/net/tcp lists it, the host's loopback refuses.
      expect(procTcpPorts(s)).toContain(port);
      expect(await hostAccepts(port)).toBe(false);
      const client = await run(s, 'python3', [py('tcp_echo.py'), 'client', String(port)]);
      expect(client.stderr).toBe('');
      expect(client.stdout).toBe('hello from a python client\n');
      expect(await exited(server)).toBe(0);
    }));

  it('a UDP request and its reply', () =>
    balanced(async () => {
      const server = start(s, 'python3', [py('udp_echo.py'), 'server']);
      const port = Number((await line(server, /bound (\d+)/))[1]);
      const client = await run(s, 'python3', [py('udp_echo.py'), 'client', String(port)]);
      expect(client.stdout).toBe(`PING ${port}\n`);
      expect(await exited(server)).toBe(0);
    }));

  it('a raw NETLINK_ROUTE socket dumps the ksock kernel’s links', () =>
    balanced(async () => {
      const out = await json('rtnl_dump.py');
      const devs = s.kernel.init_net.dev_base;
      expect(out.links.map((l: { name: string }) => l.name)).toEqual(devs.map((d) => d.name));
      expect(out.links.map((l: { index: number }) => l.index)).toEqual(devs.map((d) => d.ifindex));
      expect(out.links.map((l: { name: string }) => l.name)).toContain('kspy0');
    }));

  it('socket.if_nameindex, if_nametoindex and if_indextoname answer from the ksock kernel', () =>
    balanced(async () => {
      const out = await json('ifaces.py');
      const devs = s.kernel.init_net.dev_base;
      expect(out.nameindex).toEqual(devs.map((d) => [d.ifindex, d.name]));
      for (const d of devs) {
        expect(out.nametoindex[d.name]).toBe(d.ifindex);
        expect(out.indextoname[String(d.ifindex)]).toBe(d.name);
      }
      expect(out.missing_raises).toBe(true);
    }));

  it('select, poll, epoll and asyncio wait on ksock sockets; a non-blocking connect ends in SO_ERROR', () =>
    balanced(async () => {
      expect(await json('waiting.py')).toEqual({
        select_idle: true,
        select_ready: true,
        poll_ready: true,
        poll_drained: true,
        epoll_idle: true,
        epoll_ready: true,
        connect_closed: 'EINPROGRESS',
        so_error_closed: 'ECONNREFUSED',
        connect_listener: 'EINPROGRESS',
        so_error_listener: 0,
        asyncio: 'oicnysa',
      });
    }));

  it('fork forks the task (cn_proc reports it, the child uses the shared file); exec keeps what it should', () =>
    balanced(async () => {
      const out = await json('fork_exec.py');
      // cn_proc's fork event names ksock tasks: the parent is the task that bound the connector socket.
      const [ppid, ptgid, cpid, ctgid] = out.fork as number[];
      expect(ppid).toBe(out.ksock_pid);
      expect(ptgid).toBe(out.ksock_pid);
      expect(ctgid).toBe(cpid);
      expect(cpid).not.toBe(out.host_child);
      expect(out.child_said).toBe(out.port);
      expect(out.exec).toEqual({ kept: out.keep_port, dropped: true });
    }));

  it('a blocking recv: EINTR from a signal without SA_RESTART, restarted with it', () =>
    balanced(async () => {
      const out = await json('signals.py');
      expect(out.without_restart).toMatchObject({ ret: -1, errno: 'EINTR' });
      expect(out.without_restart.waited).toBeLessThan(0.5);
      expect(out.with_restart).toMatchObject({ ret: 4, data: 'late' });
      expect(out.with_restart.waited).toBeGreaterThanOrEqual(0.5);
    }));
});
