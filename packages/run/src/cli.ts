// cli.ts — the `ksock` command: `ksock run` and `ksock serve`.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kernel } from '@ksock/core';
import { discoverModules } from '@ksock/core/node';
import { select_modules } from './modules.js';
import { ensureNative, NativeBuildError } from './native.js';
import { BridgeServer, type PeerCred } from './server/server.js';

const USAGE = `usage:
  ksock run [--kernel SOCKET] [--trace FILE] [--modules a,b] [--uid N --gid N] -- CMD [ARGS...]
  ksock serve [--trace FILE] [--modules a,b] [--uid N --gid N] SOCKET

run     runs CMD with its socket calls served by a ksock kernel: a private one booted with every
        installed family package (or only --modules), or the one \`ksock serve\` runs at --kernel SOCKET.
        Exits with CMD's status.
serve   keeps one kernel running at SOCKET, for several \`ksock run --kernel SOCKET\` programs to share.

  --trace FILE    write the function graph of every call served to FILE, each line tagged comm-pid
  --modules a,b   the modules the kernel may load (their dependencies come along); default: all installed
  --uid N --gid N the credentials of every task (default: each program's own)`;

class UsageError extends Error {}

function int_opt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 0xfffffffe)
    throw new UsageError(`--${name} must be a uid/gid number, got ${v}`);
  return Number(v);
}

interface Common {
  trace?: string;
  modules?: string;
  uid?: string;
  gid?: string;
}

async function boot(o: Common, path: string, peercred: (fd: number) => PeerCred): Promise<BridgeServer> {
  const found = await discoverModules();
  const modules = o.modules === undefined ? found : select_modules(found, o.modules.split(','));
  const kernel = new Kernel({ modules });
  let trace: ((text: string) => void) | undefined;
  if (o.trace !== undefined) {
    const fd = openSync(o.trace, 'w');
    trace = (text) => writeSync(fd, text);
    process.once('exit', () => closeSync(fd));
  }
  const uid = int_opt(o.uid, 'uid');
  const gid = int_opt(o.gid, 'gid');
  const server = new BridgeServer({
    kernel,
    path,
    peercred,
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    ...(trace !== undefined ? { trace } : {}),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  await server.listen();
  return server;
}

function load_peercred(file: string): (fd: number) => PeerCred {
  const addon = createRequire(import.meta.url)(file) as { peercred: (fd: number) => PeerCred };
  return addon.peercred;
}

/** Run CMD with the library preloaded; resolves with the exit status a shell would report. */
function run_child(cmd: string[], preload: string, socket: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, KSOCK_SOCKET: socket };
  env.LD_PRELOAD = process.env.LD_PRELOAD ? `${preload}:${process.env.LD_PRELOAD}` : preload;
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, forward(sig));
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(
        `ksock: ${cmd[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : e.message}\n`,
      );
      resolve(127);
    });
    // Killed by a signal: 128 + its number, as a shell reports it.
    child.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
}

async function cmd_run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      kernel: { type: 'string' },
      trace: { type: 'string' },
      modules: { type: 'string' },
      uid: { type: 'string' },
      gid: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('ksock run: no command given');
  const native = ensureNative();
  if (values.kernel !== undefined) {
    for (const o of ['trace', 'modules', 'uid', 'gid'] as const)
      if (values[o] !== undefined)
        throw new UsageError(`ksock run: --${o} belongs to the kernel: give it to \`ksock serve\``);
    if (!existsSync(values.kernel) || !statSync(values.kernel).isSocket())
      throw new UsageError(
        `ksock run: no ksock kernel at ${values.kernel} (start one with \`ksock serve ${values.kernel}\`)`,
      );
    return run_child(positionals, native.preload, values.kernel);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ksock-'));
  const path = join(dir, 'kernel.sock');
  const server = await boot(values, path, load_peercred(native.peercred));
  try {
    return await run_child(positionals, native.preload, path);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cmd_serve(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      trace: { type: 'string' },
      modules: { type: 'string' },
      uid: { type: 'string' },
      gid: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('ksock serve: give one SOCKET path');
  const path = positionals[0]!;
  if (existsSync(path)) throw new UsageError(`ksock serve: ${path} already exists`);
  const native = ensureNative();
  const server = await boot(values, path, load_peercred(native.peercred));
  process.stderr.write(`ksock: serving a kernel at ${path} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  await server.close();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'run') return await cmd_run(rest);
    if (sub === 'serve') return await cmd_serve(rest);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(sub === undefined ? 'no subcommand given' : `unknown subcommand ${sub}`);
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof NativeBuildError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${(e as Error).message}\n${e instanceof UsageError ? `\n${USAGE}\n` : ''}`);
      return 2;
    }
    throw e;
  }
}
