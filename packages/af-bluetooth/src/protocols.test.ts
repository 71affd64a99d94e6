import {
  AF_BLUETOOTH,
  CAP_NET_ADMIN,
  CAP_NET_BIND_SERVICE,
  CAP_NET_RAW,
  Kernel,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import modules, {
  BTPROTO_HCI,
  BTPROTO_L2CAP,
  BTPROTO_RFCOMM,
  BTPROTO_SCO,
  HCI_CHANNEL_CONTROL,
  HCI_CHANNEL_LOGGING,
  HCI_CHANNEL_MONITOR,
  HCI_CHANNEL_RAW,
  HCI_CHANNEL_USER,
  HCI_DEV_NONE,
  parse_sockaddr_l2,
  sockaddr_hci,
  sockaddr_l2,
  sockaddr_sco,
} from './index.js';

const err = (code: string) => expect.objectContaining({ code });

function boot(caps: number[] = []) {
  const k = new Kernel({ modules });
  return { k, t: k.spawn({ uid: 1000, caps }) };
}

describe('L2CAP bind and connect', () => {
  it('a dynamic PSM is picked for psm 0, odd from 0x1001, per address', () => {
    const { t } = boot();
    const a = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    const b = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    t.bind(a, sockaddr_l2('00:00:00:00:00:00', 0));
    t.bind(b, sockaddr_l2('00:00:00:00:00:00', 0));
    expect(parse_sockaddr_l2(t.getsockname(a)).l2_psm).toBe(0x1001);
    expect(parse_sockaddr_l2(t.getsockname(b)).l2_psm).toBe(0x1003);
    expect(() => t.bind(a, sockaddr_l2('00:00:00:00:00:00', 0))).toThrow(err('EBADFD'));
  });

  it('PSM rules: malformed EINVAL, well-known EACCES without CAP_NET_BIND_SERVICE, taken EADDRINUSE', () => {
    const { k, t } = boot();
    const s = () => t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x1002))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x0101))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 1))).toThrow(err('EACCES'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x1001, 0x40))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x1001, 0, 3))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0, 0x40, 1))).toThrow(err('EINVAL'));
    t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x1011));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x1011))).toThrow(err('EADDRINUSE'));
    const priv = k.spawn({ uid: 1000, caps: [CAP_NET_BIND_SERVICE] });
    priv.bind(priv.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP), sockaddr_l2('00:00:00:00:00:00', 1));
  });

  it('connect: EINVAL for no PSM on a connection-oriented socket, then EHOSTUNREACH', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    expect(() => t.connect(s, sockaddr_l2('00:11:22:33:44:55', 0))).toThrow(err('EINVAL'));
    expect(() => t.connect(s, sockaddr_l2('00:11:22:33:44:55', 0x1001))).toThrow(err('EHOSTUNREACH'));
    expect(() => t.getpeername(s)).toThrow(err('ENOTCONN'));
  });

  it('connect on a shut-down (zapped) socket is EINVAL; a BR/EDR-bound socket cannot connect to LE but ATT', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    t.shutdown(s, 2);
    expect(() => t.connect(s, sockaddr_l2('00:11:22:33:44:55', 0x1001))).toThrow(err('EINVAL'));
    const b = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    t.bind(b, sockaddr_l2('00:00:00:00:00:01', 0));
    expect(() => t.connect(b, sockaddr_l2('00:11:22:33:44:55', 0x81, 0, 1))).toThrow(err('EINVAL'));
    const le = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    t.bind(le, sockaddr_l2('00:00:00:00:00:01', 0, 0, 1));
    expect(parse_sockaddr_l2(t.getsockname(le))).toMatchObject({ l2_psm: 0x80, l2_bdaddr_type: 1 });
    expect(() => t.connect(le, sockaddr_l2('00:11:22:33:44:55', 0x1001))).toThrow(err('EINVAL'));
    expect(() => t.connect(le, sockaddr_l2('00:11:22:33:44:55', 0x81, 0, 1))).toThrow(err('EHOSTUNREACH'));
  });

  it('LE PSMs: above 0xff EINVAL, below 0x80 EACCES without CAP_NET_BIND_SERVICE', () => {
    const { t } = boot();
    const s = () => t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x100, 0, 1))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x25, 0, 1))).toThrow(err('EACCES'));
    t.bind(s(), sockaddr_l2('00:00:00:00:00:00', 0x82, 0, 1));
  });

  it('listen: EBADFD unless bound', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_L2CAP);
    expect(() => t.listen(s, 1)).toThrow(err('EBADFD'));
    t.bind(s, sockaddr_l2('00:00:00:00:00:00', 0));
    t.listen(s, 1);
    expect(() => t.accept4(s, 0o4000)).toThrow(err('EAGAIN'));
  });
});

describe('SCO', () => {
  it('bind needs 8 bytes and BT_OPEN; connect finds no route', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO);
    expect(() => t.bind(s, sockaddr_sco('00:00:00:00:00:00').subarray(0, 7))).toThrow(err('EINVAL'));
    t.bind(s, sockaddr_sco('00:00:00:00:00:07'));
    expect(t.getsockname(s)).toEqual(sockaddr_sco('00:00:00:00:00:07'));
    expect(() => t.bind(s, sockaddr_sco('00:00:00:00:00:07'))).toThrow(err('EBADFD'));
    expect(() => t.connect(s, sockaddr_sco('00:11:22:33:44:55'))).toThrow(err('EHOSTUNREACH'));
  });

  it('listen: EBADFD unless bound, EADDRINUSE for a second listener on the address', () => {
    const { t } = boot();
    const a = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO);
    expect(() => t.listen(a, 1)).toThrow(err('EBADFD'));
    t.bind(a, sockaddr_sco('00:00:00:00:00:00'));
    t.listen(a, 1);
    const b = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO);
    t.bind(b, sockaddr_sco('00:00:00:00:00:00'));
    expect(() => t.listen(b, 1)).toThrow(err('EADDRINUSE'));
  });
});

describe('HCI bind without controllers', () => {
  it('RAW binds to HCI_DEV_NONE; a device index is ENODEV; a second bind EALREADY', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(() => t.bind(s, sockaddr_hci(0, HCI_CHANNEL_RAW))).toThrow(err('ENODEV'));
    t.bind(s, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW));
    expect(() => t.bind(s, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW))).toThrow(err('EALREADY'));
    expect(() => t.getsockname(s)).toThrow(err('EBADFD'));
    expect(() => t.getpeername(s)).toThrow(err('EOPNOTSUPP'));
  });

  it('sendmsg: EINVAL for every length before bind (mtu 0), EBADFD without a device after', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(() => t.sendto(s, new Uint8Array(8))).toThrow(err('EINVAL'));
    t.bind(s, sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_RAW));
    expect(() => t.sendto(s, new Uint8Array(3))).toThrow(err('EINVAL'));
    expect(() => t.sendto(s, new Uint8Array(8))).toThrow(err('EBADFD'));
    expect(() => t.recvfrom(s, 8, 0x40)).toThrow(err('EAGAIN'));
  });

  it('USER, MONITOR and LOGGING check the device, then the capability; CONTROL needs no device', () => {
    const { k, t } = boot();
    const s = () => t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(() => t.bind(s(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_USER))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_hci(0, HCI_CHANNEL_USER))).toThrow(err('EPERM'));
    expect(() => t.bind(s(), sockaddr_hci(0, HCI_CHANNEL_MONITOR))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_MONITOR))).toThrow(err('EPERM'));
    expect(() => t.bind(s(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_LOGGING))).toThrow(err('EPERM'));
    expect(() => t.bind(s(), sockaddr_hci(0, HCI_CHANNEL_CONTROL))).toThrow(err('EINVAL'));
    expect(() => t.bind(s(), sockaddr_hci(HCI_DEV_NONE, 9))).toThrow(err('EINVAL'));
    t.bind(s(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_CONTROL));
    const admin = k.spawn({ uid: 1000, caps: [CAP_NET_ADMIN, CAP_NET_RAW] });
    const a = () => admin.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
    expect(() => admin.bind(a(), sockaddr_hci(0, HCI_CHANNEL_USER))).toThrow(err('ENODEV'));
    admin.bind(a(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_MONITOR));
    admin.bind(a(), sockaddr_hci(HCI_DEV_NONE, HCI_CHANNEL_LOGGING));
  });
});

describe('autoload failures', () => {
  it('when modprobe of bt-proto-3 fails, socket() is EPROTONOSUPPORT and nothing is loaded', () => {
    const { k, t } = boot();
    k.modules.load('bluetooth');
    k.faults.inject('request_module');
    expect(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)).toThrow(err('EPROTONOSUPPORT'));
    expect(k.modules.find('rfcomm')).toBeUndefined();
    expect(k.modules.find('bluetooth')!.refcnt).toBe(0);
    t.close(t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM));
  });

  it('without the rfcomm module available, BTPROTO_RFCOMM is EPROTONOSUPPORT', () => {
    const k = new Kernel({ modules: modules[0]! });
    const t = k.spawn({ uid: 1000 });
    const tr = k.trace(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM));
    expect(tr.error).toMatchObject({ code: 'EPROTONOSUPPORT' });
    expect(tr.text).toContain('modprobe: FATAL: Module bt-proto-3 not found');
  });

  it('without the bluetooth module, socket(PF_BLUETOOTH) is EAFNOSUPPORT', () => {
    const k = new Kernel({ modules: [] });
    expect(() => k.spawn().socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)).toThrow(err('EAFNOSUPPORT'));
  });
});
