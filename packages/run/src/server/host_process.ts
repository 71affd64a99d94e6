// host_process.ts — one host process on the bridge and the ksock task that stands for it (fork, exec and
// exit follow the host process, which the server learns of from HELLO frames and /proc).

import { readFileSync, readlinkSync } from 'node:fs';
import type { Task } from '@ksock/core';

/** What /proc/<pid>/stat says of a host process: its state letter and start time (to tell pid reuse). */
export interface HostStat {
  state: string;
  starttime: string;
}

/** /proc/<pid>/stat of the host, or null when the process is gone. */
export function host_stat(pid: number): HostStat | null {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may itself hold spaces or ')': the fields start after the last ')'.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', starttime: rest[19] ?? '' };
}

/** The program a host process runs, as an absolute path (what execve() was given), or null. */
export function host_exe(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** A host process seen on the bridge. */
export class HostProcess {
  /** Control connections open from this process (one per thread that made a call). */
  readonly conns = new Set<object>();

  readonly pid: number;
  task: Task;
  starttime: string;

  constructor(pid: number, task: Task, starttime: string) {
    this.pid = pid;
    this.task = task;
    this.starttime = starttime;
  }

  /** True while the host process it stands for runs (not gone, not a zombie, not a reused pid). */
  alive(): boolean {
    const st = host_stat(this.pid);
    return st !== null && st.state !== 'Z' && st.state !== 'X' && st.starttime === this.starttime;
  }
}
