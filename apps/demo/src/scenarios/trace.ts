/** `trace <family> <type> <protocol>`: any socket() call, traced in a fresh kernel. */
import type { SocketArgs } from '../args.js';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary } from '../context.js';
import type { Report, Section } from '../report.js';
import { tracedSocket } from './socket_call.js';
import { whereItFailed } from './where_failed.js';

export function runTrace(ctx: Context, args: SocketArgs): Report {
  const kernel = bootKernel(ctx);
  const task = kernel.spawn({ uid: 1000, comm: 'demo' });
  const call = tracedSocket(kernel, task, { ...args, seed: null }, ctx.names);
  const sections: Section[] = [{ kind: 'call', call }];
  if (!call.result.ok) {
    const at = whereItFailed(call.events);
    if (at !== null)
      sections.push({
        kind: 'note',
        tone: 'error',
        text: `The call failed in ${at.name}(), which returned ${at.ret} (${call.result.code}: ${call.result.message}); every caller above it passed the error up.`,
      });
    const fam = ctx.families.find((f) => f.family === args.family);
    if (fam !== undefined && !fam.available && call.result.code === 'EAFNOSUPPORT')
      sections.push({
        kind: 'note',
        tone: 'warn',
        text: `${fam.pkg} is ${fam.reason}, so no module answers "net-pf-${args.family}".`,
      });
  }
  return {
    command: 'trace',
    title: `Tracing ${args.c}`,
    families: familiesSummary(ctx),
    sections,
    exitCode: call.result.ok ? 0 : 1,
  };
}
