import { describe, expect, it } from 'vitest';
import { constantTable } from './families.js';
import { ParseError, parseProgram } from './program.js';

const constants = constantTable();
const parse = (text: string) => parseProgram(text, constants);
const error = (text: string): ParseError => {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('parsed');
};

describe('parseProgram', () => {
  it('reads calls with constants, variables, flags, strings and addresses; skips comments and blanks', () => {
    const p = parse(`# a comment
fd = socket(AF_NETLINK, SOCK_DGRAM|SOCK_CLOEXEC, NETLINK_CONNECTOR)   // another

bind(fd, {nl_pid: 0, nl_groups: CN_IDX_PROC})
sendto(fd, "a#b\\n", 0, {nl_pid: 0x10})
sudo rmmod rfcomm
cat /proc/modules`);
    expect(p.map((s) => [s.line, s.call, s.target, s.root])).toEqual([
      [2, 'socket', 'fd', false],
      [4, 'bind', null, false],
      [5, 'sendto', null, false],
      [6, 'rmmod', null, true],
      [7, 'cat', null, false],
    ]);
    expect(p[0]!.args).toEqual([
      { kind: 'num', value: 16, text: 'AF_NETLINK' },
      { kind: 'num', value: 0x80002, text: 'SOCK_DGRAM|SOCK_CLOEXEC' },
      { kind: 'num', value: 11, text: 'NETLINK_CONNECTOR' },
    ]);
    expect(p[1]!.args[1]).toEqual({
      kind: 'addr',
      family: 'nl',
      fields: {
        nl_pid: { kind: 'num', value: 0, text: '0' },
        nl_groups: { kind: 'num', value: 1, text: 'CN_IDX_PROC' },
      },
    });
    expect(p[2]!.args[1]).toEqual({ kind: 'str', value: 'a#b\n' });
    expect(p[3]!.args).toEqual([{ kind: 'str', value: 'rfcomm' }]);
  });

  it('points at the line and column of what it cannot read, and suggests a name', () => {
    expect(
      error('fd = socket(AF_INET, SOCK_STREAM, 0)\nclose(fd)\nsocket(AF_NETLNK, SOCK_DGRAM, 0)'),
    ).toMatchObject({
      line: 3,
      column: 8,
      detail: 'unknown name AF_NETLNK (did you mean AF_NETLINK?)',
    });
    expect(error('\n\nsokcet(1, 2, 3)').message).toBe(
      'line 3, column 1: unknown system call sokcet (did you mean socket?)',
    );
    expect(error('socket(1, 2)').detail).toBe('socket() takes 3 arguments (family, type, protocol), not 2');
    expect(error('close(fd)').detail).toMatch(/^fd is not set/);
    expect(error('x = close(3)').detail).toBe('close() returns nothing to assign to x');
    expect(error('socket(1, 2, 3').detail).toBe('expected "," or ")" at the end of the line');
    expect(error('bind(3, 4)').detail).toMatch(/^addr is a socket address/);
    expect(error('bind(3, {nl_pid: 1, sin_port: 2})').detail).toBe(
      'sin_port belongs to another address than nl_pid',
    );
    expect(error('bind(3, {nl_pd: 1})').detail).toBe('unknown address field nl_pd (did you mean nl_pid?)');
    expect(error('send(3, "abc)').detail).toBe('the string is not closed with "');
    expect(error('socket(1, 2, 3) x').detail).toBe('unexpected text after the call, found "x"');
    expect(error('rmmod').detail).toMatch(/^rmmod takes one module name/);
  });
});
