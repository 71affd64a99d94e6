/**
 * The bridge rows: the same C program (c/linux_bench.c) run on the host and under @ksock/run's LD_PRELOAD
 * library, against a kernel served by src/serve.ts in a Node process of its own. The bench's main process
 * runs the C program synchronously, so the kernel must not share its thread.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');

/** A kernel served at `socket` by a child Node process. */
export interface ServedKernel {
  socket: string;
  /** The interposition library to preload. */
  preload: string;
  /** The environment a program runs in to have its socket calls served by this kernel. */
  env: NodeJS.ProcessEnv;
  /** Requests the server has answered so far (every bridged call is one). */
  served(): Promise<number>;
  /** Stop serving; resolves when the server process has exited (and written its profile, if any). */
  close(): Promise<void>;
}

/** One JSON line from the server process, or an error when it exits first or takes over `ms`. */
function nextLine(child: ChildProcess, lines: Interface, ms: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
    };
    const onLine = (l: string) => {
      done();
      try {
        resolve(JSON.parse(l) as Record<string, unknown>);
      } catch {
        reject(new Error(`serve.ts printed ${JSON.stringify(l)}`));
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`serve.ts exited (${code}) before answering`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('serve.ts did not answer in time'));
    }, ms);
    lines.on('line', onLine);
    child.on('exit', onExit);
  });
}

/**
 * Start src/serve.ts (a fresh kernel with the bench's family packages). `nodeArgs` go to its Node
 * (`--cpu-prof`, say).
 */
export async function serveKernel(nodeArgs: readonly string[] = []): Promise<ServedKernel> {
  const dir = mkdtempSync(join(tmpdir(), 'ksock-bench-serve-'));
  const socket = join(dir, 'kernel.sock');
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--conditions=@ksock/source', '--import', 'tsx', join(here, 'serve.ts'), socket],
    { cwd: pkgDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout! });
  let ready: Record<string, unknown>;
  try {
    ready = await nextLine(child, lines, 60_000);
  } catch (e) {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
  }
  const preload = String(ready.preload);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    socket,
    preload,
    env: { ...process.env, LD_PRELOAD: preload, KSOCK_SOCKET: socket },
    async served() {
      child.stdin!.write('served\n');
      return Number((await nextLine(child, lines, 10_000)).served);
    },
    async close() {
      child.stdin!.end();
      const t = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The command line of `npm run ksock` (root package.json) without npm itself: Node, tsx, the CLI. */
export function ksockCli(repoRoot: string): string[] {
  return [
    process.execPath,
    '--conditions=@ksock/source',
    '--import',
    'tsx',
    join(repoRoot, 'packages', 'run', 'src', 'main.ts'),
  ];
}
