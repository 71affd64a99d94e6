// harness.ts — a ksock kernel served in the test process, and host programs run against it.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bluetooth from '@ksock/af-bluetooth';
import inet from '@ksock/af-inet';
import netlink from '@ksock/af-netlink';
import { Kernel } from '@ksock/core';
import { BridgeServer, ensureNative, type PeerCred } from '@ksock/run';

export interface Served {
  kernel: Kernel;
  server: BridgeServer;
  socket: string;
  env: NodeJS.ProcessEnv;
  trace: string[];
  /** What the server logged (dropped clients, refused peers). */
  log: string[];
  close(): Promise<void>;
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Boot a kernel with the three families and serve it on a private socket. */
export async function serve(
  opts: { trace?: boolean; kernel?: Kernel; uid?: number; gid?: number } = {},
): Promise<Served> {
  const native = ensureNative();
  const peercred = (createRequire(import.meta.url)(native.peercred) as { peercred: (fd: number) => PeerCred })
    .peercred;
  const kernel = opts.kernel ?? new Kernel({ modules: [netlink, inet, bluetooth], random_seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'ksock-e2e-'));
  const socket = join(dir, 'kernel.sock');
  const trace: string[] = [];
  const log: string[] = [];
  const server = new BridgeServer({
    kernel,
    path: socket,
    peercred,
    ...(opts.trace ? { trace: (t: string) => trace.push(t) } : {}),
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    log: (m: string) => log.push(m),
  });
  await server.listen();
  const env = { ...process.env, LD_PRELOAD: native.preload, KSOCK_SOCKET: socket };
  return {
    kernel,
    server,
    socket,
    env,
    trace,
    log,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run a program to completion against the served kernel (never blocking the event loop the server needs). */
export function run(s: Served, cmd: string, args: readonly string[], input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: s.env, timeout: 20_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Start a long-running program (a server) against the served kernel. */
export function start(s: Served, cmd: string, args: readonly string[]): ChildProcess {
  return spawn(cmd, args, { env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The same program on the host, in a fresh network namespace (`unshare -n`, root). */
export function host(cmd: string, args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile('unshare', ['-n', '--', cmd, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      resolve({
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
        signal: null,
        stdout,
        stderr,
      });
    });
  });
}

/** What must come back to where it was after programs exit: files, socks, tasks, module references. */
export function counters(s: Served): Record<string, number> {
  const k = s.kernel;
  const out: Record<string, number> = {
    nr_files: k.nr_files,
    sk_allocated: k.sk_allocated,
    tasks: k.tasks.size,
    bridged_processes: s.server.processes.size,
    placeholders: s.server.placeholders.size,
  };
  for (const m of k.modules.list()) out[`module ${m.name}`] = m.refcnt;
  return out;
}

/** Wait until every program has gone from the server (its end of file and exit seen), or 5 s. */
export async function settled(s: Served): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (s.server.processes.size === 0 && s.server.placeholders.size === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Python (and other) programs the tests run, beside src/. */
export const PROGRAMS = fileURLToPath(new URL('../programs/', import.meta.url));

/** Wait (at most `ms`) for a line of the child's stdout matching `re`; resolves with the match. */
export function line(child: ChildProcess, re: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', on);
      child.off('exit', onexit);
      fn();
    };
    const on = (chunk: Buffer) => {
      buf += chunk.toString();
      const m = buf.match(re);
      if (m !== null) done(() => resolve(m));
    };
    const onexit = () => done(() => reject(new Error(`exited before printing ${re}: ${buf}${err}`)));
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const timer = setTimeout(
      () => done(() => reject(new Error(`no ${re} within ${ms} ms: ${buf}${err}`))),
      ms,
    );
    child.stdout?.on('data', on);
    child.once('exit', onexit);
  });
}

/** The child's exit (code, or 128+signal as a shell reports it), killing it after `ms`. */
export function exited(child: ChildProcess, ms = 10_000): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]));
    });
  });
}

/** Whether the host's own loopback accepts a TCP connection on `port` (a ksock listener must not). */
export function hostAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = netConnect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
    c.setTimeout(2000, () => {
      c.destroy();
      resolve(false);
    });
  });
}

/** The local ports of the TCP sockets /proc/net/tcp lists in state `st` (0A: listening) in the ksock kernel. */
export function procTcpPorts(s: Served, st = '0A'): number[] {
  return s.kernel.proc
    .read('/proc/net/tcp')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[3] === st)
    .map((f) => Number.parseInt(f[1]!.split(':')[1]!, 16));
}
