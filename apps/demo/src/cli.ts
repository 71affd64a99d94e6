/**
 * The demo's command line: parse, run the scenario, render text / JSON / HTML. Every failure becomes a
 * message and an exit status — never a stack trace.
 */
import type { Command } from './args.js';
import { HELP, parseArgs, parseSocketArgs, UsageError } from './args.js';
import type { Context } from './context.js';
import { loadContext } from './context.js';
import { ANSI, PLAIN, useColor } from './render/color.js';
import { renderHtml } from './render/html.js';
import { renderJson } from './render/json.js';
import { renderText } from './render/text.js';
import type { Report } from './report.js';
import { runModules } from './scenarios/modules.js';
import { runSeeds } from './scenarios/seeds.js';
import { runTrace } from './scenarios/trace.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  writeFile(path: string, data: string): void;
  /** Where a path given on the command line points (relative to where the user ran the command). */
  resolvePath?(path: string): string;
}

/** Exit statuses: 0 done, 1 the demonstrated call failed, 2 usage error, 3 could not write the page, 70 internal. */
export const EXIT_USAGE = 2;

export async function runCommand(ctx: Context, command: Command, positionals: string[]): Promise<Report> {
  switch (command) {
    case 'seeds':
      return runSeeds(ctx);
    case 'trace':
      return runTrace(ctx, parseSocketArgs(ctx.names, positionals));
    case 'modules':
      return runModules(ctx);
    case 'cn_proc':
    case 'netlink': {
      const { runNetlinkCommand } = await import('./scenarios/needs_netlink.js');
      return runNetlinkCommand(ctx, command);
    }
  }
}

export async function run(
  argv: readonly string[],
  io: Io,
  load: () => Promise<Context> = loadContext,
): Promise<number> {
  let command: Command | null = null;
  try {
    const parsed = parseArgs(argv);
    command = parsed.command;
    if (parsed.options.help) {
      io.out(`${HELP[parsed.explicit ? parsed.command : 'main']}\n`);
      return 0;
    }
    const ctx = await load();
    const report = await runCommand(ctx, parsed.command, parsed.positionals);
    if (parsed.options.json) io.out(renderJson(report));
    else {
      const color = useColor(parsed.options.color, io.isTTY, io.env);
      io.out(renderText(report, color ? ANSI : PLAIN));
    }
    if (parsed.options.html !== null) {
      const path = io.resolvePath?.(parsed.options.html) ?? parsed.options.html;
      try {
        io.writeFile(path, renderHtml(report));
      } catch (e) {
        io.err(`ksock demo: cannot write ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 3;
      }
      io.err(`wrote ${path}\n`);
    }
    return report.exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      const cmd = e.command ?? command;
      const hint =
        cmd !== null && cmd !== 'seeds' ? `npm run demo -- ${cmd} --help` : 'npm run demo -- --help';
      io.err(`ksock demo: ${e.message}\nRun "${hint}" for usage.\n`);
      return EXIT_USAGE;
    }
    io.err(`ksock demo: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 70;
  }
}
