// ip_compare.test.ts — iproute2's answers on ksock against the same commands in a fresh network namespace
// of the host (Linux 6.18), byte for byte after the documented masks; and the dummy-device commands, which
// this host cannot run (no dummy driver), against what drivers/net/dummy.c makes.
//
// The masks, each for a documented difference:
// - ksock's lo is up at boot (README: "lo is up in init_net at boot"); a fresh namespace's lo is down, so
//   the host runs `ip link set lo up` first. That is a precondition, not a mask of output.
// - ksock has no IPv6 (README, af-netlink README): the host's `inet6 ::1/128 …` address lines (text) and
//   `"family":"inet6"` entries (JSON) are removed, and so is `addrgenmode eui64` / `inet6_addr_gen_mode`,
//   which `ip -d` prints from the AF_INET6 part of IFLA_AF_SPEC that a kernel without IPv6 does not send.
// Nothing else is masked.
//
// Every ksock command runs behind a guard that only ksock can pass: it creates a dummy device (this host's
// kernel has no dummy driver), shows it, and deletes it, in the same shell before the commands compared. A
// program that silently reached the host kernel fails the guard, its output lacks the device, and nothing
// runs on the host's own network configuration.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { host, type Ran, run, type Served, serve, settled, start } from './harness.js';

const GUARD_DEV = 'ksockonly0';
const SEP = '--- ksock guard passed ---';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s.close();
});

/** `cmds` (a shell list) on ksock, behind the guard; the guard's own output is checked and cut off. */
async function onKsock(cmds: string): Promise<Ran> {
  const r = await run(s, 'sh', [
    '-c',
    `ip link add ${GUARD_DEV} type dummy && ip -o link show dev ${GUARD_DEV} && ip link del ${GUARD_DEV} && echo '${SEP}' && ${cmds}`,
  ]);
  const at = r.stdout.indexOf(`${SEP}\n`);
  expect(at, `guard failed: ${r.stderr}`).toBeGreaterThan(0);
  // The device exists only in the ksock kernel: ip showed it (name and kind) before it was deleted.
  expect(r.stdout.slice(0, at)).toMatch(new RegExp(`^\\d+: ${GUARD_DEV}: <BROADCAST,NOARP> mtu 1500 `));
  await settled(s);
  return { ...r, stdout: r.stdout.slice(at + SEP.length + 1) };
}

/** `cmds` in a fresh network namespace of the host, with lo brought up first (ksock's is up at boot). */
function onHost(cmds: string): Promise<Ran> {
  return host('sh', ['-c', `ip link set lo up && ${cmds}`]);
}

/** Text output: drop each inet6 address (its line and the lifetime line under it) and `addrgenmode`. */
function maskText(out: string): string {
  return out.replace(/^ {4}inet6 .*\n {7}valid_lft .*\n/gm, '').replace(/ addrgenmode \S+/g, '');
}

/** JSON output: drop inet6 addresses and inet6_addr_gen_mode, then print it again as ip does. */
function maskJson(out: string): string {
  const links = JSON.parse(out) as Array<Record<string, unknown>>;
  for (const l of links) {
    delete l.inet6_addr_gen_mode;
    if (Array.isArray(l.addr_info))
      l.addr_info = (l.addr_info as Array<{ family: string }>).filter((a) => a.family !== 'inet6');
  }
  return JSON.stringify(links);
}

async function compare(cmds: string, mask: (out: string) => string): Promise<string> {
  const [k, h] = [await onKsock(cmds), await onHost(cmds)];
  expect(k.stderr).toBe(h.stderr);
  expect(k.code).toBe(h.code);
  expect(k.code).toBe(0);
  expect(mask(k.stdout)).toBe(mask(h.stdout));
  // The masks remove only what ksock cannot have: nothing of IPv6 is in its own output.
  expect(k.stdout).not.toMatch(/inet6|addrgenmode/);
  return k.stdout;
}

describe('iproute2 on ksock equals Linux 6.18 (fresh namespace)', () => {
  it('ip link show', async () => {
    const out = await compare('ip link show', maskText);
    expect(out).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN/);
  });

  it('ip -j -d link show', async () => {
    await compare('ip -j -d link show', maskJson);
  });

  it('ip -d link show (text)', async () => {
    await compare('ip -d link show', maskText);
  });

  it('ip addr', async () => {
    const out = await compare('ip addr', maskText);
    expect(out).toContain(
      '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n',
    );
  });

  it('ip -s link and ip -s -s link', async () => {
    await compare('ip -s link', maskText);
    await compare('ip -s -s link', maskText);
  });

  it('ip link set lo mtu 1500, then show', async () => {
    const out = await compare('ip link set lo mtu 1500 && ip link show && ip -j -d link show dev lo', (o) => {
      const [text, json] = o.split(/\n(?=\[)/);
      return `${maskText(text!)}\n${maskJson(json!)}`;
    });
    expect(out).toContain('mtu 1500 qdisc noqueue');
    expect(s.kernel.init_net.loopback_dev!.mtu).toBe(1500);
    await onKsock('ip link set lo mtu 65536');
  });

  it('ip link set lo down, then up', async () => {
    const down = await compare('ip link set lo down && ip link show && ip addr && ip -s link', maskText);
    expect(down).toMatch(/^1: lo: <LOOPBACK> mtu 65536 qdisc noqueue state DOWN/);
    const up = await compare('ip link set lo down && ip link set lo up && ip link show && ip addr', maskText);
    expect(up).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN/);
  });

  it('ip addr add 10.9.9.9/24 dev lo, ip -j addr show dev lo, ip addr del', async () => {
    const cmds = [
      'ip addr add 10.9.9.9/24 dev lo',
      'ip -j addr show dev lo',
      'ip addr del 10.9.9.9/24 dev lo',
      'ip -j addr show dev lo',
    ].join(' && echo && ');
    const maskBoth = (o: string) =>
      o
        .split('\n')
        .filter((l) => l !== '')
        .map(maskJson)
        .join('\n');
    const out = await compare(cmds, maskBoth);
    const [added, after] = out.split('\n').filter((l) => l !== '');
    expect(JSON.parse(after!)[0].addr_info.map((a: { local: string }) => a.local)).toEqual(['127.0.0.1']);
    expect(JSON.parse(added!)[0].addr_info[1]).toEqual({
      family: 'inet',
      local: '10.9.9.9',
      prefixlen: 24,
      scope: 'global',
      label: 'lo',
      valid_life_time: 4294967295,
      preferred_life_time: 4294967295,
    });
  });

  it('ip addr add with brd + and a label, a secondary, EEXIST, then ip addr flush', async () => {
    const cmds = [
      'ip addr add 10.9.9.9/24 brd + dev lo label lo:9',
      'ip addr add 10.9.9.10/24 dev lo',
      '(ip addr add 10.9.9.10/24 dev lo; true)',
      'ip addr',
      'ip addr del 10.9.9.9/24 dev lo',
      'ip addr',
      'ip addr flush dev lo',
      'ip addr',
    ].join(' && ');
    const out = await compare(cmds, maskText);
    expect(out).toContain('    inet 10.9.9.9/24 brd 10.9.9.255 scope global lo:9\n');
    expect(out).toContain('    inet 10.9.9.10/24 scope global secondary lo\n');
    expect(s.kernel.init_net.loopback_dev!.ifa_list).toEqual([]);
    // Put lo back as it was for the tests after this one (flush took 127.0.0.1 too, on both kernels).
    await onKsock('ip link set lo down && ip link set lo up');
  });
});

describe('dummy devices, against drivers/net/dummy.c (this host has no dummy driver)', () => {
  it('ip link add d0 type dummy; ip link set d0 up; ip addr add 10.1.2.3/24 dev d0; ip -j addr show dev d0; ip link del d0', async () => {
    const r = await onKsock(
      [
        'ip link add d0 type dummy',
        'ip -j -d link show dev d0',
        'ip link set d0 up',
        'ip addr add 10.1.2.3/24 dev d0',
        'ip -j addr show dev d0',
        'ip link show',
      ].join(' && echo && '),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [detail, addrs, ...links] = r.stdout.split('\n').filter((l) => l !== '');
    const d0 = s.kernel.init_net.dev_base.find((d) => d.name === 'd0')!;
    const mac = [...d0.dev_addr].map((b) => b.toString(16).padStart(2, '0')).join(':');
    // eth_hw_addr_random() from the kernel's seeded generator: unicast, locally administered.
    expect(d0.dev_addr[0]! & 0x03).toBe(0x02);
    // ether_setup() then dummy_setup(): IFF_BROADCAST | IFF_NOARP (no IFF_MULTICAST), ARPHRD_ETHER, MTU
    // 1500 (ETH_DATA_LEN), txqlen 1000 (DEFAULT_TX_QUEUE_LEN), min_mtu 0 and max_mtu 0, one queue each way,
    // alloc_netdev_mqs()'s GSO/TSO limits (dummy does not raise tso_max_size, unlike lo), noop qdisc and
    // operstate DOWN until it is first up, no IPv6 (so no inet6_addr_gen_mode).
    expect(JSON.parse(detail!)).toEqual([
      {
        ifindex: d0.ifindex,
        ifname: 'd0',
        flags: ['BROADCAST', 'NOARP'],
        mtu: 1500,
        qdisc: 'noop',
        operstate: 'DOWN',
        linkmode: 'DEFAULT',
        group: 'default',
        txqlen: 1000,
        link_type: 'ether',
        address: mac,
        broadcast: 'ff:ff:ff:ff:ff:ff',
        promiscuity: 0,
        allmulti: 0,
        min_mtu: 0,
        max_mtu: 0,
        linkinfo: { info_kind: 'dummy' },
        num_tx_queues: 1,
        num_rx_queues: 1,
        gso_max_size: 65536,
        gso_max_segs: 65535,
        tso_max_size: 65536,
        tso_max_segs: 65535,
        gro_max_size: 65536,
      },
    ]);
    // Up: IFF_NO_QUEUE gives noqueue; no carrier event ever comes, so operstate stays UNKNOWN (as for lo).
    expect(JSON.parse(addrs!)).toEqual([
      {
        ifindex: d0.ifindex,
        ifname: 'd0',
        flags: ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP'],
        mtu: 1500,
        qdisc: 'noqueue',
        operstate: 'UNKNOWN',
        group: 'default',
        txqlen: 1000,
        link_type: 'ether',
        address: mac,
        broadcast: 'ff:ff:ff:ff:ff:ff',
        addr_info: [
          {
            family: 'inet',
            local: '10.1.2.3',
            prefixlen: 24,
            scope: 'global',
            label: 'd0',
            valid_life_time: 4294967295,
            preferred_life_time: 4294967295,
          },
        ],
      },
    ]);
    expect(links.slice(2)).toEqual([
      `${d0.ifindex}: d0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000`,
      `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    ]);
    const del = await onKsock('ip link del d0 && ip link show');
    expect(del.code).toBe(0);
    expect(del.stdout).not.toContain('d0');
    expect(s.kernel.init_net.dev_base.map((d) => d.name)).toEqual(['lo']);
  });

  it('ip monitor link in one process sees the dummy device another process creates', async () => {
    const mon: ChildProcess = start(s, 'ip', ['monitor', 'link']);
    let out = '';
    mon.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    try {
      // Wait until the monitor's socket is in RTNLGRP_LINK (group 1: bit 0 of its Groups column).
      const subscribed = () =>
        s.kernel.proc
          .read('/proc/net/netlink')
          .split('\n')
          .slice(1)
          .some((l) => {
            const f = l.trim().split(/\s+/);
            return f[1] === '0' && f[2] !== '0' && (Number.parseInt(f[3]!, 16) & 1) === 1;
          });
      for (let i = 0; i < 200 && !subscribed(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(subscribed()).toBe(true);
      const add = await onKsock('ip link add mon0 type dummy');
      expect(add.code).toBe(0);
      for (let i = 0; i < 200 && !out.includes('mon0'); i++) await new Promise((r) => setTimeout(r, 25));
      const dev = s.kernel.init_net.dev_base.find((d) => d.name === 'mon0')!;
      const mac = [...dev.dev_addr].map((b) => b.toString(16).padStart(2, '0')).join(':');
      // The guard's own device came and went first (RTM_NEWLINK, then RTM_DELLINK as "Deleted").
      expect(out).toMatch(new RegExp(`^Deleted \\d+: ${GUARD_DEV}: `, 'm'));
      expect(out).toContain(
        `${dev.ifindex}: mon0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default \n` +
          `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff\n`,
      );
    } finally {
      mon.kill('SIGTERM');
      await new Promise((r) => mon.once('exit', r));
      await onKsock('ip link del mon0');
    }
  });
});
