/**
 * getsockopt(2) as the raw syscall ABI sees it, against the host: __fixtures__/getsockopt_probe.py asked
 * Linux 6.18 (x86-64, a fresh network namespace) what it copies into the user's buffer and what it writes
 * back to *optlen, for SOL_NETLINK and SOL_SOCKET options offered buffers of many lengths, and stored the
 * answers in __fixtures__/linux-6.18-getsockopt.json. `task.raw.getsockopt()` must give the same pair.
 */
import { AF_NETLINK, errname, KernelError, SOCK_RAW, SOL_NETLINK } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import LINUX from './__fixtures__/linux-6.18-getsockopt.json' with { type: 'json' };
import { boot } from './__fixtures__/test_util.js';
import { NETLINK_ADD_MEMBERSHIP, NETLINK_LIST_MEMBERSHIPS, NETLINK_ROUTE } from './uapi.js';

interface Case {
  level: number;
  name: number;
  optlen: number;
  ret?: number;
  err?: string;
  optlen_out: number;
  optval?: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What raw.getsockopt() gives, in the probe's terms (on failure *optlen is left as it was). */
function answer(r: ReturnType<ReturnType<typeof boot>['init']['raw']['getsockopt']>, c: Case) {
  if (typeof r === 'number')
    return { level: c.level, name: c.name, optlen: c.optlen, err: errname(-r), optlen_out: c.optlen };
  return {
    level: c.level,
    name: c.name,
    optlen: c.optlen,
    ret: 0,
    optlen_out: r.optlen,
    optval: hex(r.optval),
  };
}

describe('getsockopt() optlen semantics, against Linux 6.18', () => {
  it(`the fixture comes from Linux ${LINUX.kernel}`, () => {
    expect(LINUX.kernel).toMatch(/^6\.18\./);
  });

  it('every recorded case: bytes copied and *optlen written back', () => {
    const k = boot();
    const t = k.spawn({ uid: 0 });
    const fd = t.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    const run = (cases: Case[]) =>
      cases.map((c) => answer(t.raw.getsockopt(fd, c.level, c.name, c.optlen), c));
    const cs = LINUX.cases as Record<string, Case[]>;
    expect(run(cs.list_before_join!)).toEqual(cs.list_before_join);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 33);
    for (const [name, cases] of Object.entries(cs)) {
      if (name === 'list_before_join') continue;
      expect(run(cases), name).toEqual(cases);
    }
  });

  it('the throwing form gives the bytes copied: a short buffer gets the words that fit', () => {
    const k = boot();
    const t = k.spawn({ uid: 0 });
    const fd = t.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 33);
    expect(hex(t.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 3))).toBe('');
    expect(hex(t.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 4))).toBe('10000000');
    expect(hex(t.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 64))).toBe('1000000001000000');
    expect(t.raw.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 0)).toEqual({
      optval: new Uint8Array(0),
      optlen: 8,
    });
    expect(() => t.getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, -1)).toThrow(KernelError);
  });
});
