import { describe, expect, it } from 'vitest';
import {
  dev_get_by_name,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  type InIfaddr,
  inet_del_ifa,
  inet_insert_ifa,
  NETDEV_ADDR_ADD,
  NETDEV_ADDR_DEL,
  register_netdevice_notifier,
} from './kernel/index.js';
import { Kernel } from './kernel.js';
import { EEXIST, EINVAL } from './uapi/errno.js';
import { RT_SCOPE_HOST, RT_SCOPE_UNIVERSE } from './uapi/if.js';

const a = (local: number, prefixlen: number, scope = RT_SCOPE_UNIVERSE): InIfaddr => ({
  ifa_local: local,
  ifa_address: local,
  ifa_broadcast: 0,
  ifa_prefixlen: prefixlen,
  ifa_scope: scope,
  ifa_flags: IFA_F_PERMANENT,
  ifa_label: 'lo',
});

describe('IPv4 addresses on a device (__inet_insert_ifa, __inet_del_ifa)', () => {
  it('orders primaries by scope, makes secondaries of a subnet and deletes them with their primary', () => {
    const k = new Kernel();
    const lo = dev_get_by_name(k.init_net, 'lo')!;
    const events: string[] = [];
    register_netdevice_notifier(k.init_net, (ev, _dev, ifa) => {
      if (ev === NETDEV_ADDR_ADD || ev === NETDEV_ADDR_DEL)
        events.push(`${ev === NETDEV_ADDR_ADD ? '+' : '-'}${ifa!.ifa_local.toString(16)}`);
    });
    expect(inet_insert_ifa(lo, a(0x0a090909, 24))).toBe(0);
    expect(inet_insert_ifa(lo, a(0x0a09090a, 24))).toBe(0); // same subnet: secondary
    expect(inet_insert_ifa(lo, a(0x0a080001, 16))).toBe(0); // another primary, before the secondaries
    expect(inet_insert_ifa(lo, a(0x0a090909, 24))).toBe(-EEXIST);
    expect(inet_insert_ifa(lo, a(0x0a09090b, 24, RT_SCOPE_HOST))).toBe(-EINVAL); // scope differs in the subnet
    expect(inet_insert_ifa(lo, a(0, 24))).toBe(0); // 0.0.0.0 is dropped
    expect(lo.ifa_list.map((i) => [i.ifa_local.toString(16), i.ifa_flags & IFA_F_SECONDARY])).toEqual([
      ['7f000001', 0], // host scope first
      ['a090909', 0],
      ['a080001', 0],
      ['a09090a', IFA_F_SECONDARY],
    ]);
    inet_del_ifa(lo, lo.ifa_list[1]!);
    expect(events).toEqual(['+a090909', '+a09090a', '+a080001', '-a09090a', '-a090909']);
    expect(lo.ifa_list.map((i) => i.ifa_local.toString(16))).toEqual(['7f000001', 'a080001']);
  });
});
