/**
 * A dropped kernel is garbage: nothing at module level in core or in a family (no per-kernel table, no
 * one-entry cache of the last kernel or namespace) keeps it alive once its last reference goes. The
 * kernel boots every family, opens and closes sockets of each in two namespaces, traces one call, and is
 * dropped; a FinalizationRegistry then has to see it collected. Needs `--expose-gc` (vitest.config.ts).
 */

import { BTPROTO_HCI, BTPROTO_L2CAP, BTPROTO_RFCOMM, BTPROTO_SCO } from '@ksock/af-bluetooth';
import { INADDR_ANY, sockaddr_in } from '@ksock/af-inet';
import {
  ifinfomsg,
  NETLINK_CONNECTOR,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  nlmsg,
  RTM_GETLINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import {
  AF_BLUETOOTH,
  AF_INET,
  AF_NETLINK,
  CLONE_NEWNET,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  type Task,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot } from './harness.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Sockets of every family in the task's namespace (Bluetooth: init_net only, as in Linux), used a little and closed. */
function exercise(t: Task, bluetooth: boolean): void {
  const route = t.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  t.sendto(route, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()), 0, sockaddr_nl(0, 0));
  t.recvfrom(route, 65536, MSG_DONTWAIT);
  t.close(route);
  t.close(t.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK));
  t.close(t.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR));

  const udp = t.socket(AF_INET, SOCK_DGRAM, 0);
  t.bind(udp, sockaddr_in(INADDR_ANY, 0));
  const tcp = t.socket(AF_INET, SOCK_STREAM, 0);
  t.bind(tcp, sockaddr_in(INADDR_ANY, 0));
  t.listen(tcp, 4);
  t.close(tcp);
  t.close(udp);

  if (!bluetooth) return;
  for (const [type, proto] of [
    [SOCK_SEQPACKET, BTPROTO_L2CAP],
    [SOCK_RAW, BTPROTO_HCI],
    [SOCK_SEQPACKET, BTPROTO_SCO],
    [SOCK_STREAM, BTPROTO_RFCOMM],
  ] as const) {
    t.close(t.socket(AF_BLUETOOTH, type, proto));
  }
}

/** Boot, use and drop a kernel; only the registry keeps track of it. */
function useAndDrop(registry: FinalizationRegistry<string>): void {
  const k = boot();
  const t = k.spawn({});
  exercise(t, true);
  const child = k.spawn({});
  child.unshare(CLONE_NEWNET);
  exercise(child, false);
  k.trace(() => t.close(t.socket(AF_INET, SOCK_DGRAM, 0)));
  child.exit(0);
  registry.register(k, 'kernel');
}

describe('a dropped kernel', () => {
  it('is collected after it booted every family and opened and closed sockets in two namespaces', async () => {
    expect(gc, 'run with node --expose-gc').toBeTypeOf('function');
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((what) => collected.push(what));
    useAndDrop(registry);
    // FinalizationRegistry callbacks run from the event loop after a collection: collect, yield, repeat.
    for (let i = 0; i < 10 && collected.length === 0; i++) {
      gc!();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(collected).toEqual(['kernel']);
  });
});
