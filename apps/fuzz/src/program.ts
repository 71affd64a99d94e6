/**
 * Random syscall programs: plain data (so fast-check can shrink them) and the interpreter that runs one
 * against a kernel. Model-free: the interpreter does not predict results, it only checks that every failure
 * is a KernelError with a Linux errno and that nothing else escapes.
 */

import { BDADDR_ANY, sockaddr_hci, sockaddr_l2, sockaddr_rc, sockaddr_sco } from '@ksock/af-bluetooth';
import { sockaddr_in } from '@ksock/af-inet';
import {
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
  NLM_F_EXCL,
  NLM_F_REQUEST,
  nla,
  nla_nest,
  nla_string,
  nlmsg,
  RTM_DELLINK,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWLINK,
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
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  type Kernel,
  KernelError,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITFORONE,
  RLIMIT_NOFILE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_BLUETOOTH,
  SOL_IP,
  SOL_NETLINK,
  SOL_RAW,
  SOL_SOCKET,
  SOL_TCP,
  SOL_UDP,
  type Task,
  type UserMsg,
} from '@ksock/core';
import fc from 'fast-check';
import { badFailure } from './harness.js';

// ---- numbers ---------------------------------------------------------------------------------------------

/** Numbers a JavaScript caller can pass where C has an int: edge values, NaN, fractions, huge ones. */
export const weird = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 64 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      Number.NaN,
      -0,
      0.5,
      -1.5,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 32,
      2 ** 32 - 1,
      2 ** 53,
      Number.MAX_SAFE_INTEGER,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e300,
      0x7ffff000,
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
);

/** A flags word: mostly the ones that matter, sometimes anything. */
const msgFlags = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(0, MSG_DONTWAIT, MSG_PEEK | MSG_DONTWAIT, MSG_TRUNC | MSG_DONTWAIT, 1),
  },
  { weight: 1, arbitrary: weird },
);

const bytes = (max: number) => fc.uint8Array({ maxLength: max });

// ---- addresses -------------------------------------------------------------------------------------------

const bdaddr = fc.oneof(fc.constant(BDADDR_ANY), fc.uint8Array({ minLength: 6, maxLength: 6 }));

/** A valid sockaddr of some family, built with the families' own codecs. */
const goodAddr = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.constant(0), fc.nat(5), fc.integer()),
      fc.oneof(fc.constant(0), fc.nat(8), fc.integer()),
    )
    .map(([pid, groups]) => sockaddr_nl(pid, groups)),
  fc
    .tuple(
      fc.constantFrom(0, 0x7f000001, 0x7f000002, 0x0a000001, 0xffffffff, 0xe0000001),
      fc.oneof(fc.constant(0), fc.constantFrom(22, 80, 1023, 1024, 5000, 65535), fc.nat(65535)),
    )
    .map(([a, p]) => sockaddr_in(a, p)),
  fc.tuple(bdaddr, fc.nat(40)).map(([a, ch]) => sockaddr_rc(a, ch)),
  fc
    .tuple(bdaddr, fc.constantFrom(0, 1, 3, 0x1001, 0x1003, 0x80), fc.constantFrom(0, 4, 0x40), fc.nat(3))
    .map(([a, psm, cid, t]) => sockaddr_l2(a, psm, cid, t)),
  bdaddr.map((a) => sockaddr_sco(a)),
  fc.tuple(fc.constantFrom(0, 0xffff, 1), fc.nat(6)).map(([d, ch]) => sockaddr_hci(d, ch)),
);

/** Addresses: valid ones, mutated ones (truncated, extended, bytes flipped), random bytes. */
export const address = fc.oneof(
  { weight: 4, arbitrary: goodAddr },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        goodAddr,
        fc.nat(20),
        fc.uint8Array({ maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([a, cut, extra, pos, val]) => {
        const mode = pos % 3;
        if (mode === 0) return a.slice(0, cut % (a.length + 1));
        if (mode === 1) {
          const b = new Uint8Array(a.length + extra.length);
          b.set(a);
          b.set(extra, a.length);
          return b;
        }
        const b = a.slice();
        if (b.length > 0) b[pos % b.length] = val;
        return b;
      }),
  },
  { weight: 1, arbitrary: bytes(40) },
);

// ---- netlink messages ------------------------------------------------------------------------------------

/** Netlink requests: valid ones to rtnetlink, and broken ones (bad nlmsg_len, truncated attributes). */
export const nlMessage = fc.oneof(
  fc.constant(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg())),
  fc.constant(nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 2, 0, new Uint8Array(8))),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,6}[0-9]?$/), fc.boolean())
    .map(([name, ack]) =>
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | (ack ? NLM_F_ACK : 0), 3, 0, [
        ifinfomsg(),
        nla_string(IFLA_IFNAME, name),
        nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')]),
      ]),
    ),
  fc
    .stringMatching(/^[a-z]{1,6}[0-9]?$/)
    .map((name) =>
      nlmsg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 4, 0, [ifinfomsg(), nla_string(IFLA_IFNAME, name)]),
    ),
  // a random type and flags with a random payload
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), bytes(48))
    .map(([type, flags, body]) => nlmsg(type, flags, 5, 0, body)),
  // nlmsg_len rewritten: 0, below the header, past the end, huge
  fc
    .tuple(
      fc.constantFrom(RTM_GETLINK, RTM_NEWLINK, 0x10, 2),
      fc.oneof(fc.constantFrom(0, 1, 15, 16, 17, 0xffffffff, 0x7fffffff), fc.nat(200)),
    )
    .map(([type, len]) => {
      const m = nlmsg(type, NLM_F_REQUEST | NLM_F_ACK, 6, 0, [ifinfomsg(), nla_string(IFLA_IFNAME, 'x')]);
      new DataView(m.buffer).setUint32(0, len >>> 0, true);
      return m;
    }),
  // an attribute whose nla_len runs past the message, or below its header
  fc
    .tuple(
      fc.constantFrom(RTM_NEWLINK, RTM_GETLINK, RTM_DELLINK),
      fc.constantFrom(0, 1, 3, 200, 0xffff),
      fc.boolean(),
    )
    .map(([type, nlaLen, nest]) => {
      const attr = nest
        ? nla_nest(IFLA_LINKINFO, [nla_string(IFLA_INFO_KIND, 'dummy')])
        : nla(IFLA_IFNAME, Uint8Array.of(0x61, 0));
      const badAttr = attr.slice();
      new DataView(badAttr.buffer).setUint16(nest ? 4 : 0, nlaLen, true);
      return nlmsg(type, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 7, 0, [ifinfomsg(), badAttr]);
    }),
  // a message cut short
  fc
    .tuple(fc.nat(40))
    .map(([cut]) =>
      nlmsg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 8, 0, [
        ifinfomsg(),
        nla_string(IFLA_IFNAME, 'abc'),
      ]).slice(0, cut),
    ),
  // two messages in one datagram, the second broken
  fc.nat(0xffff).map((len) => {
    const bad = nlmsg(RTM_GETLINK, NLM_F_REQUEST, 10, 0, ifinfomsg());
    new DataView(bad.buffer).setUint32(0, len, true);
    const good = nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 9, 0, ifinfomsg());
    const b = new Uint8Array(good.length + bad.length);
    b.set(good);
    b.set(bad, good.length);
    return b;
  }),
  bytes(64),
);

// ---- operations ------------------------------------------------------------------------------------------

/** Which descriptor a call uses: one the task has open, a recently closed one, or any number. */
export type FdSel =
  | { k: 'sock'; i: number }
  | { k: 'open'; i: number }
  | { k: 'closed'; i: number }
  | { k: 'raw'; v: number };

const fdSel: fc.Arbitrary<FdSel> = fc.oneof(
  { weight: 12, arbitrary: fc.nat().map((i): FdSel => ({ k: 'sock', i })) },
  { weight: 3, arbitrary: fc.nat().map((i): FdSel => ({ k: 'open', i })) },
  { weight: 1, arbitrary: fc.nat().map((i): FdSel => ({ k: 'closed', i })) },
  { weight: 1, arbitrary: weird.map((v): FdSel => ({ k: 'raw', v })) },
);

const FAMILIES = [AF_NETLINK, AF_INET, AF_BLUETOOTH];
const family = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FAMILIES) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 10, 17, 45, 46, -1, 255) },
  { weight: 1, arbitrary: weird },
);
const sockType = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom(SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, 4, 6, 10),
        fc.constantFrom(0, 0, 0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC, 0x40000),
      )
      .map(([t, f]) => t | f),
  },
  { weight: 1, arbitrary: weird },
);
const protocol = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(0, 0, 1, 2, 3, 6, 11, 17, 255, NETLINK_USERSOCK, NETLINK_CONNECTOR),
  },
  { weight: 1, arbitrary: weird },
);

const LEVELS = [
  SOL_SOCKET,
  SOL_NETLINK,
  SOL_IP,
  SOL_TCP,
  SOL_UDP,
  SOL_RAW,
  SOL_BLUETOOTH,
  18,
  0x7fffffff,
  -1,
];
const optValue = fc.oneof(weird, bytes(24));

const task = fc.nat(7);

/** The fault-injection sites the families' paths reach (see faults.test.ts). */
export const FAULT_SITES = [
  'sock_alloc',
  'sk_alloc',
  'get_unused_fd_flags',
  'alloc_file_pseudo',
  'expand_files',
  'request_module',
  'proto_register',
  'copy_net_ns',
  'rfcomm_dlc_alloc',
  'sock_alloc_send_skb',
  'tcp_stream_alloc_skb',
];
const MODULE_NAMES = [
  'af_netlink',
  'rtnetlink',
  'cn',
  'af_inet',
  'bluetooth',
  'rfcomm',
  'net-pf-16',
  'bt-proto-3',
  'nosuch',
];

export type Op =
  | { op: 'socket'; t: number; family: number; type: number; protocol: number }
  | { op: 'bind' | 'connect'; t: number; fd: FdSel; addr: Uint8Array }
  | { op: 'sendto'; t: number; fd: FdSel; data: Uint8Array; flags: number; addr: Uint8Array | null }
  | {
      op: 'sendmsg';
      t: number;
      fd: FdSel;
      iov: Uint8Array[];
      name: Uint8Array | null;
      control: Uint8Array | null;
      flags: number;
    }
  | { op: 'recvfrom' | 'recvmsg'; t: number; fd: FdSel; len: number; into: boolean; flags: number }
  | { op: 'sendmmsg'; t: number; fd: FdSel; msgs: UserMsg[]; flags: number }
  | {
      op: 'recvmmsg';
      t: number;
      fd: FdSel;
      vlen: number;
      len: number;
      flags: number;
      timeout: { tv_sec: number; tv_nsec: number } | null;
    }
  | { op: 'read'; t: number; fd: FdSel; len: number }
  | { op: 'write'; t: number; fd: FdSel; data: Uint8Array }
  | { op: 'setsockopt'; t: number; fd: FdSel; level: number; name: number; value: number | Uint8Array }
  | { op: 'getsockopt'; t: number; fd: FdSel; level: number; name: number; len: number }
  | { op: 'getsockname' | 'getpeername' | 'accept' | 'close' | 'dup'; t: number; fd: FdSel }
  | { op: 'listen'; t: number; fd: FdSel; backlog: number }
  | { op: 'shutdown'; t: number; fd: FdSel; how: number }
  | { op: 'dup2'; t: number; fd: FdSel; to: number }
  | { op: 'fcntl'; t: number; fd: FdSel; cmd: number; arg: number }
  | {
      op: 'nl';
      t: number;
      proto: number;
      msg: Uint8Array;
      pid: number;
      groups: number;
      keep: boolean;
      reads: number;
    }
  | { op: 'proc'; t: number; path: string }
  | { op: 'fault'; site: string; after: number; times: number }
  | { op: 'sysctl'; t: number; name: string; value: string }
  | { op: 'rlimit'; t: number; soft: number; hard: number }
  | { op: 'tcp'; t: number; port: number; peer: number; accept: boolean; data: number; close: number }
  | { op: 'udp'; t: number; port: number; peer: number; data: number; connect: boolean }
  | { op: 'rfcomm'; t: number; channel: number; listen: boolean; connect: boolean; close: boolean }
  | { op: 'fork' | 'exit' | 'waitpid'; t: number }
  | { op: 'execve'; t: number; path: string }
  | { op: 'setuid'; t: number; uid: number }
  | { op: 'unshare'; t: number; flags: number }
  | { op: 'modprobe' | 'rmmod'; t: number; name: string }
  | { op: 'spawn'; uid: number; caps: number[] };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ op: fc.constant('socket' as const), t: task, family, type: sockType, protocol }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom('bind' as const, 'connect' as const),
      t: task,
      fd: fdSel,
      addr: address,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('sendto' as const),
      t: task,
      fd: fdSel,
      data: fc.oneof(nlMessage, bytes(64)),
      flags: msgFlags,
      addr: fc.option(address),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('sendmsg' as const),
      t: task,
      fd: fdSel,
      iov: fc.array(fc.oneof(nlMessage, bytes(32)), { maxLength: 3 }),
      name: fc.option(address),
      control: fc.option(
        fc.oneof(
          bytes(40),
          // a cmsghdr: len, level SOL_SOCKET, type, data
          fc.tuple(fc.nat(64), fc.constantFrom(1, 2, 3, 29, 99)).map(([len, type]) => {
            const b = new Uint8Array(24);
            const dv = new DataView(b.buffer);
            dv.setBigUint64(0, BigInt(len), true);
            dv.setInt32(8, SOL_SOCKET, true);
            dv.setInt32(12, type, true);
            return b;
          }),
        ),
      ),
      flags: msgFlags,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constantFrom('recvfrom' as const, 'recvmsg' as const),
      t: task,
      fd: fdSel,
      len: fc.oneof(fc.constantFrom(0, 1, 16, 4096, 32768), weird),
      into: fc.boolean(), // receive into a buffer of that length (when it is one) instead of asking for a length
      flags: msgFlags,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('sendmmsg' as const),
      t: task,
      fd: fdSel,
      msgs: fc.array(
        fc.record(
          {
            iov: fc.array(fc.oneof(nlMessage, bytes(32)), { maxLength: 2 }),
            name: fc.option(address),
            flags: fc.oneof(fc.constantFrom(0, MSG_EOR), weird),
          },
          { requiredKeys: ['iov'] },
        ),
        { maxLength: 4 },
      ),
      flags: msgFlags,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('recvmmsg' as const),
      t: task,
      fd: fdSel,
      vlen: fc.oneof(fc.constantFrom(0, 1, 4, 64), weird),
      len: fc.oneof(fc.constantFrom(0, 16, 32768), weird),
      flags: fc.oneof(msgFlags, fc.constantFrom(MSG_WAITFORONE, MSG_WAITFORONE | MSG_DONTWAIT)),
      timeout: fc.option(
        fc.record({
          tv_sec: fc.oneof(fc.constantFrom(0, 1, -1), weird),
          tv_nsec: fc.oneof(fc.constantFrom(0, 999_999_999, 1e9), weird),
        }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('read' as const),
      t: task,
      fd: fdSel,
      len: fc.oneof(fc.nat(4096), weird),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('write' as const),
      t: task,
      fd: fdSel,
      data: fc.oneof(nlMessage, bytes(32)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('setsockopt' as const),
      t: task,
      fd: fdSel,
      level: fc.oneof(fc.constantFrom(...LEVELS), weird),
      name: fc.oneof(fc.nat(70), weird),
      value: optValue,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('getsockopt' as const),
      t: task,
      fd: fdSel,
      level: fc.oneof(fc.constantFrom(...LEVELS), weird),
      name: fc.oneof(fc.nat(70), weird),
      len: fc.oneof(fc.constantFrom(0, 1, 4, 8, 256), weird),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'getsockname' as const,
        'getpeername' as const,
        'accept' as const,
        'close' as const,
        'dup' as const,
      ),
      t: task,
      fd: fdSel,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('listen' as const), t: task, fd: fdSel, backlog: weird }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('shutdown' as const), t: task, fd: fdSel, how: weird }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dup2' as const), t: task, fd: fdSel, to: weird }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('fcntl' as const),
      t: task,
      fd: fdSel,
      cmd: fc.oneof(fc.constantFrom(F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL), weird),
      arg: weird,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('nl' as const),
      t: task,
      proto: fc.constantFrom(NETLINK_ROUTE, NETLINK_USERSOCK, NETLINK_CONNECTOR),
      msg: nlMessage,
      pid: fc.oneof(
        fc.constant(0),
        fc.nat(4),
        weird.map((v) => (Number.isInteger(v) ? v : 0)),
      ),
      groups: fc.constantFrom(0, 0, 1, 2, 0x80000000),
      keep: fc.boolean(),
      reads: fc.constantFrom(0, 1, 2, 64),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('proc' as const),
      t: task,
      path: fc.constantFrom(
        ...[
          'netlink',
          'tcp',
          'udp',
          'raw',
          'rfcomm',
          'l2cap',
          'sco',
          'hci',
          'sockstat',
          'protocols',
          'connector',
          'dev',
        ].map((n) => `/proc/net/${n}`),
        '/proc/modules',
        '/proc/slabinfo',
        '/proc/self/fd',
        '/proc/self/status',
        '/proc/self/fdinfo/3',
        '/proc/1/fd',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('sysctl' as const),
      t: task,
      name: fc.constantFrom(
        'net.core.rmem_default',
        'net.core.wmem_default',
        'net.core.somaxconn',
        'net.ipv4.ip_local_port_range',
        'net.ipv4.ping_group_range',
        'net.ipv4.ip_unprivileged_port_start',
        'net.ipv4.tcp_rmem',
        'net.ipv4.tcp_congestion_control',
        'fs.file-max',
        'fs.nr_open',
        'net.nosuch',
      ),
      value: fc.constantFrom(
        '0',
        '1',
        '-1',
        '64',
        '5000 5001',
        '1 0',
        '0 4294967294',
        '4096 131072 6291456',
        'reno',
        'x',
        '',
        '99999999999999',
      ),
    }),
  },
  {
    // arm an injectable site: whatever path reaches it next fails there
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('fault' as const),
      site: fc.constantFrom(...FAULT_SITES),
      after: fc.nat(3),
      times: fc.constantFrom(1, 1, 2, 1000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('rlimit' as const),
      t: task,
      soft: fc.oneof(fc.constantFrom(0, 3, 4, 8, 64, 1024), weird),
      hard: fc.oneof(fc.constantFrom(0, 8, 4096, 1048577), weird),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('tcp' as const),
      t: task,
      port: fc.constantFrom(0, 5000, 5001),
      peer: task,
      accept: fc.boolean(),
      data: fc.constantFrom(0, 1, 1000, 70000),
      close: fc.nat(7),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('udp' as const),
      t: task,
      port: fc.constantFrom(0, 5000, 5001),
      peer: task,
      data: fc.constantFrom(0, 1, 1000, 65507, 65508),
      connect: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('rfcomm' as const),
      t: task,
      channel: fc.constantFrom(0, 1, 2, 30, 31),
      listen: fc.boolean(),
      connect: fc.boolean(),
      close: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('fork' as const, 'exit' as const, 'waitpid' as const),
      t: task,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('execve' as const),
      t: task,
      path: fc.constantFrom('/bin/sh', '/usr/bin/ip', 'relative', ''),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('setuid' as const),
      t: task,
      uid: fc.oneof(fc.constantFrom(0, 1000, 65534), weird),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('unshare' as const),
      t: task,
      flags: fc.oneof(fc.constant(CLONE_NEWNET), weird),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('modprobe' as const, 'rmmod' as const),
      t: task,
      name: fc.constantFrom(...MODULE_NAMES),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('spawn' as const),
      uid: fc.constantFrom(0, 1000, 65534),
      caps: fc.subarray([CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN, CAP_SYS_MODULE]),
    }),
  },
);

export const programArb = (maxLength: number) => fc.array(opArb, { minLength: 1, maxLength, size: 'max' });

// ---- the interpreter -------------------------------------------------------------------------------------

/** The tasks a program runs as: init, a root task, an unprivileged one, and what fork/spawn add. */
/**
 * A raw call's result as the throwing form would end: a negative number becomes the KernelError that form
 * throws, so the outcome is recorded (and checked to be a Linux errno) the same way; anything else is the
 * call's value.
 */
function failed<T>(r: T | number, syscall: string): T {
  if (typeof r === 'number' && r < 0) throw new KernelError(-r, syscall);
  return r as T;
}

export class Runner {
  readonly kernel: Kernel;
  readonly tasks: Task[];
  /** Descriptors closed by the program, per task pid (for "closed fd" selectors). */
  private readonly closed = new Map<number, number[]>();
  /** How many calls failed, and with which errno (for the coverage print). */
  readonly errnos = new Map<string, number>();
  /** Each op's outcome in order: 'ok' or the errno name it failed with. */
  readonly outcomes: string[] = [];
  calls = 0;
  /** Make the calls that have one through their non-throwing form (`task.raw`). */
  private readonly raw: boolean;

  constructor(kernel: Kernel, opts: { raw?: boolean } = {}) {
    this.kernel = kernel;
    this.raw = opts.raw === true;
    this.tasks = [
      kernel.init,
      kernel.spawn({ uid: 0, comm: 'root' }),
      kernel.spawn({ uid: 1000, comm: 'user' }),
      kernel.spawn({ uid: 1000, caps: [CAP_NET_RAW], comm: 'rawuser' }),
    ];
  }

  private task(i: number): Task {
    return this.tasks[i % this.tasks.length]!;
  }

  private fd(t: Task, sel: FdSel): number {
    if (sel.k === 'raw') return sel.v;
    if (sel.k === 'closed') {
      const c = this.closed.get(t.pid) ?? [];
      return c.length === 0 ? 1023 : c[sel.i % c.length]!;
    }
    const open: number[] = [];
    for (const [fd, f] of t.files.entries())
      if (sel.k === 'open' || f.path.startsWith('socket:')) open.push(fd);
    return open.length === 0 ? -1 : open[sel.i % open.length]!;
  }

  /** Run one op. Returns an error description when a call failed with something other than a Linux errno. */
  run(o: Op): string | null {
    this.calls++;
    try {
      this.exec(o);
      this.outcomes.push('ok');
      return null;
    } catch (e) {
      const bad = badFailure(e);
      if (bad !== null) return bad;
      const code = (e as { code: string }).code;
      this.errnos.set(code, (this.errnos.get(code) ?? 0) + 1);
      this.outcomes.push(code);
      return null;
    }
  }

  private exec(o: Op): void {
    if (o.op === 'fault') {
      this.kernel.faults.inject(o.site, { after: o.after, times: o.times });
      return;
    }
    if (o.op === 'spawn') {
      if (this.tasks.length < 12) this.tasks.push(this.kernel.spawn({ uid: o.uid, caps: o.caps }));
      return;
    }
    // init stays root in init_net: it is the task that cleans up at the end (and Linux's init never exits)
    const notInit = o.op === 'setuid' || o.op === 'unshare';
    const t = notInit ? this.tasks[1 + (o.t % (this.tasks.length - 1))]! : this.task(o.t);
    switch (o.op) {
      case 'socket':
        t.socket(o.family, o.type, o.protocol);
        return;
      case 'bind':
        t.bind(this.fd(t, o.fd), o.addr);
        return;
      case 'connect':
        if (this.raw) failed(t.raw.connect(this.fd(t, o.fd), o.addr), 'connect');
        else t.connect(this.fd(t, o.fd), o.addr);
        return;
      case 'sendto':
        if (this.raw) failed(t.raw.sendto(this.fd(t, o.fd), o.data, o.flags, o.addr), 'sendto');
        else t.sendto(this.fd(t, o.fd), o.data, o.flags, o.addr);
        return;
      case 'sendmsg': {
        const m = { iov: o.iov, name: o.name, control: o.control };
        if (this.raw) failed(t.raw.sendmsg(this.fd(t, o.fd), m, o.flags), 'sendmsg');
        else t.sendmsg(this.fd(t, o.fd), m, o.flags);
        return;
      }
      case 'recvfrom':
      case 'recvmsg': {
        const into = o.into && Number.isInteger(o.len) && o.len >= 0 && o.len <= 65536;
        const buf = into ? new Uint8Array(o.len) : o.len;
        const fd = this.fd(t, o.fd);
        const r = !this.raw
          ? o.op === 'recvfrom'
            ? t.recvfrom(fd, buf, o.flags)
            : t.recvmsg(fd, buf, o.flags)
          : failed(
              o.op === 'recvfrom' ? t.raw.recvfrom(fd, buf, o.flags) : t.raw.recvmsg(fd, buf, o.flags),
              o.op,
            );
        if (buf instanceof Uint8Array && (r.data.buffer !== buf.buffer || r.data.length > buf.length))
          throw new Error(`${o.op} into a buffer: data is not a view of it`);
        return;
      }
      case 'sendmmsg':
        if (this.raw) failed(t.raw.sendmmsg(this.fd(t, o.fd), o.msgs, o.flags), 'sendmmsg');
        else t.sendmmsg(this.fd(t, o.fd), o.msgs, o.flags);
        return;
      case 'recvmmsg':
        if (this.raw) failed(t.raw.recvmmsg(this.fd(t, o.fd), o.vlen, o.len, o.flags, o.timeout), 'recvmmsg');
        else t.recvmmsg(this.fd(t, o.fd), o.vlen, o.len, o.flags, o.timeout);
        return;
      case 'read':
        if (this.raw) failed(t.raw.read(this.fd(t, o.fd), o.len), 'read');
        else t.read(this.fd(t, o.fd), o.len);
        return;
      case 'write':
        if (this.raw) failed(t.raw.write(this.fd(t, o.fd), o.data), 'write');
        else t.write(this.fd(t, o.fd), o.data);
        return;
      case 'setsockopt':
        t.setsockopt(this.fd(t, o.fd), o.level, o.name, o.value);
        return;
      case 'getsockopt':
        t.getsockopt(this.fd(t, o.fd), o.level, o.name, o.len);
        return;
      case 'getsockname':
        t.getsockname(this.fd(t, o.fd));
        return;
      case 'getpeername':
        t.getpeername(this.fd(t, o.fd));
        return;
      case 'accept':
        if (this.raw) failed(t.raw.accept4(this.fd(t, o.fd), SOCK_NONBLOCK), 'accept4');
        else t.accept4(this.fd(t, o.fd), SOCK_NONBLOCK);
        return;
      case 'close': {
        const fd = this.fd(t, o.fd);
        t.close(fd);
        const c = this.closed.get(t.pid) ?? [];
        c.push(fd);
        this.closed.set(t.pid, c.slice(-8));
        return;
      }
      case 'dup':
        t.dup(this.fd(t, o.fd));
        return;
      case 'dup2':
        t.dup2(this.fd(t, o.fd), o.to);
        return;
      case 'fcntl':
        t.fcntl(this.fd(t, o.fd), o.cmd, o.arg);
        return;
      case 'listen':
        t.listen(this.fd(t, o.fd), o.backlog);
        return;
      case 'shutdown':
        t.shutdown(this.fd(t, o.fd), o.how);
        return;
      case 'nl': {
        const fd = t.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, o.proto);
        try {
          t.sendto(fd, o.msg, MSG_DONTWAIT, sockaddr_nl(o.pid, o.groups));
          // read some of what came back (acks, errors, dump parts); a dump may be left half-done
          for (let i = 0; i < o.reads; i++) t.recvfrom(fd, 65536, MSG_DONTWAIT);
        } finally {
          if (!o.keep) t.close(fd);
        }
        return;
      }
      case 'tcp': {
        // a loopback connection: listener, client, maybe accepted, maybe data, closed in some order
        const peer = this.task(o.peer);
        const l = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        const got: Array<[Task, number]> = [[t, l]];
        try {
          t.bind(l, sockaddr_in(0x7f000001, o.port));
          t.listen(l, 2);
          const port = new DataView(t.getsockname(l).buffer).getUint16(2, false);
          const c = peer.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
          got.push([peer, c]);
          try {
            peer.connect(c, sockaddr_in(0x7f000001, port));
          } catch (e) {
            if ((e as { code?: string }).code !== 'EINPROGRESS') throw e;
          }
          if (o.data > 0) peer.sendto(c, new Uint8Array(o.data), MSG_DONTWAIT);
          if (o.accept) {
            const a = t.accept4(l, SOCK_NONBLOCK);
            got.push([t, a]);
            if (o.data > 0) t.recvfrom(a, 65536, MSG_DONTWAIT);
          }
        } finally {
          // close a subset (bit i of `close` closes the i-th socket); the rest stay for later ops
          for (let i = 0; i < got.length; i++) if ((o.close >> i) & 1) got[i]![0].close(got[i]![1]);
        }
        return;
      }
      case 'udp': {
        const peer = this.task(o.peer);
        const rx = t.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        t.bind(rx, sockaddr_in(0x7f000001, o.port));
        const port = new DataView(t.getsockname(rx).buffer).getUint16(2, false);
        const tx = peer.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (o.connect) peer.connect(tx, sockaddr_in(0x7f000001, port));
        peer.sendto(
          tx,
          new Uint8Array(o.data),
          MSG_DONTWAIT,
          o.connect ? null : sockaddr_in(0x7f000001, port),
        );
        t.recvfrom(rx, 65536, MSG_DONTWAIT);
        return;
      }
      case 'rfcomm': {
        const fd = t.socket(AF_BLUETOOTH, SOCK_STREAM | SOCK_NONBLOCK, 3);
        try {
          t.bind(fd, sockaddr_rc(BDADDR_ANY, o.channel));
          if (o.listen) t.listen(fd, 1);
          if (o.connect) t.connect(fd, sockaddr_rc(Uint8Array.of(1, 2, 3, 4, 5, 6), o.channel));
        } finally {
          if (o.close) t.close(fd);
        }
        return;
      }
      case 'proc':
        this.kernel.proc.read(o.path, t);
        return;
      case 'sysctl':
        t.sysctl(o.name, o.value);
        return;
      case 'rlimit':
        t.setrlimit(RLIMIT_NOFILE, o.soft, o.hard);
        return;
      case 'fork':
        if (this.tasks.length < 12) this.tasks.push(t.fork());
        return;
      case 'exit':
        if (t !== this.kernel.init) t.exit(0);
        return;
      case 'waitpid':
        t.waitpid(-1);
        return;
      case 'execve':
        t.execve(o.path);
        return;
      case 'setuid':
        t.setuid(o.uid);
        return;
      case 'unshare':
        t.unshare(o.flags);
        return;
      case 'modprobe':
        t.modprobe(o.name);
        return;
      case 'rmmod':
        t.rmmod(o.name);
        return;
    }
  }

  /** Every task but init exits; init closes every descriptor it holds. Returns bad failures, if any. */
  finish(): string | null {
    this.kernel.faults.clear();
    for (const t of this.tasks) {
      if (t === this.kernel.init || t.state !== 'running') continue;
      const r = this.run({ op: 'exit', t: this.tasks.indexOf(t) });
      if (r !== null) return `exit of task ${t.pid}: ${r}`;
    }
    const init = this.kernel.init;
    for (const [fd] of [...init.files.entries()]) {
      try {
        init.close(fd);
      } catch (e) {
        return `init close(${fd}): ${badFailure(e) ?? String(e)}`;
      }
    }
    return null;
  }
}
