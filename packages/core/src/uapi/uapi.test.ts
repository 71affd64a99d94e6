/** The uapi constants against the headers they copy (include/linux/socket.h, include/uapi/linux/if_arp.h). */
import { describe, expect, it } from 'vitest';
import * as user from '../index.js';

describe('uapi names', () => {
  it('has a PF_* of the same value for every AF_*, exported from the user entry', () => {
    const names = Object.keys(user);
    const af = names.filter((n) => n.startsWith('AF_'));
    expect(af.length).toBeGreaterThan(45);
    for (const a of af) {
      const p = `P${a.slice(1)}`;
      expect(names, p).toContain(p);
      expect((user as Record<string, unknown>)[p], p).toBe((user as Record<string, unknown>)[a]);
    }
    expect(user.PF_CAN).toBe(29);
    expect(user.PF_MCTP).toBe(45);
  });

  it('has the ARPHRD_* hardware types of if_arp.h', () => {
    expect(user.ARPHRD_NETROM).toBe(0);
    expect(user.ARPHRD_ETHER).toBe(1);
    expect(user.ARPHRD_INFINIBAND).toBe(32);
    expect(user.ARPHRD_CAN).toBe(280);
    expect(user.ARPHRD_MCTP).toBe(290);
    expect(user.ARPHRD_HDLC).toBe(user.ARPHRD_CISCO);
    expect(user.ARPHRD_RAWIP).toBe(519);
    expect(user.ARPHRD_LOOPBACK).toBe(772);
    expect(user.ARPHRD_IEEE80211).toBe(801);
    expect(user.ARPHRD_IEEE80211_RADIOTAP).toBe(803);
    expect(user.ARPHRD_VSOCKMON).toBe(826);
    expect(user.ARPHRD_VOID).toBe(0xffff);
    expect(user.ARPHRD_NONE).toBe(0xfffe);
    expect(Object.keys(user).filter((n) => n.startsWith('ARPHRD_'))).toHaveLength(68);
  });
});
