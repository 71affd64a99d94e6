import { describe, expect, it } from 'vitest';
import { run } from './cli.js';
import { stripAnsi } from './render/color.js';
import type { Report } from './report.js';
import { bareContext, captureIo } from './testing.js';

const bare = async () => bareContext();
const RED = '\x1b[31m';
// Durations are right-aligned, so a slow call (≥ 10 us) also changes the padding in front of it.
const untimed = (s: string) => s.replace(/ *\d+\.\d{3} us/g, 'T us');

describe('output formats', () => {
  it('colours errno red on a terminal, and not at all with --no-color, NO_COLOR or a pipe', async () => {
    const tty = captureIo(true);
    expect(await run([], tty, bare)).toBe(0);
    const failLine = tty.stdout
      .split('\n')
      .find((l) => l.includes('} /* __sock_create = -97 EAFNOSUPPORT */'))!;
    expect(failLine).toContain(RED);
    const noteLine = tty.stdout.split('\n').find((l) => l.includes('modprobe: FATAL'))!;
    expect(noteLine).toContain('\x1b[');

    for (const [argv, isTTY, env] of [
      [['--no-color'], true, {}],
      [[], false, {}],
      [[], true, { NO_COLOR: '1' }],
    ] as const) {
      const io = captureIo(isTTY, env);
      expect(await run(argv, io, bare)).toBe(0);
      expect(io.stdout).not.toContain('\x1b[');
      // The same text as on the terminal, without the escapes (durations aside).
      expect(untimed(io.stdout)).toBe(untimed(stripAnsi(tty.stdout)));
    }
    const forced = captureIo(false);
    await run(['--color'], forced, bare);
    expect(forced.stdout).toContain(RED);
  });

  it('prints the seed run as an ftrace-like tree with the C call and errno', async () => {
    const io = captureIo();
    await run(['--no-color'], io, bare);
    const text = io.stdout.replace(/ *\d+\.\d{3} us \|/g, '  <t> |');
    expect(text).toContain('━━ socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)  (seed 000)');
    expect(text).toContain('━━ socket(PF_INET, SOCK_STREAM, 0)  (seed 004)');
    expect(text).toContain('━━ socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)  (seed 003)');
    expect(text).toMatch(/\| __sys_socket\(family=16, type=0x2, protocol=11\) \{\n/);
    expect(text).toMatch(
      /\| {7}request_module\("net-pf-16"\) \{\n *\| {9}\/\* modprobe: FATAL: Module net-pf-16 not found \*\/\n *<t> \| {7}\} \/\* request_module = -2 ENOENT \*\//,
    );
    expect(text).toContain('result  -1 EAFNOSUPPORT (errno 97): Address family not supported by protocol');
    expect(text).toContain('(no module loaded)');
  });

  it('--json gives the report as data', async () => {
    const io = captureIo(true);
    expect(await run(['--json'], io, bare)).toBe(0);
    const r = JSON.parse(io.stdout) as Report;
    expect(r.command).toBe('seeds');
    const calls = r.sections.filter((s) => s.kind === 'call');
    expect(calls).toHaveLength(3);
    expect(io.stdout).not.toContain('\x1b[');
  });

  it('--html writes one self-contained page', async () => {
    const io = captureIo();
    expect(await run(['--html', 'out.html', '--no-color'], io, bare)).toBe(0);
    expect(io.stderr).toBe('wrote out.html\n');
    const html = io.files.get('out.html')!;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<code>socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)</code>');
    expect(html).toMatch(/<details open class="err"><summary><span class="fn">__sock_create<\/span>/);
    // Nothing fetched from anywhere: no external scripts, styles, fonts or images.
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('writes the page where the user ran the command (npm runs the script in apps/demo)', async () => {
    const io = captureIo();
    io.resolvePath = (p) => `/home/user/ksock/${p}`;
    expect(await run(['modules', '--html=page.html'], io, bare)).toBe(0);
    expect([...io.files.keys()]).toEqual(['/home/user/ksock/page.html']);
    expect(io.stderr).toBe('wrote /home/user/ksock/page.html\n');
  });

  it('reports a page it cannot write, without a stack trace', async () => {
    const io = captureIo();
    io.writeFile = () => {
      throw new Error("ENOENT: no such file or directory, open '/nope/x.html'");
    };
    expect(await run(['--html', '/nope/x.html'], io, bare)).toBe(3);
    expect(io.stderr).toBe(
      "ksock demo: cannot write /nope/x.html: ENOENT: no such file or directory, open '/nope/x.html'\n",
    );
  });
});
