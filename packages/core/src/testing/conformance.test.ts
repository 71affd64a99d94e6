import { describe, expect, it } from 'vitest';
import { testFamily } from '../__fixtures__/af_test.js';
import type { Kernel } from '../kernel.js';
import { AF_VSOCK, SOCK_DGRAM } from '../uapi/socket.js';
import { checkFamily } from './index.js';

describe('@ksock/core/testing: checkFamily', () => {
  it('passes a conforming family and sweeps the fault sites of its create path', () => {
    const report = checkFamily({
      modules: testFamily(AF_VSOCK).module,
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [{ type: SOCK_DGRAM, protocol: 0 }],
      refused: [{ type: SOCK_DGRAM, protocol: 5, errno: 'EPROTONOSUPPORT' }],
      exercise: (_k, t, fd) => {
        const a = new Uint8Array([AF_VSOCK, 0, 9, 0]);
        t.bind(fd, a);
        t.sendto(fd, new Uint8Array([1]), 0, a);
      },
    });
    expect(report.failures).toEqual([]);
    expect(report.faultSites).toEqual(
      expect.arrayContaining(['sock_alloc', 'sk_alloc', 'get_unused_fd_flags', 'alloc_file_pseudo']),
    );
  });

  it('reports a family that leaks a sock on close', () => {
    const fam = testFamily(AF_VSOCK);
    const leaky = {
      ...fam.module,
      init(kernel: Kernel, mod: Parameters<typeof fam.module.init>[1]) {
        const r = fam.module.init(kernel, mod);
        const st = fam.state(kernel)!;
        st.ops.release = () => 0; // forgets sock_put: the sock and its module reference leak
        return r;
      },
    };
    const report = checkFamily({
      modules: leaky,
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [{ type: SOCK_DGRAM, protocol: 0 }],
      badTypeErrno: null,
    });
    expect(report.failures.map((f) => f.check)).toEqual(
      expect.arrayContaining([
        `socket(${AF_VSOCK}, ${SOCK_DGRAM}, 0): every counter is back after close`,
        `socket(${AF_VSOCK}, ${SOCK_DGRAM}, 0): rmmod succeeds after close`,
      ]),
    );
  });
});
