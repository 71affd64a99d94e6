import { AF_INET, IFF_UP, MSG_DONTWAIT, SOL_NETLINK } from '@ksock/core';
import { dev_get_by_name, inet_insert_ifa } from '@ksock/core/kernel';
import * as rtstructs from 'netlink/dist/rt/structs.js';
import * as nlstructs from 'netlink/dist/structs.js';
import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/linux-6.18-rtnetlink.json' with { type: 'json' };
import { bindnl, boot, modref, nlsocket } from './__fixtures__/test_util.js';
import {
  decode_ifinfomsg,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_MTU,
  ifaddrmsg,
  ifinfomsg,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_SETLINK,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_MROUTE_R,
  RTNLGRP_LINK,
} from './rtnetlink.js';
import {
  decode_nlmsgerr,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_ROUTE,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  type NlMsg,
  nla,
  nla_find,
  nla_get_string,
  nla_get_u32,
  nla_parse,
  nla_string,
  nla_u32,
  nlmsg,
  nlmsg_parse,
} from './uapi.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));
const err = (code: string) => expect.objectContaining({ code });

function setup(uid = 0, caps: number[] = []) {
  const k = boot();
  const t = k.spawn({ uid, caps });
  const fd = nlsocket(t, NETLINK_ROUTE);
  bindnl(t, fd, 1000);
  return { k, t, fd };
}

function drain(t: ReturnType<typeof setup>['t'], fd: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (;;) {
    try {
      out.push(t.recvfrom(fd, 32768, MSG_DONTWAIT).data);
    } catch {
      return out;
    }
  }
}

function errno_of(d: Uint8Array): number {
  const [m] = nlmsg_parse(d);
  expect(m!.hdr.nlmsg_type).toBe(NLMSG_ERROR);
  return decode_nlmsgerr(m!.payload, m!.hdr.nlmsg_flags).error;
}

function linkAttrs(m: NlMsg) {
  return nla_parse(m.payload.subarray(16));
}

describe('rtnetlink', () => {
  it('autoloads as net-pf-16-proto-0 with one kernel socket per namespace', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_ROUTE);
    expect(k.modules.list().map((m) => [m.name, m.usedBy])).toEqual([
      ['rtnetlink', []],
      ['af_netlink', ['rtnetlink']],
    ]);
    expect(modref(k, 'rtnetlink')).toBe(1);
    expect(k.proc.read('/proc/net/netlink', t)).toMatch(
      /^[0-9a-f]{16} 0 {3}0 {10}00000000 0 {8}0 {8}0 {5}2 {8}0 {8}\d+/m,
    );
    t.unshare(0x40000000);
    const fd2 = nlsocket(t, NETLINK_ROUTE);
    expect(k.proc.read('/proc/net/netlink', t).split('\n')).toHaveLength(3);
    t.close(fd);
    t.close(fd2);
    expect(modref(k, 'rtnetlink')).toBe(0);
  });

  it('dumps links as Linux 6.18 does: the same attributes, DONE in a datagram of its own', () => {
    const { t, fd } = setup();
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()));
    const [part, done] = drain(t, fd);
    const real = fixture.getlink_dump_lo.map(hex);
    const ours = nlmsg_parse(part!);
    const theirs = nlmsg_parse(real[0]!);
    expect(ours).toHaveLength(1);
    expect({ ...ours[0]!.hdr, nlmsg_pid: 0, nlmsg_len: 0 }).toEqual({
      ...theirs[0]!.hdr,
      nlmsg_pid: 0,
      nlmsg_len: 0,
    });
    expect(decode_ifinfomsg(ours[0]!.payload)).toEqual(decode_ifinfomsg(theirs[0]!.payload));
    // Attribute by attribute. IFLA_AF_SPEC (26): Linux's holds AF_INET then AF_INET6; ksock has no IPv6,
    // so it sends AF_INET's nest alone, byte for byte the same as Linux's.
    const afInetOnly = (payload: Uint8Array) => payload.subarray(0, payload[0]! | (payload[1]! << 8));
    const pick = (m: NlMsg) =>
      linkAttrs(m).map((a) => [
        a.type,
        a.nested,
        Buffer.from(a.type === 26 ? afInetOnly(a.payload) : a.payload).toString('hex'),
      ]);
    expect(pick(ours[0]!)).toEqual(pick(theirs[0]!));
    expect(nla_parse(linkAttrs(theirs[0]!).find((a) => a.type === 26)!.payload).map((a) => a.type)).toEqual([
      AF_INET,
      10, // AF_INET6
    ]);
    // DONE alone, as the real kernel sends it (only the port differs).
    expect(done!.length).toBe(20);
    const rd = real[1]!.slice();
    rd.set(done!.subarray(12, 16), 12);
    expect(done).toEqual(rd);
  });

  it('dumps IPv4 addresses like the real kernel (but for timestamps)', () => {
    const { t, fd } = setup();
    t.sendto(fd, nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifaddrmsg(AF_INET)));
    const [part, done] = drain(t, fd);
    const real = hex(fixture.getaddr_dump_lo[0]!);
    expect(part!.length).toBe(real.length);
    // Header but the port; body but the cacheinfo timestamps (last 8 bytes).
    expect(part!.subarray(0, 12)).toEqual(real.subarray(0, 12));
    expect(part!.subarray(16, real.length - 8)).toEqual(real.subarray(16, real.length - 8));
    expect(nlmsg_parse(done!)[0]!.hdr.nlmsg_type).toBe(NLMSG_DONE);
  });

  it('answers errors with the real kernel’s errno and bytes', () => {
    const { t, fd } = setup();
    const f = fixture.errors;
    const cases: Array<[keyof typeof f, Uint8Array]> = [
      ['getlink_99_ack', nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 10, 0, ifinfomsg({ ifi_index: 99 }))],
      ['getlink_noidx_noname', nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 11, 0, ifinfomsg())],
      ['dellink_lo', nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 12, 0, ifinfomsg({ ifi_index: 1 }))],
      [
        'newlink_nocreate',
        nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 13, 0, [ifinfomsg(), nla_string(IFLA_IFNAME, 'foo0')]),
      ],
      ['getlink_tooshort', nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 15, 0)],
      ['unknown_type_200', nlmsg(200, NLM_F_REQUEST | NLM_F_ACK, 16, 0, new Uint8Array(4))],
    ];
    for (const [name, req] of cases) {
      t.sendto(fd, req);
      const got = t.recvfrom(fd, 32768, MSG_DONTWAIT).data;
      expect([name, Buffer.from(got).toString('hex')]).toEqual([name, f[name]]);
    }
  });

  it('adds NETLINK_EXT_ACK messages and honours NETLINK_CAP_ACK as the real kernel does', () => {
    const { t, fd } = setup();
    const f = fixture.extack;
    const unknownKind = (seq: number) =>
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, 0, [
        ifinfomsg(),
        nla_string(IFLA_IFNAME, 'foo0'),
        nla(IFLA_LINKINFO | 0x8000, nla_string(IFLA_INFO_KIND, 'nosuch')),
      ]);
    const ask = (req: Uint8Array) => {
      t.sendto(fd, req);
      return Buffer.from(t.recvfrom(fd, 32768, MSG_DONTWAIT).data).toString('hex');
    };
    t.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    expect(ask(unknownKind(1))).toBe(f.extack_newlink_unknown_kind);
    expect(ask(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 2, 0, ifinfomsg({ ifi_index: 99 })))).toBe(
      f.extack_getlink_enodev,
    );
    expect(ask(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 3, 0))).toBe(f.extack_ack_ok);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    expect(ask(unknownKind(4))).toBe(f.capack_extack_newlink_unknown_kind);
  });

  it('RTM_SETLINK changes an existing link (MTU range, IFF_UP) and notifies listeners', () => {
    const { k, t, fd } = setup();
    const l = nlsocket(t, NETLINK_ROUTE);
    bindnl(t, l, 0, 1 << (RTNLGRP_LINK - 1));
    const lo = dev_get_by_name(k.init_net, 'lo')!;
    const set = (seq: number, m: Parameters<typeof ifinfomsg>[0], ...attrs: Uint8Array[]) => {
      t.sendto(fd, nlmsg(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0, [ifinfomsg(m), ...attrs]));
      return errno_of(t.recvfrom(fd, 32768).data);
    };
    expect(set(1, { ifi_index: 1 }, nla_u32(IFLA_MTU, 1280))).toBe(0);
    expect(lo.mtu).toBe(1280);
    expect(set(2, { ifi_index: 1, ifi_flags: 0, ifi_change: IFF_UP })).toBe(0);
    expect(lo.flags & IFF_UP).toBe(0);
    expect(set(3, { ifi_index: 1 }, nla_u32(IFLA_MTU, 10))).toBe(-22);
    expect(set(4, { ifi_index: 42 })).toBe(-19);
    expect(set(5, {})).toBe(-22);
    const notes = drain(t, l).map((d) => decode_ifinfomsg(nlmsg_parse(d)[0]!.payload));
    expect(notes.map((n) => [n.ifi_index, n.ifi_change, n.ifi_flags & IFF_UP])).toEqual([
      [1, 0, IFF_UP],
      [1, IFF_UP, 0],
    ]);
  });

  it('creates, changes and deletes dummy devices with CAP_NET_ADMIN; EPERM without', () => {
    const { k, t, fd } = setup();
    const create = (
      seq: number,
      name: string,
      flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    ) =>
      nlmsg(RTM_NEWLINK, flags, seq, 0, [
        ifinfomsg(),
        nla_string(IFLA_IFNAME, name),
        nla(IFLA_LINKINFO | 0x8000, nla_string(IFLA_INFO_KIND, 'dummy')),
      ]);
    t.sendto(fd, create(1, 'dummy0'));
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(0);
    const dev = dev_get_by_name(k.init_net, 'dummy0')!;
    expect(dev.ifindex).toBe(2);
    t.sendto(fd, create(2, 'dummy0'));
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(-17);
    // Change MTU and bring it up through the existing device.
    t.sendto(
      fd,
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 3, 0, [
        ifinfomsg({ ifi_index: 2, ifi_flags: IFF_UP, ifi_change: IFF_UP }),
        nla_u32(IFLA_MTU, 9000),
      ]),
    );
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(0);
    expect(dev.mtu).toBe(9000);
    expect(dev.flags & IFF_UP).toBe(IFF_UP);
    // Get by name.
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST, 4, 0, [ifinfomsg(), nla_string(IFLA_IFNAME, 'dummy0')]));
    const [m] = nlmsg_parse(t.recvfrom(fd, 32768).data);
    expect(m!.hdr).toMatchObject({ nlmsg_type: RTM_NEWLINK, nlmsg_flags: 0, nlmsg_seq: 4, nlmsg_pid: 1000 });
    const a = linkAttrs(m!);
    expect(nla_get_u32(nla_find(a, IFLA_MTU)!)).toBe(9000);
    expect(nla_get_string(nla_find(nla_parse(nla_find(a, IFLA_LINKINFO)!.payload), IFLA_INFO_KIND)!)).toBe(
      'dummy',
    );
    // An unprivileged user may read but not change.
    const u = k.spawn({ uid: 1000 });
    const ufd = nlsocket(u, NETLINK_ROUTE);
    u.sendto(ufd, create(5, 'dummy1'));
    expect(errno_of(u.recvfrom(ufd, 32768).data)).toBe(-1);
    u.sendto(ufd, nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 6, 0, ifinfomsg({ ifi_index: 2 })));
    expect(errno_of(u.recvfrom(ufd, 32768).data)).toBe(-1);
    // Delete, then it is gone.
    t.sendto(fd, nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 7, 0, ifinfomsg({ ifi_index: 2 })));
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(0);
    expect(dev_get_by_name(k.init_net, 'dummy0')).toBeNull();
    // No kind: "Unknown device type".
    t.sendto(
      fd,
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 8, 0, [
        ifinfomsg(),
        nla_string(IFLA_IFNAME, 'x'),
      ]),
    );
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(-95);
  });

  it('checks the sender too: a socket opened by root and used after setuid(1000) gets EPERM', () => {
    const k = boot();
    const t = k.spawn();
    const fd = nlsocket(t, NETLINK_ROUTE);
    t.setuid(1000);
    t.sendto(fd, nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0, ifinfomsg({ ifi_index: 1 })));
    expect(errno_of(t.recvfrom(fd, 32768).data)).toBe(-1);
    // Reading is still allowed.
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 2, 0, ifinfomsg({ ifi_index: 1 })));
    expect(nlmsg_parse(t.recvfrom(fd, 32768).data)[0]!.hdr.nlmsg_type).toBe(RTM_NEWLINK);
  });

  it('notifies RTNLGRP_LINK and RTNLGRP_IPV4_IFADDR listeners, unprivileged ones included', () => {
    const { k, t, fd } = setup();
    const u = k.spawn({ uid: 1000 });
    const l = nlsocket(u, NETLINK_ROUTE);
    bindnl(u, l, 0, 1 << (RTNLGRP_LINK - 1));
    u.setsockopt(l, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_IPV4_IFADDR);
    expect(() => u.setsockopt(l, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_IPV4_MROUTE_R)).toThrow(
      err('EPERM'),
    );
    t.sendto(
      fd,
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE, 1, 0, [
        ifinfomsg(),
        nla(IFLA_LINKINFO, nla_string(IFLA_INFO_KIND, 'dummy')),
      ]),
    );
    const dev = dev_get_by_name(k.init_net, 'dummy0')!;
    inet_insert_ifa(dev, {
      ifa_local: 0x0a000001,
      ifa_address: 0x0a000001,
      ifa_broadcast: 0x0a0000ff,
      ifa_prefixlen: 24,
      ifa_scope: 0,
      ifa_flags: 0,
      ifa_label: 'dummy0',
    });
    const got = drain(u, l).map((d) => {
      const r = nlmsg_parse(d)[0]!;
      return [r.hdr.nlmsg_type, r.hdr.nlmsg_pid];
    });
    expect(got).toEqual([
      [RTM_NEWLINK, 0],
      [20, 0],
    ]);
  });
});

describe('interop with the netlink npm package', () => {
  it('parses ksock’s dump parts, ACKs and DONE as it parses the real kernel’s', () => {
    const { t, fd } = setup();
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()));
    const [part, done] = drain(t, fd);
    const real = fixture.getlink_dump_lo.map(hex);
    const ours = nlstructs.parseMessages(Buffer.from(part!));
    const theirs = nlstructs.parseMessages(Buffer.from(real[0]!));
    expect(ours.map((m) => [m.type, m.flags, m.seq])).toEqual([[RTM_NEWLINK, NLM_F_MULTI, 1]]);
    const lo = rtstructs.parseLinkMessage(ours[0]!.data);
    const rlo = rtstructs.parseLinkMessage(theirs[0]!.data);
    const { afSpec: _a, ...oursAttrs } = lo.attrs;
    const { afSpec: _b, ...realAttrs } = rlo.attrs;
    expect(lo.data).toEqual(rlo.data);
    expect(oursAttrs).toEqual(realAttrs);
    expect(lo.attrs.ifname).toBe('lo');
    expect(lo.attrs.mtu).toBe(65536);
    const d = nlstructs.parseMessages(Buffer.from(done!));
    expect(d.map((m) => [m.type, m.flags, m.seq])).toEqual(
      nlstructs.parseMessages(Buffer.from(real[1]!)).map((m) => [m.type, m.flags, m.seq]),
    );
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 7, 0, ifinfomsg({ ifi_index: 99 })));
    const [e] = nlstructs.parseMessages(Buffer.from(t.recvfrom(fd, 32768).data));
    expect(e!.type).toBe(NLMSG_ERROR);
    const pe = nlstructs.parseError(e!.data, e!.flags);
    const re = nlstructs.parseError(
      nlstructs.parseMessages(Buffer.from(hex(fixture.errors.getlink_99_ack)))[0]!.data,
      0,
    );
    expect(pe.errno).toBe(re.errno);
    expect({ ...pe.header, seq: 0 }).toEqual({ ...re.header, seq: 0 });
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 8, 0));
    const [ack] = nlstructs.parseMessages(Buffer.from(t.recvfrom(fd, 32768).data));
    expect(nlstructs.parseError(ack!.data, ack!.flags).errno).toBe(0);
  });
});

describe('rtnetlink trace points', () => {
  it('the function graph of a link dump, a link change and an address change names the rtnetlink path', () => {
    const { k, t, fd } = setup();
    const { text } = k.trace(() => {
      t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()));
      drain(t, fd);
      t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST, 2, 0, ifinfomsg({ ifi_index: 1 })));
      t.sendto(
        fd,
        nlmsg(RTM_SETLINK, NLM_F_REQUEST, 3, 0, [ifinfomsg({ ifi_index: 1 }), nla_u32(IFLA_MTU, 1500)]),
      );
      t.sendto(
        fd,
        nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, 4, 0, [
          ifinfomsg(),
          nla_string(IFLA_IFNAME, 'd0'),
          nla(IFLA_LINKINFO, nla_string(IFLA_INFO_KIND, 'dummy')),
        ]),
      );
      const addr = [ifaddrmsg(AF_INET, 24, 0, 0, 1), nla(2, Uint8Array.of(10, 9, 9, 9))];
      t.sendto(fd, nlmsg(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE, 5, 0, addr));
      t.sendto(fd, nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 6, 0, ifaddrmsg(AF_INET)));
      drain(t, fd);
      t.sendto(fd, nlmsg(RTM_DELADDR, NLM_F_REQUEST, 7, 0, addr));
      t.sendto(fd, nlmsg(RTM_DELLINK, NLM_F_REQUEST, 8, 0, [ifinfomsg(), nla_string(IFLA_IFNAME, 'd0')]));
      drain(t, fd);
    });
    for (const fn of [
      'rtnetlink_rcv_msg',
      'netlink_dump_start',
      'netlink_dump',
      'rtnl_dump_ifinfo',
      'rtnl_fill_ifinfo',
      'rtnl_getlink',
      'rtnl_setlink',
      'rtnl_newlink',
      'rtnl_dellink',
      'inet_rtm_newaddr',
      'inet_dump_ifaddr',
      'inet_rtm_deladdr',
    ])
      expect(text).toMatch(new RegExp(`\\b${fn}\\(`));
    expect(text).toContain('type=RTM_GETLINK flags=0x301');
    expect(text).toContain('dev=lo RTM_NEWLINK');
  });
});

describe('a dummy link as drivers/net/dummy.c of Linux 6.18 makes it', () => {
  it('ether_setup() with IFF_NOARP, no multicast, MTU 0..any, txqlen 1000, a random locally administered MAC, qdisc noop until up', () => {
    const { k, t, fd } = setup();
    const ask = (type: number, flags: number, seq: number, ...attrs: Uint8Array[]) => {
      t.sendto(fd, nlmsg(type, NLM_F_REQUEST | flags, seq, 0, attrs));
      return drain(t, fd).flatMap((d) => nlmsg_parse(d));
    };
    ask(
      RTM_NEWLINK,
      NLM_F_CREATE | NLM_F_EXCL,
      1,
      ifinfomsg(),
      nla_string(IFLA_IFNAME, 'd0'),
      nla(IFLA_LINKINFO, nla_string(IFLA_INFO_KIND, 'dummy')),
    );
    const show = (seq: number) => {
      const [m] = ask(RTM_GETLINK, 0, seq, ifinfomsg(), nla_string(IFLA_IFNAME, 'd0'));
      const attrs = linkAttrs(m!);
      const u32 = (type: number) => nla_get_u32(nla_find(attrs, type)!);
      const str = (type: number) => nla_get_string(nla_find(attrs, type)!);
      return { ifi: decode_ifinfomsg(m!.payload), u32, str, attrs };
    };
    const d = show(2);
    // ARPHRD_ETHER; IFF_BROADCAST | IFF_NOARP (ether_setup's IFF_MULTICAST cleared); down.
    expect([d.ifi.ifi_type, d.ifi.ifi_flags]).toEqual([1, 0x2 | 0x80]);
    expect([
      d.u32(IFLA_MTU),
      d.u32(13 /* TXQLEN */),
      d.u32(50 /* MIN_MTU */),
      d.u32(51 /* MAX_MTU */),
    ]).toEqual([1500, 1000, 0, 0]);
    // alloc_netdev_mqs()'s TSO_LEGACY_MAX_SIZE (dummy does not raise it, lo does); one queue each way.
    expect([d.u32(59 /* TSO_MAX_SIZE */), d.u32(31), d.u32(32)]).toEqual([65536, 1, 1]);
    expect(d.str(6 /* QDISC */)).toBe('noop');
    expect(nla_find(d.attrs, 16 /* OPERSTATE */)!.payload[0]).toBe(2); // IF_OPER_DOWN while not running
    const mac = nla_find(d.attrs, 1 /* ADDRESS */)!.payload;
    expect(mac.length).toBe(6);
    expect(mac[0]! & 0x03).toBe(0x02); // eth_random_addr(): unicast, locally administered
    expect([...nla_find(d.attrs, 2 /* BROADCAST */)!.payload]).toEqual([255, 255, 255, 255, 255, 255]);
    // Up: noqueue (IFF_NO_QUEUE), running with carrier, operstate stays UNKNOWN (no carrier event).
    ask(RTM_SETLINK, 0, 3, ifinfomsg({ ifi_index: d.ifi.ifi_index, ifi_flags: IFF_UP, ifi_change: IFF_UP }));
    const u = show(4);
    expect(u.ifi.ifi_flags).toBe(0x2 | 0x80 | IFF_UP | 0x40 | 0x10000);
    expect(u.str(6)).toBe('noqueue');
    expect(nla_find(u.attrs, 16)!.payload[0]).toBe(0);
    expect(nla_find(u.attrs, 33 /* CARRIER */)!.payload[0]).toBe(1);
    // Down again: the qdisc stays attached, as Linux reports it.
    ask(RTM_SETLINK, 0, 5, ifinfomsg({ ifi_index: d.ifi.ifi_index, ifi_flags: 0, ifi_change: IFF_UP }));
    expect(show(6).str(6)).toBe('noqueue');
    expect(dev_get_by_name(k.init_net, 'd0')!.kind).toBe('dummy');
  });
});
