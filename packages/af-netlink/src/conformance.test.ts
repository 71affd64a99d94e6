import { SOCK_DGRAM, SOCK_RAW } from '@ksock/core';
import { checkFamily, checkPackageModules } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { CN_IDX_PROC } from './connector.js';
import modules from './index.js';
import { NETLINK_CONNECTOR, NETLINK_ROUTE, NETLINK_USERSOCK, nlmsg, sockaddr_nl } from './uapi.js';

describe('@ksock/core conformance kit', () => {
  it('af_netlink, rtnetlink and cn conform', () => {
    const report = checkFamily({
      modules,
      family: 16,
      create: 'netlink_create',
      sockets: [
        { type: SOCK_DGRAM, protocol: NETLINK_USERSOCK, uid: 1000 },
        { type: SOCK_RAW, protocol: NETLINK_USERSOCK },
        { type: SOCK_RAW, protocol: NETLINK_ROUTE, uid: 1000 },
        { type: SOCK_DGRAM, protocol: NETLINK_CONNECTOR, uid: 1000 },
      ],
      refused: [
        { type: SOCK_DGRAM, protocol: 32, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_DGRAM, protocol: -1, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_DGRAM, protocol: 5, errno: 'EPROTONOSUPPORT' },
      ],
      badTypeErrno: 'ESOCKTNOSUPPORT',
      exercise: (_k, t, fd) => {
        t.bind(fd, sockaddr_nl(0, 0));
        try {
          t.sendto(fd, nlmsg(0x12, 0x301, 1, 0, new Uint8Array(16)), 0x40);
        } catch {
          // USERSOCK has no kernel socket: ECONNREFUSED is the expected answer.
        }
        expect(CN_IDX_PROC).toBe(1);
      },
    });
    // NETLINK_ROUTE and NETLINK_CONNECTOR keep one kernel socket each while their module is loaded, as in
    // Linux; the kit compares counters with the modules loaded, and with boot after rmmod.
    expect(report.failures).toEqual([]);
    expect(report.results.length).toBeGreaterThan(5);
  });
});

describe('package metadata', () => {
  it('declares in package.json ksock.modules exactly the modules its default export provides', () => {
    expect(checkPackageModules(pkg, modules)).toEqual([]);
  });
});
