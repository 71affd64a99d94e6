/**
 * Fault-injection sweep. For every path below (each family's create, bind and send paths, plus module
 * load, unshare(CLONE_NEWNET), accept and descriptor-table growth), a recording run lists the injectable
 * sites the path reaches and how often; then each hit of each site is made to fail in turn, in a fresh
 * kernel. The call must fail with a Linux errno — the one Linux gives where the mapping is clear — or
 * succeed if the failure is one the path tolerates; nothing may leak (the counters and /proc/net tables
 * are unchanged, the kernel matches a fresh one with the same modules once everything is closed, every
 * module unloads); and the same call must work again once the fault is gone.
 */

import {
  BDADDR_ANY,
  BTPROTO_HCI,
  BTPROTO_L2CAP,
  BTPROTO_RFCOMM,
  BTPROTO_SCO,
  HCI_CHANNEL_RAW,
  HCI_DEV_NONE,
  sockaddr_hci,
  sockaddr_l2,
  sockaddr_rc,
  sockaddr_sco,
} from '@ksock/af-bluetooth';
import { IPPROTO_ICMP, IPPROTO_RAW, IPPROTO_TCP, IPPROTO_UDP, sockaddr_in } from '@ksock/af-inet';
import {
  CN_IDX_PROC,
  CN_VAL_PROC,
  decode_sockaddr_nl,
  encode_cn_msg,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  ifinfomsg,
  NETLINK_CONNECTOR,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  nla_nest,
  nla_string,
  nlmsg,
  RTM_GETLINK,
  RTM_NEWLINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import {
  AF_BLUETOOTH,
  AF_INET,
  AF_NETLINK,
  CLONE_NEWNET,
  F_DUPFD,
  type Kernel,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  type Task,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { badFailure, boot, diff, referenceFor, snapshot, unloadAll } from './harness.js';

type Family = 'netlink' | 'inet' | 'bluetooth' | 'core';

interface Path {
  name: string;
  family: Family;
  /** Modules loaded before the path runs ('all', or none: the path autoloads what it needs). */
  warm: boolean;
  /** Sockets and state the path needs; returns what `act` uses. Runs with no fault armed. */
  setup?(k: Kernel, t: Task): number[];
  /** The call under test is one syscall (so a failure must leave the kernel exactly as it was). */
  single?: boolean;
  /** The call under test. Returns the descriptors it opened (closed afterwards). */
  act(k: Kernel, t: Task, fds: number[]): number[];
}

interface SockKind {
  label: string;
  family: Family;
  af: number;
  type: number;
  protocol: number;
  /** The errno Linux gives when sk_alloc() fails in this family's create. */
  skAllocErrno: string;
}

const KINDS: SockKind[] = [
  {
    label: 'netlink ROUTE dgram',
    family: 'netlink',
    af: AF_NETLINK,
    type: SOCK_DGRAM,
    protocol: NETLINK_ROUTE,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'netlink ROUTE raw',
    family: 'netlink',
    af: AF_NETLINK,
    type: SOCK_RAW,
    protocol: NETLINK_ROUTE,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'netlink USERSOCK',
    family: 'netlink',
    af: AF_NETLINK,
    type: SOCK_DGRAM,
    protocol: NETLINK_USERSOCK,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'netlink CONNECTOR',
    family: 'netlink',
    af: AF_NETLINK,
    type: SOCK_DGRAM,
    protocol: NETLINK_CONNECTOR,
    skAllocErrno: 'ENOMEM',
  },
  // inet_create(): err = -ENOMEM before sk_alloc() (it was -ENOBUFS until "net: Return the correct errno
  // code", Linux 5.14)
  {
    label: 'inet TCP',
    family: 'inet',
    af: AF_INET,
    type: SOCK_STREAM,
    protocol: IPPROTO_TCP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'inet UDP',
    family: 'inet',
    af: AF_INET,
    type: SOCK_DGRAM,
    protocol: IPPROTO_UDP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'inet RAW icmp',
    family: 'inet',
    af: AF_INET,
    type: SOCK_RAW,
    protocol: IPPROTO_ICMP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'inet RAW 255',
    family: 'inet',
    af: AF_INET,
    type: SOCK_RAW,
    protocol: IPPROTO_RAW,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'inet ping',
    family: 'inet',
    af: AF_INET,
    type: SOCK_DGRAM,
    protocol: IPPROTO_ICMP,
    skAllocErrno: 'ENOMEM',
  },
  // every Bluetooth protocol's create: if (!sk) return -ENOMEM
  {
    label: 'bt RFCOMM',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_STREAM,
    protocol: BTPROTO_RFCOMM,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'bt L2CAP seqpacket',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_SEQPACKET,
    protocol: BTPROTO_L2CAP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'bt L2CAP dgram',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_DGRAM,
    protocol: BTPROTO_L2CAP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'bt L2CAP raw',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_RAW,
    protocol: BTPROTO_L2CAP,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'bt SCO',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_SEQPACKET,
    protocol: BTPROTO_SCO,
    skAllocErrno: 'ENOMEM',
  },
  {
    label: 'bt HCI',
    family: 'bluetooth',
    af: AF_BLUETOOTH,
    type: SOCK_RAW,
    protocol: BTPROTO_HCI,
    skAllocErrno: 'ENOMEM',
  },
];

const sock = (t: Task, s: SockKind) => t.socket(s.af, s.type | SOCK_NONBLOCK, s.protocol);
const kind = (label: string) => KINDS.find((s) => s.label === label)!;

/** The bind each kind gets: an address its family accepts. */
const BINDS: Record<string, () => Uint8Array> = {
  'netlink ROUTE dgram': () => sockaddr_nl(0, 1),
  'netlink USERSOCK': () => sockaddr_nl(4242, 0),
  'netlink CONNECTOR': () => sockaddr_nl(0, CN_IDX_PROC),
  'inet TCP': () => sockaddr_in('127.0.0.1', 0),
  'inet UDP': () => sockaddr_in('127.0.0.1', 5353),
  'inet RAW icmp': () => sockaddr_in('127.0.0.1', 0),
  'inet ping': () => sockaddr_in('127.0.0.1', 0),
  'bt RFCOMM': () => sockaddr_rc(BDADDR_ANY, 1),
  'bt L2CAP seqpacket': () => sockaddr_l2(BDADDR_ANY, 0x1001),
  'bt SCO': () => sockaddr_sco(BDADDR_ANY),
  'bt HCI': () => sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW),
};

const getlink = nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg());
const newlink = nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, 2, 0, [
  ifinfomsg(),
  nla_string(IFLA_IFNAME, 'fz0'),
  nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')]),
]);

function drain(t: Task, fd: number): void {
  for (let i = 0; i < 64; i++) {
    try {
      t.recvfrom(fd, 65536, MSG_DONTWAIT);
    } catch {
      return;
    }
  }
}

function buildPaths(): Path[] {
  const paths: Path[] = [];
  for (const s of KINDS) {
    for (const warm of s.label === 'inet ping' ? [true] : [true, false]) {
      paths.push({
        name: `create ${s.label}${warm ? '' : ' (autoload)'}`,
        family: s.family,
        warm,
        single: true,
        act: (_k, t) => [sock(t, s)],
      });
    }
    const addr = BINDS[s.label];
    if (addr !== undefined) {
      paths.push({
        name: `bind ${s.label}`,
        family: s.family,
        warm: true,
        single: true,
        setup: (_k, t) => [sock(t, s)],
        act: (_k, t, [fd]) => {
          t.bind(fd!, addr());
          return [];
        },
      });
    }
  }
  // send paths
  paths.push(
    {
      name: 'send netlink USERSOCK unicast to self',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => {
        const fd = sock(t, kind('netlink USERSOCK'));
        t.bind(fd, sockaddr_nl(0, 0));
        return [fd];
      },
      act: (_k, t, [fd]) => {
        const me = decode_sockaddr_nl(t.getsockname(fd!)).nl_pid;
        t.sendto(fd!, new Uint8Array(32), MSG_DONTWAIT, sockaddr_nl(me, 0));
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'send netlink USERSOCK autobind',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => [sock(t, kind('netlink USERSOCK')), sock(t, kind('netlink USERSOCK'))],
      act: (_k, t, [a, b]) => {
        t.bind(b!, sockaddr_nl(7, 1));
        t.sendto(a!, new Uint8Array(16), MSG_DONTWAIT, sockaddr_nl(7, 0));
        drain(t, b!);
        return [];
      },
    },
    {
      name: 'send netlink ROUTE RTM_GETLINK dump',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => [sock(t, kind('netlink ROUTE dgram'))],
      act: (_k, t, [fd]) => {
        t.sendto(fd!, getlink, 0, sockaddr_nl(0, 0));
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'send netlink ROUTE RTM_NEWLINK dummy',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => [sock(t, kind('netlink ROUTE dgram'))],
      act: (_k, t, [fd]) => {
        t.sendto(fd!, newlink, 0, sockaddr_nl(0, 0));
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'send netlink CONNECTOR proc listen',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => {
        const fd = sock(t, kind('netlink CONNECTOR'));
        t.bind(fd, sockaddr_nl(0, CN_IDX_PROC));
        return [fd];
      },
      act: (_k, t, [fd]) => {
        const op = new Uint8Array(4);
        op[0] = 1; // PROC_CN_MCAST_LISTEN
        const m = encode_cn_msg({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: 0, ack: 0, flags: 0, data: op });
        t.sendto(fd!, nlmsg(3, 0, 0, 0, m), 0, sockaddr_nl(0, 0));
        t.fork().exit(0); // process events for the listener
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'send inet UDP loopback',
      family: 'inet',
      warm: true,
      setup: (_k, t) => {
        const fd = sock(t, kind('inet UDP'));
        t.bind(fd, sockaddr_in('127.0.0.1', 5353));
        return [fd, sock(t, kind('inet UDP'))];
      },
      act: (_k, t, [rx, tx]) => {
        t.sendto(tx!, new Uint8Array(64), MSG_DONTWAIT, sockaddr_in('127.0.0.1', 5353));
        drain(t, rx!);
        return [];
      },
    },
    {
      name: 'connect+send inet TCP loopback',
      family: 'inet',
      warm: true,
      setup: (_k, t) => {
        const l = sock(t, kind('inet TCP'));
        t.bind(l, sockaddr_in('127.0.0.1', 8080));
        t.listen(l, 4);
        return [l, sock(t, kind('inet TCP'))];
      },
      act: (_k, t, [l, c]) => {
        try {
          t.connect(c!, sockaddr_in('127.0.0.1', 8080));
        } catch (e) {
          if ((e as { code?: string }).code !== 'EINPROGRESS') throw e;
        }
        const a = t.accept4(l!, SOCK_NONBLOCK);
        t.sendto(c!, new Uint8Array(100), MSG_DONTWAIT);
        drain(t, a);
        return [a];
      },
    },
    {
      name: 'send inet RAW icmp',
      family: 'inet',
      warm: true,
      setup: (_k, t) => [sock(t, kind('inet RAW icmp'))],
      act: (_k, t, [fd]) => {
        t.sendto(fd!, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0), MSG_DONTWAIT, sockaddr_in('127.0.0.1', 0));
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'send inet ping',
      family: 'inet',
      warm: true,
      setup: (_k, t) => [sock(t, kind('inet ping'))],
      act: (_k, t, [fd]) => {
        t.sendto(fd!, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0), MSG_DONTWAIT, sockaddr_in('127.0.0.1', 0));
        drain(t, fd!);
        return [];
      },
    },
    {
      name: 'listen bt RFCOMM (session)',
      family: 'bluetooth',
      warm: true,
      setup: (_k, t) => {
        const fd = sock(t, kind('bt RFCOMM'));
        t.bind(fd, sockaddr_rc(BDADDR_ANY, 2));
        return [fd];
      },
      act: (_k, t, [fd]) => {
        t.listen(fd!, 1);
        return [];
      },
    },
    {
      name: 'connect bt RFCOMM',
      family: 'bluetooth',
      warm: true,
      setup: (_k, t) => [sock(t, kind('bt RFCOMM'))],
      act: (_k, t, [fd]) => {
        t.connect(fd!, sockaddr_rc(Uint8Array.of(1, 2, 3, 4, 5, 6), 1));
        return [];
      },
    },
    {
      name: 'connect bt L2CAP',
      family: 'bluetooth',
      warm: true,
      setup: (_k, t) => [sock(t, kind('bt L2CAP seqpacket'))],
      act: (_k, t, [fd]) => {
        t.connect(fd!, sockaddr_l2(Uint8Array.of(1, 2, 3, 4, 5, 6), 0x1001));
        return [];
      },
    },
    {
      name: 'send bt HCI',
      family: 'bluetooth',
      warm: true,
      setup: (_k, t) => {
        const fd = sock(t, kind('bt HCI'));
        t.bind(fd, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW));
        return [fd];
      },
      act: (_k, t, [fd]) => {
        t.sendto(fd!, Uint8Array.of(1, 3, 12, 0), MSG_DONTWAIT);
        return [];
      },
    },
  );
  // module loads, namespaces, descriptor tables
  for (const m of ['af_netlink', 'rtnetlink', 'cn', 'af_inet', 'bluetooth', 'rfcomm']) {
    paths.push({
      name: `modprobe ${m}`,
      family:
        m.startsWith('af_net') || m === 'rtnetlink' || m === 'cn'
          ? 'netlink'
          : m === 'af_inet'
            ? 'inet'
            : 'bluetooth',
      warm: false,
      act: (_k, t) => {
        t.modprobe(m);
        return [];
      },
    });
  }
  paths.push(
    {
      name: 'unshare(CLONE_NEWNET) with every module loaded',
      family: 'core',
      warm: true,
      act: (_k, t) => {
        t.unshare(CLONE_NEWNET);
        return [];
      },
    },
    {
      name: 'create netlink ROUTE at fd 64 (table grows)',
      family: 'netlink',
      warm: true,
      setup: (_k, t) => {
        for (let i = 3; i < 64; i++) t.fcntl(0, F_DUPFD, i);
        return [];
      },
      act: (_k, t) => [sock(t, kind('netlink ROUTE dgram'))],
    },
  );
  return paths;
}

/**
 * The errno Linux gives when `site` fails on this path, where the mapping is clear; null when any Linux
 * errno is acceptable (or the call may succeed because the path tolerates the failure).
 */
function expectedErrno(p: Path, site: string, occurrence: number, hits: number): string | null {
  const create = p.name.startsWith('create ');
  const s = create ? KINDS.find((x) => p.name.startsWith(`create ${x.label}`)) : undefined;
  if (create && p.warm && hits === 1) {
    switch (site) {
      case 'sock_alloc':
        return 'ENFILE'; // __sock_create(): "socket: no more sockets"
      case 'get_unused_fd_flags':
        return 'EMFILE';
      case 'alloc_file_pseudo':
        return 'ENOMEM'; // alloc_empty_file() failing its allocation
      case 'sk_alloc':
        return s?.skAllocErrno ?? null;
      case 'expand_files':
        return 'ENOMEM';
    }
  }
  if (create && !p.warm && site === 'request_module' && occurrence === 0) return 'EAFNOSUPPORT'; // net-pf-N
  if (create && !p.warm && site === 'request_module' && occurrence === 1) return 'EPROTONOSUPPORT'; // protocol module
  if (site === 'copy_net_ns') return 'ENOMEM';
  // sock_alloc_send_pskb(): alloc_skb_with_frags() failing is ENOBUFS
  if (site === 'sock_alloc_send_skb') return 'ENOBUFS';
  // tcp_sendmsg_locked(): no skb → wait_for_space → sk_stream_wait_memory() on a nonblocking socket: EAGAIN
  if (site === 'tcp_stream_alloc_skb') return 'EAGAIN';
  if (p.name.startsWith('modprobe ') && site === 'proto_register') return 'ENOBUFS';
  return null;
}

interface Outcome {
  path: string;
  family: Family;
  site: string;
  occurrence: number;
  result: string;
  /** What the path gives without a fault. */
  baseline: string;
  problems: string[];
}

function prepare(p: Path): { k: Kernel; t: Task; fds: number[] } {
  const k = boot();
  if (p.warm) {
    for (const m of ['af_netlink', 'rtnetlink', 'cn', 'af_inet', 'bluetooth', 'rfcomm']) k.modules.load(m);
    k.init.sysctl('net.ipv4.ping_group_range', '0 0'); // let root's group create ping sockets
  }
  const t = k.spawn({ uid: 0 });
  const fds = p.setup?.(k, t) ?? [];
  return { k, t, fds };
}

/** Count each site's hits while `fn` runs (the kernel's own injector decides; this only counts). */
function countHits(k: Kernel, fn: () => void): Map<string, number> {
  const hits = new Map<string, number>();
  const inj = k.faults;
  const orig = inj.should_fail.bind(inj);
  inj.should_fail = (site: string) => {
    hits.set(site, (hits.get(site) ?? 0) + 1);
    return orig(site);
  };
  try {
    fn();
  } finally {
    inj.should_fail = orig;
  }
  return hits;
}

const EMPTY = snapshot(boot());

/**
 * Close what the path opened, exit, and compare with a fresh kernel with the same modules — unless the
 * call succeeded despite a fault in a module's init that Linux tolerates (RFCOMM's listener), which
 * legitimately leaves the kernel different. Every module must unload after, back to an empty kernel.
 */
function finishAndCheck(k: Kernel, t: Task, opened: number[], problems: string[], compare = true): void {
  for (const fd of opened) {
    try {
      t.close(fd);
    } catch {
      // already closed by the path
    }
  }
  t.exit(0);
  if (compare) {
    const leaks = diff(snapshot(k), referenceFor(k));
    if (leaks.length > 0) problems.push(`after exit: ${leaks.join('; ')}`);
  }
  const refused = unloadAll(k);
  if (refused.length > 0) problems.push(`rmmod refused: ${refused.join('; ')}`);
  const rest = diff(snapshot(k), EMPTY);
  if (rest.length > 0) problems.push(`after unloading every module: ${rest.join('; ')}`);
}

function sweep(p: Path): Outcome[] {
  // recording run
  const rec = prepare(p);
  rec.k.faults.recording = true;
  let opened: number[] = [];
  let baseline = 'success';
  const hits = countHits(rec.k, () => {
    try {
      opened = p.act(rec.k, rec.t, rec.fds);
    } catch (e) {
      if (badFailure(e) !== null) throw e;
      baseline = (e as { code: string }).code;
    }
  });
  const out: Outcome[] = [];
  for (const [site, n] of hits) {
    for (let occ = 0; occ < Math.min(n, 4); occ++) {
      const { k, t, fds } = prepare(p);
      const problems: string[] = [];
      const before = snapshot(k);
      k.faults.inject(site, { after: occ });
      let result = 'success';
      let got: number[] = [];
      const seen = countHits(k, () => {
        try {
          got = p.act(k, t, fds);
        } catch (e) {
          const bad = badFailure(e);
          if (bad !== null) problems.push(bad);
          result = (e as { code?: string }).code ?? String(e);
        }
      });
      k.faults.clear();
      if ((seen.get(site) ?? 0) <= occ)
        problems.push(`the fault was not reached (${seen.get(site) ?? 0} hits)`);
      const want = expectedErrno(p, site, occ, n);
      if (want !== null && result !== want) problems.push(`expected ${want}, got ${result}`);
      if (result !== 'success' && p.warm && p.single) {
        // a failed call leaves nothing behind, even before anything is closed
        const after = diff(snapshot(k), before);
        if (after.length > 0) problems.push(`leaked by the failed call: ${after.join('; ')}`);
      }
      // the same call works once the fault is gone (nothing was left half-done)
      if (result !== 'success' && p.name.startsWith('create ')) {
        try {
          got = [...got, ...p.act(k, t, fds)];
        } catch (e) {
          problems.push(`retry without the fault failed: ${badFailure(e) ?? (e as { code: string }).code}`);
        }
      }
      finishAndCheck(k, t, [...fds, ...got], problems, p.warm || result !== 'success');
      out.push({ path: p.name, family: p.family, site, occurrence: occ, result, baseline, problems });
    }
  }
  const problems: string[] = [];
  finishAndCheck(rec.k, rec.t, [...rec.fds, ...opened], problems);
  if (problems.length > 0)
    out.push({
      path: p.name,
      family: p.family,
      site: '(none)',
      occurrence: 0,
      result: baseline,
      baseline,
      problems,
    });
  return out;
}

/**
 * Coverage measured when the sweep was written: (path, site, hit) triples injected. The sweep may grow;
 * it must not silently shrink (a renamed site or a path that stopped reaching one fails here).
 */
const MIN_INJECTIONS = 186;
const MIN_SITES = 11;
const MIN_PATHS_WITH_SITES = 38;

describe('fault-injection sweep', () => {
  const paths = buildPaths();
  const outcomes: Outcome[] = [];
  for (const p of paths) {
    it(`${p.name}: every injectable site fails cleanly`, () => {
      const o = sweep(p);
      outcomes.push(...o);
      const bad = o.filter((x) => x.problems.length > 0);
      expect(bad.map((x) => `${x.site}#${x.occurrence} → ${x.result}: ${x.problems.join(' | ')}`)).toEqual(
        [],
      );
    });
  }

  it('covers at least what was measured', () => {
    const injected = outcomes.filter((o) => o.site !== '(none)');
    const sites = new Set(injected.map((o) => o.site));
    const withSites = new Set(injected.map((o) => o.path));
    const byFamily = new Map<string, number>();
    for (const o of injected) byFamily.set(o.family, (byFamily.get(o.family) ?? 0) + 1);
    const lines = injected.map(
      (o) =>
        `  ${o.path} | ${o.site}#${o.occurrence} → ${o.result}${o.baseline === 'success' ? '' : ` (without the fault: ${o.baseline})`}`,
    );
    console.log(
      `fault sweep: ${injected.length} injections = ${sites.size} sites × ${withSites.size}/${paths.length} paths (by family: ${[...byFamily].map(([f, n]) => `${f} ${n}`).join(', ')})\n  sites: ${[...sites].sort().join(', ')}\n${lines.join('\n')}`,
    );
    expect(injected.length).toBeGreaterThanOrEqual(MIN_INJECTIONS);
    expect(sites.size).toBeGreaterThanOrEqual(MIN_SITES);
    expect(withSites.size).toBeGreaterThanOrEqual(MIN_PATHS_WITH_SITES);
  });
});
