import { describe, expect, it } from 'vitest';
import {
  parseArgs,
  parseFamily,
  parseNumber,
  parseProtocol,
  parseSocketArgs,
  parseType,
  UsageError,
} from './args.js';
import { run } from './cli.js';
import { Names } from './names.js';
import { captureIo } from './testing.js';

const bare = new Names([]);

describe('parseArgs', () => {
  it('defaults to the seed run and takes the options anywhere', () => {
    expect(parseArgs([])).toMatchObject({ command: 'seeds', explicit: false, positionals: [] });
    const p = parseArgs(['--no-color', 'trace', 'AF_INET', '--json', 'SOCK_STREAM', '0', '--html=x.html']);
    expect(p).toMatchObject({
      command: 'trace',
      explicit: true,
      positionals: ['AF_INET', 'SOCK_STREAM', '0'],
    });
    expect(p.options).toEqual({ json: true, html: 'x.html', color: false, help: false });
    expect(parseArgs(['modules', '--html', 'm.html']).options.html).toBe('m.html');
    expect(parseArgs(['trace', 'AF_INET', 'SOCK_RAW', '-1']).positionals).toEqual([
      'AF_INET',
      'SOCK_RAW',
      '-1',
    ]);
  });

  it('refuses unknown subcommands and options, with a suggestion', () => {
    expect(() => parseArgs(['tarce'])).toThrow(/unknown subcommand "tarce" — did you mean "trace"/);
    expect(() => parseArgs(['--jsno'])).toThrow(/unknown option "--jsno" — did you mean "--json"/);
    expect(() => parseArgs(['modules', '--verbose'])).toThrow(UsageError);
    expect(() => parseArgs(['--json=yes'])).toThrow(/takes no value/);
  });

  it('checks argument counts and --html', () => {
    expect(() => parseArgs(['trace', 'AF_INET'])).toThrow(/exactly three arguments.*got 1/);
    expect(() => parseArgs(['trace', 'a', 'b', 'c', 'd'])).toThrow(/got 4/);
    expect(() => parseArgs(['modules', 'extra'])).toThrow(/modules takes no arguments/);
    expect(() => parseArgs(['--html'])).toThrow(/--html needs a file name/);
    expect(() => parseArgs(['--html', '--json'])).toThrow(/--html needs a file name/);
    // --help wins over a missing argument
    expect(parseArgs(['trace', '--help']).options.help).toBe(true);
  });
});

describe('numbers and names', () => {
  it('parses C integer literals within 32 bits', () => {
    expect(parseNumber('17')).toBe(17);
    expect(parseNumber('0x11')).toBe(17);
    expect(parseNumber('021')).toBe(17);
    expect(parseNumber('0')).toBe(0);
    expect(parseNumber('-1')).toBe(-1);
    expect(parseNumber('0xffffffff')).toBe(-1);
    for (const bad of ['1.5', '08', '0x', '12abc', '4294967296', '99999999999', '', '1e3'])
      expect(parseNumber(bad)).toBeNull();
  });

  it('knows the families and types of @ksock/core', () => {
    expect(parseFamily(bare, 'AF_INET')).toBe(2);
    expect(parseFamily(bare, 'pf_netlink')).toBe(16);
    expect(parseFamily(bare, 'PF_BLUETOOTH')).toBe(31);
    expect(parseFamily(bare, '31')).toBe(31);
    expect(parseType(bare, 'SOCK_DGRAM|SOCK_CLOEXEC')).toBe(2 | 0o2000000);
    expect(parseType(bare, 'SOCK_STREAM | SOCK_NONBLOCK')).toBe(1 | 0o4000);
    expect(parseType(bare, '0x80002')).toBe(0x80002);
  });

  it('gives clear messages for unknown names and malformed numbers', () => {
    expect(() => parseFamily(bare, 'AF_INTE')).toThrow(
      /unknown address family "AF_INTE" — did you mean AF_INET\?/,
    );
    expect(() => parseFamily(bare, '2x')).toThrow(/malformed number "2x" for family/);
    expect(() => parseType(bare, 'SOCK_STREEM')).toThrow(
      /unknown socket type "SOCK_STREEM" — did you mean SOCK_STREAM\?/,
    );
    expect(() => parseType(bare, 'SOCK_DGRAM|')).toThrow(/empty part/);
    expect(() => parseType(bare, 'SOCK_DGRAM|0x')).toThrow(/malformed number "0x" for type/);
    expect(() => parseProtocol(bare, '6.0')).toThrow(/malformed number "6.0" for protocol/);
    expect(() => parseProtocol(bare, 'FOO')).toThrow(/unknown protocol "FOO"/);
  });

  it('says which package a protocol name needs when that package is missing', () => {
    expect(() => parseProtocol(bare, 'NETLINK_ROUTE')).toThrow(
      /NETLINK_ROUTE comes from @ksock\/af-netlink, which is not installed; give its number instead/,
    );
    expect(() => parseProtocol(bare, 'IPPROTO_UDP')).toThrow(/@ksock\/af-inet/);
    expect(() => parseProtocol(bare, 'BTPROTO_RFCOMM')).toThrow(/@ksock\/af-bluetooth/);
  });

  it('writes the call back as C', () => {
    expect(parseSocketArgs(bare, ['af_inet', 'sock_dgram|sock_cloexec', '0']).c).toBe(
      'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0)',
    );
    expect(parseSocketArgs(bare, ['2', '0x1', '6'])).toMatchObject({
      family: 2,
      type: 1,
      protocol: 6,
      c: 'socket(2, 1, 6)',
    });
  });
});

describe('the command line', () => {
  it('exits 2 with a message and no stack trace on a usage error', async () => {
    for (const argv of [
      ['trace', 'AF_NOPE', 'SOCK_STREAM', '0'],
      ['trace', '1', '2'],
      ['bogus'],
      ['--nope'],
      ['trace', 'AF_INET', 'SOCK_STREAM', '0x'],
    ]) {
      const io = captureIo();
      expect(await run(argv, io)).toBe(2);
      expect(io.stdout).toBe('');
      expect(io.stderr).toMatch(/^ksock demo: .+\nRun "npm run demo -- (trace )?--help" for usage\.\n$/);
      expect(io.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('prints help for each subcommand', async () => {
    for (const [argv, want] of [
      [['--help'], /^ksock demo — watch the ksock kernel create sockets/],
      [['trace', '-h'], /^Usage: npm run demo -- trace <family> <type> <protocol>/],
      [['cn_proc', '--help'], /^Usage: npm run demo -- cn_proc/],
      [['modules', '--help'], /^Usage: npm run demo -- modules/],
      [['netlink', '--help'], /^Usage: npm run demo -- netlink/],
      [['seeds', '--help'], /^Usage: npm run demo \[-- seeds\]/],
    ] as const) {
      const io = captureIo();
      expect(await run(argv, io)).toBe(0);
      expect(io.stdout).toMatch(want);
      expect(io.stdout).toMatch(/--no-color/);
    }
  });
});
