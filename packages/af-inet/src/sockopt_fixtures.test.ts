/**
 * tools/sockopt_probe.py asked Linux 6.18 every SOL_SOCKET option number from 1 to 82, and every SOL_UDP
 * one (1–12, 100–105), on fresh TCP, UDP and raw sockets (reads with 4, 1, 0 and 64 bytes of room; writes of several ints, one byte and
 * nothing, each read back), stored in src/__fixtures__/socket-options-linux-6.18.json with the host's
 * buffer sysctls, which are copied into ksock first. ksock must give the same answers; the one value that
 * is the machine's rather than the kernel's is SO_COOKIE's, a machine-wide counter: only its length must
 * match.
 */
import { SO_COOKIE, SOL_SOCKET, SOL_UDP } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/socket-options-linux-6.18.json' with { type: 'json' };
import { apply_host_sysctls, linux_answers, probe_sockopt } from './__fixtures__/sockopt_probe.js';
import udp_fixture from './__fixtures__/udp-options-linux-6.18.json' with { type: 'json' };
import { boot } from './__fixtures__/util.js';

describe('SOL_SOCKET options on inet sockets against Linux 6.18', () => {
  for (const [opt, row] of Object.entries(fixture.options)) {
    it(`option ${opt}`, () => {
      const t = boot().spawn({});
      apply_host_sysctls(t, fixture.sysctl);
      const got = probe_sockopt(t, SOL_SOCKET, Number(opt));
      const want = linux_answers(row);
      if (Number(opt) === SO_COOKIE)
        for (const r of [...Object.values(got), ...Object.values(want)])
          r.get64 = r.get64!.replace(/[0-9a-f]/g, 'x');
      expect(got).toEqual(want);
    });
  }
});

describe('SOL_UDP options on inet sockets against Linux 6.18', () => {
  for (const [opt, row] of Object.entries(udp_fixture.options)) {
    it(`option ${opt}`, () => {
      const t = boot().spawn({});
      apply_host_sysctls(t, udp_fixture.sysctl);
      expect(probe_sockopt(t, SOL_UDP, Number(opt))).toEqual(linux_answers(row));
    });
  }
});
