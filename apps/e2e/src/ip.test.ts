// ip.test.ts — iproute2, unmodified, on a ksock kernel: what it prints, what the kernel did, and that
// everything it held comes back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counters, run, type Served, serve, settled } from './harness.js';

let s: Served;
beforeAll(async () => {
  s = await serve({ trace: true });
  // The first netlink socket loads af_netlink and rtnetlink, which stay loaded (as modules do): warm up so
  // the counters below compare steady states.
  await run(s, 'ip', ['link', 'show']);
  await settled(s);
});
afterAll(async () => {
  await s.close();
});

describe('ip on ksock', () => {
  it('ip link show lists the ksock kernel’s devices only', async () => {
    const r = await run(s, 'ip', ['-j', 'link', 'show']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const links = JSON.parse(r.stdout) as Array<{ ifname: string; ifindex: number }>;
    expect(links.map((l) => l.ifname)).toEqual(s.kernel.init_net.dev_base.map((d) => d.name));
  });

  it('a dummy device made by one ip exists for the next, and only in ksock', async () => {
    await settled(s);
    const before = counters(s);
    expect((await run(s, 'ip', ['link', 'add', 'e2e0', 'type', 'dummy'])).code).toBe(0);
    const shown = await run(s, 'ip', ['-j', '-d', 'link', 'show', 'dev', 'e2e0']);
    expect(shown.code).toBe(0);
    const [link] = JSON.parse(shown.stdout) as Array<{ ifname: string; linkinfo?: { info_kind: string } }>;
    expect(link?.ifname).toBe('e2e0');
    expect(link?.linkinfo?.info_kind).toBe('dummy');
    expect(s.kernel.init_net.dev_base.some((d) => d.name === 'e2e0')).toBe(true);
    expect((await run(s, 'ip', ['link', 'del', 'e2e0'])).code).toBe(0);
    expect(s.kernel.init_net.dev_base.some((d) => d.name === 'e2e0')).toBe(false);
    await settled(s);
    expect(counters(s)).toEqual(before);
  });

  it('the trace of ip link show walks socket creation, the request to rtnetlink and the receive', async () => {
    s.trace.length = 0;
    const r = await run(s, 'ip', ['link', 'show']);
    expect(r.code).toBe(0);
    await settled(s);
    const text = s.trace.join('');
    for (const fn of [
      '__sys_socket',
      'netlink_create',
      'netlink_sendmsg',
      'netlink_rcv_skb',
      'rtnetlink_rcv_msg',
      'netlink_dump_start',
      'rtnl_dump_ifinfo',
      'rtnl_fill_ifinfo',
      'netlink_recvmsg',
    ])
      expect(text).toContain(fn);
    // Each line is tagged with the calling program, as ftrace's funcgraph-proc does.
    expect(text).toMatch(/^\s+ip-\d+ \| /m);
  });
});
