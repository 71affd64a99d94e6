import { describe, expect, it } from 'vitest';
import { testFamily } from '../__fixtures__/af_test.js';
import type { Kernel } from '../kernel.js';
import { AF_VSOCK, SOCK_DGRAM } from '../uapi/socket.js';
import { defineModule } from '../module.js';
import { checkFamily, checkPackageModules } from './index.js';

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

describe('@ksock/core/testing: checkPackageModules', () => {
  const mod = (name: string, extra: { aliases?: string[]; depends?: string[] } = {}) =>
    defineModule({
      name,
      version: '0.2.0',
      abi: '1.0',
      description: name,
      license: 'MIT',
      init: () => 0,
      ...extra,
    });
  const pkg = (modules: unknown[], version = '0.2.0') => ({ name: 'fam', version, ksock: { modules } });
  const a = mod('a', { aliases: ['net-pf-40'] });
  const b = mod('b', { aliases: ['net-pf-40-proto-1'], depends: ['a'] });

  it('passes when names, order, aliases and depends agree (absent means none) and versions are the package’s', () => {
    const declared = [
      { name: 'a', aliases: ['net-pf-40'] },
      { name: 'b', aliases: ['net-pf-40-proto-1'], depends: ['a'] },
    ];
    expect(checkPackageModules(pkg(declared), [a, b])).toEqual([]);
  });

  it('names each disagreement', () => {
    expect(checkPackageModules(pkg([{ name: 'a', aliases: ['net-pf-40'] }]), [a, b])).toEqual([
      'fam: package.json declares modules [a] but the default export has [a, b]',
    ]);
    expect(
      checkPackageModules(pkg([{ name: 'a' }, { name: 'b', aliases: ['net-pf-40-proto-1'] }]), [a, b]),
    ).toEqual([
      'fam: module a: package.json aliases [], descriptor ["net-pf-40"]',
      'fam: module b: package.json depends [], descriptor ["a"]',
    ]);
    expect(checkPackageModules(pkg([{ name: 'a', aliases: ['net-pf-40'] }], '0.3.0'), [a])).toEqual([
      "fam: module a: version '0.2.0', package.json '0.3.0'",
    ]);
  });

  it('wants the default export to be an array of valid descriptors, and package.json to declare them', () => {
    expect(checkPackageModules(pkg([{ name: 'a' }]), a)).toEqual([
      'fam: the default export is not an array of module descriptors',
    ]);
    expect(checkPackageModules(pkg([{ name: 'x' }]), [{ name: 'x' }])).toEqual([
      'fam: default export [0]: version must be a string',
    ]);
    expect(checkPackageModules({ name: 'fam', version: '0.2.0' }, [a])).toContain(
      'fam: package.json has no ksock.modules array',
    );
  });
});
