import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import { TAINT_BAD_PAGE, TAINT_WARN } from './panic.js';
import { in_kernel } from './sched.js';
import { alloc_skb, alloc_skb_truesize, kfree_skb, type SkBuff, skb_cb, skb_set_owner_r } from './skbuff.js';
import {
  MAX_SCHEDULE_TIMEOUT,
  PROTO_INUSE_NR,
  type Proto,
  proto_register,
  proto_unregister,
  SEND_SHUTDOWN,
  Sock,
  sk_alloc,
  sk_wmem_alloc_get,
  sock_alloc_send_pskb,
  sock_alloc_send_skb,
  sock_hold,
  sock_init_data,
  sock_prot_inuse_add,
  sock_prot_inuse_get,
  sock_put,
} from './sock.js';
import { EAGAIN, ECONNRESET, ENOBUFS, ENOSPC, EPIPE } from './uapi/errno.js';

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

describe('sock_alloc_send_skb() / sock_alloc_send_pskb()', () => {
  const boot = () => {
    const kernel = new Kernel();
    const p = proto('P');
    proto_register(kernel, p);
    const sk = sk_alloc(kernel.init_net, 40, p, true)!;
    sock_init_data(null, sk);
    return { kernel, sk, task: kernel.spawn({}) };
  };

  it('charges an empty buffer of the linear part and page fragments to the sender', () => {
    const { sk } = boot();
    const skb = sock_alloc_send_skb(sk, 100, false) as SkBuff;
    expect(skb.len).toBe(0);
    expect(skb.truesize).toBe(alloc_skb_truesize(100));
    expect(sk_wmem_alloc_get(sk)).toBe(skb.truesize);
    const big = sock_alloc_send_pskb(sk, 16000, 8192, false) as SkBuff;
    expect(big.truesize).toBe(alloc_skb_truesize(16000) + 8192);
    kfree_skb(skb);
    kfree_skb(big);
    expect(sk_wmem_alloc_get(sk)).toBe(0);
  });

  it('checks a pending error, then the send side, then room (EAGAIN at once, or naming sk_wq to sleep on)', () => {
    const { kernel, sk, task } = boot();
    sk.sk_err = ECONNRESET;
    expect(sock_alloc_send_skb(sk, 1, true)).toBe(-ECONNRESET);
    expect(sk.sk_err).toBe(0);
    sk.sk_shutdown = SEND_SHUTDOWN;
    expect(sock_alloc_send_skb(sk, 1, true)).toBe(-EPIPE);
    sk.sk_shutdown = 0;
    sk.sk_sndbuf = 1000;
    const held = sock_alloc_send_skb(sk, 500, true) as SkBuff;
    expect(sk_wmem_alloc_get(sk)).toBeGreaterThanOrEqual(1000);
    expect(sock_alloc_send_skb(sk, 1, true)).toBe(-EAGAIN);
    expect(
      in_kernel(task, () => {
        const r = sock_alloc_send_skb(sk, 1, false);
        return [r, task.blocked_on === sk.sk_wq] as const;
      }),
    ).toEqual([-EAGAIN, true]);
    kfree_skb(held);
    kernel.faults.inject('sock_alloc_send_pskb');
    expect(sock_alloc_send_skb(sk, 1, true)).toBe(-ENOBUFS);
    expect(sk_wmem_alloc_get(sk)).toBe(0);
  });
});

describe('skb_cb(): a layer’s typed control block', () => {
  class ACb {
    portid = 0;
  }
  class BCb {
    seq = 0;
  }
  const A_CB = skb_cb(ACb);
  const B_CB = skb_cb(BCb);

  it('gives the layer’s own block, zeroed the first time, and replaces another layer’s', () => {
    const skb = alloc_skb(new Uint8Array(1));
    A_CB(skb).portid = 7;
    expect(A_CB(skb)).toBe(skb.cb);
    expect(A_CB(skb).portid).toBe(7);
    expect(B_CB(skb).seq).toBe(0);
    expect(A_CB(skb).portid).toBe(0);
  });
});
