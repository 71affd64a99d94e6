/** What `apps/demo --json` gives for a seed scenario's call: the demo run as a user runs it. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceEvent } from '@ksock/core';

const here = dirname(fileURLToPath(import.meta.url));
export const DEMO = join(here, '../../../demo');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');

/** The demo's arguments for each seed scenario: `trace` runs the one call in a fresh kernel. */
export const SEED_ARGS: Record<string, string[]> = {
  'seed-000': ['trace', 'PF_NETLINK', 'SOCK_DGRAM', 'NETLINK_CONNECTOR'],
  'seed-003': ['trace', 'PF_BLUETOOTH', 'SOCK_STREAM', 'BTPROTO_RFCOMM'],
  'seed-004': ['trace', 'PF_INET', 'SOCK_STREAM', '0'],
};

interface DemoReport {
  sections: Array<{ kind: string; call?: { c: string; seed: string | null; events: TraceEvent[] } }>;
}

export function demoJson(args: readonly string[]): DemoReport {
  const out = execFileSync(
    process.execPath,
    [tsx, '--conditions=@ksock/source', 'src/main.ts', ...args, '--json'],
    {
      cwd: DEMO,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  return JSON.parse(out) as DemoReport;
}

/** The events of the one socket() call a demo report shows (or of the call with that seed number). */
export function demoCallEvents(report: DemoReport, seed?: string): TraceEvent[] {
  const calls = report.sections.flatMap((s) => (s.kind === 'call' && s.call !== undefined ? [s.call] : []));
  const c = seed === undefined ? calls[0] : calls.find((x) => x.seed === seed);
  if (c === undefined) throw new Error('the demo report has no such call');
  return c.events;
}
