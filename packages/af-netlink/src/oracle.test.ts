/** Replays nl_probe.py against ksock and compares with what Linux 6.18 answered. */
import { AF_NETLINK, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, type Task } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import oracle from './__fixtures__/linux-6.18-af_netlink.json' with { type: 'json' };
import { boot } from './test_util.js';
import { decode_sockaddr_nl, sockaddr_nl } from './uapi.js';

type Answer = [string, unknown];

function en(fn: () => unknown): Answer {
  try {
    const r = fn();
    return ['ok', r === undefined ? null : r];
  } catch (e) {
    return [(e as { code: string }).code, null];
  }
}

function scen(t: Task): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sock = (type: number, proto: number) => t.socket(AF_NETLINK, type, proto);
  const sa = (fd: number) => {
    const a = decode_sockaddr_nl(t.getsockname(fd));
    return [a.nl_pid, a.nl_groups];
  };
  const hexs = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const s = sock(SOCK_DGRAM, 2);
  out.bind_groups_usersock = en(() => t.bind(s, sockaddr_nl(0, 1)));
  t.close(s);
  out.socket_stream = en(() => t.close(sock(SOCK_STREAM, 99)));
  out.socket_proto32 = en(() => t.close(sock(SOCK_DGRAM, 32)));
  const a = sock(SOCK_DGRAM, 2);
  const b = sock(SOCK_DGRAM, 2);
  out.bind_a_4242 = en(() => t.bind(a, sockaddr_nl(4242)));
  out.bind_b_4242 = en(() => t.bind(b, sockaddr_nl(4242)));
  out.getsockname_b_after_fail = sa(b);
  out.rebind_a_other = en(() => t.bind(a, sockaddr_nl(1)));
  out.rebind_a_same = en(() => t.bind(a, sockaddr_nl(4242)));
  const c = sock(SOCK_DGRAM, 2);
  out.send_unknown = en(() => t.sendto(c, Uint8Array.of(1), 0, sockaddr_nl(999999)));
  out.send_empty = en(() => t.sendto(c, new Uint8Array(0), 0, sockaddr_nl(4242)));
  out.send_pid0_usersock = en(() => t.sendto(c, Uint8Array.of(1), 0, sockaddr_nl(0)));
  out.send_group_usersock = en(() => t.sendto(c, Uint8Array.of(1), 0, sockaddr_nl(0, 1)));
  out.c_autobound_is_tgid = sa(c)[0] === t.pid;
  const d = sock(SOCK_DGRAM, 2);
  t.bind(d, sockaddr_nl(0));
  out.second_autobind = sa(d)[0];
  out.emsgsize = en(() => t.sendto(c, new Uint8Array(212961), 0, sockaddr_nl(4242)));
  out.emsgsize_limit_ok = en(() => t.sendto(c, new Uint8Array(212960), 0, sockaddr_nl(4242)));
  const e = sock(SOCK_DGRAM, 2);
  out.add_membership_33 = en(() => t.setsockopt(e, 270, 1, 33));
  out.add_membership_32 = en(() => t.setsockopt(e, 270, 1, 32));
  out.add_membership_3 = en(() => t.setsockopt(e, 270, 1, 3));
  out.getsockname_after_add = sa(e);
  out.list_memberships = en(() => hexs(t.getsockopt(e, 270, 9, 64)));
  out.pktinfo_short = en(() => hexs(t.getsockopt(e, 270, 3, 2)));
  out.unknown_opt = en(() => t.setsockopt(e, 270, 99, 1));
  out.rcvbuf = t.getsockoptInt(e, SOL_SOCKET, SO_RCVBUF);
  const f = sock(SOCK_DGRAM, 0);
  out.route_bind_group_mroute_r = en(() => t.bind(f, sockaddr_nl(0, 1 << 29)));
  const g = sock(SOCK_DGRAM, 11);
  out.cn_bind_even_group = en(() => t.bind(g, sockaddr_nl(0, 2)));
  out.cn_bind_group3 = en(() => t.bind(g, sockaddr_nl(0, 4)));
  const p = decode_sockaddr_nl(t.getpeername(a));
  out.peer_unconnected = [p.nl_pid, p.nl_groups];
  return out;
}

describe(`af_netlink answers as Linux ${oracle.kernel}`, () => {
  for (const who of ['root', 'user'] as const) {
    it(`as ${who}`, () => {
      const k = boot();
      const t = k.spawn(who === 'root' ? {} : { uid: 1000 });
      const ours = scen(t);
      const theirs = { ...oracle[who] } as Record<string, unknown>;
      // The negative autobind portid is random: compare its range.
      for (const o of [ours, theirs]) {
        const v = o.second_autobind as number;
        o.second_autobind = v >= 0x80000000 && v <= 0xffffefff;
      }
      expect(ours).toEqual(theirs);
    });
  }
});
