/** The subcommands that need @ksock/af-netlink (cn_proc, netlink). */
import type { Context } from '../context.js';
import { familiesSummary, familyAvailable } from '../context.js';
import type { Report } from '../report.js';
import { runCnProc } from './cn_proc.js';
import { runNetlink } from './netlink.js';

export function runNetlinkCommand(ctx: Context, command: 'cn_proc' | 'netlink'): Report {
  const base = { command, families: familiesSummary(ctx) };
  if (!familyAvailable(ctx, '@ksock/af-netlink')) {
    const reason = ctx.families.find((f) => f.pkg === '@ksock/af-netlink')?.reason ?? 'not installed';
    return {
      ...base,
      title: command === 'cn_proc' ? 'cn_proc: process events over NETLINK_CONNECTOR' : 'netlink messages',
      sections: [
        { kind: 'note', tone: 'error', text: `This demo needs @ksock/af-netlink, which is ${reason}.` },
      ],
      exitCode: 1,
    };
  }
  return command === 'netlink' ? runNetlink(ctx) : runCnProc(ctx);
}
