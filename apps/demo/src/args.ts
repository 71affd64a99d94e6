/**
 * Command-line parsing: the subcommand, the options every subcommand takes, and socket()'s three
 * arguments as names or numbers. Errors are UsageError: a message for a person, never a stack trace.
 */
import type { Names } from './names.js';
import { suggest } from './names.js';

export const COMMANDS = ['seeds', 'trace', 'cn_proc', 'modules', 'netlink'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Options {
  json: boolean;
  html: string | null;
  /** null: decide from the terminal (colour only when stdout is a TTY and NO_COLOR is unset). */
  color: boolean | null;
  help: boolean;
}

export interface Parsed {
  command: Command;
  /** False when no subcommand was named (the default run). */
  explicit: boolean;
  positionals: string[];
  options: Options;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly command: Command | null;
  constructor(message: string, command: Command | null) {
    super(message);
    this.command = command;
  }
}

const COMMON = `Options (every subcommand):
  --json         machine-readable output (one JSON document on stdout)
  --html FILE    also write a self-contained HTML page drawing what the run created
  --no-color     no ANSI colours (also off when stdout is not a terminal, or NO_COLOR is set)
  --color        colours even when stdout is not a terminal
  -h, --help     this help`;

export const HELP: Record<Command | 'main', string> = {
  main: `ksock demo — watch the ksock kernel create sockets

Usage: npm run demo [-- <subcommand> [arguments] [options]]

Subcommands:
  (none)                            the three socket() calls of the design documents, in one fresh kernel
  trace <family> <type> <protocol>  trace any socket() call
  cn_proc                           the cn_proc demo: process events over NETLINK_CONNECTOR
  modules                           lsmod, autoload, rmmod refused while in use, rmmod, autoload again
  netlink                           NETLINK_USERSOCK messages and an RTM_GETLINK dump, hex-dumped

Run "npm run demo -- <subcommand> --help" for a subcommand's help.

${COMMON}`,
  seeds: `Usage: npm run demo [-- seeds] [options]

One fresh kernel; the three calls the design documents walk through:
  socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)        (seed 000)
  socket(PF_INET, SOCK_STREAM, 0)                          (seed 004)
  socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)        (seed 003)
For each: the C call, the function-graph trace, the objects created (fd → struct file → socket_alloc →
sock → the family's sock), and the module table before and after.

${COMMON}`,
  trace: `Usage: npm run demo -- trace <family> <type> <protocol> [options]

Trace one socket() call in a fresh kernel. Each argument is a name or a number (decimal, 0x hex, 0 octal):
  family    AF_INET, PF_NETLINK, AF_BLUETOOTH, 2 …
  type      SOCK_STREAM, SOCK_DGRAM|SOCK_CLOEXEC, SOCK_RAW|SOCK_NONBLOCK, 0x80002 …
  protocol  0, IPPROTO_UDP, NETLINK_ROUTE, BTPROTO_RFCOMM, 17 …
A failing call shows where it failed and with which errno; the exit status is then 1.

Examples:
  npm run demo -- trace AF_INET SOCK_DGRAM IPPROTO_UDP
  npm run demo -- trace AF_NETLINK 'SOCK_RAW|SOCK_CLOEXEC' NETLINK_ROUTE
  npm run demo -- trace 31 1 3

${COMMON}`,
  cn_proc: `Usage: npm run demo -- cn_proc [options]

Seed 000's cn_proc demo, for real: a listener opens socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR),
binds to the CN_IDX_PROC group and sends PROC_CN_MCAST_LISTEN; a small workload then forks, execs,
changes uid and exits, and the listener prints each event as it arrives, decoded from the bytes received.
Needs @ksock/af-netlink.

${COMMON}`,
  modules: `Usage: npm run demo -- modules [options]

lsmod on a fresh kernel; a module autoloaded by the first socket() that needs it; rmmod refused while a
socket holds the module; rmmod succeeding after close; autoloaded again by the next socket().

${COMMON}`,
  netlink: `Usage: npm run demo -- netlink [options]

Two NETLINK_USERSOCK sockets exchanging messages, and an RTM_GETLINK dump over NETLINK_ROUTE, with each
message hex-dumped and annotated field by field (nlmsghdr, ifinfomsg, nlattr). Needs @ksock/af-netlink.

${COMMON}`,
};

const ALIASES: Record<string, Command> = {
  seeds: 'seeds',
  demo: 'seeds',
  cn_proc: 'cn_proc',
  'cn-proc': 'cn_proc',
};

export function parseArgs(argv: readonly string[]): Parsed {
  const options: Options = { json: false, html: null, color: null, help: false };
  const words: string[] = [];
  let command: Command | null = null;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositionals || !a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      if (command === null && words.length === 0) {
        const c = ALIASES[a] ?? (COMMANDS as readonly string[]).find((x) => x === a);
        if (c === undefined) {
          if (a === 'help') {
            options.help = true;
            continue;
          }
          const near = suggest(a, COMMANDS);
          throw new UsageError(
            `unknown subcommand "${a}"${near ? ` — did you mean "${near}"?` : ''} (subcommands: ${COMMANDS.slice(1).join(', ')})`,
            null,
          );
        }
        command = c as Command;
        continue;
      }
      words.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const inline = eq >= 0 ? a.slice(eq + 1) : null;
    const noValue = () => {
      if (inline !== null) throw new UsageError(`option ${flag} takes no value`, command);
    };
    switch (flag) {
      case '--json':
        noValue();
        options.json = true;
        break;
      case '--no-color':
      case '--no-colour':
        noValue();
        options.color = false;
        break;
      case '--color':
      case '--colour':
        noValue();
        options.color = true;
        break;
      case '-h':
      case '--help':
        noValue();
        options.help = true;
        break;
      case '--html': {
        const v = inline ?? argv[++i];
        if (v === undefined || v === '' || (inline === null && v.startsWith('-')))
          throw new UsageError('--html needs a file name, e.g. --html out.html', command);
        options.html = v;
        break;
      }
      default: {
        const near = suggest(flag, ['--json', '--html', '--no-color', '--color', '--help']);
        throw new UsageError(`unknown option "${flag}"${near ? ` — did you mean "${near}"?` : ''}`, command);
      }
    }
  }
  const cmd = command ?? 'seeds';
  if (!options.help) {
    const want = cmd === 'trace' ? 3 : 0;
    if (words.length !== want) {
      if (cmd === 'trace')
        throw new UsageError(
          `trace needs exactly three arguments: <family> <type> <protocol> (got ${words.length})`,
          cmd,
        );
      throw new UsageError(
        `${cmd === 'seeds' ? 'the default run' : cmd} takes no arguments (got "${words[0]}")`,
        cmd,
      );
    }
  }
  return { command: cmd, explicit: command !== null, positionals: words, options };
}

/**
 * A C integer literal: decimal, 0x hex, or 0-prefixed octal, optionally signed, that fits a 32-bit int
 * (values up to 0xffffffff wrap to negative, as they would when a C program passes them as an int).
 */
export function parseNumber(text: string): number | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (m === null) return null;
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = Number.parseInt(body.slice(2), 16);
  else if (body.length > 1 && body.startsWith('0')) v = Number.parseInt(body, 8);
  else v = Number.parseInt(body, 10);
  if (m[1] === '-') v = -v;
  if (!Number.isSafeInteger(v) || v < -0x80000000 || v > 0xffffffff) return null;
  return v | 0;
}

const looksNumeric = (s: string) => /^[+-]?\d/.test(s);

export interface SocketArgs {
  family: number;
  type: number;
  protocol: number;
  /** The call as C source, with names where the numbers have them. */
  c: string;
}

function badNumber(what: string, text: string): UsageError {
  return new UsageError(
    `malformed number "${text}" for ${what} (expected a 32-bit integer: decimal, 0x hex or 0 octal)`,
    'trace',
  );
}

export function parseFamily(names: Names, text: string): number {
  if (looksNumeric(text)) {
    const v = parseNumber(text);
    if (v === null) throw badNumber('family', text);
    return v;
  }
  const v = lookupCi(names.families, text);
  if (v === undefined) {
    const near = suggest(text, names.families.keys());
    throw new UsageError(
      `unknown address family "${text}"${near ? ` — did you mean ${near}?` : ''} (use an AF_*/PF_* name or a number)`,
      'trace',
    );
  }
  return v;
}

function lookupCi(map: Map<string, number>, text: string): number | undefined {
  const u = text.toUpperCase();
  for (const [k, v] of map) if (k.toUpperCase() === u) return v;
  return undefined;
}

export function parseType(names: Names, text: string): number {
  const parts = text.split('|').map((s) => s.trim());
  let type = 0;
  for (const p of parts) {
    if (p === '') throw new UsageError(`malformed socket type "${text}" (empty part around "|")`, 'trace');
    if (looksNumeric(p)) {
      const v = parseNumber(p);
      if (v === null) throw badNumber('type', p);
      type |= v;
      continue;
    }
    const v = lookupCi(names.types, p) ?? lookupCi(names.typeFlags, p);
    if (v === undefined) {
      const near = suggest(p, [...names.types.keys(), ...names.typeFlags.keys()]);
      throw new UsageError(
        `unknown socket type "${p}"${near ? ` — did you mean ${near}?` : ''} (use SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET… optionally |SOCK_CLOEXEC|SOCK_NONBLOCK, or a number)`,
        'trace',
      );
    }
    type |= v;
  }
  return type;
}

export function parseProtocol(names: Names, text: string): number {
  if (looksNumeric(text)) {
    const v = parseNumber(text);
    if (v === null) throw badNumber('protocol', text);
    return v;
  }
  const u = text.toUpperCase();
  const p = names.protocols.get(u);
  if (p !== undefined) return p.value;
  const missing = names.missingReason(u);
  if (missing !== null)
    throw new UsageError(`unknown protocol "${text}": ${missing}; give its number instead`, 'trace');
  const near = suggest(text, names.protocols.keys());
  throw new UsageError(
    `unknown protocol "${text}"${near ? ` — did you mean ${near}?` : ''} (use an IPPROTO_*, NETLINK_* or BTPROTO_* name, or a number)`,
    'trace',
  );
}

/** socket()'s three arguments from the command line, with the call written back as C. */
export function parseSocketArgs(names: Names, words: readonly string[]): SocketArgs {
  const [f, t, p] = words as [string, string, string];
  const family = parseFamily(names, f);
  const type = parseType(names, t);
  const protocol = parseProtocol(names, p);
  const show = (text: string, value: number, name: string) => (looksNumeric(text) ? String(value) : name);
  const c = `socket(${show(f, family, f.toUpperCase())}, ${t
    .split('|')
    .map((s) => s.trim())
    .map((s) => (looksNumeric(s) ? String(parseNumber(s)) : s.toUpperCase()))
    .join('|')}, ${show(p, protocol, p.toUpperCase())})`;
  return { family, type, protocol, c };
}
