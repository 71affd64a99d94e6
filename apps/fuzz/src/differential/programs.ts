/**
 * Differential programs: random socket-call sequences over netlink and inet that can run unchanged on
 * ksock and on the real kernel (linux_driver.py). Everything is nonblocking, ports are high, netlink
 * portids are far from real pids, and the only NETLINK_ROUTE requests are read-only (GET dumps, messages
 * without NLM_F_REQUEST, or too short to parse), so recording never changes the host.
 */

import { sockaddr_in } from '@ksock/af-inet';
import {
  ifinfomsg,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  nlmsg,
  RTM_GETADDR,
  RTM_GETLINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import { AF_INET, AF_NETLINK, KernelError, MSG_DONTWAIT, SOCK_NONBLOCK, type Task } from '@ksock/core';
import fc from 'fast-check';
import { boot } from '../harness.js';

/** One call. `fd` ≥ 0 indexes the descriptors the program opened; a negative one is the raw fd −fd. */
export type DiffOp = Record<string, string | number | null> & { op: string };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

const fdArb = fc.oneof(
  { weight: 9, arbitrary: fc.nat(20) },
  { weight: 1, arbitrary: fc.constantFrom(-500, -9999) },
);
const nlAddr = fc
  .tuple(fc.constantFrom(0, 0, 0x7ffff001, 0x7ffff002), fc.constantFrom(0, 0, 1, 2))
  .map(([p, g]) => sockaddr_nl(p, g));
const inAddr = fc
  .tuple(
    fc.constantFrom(0x7f000001, 0x7f000001, 0, 0x7f000002, 0x0a0b0c0d, 0xffffffff, 0xe0000001, 0x7fffffff),
    fc.constantFrom(0, 47001, 47002),
  )
  .map(([a, p]) => sockaddr_in(a, p));
const goodAddr = fc.oneof(nlAddr, inAddr);
const addr = fc.oneof(
  { weight: 4, arbitrary: goodAddr },
  { weight: 2, arbitrary: fc.tuple(goodAddr, fc.nat(20)).map(([a, n]) => a.slice(0, n % (a.length + 1))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(goodAddr, fc.uint8Array({ maxLength: 8 }))
      .map(([a, e]) => Uint8Array.from([...a, ...e])),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(goodAddr, fc.nat(), fc.nat(255)).map(([a, i, v]) => {
      const b = a.slice();
      if (b.length) b[i % b.length] = v;
      return b;
    }),
  },
);
/** Payloads safe for the host's NETLINK_ROUTE: short, not a request, or a GET. */
const data = fc.oneof(
  fc.uint8Array({ maxLength: 15 }),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 24 }))
    .map(([t, b]) => nlmsg(t, 0, 1, 0, b)),
  fc
    .constantFrom(RTM_GETLINK, RTM_GETADDR)
    .map((t) => nlmsg(t, NLM_F_REQUEST | NLM_F_DUMP, 2, 0, ifinfomsg())),
  fc.constant(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 3, 0, ifinfomsg({ ifi_index: 1 }))),
  fc.constantFrom(0, 1, 15, 16, 17, 100, 0xffffffff).map((len) => {
    const m = nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 4, 0, ifinfomsg({ ifi_index: 1 }));
    new DataView(m.buffer).setUint32(0, len >>> 0, true);
    return m;
  }),
);
const i32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
};
const ipv4 = (a: number) => Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
const optValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, -1, 2, 0x7fffffff, 256, 4096).map(i32) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 8 }) },
  // struct ip_mreq / ip_mreqn (group, local address[, ifindex]): multicast joins, IP_MULTICAST_IF
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(0xef010203, 0xef010204, 0xe0000001, 0x7f000001),
        fc.constantFrom(0x7f000001, 0, 0x0a090909),
        fc.constantFrom(-1, 0, 1, 99),
      )
      .map(([g, a, i]) => Uint8Array.from([...ipv4(g), ...ipv4(a), ...(i < 0 ? [] : i32(i))])),
  },
  // interface names (SO_BINDTODEVICE)
  { weight: 1, arbitrary: fc.constantFrom('lo', 'lo\0', '', 'eth0').map((n) => new TextEncoder().encode(n)) },
);
/** Option names: mostly the first 60 of every level, sometimes the newer ones up to 110. */
const optName = fc.oneof(
  { weight: 4, arbitrary: fc.nat(60) },
  { weight: 1, arbitrary: fc.integer({ min: 61, max: 110 }) },
);
const LEVELS = [1, 270, 0, 6, 17, 255];

const opArb = (netlinkOnly: boolean): fc.Arbitrary<DiffOp> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({
          op: fc.constant('socket'),
          family: netlinkOnly ? fc.constant(AF_NETLINK) : fc.constantFrom(AF_NETLINK, AF_INET, AF_INET),
          type: fc.constantFrom(1, 2, 3, 5, 2, 1),
          protocol: fc.constantFrom(0, 0, 2, 6, 17, 1, 255, 132),
        })
        // netlink: ROUTE and USERSOCK only (the host's other netlink families are not ksock's business)
        .filter((o) => !(o.family === AF_NETLINK && o.protocol !== 0 && o.protocol !== 2)),
    },
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constantFrom('bind', 'connect'), fd: fdArb, addr: addr.map(hex) }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('sendto'),
        fd: fdArb,
        data: data.map(hex),
        flags: fc.constantFrom(MSG_DONTWAIT, MSG_DONTWAIT | 1, MSG_DONTWAIT | 0x8000),
        addr: fc.option(addr.map(hex)),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('recvfrom'),
        fd: fdArb,
        len: fc.constantFrom(0, 1, 16, 8192),
        flags: fc.constantFrom(MSG_DONTWAIT, MSG_DONTWAIT | 2, MSG_DONTWAIT | 0x20, MSG_DONTWAIT | 1),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('setsockopt'),
        fd: fdArb,
        level: fc.constantFrom(...LEVELS),
        name: optName,
        value: optValue.map(hex),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('getsockopt'),
        fd: fdArb,
        level: fc.constantFrom(...LEVELS),
        name: optName,
        len: fc.constantFrom(0, 1, 4, 8, 256),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constantFrom('getsockname', 'getpeername', 'accept', 'close', 'dup'),
        fd: fdArb,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('listen'), fd: fdArb, backlog: fc.constantFrom(0, 1, -1, 5) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('shutdown'), fd: fdArb, how: fc.constantFrom(0, 1, 2, 3, -1) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('fcntl'),
        fd: fdArb,
        cmd: fc.constantFrom(0, 1, 2, 3, 1030),
        arg: fc.constantFrom(0, 1, 5, 2048),
      }),
    },
  );

/** `n` programs from `seed`; each opens a socket first (nonblocking, as every socket here is). */
export function differentialPrograms(seed: number, n: number, netlinkOnly: boolean): DiffOp[][] {
  const first: DiffOp = netlinkOnly
    ? { op: 'socket', family: AF_NETLINK, type: 2, protocol: 2 }
    : { op: 'socket', family: AF_INET, type: 2, protocol: 0 };
  return fc
    .sample(fc.array(opArb(netlinkOnly), { minLength: 1, maxLength: 12 }), { seed, numRuns: n })
    .map((p) =>
      [first, ...p].map((o) => (o.op === 'socket' ? { ...o, type: (o.type as number) | SOCK_NONBLOCK } : o)),
    );
}

/**
 * What each op returned on ksock ('ok' or the errno name; with `values`, getsockopt answers 'ok:<hex bytes>'),
 * and the kind of socket it used (family/type/protocol).
 */
export function runOnKsock(prog: readonly DiffOp[], values = false): { results: string[]; kinds: string[] } {
  const k = boot();
  const t: Task = k.spawn({ uid: 0 });
  const fds: number[] = [];
  const fd = (i: number) => (i < 0 ? -i : fds.length ? fds[i % fds.length]! : 9999);
  const results: string[] = [];
  const kinds: string[] = [];
  const n = (o: DiffOp, key: string) => o[key] as number;
  const s = (o: DiffOp, key: string) => o[key] as string;
  for (const o of prog) {
    const f0 = o.fd === undefined ? -1 : fd(n(o, 'fd'));
    const file = f0 >= 0 ? t.files.fd[f0] : null;
    const sk = (
      file?.private_data as { sk?: { sk_family: number; sk_type: number; sk_protocol: number } } | null
    )?.sk;
    kinds.push(sk ? `${sk.sk_family}/${sk.sk_type}/${sk.sk_protocol}` : file ? file.path : 'no fd');
    try {
      switch (o.op) {
        case 'socket':
          fds.push(t.socket(n(o, 'family'), n(o, 'type'), n(o, 'protocol')));
          break;
        case 'bind':
          t.bind(fd(n(o, 'fd')), unhex(s(o, 'addr')));
          break;
        case 'connect':
          t.connect(fd(n(o, 'fd')), unhex(s(o, 'addr')));
          break;
        case 'sendto':
          t.sendto(
            fd(n(o, 'fd')),
            unhex(s(o, 'data')),
            n(o, 'flags'),
            o.addr === null ? null : unhex(s(o, 'addr')),
          );
          break;
        case 'recvfrom':
          t.recvfrom(fd(n(o, 'fd')), n(o, 'len'), n(o, 'flags'));
          break;
        case 'setsockopt':
          t.setsockopt(fd(n(o, 'fd')), n(o, 'level'), n(o, 'name'), unhex(s(o, 'value')));
          break;
        case 'getsockopt': {
          const r = t.raw.getsockopt(fd(n(o, 'fd')), n(o, 'level'), n(o, 'name'), n(o, 'len'));
          if (typeof r === 'number') throw new KernelError(-r, 'getsockopt');
          if (values) {
            // The driver prints *optlen bytes of its zeroed 512-byte buffer: what was copied, then zeros.
            const v = new Uint8Array(Math.min(r.optlen >>> 0, 512));
            v.set(r.optval.subarray(0, v.length));
            results.push(`ok:${hex(v)}`);
            continue;
          }
          break;
        }
        case 'getsockname':
          t.getsockname(fd(n(o, 'fd')));
          break;
        case 'getpeername':
          t.getpeername(fd(n(o, 'fd')));
          break;
        case 'accept':
          fds.push(t.accept4(fd(n(o, 'fd')), SOCK_NONBLOCK));
          break;
        case 'close': {
          const f = fd(n(o, 'fd'));
          t.close(f);
          const i = fds.indexOf(f);
          if (i >= 0) fds.splice(i, 1);
          break;
        }
        case 'dup':
          fds.push(t.dup(fd(n(o, 'fd'))));
          break;
        case 'listen':
          t.listen(fd(n(o, 'fd')), n(o, 'backlog'));
          break;
        case 'shutdown':
          t.shutdown(fd(n(o, 'fd')), n(o, 'how'));
          break;
        case 'fcntl': {
          const r = t.fcntl(fd(n(o, 'fd')), n(o, 'cmd'), n(o, 'arg'));
          if (o.cmd === 0 || o.cmd === 1030) fds.push(r);
          break;
        }
        default:
          throw new Error(`unknown op ${o.op}`);
      }
      results.push('ok');
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      results.push(e.code);
    }
  }
  t.exit(0);
  return { results, kinds };
}
