import { AF_BLUETOOTH, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_STREAM } from '@ksock/core';
import { checkFamily, checkPackageModules } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import modules from './index.js';
import { BTPROTO_BNEP, BTPROTO_HCI, BTPROTO_L2CAP, BTPROTO_RFCOMM, BTPROTO_SCO } from './uapi/bluetooth.js';

describe('@ksock/core conformance kit', () => {
  it('bluetooth (L2CAP, HCI, SCO) and rfcomm conform', () => {
    const report = checkFamily({
      modules,
      family: AF_BLUETOOTH,
      create: 'bt_sock_create',
      sockets: [
        { type: SOCK_SEQPACKET, protocol: BTPROTO_L2CAP, uid: 1000 },
        { type: SOCK_RAW, protocol: BTPROTO_HCI },
        { type: SOCK_SEQPACKET, protocol: BTPROTO_SCO, uid: 1000 },
        { type: SOCK_STREAM, protocol: BTPROTO_RFCOMM, uid: 1000 },
      ],
      // Which types a Bluetooth socket accepts depends on the protocol, so the refusals are listed.
      badTypeErrno: null,
      refused: [
        { type: SOCK_RDM, protocol: BTPROTO_L2CAP, errno: 'ESOCKTNOSUPPORT' },
        { type: SOCK_DGRAM, protocol: BTPROTO_RFCOMM, errno: 'ESOCKTNOSUPPORT' },
        { type: SOCK_STREAM, protocol: BTPROTO_SCO, errno: 'ESOCKTNOSUPPORT' },
        { type: SOCK_STREAM, protocol: 9, errno: 'EINVAL' },
        { type: SOCK_STREAM, protocol: -1, errno: 'EINVAL' },
        { type: SOCK_RAW, protocol: BTPROTO_BNEP, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_RAW, protocol: BTPROTO_L2CAP, uid: 1000, errno: 'EPERM' },
      ],
    });
    expect(report.failures).toEqual([]);
    expect(report.faultSites.length).toBeGreaterThan(3);
  });
});

describe('package metadata', () => {
  it('declares in package.json ksock.modules exactly the modules its default export provides', () => {
    expect(checkPackageModules(pkg, modules)).toEqual([]);
  });
});
