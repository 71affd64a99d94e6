// abi.test.ts — what a C caller reads back from the bridged calls (lengths, flags, ancillary data), and
// the credentials a task gets: the same program answers as Linux would, from the ksock kernel.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { counters, PROGRAMS, run, type Served, serve, settled } from './harness.js';

const served: Served[] = [];
afterAll(async () => {
  for (const s of served) await s.close();
});

async function abi(opts: { uid?: number } = {}) {
  const s = await serve(opts);
  served.push(s);
  const r = await run(s, 'python3', [join(PROGRAMS, 'abi.py')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { s, out: JSON.parse(r.stdout) as Record<string, unknown> };
}

describe('the raw ABI through the bridge', () => {
  it('reports truncation, the sender, IP_PKTINFO and getsockopt lengths as Linux does', async () => {
    const { s, out } = await abi();
    expect(out.trunc).toEqual({ data: '0123', flags_trunc: true, addr: '127.0.0.1' });
    // IP_PKTINFO: one cmsg of struct in_pktinfo (12 bytes) naming ksock's lo and the destination.
    expect(out.pktinfo).toEqual([[0, 8, 12]]);
    expect(out.pktinfo_ifindex).toBe(s.kernel.init_net.loopback_dev!.ifindex);
    expect(out.pktinfo_dst).toBe('127.0.0.1');
    expect(out.recv_trunc_len).toBe(2);
    expect(out.recv_into_trunc).toBe(6);
    expect(out.ctrunc).toBe(true);
    expect(out.so_type_short).toBe(2);
    expect(out.raw).toBe('ok'); // root: every capability
    await settled(s);
    expect(counters(s).placeholders).toBe(0);
  });

  it('gives a task the credentials --uid names: no CAP_NET_RAW for uid 1000', async () => {
    const { s, out } = await abi({ uid: 1000 });
    expect(out.raw).toBe('EPERM');
    expect(out.ifindex_lo).toBe(s.kernel.init_net.loopback_dev!.ifindex);
  });
});
