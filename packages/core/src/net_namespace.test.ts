import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import {
  dev_get_by_name,
  dev_set_mtu,
  dev_validate_mtu,
  inet_addr_is_local,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NetDevice,
  register_netdevice,
  register_netdevice_notifier,
  unregister_netdevice,
} from './dev.js';
import { Kernel } from './kernel.js';
import { net_generic, register_pernet_subsys, unregister_pernet_subsys } from './net_namespace.js';
import { errnoOf } from './testing/index.js';
import { CAP_SYS_ADMIN } from './uapi/capability.js';
import { ARPHRD_CAN, ARPHRD_ETHER, IFF_LOOPBACK, IFF_NOARP, IFF_UP } from './uapi/if.js';
import { CLONE_NEWNET } from './uapi/sched.js';
import { AF_VSOCK, SOCK_DGRAM } from './uapi/socket.js';

describe('network namespaces', () => {
  it('init_net has lo (ifindex 1, up, 127.0.0.1/8); a new namespace has lo down without an address', () => {
    const k = new Kernel();
    const lo = dev_get_by_name(k.init_net, 'lo')!;
    expect(lo).toMatchObject({ ifindex: 1, mtu: 65536 });
    expect(lo.flags & (IFF_UP | IFF_LOOPBACK)).toBe(IFF_UP | IFF_LOOPBACK);
    expect(inet_addr_is_local(k.init_net, 0x7f000001)).toBe(true);
    expect(inet_addr_is_local(k.init_net, 0x7f123456)).toBe(true);
    expect(inet_addr_is_local(k.init_net, 0x0a000001)).toBe(false);
    const t = k.spawn({});
    t.unshare(CLONE_NEWNET);
    expect(t.nsproxy_net).not.toBe(k.init_net);
    const lo2 = dev_get_by_name(t.nsproxy_net, 'lo')!;
    expect(lo2.ifindex).toBe(1);
    expect(lo2.flags & IFF_UP).toBe(0);
    expect(inet_addr_is_local(t.nsproxy_net, 0x7f000001)).toBe(false);
    expect(k.proc.readlink(`/proc/${t.pid}/ns/net`)).toBe(`net:[${t.nsproxy_net.inum}]`);
    expect(t.nsproxy_net.inum).not.toBe(k.init_net.inum);
  });

  it('unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN; unknown flags are EINVAL', () => {
    const k = new Kernel();
    expect(errnoOf(() => k.spawn({ uid: 1000 }).unshare(CLONE_NEWNET), { syscall: true })).toBe(
      'unshare: EPERM',
    );
    expect(errnoOf(() => k.spawn({ uid: 1000, caps: [CAP_SYS_ADMIN] }).unshare(1))).toBe('EINVAL');
    k.spawn({ uid: 1000, caps: [CAP_SYS_ADMIN] }).unshare(CLONE_NEWNET);
  });

  it('a namespace dies (pernet exit runs) when its last task and socket are gone', () => {
    const fam = testFamily(AF_VSOCK);
    const k = new Kernel({ modules: fam.module });
    const log: string[] = [];
    const id = {};
    register_pernet_subsys(k, {
      init: (net) => {
        log.push(`init ${net.inum}`);
        net.gen.set(id, { n: 1 });
        return 0;
      },
      exit: (net) => log.push(`exit ${net.inum}`),
    });
    const t = k.spawn({});
    t.unshare(CLONE_NEWNET);
    const net = t.nsproxy_net;
    expect(net_generic(net, id)).toEqual({ n: 1 });
    const fd = t.socket(AF_VSOCK, SOCK_DGRAM, 0);
    expect(k.proc.read(`/proc/${t.pid}/net/sockstat`)).toBe('sockets: used 1\n');
    expect(k.proc.read('/proc/net/sockstat')).toBe('sockets: used 0\n');
    const child = t.fork();
    t.exit(0);
    expect(net.dead).toBe(false);
    child.exit(0); // the fd is closed here: the socket's reference goes too
    expect(net.dead).toBe(true);
    expect(log).toEqual([`init ${k.init_net.inum}`, `init ${net.inum}`, `exit ${net.inum}`]);
    expect(k.net_namespace_list).toEqual([k.init_net]);
    void fd;
    unregister_pernet_subsys(k, { exit: () => {} });
  });

  it('devices: register (next ifindex, EEXIST, EINVAL names), notifiers, unregister', () => {
    const k = new Kernel();
    const events: string[] = [];
    register_netdevice_notifier(k.init_net, (ev, dev) => events.push(`${ev}:${dev.name}`));
    const d = new NetDevice('dummy0', ARPHRD_ETHER, { kind: 'dummy' });
    expect(register_netdevice(k.init_net, d)).toBe(0);
    expect(d.ifindex).toBe(2);
    expect(register_netdevice(k.init_net, new NetDevice('dummy0', ARPHRD_ETHER))).toBe(-17);
    expect(register_netdevice(k.init_net, new NetDevice('a/b', ARPHRD_ETHER))).toBe(-22);
    expect(register_netdevice(k.init_net, new NetDevice('x'.repeat(16), ARPHRD_ETHER))).toBe(-22);
    expect(unregister_netdevice(d)).toBe(0);
    expect(events).toEqual([`${NETDEV_REGISTER}:dummy0`, `${NETDEV_UNREGISTER}:dummy0`]);
  });

  it('devices: the MTU range is given at construction and checked at register and dev_set_mtu (a CAN device)', () => {
    const k = new Kernel();
    // drivers/net/can/vcan.c: mtu CANFD_MTU (72), min_mtu CAN_MTU (16), max_mtu CANFD_MTU.
    const vcan = () =>
      new NetDevice('vcan0', ARPHRD_CAN, { flags: IFF_NOARP, mtu: 16, min_mtu: 16, max_mtu: 72 });
    const plain = new NetDevice('vcan0', ARPHRD_CAN, { mtu: 16 });
    expect([plain.min_mtu, plain.max_mtu]).toEqual([68, 65535]);
    expect(register_netdevice(k.init_net, plain)).toBe(-22);
    expect(k.log.at(-1)).toBe('vcan0: mtu less than device minimum (mtu 16, min_mtu 68, max_mtu 65535)');
    const tooBig = new NetDevice('vcan0', ARPHRD_CAN, { mtu: 100, min_mtu: 16, max_mtu: 72 });
    expect(register_netdevice(k.init_net, tooBig)).toBe(-22);
    expect(k.log.at(-1)).toBe('vcan0: mtu greater than device maximum (mtu 100, min_mtu 16, max_mtu 72)');
    const d = vcan();
    expect(register_netdevice(k.init_net, d)).toBe(0);
    expect([d.type, d.mtu, d.min_mtu, d.max_mtu]).toEqual([280, 16, 16, 72]);
    expect(dev_set_mtu(d, 72)).toBe(0);
    expect(dev_set_mtu(d, 73)).toBe(-22);
    expect(dev_set_mtu(d, 15)).toBe(-22);
    expect(dev_validate_mtu(d, 0)).toBe('mtu less than device minimum');
    expect(d.mtu).toBe(72);
  });
});

describe('sysctls', () => {
  it('net.core defaults and writes with Linux parsing', () => {
    const k = new Kernel();
    expect(k.proc.read('/proc/sys/net/core/rmem_default')).toBe('212992\n');
    expect(k.proc.read('/proc/sys/net/core/wmem_max')).toBe('212992\n');
    expect(k.proc.read('/proc/sys/net/core/somaxconn')).toBe('4096\n');
    expect(k.proc.read('/proc/sys/fs/nr_open')).toBe('1048576\n');
    const root = k.spawn({});
    root.sysctl('net.core.rmem_default', '65536\n');
    expect(k.sysctl_rmem_default).toBe(65536);
    expect(errnoOf(() => root.sysctl('net.core.rmem_default', 'abc'))).toBe('EINVAL');
    expect(errnoOf(() => root.sysctl('net.core.rmem_default', '-5'))).toBe('EINVAL');
    expect(errnoOf(() => root.sysctl('net.core.nope', '1'))).toBe('ENOENT');
    expect(errnoOf(() => k.spawn({ uid: 1000 }).sysctl('net.core.rmem_default', '1'))).toBe('EACCES');
  });
});

describe('/proc/net files registered by families', () => {
  it('are shown for the reader namespace, and can be absent (ENOENT) in some namespaces', () => {
    const k = new Kernel();
    k.proc.create_net('only_init', (net) => (net === k.init_net ? 'hello\n' : -2));
    const t = k.spawn({});
    expect(k.proc.read('/proc/net/only_init', t)).toBe('hello\n');
    t.unshare(CLONE_NEWNET);
    expect(errnoOf(() => k.proc.read('/proc/net/only_init', t), { syscall: true })).toBe('open: ENOENT');
    expect(errnoOf(() => k.proc.read('/proc/net/nothing', t))).toBe('ENOENT');
  });
});

describe('spawn and exited tasks', () => {
  it('a spawn that cannot open stdio leaves no task behind', () => {
    const k = new Kernel({ rlimit_nofile: 2 });
    const before = [...k.tasks.keys()];
    expect(errnoOf(() => k.spawn({}))).toBe('EMFILE');
    expect([...k.tasks.keys()]).toEqual(before);
    expect(k.nr_files).toBe(0);
    expect(k.init.children).toEqual([]);
  });

  it('/proc/<pid>/net of an exited task is ENOENT; its status stays readable until reaped', () => {
    const k = new Kernel();
    const t = k.spawn({});
    const c = t.fork();
    c.unshare(CLONE_NEWNET);
    c.exit(0);
    expect(errnoOf(() => k.proc.read(`/proc/${c.pid}/net/sockstat`))).toBe('ENOENT');
    expect(k.proc.read(`/proc/${c.pid}/status`)).toMatch(/State:\tZ \(zombie\)/);
  });
});
