import { describe, expect, it } from 'vitest';
import { parseSocketArgs } from './args.js';
import type { CallReport } from './report.js';
import { runSeeds } from './scenarios/seeds.js';
import { runTrace } from './scenarios/trace.js';
import { bareContext, fnames, inOrder } from './testing.js';

const calls = (r: ReturnType<typeof runSeeds>): CallReport[] =>
  r.sections.flatMap((s) => (s.kind === 'call' ? [s.call] : []));

describe('the seed run on a kernel without family modules', () => {
  const report = runSeeds(bareContext());

  it('makes the three calls of the design documents, in their order', () => {
    expect(calls(report).map((c) => [c.seed, c.c, c.family, c.type, c.protocol])).toEqual([
      ['000', 'socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)', 16, 2, 11],
      ['004', 'socket(PF_INET, SOCK_STREAM, 0)', 2, 1, 0],
      ['003', 'socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)', 31, 1, 3],
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('shows each call failing with EAFNOSUPPORT where __sock_create finds no family', () => {
    for (const c of calls(report)) {
      expect(c.result).toMatchObject({ ok: false, fd: null, errno: 97, code: 'EAFNOSUPPORT' });
      expect(fnames(c.events)).toEqual([
        '__sys_socket',
        'sock_create',
        '__sock_create',
        'security_socket_create',
        'sock_alloc',
        'sock_alloc_inode',
        'request_module',
        '__sock_release',
      ]);
      const req = c.events.find((e) => e.name === 'request_module')!;
      expect(req.args).toBe(`"net-pf-${c.family}"`);
      expect(req.errno).toBe('ENOENT');
      expect(
        c.events.some((e) => e.note && e.name === `modprobe: FATAL: Module net-pf-${c.family} not found`),
      ).toBe(true);
      const top = c.events[0]!;
      expect(top).toMatchObject({ name: '__sys_socket', ret: -97, errno: 'EAFNOSUPPORT' });
      expect(c.autoloaded).toEqual([]);
      expect(c.objects).toBeNull();
      expect(c.modulesBefore).toEqual([]);
      expect(c.modulesAfter).toEqual([]);
    }
  });

  it('says why: each family package is missing', () => {
    const notes = report.sections.flatMap((s) => (s.kind === 'note' ? [s.text] : []));
    expect(notes).toHaveLength(3);
    for (const [i, pkg] of ['@ksock/af-netlink', '@ksock/af-inet', '@ksock/af-bluetooth'].entries()) {
      expect(notes[i]).toMatch(new RegExp(`^${pkg} is not installed: .* fails with EAFNOSUPPORT`));
      expect(report.families[i]).toEqual({ pkg, available: false, reason: 'not installed', modules: [] });
    }
  });
});

describe('inOrder (the seed-order check the family tests use)', () => {
  it('finds names in order, gaps allowed, and names the first one out of order', () => {
    const names = ['a', 'b', 'x', 'c', 'b', 'd'];
    expect(inOrder(names, ['a', 'c', 'd'])).toEqual({ missing: null });
    expect(inOrder(names, ['b', 'c', 'b'])).toEqual({ missing: null });
    expect(inOrder(names, ['c', 'a'])).toEqual({ missing: 'a' });
    expect(inOrder(names, ['d', 'x'])).toEqual({ missing: 'x' });
  });
});

describe('trace subcommand on a kernel without the family', () => {
  it('says where the call failed and which package would have answered', () => {
    const ctx = bareContext();
    const r = runTrace(ctx, parseSocketArgs(ctx.names, ['AF_INET', 'SOCK_STREAM', '0']));
    expect(r.exitCode).toBe(1);
    expect(r.sections.flatMap((s) => (s.kind === 'note' ? [[s.tone, s.text]] : []))).toEqual([
      [
        'error',
        'The call failed in __sock_create(), which returned -97 (EAFNOSUPPORT: Address family not supported by protocol); every caller above it passed the error up.',
      ],
      ['warn', '@ksock/af-inet is not installed, so no module answers "net-pf-2".'],
    ]);
  });
});
