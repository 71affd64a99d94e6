/**
 * netlink_ioctl() knows no command (-ENOIOCTLCMD), so a netlink socket answers the device ioctls through
 * sock_do_ioctl() → dev_ioctl() and SIOCGIFCONF through dev_ifconf(), as in Linux; core's
 * ioctl_fixtures.test.ts compares that path with the host's answers on a netlink socket.
 */
import { FIONREAD, SIOCGIFADDR, SIOCGIFCONF, SIOCGIFINDEX, SOCK_RAW } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { boot, nlsocket } from './__fixtures__/test_util.js';
import { NETLINK_ROUTE } from './uapi.js';

describe('ioctl() on a netlink socket', () => {
  it('answers SIOCGIFINDEX and SIOCGIFCONF; SIOCGIFADDR (inet only) and FIONREAD are ENOTTY', () => {
    const t = boot().spawn({ uid: 0 });
    const fd = nlsocket(t, NETLINK_ROUTE, SOCK_RAW);
    const ifr = new Uint8Array(40);
    ifr.set(new TextEncoder().encode('lo'));
    expect(t.ioctl(fd, SIOCGIFINDEX, ifr)).toBe(0);
    expect(new DataView(ifr.buffer).getInt32(16, true)).toBe(1);
    const ifc = { ifc_len: 0, ifc_buf: null };
    expect(t.ioctl(fd, SIOCGIFCONF, ifc)).toBe(0);
    expect(ifc.ifc_len).toBe(40); // lo's 127.0.0.1
    expect(t.raw.ioctl(fd, SIOCGIFADDR, ifr)).toBe(-25);
    expect(t.raw.ioctl(fd, FIONREAD, new Uint8Array(4))).toBe(-25);
  });
});
