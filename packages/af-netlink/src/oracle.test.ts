/** Replays nl_probe.py against ksock and compares with what Linux 6.18 answered. */
import {
  AF_NETLINK,
  cmsgs,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  SO_RCVBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  type Task,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import oracle from './__fixtures__/linux-6.18-af_netlink.json' with { type: 'json' };
import delivery from './__fixtures__/linux-6.18-af_netlink-delivery.json' with { type: 'json' };
import { boot } from './__fixtures__/test_util.js';
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

describe(`delivery semantics as Linux ${delivery.kernel}`, () => {
  it('overrun, NO_ENOBUFS, full unicast receiver, connected peers, PEEK/TRUNC, PKTINFO', () => {
    const k = boot();
    const t = k.spawn();
    const out: Record<string, unknown> = {};
    const mk = (pid: number, groups = 0) => {
      const fd = t.socket(AF_NETLINK, SOCK_DGRAM, 2);
      t.bind(fd, sockaddr_nl(pid, groups));
      return fd;
    };
    const hexs = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const len = (fd: number) => () => t.recvfrom(fd, 4000, MSG_DONTWAIT).data.length;
    const r = mk(10, 1);
    const q = mk(11, 1);
    const s = mk(20);
    t.setsockopt(q, 270, 5, 1);
    t.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 1);
    t.setsockopt(q, SOL_SOCKET, SO_RCVBUF, 1);
    out.rcvbuf_min = t.getsockoptInt(r, SOL_SOCKET, SO_RCVBUF);
    out.bcast_sends = [0, 1, 2].map(() => en(() => t.sendto(s, new Uint8Array(3000), 0, sockaddr_nl(0, 1))));
    out.r_recvs = [0, 1, 2].map(() => en(len(r)));
    out.q_recvs = [0, 1].map(() => en(len(q)));
    out.after_drain_send = en(() => t.sendto(s, Uint8Array.of(0x61, 0x62, 0x63), 0, sockaddr_nl(10, 1)));
    out.after_drain_recv = en(() => hexs(t.recvfrom(r, 100, MSG_DONTWAIT).data));
    const u = mk(30);
    t.setsockopt(u, SOL_SOCKET, SO_RCVBUF, 1);
    out.uni_first = en(() => t.sendto(s, new Uint8Array(3000), MSG_DONTWAIT, sockaddr_nl(30)));
    out.uni_second = en(() => t.sendto(s, new Uint8Array(3000), MSG_DONTWAIT, sockaddr_nl(30)));
    out.uni_recv = [0, 1].map(() => en(len(u)));
    const a = mk(40);
    const b = mk(41);
    const c = mk(42);
    t.connect(a, sockaddr_nl(41));
    out.conn_from_peer = en(() => t.sendto(b, Uint8Array.of(0x70), 0, sockaddr_nl(40)));
    out.conn_from_other = en(() => t.sendto(c, Uint8Array.of(0x6f), 0, sockaddr_nl(40)));
    const pn = () => {
      const x = decode_sockaddr_nl(t.getpeername(a));
      return [x.nl_pid, x.nl_groups];
    };
    out.peername = pn();
    t.connect(a, sockaddr_nl(41, 6));
    out.peername_groups = pn();
    const hello = new TextEncoder().encode('hello world');
    t.sendto(b, hello, 0, sockaddr_nl(42));
    out.peek = en(() => hexs(t.recvfrom(c, 100, MSG_PEEK).data));
    const tr = t.recvmsg(c, 5, 0);
    const ta = decode_sockaddr_nl(tr.addr!);
    out.trunc_recvmsg = [hexs(tr.data), [ta.nl_pid, ta.nl_groups]];
    t.sendto(b, hello, 0, sockaddr_nl(42));
    out.trunc_flag_ret = en(() => t.recvfrom(c, 5, MSG_TRUNC).len);
    const g = mk(50);
    t.setsockopt(g, 270, 1, 5);
    t.setsockopt(g, 270, 3, 1);
    t.sendto(s, Uint8Array.of(0x70), 0, sockaddr_nl(50, 1 << 4));
    const m = t.recvmsg(g, 10, 0, 256);
    const ga = decode_sockaddr_nl(m.addr!);
    out.pktinfo = [
      ...[...cmsgs(m.control)].map((x) => [x.level, x.type, hexs(x.data)]),
      [ga.nl_pid, ga.nl_groups],
    ];
    const { _comment: _c, kernel: _k, ...theirs } = delivery;
    expect(out).toEqual(theirs);
  });
});

describe('group counts as Linux', () => {
  it('NETLINK_ROUTE has RTNLGRP_MAX groups, NETLINK_CONNECTOR 32', () => {
    const k = boot();
    const t = k.spawn();
    const highest = (proto: number) => {
      const fd = t.socket(AF_NETLINK, SOCK_DGRAM, proto);
      let g = 1;
      while (en(() => t.setsockopt(fd, 270, 1, g))[0] === 'ok') g++;
      return [g - 1, fd] as const;
    };
    const [route, rfd] = highest(0);
    const [connector] = highest(11);
    expect({ route, connector, route_list_memberships_len: t.getsockopt(rfd, 270, 9, 64).length }).toEqual({
      route: oracle.ngroups.route,
      connector: oracle.ngroups.connector,
      route_list_memberships_len: oracle.ngroups.route_list_memberships_len,
    });
  });
});
