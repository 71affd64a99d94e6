import { AF_INET, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_IP } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, errno_of } from './__fixtures__/util.js';
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
          errno_of(() => t.setsockopt(fd, SOL_IP, opt, new Uint8Array(0))),
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
