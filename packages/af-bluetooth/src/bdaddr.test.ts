import { AF_BLUETOOTH } from '@ksock/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BDADDR_ANY,
  ba2str,
  bacmp,
  bacpy,
  parse_sockaddr_l2,
  parse_sockaddr_rc,
  sockaddr_hci,
  sockaddr_l2,
  sockaddr_rc,
  sockaddr_sco,
  str2ba,
} from './bdaddr.js';

describe('bdaddr_t', () => {
  it('is stored little-endian: 00:11:22:33:44:55 is the bytes 55 44 33 22 11 00', () => {
    expect([...str2ba('00:11:22:33:44:55')]).toEqual([0x55, 0x44, 0x33, 0x22, 0x11, 0x00]);
    expect(ba2str(Uint8Array.of(0x55, 0x44, 0x33, 0x22, 0x11, 0x00))).toBe('00:11:22:33:44:55');
    expect(ba2str(str2ba('aa:bb:cc:dd:ee:ff'))).toBe('AA:BB:CC:DD:EE:FF');
    expect(ba2str(BDADDR_ANY)).toBe('00:00:00:00:00:00');
  });

  it('str2ba refuses anything but six colon-separated octets', () => {
    for (const bad of [
      '',
      '00:11:22:33:44',
      '00:11:22:33:44:55:66',
      '0:11:22:33:44:55',
      'zz:11:22:33:44:55',
    ]) {
      expect(() => str2ba(bad)).toThrow(TypeError);
    }
  });

  it('ba2str and str2ba are inverse (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (ba) => {
        expect(str2ba(ba2str(ba))).toEqual(ba);
      }),
    );
  });

  it('bacmp compares all six bytes; bacpy copies them', () => {
    const a = str2ba('01:02:03:04:05:06');
    const b = new Uint8Array(6);
    expect(bacmp(a, b)).not.toBe(0);
    bacpy(b, a);
    expect(bacmp(a, b)).toBe(0);
    b[5] = 9;
    expect(bacmp(a, b)).not.toBe(0);
  });
});

describe('sockaddr codecs', () => {
  it('sockaddr_rc is 10 bytes: family, bdaddr, channel, pad', () => {
    expect([...sockaddr_rc('00:11:22:33:44:55', 30)]).toEqual([
      31, 0, 0x55, 0x44, 0x33, 0x22, 0x11, 0, 30, 0,
    ]);
  });

  it('sockaddr_rc round-trips (property), and a short buffer reads zero-extended', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 255 }),
        (ba, ch) => {
          expect(parse_sockaddr_rc(sockaddr_rc(ba, ch))).toEqual({
            rc_family: AF_BLUETOOTH,
            rc_bdaddr: ba,
            rc_channel: ch,
          });
        },
      ),
    );
    expect(parse_sockaddr_rc(Uint8Array.of(31, 0, 1))).toEqual({
      rc_family: 31,
      rc_bdaddr: Uint8Array.of(1, 0, 0, 0, 0, 0),
      rc_channel: 0,
    });
  });

  it('sockaddr_l2 is 14 bytes with little-endian psm and cid', () => {
    const b = sockaddr_l2('00:00:00:00:00:01', 0x1001, 0x40, 1);
    expect(b.length).toBe(14);
    expect([...b.subarray(0, 4)]).toEqual([31, 0, 0x01, 0x10]);
    expect(parse_sockaddr_l2(b)).toEqual({
      l2_family: 31,
      l2_psm: 0x1001,
      l2_bdaddr: str2ba('00:00:00:00:00:01'),
      l2_cid: 0x40,
      l2_bdaddr_type: 1,
    });
  });

  it('sockaddr_sco is 8 bytes, sockaddr_hci 6', () => {
    expect([...sockaddr_sco('00:00:00:00:00:02')]).toEqual([31, 0, 2, 0, 0, 0, 0, 0]);
    expect([...sockaddr_hci(0xffff, 0)]).toEqual([31, 0, 0xff, 0xff, 0, 0]);
  });
});
