import {
  AF_INET,
  CAP_NET_RAW,
  SO_DOMAIN,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_IP,
  SOL_SOCKET,
  TCP_CLOSE,
} from '@ksock/core';
import { SOCK_SUPPORT_ZC, SOCK_USE_WRITE_QUEUE, sock_flag } from '@ksock/core/kernel';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import { host } from './__fixtures__/host.js';
import { boot, sk_of, socket_of } from './__fixtures__/util.js';
import { inetsw_list } from './af_inet.js';
import type { InetSock } from './inet_sock.js';
import type { PingSock } from './ping.js';
import type { RawSock } from './raw.js';
import { type TcpSock, tcp_sk } from './tcp.js';
import { ipv4_specific } from './tcp_ipv4.js';
import * as IN from './uapi/in.js';
import type { UdpSock } from './udp.js';

const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const PROTOS = [-1, 0, 1, 2, 6, 17, 41, 132, 136, 255, 256, 262, 263];

/**
 * Cells where the host kernel has a protocol ksock's af_inet does not register: MPTCP (SOCK_STREAM,
 * IPPROTO_MPTCP), built into the host's kernel.
 */
const HOST_ONLY: Record<string, string> = { '1/262': 'MPTCP' };

describe('module af_inet', () => {
  it('is loaded on demand by socket(AF_INET, …) through the alias net-pf-2', () => {
    const k = boot();
    const t = k.spawn();
    expect(k.modules.find('af_inet')).toBeUndefined();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(k.modules.list()).toEqual([{ name: 'af_inet', refcnt: 2, state: 'Live', usedBy: [] }]);
    t.close(fd);
    expect(k.modules.find('af_inet')!.refcnt).toBe(0);
    k.modules.unload('af_inet');
    expect(k.modules.find('af_inet')).toBeUndefined();
    expect(k.sysctl.has('net/ipv4/tcp_rmem')).toBe(false);
  });

  it('cannot be unloaded while one of its sockets lives', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => k.modules.unload('af_inet'))).toBe('EAGAIN');
    t.close(fd);
    k.modules.unload('af_inet');
  });

  it('registers TCP, UDP, RAW, PING and UDP-Lite with the sizes and methods Linux 6.18 shows in /proc/net/protocols', () => {
    const k = boot();
    k.modules.load('af_inet');
    const ours = k.proc.read('/proc/net/protocols').split('\n');
    const hostRows = host.protocols.split('\n');
    for (const name of ['TCP', 'UDP', 'RAW', 'PING', 'UDP-Lite']) {
      const mine = ours.find((l) => l.startsWith(`${name} `))!.split(/\s+/);
      const theirs = hostRows.find((l) => l.startsWith(`${name} `))!.split(/\s+/);
      // protocol, size, then (skipping sockets and memory, which depend on the machine's load) press,
      // maxhdr, slab and the 18 method columns; the module column says af_inet instead of kernel.
      expect(mine[1]).toBe(theirs[1]);
      expect(mine.slice(4, 7)).toEqual(theirs.slice(4, 7));
      expect(mine.slice(8)).toEqual(theirs.slice(8));
      expect(mine[7]).toBe('af_inet');
    }
  });

  it('fills inetsw from inetsw_array and udplite4_protosw: STREAM=[TCP], DGRAM=[UDP, UDP-Lite, PING], RAW=[wildcard]', () => {
    const k = boot();
    k.modules.load('af_inet');
    const show = (type: number) => inetsw_list(k, type).map((p) => `${p.prot.name}/${p.protocol}/${p.flags}`);
    expect(show(SOCK_STREAM)).toEqual(['TCP/6/6']);
    expect(show(SOCK_DGRAM)).toEqual(['UDP/17/2', 'UDP-Lite/136/2', 'PING/1/1']);
    expect(show(SOCK_RAW)).toEqual(['RAW/0/1']);
    expect(show(5)).toEqual([]);
  });
});

describe('inet_create', () => {
  it('traces socket(PF_INET, SOCK_STREAM, 0) as inet_create → sk_alloc → sock_init_data → tcp_v4_init_sock → tcp_init_sock', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    const r = k.trace(() => t.socket(AF_INET, SOCK_STREAM, 0));
    const calls = r.events.filter((e) => !e.note).map((e) => e.name);
    const start = calls.indexOf('inet_create');
    expect(start).toBeGreaterThan(calls.indexOf('__sock_create'));
    const after = calls.slice(start);
    const order = ['inet_create', 'sk_alloc', 'sock_init_data', 'tcp_v4_init_sock', 'tcp_init_sock'];
    expect(order.map((n) => after.indexOf(n))).toEqual(
      [...order.map((n) => after.indexOf(n))].sort((a, b) => a - b),
    );
    expect(order.every((n) => after.includes(n))).toBe(true);
    const ic = r.events.find((e) => e.name === 'inet_create')!;
    const tis = r.events.find((e) => e.name === 'tcp_init_sock')!;
    const tv4 = r.events.find((e) => e.name === 'tcp_v4_init_sock')!;
    expect(tv4.depth).toBe(ic.depth + 1);
    expect(tis.depth).toBe(tv4.depth + 1);
    expect(ic.ret).toBe(0);
    expect(r.text).toContain('inet_create(type=1, protocol=0, kern=0) {');
  });

  for (const [who, key] of [
    ['root', 'socket_root'],
    ['an unprivileged task (uid 65534, no capabilities)', 'socket_unprivileged'],
  ] as const) {
    it(`answers every (type, protocol) as Linux 6.18 did for ${who}`, () => {
      const k = boot();
      const t = who === 'root' ? k.spawn() : k.spawn({ uid: 65534, gid: 65534 });
      const answers = host[key];
      let compared = 0;
      for (const type of TYPES) {
        for (const protocol of PROTOS) {
          const cell = `${type}/${protocol}`;
          const got = errnoOf(() => t.close(t.socket(AF_INET, type, protocol)));
          if (HOST_ONLY[cell] !== undefined) {
            expect(answers[cell]).toBe('OK');
            expect(got).toBe('EPROTONOSUPPORT');
            continue;
          }
          expect(`${cell} ${got}`).toBe(`${cell} ${answers[cell]}`);
          compared++;
        }
      }
      expect(compared).toBe(TYPES.length * PROTOS.length - 1);
      expect(k.sk_allocated).toBe(0);
      expect(k.modules.find('af_inet')!.refcnt).toBe(0);
    });
  }

  it('asks for net-pf-2-proto-P-type-T, then net-pf-2-proto-P, before EPROTONOSUPPORT', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    const r = k.trace(() => t.socket(AF_INET, SOCK_STREAM, IN.IPPROTO_SCTP));
    expect((r.error as { code: string }).code).toBe('EPROTONOSUPPORT');
    const reqs = r.events.filter((e) => e.name === 'request_module').map((e) => e.args);
    expect(reqs).toEqual(['"net-pf-2-proto-132-type-1"', '"net-pf-2-proto-132"']);
  });

  it('answers ESOCKTNOSUPPORT for an empty type list after the same two requests', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    const r = k.trace(() => t.socket(AF_INET, 5, 0));
    expect((r.error as { code: string }).code).toBe('ESOCKTNOSUPPORT');
    const reqs = r.events.filter((e) => e.name === 'request_module').map((e) => e.args);
    expect(reqs).toEqual(['"net-pf-2-proto-0-type-5"', '"net-pf-2-proto-0"']);
  });

  it('checks the protocol range before anything else (EINVAL, no module request)', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    for (const p of [-1, 263, 0x7fffffff]) {
      const r = k.trace(() => t.socket(AF_INET, SOCK_STREAM, p));
      expect((r.error as { code: string }).code).toBe('EINVAL');
      expect(r.events.some((e) => e.name === 'request_module')).toBe(false);
    }
  });

  it('refuses SOCK_RAW without CAP_NET_RAW (EPERM) after the lookup, and allows it with the capability', () => {
    const k = boot();
    const nobody = k.spawn({ uid: 1000 });
    const rawcap = k.spawn({ uid: 1000, caps: [CAP_NET_RAW] });
    expect(errnoOf(() => nobody.socket(AF_INET, SOCK_RAW, IN.IPPROTO_ICMP))).toBe('EPERM');
    // The lookup comes first: protocol 0 on SOCK_RAW is EPROTONOSUPPORT even without the capability.
    expect(errnoOf(() => nobody.socket(AF_INET, SOCK_RAW, 0))).toBe('EPROTONOSUPPORT');
    const fd = rawcap.socket(AF_INET, SOCK_RAW, IN.IPPROTO_ICMP);
    expect(sk_of<RawSock>(rawcap, fd).inet_num).toBe(1);
    rawcap.close(fd);
    expect(k.sk_allocated).toBe(0);
  });

  it('refuses ping sockets with EACCES unless the group is inside ping_group_range (default "1 0": nobody)', () => {
    const k = boot();
    const root = k.spawn();
    const user = k.spawn({ uid: 1000, gid: 1000, groups: [27] });
    expect(errnoOf(() => root.socket(AF_INET, SOCK_DGRAM, IN.IPPROTO_ICMP))).toBe('EACCES');
    expect(k.sk_allocated).toBe(0);
    root.sysctl('net.ipv4.ping_group_range', '1000 1000');
    const fd = user.socket(AF_INET, SOCK_DGRAM, IN.IPPROTO_ICMP);
    expect(sk_of<PingSock>(user, fd).sk_prot.name).toBe('PING');
    expect(sk_of(user, fd).sk_reuse).toBe(1);
    user.close(fd);
    // A supplementary group inside the range is enough.
    root.sysctl('net.ipv4.ping_group_range', '27 27');
    user.close(user.socket(AF_INET, SOCK_DGRAM, IN.IPPROTO_ICMP));
    expect(errnoOf(() => root.socket(AF_INET, SOCK_DGRAM, IN.IPPROTO_ICMP))).toBe('EACCES');
    // A reversed range is stored as the empty default, as ipv4_ping_group_range() does.
    root.sysctl('net.ipv4.ping_group_range', '100 10');
    expect(k.proc.read('/proc/sys/net/ipv4/ping_group_range')).toBe('1\t0\n');
    expect(k.sk_allocated).toBe(0);
  });

  it('releases the sock when a protocol init fails (sk_common_release), leaving sock->sk NULL', () => {
    const k = boot();
    const t = k.spawn();
    const before = k.sock_inode_cache.active_objs;
    expect(errnoOf(() => t.socket(AF_INET, SOCK_DGRAM, IN.IPPROTO_ICMP))).toBe('EACCES');
    expect(k.sk_allocated).toBe(0);
    expect(k.sock_inode_cache.active_objs).toBe(before);
    expect(k.proc.read('/proc/net/sockstat')).toContain('sockets: used 0\n');
    expect(k.modules.find('af_inet')!.refcnt).toBe(0);
  });

  it('answers ENOMEM when sk_alloc fails', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    k.faults.inject('sk_alloc');
    expect(errnoOf(() => t.socket(AF_INET, SOCK_STREAM, 0))).toBe('ENOMEM');
    expect(k.modules.find('af_inet')!.refcnt).toBe(0);
  });
});

describe('fresh sockets: defaults seen through getsockopt match Linux 6.18', () => {
  const opts = (t: ReturnType<ReturnType<typeof boot>['spawn']>, fd: number) => ({
    SO_TYPE: t.getsockoptInt(fd, SOL_SOCKET, SO_TYPE),
    SO_PROTOCOL: t.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL),
    SO_DOMAIN: t.getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN),
    SO_RCVBUF: t.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF),
    SO_SNDBUF: t.getsockoptInt(fd, SOL_SOCKET, SO_SNDBUF),
    IP_TTL: t.getsockoptInt(fd, SOL_IP, IN.IP_TTL),
    IP_MTU_DISCOVER: t.getsockoptInt(fd, SOL_IP, IN.IP_MTU_DISCOVER),
    IP_MULTICAST_TTL: t.getsockoptInt(fd, SOL_IP, IN.IP_MULTICAST_TTL),
    IP_MULTICAST_LOOP: t.getsockoptInt(fd, SOL_IP, IN.IP_MULTICAST_LOOP),
    IP_TOS: t.getsockoptInt(fd, SOL_IP, IN.IP_TOS),
    SO_REUSEADDR: t.getsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR),
  });
  const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
  const KEYS = [
    'SO_TYPE',
    'SO_PROTOCOL',
    'SO_DOMAIN',
    'SO_RCVBUF',
    'SO_SNDBUF',
    'IP_TTL',
    'IP_MTU_DISCOVER',
    'IP_MULTICAST_TTL',
    'IP_MULTICAST_LOOP',
    'IP_TOS',
    'SO_REUSEADDR',
  ];

  it('TCP: the SOL_SOCKET, SOL_IP and SOL_TCP options', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(opts(t, fd)).toEqual(pick(host.fresh_tcp, KEYS));
    expect(t.getsockoptInt(fd, IN.IPPROTO_TCP, IN.TCP_MAXSEG)).toBe(host.fresh_tcp.TCP_MAXSEG);
    expect(t.getsockoptInt(fd, IN.IPPROTO_TCP, IN.TCP_NODELAY)).toBe(host.fresh_tcp.TCP_NODELAY);
    const cc = t.getsockopt(fd, IN.IPPROTO_TCP, IN.TCP_CONGESTION, 32);
    expect(cc.length).toBe(host.fresh_tcp.TCP_CONGESTION_len);
    const tcpopt = (o: number) => t.getsockoptInt(fd, IN.IPPROTO_TCP, o);
    expect({
      TCP_CORK: tcpopt(IN.TCP_CORK),
      TCP_KEEPIDLE: tcpopt(IN.TCP_KEEPIDLE),
      TCP_KEEPINTVL: tcpopt(IN.TCP_KEEPINTVL),
      TCP_KEEPCNT: tcpopt(IN.TCP_KEEPCNT),
      TCP_SYNCNT: tcpopt(IN.TCP_SYNCNT),
      TCP_LINGER2: tcpopt(IN.TCP_LINGER2),
      TCP_DEFER_ACCEPT: tcpopt(IN.TCP_DEFER_ACCEPT),
      TCP_WINDOW_CLAMP: tcpopt(IN.TCP_WINDOW_CLAMP),
      TCP_QUICKACK: tcpopt(IN.TCP_QUICKACK),
      TCP_USER_TIMEOUT: tcpopt(IN.TCP_USER_TIMEOUT),
    }).toEqual(
      pick(host.fresh_tcp, [
        'TCP_CORK',
        'TCP_KEEPIDLE',
        'TCP_KEEPINTVL',
        'TCP_KEEPCNT',
        'TCP_SYNCNT',
        'TCP_LINGER2',
        'TCP_DEFER_ACCEPT',
        'TCP_WINDOW_CLAMP',
        'TCP_QUICKACK',
        'TCP_USER_TIMEOUT',
      ]),
    );
    // An unknown TCP option is ENOPROTOOPT; another protocol's level on a TCP socket reaches
    // ip_getsockopt(), which answers EOPNOTSUPP.
    expect(host.fresh_tcp.TCP_bogus_99).toBe(-92);
    expect(errnoOf(() => t.getsockopt(fd, IN.IPPROTO_TCP, 99))).toBe('ENOPROTOOPT');
    expect(host.fresh_tcp.SOL_UDP_on_tcp).toBe(-95);
    expect(errnoOf(() => t.getsockopt(fd, IN.IPPROTO_UDP, 1))).toBe('EOPNOTSUPP');
    // The host runs bbr by configuration; Linux's built-in default (and ksock's) is cubic.
    expect(new TextDecoder().decode(cc.subarray(0, cc.indexOf(0)))).toBe('cubic');
  });

  it('TCP_INFO: 280 bytes, with the fields a fresh socket has as the host reported them', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    const info = t.getsockopt(fd, IN.IPPROTO_TCP, IN.TCP_INFO, 512);
    const want = Uint8Array.from(host.fresh_tcp.TCP_INFO as number[]);
    expect(info.length).toBe(host.fresh_tcp.TCP_INFO_len);
    // tcpi_last_data_sent / last_data_recv / last_ack_recv (offsets 44, 52, 56) are "ms since an epoch
    // the socket never set" on Linux; ksock reports 0. Everything else must be byte-identical.
    const masked = want.slice();
    for (const off of [44, 52, 56]) masked.fill(0, off, off + 4);
    expect([...info]).toEqual([...masked]);
    const dv = new DataView(info.buffer);
    expect(info[0]).toBe(TCP_CLOSE);
    expect(dv.getUint32(8, true)).toBe(1000000); // tcpi_rto, µs
    expect(dv.getUint32(16, true)).toBe(536); // tcpi_snd_mss
    expect(dv.getUint32(76, true)).toBe(0x7fffffff); // tcpi_snd_ssthresh
    expect(dv.getUint32(80, true)).toBe(10); // tcpi_snd_cwnd
    expect(t.getsockopt(fd, IN.IPPROTO_TCP, IN.TCP_INFO, 8)).toEqual(masked.slice(0, 8));
  });

  it('UDP and raw sockets', () => {
    const k = boot();
    const t = k.spawn();
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(opts(t, u)).toEqual(pick(host.fresh_udp, KEYS));
    const r1 = t.socket(AF_INET, SOCK_RAW, IN.IPPROTO_ICMP);
    expect(opts(t, r1)).toEqual(pick(host.fresh_raw_icmp, KEYS));
    const r2 = t.socket(AF_INET, SOCK_RAW, IN.IPPROTO_RAW);
    expect(opts(t, r2)).toEqual(pick(host.fresh_raw_255, KEYS));
    expect(t.getsockoptInt(r2, SOL_IP, IN.IP_HDRINCL)).toBe(1);
    expect(t.getsockoptInt(r1, SOL_IP, IN.IP_HDRINCL)).toBe(0);
  });

  it('ip_default_ttl and ip_no_pmtu_disc are read per namespace when the socket is created / queried', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    t.sysctl('net.ipv4.ip_default_ttl', '42');
    t.sysctl('net.ipv4.ip_no_pmtu_disc', '1');
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(t.getsockoptInt(fd, SOL_IP, IN.IP_TTL)).toBe(42);
    expect(t.getsockoptInt(fd, SOL_IP, IN.IP_MTU_DISCOVER)).toBe(IN.IP_PMTUDISC_DONT);
    t.setsockopt(fd, SOL_IP, IN.IP_TTL, 7);
    expect(t.getsockoptInt(fd, SOL_IP, IN.IP_TTL)).toBe(7);
    expect(errnoOf(() => t.setsockopt(fd, SOL_IP, IN.IP_TTL, 256))).toBe('EINVAL');
    expect(t.getsockopt(fd, SOL_IP, IN.IP_TTL, 1)).toEqual(Uint8Array.of(7));
    const other = k.spawn();
    other.unshare(0x40000000);
    const fd2 = other.socket(AF_INET, SOCK_DGRAM, 0);
    expect(other.getsockoptInt(fd2, SOL_IP, IN.IP_TTL)).toBe(64);
  });

  it('sets every inet_sock and tcp_sock field tcp_init_sock / inet_create set', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    const tp = sk_of<TcpSock>(t, fd);
    expect(tp).toBe(tcp_sk(tp));
    expect(tp.is_icsk).toBe(true);
    expect(tp.uc_ttl).toBe(-1);
    expect(tp.mc_ttl).toBe(1);
    expect(tp.mc_loop).toBe(true);
    expect(tp.mc_all).toBe(true);
    expect(tp.mc_index).toBe(0);
    expect(tp.pmtudisc).toBe(IN.IP_PMTUDISC_WANT);
    expect(tp.sk_protocol).toBe(6);
    expect(tp.sk_destruct?.name).toBe('inet_sock_destruct');
    expect(tp.sk_state).toBe(TCP_CLOSE);
    expect(tp.icsk_rto).toBe(1000);
    expect(tp.icsk_delack_max).toBe(200);
    expect(tp.icsk_rto_min).toBe(200);
    expect(tp.icsk_rto_max).toBe(120000);
    expect(tp.mdev_us).toBe(1000000);
    expect(tp.snd_cwnd).toBe(10);
    expect(tp.snd_ssthresh).toBe(0x7fffffff);
    expect(tp.snd_cwnd_clamp).toBe(0xffffffff);
    expect(tp.mss_cache).toBe(536);
    expect(tp.reordering).toBe(3);
    expect(tp.icsk_ca_ops?.name).toBe('cubic');
    expect(tp.icsk_af_ops).toBe(ipv4_specific);
    expect(tp.sk_write_space.name).toBe('sk_stream_write_space');
    expect(sock_flag(tp, SOCK_USE_WRITE_QUEUE)).toBe(true);
    expect(tp.sk_sndbuf).toBe(16384);
    expect(tp.sk_rcvbuf).toBe(131072);
    expect(tp.icsk_retransmit_timer.function?.name).toBe('tcp_write_timer');
    expect(tp.icsk_delack_timer.function?.name).toBe('tcp_delack_timer');
    expect(tp.sk_timer.function?.name).toBe('tcp_keepalive_timer');
    expect([tp.icsk_retransmit_timer, tp.icsk_delack_timer, tp.sk_timer].some((x) => x.pending)).toBe(false);
    expect(tp.out_of_order_queue.qlen).toBe(0);
    expect(socket_of(t, fd).flags & (1 << SOCK_SUPPORT_ZC)).not.toBe(0);
    const u = sk_of<UdpSock>(t, t.socket(AF_INET, SOCK_DGRAM, 0));
    expect(u.forward_threshold).toBe(212992 >> 2);
    expect(u.is_icsk).toBe(false);
    expect(u.sk_destruct?.name).toBe('udp_destruct_sock');
    const r = sk_of<InetSock>(t, t.socket(AF_INET, SOCK_RAW, 17));
    expect([r.inet_num, r.inet_sport, r.sk_reuse, r.hdrincl]).toEqual([17, 17, 1, false]);
  });

  it('takes tcp_wmem[1] / tcp_rmem[1] and the congestion control from the namespace at creation', () => {
    const k = boot();
    k.modules.load('af_inet');
    const t = k.spawn();
    t.sysctl('net.ipv4.tcp_wmem', '4096 20000 4194304');
    t.sysctl('net.ipv4.tcp_rmem', '4096 90000 6291456');
    t.sysctl('net.ipv4.tcp_congestion_control', 'reno');
    expect(errnoOf(() => t.sysctl('net.ipv4.tcp_congestion_control', 'bbr'))).toBe('ENOENT');
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_SNDBUF)).toBe(20000);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(90000);
    const cc = t.getsockopt(fd, IN.IPPROTO_TCP, IN.TCP_CONGESTION, 16);
    expect(new TextDecoder().decode(cc.subarray(0, 4))).toBe('reno');
    t.setsockopt(fd, IN.IPPROTO_TCP, IN.TCP_CONGESTION, new TextEncoder().encode('cubic'));
    expect(sk_of<TcpSock>(t, fd).icsk_ca_ops?.name).toBe('cubic');
    expect(
      errnoOf(() => t.setsockopt(fd, IN.IPPROTO_TCP, IN.TCP_CONGESTION, new TextEncoder().encode('vegas'))),
    ).toBe('ENOENT');
  });

  it('TCP_MAXSEG: a user MSS is reported while CLOSE, and out-of-range values are EINVAL', () => {
    const k = boot();
    const t = k.spawn();
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    t.setsockopt(fd, IN.IPPROTO_TCP, IN.TCP_MAXSEG, 1000);
    expect(t.getsockoptInt(fd, IN.IPPROTO_TCP, IN.TCP_MAXSEG)).toBe(1000);
    expect(errnoOf(() => t.setsockopt(fd, IN.IPPROTO_TCP, IN.TCP_MAXSEG, 87))).toBe('EINVAL');
    expect(errnoOf(() => t.getsockopt(fd, IN.IPPROTO_TCP, 9999))).toBe('ENOPROTOOPT');
    expect(errnoOf(() => t.getsockopt(fd, SOL_IP, 9999))).toBe('ENOPROTOOPT');
  });
});

describe('sysctls', () => {
  it('net.ipv4.* have Linux defaults (compared with the host where the host is at its defaults)', () => {
    const k = boot();
    k.modules.load('af_inet');
    const read = (n: string) => k.proc.read(`/proc/sys/net/ipv4/${n}`);
    for (const n of [
      'tcp_wmem',
      'ping_group_range',
      'ip_default_ttl',
      'ip_no_pmtu_disc',
      'ip_local_port_range',
    ]) {
      expect(`${n}=${read(n)}`).toBe(`${n}=${host[`sysctl_${n}`]}`);
    }
    for (const n of [
      'ip_unprivileged_port_start',
      'ip_nonlocal_bind',
      'tcp_reordering',
      'tcp_rto_max_ms',
      'tcp_rto_min_us',
      'tcp_syn_retries',
      'tcp_fin_timeout',
      'tcp_keepalive_time',
      'tcp_keepalive_intvl',
      'tcp_keepalive_probes',
    ]) {
      expect(`${n}=${read(n)}`).toBe(`${n}=${host[`sysctl_${n}`]}`);
    }
    // The host raised tcp_rmem's maximum and chose bbr; Linux's defaults are these.
    expect(read('tcp_rmem')).toBe('4096\t131072\t6291456\n');
    expect(read('tcp_congestion_control')).toBe('cubic\n');
  });

  it('ip_local_port_range and ip_unprivileged_port_start refuse ranges that overlap', () => {
    const k = boot();
    const t = k.spawn();
    t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.sysctl('net.ipv4.ip_local_port_range', '40000 30000'))).toBe('EINVAL');
    expect(errnoOf(() => t.sysctl('net.ipv4.ip_local_port_range', '1000 2000'))).toBe('EINVAL');
    t.sysctl('net.ipv4.ip_local_port_range', '2000 3000');
    expect(errnoOf(() => t.sysctl('net.ipv4.ip_unprivileged_port_start', '2500'))).toBe('EINVAL');
    t.sysctl('net.ipv4.ip_unprivileged_port_start', '1500');
    expect(errnoOf(() => t.sysctl('net.ipv4.ip_default_ttl', '0'))).toBe('EINVAL');
  });
});
