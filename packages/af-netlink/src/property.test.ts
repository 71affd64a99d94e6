import { ENOBUFS, MSG_DONTWAIT, MSG_PEEK, SO_RCVBUF, SOL_NETLINK, SOL_SOCKET } from '@ksock/core';
import type { Socket } from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, modref, nlsocket } from './__fixtures__/test_util.js';
import { NETLINK_S_CONGESTED, type NetlinkSock, netlink_table } from './af_netlink.js';
import { NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP, NETLINK_USERSOCK, sockaddr_nl } from './uapi.js';

const SLOTS = 4;
/** What the runs exercised, so the test can insist that they reached deliveries and overruns. */
const stats = { runs: 0, delivered: 0, enobufs: 0 };
const pid = fc.constantFrom(0, 100, 101, 102);
const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const group = fc.integer({ min: 0, max: 3 });

const action = fc.oneof(
  fc.record({ k: fc.constant('open' as const), i: slot }),
  fc.record({ k: fc.constant('bind' as const), i: slot, pid, groups: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant('connect' as const), i: slot, pid, g: group }),
  fc.record({
    k: fc.constant('join' as const),
    i: slot,
    g: fc.integer({ min: 1, max: 3 }),
    on: fc.boolean(),
  }),
  fc.record({ k: fc.constant('rcvbuf' as const), i: slot }),
  fc.record({
    k: fc.constant('send' as const),
    i: slot,
    pid,
    g: group,
    size: fc.integer({ min: 4, max: 2500 }),
  }),
  fc.record({
    k: fc.constant('send' as const),
    i: slot,
    pid,
    g: group,
    size: fc.integer({ min: 4, max: 2500 }),
  }),
  fc.record({ k: fc.constant('recv' as const), i: slot, peek: fc.boolean() }),
  fc.record({ k: fc.constant('recv' as const), i: slot, peek: fc.constant(false) }),
  fc.record({ k: fc.constant('close' as const), i: slot }),
);

function run(
  actions: ReadonlyArray<fc.Arbitrary<unknown> extends never ? never : Record<string, unknown>>,
): void {
  const k = boot();
  const t = k.spawn();
  const fds: Array<number | null> = new Array(SLOTS).fill(null);
  const expected: number[][] = Array.from({ length: SLOTS }, () => []);
  const pendingEnobufs: boolean[] = new Array(SLOTS).fill(false);
  let next_id = 1;
  stats.runs++;
  // Start with every slot open; close/open actions churn them.
  for (let i = 0; i < SLOTS; i++) fds[i] = nlsocket(t, NETLINK_USERSOCK);
  const sk_of = (i: number): NetlinkSock => (t.files.fd[fds[i]!]!.private_data as Socket).sk as NetlinkSock;
  const recv = (i: number, peek: boolean) => {
    const fd = fds[i]!;
    let r: ReturnType<typeof t.recvfrom>;
    try {
      r = t.recvfrom(fd, 65536, MSG_DONTWAIT | (peek ? MSG_PEEK : 0));
    } catch (e) {
      const code = (e as { code: string }).code;
      if (code === 'ENOBUFS') {
        // An overrun is reported exactly when one began since the last report.
        expect(pendingEnobufs[i]).toBe(true);
        pendingEnobufs[i] = false;
        stats.enobufs++;
        return false;
      }
      expect(code).toBe('EAGAIN');
      expect(pendingEnobufs[i]).toBe(false);
      expect(expected[i]).toEqual([]);
      return false;
    }
    // Queued data never hides a pending ENOBUFS: the error comes first.
    expect(pendingEnobufs[i]).toBe(false);
    const id = new DataView(r.data.buffer, r.data.byteOffset).getUint32(0, true);
    expect(id).toBe(expected[i]![0]);
    if (!peek) expected[i]!.shift();
    return true;
  };

  for (const a of actions as Array<Record<string, number | boolean | string>>) {
    const i = a.i as number;
    const open = fds[i] !== null;
    switch (a.k) {
      case 'open':
        if (!open) fds[i] = nlsocket(t, NETLINK_USERSOCK);
        break;
      case 'bind':
        if (open) errnoOf(() => t.bind(fds[i]!, sockaddr_nl(a.pid as number, a.groups as number)));
        break;
      case 'connect':
        if (open)
          errnoOf(() =>
            t.connect(fds[i]!, sockaddr_nl(a.pid as number, a.g ? 1 << ((a.g as number) - 1) : 0)),
          );
        break;
      case 'join':
        if (open)
          t.setsockopt(
            fds[i]!,
            SOL_NETLINK,
            a.on ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
            a.g as number,
          );
        break;
      case 'rcvbuf':
        if (open) t.setsockopt(fds[i]!, SOL_SOCKET, SO_RCVBUF, 1);
        break;
      case 'recv':
        if (open) recv(i, a.peek as boolean);
        break;
      case 'close':
        if (open) {
          t.close(fds[i]!);
          fds[i] = null;
          expected[i] = [];
          pendingEnobufs[i] = false;
        }
        break;
      case 'send': {
        if (!open) break;
        const id = next_id++;
        const data = new Uint8Array(a.size as number);
        new DataView(data.buffer).setUint32(0, id, true);
        const before = fds.map((fd, j) =>
          fd === null
            ? null
            : {
                qlen: sk_of(j).sk_receive_queue.qlen,
                congested: (sk_of(j).state & NETLINK_S_CONGESTED) !== 0,
              },
        );
        const g = a.g as number;
        errnoOf(() =>
          t.sendto(fds[i]!, data, MSG_DONTWAIT, sockaddr_nl(a.pid as number, g ? 1 << (g - 1) : 0)),
        );
        const sender = sk_of(i);
        for (let j = 0; j < SLOTS; j++) {
          if (fds[j] === null) continue;
          const sk = sk_of(j);
          const b = before[j]!;
          const got = sk.sk_receive_queue.qlen - b.qlen;
          expect(got === 0 || got === 1).toBe(true);
          if (got === 1) {
            stats.delivered++;
            expected[j]!.push(id);
            continue;
          }
          // Not queued: was it meant for j by the group?
          const member =
            j !== i &&
            g !== 0 &&
            sk.groups !== null &&
            (sk.groups[0]! & (1 << (g - 1))) !== 0 &&
            sk.portid !== (a.pid as number);
          if (member) {
            // A dropped broadcast: only while congested, and a new episode is reported as ENOBUFS.
            expect((sk.state & NETLINK_S_CONGESTED) !== 0).toBe(true);
            if (!b.congested) {
              expect(sk.sk_err).toBe(ENOBUFS);
              pendingEnobufs[j] = true;
            }
          }
        }
        expect(sender.sk_receive_queue.qlen).toBe(before[i]!.qlen + (expected[i]!.at(-1) === id ? 1 : 0));
        break;
      }
    }
  }
  // Drain: every queued message arrives in order; every overrun was reported.
  for (let i = 0; i < SLOTS; i++) {
    if (fds[i] === null) continue;
    let guard = 0;
    while ((expected[i]!.length > 0 || pendingEnobufs[i]) && guard++ < 10000) recv(i, false);
    expect(expected[i]).toEqual([]);
    expect(pendingEnobufs[i]).toBe(false);
    t.close(fds[i]!);
  }
  const tables = netlink_table(k);
  if (tables !== undefined) {
    const tbl = tables[NETLINK_USERSOCK]!;
    expect(tbl.hash.size).toBe(0);
    expect(tbl.mc_list).toEqual([]);
    expect([...tbl.listeners!].every((w) => w === 0)).toBe(true);
  }
  expect(modref(k, 'af_netlink') ?? 0).toBe(0);
  expect(k.sk_allocated).toBe(0);
  expect(k.sock_inode_cache.active_objs).toBe(0);
  expect(k.init_net.sock_inuse).toBe(0);
}

describe('properties', () => {
  it('random bind/connect/send/recv/close sequences lose no message silently and leave nothing behind', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 80, size: 'max' }), (actions) => {
        run(actions as never);
      }),
      { numRuns: 300 },
    );
    expect(stats.delivered).toBeGreaterThan(100);
    expect(stats.enobufs).toBeGreaterThan(5);
  });
});
