/**
 * The default run: the three socket() calls the design documents walk through, in one fresh kernel,
 * in the order of the documents (000 netlink, 004 inet, 003 bluetooth).
 */
import { AF_BLUETOOTH, AF_INET, AF_NETLINK, SOCK_DGRAM, SOCK_STREAM } from '@ksock/core';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary } from '../context.js';
import type { Report, Section } from '../report.js';
import type { SocketCall } from './socket_call.js';
import { tracedSocket } from './socket_call.js';

/**
 * The protocol numbers the seeds use. They come from the family packages; when a package is missing the
 * uapi value is used so that the call can still be made — and fail the way Linux fails without the module.
 */
export function seedCalls(ctx: Context): SocketCall[] {
  const NETLINK_CONNECTOR = ctx.names.protocol('NETLINK_CONNECTOR') ?? 11;
  const BTPROTO_RFCOMM = ctx.names.protocol('BTPROTO_RFCOMM') ?? 3;
  return [
    {
      seed: '000',
      c: 'socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)',
      family: AF_NETLINK,
      type: SOCK_DGRAM,
      protocol: NETLINK_CONNECTOR,
    },
    { seed: '004', c: 'socket(PF_INET, SOCK_STREAM, 0)', family: AF_INET, type: SOCK_STREAM, protocol: 0 },
    {
      seed: '003',
      c: 'socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)',
      family: AF_BLUETOOTH,
      type: SOCK_STREAM,
      protocol: BTPROTO_RFCOMM,
    },
  ];
}

export function runSeeds(ctx: Context): Report {
  const kernel = bootKernel(ctx);
  const task = kernel.spawn({ uid: 1000, comm: 'demo' });
  const sections: Section[] = [];
  for (const f of ctx.families) {
    if (!f.available)
      sections.push({
        kind: 'note',
        tone: 'warn',
        text: `${f.pkg} is ${f.reason}: the kernel has no module for its family, so its socket() fails with EAFNOSUPPORT, as Linux does without the module.`,
      });
  }
  const rows: string[][] = [];
  for (const call of seedCalls(ctx)) {
    const r = tracedSocket(kernel, task, call, ctx.names);
    sections.push({ kind: 'call', call: r });
    const boxes = r.objects?.boxes ?? [];
    const fam = boxes.find((b) => b.id === 'family_sock') ?? boxes.find((b) => b.id === 'sock');
    rows.push([
      `seed ${call.seed}`,
      call.c,
      r.result.ok ? `= ${r.result.fd}` : `-1 ${r.result.code}`,
      boxes.find((b) => b.id === 'socket_alloc')?.label ?? '-',
      fam?.type ?? '-',
      r.autoloaded.join(', ') || '-',
    ]);
  }
  sections.push({
    kind: 'table',
    title: 'Summary',
    header: ['', 'call', 'result', 'inode', 'sock', 'autoloaded'],
    rows,
  });
  sections.push({
    kind: 'modules',
    title: 'lsmod at the end (the sockets are still open, so each family module is held)',
    rows: kernel.modules.list(),
    changed: [],
  });
  return {
    command: 'seeds',
    title: 'The three socket() calls of the design documents, in one fresh kernel',
    families: familiesSummary(ctx),
    sections,
    // The run shows failing calls as it shows working ones: it is README's first command, not a check.
    exitCode: 0,
  };
}
