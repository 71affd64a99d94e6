import { AF_INET, SO_PRIORITY, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_IP, SOL_SOCKET } from '@ksock/core';
import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/ip-options-linux-6.18.json' with { type: 'json' };
import { apply_host_sysctls, linux_answers, probe_sockopt } from './__fixtures__/sockopt_probe.js';
import { boot } from './__fixtures__/util.js';
import * as IN from './uapi/in.js';

describe('do_ip_setsockopt()', () => {
  it('with optlen 0, the options that read an int take 0 and the rest are EINVAL, as on Linux 6.18', () => {
    const t = boot().spawn({});
    const opts = {
      IP_TOS: IN.IP_TOS,
      IP_TTL: IN.IP_TTL,
      IP_HDRINCL: IN.IP_HDRINCL,
      IP_MTU_DISCOVER: IN.IP_MTU_DISCOVER,
      IP_RECVERR: IN.IP_RECVERR,
      IP_MULTICAST_TTL: IN.IP_MULTICAST_TTL,
      IP_MULTICAST_LOOP: IN.IP_MULTICAST_LOOP,
      IP_MULTICAST_ALL: IN.IP_MULTICAST_ALL,
      IP_FREEBIND: IN.IP_FREEBIND,
      IP_BIND_ADDRESS_NO_PORT: IN.IP_BIND_ADDRESS_NO_PORT,
      IP_NODEFRAG: IN.IP_NODEFRAG,
      IP_TRANSPARENT: IN.IP_TRANSPARENT,
    };
    const answers = (type: number, protocol: number) => {
      const fd = t.socket(AF_INET, type, protocol);
      return Object.fromEntries(
        Object.entries(opts).map(([name, opt]) => [
          name,
          errnoOf(() => t.setsockopt(fd, SOL_IP, opt, new Uint8Array(0))),
        ]),
      );
    };
    // Recorded on Linux 6.18 (root, fresh network namespace).
    const common = {
      IP_TOS: 'OK',
      IP_TTL: 'EINVAL',
      IP_MTU_DISCOVER: 'OK',
      IP_RECVERR: 'OK',
      IP_MULTICAST_TTL: 'EINVAL',
      IP_MULTICAST_LOOP: 'EINVAL',
      IP_MULTICAST_ALL: 'EINVAL',
      IP_FREEBIND: 'EINVAL',
      IP_BIND_ADDRESS_NO_PORT: 'OK',
      IP_TRANSPARENT: 'EINVAL',
    };
    const not_raw = { IP_HDRINCL: 'ENOPROTOOPT', IP_NODEFRAG: 'ENOPROTOOPT' };
    expect(answers(SOCK_DGRAM, 0)).toEqual({ ...common, ...not_raw });
    expect(answers(SOCK_STREAM, 0)).toEqual({ ...common, ...not_raw });
    expect(answers(SOCK_RAW, 255)).toEqual({ ...common, IP_HDRINCL: 'OK', IP_NODEFRAG: 'OK' });
  });
});

/**
 * tools/sockopt_probe.py asked Linux 6.18 each SOL_IP option ksock models, on fresh TCP, UDP and raw
 * sockets: reads with 4, 1, 0 and 64 bytes of room, and writes of several ints, one byte and nothing,
 * each read back. ksock must answer every one the same.
 */
describe('SOL_IP options against Linux 6.18 (src/__fixtures__/ip-options-linux-6.18.json)', () => {
  for (const [opt, row] of Object.entries(fixture.options)) {
    it(`option ${opt}`, () => {
      const t = boot().spawn({});
      apply_host_sysctls(t, fixture.sysctl);
      expect(probe_sockopt(t, SOL_IP, Number(opt))).toEqual(linux_answers(row));
    });
  }
});

describe('IP_TOS', () => {
  it('sets sk_priority from the TOS class when it changes; TCP keeps its ECN bits (Linux 6.18)', () => {
    const t = boot().spawn({});
    const seen: string[] = [];
    for (const tos of [0, 2, 4, 8, 0x10, 0x18, 0x1c, 0x1e, 0xff]) {
      for (const type of [SOCK_DGRAM, SOCK_STREAM]) {
        const fd = t.socket(AF_INET, type, 0);
        t.setsockopt(fd, SOL_SOCKET, SO_PRIORITY, 3);
        t.setsockopt(fd, SOL_IP, IN.IP_TOS, tos);
        seen.push(
          `${tos}/${type}: ${t.getsockoptInt(fd, SOL_SOCKET, SO_PRIORITY)} ${t.getsockoptInt(fd, SOL_IP, IN.IP_TOS)}`,
        );
        t.close(fd);
      }
    }
    expect(seen).toEqual([
      '0/2: 3 0',
      '0/1: 3 0',
      '2/2: 0 2',
      '2/1: 3 0',
      '4/2: 0 4',
      '4/1: 0 4',
      '8/2: 2 8',
      '8/1: 2 8',
      '16/2: 6 16',
      '16/1: 6 16',
      '24/2: 4 24',
      '24/1: 4 24',
      '28/2: 4 28',
      '28/1: 4 28',
      '30/2: 4 30',
      '30/1: 4 28',
      '255/2: 4 255',
      '255/1: 4 252',
    ]);
  });
});

describe('IP_UNICAST_IF', () => {
  it('names an interface in network byte order; a socket bound to a device may not (Linux 6.18)', () => {
    const t = boot().spawn({});
    const be = (v: number) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, false);
      return b;
    };
    const u = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(u, SOL_IP, IN.IP_UNICAST_IF, be(1));
    expect([...t.getsockopt(u, SOL_IP, IN.IP_UNICAST_IF, 4)]).toEqual([0, 0, 0, 1]);
    expect(errnoOf(() => t.setsockopt(u, SOL_IP, IN.IP_UNICAST_IF, be(99)))).toBe('EADDRNOTAVAIL');
    const b = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.setsockopt(b, SOL_SOCKET, 62 /* SO_BINDTOIFINDEX */, 1);
    expect(errnoOf(() => t.setsockopt(b, SOL_IP, IN.IP_UNICAST_IF, be(1)))).toBe('EINVAL');
  });
});
