import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { Kernel } from './kernel.js';
import { defineModule, type ModuleDescriptor, Unwind } from './module.js';
import { current } from './sched.js';
import { errnoOf } from './testing/index.js';
import { CAP_SYS_MODULE } from './uapi/capability.js';
import { AF_VSOCK, SOCK_DGRAM } from './uapi/socket.js';

const F = AF_VSOCK;

function lib(name: string, extra: Partial<ModuleDescriptor> = {}): ModuleDescriptor {
  return { name, version: '1.0.0', init: () => 0, exit: () => {}, ...extra };
}

describe('modules', () => {
  it('nothing is loaded at boot; request by alias loads on first use', () => {
    const fam = testFamily(F);
    const k = new Kernel({ modules: [[fam.module]] });
    expect(k.modules.list()).toEqual([]);
    expect(k.proc.read('/proc/modules')).toBe('');
    const t = k.spawn({});
    const fd = t.socket(F, SOCK_DGRAM, 0);
    expect(k.proc.read('/proc/modules')).toBe('af_test 0 2 - Live 0x0000000000000000\n');
    t.close(fd);
    expect(k.proc.read('/proc/modules')).toBe('af_test 0 0 - Live 0x0000000000000000\n');
  });

  it('rmmod is refused while a socket holds the module, succeeds after close, and the next socket() autoloads it again', () => {
    const fam = testFamily(F);
    const k = new Kernel({ modules: fam.module });
    const t = k.spawn({});
    const fd = t.socket(F, SOCK_DGRAM, 0);
    expect(errnoOf(() => t.rmmod('af_test'), { syscall: true })).toBe('delete_module: EAGAIN'); // EWOULDBLOCK == EAGAIN
    t.close(fd);
    t.rmmod('af_test');
    expect(k.modules.list()).toEqual([]);
    expect(k.net_families[F]).toBeNull();
    expect(k.proto_list).toEqual([]);
    const { events } = k.trace(() => t.close(t.socket(F, SOCK_DGRAM, 0)));
    expect(events.some((e) => e.name === 'load_module')).toBe(true);
    expect(k.modules.list()).toMatchObject([{ name: 'af_test', refcnt: 0 }]);
  });

  it('loading and unloading need CAP_SYS_MODULE; loading a loaded module is EEXIST; unknown is ENOENT', () => {
    const fam = testFamily(F);
    const k = new Kernel({ modules: fam.module });
    const user = k.spawn({ uid: 1000 });
    expect(errnoOf(() => user.modprobe('af_test'), { syscall: true })).toBe('init_module: EPERM');
    const admin = k.spawn({ uid: 1000, caps: [CAP_SYS_MODULE] });
    admin.modprobe('net-pf-40');
    expect(errnoOf(() => admin.modprobe('af_test'))).toBe('EEXIST');
    expect(errnoOf(() => user.rmmod('af_test'), { syscall: true })).toBe('delete_module: EPERM');
    expect(errnoOf(() => admin.rmmod('nope'))).toBe('ENOENT');
    expect(errnoOf(() => admin.modprobe('nope'))).toBe('ENOENT');
    admin.rmmod('af_test');
  });

  it('a user socket of an unprivileged task still autoloads its family; module init runs as the kernel', () => {
    const fam = testFamily(F);
    const seen: number[] = [];
    const probe = lib('probe', {
      aliases: ['net-pf-12'],
      init: () => {
        seen.push(current().pid);
        return 0;
      },
    });
    const k = new Kernel({ modules: [fam.module, probe] });
    const user = k.spawn({ uid: 1000 });
    user.close(user.socket(F, SOCK_DGRAM, 0));
    expect(k.modules.list()).toHaveLength(1);
    expect(errnoOf(() => user.socket(12, SOCK_DGRAM, 0))).toBe('EAFNOSUPPORT'); // loaded, but registers no family
    expect(seen).toEqual([k.init.pid]);
  });

  it('dependencies load first, show as "used by", and pin the module', () => {
    const k = new Kernel({
      modules: [lib('base'), lib('mid', { depends: ['base'] }), lib('top', { depends: ['mid', 'base'] })],
    });
    k.modules.load('top');
    expect(k.proc.read('/proc/modules')).toBe(
      [
        'top 0 0 - Live 0x0000000000000000',
        'mid 0 1 top, Live 0x0000000000000000',
        'base 0 2 top,mid, Live 0x0000000000000000',
        '',
      ].join('\n'),
    );
    expect(errnoOf(() => k.modules.unload('base'))).toBe('EAGAIN');
    expect(errnoOf(() => k.modules.unload('mid'))).toBe('EAGAIN');
    k.modules.unload('top');
    k.modules.unload('mid');
    k.modules.unload('base');
    expect(k.modules.list()).toEqual([]);
  });

  it('a module without exit is permanent (EBUSY)', () => {
    const k = new Kernel({ modules: [{ name: 'perm', version: '1', init: () => 0 }] });
    k.modules.load('perm');
    expect(k.proc.read('/proc/modules')).toBe('perm 0 0 [permanent], Live 0x0000000000000000\n');
    expect(errnoOf(() => k.modules.unload('perm'))).toBe('EBUSY');
  });

  it('an init that fails (or throws) leaves nothing behind and the error reaches modprobe', () => {
    const k = new Kernel({
      modules: [
        lib('base'),
        lib('bad', { depends: ['base'], init: () => -12 }),
        lib('throws', {
          init: () => {
            throw new Error('boom');
          },
        }),
      ],
    });
    expect(errnoOf(() => k.modules.load('bad'))).toBe('ENOMEM');
    expect(k.modules.list()).toEqual([{ name: 'base', refcnt: 0, state: 'Live', usedBy: [] }]);
    expect(errnoOf(() => k.modules.load('throws'))).toBe('EINVAL');
    expect(k.log.some((l) => l.includes('throws: init threw: boom'))).toBe(true);
  });

  it('refuses a module built for another core ABI with ENOEXEC naming both versions', () => {
    const k = new Kernel({ modules: [lib('old', { abi: '0.9' })] });
    expect(errnoOf(() => k.modules.load('old'))).toBe('ENOEXEC');
    expect(k.log.at(-1)).toMatch(/built for core ABI 0\.9, core is 1\.0/);
  });

  it('refuses malformed descriptors when the kernel is created', () => {
    expect(() => new Kernel({ modules: [{ ...lib('x'), extra: 1 } as unknown as ModuleDescriptor] })).toThrow(
      /unknown key 'extra'/,
    );
    expect(() => new Kernel({ modules: [{ name: 'x y', version: '1', init: () => 0 }] })).toThrow(
      /name must be/,
    );
    expect(() => new Kernel({ modules: [lib('a'), { ...lib('a') }] })).toThrow(
      /two different modules named 'a'/,
    );
  });

  it('a dependency cycle is refused (ELOOP) and loads nothing', () => {
    const k = new Kernel({ modules: [lib('a', { depends: ['b'] }), lib('b', { depends: ['a'] })] });
    expect(errnoOf(() => k.modules.load('a'))).toBe('ELOOP');
    expect(k.modules.list()).toEqual([]);
  });
});

describe('defineModule', () => {
  const def = {
    name: 'lib_x',
    version: '1.2.3',
    abi: '1.0',
    description: 'a library module',
    license: 'MIT',
    init: () => 0,
  };

  it('returns a frozen descriptor with aliases and depends always present, which the loader accepts', () => {
    const d = defineModule({ ...def, aliases: ['net-pf-40'] });
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.aliases)).toBe(true);
    expect(d.aliases).toEqual(['net-pf-40']);
    expect(d.depends).toEqual([]);
    expect(() => {
      (d as { version: string }).version = '9';
    }).toThrow(TypeError);
    const k = new Kernel({ modules: [d] });
    k.spawn({}).modprobe('net-pf-40');
    expect(k.modules.list()).toMatchObject([{ name: 'lib_x', state: 'Live' }]);
  });

  it('copies the arrays it is given, so the caller cannot change a defined module', () => {
    const aliases = ['a'];
    const d = defineModule({ ...def, aliases });
    aliases.push('b');
    expect(d.aliases).toEqual(['a']);
  });

  it('refuses at definition what the loader would refuse at load, naming the module', () => {
    expect(() => defineModule({ ...def, name: 'bad name' })).toThrow(
      /invalid module descriptor 'bad name': name/,
    );
    expect(() => defineModule({ ...def, color: 'red' } as typeof def)).toThrow(/unknown key 'color'/);
    expect(() => defineModule({ ...def, license: undefined } as unknown as typeof def)).toThrow(
      /lib_x: license must be a string/,
    );
  });
});

describe('Unwind', () => {
  it('undoes the pushed steps last first, once, and returns the errno it was given', () => {
    const done: string[] = [];
    const unwind = new Unwind();
    unwind.push(() => done.push('proto_unregister'));
    unwind.push(() => done.push('sock_unregister'));
    expect(unwind.fail(-12)).toBe(-12);
    expect(done).toEqual(['sock_unregister', 'proto_unregister']);
    unwind.unwind();
    expect(done).toHaveLength(2);
  });
});
