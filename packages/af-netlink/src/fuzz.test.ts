import { KernelError, MSG_DONTWAIT } from '@ksock/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, modref, nlsocket } from './__fixtures__/test_util.js';
import { concat, NETLINK_CONNECTOR, NETLINK_ROUTE, NLMSG_HDRLEN, nla, nlmsg, nlmsg_parse } from './uapi.js';

/** A request that looks like rtnetlink: a known or nearby type, any flags, a family header, attributes. */
const attr = fc.record({
  type: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 24 }),
});
const structured = fc
  .record({
    type: fc.integer({ min: 0, max: 130 }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.nat(),
    head: fc.uint8Array({ maxLength: 20 }),
    attrs: fc.array(attr, { maxLength: 5 }),
  })
  .map((r) => nlmsg(r.type, r.flags, r.seq, 0, [r.head, ...r.attrs.map((a) => nla(a.type, a.payload))]));
const datagram = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }),
  structured,
  fc.array(structured, { minLength: 1, maxLength: 3 }).map((ms) => concat(ms)),
);

describe('robustness', () => {
  it('random requests to rtnetlink and the connector never crash the kernel and leave nothing behind', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), datagram), { minLength: 1, maxLength: 20 }),
        (reqs) => {
          const k = boot();
          const root = k.spawn();
          const user = k.spawn({ uid: 1000 });
          const fds = [
            [root, nlsocket(root, NETLINK_ROUTE), nlsocket(root, NETLINK_CONNECTOR)],
            [user, nlsocket(user, NETLINK_ROUTE), nlsocket(user, NETLINK_CONNECTOR)],
          ] as const;
          for (const [asRoot, route, d] of reqs) {
            const [t, rfd, cfd] = fds[asRoot ? 0 : 1];
            const fd = route ? rfd : cfd;
            try {
              expect(t.sendto(fd, d)).toBe(d.length);
            } catch (e) {
              // Only errno answers (e.g. ECONNREFUSED), never a JavaScript error.
              expect(e).toBeInstanceOf(KernelError);
            }
            for (;;) {
              let r: Uint8Array;
              try {
                r = t.recvfrom(fd, 65536, MSG_DONTWAIT).data;
              } catch (e) {
                expect(e).toBeInstanceOf(KernelError);
                break;
              }
              // Every reply is a well-formed sequence of netlink messages covering the datagram.
              const msgs = nlmsg_parse(r);
              expect(msgs.length).toBeGreaterThan(0);
              const last = msgs.at(-1)!;
              expect(last.payload.byteOffset - r.byteOffset + last.payload.length).toBeLessThanOrEqual(
                r.length,
              );
              for (const m of msgs) expect(m.hdr.nlmsg_len).toBeGreaterThanOrEqual(NLMSG_HDRLEN);
            }
          }
          for (const [t, a, b] of fds) {
            t.close(a);
            t.close(b);
          }
          expect(modref(k, 'rtnetlink')).toBe(0);
          expect(modref(k, 'cn')).toBe(0);
          // What is left: the two kernel sockets (rtnl in init_net, the connector's).
          expect(k.sk_allocated).toBe(2);
          expect(k.init_net.sock_inuse).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
