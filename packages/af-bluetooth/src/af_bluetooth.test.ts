import {
  AF_BLUETOOTH,
  CAP_NET_RAW,
  CLONE_NEWNET,
  EEXIST,
  EINVAL,
  ENOMEM,
  Kernel,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@ksock/core';
import type {
  Module,
  ModuleDescriptor,
  Net,
  NetProtoFamily,
  Proto,
  ProtoOps,
  Socket,
} from '@ksock/core/kernel';
import {
  proto_register,
  proto_unregister,
  sock_no_accept,
  sock_no_bind,
  sock_no_connect,
  sock_no_getname,
  sock_no_listen,
  sock_no_recvmsg,
  sock_no_sendmsg,
  sock_no_shutdown,
  sock_no_socketpair,
  sock_orphan,
  sock_put,
  traced,
} from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { bt_proto_get } from './af_bluetooth.js';
import modules, {
  BT_OPEN,
  BTPROTO_CMTP,
  BTPROTO_HCI,
  BTPROTO_L2CAP,
  BTPROTO_SCO,
  BtSock,
  bt_sock_alloc,
  bt_sock_register,
  bt_sock_unregister,
} from './index.js';

const err = (code: string) => expect.objectContaining({ code });

function boot(extra: ModuleDescriptor[] = []) {
  const k = new Kernel({ modules: [modules, extra] });
  return { k, t: k.spawn({ uid: 1000, comm: 'bttest' }), root: k.spawn({ comm: 'rootsh' }) };
}

function mod(k: Kernel, name: string) {
  return k.modules.list().find((m) => m.name === name);
}

describe('module bluetooth', () => {
  it('is loaded on demand by socket(PF_BLUETOOTH) through net-pf-31', () => {
    const { k, t } = boot();
    expect(mod(k, 'bluetooth')).toBeUndefined();
    const fd = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    expect(mod(k, 'bluetooth')).toMatchObject({ state: 'Live' });
    expect(k.log).toEqual(
      expect.arrayContaining([
        'Bluetooth: Core ver 2.22',
        'NET: Registered AF_BLUETOOTH protocol family',
        'Bluetooth: HCI socket layer initialized',
        'Bluetooth: L2CAP socket layer initialized',
        'Bluetooth: SCO socket layer initialized',
      ]),
    );
    t.close(fd);
  });

  it('registers HCI, L2CAP and SCO in bt_proto[] at init, owned by the bluetooth module', () => {
    const { k } = boot();
    k.modules.load('bluetooth');
    const bt = k.modules.find('bluetooth')!;
    for (const p of [BTPROTO_L2CAP, BTPROTO_HCI, BTPROTO_SCO]) expect(bt_proto_get(k, p)?.owner).toBe(bt);
    expect(bt_proto_get(k, 3)).toBeNull();
    const protocols = k.proc.read('/proc/net/protocols');
    for (const name of ['HCI', 'L2CAP', 'SCO'])
      expect(protocols).toMatch(new RegExp(`^${name} .* bluetooth `, 'm'));
  });

  it('unloads cleanly and takes its protocols and /proc files with it', () => {
    const { k, root } = boot();
    root.modprobe('bluetooth');
    root.rmmod('bluetooth');
    expect(mod(k, 'bluetooth')).toBeUndefined();
    expect(k.net_families[AF_BLUETOOTH]).toBeNull();
    expect(() => k.proc.read('/proc/net/l2cap')).toThrow(err('ENOENT'));
    expect(k.proc.read('/proc/net/protocols')).not.toMatch(/^L2CAP/m);
    root.modprobe('bluetooth');
    expect(bt_proto_get(k, BTPROTO_L2CAP)).not.toBeNull();
  });
});

describe('bt_sock_create', () => {
  it('refuses a protocol out of range with EINVAL, not EPROTONOSUPPORT', () => {
    const { k, t } = boot();
    expect(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, 9)).toThrow(err('EINVAL'));
    expect(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, -1)).toThrow(err('EINVAL'));
    const tr = k.trace(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, 9));
    expect(tr.events.some((e) => e.name === 'request_module' && e.args.includes('bt-proto'))).toBe(false);
  });

  it('asks for bt-proto-N when the slot is empty, then answers EPROTONOSUPPORT', () => {
    const { k, t } = boot();
    k.modules.load('bluetooth');
    const tr = k.trace(() => t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_CMTP));
    expect(tr.error).toMatchObject({ code: 'EPROTONOSUPPORT' });
    const names = tr.events.filter((e) => !e.note).map((e) => e.name);
    expect(names.indexOf('bt_sock_create')).toBeLessThan(names.indexOf('request_module'));
    expect(tr.events.find((e) => e.name === 'request_module')?.args).toBe('"bt-proto-5"');
    expect(tr.events.find((e) => e.name === 'bt_sock_create')).toMatchObject({ errno: 'EPROTONOSUPPORT' });
  });

  it('is EAFNOSUPPORT from any namespace but the initial one', () => {
    const { k, root } = boot();
    k.modules.load('bluetooth');
    root.unshare(CLONE_NEWNET);
    expect(() => root.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP)).toThrow(err('EAFNOSUPPORT'));
    const bt = k.modules.find('bluetooth')!;
    expect(bt.refcnt).toBe(0);
  });

  it('does not ask for a module when the slot is filled', () => {
    const { k, t } = boot();
    k.modules.load('bluetooth');
    const tr = k.trace(() => t.close(t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO)));
    expect(tr.error).toBeUndefined();
    expect(tr.events.some((e) => e.name === 'request_module')).toBe(false);
    expect(tr.events.some((e) => e.name === 'bt_sock_reclassify_lock')).toBe(true);
  });
});

describe('L2CAP, HCI and SCO socket creation', () => {
  it('L2CAP takes SEQPACKET, STREAM, DGRAM and RAW; others are ESOCKTNOSUPPORT', () => {
    const { t } = boot();
    for (const type of [SOCK_SEQPACKET, SOCK_STREAM, SOCK_DGRAM])
      t.close(t.socket(AF_BLUETOOTH, type, BTPROTO_L2CAP));
    expect(() => t.socket(AF_BLUETOOTH, 4, BTPROTO_L2CAP)).toThrow(err('ESOCKTNOSUPPORT'));
  });

  it('L2CAP SOCK_RAW needs CAP_NET_RAW', () => {
    const { k } = boot();
    const plain = k.spawn({ uid: 1000 });
    const raw = k.spawn({ uid: 1000, caps: [CAP_NET_RAW] });
    expect(() => plain.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_L2CAP)).toThrow(err('EPERM'));
    raw.close(raw.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_L2CAP));
  });

  it('HCI takes SOCK_RAW only, with no capability check at create', () => {
    const { t } = boot();
    t.close(t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI));
    expect(() => t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_HCI)).toThrow(err('ESOCKTNOSUPPORT'));
  });

  it('SCO takes SOCK_SEQPACKET only', () => {
    const { t } = boot();
    t.close(t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO));
    expect(() => t.socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_SCO)).toThrow(err('ESOCKTNOSUPPORT'));
  });

  it('holds two bluetooth references per open socket and none after close', () => {
    const { k, t } = boot();
    k.modules.load('bluetooth');
    const bt = k.modules.find('bluetooth')!;
    const before = { refcnt: bt.refcnt, ino: k.sock_inode_cache.active_objs, sk: k.sk_allocated };
    const fds = [
      t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP),
      t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI),
      t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO),
    ];
    expect(bt.refcnt).toBe(before.refcnt + 6);
    expect(k.proc.read('/proc/net/sockstat')).toMatch(/^sockets: used 3$/m);
    for (const fd of fds) t.close(fd);
    expect(bt.refcnt).toBe(before.refcnt);
    expect(k.sock_inode_cache.active_objs).toBe(before.ino);
    expect(k.sk_allocated).toBe(before.sk);
  });

  it('/proc/net/l2cap lists the open sock as bt_seq_show prints it', () => {
    const { k, t } = boot();
    k.modules.load('bluetooth');
    const fd = t.socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
    const ino = Number(/\[(\d+)\]/.exec(k.proc.readlink(`/proc/${t.pid}/fd/${fd}`))![1]);
    const list = k.proc.read('/proc/net/l2cap').split('\n');
    expect(list[0]).toBe('sk               RefCnt Rmem   Wmem   User   Inode  Parent');
    expect(list[1]).toBe(`0000000000000000 1      0      0      1000   ${String(ino).padEnd(6)} 0     `);
    expect(list).toHaveLength(3);
    t.close(fd);
    expect(k.proc.read('/proc/net/l2cap')).toBe(
      'sk               RefCnt Rmem   Wmem   User   Inode  Parent\n',
    );
  });
});

/** A third-party Bluetooth protocol (BTPROTO_CMTP's slot) in its own module, as cmtp.ko would be. */
function thirdParty(knobs: { fail?: number } = {}) {
  const seen: { refcntDuringCreate: number[]; mod: Module | null; sks: BtSock[] } = {
    refcntDuringCreate: [],
    mod: null,
    sks: [],
  };
  let proto: Proto | null = null;
  const desc: ModuleDescriptor = {
    name: 'bt_thirdparty',
    version: '1.0',
    aliases: ['bt-proto-5'],
    depends: ['bluetooth'],
    init(kernel, m) {
      seen.mod = m;
      const p: Proto = { name: 'BTTEST', owner: m, obj_size: 800, sk_class: BtSock };
      proto = p;
      const ops: ProtoOps = {
        family: AF_BLUETOOTH,
        owner: m,
        release(sock: Socket) {
          const sk = sock.sk;
          if (sk === null) return 0;
          sock_orphan(sk);
          sock_put(sk);
          return 0;
        },
        bind: sock_no_bind,
        connect: sock_no_connect,
        socketpair: sock_no_socketpair,
        accept: sock_no_accept,
        getname: sock_no_getname,
        listen: sock_no_listen,
        shutdown: sock_no_shutdown,
        sendmsg: sock_no_sendmsg,
        recvmsg: sock_no_recvmsg,
      };
      const fam: NetProtoFamily = {
        family: AF_BLUETOOTH,
        owner: m,
        create: traced('bttest_sock_create', (net: Net, sock: Socket, protocol: number, kern: boolean) => {
          seen.refcntDuringCreate.push(m.refcnt);
          if (knobs.fail !== undefined) return knobs.fail;
          sock.ops = ops;
          const sk = bt_sock_alloc(net, sock, p, protocol, kern);
          if (sk === null) return -ENOMEM;
          seen.sks.push(sk);
          return 0;
        }),
      };
      proto_register(kernel, p, false);
      return bt_sock_register(kernel, BTPROTO_CMTP, fam);
    },
    exit(kernel) {
      bt_sock_unregister(kernel, BTPROTO_CMTP);
      proto_unregister(kernel, proto!);
    },
  };
  return { desc, seen };
}

describe('a third-party protocol registered with bt_sock_register', () => {
  it('is autoloaded as bt-proto-5 and shows bluetooth as used by it', () => {
    const { desc, seen } = thirdParty();
    const { k, t } = boot([desc]);
    const fd = t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_CMTP);
    expect(mod(k, 'bluetooth')?.usedBy).toEqual(['bt_thirdparty']);
    expect(k.proc.read('/proc/modules')).toMatch(/^bluetooth 0 \d+ bt_thirdparty, Live/m);
    // bt_sock_create held one reference for the duration of create (ops and sk hold none yet).
    expect(seen.refcntDuringCreate).toEqual([1]);
    const m = seen.mod!;
    expect(m.refcnt).toBe(2); // ops owner + sk_prot_creator owner
    expect(seen.sks[0]).toMatchObject({ sk_state: BT_OPEN, sk_protocol: BTPROTO_CMTP, sk_peer_pid: t.pid });
    t.close(fd);
    expect(m.refcnt).toBe(0);
  });

  it('a create() error is returned and the module reference released', () => {
    const { desc, seen } = thirdParty({ fail: -EINVAL });
    const { k, t } = boot([desc]);
    expect(() => t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_CMTP)).toThrow(err('EINVAL'));
    expect(seen.mod!.refcnt).toBe(0);
    expect(mod(k, 'bluetooth')?.refcnt).toBe(1); // only bt_thirdparty's use
  });

  it('a protocol whose module is going away is EPROTONOSUPPORT, and create is not called', () => {
    const { desc, seen } = thirdParty();
    const { k, t, root } = boot([desc]);
    root.modprobe('bt_thirdparty');
    seen.mod!.state = 'Going'; // as during delete_module(), between try_stop_module() and exit
    expect(() => t.socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_CMTP)).toThrow(err('EPROTONOSUPPORT'));
    expect(seen.refcntDuringCreate).toEqual([]);
    expect(k.sock_inode_cache.active_objs).toBe(0);
  });

  it('rmmod bluetooth is refused while the protocol module uses it', () => {
    const { desc } = thirdParty();
    const { k, root } = boot([desc]);
    root.modprobe('bt_thirdparty');
    expect(() => root.rmmod('bluetooth')).toThrow(err('EAGAIN'));
    root.rmmod('bt_thirdparty');
    expect(bt_proto_get(k, BTPROTO_CMTP)).toBeNull();
    root.rmmod('bluetooth');
  });
});

describe('bt_sock_register / bt_sock_unregister', () => {
  it('EINVAL outside 0..8, EEXIST when taken, unregister ignores out of range', () => {
    const { k } = boot();
    k.modules.load('bluetooth');
    const fam: NetProtoFamily = { family: AF_BLUETOOTH, owner: null, create: () => -EINVAL };
    expect(bt_sock_register(k, -1, fam)).toBe(-EINVAL);
    expect(bt_sock_register(k, 9, fam)).toBe(-EINVAL);
    expect(bt_sock_register(k, BTPROTO_L2CAP, fam)).toBe(-EEXIST);
    expect(bt_sock_register(k, 7, fam)).toBe(0);
    expect(bt_proto_get(k, 7)).toBe(fam);
    bt_sock_unregister(k, 99);
    bt_sock_unregister(k, -3);
    bt_sock_unregister(k, 7);
    expect(bt_proto_get(k, 7)).toBeNull();
  });
});
