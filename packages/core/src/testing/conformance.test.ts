import { describe, expect, it } from 'vitest';
import { testFamily } from '../__fixtures__/af_test.js';
import type { Kernel } from '../kernel.js';
import { defineModule } from '../module.js';
import { type Sock, sock_prot_inuse_add } from '../sock.js';
import { AF_VSOCK, SOCK_DGRAM } from '../uapi/socket.js';
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

/** The test family with its init changed by `broken(state)` after it ran: a family with one bug. */
function brokenFamily(broken: (st: NonNullable<ReturnType<ReturnType<typeof testFamily>['state']>>) => void) {
  const fam = testFamily(AF_VSOCK);
  return {
    ...fam.module,
    init(kernel: Kernel, mod: Parameters<typeof fam.module.init>[1]) {
      const r = fam.module.init(kernel, mod);
      broken(fam.state(kernel)!);
      return r;
    },
  };
}

const port9 = new Uint8Array([AF_VSOCK, 0, 9, 0]);
const dgram = { type: SOCK_DGRAM, protocol: 0 };
const label = `socket(${AF_VSOCK}, ${SOCK_DGRAM}, 0)`;
const checks = (r: ReturnType<typeof checkFamily>) => r.failures.map((f) => f.check);

describe('@ksock/core/testing: checkFamily catches the bugs a family can have', () => {
  it('ops and a proto with no module owner: rmmod unloads the family with a socket open', () => {
    const report = checkFamily({
      modules: brokenFamily((st) => {
        st.ops.owner = null;
        st.proto.owner = null;
      }),
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [dgram],
      badTypeErrno: null,
    });
    expect(checks(report)).toEqual(
      expect.arrayContaining([
        `${label}: sock->ops and sk->sk_prot have a module owner`,
        `${label}: an open socket holds a module reference`,
        `${label}: rmmod is refused while the socket is open`,
      ]),
    );
    const f = report.failures.find((x) => x.check.endsWith('module owner'))!;
    expect(f.detail).toBe('ops owner NULL, proto owner NULL');
    expect(report.failures.find((x) => x.check.endsWith('while the socket is open'))!.detail).toBe(
      'unloaded with the socket open: af_test',
    );
  });

  it('a release that forgets sock_prot_inuse_add(-1): /proc/net/protocols keeps counting', () => {
    const report = checkFamily({
      modules: brokenFamily((st) => {
        const release = st.ops.release;
        st.ops.release = (sock) => {
          if (sock.sk !== null) sock_prot_inuse_add(sock.sk.sk_net, st.proto, 1); // undoes the -1
          return release(sock);
        };
      }),
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [dgram],
      badTypeErrno: null,
    });
    expect(checks(report)).toEqual(
      expect.arrayContaining([
        `${label}: the per-protocol in-use counts are back after close`,
        `${label}: every counter is back after close`,
        `${label}: unloading returns every counter to its boot value`,
      ]),
    );
    const f = report.failures.find((x) => x.check.endsWith('in-use counts are back after close'))!;
    expect(JSON.parse(f.detail)).toEqual({ before: { TEST: 1 }, after: { TEST: 2 } });
  });

  it('a release that leaves the sock in its table: the next send lands in a freed sock, and core reports it', () => {
    const report = checkFamily({
      modules: brokenFamily((st) => {
        const release = st.ops.release;
        st.ops.release = (sock) => {
          const sk = sock.sk as (Sock & { port: number }) | null;
          const port = sk?.port ?? 0;
          const r = release(sock);
          if (port !== 0) st.ports.set(port, sk as never); // forgets to unhook
          return r;
        };
      }),
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [dgram],
      badTypeErrno: null,
      exercise: (_k, t, fd) => {
        t.raw.sendto(fd, new Uint8Array([1]), 0, port9); // refused the first time: nobody is bound there
        t.bind(fd, port9);
        t.sendto(fd, new Uint8Array([2]), 0, port9);
      },
    });
    const warn = report.failures.find((f) => f.check === `${label}: no kernel warning`);
    expect(warn?.detail).toContain(
      'BUG: KASAN: slab-use-after-free in skb_set_owner_r: Data (1 bytes) for a TEST sock whose sk_refcnt reached 0',
    );
    expect(checks(report)).toContain(`${label}: exercise`); // and the second bind finds port 9 taken
  });

  it('a create that returns 0 without setting sock->ops is a failed check, not a throw', () => {
    const report = checkFamily({
      modules: testFamily(AF_VSOCK, { forget_ops: true }).module,
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [dgram],
    });
    expect(report.failures[0]).toEqual({ check: `${label} succeeds`, ok: false, detail: 'EAFNOSUPPORT' });
    expect(checks(report)).toContain(`${label}: no kernel warning`);
    expect(report.failures.find((f) => f.check === `${label}: no kernel warning`)!.detail).toBe(
      'AF_VSOCK: test_create() returned 0 without setting sock->ops',
    );
  });

  it('a family whose code throws is reported, and the kit returns', () => {
    const report = checkFamily({
      modules: brokenFamily((st) => {
        st.ops.bind = () => {
          throw new TypeError('boom');
        };
      }),
      family: AF_VSOCK,
      create: 'test_create',
      sockets: [dgram],
      badTypeErrno: null,
      exercise: (_k, t, fd) => t.bind(fd, port9),
    });
    expect(report.failures.map((f) => [f.check, f.detail])).toContainEqual([
      `${label}: exercise`,
      'TypeError: boom',
    ]);
  });

  it('sweeps bad types with protocol 0 unless told another', () => {
    const run = (badTypeProtocol?: number) =>
      checkFamily({
        modules: testFamily(AF_VSOCK).module,
        family: AF_VSOCK,
        create: 'test_create',
        sockets: [dgram],
        ...(badTypeProtocol === undefined ? {} : { badTypeProtocol }),
      });
    const swept = (r: ReturnType<typeof run>) =>
      r.results.filter((x) => x.check.endsWith('fails with ESOCKTNOSUPPORT')).map((x) => x.check);
    const plain = run();
    expect(plain.failures).toEqual([]);
    expect(swept(plain)).toContain(`socket(${AF_VSOCK}, 1, 0) fails with ESOCKTNOSUPPORT`);
    const seven = run(7);
    expect(seven.failures).toEqual([]);
    expect(swept(seven)).toContain(`socket(${AF_VSOCK}, 1, 7) fails with ESOCKTNOSUPPORT`);
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
