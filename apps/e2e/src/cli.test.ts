// cli.test.ts — the `ksock` command as a user runs it: exit statuses, a missing command, --modules,
// `ksock serve` shared by two `ksock run --kernel` programs, and --trace.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@ksock/run';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, hostAccepts, line, PROGRAMS } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/run/src/main.ts');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@ksock/source', MAIN];
const tmp = mkdtempSync(join(tmpdir(), 'ksock-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ksock ARGS…` to completion (from the repository root, where the family packages are installed). */
function ksock(...args: string[]): Promise<Out> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, ...args],
      { cwd: ROOT, timeout: 20_000 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string }) | null;
        resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr });
      },
    );
  });
}

function ksockBackground(...args: string[]): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('ksock run', () => {
  it('exits with the command’s status, and 128+N when a signal killed it', async () => {
    // In this process: `main` is what the bin runs.
    expect(await main(['run', '--', 'sh', '-c', 'exit 7'])).toBe(7);
    expect(await main(['run', '--', 'sh', '-c', 'kill -USR1 $$'])).toBe(128 + 10);
    expect(await main(['run', '--', 'sh', '-c', 'kill -TERM $$'])).toBe(128 + 15);
  });

  it('a command that does not exist: 127 and a message naming it', async () => {
    const r = await ksock('run', '--', 'no-such-command-ksock');
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('ksock: no-such-command-ksock: command not found\n');
  });

  it('every installed family by default: asyncio still gets its AF_UNIX socketpair from the host', async () => {
    // The repository installs the example AF_UNIX family (datagrams only): a stream socketpair is the host's.
    const r = await ksock(
      'run',
      '--',
      'python3',
      '-c',
      'import asyncio, socket; asyncio.run(asyncio.sleep(0)); print(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--modules limits the kernel: a family not named is not served, and reaches the host', async () => {
    const dump = join(PROGRAMS, 'rtnl_dump.py');
    const host = await new Promise<string>((resolve) =>
      execFile('python3', [dump], (_e, stdout) => resolve(stdout)),
    );
    const names = (out: string) => (JSON.parse(out).links as Array<{ name: string }>).map((l) => l.name);
    // Only af_inet: AF_NETLINK is the host's (its links), AF_INET is ksock's.
    const r = await ksock('run', '--modules', 'af_inet', '--', 'python3', dump);
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(names(host));
    const inet = await ksock(
      'run',
      '--modules',
      'af_inet',
      '--',
      'python3',
      '-c',
      'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(open("/proc/net/tcp").read())',
    );
    expect(inet.stdout).toMatch(/^\s+0: 0100007F:[0-9A-F]{4} 00000000:0000 0A /m);
    // The default kernel serves AF_NETLINK: only lo.
    expect(names((await ksock('run', '--', 'python3', dump)).stdout)).toEqual(['lo']);
    const bad = await ksock('run', '--modules', 'no_such_module', '--', 'true');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--modules: no installed module named no_such_module');
  });

  it('--trace FILE writes the function graph, each line tagged with the calling program', async () => {
    const file = join(tmp, 'ip.trace');
    const r = await ksock('run', '--trace', file, '--', 'ip', 'link', 'show');
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\s+ip-\d+ \| .*__sys_socket/m);
    expect(text).toContain('netlink_recvmsg');
  });
});

describe('ksock serve', () => {
  it('one kernel for two `ksock run --kernel` programs: a Python server and its client', async () => {
    const sock = join(tmp, 'k.sock');
    const server = ksockBackground('serve', sock);
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        server.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('serving a kernel')) resolve();
        });
        server.once('exit', () => reject(new Error(err)));
      });
      const echo = ksockBackground(
        'run',
        '--kernel',
        sock,
        '--',
        'python3',
        join(PROGRAMS, 'tcp_echo.py'),
        'server',
      );
      const port = Number((await line(echo, /listening (\d+)/))[1]);
      expect(await hostAccepts(port)).toBe(false);
      const client = await ksock(
        'run',
        '--kernel',
        sock,
        '--',
        'python3',
        join(PROGRAMS, 'tcp_echo.py'),
        'client',
        String(port),
      );
      expect(client.stdout).toBe('hello from a python client\n');
      expect(await exited(echo)).toBe(0);
      // --trace belongs to the kernel: `ksock run --kernel` refuses it.
      const wrong = await ksock('run', '--kernel', sock, '--trace', join(tmp, 'x'), '--', 'true');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('--trace belongs to the kernel');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited(server)).toBe(0);
    expect(existsSync(sock)).toBe(false);
    const gone = await ksock('run', '--kernel', sock, '--', 'true');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no ksock kernel at ${sock}`);
  });
});
