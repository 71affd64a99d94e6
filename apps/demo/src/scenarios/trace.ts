/** `trace <family> <type> <protocol>`: any socket() call, traced in a fresh kernel. */
import type { SocketArgs } from '../args.js';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary } from '../context.js';
import type { Report, Section } from '../report.js';
import { tracedSocket } from './socket_call.js';

export function runTrace(ctx: Context, args: SocketArgs): Report {
  const kernel = bootKernel(ctx);
  const task = kernel.spawn({ uid: 1000, comm: 'demo' });
  const call = tracedSocket(kernel, task, { ...args, seed: null }, ctx.names);
  const sections: Section[] = [{ kind: 'call', call }];
  if (!call.result.ok) {
    const failing = [...call.events].reverse().find((e) => e.errno !== null && !e.note);
    const deepest =
      call.events.filter((e) => e.errno !== null).sort((a, b) => b.depth - a.depth)[0] ?? failing;
    if (deepest !== undefined)
      sections.push({
        kind: 'note',
        tone: 'error',
        text: `The call failed in ${deepest.name}(), which returned -${deepest.errno} (${call.result.code}: ${call.result.message}); every caller above it passed the error up.`,
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
