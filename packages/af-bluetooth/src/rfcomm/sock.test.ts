import {
  AF_BLUETOOTH,
  AF_INET,
  Kernel,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@ksock/core';
import { describe, expect, it } from 'vitest';
import modules, {
  BT_BOUND,
  BT_LISTEN,
  BT_OPEN,
  BT_SECURITY_LOW,
  BTPROTO_RFCOMM,
  ba2str,
  parse_sockaddr_rc,
  RFCOMM_CFC_DISABLED,
  RFCOMM_DEFAULT_CREDITS,
  RFCOMM_DEFAULT_MTU,
  RFCOMM_V24_DV,
  RFCOMM_V24_RTC,
  RFCOMM_V24_RTR,
  sockaddr_rc,
} from '../index.js';
import { l2cap_sk_list } from '../l2cap_sock.js';
import { rfcomm_dlc_count, rfcomm_sessions } from './core.js';
import { type RfcommPinfo, rfcomm_sk_list } from './sock.js';

const err = (code: string) => expect.objectContaining({ code });

function boot() {
  const k = new Kernel({ modules });
  return { k, t: k.spawn({ uid: 1000, comm: 'rfcommtest' }), root: k.spawn({ comm: 'rootsh' }) };
}

const rfsock = (t: { socket(f: number, ty: number, p: number): number }) =>
  t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);

/** The RFCOMM sock most recently created. */
function newest(k: Kernel): RfcommPinfo {
  return rfcomm_sk_list(k)!.head[0] as RfcommPinfo;
}

/** Names of the traced calls in order, checking that `expected` occurs as a subsequence. */
function subsequence(names: string[], expected: string[]): string[] {
  const found: string[] = [];
  let i = 0;
  for (const want of expected) {
    while (i < names.length && names[i] !== want) i++;
    if (i === names.length) break;
    found.push(want);
    i++;
  }
  return found;
}

describe('socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM) on a fresh kernel', () => {
  it('autoloads net-pf-31 then bt-proto-3 and follows seed 003’s function order', () => {
    const { k, t } = boot();
    const tr = k.trace(() => rfsock(t));
    expect(tr.error).toBeUndefined();
    const calls = tr.events.filter((e) => !e.note);
    const loads = calls.filter((e) => e.name === 'request_module').map((e) => e.args);
    expect(loads).toEqual(['"net-pf-31"', '"bt-proto-3"']);
    const notes = tr.events.filter((e) => e.note).map((e) => e.name);
    expect(notes.indexOf('module bluetooth loaded')).toBeLessThan(notes.indexOf('module rfcomm loaded'));
    const order = [
      '__sys_socket',
      'sock_create',
      '__sock_create',
      'sock_alloc',
      'request_module',
      'bt_sock_create',
      'request_module',
      'rfcomm_sock_create',
      'rfcomm_sock_alloc',
      'bt_sock_alloc',
      'sk_alloc',
      'sock_init_data',
      'rfcomm_dlc_alloc',
      'sock_map_fd',
      'sock_alloc_file',
    ];
    expect(
      subsequence(
        calls.map((e) => e.name),
        order,
      ),
    ).toEqual(order);
    // rfcomm_sock_create runs inside bt_sock_create, which runs inside __sock_create.
    const depth = (name: string) => calls.find((e) => e.name === name)!.depth;
    expect(depth('rfcomm_sock_create')).toBeGreaterThan(depth('bt_sock_create'));
    expect(depth('bt_sock_create')).toBeGreaterThan(depth('__sock_create'));
    // The bt-proto-3 request is made from bt_sock_create, the net-pf-31 one from __sock_create.
    const rm = calls.filter((e) => e.name === 'request_module');
    expect(rm[0]!.depth).toBe(depth('__sock_create') + 1);
    expect(rm[1]!.depth).toBe(depth('bt_sock_create') + 1);
    expect(tr.text).toContain('rfcomm_sock_create(');
    // bt_sock_create pins bt_proto[3]'s module (rfcomm) around rfcomm_sock_create only.
    const i = calls.findIndex((e) => e.name === 'rfcomm_sock_create');
    expect(calls[i - 1]).toMatchObject({ name: 'try_module_get', args: 'rfcomm', ret: true });
    const put = calls.slice(i).find((e) => e.name === 'module_put' && e.depth === calls[i]!.depth);
    expect(put?.args).toMatch(/^rfcomm, refcnt=2$/);
  });

  it('/proc/modules shows bluetooth used by rfcomm, and rmmod bluetooth is refused', () => {
    const { k, t, root } = boot();
    const fd = rfsock(t);
    const pm = k.proc.read('/proc/modules');
    expect(pm.split('\n')[0]).toMatch(/^rfcomm 0 2 - Live /);
    expect(pm).toMatch(/^bluetooth 0 \d+ rfcomm, Live /m);
    expect(() => root.rmmod('bluetooth')).toThrow(err('EAGAIN'));
    expect(() => root.rmmod('rfcomm')).toThrow(err('EAGAIN'));
    t.close(fd);
    root.rmmod('rfcomm');
    root.rmmod('bluetooth');
    expect(k.modules.list()).toEqual([]);
    expect(k.proc.read('/proc/net/protocols')).not.toMatch(/RFCOMM|L2CAP/);
  });

  it('logs what Linux logs while loading', () => {
    const { k, t } = boot();
    t.close(rfsock(t));
    const i = k.log.indexOf('Bluetooth: RFCOMM socket layer initialized');
    expect(i).toBeGreaterThan(k.log.indexOf('Bluetooth: SCO socket layer initialized'));
    expect(k.log[i + 1]).toBe('Bluetooth: RFCOMM ver 1.11');
  });
});

describe('rfcomm_sock_create', () => {
  it('takes SOCK_STREAM and SOCK_RAW — RAW without any capability — and nothing else', () => {
    const { t } = boot();
    t.close(t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_RFCOMM));
    for (const type of [SOCK_DGRAM, SOCK_SEQPACKET, 4]) {
      expect(() => t.socket(AF_BLUETOOTH, type, BTPROTO_RFCOMM)).toThrow(err('ESOCKTNOSUPPORT'));
    }
  });

  it('gives the sock and its DLC Linux’s defaults', () => {
    const { k, t } = boot();
    const fd = rfsock(t);
    const sk = newest(k);
    expect(sk).toMatchObject({
      sk_family: AF_BLUETOOTH,
      sk_type: SOCK_STREAM,
      sk_protocol: BTPROTO_RFCOMM,
      sk_state: BT_OPEN,
      sk_sndtimeo: 30000,
      sk_sndbuf: 50800,
      sk_rcvbuf: 50800,
      channel: 0,
      sec_level: BT_SECURITY_LOW,
      role_switch: 0,
      sk_peer_pid: t.pid,
    });
    expect([...sk.src, ...sk.dst]).toEqual(new Array(12).fill(0));
    expect(sk.sk_socket?.state).toBe(1); // SS_UNCONNECTED
    expect(sk.dlc).toMatchObject({
      state: BT_OPEN,
      mtu: RFCOMM_DEFAULT_MTU,
      rx_credits: RFCOMM_DEFAULT_CREDITS,
      cfc: RFCOMM_CFC_DISABLED,
      v24_sig: RFCOMM_V24_RTC | RFCOMM_V24_RTR | RFCOMM_V24_DV,
      sec_level: BT_SECURITY_LOW,
      defer_setup: 0,
      refcnt: 1,
      owner: sk,
    });
    expect(sk.dlc!.timer.function).not.toBeNull();
    // Bluetooth protocols never call sock_prot_inuse_add(): the sockets column stays 0, as in Linux.
    expect(k.proc.read('/proc/net/protocols')).toMatch(/^RFCOMM +848 +0 .* no +rfcomm /m);
    t.close(fd);
  });

  it('ENOMEM when the DLC cannot be allocated, with nothing left behind', () => {
    const { k, t, root } = boot();
    root.modprobe('rfcomm');
    const rf = k.modules.find('rfcomm')!;
    const before = { ino: k.sock_inode_cache.active_objs, sk: k.sk_allocated, rf: rf.refcnt };
    k.faults.inject('rfcomm_dlc_alloc');
    expect(() => rfsock(t)).toThrow(err('ENOMEM'));
    k.faults.inject('sk_alloc');
    expect(() => rfsock(t)).toThrow(err('ENOMEM'));
    expect(k.sock_inode_cache.active_objs).toBe(before.ino);
    expect(k.sk_allocated).toBe(before.sk);
    expect(rf.refcnt).toBe(before.rf);
    expect(rfcomm_sk_list(k)!.head).toHaveLength(0);
    expect(rfcomm_dlc_count(k)).toBe(0);
    expect(k.proc.read('/proc/net/sockstat')).toMatch(/^sockets: used 0$/m);
  });
});

describe('module references while RFCOMM sockets are open', () => {
  it('rfcomm: +2 per socket (ops and proto); bluetooth: only rfcomm’s use and krfcommd’s L2CAP socket', () => {
    const { k, t, root } = boot();
    root.modprobe('rfcomm');
    const rf = k.modules.find('rfcomm')!;
    const bt = k.modules.find('bluetooth')!;
    // krfcommd's listening L2CAP socket (PSM 3) holds the L2CAP ops and proto references.
    expect(l2cap_sk_list(k)!.head).toHaveLength(1);
    expect(rfcomm_sessions(k)).toHaveLength(1);
    const base = { rf: rf.refcnt, bt: bt.refcnt, ino: k.sock_inode_cache.active_objs, sk: k.sk_allocated };
    expect(base.rf).toBe(0);
    expect(base.bt).toBe(3);
    const fds = [rfsock(t), rfsock(t), rfsock(t)];
    expect(rf.refcnt).toBe(6);
    expect(bt.refcnt).toBe(base.bt);
    expect(rfcomm_dlc_count(k)).toBe(3);
    for (const fd of fds) t.close(fd);
    expect(rf.refcnt).toBe(0);
    expect(bt.refcnt).toBe(base.bt);
    expect(k.sock_inode_cache.active_objs).toBe(base.ino);
    expect(k.sk_allocated).toBe(base.sk);
    expect(rfcomm_dlc_count(k)).toBe(0);
    root.rmmod('rfcomm');
    expect(bt.refcnt).toBe(0);
    expect(l2cap_sk_list(k)!.head).toHaveLength(0);
  });
});

describe('rfcomm_sock_bind', () => {
  it('EINVAL for a length under 2 or a family other than AF_BLUETOOTH', () => {
    const { t } = boot();
    const fd = rfsock(t);
    expect(() => t.bind(fd, new Uint8Array(0))).toThrow(err('EINVAL'));
    expect(() => t.bind(fd, Uint8Array.of(AF_BLUETOOTH))).toThrow(err('EINVAL'));
    expect(() => t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 1, AF_INET))).toThrow(err('EINVAL'));
  });

  it('accepts a short address, zero-extended (2 bytes: BDADDR_ANY, channel 0)', () => {
    const { k, t } = boot();
    const fd = rfsock(t);
    t.bind(fd, Uint8Array.of(AF_BLUETOOTH, 0));
    expect(newest(k)).toMatchObject({ sk_state: BT_BOUND, channel: 0 });
    expect(t.getsockname(fd)).toEqual(sockaddr_rc('00:00:00:00:00:00', 0));
  });

  it('EBADFD when not BT_OPEN (bound twice)', () => {
    const { t } = boot();
    const fd = rfsock(t);
    t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 3));
    expect(() => t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 4))).toThrow(err('EBADFD'));
  });

  it('EINVAL for a SOCK_RAW socket (after the state check)', () => {
    const { t } = boot();
    const fd = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_RFCOMM);
    expect(() => t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 3))).toThrow(err('EINVAL'));
  });

  it('EADDRINUSE for the same channel on exactly the same address; 0 never conflicts', () => {
    const { t } = boot();
    const a = rfsock(t);
    t.bind(a, sockaddr_rc('11:22:33:44:55:66', 5));
    expect(() => t.bind(rfsock(t), sockaddr_rc('11:22:33:44:55:66', 5))).toThrow(err('EADDRINUSE'));
    t.bind(rfsock(t), sockaddr_rc('00:00:00:00:00:00', 5)); // BDADDR_ANY is a different address here
    t.bind(rfsock(t), sockaddr_rc('11:22:33:44:55:66', 6));
    const z1 = rfsock(t);
    const z2 = rfsock(t);
    t.bind(z1, sockaddr_rc('11:22:33:44:55:66', 0));
    t.bind(z2, sockaddr_rc('11:22:33:44:55:66', 0));
    t.close(a);
    t.bind(rfsock(t), sockaddr_rc('11:22:33:44:55:66', 5)); // free again once closed
  });

  it('does not range-check the channel (Linux accepts any u8; connect checks 1..30)', () => {
    const { k, t } = boot();
    const fd = rfsock(t);
    t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 200));
    expect(newest(k).channel).toBe(200);
    expect(t.getsockname(fd)[8]).toBe(200);
  });
});

describe('rfcomm_sock_listen', () => {
  it('EBADFD unless bound', () => {
    const { t } = boot();
    expect(() => t.listen(rfsock(t), 1)).toThrow(err('EBADFD'));
  });

  it('picks the lowest free channel for a sock bound to 0, per address', () => {
    const { t } = boot();
    const addr = '00:1a:7d:da:71:13';
    const c1 = rfsock(t);
    t.bind(c1, sockaddr_rc(addr, 1));
    const c3 = rfsock(t);
    t.bind(c3, sockaddr_rc(addr, 3));
    const z = rfsock(t);
    t.bind(z, sockaddr_rc(addr, 0));
    t.listen(z, 5);
    expect(parse_sockaddr_rc(t.getsockname(z)).rc_channel).toBe(2);
    const other = rfsock(t);
    t.bind(other, sockaddr_rc('00:00:00:00:00:00', 0));
    t.listen(other, 5);
    expect(parse_sockaddr_rc(t.getsockname(other)).rc_channel).toBe(1);
  });

  it('EINVAL when channels 1..30 are all taken on the address', () => {
    const { t } = boot();
    for (let c = 1; c <= 30; c++) t.bind(rfsock(t), sockaddr_rc('00:00:00:00:00:01', c));
    const z = rfsock(t);
    t.bind(z, sockaddr_rc('00:00:00:00:00:01', 0));
    expect(() => t.listen(z, 1)).toThrow(err('EINVAL'));
    const other = rfsock(t);
    t.bind(other, sockaddr_rc('00:00:00:00:00:02', 0));
    t.listen(other, 1);
  });

  it('sets BT_LISTEN with the backlog capped at somaxconn; listening again is EBADFD', () => {
    const { k, t } = boot();
    const fd = rfsock(t);
    t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 9));
    t.listen(fd, 100000);
    expect(newest(k)).toMatchObject({ sk_state: BT_LISTEN, sk_max_ack_backlog: 4096, sk_ack_backlog: 0 });
    expect(() => t.listen(fd, 1)).toThrow(err('EBADFD'));
    // A listener still holds its channel.
    expect(() => t.bind(rfsock(t), sockaddr_rc('00:00:00:00:00:00', 9))).toThrow(err('EADDRINUSE'));
  });

  it('accept: EBADFD unless listening, EAGAIN when non-blocking and nothing is queued', () => {
    const { t } = boot();
    const fd = rfsock(t);
    expect(() => t.accept(fd)).toThrow(err('EBADFD'));
    t.bind(fd, sockaddr_rc('00:00:00:00:00:00', 4));
    t.listen(fd, 1);
    expect(() => t.accept4(fd, 0o4000)).toThrow(err('EAGAIN'));
  });
});

describe('getsockname / getpeername', () => {
  it('10 bytes: family, the local bdaddr as stored (little-endian), channel', () => {
    const { t } = boot();
    const fd = rfsock(t);
    t.bind(fd, sockaddr_rc('00:11:22:33:44:55', 7));
    const sa = t.getsockname(fd);
    expect([...sa]).toEqual([31, 0, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 7, 0]);
    expect(ba2str(parse_sockaddr_rc(sa).rc_bdaddr)).toBe('00:11:22:33:44:55');
    expect(() => t.getpeername(fd)).toThrow(err('ENOTCONN'));
  });
});
