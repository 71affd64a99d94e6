/**
 * Netlink delivery accounting: random NETLINK_USERSOCK traffic between user sockets (unicast, multicast to
 * groups, both at once) with small and default receive buffers, interleaved with reads. Every message is
 * either received — once, in send order — or its loss is reported to its receiver:
 *  - a unicast from a user socket that does not fit fails for the sender (EAGAIN), and is then never received;
 *  - a multicast copy that does not fit is dropped, counted in /proc/net/netlink's Drops column, and the
 *    receiver is told with ENOBUFS once per congestion episode (netlink_overrun()): an episode lasts until a
 *    read leaves the queue empty, so every loss must fall in an episode in which the receiver saw ENOBUFS
 *    (unless it asked for NETLINK_NO_ENOBUFS, in which case it must never see ENOBUFS);
 *  - nothing is received that was not sent to it, and no ENOBUFS comes without a loss.
 */

import {
  decode_sockaddr_nl,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  ifinfomsg,
  NETLINK_NO_ENOBUFS,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_REQUEST,
  nla_nest,
  nla_string,
  nlmsg,
  RTM_DELLINK,
  RTM_NEWLINK,
  RTM_SETLINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import {
  AF_NETLINK,
  IFF_UP,
  type Kernel,
  MSG_DONTWAIT,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_NETLINK,
  SOL_SOCKET,
  type Task,
} from '@ksock/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, budgets, LONG, runProperty, sys } from './harness.js';

interface Member {
  groups: number;
  rcvbuf: number | null;
  noEnobufs: boolean;
}

type Step =
  | { k: 'send'; from: number; to: number | null; group: number; pad: number; dontwait: boolean }
  | { k: 'recv'; who: number; n: number };

const memberArb: fc.Arbitrary<Member> = fc.record({
  groups: fc.integer({ min: 0, max: 15 }),
  rcvbuf: fc.option(fc.constantFrom(0, 1, 512, 1152, 2304, 4096, 8192), { freq: 2 }),
  noEnobufs: fc.boolean(),
});

const stepArb = (n: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant('send' as const),
        from: fc.nat(n - 1),
        to: fc.option(fc.nat(n - 1)),
        group: fc.integer({ min: 0, max: 4 }),
        pad: fc.oneof(fc.nat(64), fc.nat(1500)),
        dontwait: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('recv' as const),
        who: fc.nat(n - 1),
        n: fc.integer({ min: 1, max: 4 }),
      }),
    },
  );

const scenarioArb = fc
  .array(memberArb, { minLength: 2, maxLength: 5 })
  .chain((members) =>
    fc.tuple(
      fc.constant(members),
      fc.array(stepArb(members.length), { maxLength: LONG ? 300 : 120, size: 'max' }),
    ),
  );

/** A message a member must get (`mustArrive`: a unicast that sendto accepted) or may lose, tagged with the episode it was sent in. */
interface Sent {
  key: string;
  mustArrive: boolean;
  epoch: number;
}

/**
 * The accounting of one receiver. Congestion episodes end when a read leaves the queue empty, so whatever
 * was delivered in an episode is read in that same episode: the messages read in episode r must be, in
 * order, a subsequence of those sent in episode r (which also settles which of two identical notifications
 * arrived). Every message not read is a loss: never allowed for an accepted unicast, and reported with
 * ENOBUFS in its episode unless the receiver set NETLINK_NO_ENOBUFS; no ENOBUFS without a loss; Drops in
 * /proc/net/netlink counts the losses. Returns the number lost, or what went wrong.
 */
function account(
  who: number,
  sent: readonly Sent[],
  got: ReadonlyArray<{ key: string; epoch: number }>,
  enobufsIn: ReadonlySet<number>,
  noEnobufs: boolean,
  drops: number,
): number | string {
  const lostIn = new Map<number, number>();
  const epochs = new Set([...sent.map((m) => m.epoch), ...got.map((m) => m.epoch)]);
  let lost = 0;
  for (const ep of epochs) {
    const exp = sent.filter((m) => m.epoch === ep);
    const read = got.filter((m) => m.epoch === ep);
    const matched = new Set<number>();
    let pos = 0;
    for (const r of read) {
      while (pos < exp.length && exp[pos]!.key !== r.key) pos++;
      if (pos === exp.length)
        return `member ${who}: read ${r.key.slice(0, 16)}… in episode ${ep}, which was not sent to it in that episode (or out of order)`;
      matched.add(pos++);
    }
    for (let i = 0; i < exp.length; i++) {
      if (matched.has(i)) continue;
      if (exp[i]!.mustArrive)
        return `member ${who}: ${exp[i]!.key.slice(0, 16)}… was accepted by sendto but never received`;
      lost++;
      lostIn.set(ep, (lostIn.get(ep) ?? 0) + 1);
      if (!noEnobufs && !enobufsIn.has(ep))
        return `member ${who}: a message was lost in congestion episode ${ep} and ENOBUFS was never reported in it (ENOBUFS seen in episodes ${[...enobufsIn].join(',') || 'none'})`;
    }
  }
  if (noEnobufs && enobufsIn.size > 0) return `member ${who} set NETLINK_NO_ENOBUFS but got ENOBUFS`;
  for (const ep of enobufsIn)
    if (!lostIn.has(ep)) return `member ${who}: ENOBUFS in episode ${ep} without a lost message`;
  if (drops !== lost) return `member ${who}: /proc/net/netlink Drops ${drops}, lost ${lost}`;
  return lost;
}

/** Rmem and Drops of the socket with inode `ino`, from /proc/net/netlink. */
function procRow(k: Kernel, t: Task, ino: number): { rmem: number; drops: number } {
  for (const line of k.proc.read('/proc/net/netlink', t).split('\n').slice(1)) {
    const c = line.trim().split(/\s+/);
    if (Number(c[9]) === ino) return { rmem: Number(c[4]), drops: Number(c[8]) };
  }
  throw new Error(`socket inode ${ino} not in /proc/net/netlink`);
}

/** What the runs exercised: messages lost, ENOBUFS reported, unicasts refused with EAGAIN. */
const totals = { sent: 0, lost: 0, enobufs: 0, eagain: 0 };

function runScenario(members: Member[], steps: Step[]): string | null {
  const k = boot();
  const t = k.spawn({ uid: 0 });
  const fds: number[] = [];
  const inos: number[] = [];
  const portids: number[] = [];
  for (const m of members) {
    const fd = t.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    t.bind(fd, sockaddr_nl(0, m.groups));
    if (m.rcvbuf !== null)
      t.setsockopt(fd, SOL_SOCKET, m.rcvbuf < 2048 ? SO_RCVBUFFORCE : SO_RCVBUF, m.rcvbuf);
    if (m.noEnobufs) t.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
    fds.push(fd);
    inos.push(Number(/socket:\[(\d+)\]/.exec(k.proc.readlink(`/proc/self/fd/${fd}`, t))![1]));
    portids.push(decode_sockaddr_nl(t.getsockname(fd)).nl_pid);
  }
  const n = members.length;
  // per receiver: messages it must get (unicasts that succeeded), multicast copies it may lose
  const expected: Array<Array<{ id: number; multicast: boolean; epoch: number }>> = members.map(() => []);
  const received: Array<Array<{ key: string; epoch: number }>> = members.map(() => []);
  const epoch: number[] = members.map(() => 0);
  const enobufsIn: Array<Set<number>> = members.map(() => new Set());
  let nextId = 1;

  const recvOne = (who: number): boolean => {
    const r = sys(() => t.recvfrom(fds[who]!, 65536, MSG_DONTWAIT));
    let more = true;
    if (r.ok) {
      const d = r.value.data;
      received[who]!.push({
        key: String(new DataView(d.buffer, d.byteOffset, 4).getUint32(0, true)),
        epoch: epoch[who]!,
      });
    } else if (r.code === 'ENOBUFS') {
      enobufsIn[who]!.add(epoch[who]!);
    } else if (r.code === 'EAGAIN') {
      more = false;
    } else {
      throw new Error(`recvfrom on member ${who}: ${r.code}`);
    }
    // netlink_rcv_wake(): a read that leaves the queue empty ends the congestion episode
    if (procRow(k, t, inos[who]!).rmem === 0) epoch[who]!++;
    return more;
  };

  for (const s of steps) {
    if (s.k === 'recv') {
      for (let i = 0; i < s.n && recvOne(s.who); i++);
      continue;
    }
    const id = nextId++;
    totals.sent++;
    const data = new Uint8Array(4 + s.pad);
    new DataView(data.buffer).setUint32(0, id, true);
    const toPid = s.to === null ? 0 : portids[s.to]!;
    const groups = s.group === 0 ? 0 : 1 << (s.group - 1);
    if (s.to === null && groups === 0) continue; // nowhere to send (portid 0 of USERSOCK has no kernel socket)
    // multicast copies: every member of the group except the sender and the unicast target
    if (groups !== 0) {
      for (let j = 0; j < n; j++) {
        if (j === s.from || (s.to !== null && j === s.to)) continue;
        if ((members[j]!.groups & groups) !== 0) expected[j]!.push({ id, multicast: true, epoch: epoch[j]! });
      }
    }
    const r = sys(() =>
      t.sendto(fds[s.from]!, data, s.dontwait ? MSG_DONTWAIT : 0, sockaddr_nl(toPid, groups)),
    );
    if (s.to !== null) {
      if (r.ok) {
        if (r.value !== data.length) return `send ${id}: returned ${r.value}, sent ${data.length}`;
        expected[s.to]!.push({ id, multicast: false, epoch: epoch[s.to]! });
      } else if (r.code === 'EAGAIN') {
        totals.eagain++;
      } else {
        return `unicast ${id} to member ${s.to}: ${r.code}`;
      }
    } else if (r.ok || r.code !== 'ECONNREFUSED') {
      // USERSOCK has no kernel socket: after the broadcast, the unicast to portid 0 is refused
      return `multicast-only ${id}: expected ECONNREFUSED from the unicast to portid 0, got ${r.ok ? r.value : r.code}`;
    }
  }
  // drain everything
  for (let who = 0; who < n; who++) {
    for (let i = 0; i < 100_000 && recvOne(who); i++);
  }

  for (let who = 0; who < n; who++) {
    const sent = expected[who]!.map((e) => ({ key: String(e.id), mustArrive: !e.multicast, epoch: e.epoch }));
    const drops = procRow(k, t, inos[who]!).drops;
    const r = account(who, sent, received[who]!, enobufsIn[who]!, members[who]!.noEnobufs, drops);
    if (typeof r === 'string') return r;
    totals.lost += r;
    totals.enobufs += enobufsIn[who]!.size;
  }
  for (const fd of fds) t.close(fd);
  t.exit(0);
  return null;
}

describe('netlink delivery', () => {
  for (const b of budgets({
    numRuns: 800,
    timeLimit: 4_000,
    random: 2,
    longRuns: 100_000,
    longLimit: 120_000,
  })) {
    it(`seed ${b.seed}: every message is received or its loss reported (ENOBUFS)`, {
      timeout: LONG ? 900_000 : 60_000,
    }, () => {
      const prop = fc.property(scenarioArb, ([members, steps]) => {
        const bad = runScenario(members, steps);
        if (bad !== null) throw new Error(bad);
      });
      const before = { ...totals };
      expect(runProperty('netlink-delivery', prop, b)).toBeGreaterThan(0);
      const d = (key: keyof typeof totals) => totals[key] - before[key];
      console.log(
        `netlink-delivery: sent ${d('sent')}, multicast copies lost ${d('lost')}, ENOBUFS reported ${d('enobufs')}, unicasts refused EAGAIN ${d('eagain')}`,
      );
      // the budget must reach the interesting paths, or the property proves nothing
      expect(d('lost')).toBeGreaterThan(0);
      expect(d('enobufs')).toBeGreaterThan(0);
      expect(d('eagain')).toBeGreaterThan(0);
    });
  }

  it('a receiver whose buffer is full is told ENOBUFS, and the drop shows in /proc/net/netlink', () => {
    // the deterministic core of the property above, as a plain example
    const lost = totals.lost;
    const enobufs = totals.enobufs;
    expect(
      runScenario(
        [
          { groups: 1, rcvbuf: null, noEnobufs: false },
          { groups: 1, rcvbuf: 0, noEnobufs: false },
        ],
        [
          { k: 'send', from: 0, to: null, group: 1, pad: 1000, dontwait: true },
          { k: 'send', from: 0, to: null, group: 1, pad: 1000, dontwait: true },
          { k: 'send', from: 0, to: null, group: 1, pad: 1000, dontwait: true },
        ],
      ),
    ).toBeNull();
    expect(totals.lost - lost).toBe(2);
    expect(totals.enobufs - enobufs).toBe(1);
  });
});

// ---- kernel senders: rtnetlink notifications ----------------------------------------------------------------

type LinkStep = { k: 'new' | 'del' | 'up' | 'down'; name: number } | { k: 'recv'; who: number; n: number };

const linkStepArb = (n: number): fc.Arbitrary<LinkStep> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constantFrom('new' as const, 'del' as const, 'up' as const, 'down' as const),
        name: fc.nat(5),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('recv' as const),
        who: fc.nat(n - 1),
        n: fc.integer({ min: 1, max: 4 }),
      }),
    },
  );

const linkScenarioArb = fc
  .array(memberArb, { minLength: 1, maxLength: 4 })
  .chain((members) =>
    fc.tuple(
      fc.constant(members),
      fc.array(linkStepArb(members.length), { maxLength: LONG ? 200 : 60, size: 'max' }),
    ),
  );

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * RTNLGRP_LINK members of NETLINK_ROUTE with small and default buffers while links are created, deleted,
 * brought up and down. The kernel is the sender here, so a copy that does not fit is an overrun
 * (netlink_overrun()): counted, and reported with ENOBUFS in the episode. An extra member with a huge
 * buffer, drained after every step, records what was multicast.
 */
function runLinkScenario(members: Member[], steps: LinkStep[]): string | null {
  const k = boot();
  const t = k.spawn({ uid: 0 });
  const ctl = t.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
  const oracle = t.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE);
  t.bind(oracle, sockaddr_nl(0, 1));
  t.setsockopt(oracle, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 26);
  const fds: number[] = [];
  const inos: number[] = [];
  for (const m of members) {
    const fd = t.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE);
    t.bind(fd, sockaddr_nl(0, m.groups & 1)); // RTNLGRP_LINK or nothing
    if (m.rcvbuf !== null)
      t.setsockopt(fd, SOL_SOCKET, m.rcvbuf < 2048 ? SO_RCVBUFFORCE : SO_RCVBUF, m.rcvbuf);
    if (m.noEnobufs) t.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
    fds.push(fd);
    inos.push(Number(/socket:\[(\d+)\]/.exec(k.proc.readlink(`/proc/self/fd/${fd}`, t))![1]));
  }
  const expected: Array<Array<{ key: string; epoch: number }>> = members.map(() => []);
  const received: Array<Array<{ key: string; epoch: number }>> = members.map(() => []);
  const epoch = members.map(() => 0);
  const enobufsIn: Array<Set<number>> = members.map(() => new Set());
  const recvOne = (who: number): boolean => {
    const r = sys(() => t.recvfrom(fds[who]!, 65536, MSG_DONTWAIT));
    let more = true;
    if (r.ok) received[who]!.push({ key: hex(r.value.data), epoch: epoch[who]! });
    else if (r.code === 'ENOBUFS') enobufsIn[who]!.add(epoch[who]!);
    else if (r.code === 'EAGAIN') more = false;
    else throw new Error(`recvfrom on member ${who}: ${r.code}`);
    if (procRow(k, t, inos[who]!).rmem === 0) epoch[who]!++;
    return more;
  };
  let seq = 0;
  for (const s of steps) {
    if (s.k === 'recv') {
      for (let i = 0; i < s.n && recvOne(s.who); i++);
      continue;
    }
    const name = nla_string(IFLA_IFNAME, `fz${s.name}`);
    const req =
      s.k === 'new'
        ? nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, ++seq, 0, [
            ifinfomsg(),
            name,
            nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')]),
          ])
        : s.k === 'del'
          ? nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ++seq, 0, [ifinfomsg(), name])
          : nlmsg(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ++seq, 0, [
              ifinfomsg({ ifi_flags: s.k === 'up' ? IFF_UP : 0, ifi_change: IFF_UP }),
              name,
            ]);
    t.sendto(ctl, req, 0, sockaddr_nl(0, 0));
    t.recvfrom(ctl, 65536); // the ack (0 or an errno such as EEXIST/ENODEV: either way, whatever was notified counts)
    for (;;) {
      const r = sys(() => t.recvfrom(oracle, 65536, MSG_DONTWAIT));
      if (!r.ok) {
        if (r.code !== 'EAGAIN') return `oracle: ${r.code}`;
        break;
      }
      const key = hex(r.value.data);
      for (let j = 0; j < members.length; j++) {
        if ((members[j]!.groups & 1) !== 0) expected[j]!.push({ key, epoch: epoch[j]! });
      }
      totals.sent++;
    }
  }
  for (let who = 0; who < members.length; who++) for (let i = 0; i < 100_000 && recvOne(who); i++);
  for (let who = 0; who < members.length; who++) {
    const sent = expected[who]!.map((e) => ({ ...e, mustArrive: false }));
    const drops = procRow(k, t, inos[who]!).drops;
    const r = account(who, sent, received[who]!, enobufsIn[who]!, members[who]!.noEnobufs, drops);
    if (typeof r === 'string') return r;
    totals.lost += r;
    totals.enobufs += enobufsIn[who]!.size;
  }
  t.exit(0);
  return null;
}

describe('netlink delivery from the kernel (rtnetlink notifications)', () => {
  for (const b of budgets({
    numRuns: 400,
    timeLimit: 3_000,
    random: 1,
    longRuns: 50_000,
    longLimit: 120_000,
  })) {
    it(`seed ${b.seed}: every RTNLGRP_LINK notification is received or reported (ENOBUFS)`, {
      timeout: LONG ? 900_000 : 60_000,
    }, () => {
      const before = { ...totals };
      const prop = fc.property(linkScenarioArb, ([members, steps]) => {
        const bad = runLinkScenario(members, steps);
        if (bad !== null) throw new Error(bad);
      });
      expect(runProperty('rtnl-delivery', prop, b)).toBeGreaterThan(0);
      const d = (key: keyof typeof totals) => totals[key] - before[key];
      console.log(
        `rtnl-delivery: notifications ${d('sent')}, copies lost ${d('lost')}, ENOBUFS reported ${d('enobufs')}`,
      );
      expect(d('lost')).toBeGreaterThan(0);
      expect(d('enobufs')).toBeGreaterThan(0);
    });
  }
});
