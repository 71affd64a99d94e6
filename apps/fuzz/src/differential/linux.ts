/**
 * Run differential programs on the host kernel: linux_driver.py (ctypes syscalls) inside a fresh network
 * namespace with only lo up, like a fresh ksock kernel. Needs root (unshare --net), python3 and ip.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiffOp } from './programs.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Each program's answers, call by call, and the host's kernel release. */
export function runLinux(programs: DiffOp[][], values: boolean): { kernel: string; results: string[][] } {
  const out = execFileSync(
    'unshare',
    ['--net', 'sh', '-c', `ip link set lo up && python3 ${join(here, 'linux_driver.py')}`],
    {
      input: JSON.stringify(programs),
      maxBuffer: 1 << 28,
      env: { ...process.env, VALUES: values ? '1' : '' },
    },
  );
  return JSON.parse(out.toString());
}
