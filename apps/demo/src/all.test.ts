/** `npm run demo` as a newcomer runs it: every family installed, through the command line. */
import { describe, expect, it } from 'vitest';
import { run } from './cli.js';
import type { Report } from './report.js';
import { captureIo } from './testing.js';

describe('npm run demo, with every family', () => {
  it('creates the three sockets of the design documents in one kernel', async () => {
    const io = captureIo();
    expect(await run(['--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as Report;
    expect(r.families.map((f) => [f.pkg, f.available])).toEqual([
      ['@ksock/af-netlink', true],
      ['@ksock/af-inet', true],
      ['@ksock/af-bluetooth', true],
    ]);
    const calls = r.sections.flatMap((s) => (s.kind === 'call' ? [s.call] : []));
    expect(calls.map((c) => [c.seed, c.result.fd, c.autoloaded])).toEqual([
      ['000', 3, ['af_netlink', 'cn']],
      ['004', 4, ['af_inet']],
      ['003', 5, ['bluetooth', 'rfcomm']],
    ]);
    // one kernel: each call's "before" is the previous call's "after"
    expect(calls[1]!.modulesBefore).toEqual(calls[0]!.modulesAfter);
    expect(calls[2]!.modulesBefore).toEqual(calls[1]!.modulesAfter);
    // inode numbers increase across the run (the connector's and rfcomm's kernel sockets take some too)
    const inos = calls.map((c) =>
      Number(c.objects!.boxes.find((b) => b.id === 'socket_alloc')!.label.slice(8, -1)),
    );
    expect(inos[0]).toBeLessThan(inos[1]!);
    expect(inos[1]).toBeLessThan(inos[2]!);
    const summary = r.sections.find((s) => s.kind === 'table');
    expect(summary?.kind === 'table' && summary.rows.map((row) => row[4])).toEqual([
      'struct netlink_sock',
      'struct tcp_sock',
      'struct rfcomm_pinfo',
    ]);
    const end = r.sections.filter((s) => s.kind === 'modules').pop();
    expect(end?.kind === 'modules' && end.rows.map((m) => [m.name, m.usedBy])).toEqual([
      ['rfcomm', []],
      ['bluetooth', ['rfcomm']],
      ['af_inet', []],
      ['cn', []],
      ['af_netlink', ['cn']],
    ]);
  });

  it('prints it as text with every call succeeding', async () => {
    const io = captureIo();
    expect(await run(['--no-color'], io)).toBe(0);
    expect(io.stdout).toContain('families: @ksock/af-netlink ✓   @ksock/af-inet ✓   @ksock/af-bluetooth ✓');
    expect(io.stdout.match(/^result {2}fd = \d+$/gm)).toEqual([
      'result  fd = 3',
      'result  fd = 4',
      'result  fd = 5',
    ]);
    expect(io.stdout).toContain('autoloaded  bluetooth, rfcomm');
    expect(io.stdout).toContain('struct tcp_sock tcp_sock ⊃ inet_connection_sock ⊃ inet_sock');
    expect(io.stderr).toBe('');
  });
});
