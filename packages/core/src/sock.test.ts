import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import {
  MAX_SCHEDULE_TIMEOUT,
  PROTO_INUSE_NR,
  type Proto,
  proto_register,
  proto_unregister,
  Sock,
  sk_alloc,
  sock_hold,
  sock_init_data,
  sock_prot_inuse_add,
  sock_prot_inuse_get,
  sock_put,
} from './sock.js';
import { TAINT_BAD_PAGE, TAINT_WARN } from './panic.js';
import { alloc_skb, skb_set_owner_r } from './skbuff.js';
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

describe('sock_hold() / sock_put() on a sock whose count reached zero (refcount_t)', () => {
  const boot = () => {
    const kernel = new Kernel();
    const p = proto('P');
    proto_register(kernel, p);
    const sk = sk_alloc(kernel.init_net, 40, p, true)!;
    sock_init_data(null, sk);
    return { kernel, sk };
  };

  it('a reference taken after the last put: "addition on 0", the count stays 0, the kernel is tainted', () => {
    const { kernel, sk } = boot();
    sock_put(sk);
    expect(kernel.sk_allocated).toBe(0);
    expect(kernel.tainted).toBe(0);
    sock_hold(sk);
    expect(sk.sk_refcnt).toBe(0);
    expect(kernel.log.slice(-4)).toEqual([
      '------------[ cut here ]------------',
      'refcount_t: addition on 0; use-after-free.',
      'WARNING: at lib/refcount.c refcount_warn_saturate()',
      '  (sk_refcnt of a P sock)',
    ]);
    expect(kernel.tainted).toBe(1 << TAINT_WARN);
  });

  it('a put after the last put: "underflow", and the sock is not freed twice', () => {
    const { kernel, sk } = boot();
    sock_put(sk);
    sock_put(sk);
    expect(kernel.sk_allocated).toBe(0);
    expect(kernel.log).toContain('refcount_t: underflow; use-after-free.');
    expect(kernel.tainted).toBe(1 << TAINT_WARN);
  });

  it('data for a freed sock: a KASAN-style report, TAINT_BAD_PAGE', () => {
    const { kernel, sk } = boot();
    sock_put(sk);
    skb_set_owner_r(alloc_skb(new Uint8Array(3)), sk);
    expect(kernel.log).toContain('BUG: KASAN: slab-use-after-free in skb_set_owner_r');
    expect(kernel.tainted).toBe(1 << TAINT_BAD_PAGE);
  });
});
