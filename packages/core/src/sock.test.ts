import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import {
  MAX_SCHEDULE_TIMEOUT,
  PROTO_INUSE_NR,
  type Proto,
  proto_register,
  proto_unregister,
  Sock,
  sock_prot_inuse_add,
  sock_prot_inuse_get,
} from './sock.js';
import { ENOSPC } from './uapi/errno.js';

const proto = (name: string): Proto => ({ name, owner: null, obj_size: 1024 });

describe('proto_register(): prot_inuse slots (assign_proto_idx)', () => {
  it('hands out PROTO_INUSE_NR - 1 slots, then ENOSPC; unregistering frees a slot', () => {
    const kernel = new Kernel();
    const protos = Array.from({ length: PROTO_INUSE_NR - 1 }, (_, i) => proto(`P${i}`));
    for (const p of protos) expect(proto_register(kernel, p)).toBe(0);
    expect(new Set(protos.map((p) => p.inuse_idx)).size).toBe(PROTO_INUSE_NR - 1);
    const extra = proto('EXTRA');
    expect(proto_register(kernel, extra, true)).toBe(-ENOSPC);
    expect(kernel.log.at(-1)).toBe('PROTO_INUSE_NR exhausted');
    expect(kernel.proto_list).not.toContain(extra);
    expect(extra.slab).toBeNull();
    proto_unregister(kernel, protos[5]!);
    expect(proto_register(kernel, extra)).toBe(0);
    expect(extra.inuse_idx).toBe(5);
  });

  it('counts per namespace and per proto', () => {
    const kernel = new Kernel();
    const [a, b] = [proto('A'), proto('B')];
    proto_register(kernel, a);
    proto_register(kernel, b);
    const other = kernel.copy_net_ns();
    if (typeof other === 'number') throw new Error('copy_net_ns failed');
    sock_prot_inuse_add(kernel.init_net, a, 2);
    sock_prot_inuse_add(kernel.init_net, b, 1);
    sock_prot_inuse_add(other, a, 1);
    sock_prot_inuse_add(kernel.init_net, a, -1);
    expect(sock_prot_inuse_get(kernel.init_net, a)).toBe(1);
    expect(sock_prot_inuse_get(kernel.init_net, b)).toBe(1);
    expect(sock_prot_inuse_get(other, a)).toBe(1);
    expect(sock_prot_inuse_get(other, b)).toBe(0);
  });
});

describe('struct sock fields kept compactly', () => {
  it('sk_rcvtimeo / sk_sndtimeo read back what was stored, MAX_SCHEDULE_TIMEOUT included', () => {
    const sk = new Sock();
    expect(sk.sk_rcvtimeo).toBe(0);
    sk.sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
    sk.sk_sndtimeo = 3 * 365 * 24 * 3600 * 1000;
    expect(sk.sk_rcvtimeo).toBe(MAX_SCHEDULE_TIMEOUT);
    expect(sk.sk_sndtimeo).toBe(3 * 365 * 24 * 3600 * 1000);
    sk.sk_rcvtimeo = 1500;
    expect(sk.sk_rcvtimeo).toBe(1500);
  });

  it('the rarely set fields read their initial values until set, and what was set after', () => {
    const sk = new Sock();
    expect([sk.sk_mark, sk.sk_priority, sk.sk_lingertime, sk.sk_cookie, sk.sk_peer_cred]).toEqual([
      0,
      0,
      0,
      0,
      null,
    ]);
    sk.sk_mark = 0;
    expect(sk.sk_mark).toBe(0);
    sk.sk_mark = 7;
    sk.sk_bound_dev_if = 1;
    expect([sk.sk_mark, sk.sk_bound_dev_if, sk.sk_priority]).toEqual([7, 1, 0]);
    sk.sk_mark = 0;
    expect(sk.sk_mark).toBe(0);
  });
});
