import { AF_BLUETOOTH, Kernel, SO_LINGER, SOCK_RAW, SOCK_STREAM, SOL_SOCKET } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import modules, {
  BT_CONNECT,
  BT_DEFER_SETUP,
  BT_SECURITY,
  BT_SECURITY_FIPS,
  BT_SECURITY_HIGH,
  BT_SECURITY_LOW,
  BT_SECURITY_MEDIUM,
  BT_VOICE,
  BTPROTO_RFCOMM,
  RFCOMM_CONNINFO,
  RFCOMM_LM,
  RFCOMM_LM_AUTH,
  RFCOMM_LM_ENCRYPT,
  RFCOMM_LM_FIPS,
  RFCOMM_LM_MASTER,
  RFCOMM_LM_SECURE,
  SOL_L2CAP,
  SOL_RFCOMM,
  sockaddr_rc,
} from '../index.js';
import { l2cap_sk_list } from '../l2cap_sock.js';
import { SOL_BLUETOOTH } from '../uapi/bluetooth.js';
import { rfcomm_dlc_count, rfcomm_sessions } from './core.js';
import { type RfcommPinfo, rfcomm_sk_list } from './sock.js';

const err = (code: string) => expect.objectContaining({ code });

function boot() {
  const k = new Kernel({ modules });
  const t = k.spawn({ uid: 1000, comm: 'rfcommtest' });
  return { k, t, fd: () => t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM) };
}

const newest = (k: Kernel) => rfcomm_sk_list(k)!.head[0] as RfcommPinfo;

describe('SOL_BLUETOOTH options on an unconnected socket', () => {
  it('BT_SECURITY reads {level, key_size 0}, cut to the length asked for', () => {
    const { t, fd } = boot();
    const s = fd();
    expect([...t.getsockopt(s, SOL_BLUETOOTH, BT_SECURITY, 2)]).toEqual([BT_SECURITY_LOW, 0]);
    expect([...t.getsockopt(s, SOL_BLUETOOTH, BT_SECURITY, 1)]).toEqual([BT_SECURITY_LOW]);
    expect([...t.getsockopt(s, SOL_BLUETOOTH, BT_SECURITY, 64)]).toEqual([BT_SECURITY_LOW, 0]);
  });

  it('BT_SECURITY sets SDP..HIGH; above HIGH, or fewer than 2 bytes, is EINVAL', () => {
    const { k, t, fd } = boot();
    const s = fd();
    t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(BT_SECURITY_HIGH, 0));
    expect(newest(k).sec_level).toBe(BT_SECURITY_HIGH);
    t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(0, 0));
    expect(newest(k).sec_level).toBe(0);
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(BT_SECURITY_FIPS, 0))).toThrow(
      err('EINVAL'),
    );
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(1))).toThrow(err('EINVAL'));
  });

  it('BT_SECURITY on a SOCK_RAW socket is EINVAL both ways', () => {
    const { t } = boot();
    const s = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_RFCOMM);
    expect(() => t.getsockopt(s, SOL_BLUETOOTH, BT_SECURITY, 2)).toThrow(err('EINVAL'));
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(1, 0))).toThrow(err('EINVAL'));
  });

  it('BT_DEFER_SETUP only on a bound or listening socket', () => {
    const { k, t, fd } = boot();
    const s = fd();
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_DEFER_SETUP, 1)).toThrow(err('EINVAL'));
    expect(() => t.getsockopt(s, SOL_BLUETOOTH, BT_DEFER_SETUP)).toThrow(err('EINVAL'));
    t.bind(s, sockaddr_rc('00:00:00:00:00:00', 2));
    expect(t.getsockoptInt(s, SOL_BLUETOOTH, BT_DEFER_SETUP)).toBe(0);
    t.setsockopt(s, SOL_BLUETOOTH, BT_DEFER_SETUP, 1);
    t.listen(s, 1);
    expect(t.getsockoptInt(s, SOL_BLUETOOTH, BT_DEFER_SETUP)).toBe(1);
    expect(newest(k).flags & 1).toBe(1);
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_DEFER_SETUP, Uint8Array.of(1, 0))).toThrow(err('EINVAL'));
    t.setsockopt(s, SOL_BLUETOOTH, BT_DEFER_SETUP, 0);
    expect(t.getsockoptInt(s, SOL_BLUETOOTH, BT_DEFER_SETUP)).toBe(0);
  });

  it('other SOL_BLUETOOTH options and other levels are ENOPROTOOPT', () => {
    const { t, fd } = boot();
    const s = fd();
    expect(() => t.setsockopt(s, SOL_BLUETOOTH, BT_VOICE, 1)).toThrow(err('ENOPROTOOPT'));
    expect(() => t.getsockopt(s, SOL_BLUETOOTH, BT_VOICE)).toThrow(err('ENOPROTOOPT'));
    expect(() => t.setsockopt(s, SOL_L2CAP, 1, 1)).toThrow(err('ENOPROTOOPT'));
    expect(() => t.getsockopt(s, SOL_L2CAP, 1)).toThrow(err('ENOPROTOOPT'));
  });
});

describe('SOL_RFCOMM options', () => {
  it('RFCOMM_LM reads AUTH for the default LOW level', () => {
    const { t, fd } = boot();
    expect(t.getsockoptInt(fd(), SOL_RFCOMM, RFCOMM_LM)).toBe(RFCOMM_LM_AUTH);
  });

  it('RFCOMM_LM maps AUTH/ENCRYPT/SECURE to LOW/MEDIUM/HIGH and MASTER to a role switch', () => {
    const { k, t, fd } = boot();
    const s = fd();
    t.setsockopt(s, SOL_RFCOMM, RFCOMM_LM, RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT);
    expect(newest(k).sec_level).toBe(BT_SECURITY_MEDIUM);
    expect(t.getsockoptInt(s, SOL_RFCOMM, RFCOMM_LM)).toBe(RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT);
    t.setsockopt(s, SOL_RFCOMM, RFCOMM_LM, RFCOMM_LM_SECURE | RFCOMM_LM_MASTER);
    expect(newest(k)).toMatchObject({ sec_level: BT_SECURITY_HIGH, role_switch: RFCOMM_LM_MASTER });
    expect(t.getsockoptInt(s, SOL_RFCOMM, RFCOMM_LM)).toBe(
      RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT | RFCOMM_LM_SECURE | RFCOMM_LM_MASTER,
    );
    // No bits: the level stays, the role switch goes.
    t.setsockopt(s, SOL_RFCOMM, RFCOMM_LM, 0);
    expect(newest(k)).toMatchObject({ sec_level: BT_SECURITY_HIGH, role_switch: 0 });
  });

  it('RFCOMM_LM: FIPS is EINVAL; a value shorter than 4 bytes is EFAULT (not EINVAL)', () => {
    const { t, fd } = boot();
    const s = fd();
    expect(() => t.setsockopt(s, SOL_RFCOMM, RFCOMM_LM, RFCOMM_LM_FIPS)).toThrow(err('EINVAL'));
    expect(() => t.setsockopt(s, SOL_RFCOMM, RFCOMM_LM, Uint8Array.of(2, 0))).toThrow(err('EFAULT'));
  });

  it('RFCOMM_CONNINFO needs a connection; unknown SOL_RFCOMM options are ENOPROTOOPT', () => {
    const { t, fd } = boot();
    const s = fd();
    expect(() => t.getsockopt(s, SOL_RFCOMM, RFCOMM_CONNINFO)).toThrow(err('ENOTCONN'));
    expect(() => t.getsockopt(s, SOL_RFCOMM, 99)).toThrow(err('ENOPROTOOPT'));
    expect(() => t.setsockopt(s, SOL_RFCOMM, RFCOMM_CONNINFO, 0)).toThrow(err('ENOPROTOOPT'));
  });

  it('the security level chosen is what a connect hands to the DLC', () => {
    const { k, t, fd } = boot();
    const s = fd();
    t.setsockopt(s, SOL_BLUETOOTH, BT_SECURITY, Uint8Array.of(BT_SECURITY_MEDIUM, 0));
    expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EHOSTUNREACH'));
    expect(newest(k).dlc!.sec_level).toBe(BT_SECURITY_MEDIUM);
  });
});

describe('rfcomm_sock_connect without a controller', () => {
  it('EINVAL for a short address or another family', () => {
    const { t, fd } = boot();
    const s = fd();
    expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1).subarray(0, 9))).toThrow(err('EINVAL'));
    expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1, 2))).toThrow(err('EINVAL'));
  });

  it('fails in the L2CAP route lookup with EHOSTUNREACH and leaves the socket in BT_CONNECT', () => {
    const { k, t, fd } = boot();
    const s = fd();
    const rf = () => k.modules.find('rfcomm')!.refcnt;
    const bt = () => k.modules.find('bluetooth')!.refcnt;
    const before = { rf: rf(), bt: bt(), ino: k.sock_inode_cache.active_objs, sk: k.sk_allocated };
    const tr = k.trace(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1)));
    expect(tr.error).toMatchObject({ code: 'EHOSTUNREACH' });
    const names = tr.events.filter((e) => !e.note).map((e) => e.name);
    for (const n of [
      'rfcomm_sock_connect',
      'rfcomm_dlc_open',
      'rfcomm_session_create',
      'rfcomm_l2sock_create',
      'l2cap_sock_create',
      'l2cap_sock_bind',
      'rfcomm_session_add',
      'l2cap_sock_connect',
      'hci_get_route',
      'rfcomm_session_del',
      'l2cap_sock_release',
    ]) {
      expect(names).toContain(n);
    }
    expect(tr.events.find((e) => e.name === 'l2cap_chan_connect')).toMatchObject({ errno: 'EHOSTUNREACH' });
    expect(tr.text).toContain('rfcomm_session_create(00:00:00:00:00:00 -> 00:11:22:33:44:55, sec_level=1)');
    expect(tr.text).toContain('l2cap_sock_bind(00:00:00:00:00:00, psm=0x0, alen=14)');
    expect(tr.text).toContain('l2cap_sock_connect(00:11:22:33:44:55, psm=0x3, alen=14, flags=04000)');
    // The session's kernel L2CAP socket and the rfcomm reference it took are gone again.
    expect({ rf: rf(), bt: bt(), ino: k.sock_inode_cache.active_objs, sk: k.sk_allocated }).toEqual(before);
    expect(rfcomm_sessions(k)).toHaveLength(1); // krfcommd's listener only
    const sk = newest(k);
    expect(sk).toMatchObject({ sk_state: BT_CONNECT, channel: 1 });
    expect(sk.dlc!.session).toBeNull();
    // getpeername works in BT_CONNECT and shows the destination.
    expect(t.getpeername(s)).toEqual(sockaddr_rc('00:11:22:33:44:55', 1));
    // A second attempt finds the socket in BT_CONNECT.
    expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EBADFD'));
  });

  it('a channel outside 1..30 is EINVAL from rfcomm_dlc_open, also leaving BT_CONNECT', () => {
    const { k, t, fd } = boot();
    for (const ch of [0, 31]) {
      const s = fd();
      expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', ch))).toThrow(err('EINVAL'));
      expect(newest(k).sk_state).toBe(BT_CONNECT);
      expect(() => t.connect(s, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EBADFD'));
    }
  });

  it('a bound socket can connect (EHOSTUNREACH); a listening one is EBADFD; SOCK_RAW is EINVAL', () => {
    const { t, fd } = boot();
    const b = fd();
    t.bind(b, sockaddr_rc('00:00:00:00:00:00', 4));
    expect(() => t.connect(b, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EHOSTUNREACH'));
    const l = fd();
    t.bind(l, sockaddr_rc('00:00:00:00:00:00', 5));
    t.listen(l, 1);
    expect(() => t.connect(l, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EBADFD'));
    const r = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_RFCOMM);
    expect(() => t.connect(r, sockaddr_rc('00:11:22:33:44:55', 1))).toThrow(err('EINVAL'));
  });
});

describe('send, receive, shutdown and release', () => {
  it('sendmsg: ENOTCONN; after shutdown EPIPE; MSG_OOB EOPNOTSUPP', () => {
    const { t, fd } = boot();
    const s = fd();
    const data = Uint8Array.of(1, 2, 3);
    expect(() => t.sendto(s, data)).toThrow(err('ENOTCONN'));
    expect(() => t.sendto(s, data, 1)).toThrow(err('EOPNOTSUPP'));
    t.shutdown(s, 2);
    expect(() => t.sendto(s, data)).toThrow(err('EPIPE'));
  });

  it('recvmsg: EAGAIN when non-blocking, 0 bytes after shutdown, EOPNOTSUPP for MSG_OOB', () => {
    const { t, fd } = boot();
    const s = fd();
    expect(() => t.recvfrom(s, 10, 0x40)).toThrow(err('EAGAIN'));
    expect(() => t.recvfrom(s, 10, 1)).toThrow(err('EOPNOTSUPP'));
    t.shutdown(s, 0);
    expect(t.recvfrom(s, 10).len).toBe(0);
  });

  it('shutdown with SO_LINGER waits for BT_CLOSED, which an unconnected socket never reaches: EINPROGRESS', () => {
    const { t, fd } = boot();
    const s = fd();
    const linger = new Uint8Array(8);
    new DataView(linger.buffer).setInt32(0, 1, true);
    new DataView(linger.buffer).setInt32(4, 1, true);
    t.setsockopt(s, SOL_SOCKET, SO_LINGER, linger);
    expect(() => t.shutdown(s, 2)).toThrow(err('EINPROGRESS'));
    t.shutdown(s, 2); // only the first shutdown acts
  });

  it('shutdown closes a listener (BT_CLOSED) and frees its channel', () => {
    const { k, t, fd } = boot();
    const l = fd();
    t.bind(l, sockaddr_rc('00:00:00:00:00:00', 8));
    t.listen(l, 1);
    t.shutdown(l, 2);
    expect(newest(k).sk_state).toBe(9);
    t.bind(fd(), sockaddr_rc('00:00:00:00:00:00', 8));
  });

  it('close of sockets in every state leaves nothing behind; SO_LINGER does not hang close', () => {
    const { k, t, fd } = boot();
    t.close(fd()); // load the modules
    const base = {
      ino: k.sock_inode_cache.active_objs,
      sk: k.sk_allocated,
      rf: k.modules.find('rfcomm')!.refcnt,
    };
    const open = fd();
    const bound = fd();
    t.bind(bound, sockaddr_rc('00:00:00:00:00:00', 3));
    const listening = fd();
    t.bind(listening, sockaddr_rc('00:00:00:00:00:00', 4));
    t.listen(listening, 2);
    const connecting = fd();
    expect(() => t.connect(connecting, sockaddr_rc('00:11:22:33:44:55', 2))).toThrow(err('EHOSTUNREACH'));
    const lingering = fd();
    const linger = new Uint8Array(8);
    new DataView(linger.buffer).setInt32(0, 1, true);
    new DataView(linger.buffer).setInt32(4, 5, true);
    t.setsockopt(lingering, SOL_SOCKET, SO_LINGER, linger);
    expect(rfcomm_sk_list(k)!.head).toHaveLength(5);
    for (const s of [open, bound, listening, connecting, lingering]) t.close(s);
    expect(rfcomm_sk_list(k)!.head).toHaveLength(0);
    expect(rfcomm_dlc_count(k)).toBe(0);
    expect(k.sock_inode_cache.active_objs).toBe(base.ino);
    expect(k.sk_allocated).toBe(base.sk);
    expect(k.modules.find('rfcomm')!.refcnt).toBe(base.rf);
    expect(l2cap_sk_list(k)!.head).toHaveLength(1);
  });
});

describe('/proc/net/rfcomm', () => {
  it('lists the RFCOMM socks as bt_seq_show prints them, newest first', () => {
    const { k, t, fd } = boot();
    const a = fd();
    const b = fd();
    t.bind(b, sockaddr_rc('00:00:00:00:00:00', 1));
    const ino = (s: number) => Number(/\[(\d+)\]/.exec(k.proc.readlink(`/proc/${t.pid}/fd/${s}`))![1]);
    const row = (s: number) =>
      `0000000000000000 1      0      0      1000   ${String(ino(s)).padEnd(6)} 0     `;
    expect(k.proc.read('/proc/net/rfcomm')).toBe(
      `sk               RefCnt Rmem   Wmem   User   Inode  Parent\n${row(b)}\n${row(a)}\n`,
    );
    t.close(a);
    t.close(b);
    expect(k.proc.read('/proc/net/rfcomm')).toBe(
      'sk               RefCnt Rmem   Wmem   User   Inode  Parent\n',
    );
  });

  it('is gone once rfcomm is unloaded', () => {
    const { k, t, fd } = boot();
    t.close(fd());
    k.modules.unload('rfcomm');
    expect(() => k.proc.read('/proc/net/rfcomm')).toThrow(err('ENOENT'));
    expect(k.proc.read('/proc/net/l2cap')).toBe(
      'sk               RefCnt Rmem   Wmem   User   Inode  Parent\n',
    );
  });

  it('shows krfcommd’s kernel L2CAP listener in /proc/net/l2cap (uid 0, an inode, no fd)', () => {
    const { k, t, fd } = boot();
    t.close(fd());
    const lines = k.proc.read('/proc/net/l2cap').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^0{16} 1 {6}0 {6}0 {6}0 {6}\d+ +0 {5}$/);
  });
});
