import { EINVAL, ENOENT, Kernel as K, type Kernel, MSG_DONTWAIT, SOL_NETLINK } from '@ksock/core';
import type { Module, ModuleDescriptor } from '@ksock/core/kernel';
import { int_bytes } from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { bindnl, modref, nlsocket } from './__fixtures__/test_util.js';
import {
  type NetlinkSock,
  netlink_dump_start,
  netlink_kernel_create,
  netlink_kernel_release,
  netlink_rcv_skb,
  netlink_register_notifier,
  netlink_table,
  nlmsg_answer,
} from './af_netlink.js';
import modules from './index.js';
import {
  concat,
  decode_nlmsgerr,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_URELEASE,
  NL_CFG_F_NONROOT_RECV,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSGERR_ATTR_MSG,
  nla_get_string,
  nlmsg,
  nlmsg_parse,
  sockaddr_nl,
  u32_bytes,
} from './uapi.js';

const UNIT = 20;
const T_ECHO = 0x10;
const T_FAIL = 0x11;
const T_DUMP = 0x12;

/** A third-party protocol module built on netlink_kernel_create() and netlink_rcv_skb(). */
function testProto(records: number): { desc: ModuleDescriptor; calls: number[] } {
  const calls: number[] = [];
  const socks = new WeakMap<Kernel, NetlinkSock>();
  let mod: Module | null = null;
  const desc: ModuleDescriptor = {
    name: 'nl_test',
    version: '1.0.0',
    aliases: [`net-pf-16-proto-${UNIT}`],
    depends: ['af_netlink'],
    init(kernel, m) {
      mod = m;
      const sk = netlink_kernel_create(kernel.init_net, UNIT, {
        flags: NL_CFG_F_NONROOT_RECV,
        module: m,
        input: (skb) => {
          netlink_rcv_skb(skb, (skb2, nlh, _msg, extack) => {
            calls.push(nlh.nlmsg_type);
            if (nlh.nlmsg_type === T_FAIL) {
              extack._msg = 'nope';
              return -EINVAL;
            }
            if (nlh.nlmsg_type === T_DUMP && nlh.nlmsg_flags & NLM_F_DUMP) {
              return netlink_dump_start(socks.get(kernel)!, skb2, _msg, {
                module: mod,
                dump: (buf, cb) => {
                  let i = cb.args[0]!;
                  for (; i < records; i++) {
                    const rec = nlmsg_answer(cb, T_DUMP, NLM_F_MULTI, u32_bytes(i));
                    if (!buf.put(rec)) break;
                  }
                  cb.args[0] = i;
                  return i < records ? buf.len : 0;
                },
              });
            }
            return 0;
          });
        },
      });
      if (sk === null) return -ENOENT;
      socks.set(kernel, sk);
      return 0;
    },
    exit(kernel) {
      netlink_kernel_release(socks.get(kernel)!);
    },
  };
  return { desc, calls };
}

function setup(records = 3) {
  const p = testProto(records);
  const k = new K({ modules: [modules, p.desc] });
  const t = k.spawn({ uid: 1000 });
  const fd = nlsocket(t, UNIT);
  bindnl(t, fd, 500);
  return { k, t, fd, calls: p.calls };
}

describe('netlink_rcv_skb and netlink_ack', () => {
  it('autoloads the protocol module and pins it while the socket is open', () => {
    const { k, t, fd } = setup();
    expect(k.modules.list().map((m) => m.name)).toEqual(['nl_test', 'af_netlink']);
    expect(modref(k, 'nl_test')).toBe(1);
    t.close(fd);
    expect(modref(k, 'nl_test')).toBe(0);
    k.modules.unload('nl_test');
    expect(modref(k, 'af_netlink')).toBe(0);
    k.modules.unload('af_netlink');
  });

  it('ACKs a successful request with error 0 and NLM_F_CAPPED', () => {
    const { t, fd } = setup();
    const req = nlmsg(T_ECHO, NLM_F_REQUEST | NLM_F_ACK, 77, 500, Uint8Array.of(1, 2, 3, 4, 5));
    expect(t.sendto(fd, req)).toBe(24);
    const r = t.recvfrom(fd, 1000);
    expect(r.addr).toEqual(sockaddr_nl(0, 0));
    const expected = concat([
      u32_bytes(36),
      Uint8Array.of(NLMSG_ERROR, 0, NLM_F_CAPPED & 0xff, NLM_F_CAPPED >> 8),
      u32_bytes(77),
      u32_bytes(500),
      int_bytes(0),
      req.subarray(0, 16),
    ]);
    expect(r.data).toEqual(expected);
  });

  it('reports errors as nlmsgerr with the request echoed, or capped with NETLINK_CAP_ACK', () => {
    const { t, fd } = setup();
    const req = nlmsg(T_FAIL, NLM_F_REQUEST, 9, 0, Uint8Array.of(1, 2, 3));
    t.sendto(fd, req);
    const [m] = nlmsg_parse(t.recvfrom(fd, 1000).data);
    expect(m!.hdr).toEqual({
      nlmsg_len: 36 + 4,
      nlmsg_type: NLMSG_ERROR,
      nlmsg_flags: 0,
      nlmsg_seq: 9,
      nlmsg_pid: 500,
    });
    const e = decode_nlmsgerr(m!.payload, m!.hdr.nlmsg_flags);
    expect(e.error).toBe(-EINVAL);
    expect(e.msg.nlmsg_len).toBe(19);
    expect(e.payload).toEqual(Uint8Array.of(1, 2, 3));
    t.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    t.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    t.sendto(fd, req);
    const [m2] = nlmsg_parse(t.recvfrom(fd, 1000).data);
    expect(m2!.hdr.nlmsg_flags).toBe(NLM_F_CAPPED | NLM_F_ACK_TLVS);
    const e2 = decode_nlmsgerr(m2!.payload, m2!.hdr.nlmsg_flags);
    expect(e2.tlvs.map((a) => [a.type, nla_get_string(a)])).toEqual([[NLMSGERR_ATTR_MSG, 'nope']]);
    expect(m2!.hdr.nlmsg_len).toBe(36 + 12);
  });

  it('skips non-requests and control types (ACK only if asked) and stops at a bad header', () => {
    const { t, fd, calls } = setup();
    const dgram = concat([
      nlmsg(T_ECHO, 0, 1, 0), // not a request: nothing
      nlmsg(T_ECHO, NLM_F_ACK, 2, 0), // not a request: ACK
      nlmsg(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 3, 0), // control: ACK only
      nlmsg(T_ECHO, NLM_F_REQUEST, 4, 0), // handled, no ACK
      nlmsg(T_ECHO, NLM_F_REQUEST | NLM_F_ACK, 5, 0), // handled, ACK
    ]);
    const bad = new Uint8Array(20);
    new DataView(bad.buffer).setUint32(0, 200, true); // claims more than there is
    t.sendto(fd, concat([dgram, bad, nlmsg(T_ECHO, NLM_F_REQUEST | NLM_F_ACK, 6, 0)]));
    expect(calls).toEqual([T_ECHO, T_ECHO]);
    const seqs: number[] = [];
    for (;;) {
      try {
        for (const m of nlmsg_parse(t.recvfrom(fd, 1000, MSG_DONTWAIT).data)) seqs.push(m.hdr.nlmsg_seq);
      } catch {
        break;
      }
    }
    expect(seqs).toEqual([2, 3, 5]);
  });
});

describe('dumps', () => {
  it('answers with NLM_F_MULTI parts closed by NLMSG_DONE in the same datagram when it fits', () => {
    const { k, t, fd } = setup(3);
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_DUMP, 42, 0));
    const msgs = nlmsg_parse(t.recvfrom(fd, 32768).data);
    expect(msgs.map((m) => [m.hdr.nlmsg_type, m.hdr.nlmsg_flags, m.hdr.nlmsg_seq, m.hdr.nlmsg_pid])).toEqual([
      [T_DUMP, NLM_F_MULTI, 42, 500],
      [T_DUMP, NLM_F_MULTI, 42, 500],
      [T_DUMP, NLM_F_MULTI, 42, 500],
      [NLMSG_DONE, NLM_F_MULTI, 42, 500],
    ]);
    expect(msgs[3]!.payload).toEqual(int_bytes(0));
    expect(modref(k, 'nl_test')).toBe(1);
  });

  it('continues a long dump as the reader drains, one buffer at a time', () => {
    const { k, t, fd } = setup(1000);
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_DUMP, 1, 0));
    expect(modref(k, 'nl_test')).toBe(2);
    expect(k.proc.read('/proc/net/netlink', t)).toMatch(/ 20 +500 +00000000 \d+ +0 +1 /);
    const seen: number[] = [];
    let done = false;
    let datagrams = 0;
    while (!done) {
      const d = t.recvfrom(fd, 4096, MSG_DONTWAIT).data;
      // The first buffer is NLMSG_GOODSIZE; later ones grow to the reader's recvmsg length.
      expect(d.length).toBeLessThanOrEqual(datagrams === 0 ? 3776 : 4096);
      datagrams++;
      for (const m of nlmsg_parse(d)) {
        if (m.hdr.nlmsg_type === NLMSG_DONE) done = true;
        else seen.push(new DataView(m.payload.buffer, m.payload.byteOffset).getUint32(0, true));
      }
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(datagrams).toBeGreaterThan(3);
    expect(modref(k, 'nl_test')).toBe(1);
    expect(() => t.recvfrom(fd, 4096, MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
  });

  it('sizes dump buffers by the reader: up to SKB_WITH_OVERHEAD(32 KiB)', () => {
    const { t, fd } = setup(5000);
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_DUMP, 1, 0));
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push(t.recvfrom(fd, 65536, MSG_DONTWAIT).data.length);
    // 3776 first; then 32448-byte buffers, filled with whole 20-byte records.
    expect(sizes).toEqual([3760, 32440, 32440]);
  });

  it('refuses a second dump while one runs (EBUSY) and cleans up a dump on close', () => {
    const { k, t, fd } = setup(1000);
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_DUMP, 1, 0));
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_DUMP, 2, 0));
    // The EBUSY error is queued behind the first part.
    t.recvfrom(fd, 32768);
    const errs = [];
    for (;;) {
      const ms = nlmsg_parse(t.recvfrom(fd, 32768, MSG_DONTWAIT).data);
      const e = ms.find((m) => m.hdr.nlmsg_type === NLMSG_ERROR);
      if (e !== undefined) {
        errs.push(decode_nlmsgerr(e.payload, e.hdr.nlmsg_flags).error);
        break;
      }
    }
    expect(errs).toEqual([-16]);
    t.close(fd);
    expect(modref(k, 'nl_test')).toBe(0);
    expect(k.sk_allocated).toBe(1); // the kernel socket
  });

  it('treats a GET without a dump flag as a plain request', () => {
    const { t, fd, calls } = setup(1);
    t.sendto(fd, nlmsg(T_DUMP, NLM_F_REQUEST | NLM_F_ACK, 1, 0));
    const [m] = nlmsg_parse(t.recvfrom(fd, 32768).data);
    expect(m!.hdr.nlmsg_type).toBe(NLMSG_ERROR);
    expect(calls).toEqual([T_DUMP]);
  });
});

describe('kernel sockets and notifiers', () => {
  it('netlink_kernel_create refuses a bad unit and a second socket of a unit in the same namespace', () => {
    const { k, t, fd } = setup();
    const tables = netlink_table(k)!;
    expect(tables[UNIT]!.registered).toBe(1);
    expect(tables[UNIT]!.groups).toBe(32);
    const other = k.spawn();
    other.unshare(0x40000000);
    const before = k.sk_allocated;
    const got: unknown[] = [];
    let sk2: NetlinkSock | null = null;
    // Kernel code runs inside a kernel entry: a module's init is one.
    k.modules.add_available({
      name: 'nl_probe',
      version: '1.0.0',
      init(kernel) {
        got.push(
          netlink_kernel_create(kernel.init_net, 32, null),
          netlink_kernel_create(kernel.init_net, -1, null),
        );
        got.push(netlink_kernel_create(kernel.init_net, UNIT, null), kernel.sk_allocated - before);
        got.push(tables[UNIT]!.registered);
        // Another namespace may have its own; `registered` counts both and the first cfg stays.
        sk2 = netlink_kernel_create(other.nsproxy_net, UNIT, { groups: 64 });
        got.push(sk2!.portid, tables[UNIT]!.registered, tables[UNIT]!.groups);
        return 0;
      },
      exit() {
        netlink_kernel_release(sk2);
      },
    });
    k.modules.load('nl_probe');
    expect(got).toEqual([null, null, null, 0, 1, 0, 2, 32]);
    k.modules.unload('nl_probe');
    expect(tables[UNIT]!.registered).toBe(1);
    expect(k.sk_allocated).toBe(before);
    t.close(fd);
  });

  it('tells NETLINK_URELEASE listeners when a bound user socket goes away', () => {
    const { k, t, fd } = setup();
    const seen: Array<[number, number, number]> = [];
    const off = netlink_register_notifier(k, (ev, n) => seen.push([ev, n.protocol, n.portid]));
    const unbound = nlsocket(t, UNIT);
    t.close(unbound);
    t.close(fd);
    off();
    expect(seen).toEqual([[NETLINK_URELEASE, UNIT, 500]]);
  });
});
