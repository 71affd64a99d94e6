/**
 * The Linux side: c/linux_bench.c compiled with gcc into a temporary directory at the start of the run,
 * then run once per operation; each run prints one JSON line (see the C file for the protocol).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const C_SOURCE = join(here, '..', 'c', 'linux_bench.c');

/** One line of the C program's output. */
export interface LinuxResult {
  op: string;
  ops_per_sec?: number;
  samples?: number[];
  /** Set when the host kernel refused the socket (no such family or protocol). */
  unsupported?: boolean;
  error?: string;
  errno?: number;
  [key: string]: unknown;
}

/** Parse the C program's output: the last line that is a JSON object with an `op`. */
export function parseLinuxOutput(text: string): LinuxResult {
  const lines = text.split('\n').filter((l) => l.trim().startsWith('{'));
  const last = lines.at(-1);
  if (last === undefined)
    throw new Error(`linux_bench printed no result: ${JSON.stringify(text.slice(0, 200))}`);
  const v = JSON.parse(last) as unknown;
  if (typeof v !== 'object' || v === null || typeof (v as { op?: unknown }).op !== 'string')
    throw new Error(`linux_bench printed something else: ${last}`);
  const r = v as LinuxResult;
  if (r.ops_per_sec !== undefined && !(typeof r.ops_per_sec === 'number' && r.ops_per_sec >= 0))
    throw new Error(`linux_bench: bad ops_per_sec in ${last}`);
  return r;
}

/**
 * The wall time in seconds of one `linux_bench exec` run, or why there is none: the command failed to
 * start (127) or exited with another non-zero status.
 */
export function execSeconds(r: LinuxResult): { seconds: number } | { error: string } {
  if (r.error !== undefined) return { error: r.error };
  if (r.status === 127) return { error: 'command not found' };
  if (r.status !== 0) return { error: `exit status ${String(r.status)}` };
  if (typeof r.seconds !== 'number' || !(r.seconds >= 0)) return { error: 'no time reported' };
  return { seconds: r.seconds };
}

export class LinuxBench {
  readonly dir: string;
  readonly binary: string;
  readonly compiler: string;

  private constructor(dir: string, binary: string, compiler: string) {
    this.dir = dir;
    this.binary = binary;
    this.compiler = compiler;
  }

  /** Compile the C program (gcc -O2). Throws with gcc's message when it cannot. */
  static compile(): LinuxBench {
    const dir = mkdtempSync(join(tmpdir(), 'ksock-bench-'));
    const binary = join(dir, 'linux_bench');
    execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', binary, C_SOURCE], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const compiler = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'gcc';
    return new LinuxBench(dir, binary, compiler);
  }

  /**
   * Run one operation; a crash or a timeout comes back as `{ error }` rather than ending the bench. `env`
   * (default: the bench's own) is how the bridge rows run the same binary under ksock's LD_PRELOAD library.
   */
  run(args: readonly (string | number)[], env?: NodeJS.ProcessEnv): LinuxResult {
    try {
      const out = execFileSync(this.binary, args.map(String), {
        ...(env !== undefined ? { env } : {}),
        encoding: 'utf8',
        timeout: 120_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return parseLinuxOutput(out);
    } catch (e) {
      return { op: String(args[0]), error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
    }
  }

  /** Many open UDP sockets, with /proc/slabinfo before and after (null when it cannot be read). */
  many(count: number): { result: LinuxResult; before: string | null; after: string | null } {
    const b = join(this.dir, 'slabinfo.before');
    const a = join(this.dir, 'slabinfo.after');
    const result = this.run(['many', count, b, a]);
    const read = (p: string) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    };
    return { result, before: read(b), after: read(a) };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
