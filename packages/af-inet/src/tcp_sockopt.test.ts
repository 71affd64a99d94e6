/**
 * tools/sockopt_probe.py asked Linux 6.18 every SOL_TCP option number from 1 to 48 on fresh TCP, UDP and
 * raw sockets (reads with 4, 1, 0 and 64 bytes of room; writes of several ints, one byte and nothing,
 * each read back), stored in src/__fixtures__/tcp-options-linux-6.18.json with the host's buffer
 * sysctls, which are copied into ksock first. ksock must give the same answers. A few values are the
 * machine's rather than the kernel's, and only those cells are masked:
 *  - TCP_INFO: tcpi_last_data_sent, tcpi_last_data_recv and tcpi_last_ack_recv of a fresh socket are
 *    jiffies since boot (the socket never set the times they count from);
 *  - TCP_CONGESTION: the host's default algorithm is bbr, ksock's cubic — only the lengths must match;
 *  - TCP_TIMESTAMP: the timestamp clock (milliseconds since boot) — only the lengths must match;
 *  - TCP_CC_INFO: what the algorithm's get_info() reports — bbr's 20 bytes on the host, nothing for
 *    ksock's cubic (as on Linux, checked below); the errnos must still match.
 * The sequences after the fixture were measured on the same host the same way (python3 in a fresh
 * network namespace, as root).
 */
import {
  AF_INET,
  CAP_NET_ADMIN,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  SOL_TCP,
  TCP_LISTEN,
} from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { apply_host_sysctls, linux_answers, probe_sockopt } from './__fixtures__/sockopt_probe.js';
import fixture from './__fixtures__/tcp-options-linux-6.18.json' with { type: 'json' };
import { boot, sk_of } from './__fixtures__/util.js';
import * as IN from './uapi/in.js';

const hexmask = (s: string) => s.replace(/[0-9a-f]/g, 'x');

/** Mask, in place, the cells of the tcp answers that are the machine's (see the header). */
function normalise(opt: number, answers: Record<string, Record<string, string>>): void {
  const tcp = answers.tcp!;
  if (opt === IN.TCP_INFO) {
    // Hex offsets of bytes 44..47 and 52..59 after "ok:".
    const g = tcp.get64!;
    tcp.get64 =
      g.slice(0, 91) +
      hexmask(g.slice(91, 99)) +
      g.slice(99, 107) +
      hexmask(g.slice(107, 123)) +
      g.slice(123);
  }
  if (opt === IN.TCP_CONGESTION || opt === IN.TCP_TIMESTAMP)
    for (const k of Object.keys(tcp)) tcp[k] = hexmask(tcp[k]!);
  if (opt === IN.TCP_CC_INFO)
    for (const k of Object.keys(tcp)) tcp[k] = tcp[k]!.replace(/ok:[0-9a-f]*/, 'ok:<cc_info>');
}

describe('SOL_TCP options on inet sockets against Linux 6.18', () => {
  for (const [opt, row] of Object.entries(fixture.options)) {
    it(`option ${opt}`, () => {
      const t = boot().spawn({});
      apply_host_sysctls(t, fixture.sysctl);
      const got = probe_sockopt(t, SOL_TCP, Number(opt));
      const want = linux_answers(row);
      if (Number(opt) === IN.TCP_CC_INFO)
        // Reno and cubic have no get_info(): Linux copies nothing for them.
        for (const v of [got.tcp!.get4, got.tcp!.get1, got.tcp!.get0, got.tcp!.get64]) expect(v).toBe('ok:');
      if (Number(opt) === IN.TCP_TIMESTAMP) expect(Number.parseInt(got.tcp!.get1!.slice(3), 16) & 1).toBe(0);
      normalise(Number(opt), got);
      normalise(Number(opt), want);
      expect(got).toEqual(want);
    });
  }
});

const int = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
};
const u32s = (...v: number[]) => {
  const b = new Uint8Array(v.length * 4);
  for (const [i, x] of v.entries()) new DataView(b.buffer).setUint32(i * 4, x >>> 0, true);
  return b;
};
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** A fresh task, a fresh TCP socket, and set/get helpers answering as the probe does. */
function tcp() {
  const k = boot();
  const t = k.spawn({});
  const fd = t.socket(AF_INET, SOCK_STREAM, 0);
  const set = (opt: number, v: number | Uint8Array, s = fd) => {
    const e = errnoOf(() => t.setsockopt(s, SOL_TCP, opt, typeof v === 'number' ? int(v) : v));
    return e === 'OK' ? 'ok' : e;
  };
  const get = (opt: number, room = 4, s = fd) => {
    let out = '';
    const e = errnoOf(() => {
      out = hex(t.getsockopt(s, SOL_TCP, opt, room));
    });
    return e === 'OK' ? out : e;
  };
  const pair = () => {
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, IN.sockaddr_in('127.0.0.1', 8080));
    t.listen(l, 4);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    t.connect(c, IN.sockaddr_in('127.0.0.1', 8080));
    return { l, c, a: t.accept(l) };
  };
  return { k, t, fd, set, get, pair };
}

/** struct tcp_md5sig for 127.0.0.1. */
function md5sig(o: {
  family?: number;
  keylen?: number;
  flags?: number;
  prefixlen?: number;
  ifindex?: number;
  size?: number;
}) {
  const b = new Uint8Array(o.size ?? IN.TCP_MD5SIG_SIZE);
  b.set(IN.sockaddr_in('127.0.0.1', 0, o.family ?? AF_INET).subarray(0, Math.min(16, b.length)));
  const dv = new DataView(b.buffer);
  if (b.length >= 136) {
    b[128] = o.flags ?? 0;
    b[129] = o.prefixlen ?? 0;
    dv.setUint16(130, o.keylen ?? 0, true);
    dv.setInt32(132, o.ifindex ?? 0, true);
    b.fill(0x61, 136, 136 + Math.min(o.keylen ?? 0, 80));
  }
  return b;
}

describe('SOL_TCP sequences as Linux 6.18 answers them', () => {
  it('TCP_REPAIR: needs CAP_NET_ADMIN and no listener; forces SO_REUSEADDR; queues and their sequence numbers', () => {
    const { t, fd, set, get, pair } = tcp();
    expect([
      set(IN.TCP_REPAIR, 1),
      get(IN.TCP_REPAIR),
      get(IN.TCP_REPAIR_QUEUE),
      get(IN.TCP_QUEUE_SEQ),
    ]).toEqual(['ok', '01000000', '00000000', 'EINVAL']);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(2); // SK_FORCE_REUSE
    expect([
      set(IN.TCP_QUEUE_SEQ, 77),
      set(IN.TCP_REPAIR_QUEUE, IN.TCP_RECV_QUEUE),
      get(IN.TCP_QUEUE_SEQ),
    ]).toEqual(['EINVAL', 'ok', '00000000']);
    expect([
      set(IN.TCP_QUEUE_SEQ, 77),
      get(IN.TCP_QUEUE_SEQ),
      set(IN.TCP_REPAIR_QUEUE, IN.TCP_SEND_QUEUE),
    ]).toEqual(['ok', '4d000000', 'ok']);
    expect([set(IN.TCP_QUEUE_SEQ, 77), set(IN.TCP_REPAIR_QUEUE, 3), set(IN.TCP_REPAIR_QUEUE, -1)]).toEqual([
      'ok',
      'EINVAL',
      'EINVAL',
    ]);
    expect(get(IN.TCP_REPAIR_QUEUE)).toBe('02000000');
    expect([get(IN.TCP_REPAIR_WINDOW, 20), get(IN.TCP_REPAIR_WINDOW, 4)]).toEqual([
      '00'.repeat(20),
      'EINVAL',
    ]);
    expect([
      set(IN.TCP_REPAIR_OPTIONS, new Uint8Array(8)),
      set(IN.TCP_REPAIR_OPTIONS, new Uint8Array(0)),
    ]).toEqual(['EPERM', 'EINVAL']);
    expect(get(IN.TCP_MAXSEG)).toBe('00000000'); // rx_opt.mss_clamp, unset
    expect([
      set(IN.TCP_REPAIR, -1),
      get(IN.TCP_REPAIR),
      get(IN.TCP_REPAIR_QUEUE),
      get(IN.TCP_QUEUE_SEQ),
    ]).toEqual(['ok', '00000000', 'EINVAL', '4d000000']);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
    expect([set(IN.TCP_REPAIR, 1), get(IN.TCP_REPAIR_QUEUE), set(IN.TCP_REPAIR, 2)]).toEqual([
      'ok',
      '00000000',
      'EINVAL',
    ]);
    const { l, c } = pair();
    expect(sk_of(t, l).sk_state).toBe(TCP_LISTEN);
    expect([set(IN.TCP_REPAIR, 1, l), set(IN.TCP_REPAIR, 0, l), set(IN.TCP_QUEUE_SEQ, 1, l)]).toEqual([
      'EPERM',
      'EPERM',
      'EPERM',
    ]);
    // Established, in repair mode: the options are checked, the MSS kept.
    set(IN.TCP_REPAIR, 1, c);
    expect(set(IN.TCP_REPAIR_OPTIONS, u32s(2, 1400), c)).toBe('ok');
    expect(get(IN.TCP_MAXSEG, 4, c)).toBe('78050000');
    expect(set(IN.TCP_REPAIR_OPTIONS, u32s(3, 15), c)).toBe('EFBIG');
    expect(set(IN.TCP_REPAIR_OPTIONS, u32s(4, 1), c)).toBe('EINVAL');
    expect(set(IN.TCP_REPAIR_OPTIONS, u32s(99, 1), c)).toBe('ok');
    expect(set(IN.TCP_REPAIR_OPTIONS, new Uint8Array(12), c)).toBe('ok');
    expect(set(IN.TCP_QUEUE_SEQ, 1, c)).toBe('EPERM');
    const u = boot().spawn({ uid: 65534, gid: 65534 });
    const ufd = u.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => u.setsockopt(ufd, SOL_TCP, IN.TCP_REPAIR, int(1)))).toBe('EPERM');
    const admin = boot().spawn({ uid: 1000, caps: [CAP_NET_ADMIN] });
    const afd = admin.socket(AF_INET, SOCK_STREAM, 0);
    expect(errnoOf(() => admin.setsockopt(afd, SOL_TCP, IN.TCP_REPAIR, int(1)))).toBe('OK');
  });

  it('TCP_REPAIR_WINDOW: a whole, consistent struct in repair mode; TCP_TIMESTAMP takes an offset there', () => {
    const { t, fd, set, get } = tcp();
    expect(set(IN.TCP_REPAIR_WINDOW, new Uint8Array(20))).toBe('EPERM');
    set(IN.TCP_REPAIR, 1);
    expect(set(IN.TCP_REPAIR_WINDOW, u32s(0, 10, 5, 0, 0))).toBe('EINVAL'); // max_window < snd_wnd
    expect(set(IN.TCP_REPAIR_WINDOW, u32s(0, 10, 10, 20, 0))).toBe('ok');
    expect(get(IN.TCP_REPAIR_WINDOW, 20)).toBe('000000000a0000000a0000001400000000000000');
    expect(set(IN.TCP_REPAIR_WINDOW, u32s(21, 10, 10, 20, 0))).toBe('EINVAL'); // snd_wl1 beyond rcv_nxt + rcv_wnd
    expect(set(IN.TCP_REPAIR_WINDOW, u32s(20, 10, 10, 20, 0))).toBe('ok');
    expect(set(IN.TCP_REPAIR_WINDOW, u32s(0, 10, 10, 20, 1))).toBe('EINVAL'); // rcv_wup beyond rcv_nxt
    expect(set(IN.TCP_REPAIR_WINDOW, new Uint8Array(21))).toBe('EINVAL');
    const ts = () => t.getsockoptInt(fd, SOL_TCP, IN.TCP_TIMESTAMP);
    expect(set(IN.TCP_TIMESTAMP, 1000)).toBe('ok');
    const ms = ts(); // 1000 and the milliseconds since the write, low bit clear
    expect([ms >= 1000 && ms < 2000, ms & 1]).toEqual([true, 0]);
    expect(set(IN.TCP_TIMESTAMP, 1001)).toBe('ok'); // the low bit: microsecond timestamps
    const us = ts();
    expect([us >= 1001 && us < 1001 + 1000000, us & 1]).toEqual([true, 1]);
  });

  it('TCP_MD5SIG / TCP_MD5SIG_EXT: whole structs for IPv4 peers; keys added, replaced and deleted', () => {
    const { set } = tcp();
    for (const opt of [IN.TCP_MD5SIG, IN.TCP_MD5SIG_EXT]) {
      expect(set(opt, md5sig({}))).toBe('ENOENT');
      expect(set(opt, md5sig({ family: 10 }))).toBe('EINVAL');
      expect(set(opt, md5sig({ family: 0 }))).toBe('EINVAL');
      expect(set(opt, md5sig({ keylen: 81 }))).toBe('EINVAL');
      expect(set(opt, md5sig({ keylen: 3 }))).toBe('ok');
      expect(set(opt, md5sig({ keylen: 5 }))).toBe('ok');
      expect(set(opt, md5sig({}))).toBe('ok');
      expect(set(opt, md5sig({}))).toBe('ENOENT');
      expect(set(opt, md5sig({ size: 215 }))).toBe('EINVAL');
      expect(set(opt, md5sig({ size: 300 }))).toBe('ENOENT');
    }
    const ext = (o: Parameters<typeof md5sig>[0]) => [
      set(IN.TCP_MD5SIG, md5sig(o)),
      set(IN.TCP_MD5SIG_EXT, md5sig(o)),
    ];
    expect(ext({ keylen: 3, flags: 1, prefixlen: 33 })).toEqual(['ok', 'EINVAL']);
    expect(ext({ keylen: 3, flags: 1, prefixlen: 8 })).toEqual(['ok', 'ok']);
    expect(ext({ keylen: 3, flags: 2, ifindex: 99 })).toEqual(['ok', 'EINVAL']);
    expect(ext({ keylen: 3, flags: 2, ifindex: 1 })).toEqual(['ok', 'EINVAL']); // lo is no L3 master
    expect(ext({ keylen: 3, flags: 4 })).toEqual(['ok', 'ok']);
  });

  it('TCP_FASTOPEN_KEY is the socket’s own; TCP_FASTOPEN is capped at somaxconn, for CLOSE and LISTEN', () => {
    const { set, get, pair } = tcp();
    expect(get(IN.TCP_FASTOPEN_KEY, 64)).toBe('');
    expect(set(IN.TCP_FASTOPEN, 5)).toBe('ok');
    expect(get(IN.TCP_FASTOPEN_KEY, 64)).toBe('');
    expect(set(IN.TCP_FASTOPEN_KEY, new Uint8Array(16).fill(0x41))).toBe('ok');
    expect([get(IN.TCP_FASTOPEN_KEY, 64), get(IN.TCP_FASTOPEN_KEY, 4)]).toEqual([
      '41'.repeat(16),
      '41'.repeat(4),
    ]);
    expect(set(IN.TCP_FASTOPEN_KEY, new Uint8Array(32).fill(0x42))).toBe('ok');
    expect(get(IN.TCP_FASTOPEN_KEY, 64)).toBe('42'.repeat(32));
    expect(set(IN.TCP_FASTOPEN_KEY, new Uint8Array(17))).toBe('EINVAL');
    for (const [v, want] of [
      [5000, '00100000'],
      [4096, '00100000'],
      [0x7fffffff, '00100000'],
    ] as const) {
      expect(set(IN.TCP_FASTOPEN, v)).toBe('ok');
      expect(get(IN.TCP_FASTOPEN)).toBe(want);
    }
    const { l, c } = pair();
    expect([set(IN.TCP_FASTOPEN, 7, l), get(IN.TCP_FASTOPEN, 4, l)]).toEqual(['ok', '07000000']);
    expect([set(IN.TCP_FASTOPEN_NO_COOKIE, 1, l), set(IN.TCP_FASTOPEN_CONNECT, 1, l)]).toEqual([
      'ok',
      'EINVAL',
    ]);
    expect([set(IN.TCP_WINDOW_CLAMP, 0, l), set(IN.TCP_QUEUE_SEQ, 1, l)]).toEqual(['EINVAL', 'EPERM']);
    expect([
      set(IN.TCP_FASTOPEN, 7, c),
      set(IN.TCP_FASTOPEN_NO_COOKIE, 1, c),
      set(IN.TCP_FASTOPEN_CONNECT, 1, c),
    ]).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
    expect([
      set(IN.TCP_WINDOW_CLAMP, 0, c),
      set(IN.TCP_WINDOW_CLAMP, 5000, c),
      get(IN.TCP_WINDOW_CLAMP, 4, c),
    ]).toEqual(['EINVAL', 'ok', '88130000']);
  });

  it('int options at the edges of their ranges', () => {
    const seq = (opt: number, vals: number[]) =>
      vals.map((v) => {
        const s = tcp();
        return `${v}:${s.set(opt, v)}/${s.get(opt)}`;
      });
    expect(seq(IN.TCP_DEFER_ACCEPT, [3, 4, 7, 8, 1000000, 0x7fffffff])).toEqual([
      '3:ok/03000000',
      '4:ok/07000000',
      '7:ok/07000000',
      '8:ok/0f000000',
      '1000000:ok/bf740000',
      '2147483647:ok/bf740000',
    ]);
    expect(seq(IN.TCP_LINGER2, [119, 120, 121, -5])).toEqual([
      '119:ok/77000000',
      '120:ok/78000000',
      '121:ok/78000000',
      '-5:ok/ffffffff',
    ]);
    expect(seq(IN.TCP_WINDOW_CLAMP, [1152, 1151, 100000, 0x7fffffff])).toEqual([
      '1152:ok/80040000',
      '1151:ok/80040000',
      '100000:ok/a0860100',
      '2147483647:ok/ffffff7f',
    ]);
    expect(seq(IN.TCP_TX_DELAY, [(1 << 28) - 1, 1 << 28, 0x7fffffff])).toEqual([
      '268435455:ok/ffffff0f',
      '268435456:EINVAL/00000000',
      '2147483647:EINVAL/00000000',
    ]);
    expect(seq(IN.TCP_RTO_MAX_MS, [999, 1000, 120000, 120001])).toEqual([
      '999:EINVAL/c0d40100',
      '1000:ok/e8030000',
      '120000:ok/c0d40100',
      '120001:EINVAL/c0d40100',
    ]);
    // The host runs HZ=250 (4001 µs is its first two-jiffy value, read back as 8000); ksock's jiffies
    // are milliseconds, so the same rules (at least TCP_TIMEOUT_MIN, at most TCP_RTO_MIN or
    // TCP_DELACK_MAX, in whole jiffies rounded up) fall on other values.
    expect(seq(IN.TCP_RTO_MIN_US, [1000, 1001, 1999, 200000, 200001])).toEqual([
      '1000:EINVAL/400d0300',
      '1001:ok/d0070000',
      '1999:ok/d0070000',
      '200000:ok/400d0300',
      '200001:EINVAL/400d0300',
    ]);
    expect(seq(IN.TCP_DELACK_MAX_US, [2000, 2001, 200000, 200001])).toEqual([
      '2000:ok/d0070000',
      '2001:ok/b80b0000',
      '200000:ok/400d0300',
      '200001:EINVAL/400d0300',
    ]);
    expect(seq(IN.TCP_THIN_DUPACK, [0, 1])).toEqual(['0:ok/00000000', '1:ok/00000000']);
  });

  it('TCP_ZEROCOPY_RECEIVE: room for at least the length; what is filled in depends on the room', () => {
    const { t, get, pair } = tcp();
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 11)).toBe('EINVAL');
    for (const n of [12, 13, 16, 20, 24, 28, 52, 56, 60, 63, 64])
      expect(get(IN.TCP_ZEROCOPY_RECEIVE, n)).toBe('00'.repeat(n));
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 100)).toBe('00'.repeat(64));
    const { l, c, a } = pair();
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 64, l)).toBe('ENOTCONN');
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 64, c)).toBe('00'.repeat(64));
    t.write(a, new Uint8Array(10));
    const skip_inq = `${'00'.repeat(12)}0a0000000a000000`;
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 64, c)).toBe(skip_inq + '00'.repeat(44));
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 20, c)).toBe(skip_inq);
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 24, c)).toBe(`${skip_inq}00000000`);
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 16, c)).toBe(`${'00'.repeat(12)}0a000000`);
    t.write(a, new Uint8Array(5000));
    expect(get(IN.TCP_ZEROCOPY_RECEIVE, 64, c)).toBe('EINVAL');
  });

  it('TCP_CC_INFO is empty for reno and cubic; TCP_ULP knows no protocol', () => {
    const { set, get } = tcp();
    for (const ca of ['reno', 'cubic']) {
      expect(set(IN.TCP_CONGESTION, new TextEncoder().encode(ca))).toBe('ok');
      expect(get(IN.TCP_CC_INFO, 64)).toBe('');
    }
    for (const name of ['tls', 'tls\0', 'x'.repeat(20)])
      expect(set(IN.TCP_ULP, new TextEncoder().encode(name))).toBe('ENOENT');
    expect(get(IN.TCP_ULP, 64)).toBe('');
    expect([set(IN.TCP_INQ, 1), get(IN.TCP_INQ), set(IN.TCP_INQ, 2)]).toEqual(['ok', '01000000', 'EINVAL']);
  });
});

describe('an accepted socket and its listener (sk_clone_lock())', () => {
  it('inherits the TCP options but the accept-queue ones and the ACK state, as on Linux 6.18', () => {
    const opts: Array<[string, number, number]> = [
      ['NODELAY', 1, 1],
      ['CORK', 3, 1],
      ['KEEPIDLE', 4, 77],
      ['KEEPINTVL', 5, 33],
      ['KEEPCNT', 6, 5],
      ['SYNCNT', 7, 3],
      ['LINGER2', 8, 9],
      ['DEFER_ACCEPT', 9, 5],
      ['WINDOW_CLAMP', 10, 5000],
      ['QUICKACK', 12, 0],
      ['THIN_LINEAR_TIMEOUTS', 16, 1],
      ['USER_TIMEOUT', 18, 1234],
      ['FASTOPEN', 23, 5],
      ['NOTSENT_LOWAT', 25, 4321],
      ['SAVE_SYN', 27, 1],
      ['FASTOPEN_NO_COOKIE', 34, 1],
      ['INQ', 36, 1],
      ['TX_DELAY', 37, 10],
    ];
    const t = boot().spawn({});
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    for (const [, opt, value] of opts) t.setsockopt(l, SOL_TCP, opt, value);
    t.bind(l, IN.sockaddr_in('127.0.0.1', 47070));
    t.listen(l, 5);
    t.connect(t.socket(AF_INET, SOCK_STREAM, 0), IN.sockaddr_in('127.0.0.1', 47070));
    const a = t.accept(l);
    const read = (fd: number) =>
      Object.fromEntries(opts.map(([name, opt]) => [name, t.getsockoptInt(fd, SOL_TCP, opt)]));
    // What the host answered (the listener's DEFER_ACCEPT of 5 s reads back as 7 s of SYN-ACK retransmits).
    const linux_listener = {
      ...Object.fromEntries(opts.map(([name, , v]) => [name, v])),
      DEFER_ACCEPT: 7,
      QUICKACK: 1,
    };
    expect(read(l)).toEqual(linux_listener);
    expect(read(a)).toEqual({ ...linux_listener, DEFER_ACCEPT: 0, FASTOPEN: 0 });
  });
});
