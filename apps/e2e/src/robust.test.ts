// robust.test.ts — bad input and faults: a client that breaks the protocol is dropped alone, a program
// killed in the middle of a call gives everything back, a server that goes away makes calls fail with a
// message naming it, strangers are refused, and a hundred programs at once leave no trace.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counters, exited, line, PROGRAMS, run, type Served, serve, settled, start } from './harness.js';

let s: Served;
const py = (name: string) => join(PROGRAMS, name);
/** The interpreter itself (not a version manager's shell shim): a hundred of them start quickly. */
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();

let churn: string;
let bin: string;
beforeAll(async () => {
  // A C program starts in a millisecond, so a hundred at once measure the kernel server, not interpreters.
  bin = mkdtempSync(join(tmpdir(), 'ksock-churn-'));
  churn = join(bin, 'churn');
  execFileSync('cc', ['-O2', '-o', churn, py('churn.c')]);
  s = await serve();
  expect((await run(s, PYTHON, [py('churn.py')])).code).toBe(0); // af_inet, af_netlink, rtnetlink load
  await settled(s);
});
afterAll(async () => {
  await s?.close();
  rmSync(bin, { recursive: true, force: true });
});

async function balanced(body: () => Promise<void>): Promise<void> {
  await settled(s);
  const before = counters(s);
  await body();
  await settled(s);
  expect(counters(s)).toEqual(before);
}

describe('bad input and faults', () => {
  for (const how of ['malformed', 'truncated'] as const) {
    it(`a ${how} frame drops that client only: its task exits and its sockets go; others are served`, () =>
      balanced(async () => {
        const rogue = start(s, PYTHON, [py('rogue.py'), how]);
        const { port } = JSON.parse((await line(rogue, /^\{.*\}$/m))[0]);
        const pid = rogue.pid!;
        const task = s.server.processes.get(pid)?.task;
        expect(task?.state).toBe('running');
        rogue.stdin!.write('\n');
        const out = JSON.parse((await line(rogue, /^\{"port".*"after".*\}$/m))[0]);
        expect(out.hello).toBe(0);
        expect(out.eof).toBe(true);
        expect(out.after).toBe(5); // EIO: the process has lost the kernel
        expect(s.server.processes.has(pid)).toBe(false);
        expect(task?.state).not.toBe('running');
        expect(s.log.some((l) => l.startsWith(`ksock: dropping pid ${pid}:`))).toBe(true);
        // Its port is free again, while the program still runs; another client is served meanwhile.
        expect(rogue.exitCode).toBe(null);
        const again = await run(s, PYTHON, [
          '-c',
          `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", ${port}))`,
        ]);
        expect(again.stderr).toBe('');
        expect((await run(s, PYTHON, [py('churn.py')])).code).toBe(0);
        expect(await exited(rogue)).toBe(0);
      }));
  }

  it('a program killed with SIGKILL in a blocking call releases its task, ports and portids', () =>
    balanced(async () => {
      const p = start(s, PYTHON, [py('blocked.py')]);
      const [, tcp, udp, portid] = (await line(p, /blocking (\d+) (\d+) (\d+)/)).map(Number);
      expect(s.server.processes.get(p.pid!)?.task.state).toBe('running');
      await new Promise((r) => setTimeout(r, 100)); // let the recv reach the kernel and sleep there
      p.kill('SIGKILL');
      expect(await exited(p)).toBe(128 + 9);
      await settled(s);
      // The same port numbers and portid can be taken again.
      const r = await run(s, PYTHON, [
        '-c',
        `import socket
l = socket.socket(); l.bind(("127.0.0.1", ${tcp})); l.listen()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", ${udp}))
socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).bind((${portid}, 0))`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }));

  it('when the server goes away, calls fail with a message naming its socket, in flight or later', async () => {
    const k = await serve();
    const p = spawnBlocked(k);
    await line(p, /blocking/);
    await new Promise((r) => setTimeout(r, 100));
    let err = '';
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await k.close();
    // The blocked recv fails (EIO, from the library), Python's traceback says so, and the program ends.
    expect(await exited(p, 5000)).toBe(1);
    expect(err).toContain(`ksock: the ksock server at ${k.socket} closed the connection`);
    expect(err).toContain('OSError: [Errno 5] Input/output error');
    // A program started now cannot reach it: its ksock calls fail, none reaches the host.
    const late = await run(k, 'ip', ['link', 'show']);
    expect(late.code).not.toBe(0);
    expect(late.stderr).toContain(`ksock: cannot reach the ksock server at ${k.socket}`);
    expect(late.stdout).toBe('');
  });

  it('the kernel socket is 0600 in a 0700 directory', () => {
    expect(statSync(s.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(s.socket)).mode & 0o777).toBe(0o700);
    expect(statSync(s.socket).isSocket()).toBe(true);
  });

  it('a peer whose uid is not the server’s is refused, and its calls do not reach the host', async () => {
    const k = await serve();
    // Open the way for uid 65534 so that only the credential check stands between it and the kernel.
    const lib = mkdtempSync(join(tmpdir(), 'ksock-lib-'));
    try {
      chmodSync(lib, 0o755);
      copyFileSync(k.env.LD_PRELOAD!, join(lib, 'libksock.so'));
      chmodSync(dirname(k.socket), 0o755);
      chmodSync(k.socket, 0o666);
      const env = { ...k.env, LD_PRELOAD: join(lib, 'libksock.so') };
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = start({ ...k, env }, 'setpriv', [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          'ip',
          'link',
          'show',
        ]);
        let stdout = '';
        let stderr = '';
        c.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        c.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        exited(c).then((code) => resolve({ code, stdout, stderr }));
      });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `ksock: the ksock server at ${k.socket} refused this process: Permission denied`,
      );
      expect(r.stderr).toContain('Cannot open netlink socket: Input/output error');
      expect(k.log.some((l) => /refused pid \d+: its uid 65534 is not the server's \(0\)/.test(l))).toBe(
        true,
      );
      // setpriv itself ran as root and was served until it exec'ed ip as uid 65534; nothing stays.
      await settled(k);
      expect(k.server.processes.size).toBe(0);
    } finally {
      await k.close();
      rmSync(lib, { recursive: true, force: true });
    }
  });

  it('a hundred concurrent programs, each opening and closing sockets, leave every counter as it was', () =>
    balanced(async () => {
      const runs = await Promise.all(Array.from({ length: 100 }, () => run(s, churn, [])));
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    }));
});

function spawnBlocked(k: Served) {
  return start(k, PYTHON, [py('blocked.py')]);
}
