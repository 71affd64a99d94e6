/**
 * Privilege and isolation: what an unprivileged task may not do (load or unload modules, open raw
 * sockets where Linux checks CAP_NET_RAW, join netlink groups reserved to CAP_NET_ADMIN, change links),
 * what the capability alone allows, and that one network namespace cannot see or reach the sockets of
 * another (netlink portids, multicast, /proc/net, inet ports, Bluetooth).
 */

import {
  BDADDR_ANY,
  BTPROTO_HCI,
  BTPROTO_L2CAP,
  BTPROTO_RFCOMM,
  BTPROTO_SCO,
  HCI_CHANNEL_CONTROL,
  HCI_CHANNEL_LOGGING,
  HCI_CHANNEL_MONITOR,
  HCI_CHANNEL_RAW,
  HCI_CHANNEL_USER,
  HCI_DEV_NONE,
  sockaddr_hci,
  sockaddr_rc,
} from '@ksock/af-bluetooth';
import { IPPROTO_ICMP, IPPROTO_RAW, IPPROTO_TCP, IPPROTO_UDP, sockaddr_in } from '@ksock/af-inet';
import {
  CN_IDX_PROC,
  decode_nlmsgerr,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  ifinfomsg,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CONNECTOR,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_ERROR,
  nla_find,
  nla_get_string,
  nla_nest,
  nla_parse,
  nla_string,
  nlmsg,
  nlmsg_parse,
  RTM_GETLINK,
  RTM_NEWLINK,
  RTNLGRP_IPV4_MROUTE_R,
  RTNLGRP_LINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import {
  AF_BLUETOOTH,
  AF_INET,
  AF_NETLINK,
  CAP_NET_ADMIN,
  CAP_NET_RAW,
  CAP_SYS_ADMIN,
  CAP_SYS_MODULE,
  CLONE_NEWNET,
  type Kernel,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_NETLINK,
  type Task,
} from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { boot, procNet } from './harness.js';

let k: Kernel;
let root: Task;
let user: Task;
beforeEach(() => {
  k = boot();
  root = k.spawn({ uid: 0, comm: 'root' });
  user = k.spawn({ uid: 1000, comm: 'user' });
});

const as = (caps: number[]) => k.spawn({ uid: 1000, caps });
const ino = (t: Task, fd: number) => Number(/\d+/.exec(k.proc.readlink(`/proc/self/fd/${fd}`, t))![0]);
/** Inode numbers listed in a /proc/net table as `t` reads it. */
function listed(t: Task, name: string, column: number): number[] {
  return k.proc
    .read(`/proc/net/${name}`, t)
    .split('\n')
    .slice(1)
    .filter((l) => l.trim().length > 0)
    .map((l) => Number(l.trim().split(/\s+/)[column]));
}

describe('modules need CAP_SYS_MODULE', () => {
  it('an unprivileged task cannot load or unload a module (EPERM); the capability alone is enough', () => {
    expect(errnoOf(() => user.modprobe('af_inet'))).toBe('EPERM');
    expect(k.modules.find('af_inet')).toBeUndefined();
    root.modprobe('af_inet');
    expect(errnoOf(() => user.rmmod('af_inet'))).toBe('EPERM');
    expect(k.modules.find('af_inet')?.state).toBe('Live');
    const mod = as([CAP_SYS_MODULE]);
    mod.rmmod('af_inet');
    expect(k.modules.find('af_inet')).toBeUndefined();
    mod.modprobe('af_inet');
    expect(k.modules.find('af_inet')?.state).toBe('Live');
    // CAP_NET_ADMIN or CAP_SYS_ADMIN do not stand in for CAP_SYS_MODULE
    expect(errnoOf(() => as([CAP_NET_ADMIN, CAP_SYS_ADMIN]).rmmod('af_inet'))).toBe('EPERM');
  });

  it('setuid away from root drops the capability: the same task can no longer rmmod', () => {
    const t = k.spawn({ uid: 0 });
    t.modprobe('bluetooth');
    t.setuid(1000);
    expect(errnoOf(() => t.rmmod('bluetooth'))).toBe('EPERM');
    expect(errnoOf(() => t.modprobe('rfcomm'))).toBe('EPERM');
  });

  it('socket() still autoloads the family for an unprivileged task (request_module runs as the kernel)', () => {
    user.close(user.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
    expect(k.modules.find('af_netlink')?.state).toBe('Live');
    expect(k.modules.find('rtnetlink')?.state).toBe('Live');
  });
});

describe('raw sockets need CAP_NET_RAW where Linux checks it', () => {
  it('inet SOCK_RAW: EPERM without CAP_NET_RAW, allowed with it', () => {
    for (const p of [IPPROTO_ICMP, IPPROTO_RAW, IPPROTO_UDP, IPPROTO_TCP]) {
      expect(errnoOf(() => user.socket(AF_INET, SOCK_RAW, p))).toBe('EPERM');
    }
    const raw = as([CAP_NET_RAW]);
    raw.close(raw.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    raw.close(raw.socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
    // CAP_NET_ADMIN is not CAP_NET_RAW
    expect(errnoOf(() => as([CAP_NET_ADMIN]).socket(AF_INET, SOCK_RAW, IPPROTO_ICMP))).toBe('EPERM');
  });

  it('ping sockets are for the groups in net.ipv4.ping_group_range (EACCES otherwise), not a raw-socket capability', () => {
    expect(errnoOf(() => user.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP))).toBe('EACCES');
    root.sysctl('net.ipv4.ping_group_range', '1000 1000');
    user.close(user.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  });

  it('L2CAP SOCK_RAW: EPERM without CAP_NET_RAW (l2cap_sock_create); allowed with it', () => {
    expect(errnoOf(() => user.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_L2CAP))).toBe('EPERM');
    const raw = as([CAP_NET_RAW]);
    raw.close(raw.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_L2CAP));
    // the connection-oriented kinds need nothing
    user.close(user.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP));
  });

  it('HCI: the socket needs nothing, the privileged channels do (MONITOR: CAP_NET_RAW, LOGGING/USER: CAP_NET_ADMIN)', () => {
    const fd = user.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(errnoOf(() => user.bind(fd, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_MONITOR)))).toBe('EPERM');
    expect(errnoOf(() => user.bind(fd, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_LOGGING)))).toBe('EPERM');
    expect(errnoOf(() => user.bind(fd, sockaddr_hci(0, HCI_CHANNEL_USER)))).toBe('EPERM');
    user.bind(fd, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_CONTROL));
    user.close(fd);
    const raw = as([CAP_NET_RAW]);
    const m = raw.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    raw.bind(m, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_MONITOR));
    raw.close(m);
    const admin = as([CAP_NET_ADMIN]);
    const u = admin.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(errnoOf(() => admin.bind(u, sockaddr_hci(0, HCI_CHANNEL_USER)))).toBe('ENODEV'); // allowed, no controller
    admin.bind(u, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW));
    admin.close(u);
  });

  it('RFCOMM SOCK_RAW and netlink SOCK_RAW are not privileged (Linux checks no capability there)', () => {
    user.close(user.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_RFCOMM));
    user.close(user.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    expect(errnoOf(() => user.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_SCO))).toBe('ESOCKTNOSUPPORT');
  });
});

describe('netlink groups and requests that need CAP_NET_ADMIN', () => {
  it('NETLINK_USERSOCK groups: EPERM for bind and NETLINK_ADD_MEMBERSHIP without CAP_NET_ADMIN', () => {
    const fd = user.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK);
    expect(errnoOf(() => user.bind(fd, sockaddr_nl(0, 1)))).toBe('EPERM');
    expect(errnoOf(() => user.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 3))).toBe('EPERM');
    user.bind(fd, sockaddr_nl(0, 0)); // no groups: fine
    user.close(fd);
    const admin = as([CAP_NET_ADMIN]);
    const a = admin.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK);
    admin.bind(a, sockaddr_nl(0, 1));
    admin.setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 3);
    admin.close(a);
  });

  it('NETLINK_CONNECTOR: only the cn_proc group is open to everyone (cn_bind)', () => {
    const fd = user.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR);
    expect(errnoOf(() => user.bind(fd, sockaddr_nl(0, 1 << 1)))).toBe('EPERM'); // group 2
    expect(errnoOf(() => user.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 2))).toBe('EPERM');
    user.bind(fd, sockaddr_nl(0, 1 << (CN_IDX_PROC - 1)));
    user.close(fd);
    const admin = as([CAP_NET_ADMIN]);
    const a = admin.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR);
    admin.bind(a, sockaddr_nl(0, 1 << 1));
    admin.close(a);
  });

  it('NETLINK_ROUTE: RTNLGRP_LINK is open, the multicast-routing groups are not; sending to a group needs CAP_NET_ADMIN', () => {
    const fd = user.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    user.bind(fd, sockaddr_nl(0, 1 << (RTNLGRP_LINK - 1)));
    expect(
      errnoOf(() => user.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_IPV4_MROUTE_R)),
    ).toBe('EPERM');
    expect(
      errnoOf(() => user.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST, 1, 0), 0, sockaddr_nl(0, 1))),
    ).toBe('EPERM');
    user.close(fd);
  });

  it('RTM_NEWLINK from an unprivileged task is answered with an EPERM ack and creates nothing', () => {
    const req = nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, 7, 0, [
      ifinfomsg(),
      nla_string(IFLA_IFNAME, 'evil0'),
      nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')]),
    ]);
    const fd = user.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    user.sendto(fd, req, 0, sockaddr_nl(0, 0));
    const [ack] = nlmsg_parse(user.recvfrom(fd, 8192).data);
    expect(ack?.hdr.nlmsg_type).toBe(NLMSG_ERROR);
    expect(decode_nlmsgerr(ack!.payload, ack!.hdr.nlmsg_flags).error).toBe(-1); // -EPERM
    expect(links(user)).not.toContain('evil0');
    user.close(fd);
  });
});

/** Interface names an RTM_GETLINK dump shows to `t`. */
function links(t: Task): string[] {
  const fd = t.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE);
  t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()), 0, sockaddr_nl(0, 0));
  const names: string[] = [];
  for (;;) {
    const msgs = nlmsg_parse(t.recvfrom(fd, 65536, MSG_DONTWAIT).data);
    let done = false;
    for (const m of msgs) {
      if (m.hdr.nlmsg_type !== RTM_NEWLINK) {
        done = true;
        continue;
      }
      const name = nla_find(nla_parse(m.payload.subarray(16)), IFLA_IFNAME);
      if (name) names.push(nla_get_string(name));
    }
    if (done) break;
  }
  t.close(fd);
  return names;
}

describe('network namespaces', () => {
  it('unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN', () => {
    expect(errnoOf(() => user.unshare(CLONE_NEWNET))).toBe('EPERM');
    expect(errnoOf(() => as([CAP_NET_ADMIN]).unshare(CLONE_NEWNET))).toBe('EPERM');
    as([CAP_SYS_ADMIN]).unshare(CLONE_NEWNET);
  });

  it('netlink: a portid in another namespace is unreachable (ECONNREFUSED) and free to reuse; multicast stays home', () => {
    const a = root.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    root.bind(a, sockaddr_nl(1234, 1));
    const other = k.spawn({ uid: 0 });
    other.unshare(CLONE_NEWNET);
    const probe = other.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    expect(errnoOf(() => other.sendto(probe, new Uint8Array(8), 0, sockaddr_nl(1234, 0)))).toBe(
      'ECONNREFUSED',
    );
    const b = other.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    other.bind(b, sockaddr_nl(1234, 1)); // the same portid is free over there
    // the same portid in the sender's own namespace is reachable
    const c = root.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    root.sendto(c, Uint8Array.of(1), 0, sockaddr_nl(1234, 0));
    expect(root.recvfrom(a, 16).data).toEqual(Uint8Array.of(1));
    // a multicast to group 1 reaches the member in init_net only
    expect(errnoOf(() => root.sendto(c, Uint8Array.of(2), 0, sockaddr_nl(0, 1)))).toBe('ECONNREFUSED');
    expect(root.recvfrom(a, 16).data).toEqual(Uint8Array.of(2));
    expect(errnoOf(() => other.recvfrom(b, 16, MSG_DONTWAIT))).toBe('EAGAIN');
    // and back: from the new namespace, init_net's portid 1234 is the local one (b), not a
    const d = other.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_USERSOCK);
    other.sendto(d, Uint8Array.of(3), 0, sockaddr_nl(1234, 0));
    expect(other.recvfrom(b, 16).data).toEqual(Uint8Array.of(3));
    expect(errnoOf(() => root.recvfrom(a, 16, MSG_DONTWAIT))).toBe('EAGAIN');
  });

  it('/proc/net/netlink, udp, tcp, raw of one namespace do not list the sockets of another', () => {
    const other = k.spawn({ uid: 0 });
    other.unshare(CLONE_NEWNET);
    const mine = {
      nl: root.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK),
      udp: root.socket(AF_INET, SOCK_DGRAM, 0),
      tcp: root.socket(AF_INET, SOCK_STREAM, 0),
      raw: root.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP),
    };
    root.bind(mine.nl, sockaddr_nl(0, 0));
    root.bind(mine.udp, sockaddr_in('127.0.0.1', 5000));
    root.bind(mine.tcp, sockaddr_in('127.0.0.1', 5000));
    root.listen(mine.tcp, 1);
    const theirs = {
      nl: other.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK),
      udp: other.socket(AF_INET, SOCK_DGRAM, 0),
      tcp: other.socket(AF_INET, SOCK_STREAM, 0),
      raw: other.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP),
    };
    other.bind(theirs.nl, sockaddr_nl(0, 0));
    // a new namespace's lo is down, so 127.0.0.1 is not an address there yet (EADDRNOTAVAIL, as in Linux)
    expect(errnoOf(() => other.bind(theirs.udp, sockaddr_in('127.0.0.1', 6000)))).toBe('EADDRNOTAVAIL');
    other.bind(theirs.udp, sockaddr_in('0.0.0.0', 6000));
    other.bind(theirs.tcp, sockaddr_in('0.0.0.0', 6000));
    other.listen(theirs.tcp, 1);
    // inode columns: netlink 9, udp/tcp/raw 9
    for (const [name, col, key] of [
      ['netlink', 9, 'nl'],
      ['udp', 9, 'udp'],
      ['tcp', 9, 'tcp'],
      ['raw', 9, 'raw'],
    ] as const) {
      const seenByMe = listed(root, name, col);
      const seenByThem = listed(other, name, col);
      expect(seenByMe, `/proc/net/${name} in init_net`).toContain(ino(root, mine[key]));
      expect(seenByMe, `/proc/net/${name} in init_net`).not.toContain(ino(other, theirs[key]));
      expect(seenByThem, `/proc/net/${name} in the new namespace`).toContain(ino(other, theirs[key]));
      expect(seenByThem, `/proc/net/${name} in the new namespace`).not.toContain(ino(root, mine[key]));
    }
    expect(procNet(k, 'sockstat', root)).toMatch(/^sockets: used 4\n/);
    expect(procNet(k, 'sockstat', other)).toMatch(/^sockets: used 4\n/);
    other.exit(0);
    expect(procNet(k, 'sockstat', root)).toMatch(/^sockets: used 4\n/);
  });

  it('an inet port bound in one namespace is not EADDRINUSE in another (but is in its own)', () => {
    const other = k.spawn({ uid: 0 });
    other.unshare(CLONE_NEWNET);
    for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
      const a = root.socket(AF_INET, type, 0);
      root.bind(a, sockaddr_in('0.0.0.0', 8080));
      const again = root.socket(AF_INET, type, 0);
      expect(errnoOf(() => root.bind(again, sockaddr_in('0.0.0.0', 8080)))).toBe('EADDRINUSE');
      const b = other.socket(AF_INET, type, 0);
      other.bind(b, sockaddr_in('0.0.0.0', 8080));
      for (const fd of [a, again]) root.close(fd);
      other.close(b);
    }
  });

  it('devices and Bluetooth stay in their namespace: a new one sees only lo, and has no AF_BLUETOOTH', () => {
    const req = nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, 1, 0, [
      ifinfomsg(),
      nla_string(IFLA_IFNAME, 'dummy7'),
      nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')]),
    ]);
    const fd = root.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    root.sendto(fd, req, 0, sockaddr_nl(0, 0));
    root.recvfrom(fd, 4096);
    expect(links(root)).toEqual(['lo', 'dummy7']);
    const rc = root.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
    root.bind(rc, sockaddr_rc(BDADDR_ANY, 5));
    root.listen(rc, 1);
    const other = k.spawn({ uid: 0 });
    other.unshare(CLONE_NEWNET);
    expect(links(other)).toEqual(['lo']);
    expect(errnoOf(() => other.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM))).toBe('EAFNOSUPPORT');
    expect(listed(root, 'rfcomm', 5)).toContain(ino(root, rc));
    expect(listed(other, 'rfcomm', 5)).toEqual([]);
  });
});
