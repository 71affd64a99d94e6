import { AF_INET, EMSGSIZE, MSG_DONTWAIT, MSG_TRUNC } from '@ksock/core';
import { dev_get_by_name, inet_insert_ifa, register_netdevice } from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { bindnl, boot, nlsocket } from './__fixtures__/test_util.js';
import {
  NlSkb,
  nla_nest_cancel,
  nla_nest_end,
  nla_nest_start,
  nla_nest_start_noflag,
  nla_put,
  nla_put_in_addr,
  nla_put_string,
  nla_put_u8,
  nla_put_u16,
  nla_put_u32,
  nla_reserve,
  nla_total_size,
  nlmsg_append,
  nlmsg_cancel,
  nlmsg_end,
  nlmsg_put,
  nlmsg_total_size,
  put_unaligned_le64,
  strlen,
} from './nlattr.js';
import {
  dummy_setup,
  IFLA_IFNAME,
  if_nlmsg_size,
  ifaddrmsg,
  ifinfomsg,
  inet_fill_ifaddr,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  rtnl_fill_ifinfo,
} from './rtnetlink.js';
import {
  NETLINK_ROUTE,
  NLA_F_NESTED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_GOODSIZE,
  nla_find,
  nla_get_string,
  nla_parse,
  nlmsg,
  nlmsg_parse,
} from './uapi.js';

/** A buffer of `end` bytes whose storage is dirty (0xa5), as alloc_skb() leaves it. */
function dirty(end: number, storage = end + 16): NlSkb {
  return new NlSkb(new Uint8Array(storage).fill(0xa5), end);
}
const le16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const le32 = (b: Uint8Array, o: number) => (le16(b, o) | (le16(b, o + 2) << 16)) >>> 0;

describe('nlattr writer', () => {
  it('nla_put fits exactly at the tailroom edge and fails with -EMSGSIZE one byte short', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const ok = dirty(nla_total_size(5));
    expect(nla_put(ok, 7, 5, data)).toBe(0);
    expect(ok.len).toBe(12);
    expect([...ok.data.subarray(0, 12)]).toEqual([9, 0, 7, 0, 1, 2, 3, 4, 5, 0, 0, 0]);
    const short = dirty(nla_total_size(5) - 1);
    expect(nla_put(short, 7, 5, data)).toBe(-EMSGSIZE);
    expect(short.len).toBe(0);
    expect(short.data[0]).toBe(0xa5); // nothing written
    // The padding counts: a 1-byte attribute needs 8 bytes of room, not 5.
    expect(nla_put_u8(dirty(7), 1, 0xff)).toBe(-EMSGSIZE);
    expect(nla_put_u8(dirty(8), 1, 0xff)).toBe(0);
  });

  it('zeroes the padding of attributes and messages in a dirty buffer', () => {
    const skb = dirty(64);
    const nlh = nlmsg_put(skb, 0x01020304, 9, 0x10, 3, NLM_F_MULTI);
    expect(nlh).toBe(0);
    expect(skb.len).toBe(20);
    expect([...skb.data.subarray(19, 20)]).toEqual([0]); // payload 3 bytes + 1 pad byte
    expect(nla_put_u8(skb, 1, 0x7f)).toBe(0);
    expect(nla_put_u16(skb, 2, 0xbeef)).toBe(0);
    expect(nla_put_string(skb, 3, 'ab')).toBe(0);
    nlmsg_end(skb, nlh);
    expect(skb.len).toBe(44);
    expect([...skb.data.subarray(20, 44)]).toEqual([
      5, 0, 1, 0, 0x7f, 0, 0, 0, 6, 0, 2, 0, 0xef, 0xbe, 0, 0, 7, 0, 3, 0, 0x61, 0x62, 0, 0,
    ]);
    expect(le32(skb.data, 0)).toBe(44);
    expect(le16(skb.data, 4)).toBe(0x10);
    expect(le16(skb.data, 6)).toBe(NLM_F_MULTI);
    expect(le32(skb.data, 8)).toBe(9);
    expect(le32(skb.data, 12)).toBe(0x01020304);
    expect(skb.data[44]).toBe(0xa5); // past the tail: untouched
  });

  it('nlmsg_put returns -1 (NULL) when header and payload do not fit, and nlmsg_cancel trims', () => {
    expect(nlmsg_put(dirty(nlmsg_total_size(16) - 1), 0, 0, 0x10, 16, 0)).toBe(-1);
    const skb = dirty(128);
    expect(nla_put_u32(skb, 1, 1)).toBe(0);
    const nlh = nlmsg_put(skb, 0, 0, 0x10, 16, 0);
    expect(nlh).toBe(8);
    expect(nla_put_u32(skb, 2, 2)).toBe(0);
    nlmsg_cancel(skb, nlh);
    expect(skb.len).toBe(8);
  });

  it('nests: lengths cover the members, NLA_F_NESTED only from nla_nest_start, cancel drops all', () => {
    const skb = dirty(128);
    const outer = nla_nest_start(skb, 5);
    expect(nla_put_u32(skb, 1, 0xdeadbeef)).toBe(0);
    const inner = nla_nest_start_noflag(skb, 6);
    expect(nla_put_string(skb, 2, 'x')).toBe(0);
    expect(nla_nest_end(skb, inner)).toBe(skb.len);
    const empty = nla_nest_start(skb, 7);
    nla_nest_end(skb, empty);
    nla_nest_end(skb, outer);
    const [o] = nla_parse(skb.data.subarray(0, skb.len));
    expect(o).toMatchObject({ type: 5, nested: true });
    expect(le16(skb.data, 0)).toBe(skb.len);
    expect(le16(skb.data, 2)).toBe(5 | NLA_F_NESTED);
    const members = nla_parse(o!.payload);
    expect(members.map((a) => [a.type, a.nested, a.payload.length])).toEqual([
      [1, false, 4],
      [6, false, 8],
      [7, true, 0],
    ]);
    expect(nla_get_string(nla_parse(members[1]!.payload)[0]!)).toBe('x');
    const before = skb.len;
    const gone = nla_nest_start(skb, 8);
    nla_put_u32(skb, 1, 1);
    nla_nest_cancel(skb, gone);
    expect(skb.len).toBe(before);
  });

  it('writes strings as UTF-8 with a NUL, addresses in network order, u64 as two halves', () => {
    const skb = dirty(64);
    nla_put_string(skb, 1, 'dümmy');
    expect([...skb.data.subarray(4, 11)]).toEqual([0x64, 0xc3, 0xbc, 0x6d, 0x6d, 0x79, 0]);
    expect(le16(skb.data, 0)).toBe(11);
    const a = dirty(8);
    nla_put_in_addr(a, 2, 0x7f000001);
    expect([...a.data.subarray(4, 8)]).toEqual([127, 0, 0, 1]);
    for (const v of [0, 1, 0xffffffff, 2 ** 32, 2 ** 40 + 5, 2 ** 53 - 1]) {
      const b = new Uint8Array(8);
      put_unaligned_le64(b, 0, v);
      expect(new DataView(b.buffer).getBigUint64(0, true)).toBe(BigInt(v));
    }
  });

  it('strlen() counts UTF-8 bytes as TextEncoder writes them (pairs, lone surrogates)', () => {
    for (const str of ['', 'lo', 'dümmy', '€uro', 'a😀b', '\ud800x', 'x\udc00', '\ud83d']) {
      const bytes = new TextEncoder().encode(str);
      expect([str, strlen(str)]).toEqual([str, bytes.length]);
      const skb = dirty(64);
      expect(nla_put_string(skb, 1, str)).toBe(0);
      expect(skb.data.subarray(4, 4 + bytes.length + 1)).toEqual(Uint8Array.from([...bytes, 0]));
    }
  });

  it('nlmsg_append extends the message with zeroed padding, or fails with -1', () => {
    const skb = dirty(40);
    const nlh = nlmsg_put(skb, 0, 0, 2, 4, 0);
    const p = nlmsg_append(skb, 5);
    expect(p).toBe(20);
    expect(skb.len).toBe(28);
    expect([...skb.data.subarray(25, 28)]).toEqual([0, 0, 0]);
    expect(nlmsg_append(skb, 13)).toBe(-1);
    nlmsg_end(skb, nlh);
    expect(le32(skb.data, 0)).toBe(28);
  });

  it('nla_reserve leaves the payload to the caller and claims the padded size', () => {
    const skb = dirty(32);
    const nla = nla_reserve(skb, 3, 6);
    expect(nla).toBe(0);
    expect(skb.len).toBe(12);
    expect([...skb.data.subarray(10, 12)]).toEqual([0, 0]);
    expect(nla_reserve(skb, 3, 17)).toBe(-1);
  });
});

describe('rtnetlink fills through the writer', () => {
  it('a link message fits in if_nlmsg_size() and is cancelled whole at every shorter end', () => {
    const k = boot();
    const lo = dev_get_by_name(k.init_net, 'lo')!;
    const dummy = dummy_setup(k, 'dummy0');
    const args = { type: RTM_NEWLINK, pid: 1, seq: 2, change: 0, flags: NLM_F_MULTI };
    for (const dev of [lo, dummy]) {
      const full = dirty(4096);
      expect(rtnl_fill_ifinfo(full, dev, args)).toBe(0);
      const size = full.len;
      // The bound exceeds the message only by the room kept for the variable-size attributes: the name
      // and the qdisc (IFNAMSIZ each), two 6-byte addresses (MAX_ADDR_LEN each) and, for a device with a
      // kind, the 4 bytes rtnl_link_get_size() counts for the IFLA_LINKINFO nest's header. An attribute
      // put but not counted would make this smaller.
      const slack =
        2 * 20 - nla_total_size(dev.name.length + 1) - nla_total_size(8) + 2 * (36 - 12) + (dev.kind ? 4 : 0);
      expect(nlmsg_total_size(if_nlmsg_size(dev)) - size).toBe(slack);
      expect(le32(full.data, 0)).toBe(size);
      for (let end = 0; end < size; end++) {
        const skb = dirty(end + 20, end + 20);
        expect(nla_put_u32(skb, 1, 1)).toBe(0); // something already in the buffer, kept
        skb.end = 8 + end;
        expect(rtnl_fill_ifinfo(skb, dev, args)).toBe(-EMSGSIZE);
        expect(skb.len).toBe(8);
      }
      // Exactly the room needed is enough, and every byte is written: a clean buffer gives the same bytes.
      const exact = new NlSkb(new Uint8Array(size));
      expect(rtnl_fill_ifinfo(exact, dev, args)).toBe(0);
      expect(exact.data).toEqual(full.data.subarray(0, size));
    }
  });

  it('an address message is cancelled whole when it does not fit', () => {
    const dev = dummy_setup(boot(), 'dummy0');
    dev.ifindex = 2;
    const ifa = {
      ifa_local: 0x0a000001,
      ifa_address: 0x0a000001,
      ifa_broadcast: 0x0a0000ff,
      ifa_prefixlen: 24,
      ifa_scope: 0,
      ifa_flags: 0x80,
      ifa_label: 'dummy0',
    };
    const full = dirty(256);
    expect(inet_fill_ifaddr(full, dev, ifa, RTM_NEWADDR, 0, 0, 0)).toBe(0);
    for (let end = 0; end < full.len; end++)
      expect([inet_fill_ifaddr(dirty(end), dev, ifa, RTM_NEWADDR, 0, 0, 0), end]).toEqual([-EMSGSIZE, end]);
  });
});

describe('dumps across several recvmsg calls', () => {
  function many(links: number, addrs: number) {
    const k = boot();
    const t = k.spawn({ uid: 0 });
    for (let i = 0; i < links; i++) {
      const dev = dummy_setup(k, `dummy${i}`);
      expect(register_netdevice(k.init_net, dev)).toBe(0);
      for (let j = 0; j < addrs; j++)
        inet_insert_ifa(dev, {
          ifa_local: (10 << 24) | (i << 8) | (j + 1),
          ifa_address: (10 << 24) | (i << 8) | (j + 1),
          ifa_broadcast: 0,
          ifa_prefixlen: 32,
          ifa_scope: 0,
          ifa_flags: 0x80,
          ifa_label: `dummy${i}`,
        });
    }
    const fd = nlsocket(t, NETLINK_ROUTE);
    bindnl(t, fd, 1000);
    return { k, t, fd };
  }

  /** Read a whole dump with recvmsg buffers of `len` bytes: the datagrams, in order. */
  function readDump(t: ReturnType<typeof many>['t'], fd: number, len: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    for (;;) {
      const r = t.recvmsg(fd, len, MSG_DONTWAIT);
      expect(r.flags & MSG_TRUNC).toBe(0);
      parts.push(r.data);
      const msgs = nlmsg_parse(r.data);
      if (msgs.some((m) => m.hdr.nlmsg_type === NLMSG_DONE)) return parts;
    }
  }

  it('a link dump in NLMSG_GOODSIZE steps resumes at the device that did not fit and loses none', () => {
    const { k, t, fd } = many(40, 0);
    t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, 0, ifinfomsg()));
    const parts = readDump(t, fd, NLMSG_GOODSIZE);
    expect(parts.length).toBeGreaterThan(5);
    const names: string[] = [];
    for (const [i, p] of parts.entries()) {
      expect(p.length).toBeLessThanOrEqual(NLMSG_GOODSIZE);
      for (const m of nlmsg_parse(p)) {
        expect(m.hdr.nlmsg_seq).toBe(7);
        expect(m.hdr.nlmsg_flags & NLM_F_MULTI).toBe(NLM_F_MULTI);
        if (m.hdr.nlmsg_type === NLMSG_DONE) {
          expect(i).toBe(parts.length - 1);
          expect(p.length).toBe(20); // alone (RTNL_FLAG_DUMP_SPLIT_NLM_DONE)
          continue;
        }
        expect(m.hdr.nlmsg_type).toBe(RTM_NEWLINK);
        names.push(nla_get_string(nla_find(nla_parse(m.payload.subarray(16)), IFLA_IFNAME)!));
      }
      // A step is full: the next link (about 680 bytes) would not have fitted.
      if (i < parts.length - 2) expect(p.length).toBeGreaterThan(NLMSG_GOODSIZE - 700);
    }
    expect(names).toEqual(['lo', ...Array.from({ length: 40 }, (_, i) => `dummy${i}`)]);
    expect(k.init_net.dev_base.length).toBe(41);
  });

  it('an address dump resumes in the middle of a device and loses none', () => {
    const { t, fd } = many(3, 60);
    t.sendto(fd, nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 8, 0, ifaddrmsg(AF_INET)));
    const parts = readDump(t, fd, NLMSG_GOODSIZE);
    expect(parts.length).toBeGreaterThan(3);
    const seen: number[] = [];
    for (const p of parts)
      for (const m of nlmsg_parse(p)) {
        if (m.hdr.nlmsg_type !== RTM_NEWADDR) continue;
        const local = nla_find(nla_parse(m.payload.subarray(8)), 2)!.payload;
        seen.push(((local[0]! << 24) | (local[1]! << 16) | (local[2]! << 8) | local[3]!) >>> 0);
      }
    const want: number[] = [0x7f000001]; // lo's 127.0.0.1 first
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 60; j++) want.push(((10 << 24) | (i << 8) | (j + 1)) >>> 0);
    expect(seen).toEqual(want);
  });

  it('two dumps running at once on two sockets do not mix their bytes', () => {
    const { t, fd } = many(12, 0);
    const fd2 = nlsocket(t, NETLINK_ROUTE);
    const req = (seq: number) => nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0, ifinfomsg());
    t.sendto(fd, req(1));
    const alone = readDump(t, fd, NLMSG_GOODSIZE);
    t.sendto(fd, req(2));
    t.sendto(fd2, req(2));
    const a: Uint8Array[] = [];
    const b: Uint8Array[] = [];
    for (let i = 0; i < alone.length; i++) {
      a.push(t.recvfrom(fd, NLMSG_GOODSIZE, MSG_DONTWAIT).data);
      b.push(t.recvfrom(fd2, NLMSG_GOODSIZE, MSG_DONTWAIT).data);
    }
    const strip = (parts: Uint8Array[]) =>
      parts.flatMap((p) => nlmsg_parse(p).map((m) => [m.hdr.nlmsg_type, m.hdr.nlmsg_seq, [...m.payload]]));
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a).length).toBe(strip(alone).length);
  });

  it('each dump reads the device as it is now (counters change between dumps)', () => {
    const { k, t, fd } = many(0, 0);
    const lo = dev_get_by_name(k.init_net, 'lo')!;
    const dump = () => {
      t.sendto(fd, nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()));
      return readDump(t, fd, 32768)[0]!;
    };
    const first = dump();
    lo.stats.rx_packets = 2 ** 40 + 3;
    const second = dump();
    expect(second).not.toEqual(first);
    const stats64 = nla_find(nla_parse(nlmsg_parse(second)[0]!.payload.subarray(16)), 23)!.payload;
    expect(new DataView(stats64.buffer, stats64.byteOffset).getBigUint64(0, true)).toBe(2n ** 40n + 3n);
  });
});
