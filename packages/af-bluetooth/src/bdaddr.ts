/**
 * Bluetooth device addresses and the sockaddrs that carry them (include/net/bluetooth/bluetooth.h, rfcomm.h,
 * l2cap.h, sco.h, hci_sock.h).
 *
 * A bdaddr_t is 6 bytes stored least significant byte first (include/net/bluetooth/bluetooth.h), so the
 * address people write as 00:11:22:33:44:55 is the bytes 55 44 33 22 11 00. Linux prints it with %pMR
 * (reversed order) and BlueZ's str2ba() parses it back the same way.
 */
import { AF_BLUETOOTH } from '@ksock/core';

/** sizeof(bdaddr_t). */
export const BDADDR_SIZE = 6;
/** sizeof(struct sockaddr_rc): u16 family, bdaddr_t, u8 channel, one byte of padding. */
export const SOCKADDR_RC_SIZE = 10;
/** sizeof(struct sockaddr_l2): u16 family, __le16 psm, bdaddr_t, __le16 cid, u8 bdaddr_type, padding. */
export const SOCKADDR_L2_SIZE = 14;
/** sizeof(struct sockaddr_sco): u16 family, bdaddr_t. */
export const SOCKADDR_SCO_SIZE = 8;
/** sizeof(struct sockaddr_hci): u16 family, u16 dev, u16 channel. */
export const SOCKADDR_HCI_SIZE = 6;

/** BDADDR_ANY: 00:00:00:00:00:00. Never mutate it. */
export const BDADDR_ANY: Readonly<Uint8Array> = new Uint8Array(BDADDR_SIZE);
/** BDADDR_LOCAL: 00:00:00:ff:ff:ff. */
export const BDADDR_LOCAL: Readonly<Uint8Array> = Uint8Array.of(0xff, 0xff, 0xff, 0, 0, 0);

/** Mirrors bacmp(): 0 when the two addresses are equal (memcmp of the 6 bytes). */
export function bacmp(a: Readonly<Uint8Array>, b: Readonly<Uint8Array>): number {
  for (let i = 0; i < BDADDR_SIZE; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Mirrors bacpy(): copy `src` into `dst`. */
export function bacpy(dst: Uint8Array, src: Readonly<Uint8Array>): void {
  for (let i = 0; i < BDADDR_SIZE; i++) dst[i] = src[i] ?? 0;
}

const HEX = '0123456789ABCDEF';

/** Mirrors ba2str() / %pMR: the address as "00:11:22:33:44:55" (most significant byte first). */
export function ba2str(ba: Readonly<Uint8Array>): string {
  let s = '';
  for (let i = BDADDR_SIZE - 1; i >= 0; i--) {
    const b = ba[i] ?? 0;
    s += HEX[b >> 4]! + HEX[b & 15]!;
    if (i > 0) s += ':';
  }
  return s;
}

/**
 * Mirrors BlueZ's str2ba(): "00:11:22:33:44:55" → the 6 stored bytes (little-endian). Throws a TypeError
 * on anything that is not six colon-separated hex octets (str2ba would silently produce garbage).
 */
export function str2ba(str: string): Uint8Array {
  const m =
    /^([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})$/.exec(
      str,
    );
  if (m === null) throw new TypeError(`ksock: not a Bluetooth address: ${JSON.stringify(str)}`);
  const ba = new Uint8Array(BDADDR_SIZE);
  for (let i = 0; i < BDADDR_SIZE; i++) ba[BDADDR_SIZE - 1 - i] = Number.parseInt(m[i + 1]!, 16);
  return ba;
}

function bdaddr_arg(bdaddr: Readonly<Uint8Array> | string): Readonly<Uint8Array> {
  if (typeof bdaddr === 'string') return str2ba(bdaddr);
  if (bdaddr.length !== BDADDR_SIZE) throw new TypeError('ksock: a bdaddr is 6 bytes');
  return bdaddr;
}

/** struct sockaddr_rc as its fields. */
export interface SockaddrRc {
  rc_family: number;
  rc_bdaddr: Uint8Array;
  rc_channel: number;
}

/** The 10 bytes of a struct sockaddr_rc (family AF_BLUETOOTH unless given). */
export function sockaddr_rc(
  bdaddr: Readonly<Uint8Array> | string,
  channel: number,
  family: number = AF_BLUETOOTH,
): Uint8Array {
  const b = new Uint8Array(SOCKADDR_RC_SIZE);
  new DataView(b.buffer).setUint16(0, family, true);
  b.set(bdaddr_arg(bdaddr), 2);
  b[8] = channel & 0xff;
  return b;
}

/**
 * Decode a struct sockaddr_rc. Like rfcomm_sock_bind(), a short buffer is read as if zero-extended to
 * 10 bytes.
 */
export function parse_sockaddr_rc(addr: Readonly<Uint8Array>): SockaddrRc {
  const sa = new Uint8Array(SOCKADDR_RC_SIZE);
  sa.set(addr.subarray(0, Math.min(SOCKADDR_RC_SIZE, addr.length)));
  return {
    rc_family: sa[0]! | (sa[1]! << 8),
    rc_bdaddr: sa.slice(2, 8),
    rc_channel: sa[8]!,
  };
}

/** struct sockaddr_l2 as its fields. */
export interface SockaddrL2 {
  l2_family: number;
  l2_psm: number;
  l2_bdaddr: Uint8Array;
  l2_cid: number;
  l2_bdaddr_type: number;
}

/** The 14 bytes of a struct sockaddr_l2 (psm and cid little-endian, as __le16). */
export function sockaddr_l2(
  bdaddr: Readonly<Uint8Array> | string,
  psm: number,
  cid = 0,
  bdaddr_type = 0,
  family: number = AF_BLUETOOTH,
): Uint8Array {
  const b = new Uint8Array(SOCKADDR_L2_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, family, true);
  dv.setUint16(2, psm, true);
  b.set(bdaddr_arg(bdaddr), 4);
  dv.setUint16(10, cid, true);
  b[12] = bdaddr_type;
  return b;
}

/** Decode a struct sockaddr_l2, zero-extending a short buffer as l2cap_sock_bind() does. */
export function parse_sockaddr_l2(addr: Readonly<Uint8Array>): SockaddrL2 {
  const la = new Uint8Array(SOCKADDR_L2_SIZE);
  la.set(addr.subarray(0, Math.min(SOCKADDR_L2_SIZE, addr.length)));
  const dv = new DataView(la.buffer);
  return {
    l2_family: dv.getUint16(0, true),
    l2_psm: dv.getUint16(2, true),
    l2_bdaddr: la.slice(4, 10),
    l2_cid: dv.getUint16(10, true),
    l2_bdaddr_type: la[12]!,
  };
}

/** The 8 bytes of a struct sockaddr_sco. */
export function sockaddr_sco(
  bdaddr: Readonly<Uint8Array> | string,
  family: number = AF_BLUETOOTH,
): Uint8Array {
  const b = new Uint8Array(SOCKADDR_SCO_SIZE);
  new DataView(b.buffer).setUint16(0, family, true);
  b.set(bdaddr_arg(bdaddr), 2);
  return b;
}

/** The 6 bytes of a struct sockaddr_hci. */
export function sockaddr_hci(dev: number, channel: number, family: number = AF_BLUETOOTH): Uint8Array {
  const b = new Uint8Array(SOCKADDR_HCI_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, family, true);
  dv.setUint16(2, dev, true);
  dv.setUint16(4, channel, true);
  return b;
}
