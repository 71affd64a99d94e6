import { describe, expect, it } from 'vitest';
import { decode_cn_msg, encode_cn_msg, PROC_EVENT_ALL } from './connector.js';
import {
  decode_nlmsgerr,
  decode_sockaddr_nl,
  encode_nlmsgerr,
  NLA_ALIGN,
  NLA_F_NESTED,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLMSG_ALIGN,
  NLMSG_LENGTH,
  NLMSG_SPACE,
  netlink_group_mask,
  nla,
  nla_nest,
  nla_parse,
  nla_string,
  nla_u32,
  nlmsg,
  nlmsg_hdr,
  nlmsg_parse,
  sockaddr_nl,
} from './uapi.js';

describe('uapi layouts (x86-64, little endian)', () => {
  it('sockaddr_nl: u16 family, u16 pad, u32 pid, u32 groups', () => {
    expect(sockaddr_nl(0x12345678, 0x80000001)).toEqual(
      Uint8Array.of(16, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0x01, 0, 0, 0x80),
    );
    expect(decode_sockaddr_nl(Uint8Array.of(16, 0, 1, 0, 0xff, 0xef, 0xff, 0xff, 2, 0, 0, 0))).toEqual({
      nl_family: 16,
      nl_pad: 1,
      nl_pid: 0xffffefff,
      nl_groups: 2,
    });
    expect(sockaddr_nl(-4097).subarray(4, 8)).toEqual(Uint8Array.of(0xff, 0xef, 0xff, 0xff));
  });

  it('nlmsghdr: len, type, flags, seq, pid; payload padded to 4', () => {
    const m = nlmsg(0x12, NLM_F_DUMP | 1, 0xdeadbeef, 42, Uint8Array.of(9, 8, 7));
    expect(m).toEqual(
      Uint8Array.of(19, 0, 0, 0, 0x12, 0, 0x01, 0x03, 0xef, 0xbe, 0xad, 0xde, 42, 0, 0, 0, 9, 8, 7, 0),
    );
    expect(nlmsg_hdr(m)).toEqual({
      nlmsg_len: 19,
      nlmsg_type: 0x12,
      nlmsg_flags: 0x301,
      nlmsg_seq: 0xdeadbeef,
      nlmsg_pid: 42,
    });
    expect([NLMSG_ALIGN(17), NLMSG_LENGTH(3), NLMSG_SPACE(3)]).toEqual([20, 19, 20]);
  });

  it('walks messages as NLMSG_OK/NLMSG_NEXT do and stops at a bad length', () => {
    const two = Uint8Array.of(...nlmsg(0x10, 0, 1, 0, Uint8Array.of(1)), ...nlmsg(0x11, 0, 2, 0));
    expect(nlmsg_parse(two).map((m) => [m.hdr.nlmsg_seq, m.payload.length])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    const bad = two.slice();
    bad[20] = 15; // second header claims 15 bytes (< 16)
    expect(nlmsg_parse(bad)).toHaveLength(1);
    expect(nlmsg_parse(two.subarray(0, 30))).toHaveLength(1);
  });

  it('nlattr: u16 len, u16 type, padded; nested flag; parse strips the flag bits', () => {
    expect(nla_u32(3, 0x01020304)).toEqual(Uint8Array.of(8, 0, 3, 0, 4, 3, 2, 1));
    expect(nla_string(3, 'lo')).toEqual(Uint8Array.of(7, 0, 3, 0, 0x6c, 0x6f, 0, 0));
    const n = nla_nest(18, [nla_string(1, 'dummy')]);
    expect(n.subarray(0, 4)).toEqual(Uint8Array.of(16, 0, 18, 0x80));
    const [a] = nla_parse(n);
    expect([a!.type, a!.nested, a!.payload.length]).toEqual([18, true, 12]);
    expect(nla(5, new Uint8Array(0))).toEqual(Uint8Array.of(4, 0, 5, 0));
    expect([NLA_ALIGN(5), NLA_F_NESTED]).toEqual([8, 0x8000]);
  });

  it('nlmsgerr: s32 error then the request header; echoed payload unless capped', () => {
    const req = { nlmsg_len: 20, nlmsg_type: 0x12, nlmsg_flags: 5, nlmsg_seq: 7, nlmsg_pid: 0 };
    const e = encode_nlmsgerr(-22, req, Uint8Array.of(1, 2, 3, 4));
    expect(e).toEqual(
      Uint8Array.of(0xea, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0x12, 0, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4),
    );
    expect(decode_nlmsgerr(e, 0)).toMatchObject({ error: -22, msg: req, payload: Uint8Array.of(1, 2, 3, 4) });
    const capped = Uint8Array.of(...encode_nlmsgerr(0, req), ...nla_string(1, 'x'));
    expect(decode_nlmsgerr(capped, NLM_F_CAPPED | NLM_F_ACK_TLVS).tlvs.map((t) => t.type)).toEqual([1]);
  });

  it('cn_msg: idx, val, seq, ack (u32), len, flags (u16), data', () => {
    const b = encode_cn_msg({ idx: 1, val: 1, seq: 2, ack: 3, flags: 0, data: Uint8Array.of(1, 0, 0, 0) });
    expect(b).toEqual(Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0));
    expect(decode_cn_msg(b)).toMatchObject({ idx: 1, val: 1, seq: 2, ack: 3, len: 4, flags: 0 });
    expect(PROC_EVENT_ALL).toBe(0xe00003c7);
  });

  it('netlink_group_mask', () => {
    expect([
      netlink_group_mask(0),
      netlink_group_mask(1),
      netlink_group_mask(32),
      netlink_group_mask(33),
    ]).toEqual([0, 1, 0x80000000, 0]);
  });
});
