import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { Kernel } from './kernel.js';
import { current } from './sched.js';
import { sock_alloc } from './socket.js';
import { call_ops, tracepoint } from './trace.js';
import { AF_VSOCK, SOCK_DGRAM } from './uapi/socket.js';

describe('tracer', () => {
  it('is off by default and records nothing', () => {
    const fam = testFamily(AF_VSOCK);
    const k = new Kernel({ modules: fam.module });
    const t = k.spawn({});
    t.close(t.socket(AF_VSOCK, SOCK_DGRAM, 0));
    expect(k.tracer.enabled).toBe(false);
    expect(k.tracer.events).toEqual([]);
  });

  it('trace() never throws, returns events in call order with depth and errno, and an ftrace-style text', () => {
    const k = new Kernel();
    const t = k.spawn({});
    const r = k.trace(() => t.socket(AF_VSOCK, SOCK_DGRAM, 0));
    expect(r.result).toBeUndefined();
    expect(r.error).toMatchObject({ code: 'EAFNOSUPPORT', errno: 97, syscall: 'socket' });
    expect(r.events[0]).toMatchObject({ name: '__sys_socket', depth: 0, ret: -97, errno: 'EAFNOSUPPORT' });
    expect(r.events[1]).toMatchObject({ name: 'sock_create', depth: 1 });
    expect(r.text.split('\n')[0]).toMatch(/^\s+\| __sys_socket\(family=40, type=0x2, protocol=0\) \{$/);
    expect(r.text.split('\n').at(-1)).toMatch(/\| \} \/\* __sys_socket = -97 EAFNOSUPPORT \*\/$/);
    expect(k.tracer.enabled).toBe(false);
  });

  it('subscribers see entries and exits as they happen', () => {
    const k = new Kernel();
    const t = k.spawn({});
    const seen: string[] = [];
    const off = k.tracer.subscribe((ev, phase) => seen.push(`${phase}:${ev.name}`));
    k.trace(() => t.socket(AF_VSOCK, SOCK_DGRAM, 0));
    off();
    expect(seen.slice(0, 3)).toEqual(['entry:__sys_socket', 'entry:sock_create', 'entry:__sock_create']);
    expect(seen.at(-1)).toBe('exit:__sys_socket');
  });
});

describe('trace points', () => {
  it('hold the bare function while no tracer is on, a recording wrapper while any is', () => {
    const bare = sock_alloc;
    const a = new Kernel();
    const b = new Kernel();
    a.tracer.enabled = true;
    const wrapped = sock_alloc;
    expect(wrapped).not.toBe(bare);
    b.tracer.enabled = true;
    a.tracer.enabled = false;
    expect(sock_alloc).toBe(wrapped); // b still traces
    b.tracer.enabled = false;
    expect(sock_alloc).toBe(bare);
    a.tracer.enabled = false; // turning off twice changes nothing
    expect(sock_alloc).toBe(bare);
  });

  it('record under their name and formatter, also when called bare through call_ops', () => {
    let double = (x: number): number => 2 * x;
    const bare = double;
    tracepoint(
      double,
      'kdouble',
      (x) => `x=${x}`,
      (f) => {
        double = f;
      },
    );
    const ops = { op: double }; // a table filled before tracing began
    const k = new Kernel();
    const r = k.trace(() => k.run(() => [double(2), call_ops(ops.op, 'ops->op', 3), bare(4)]));
    expect(r.result).toEqual([4, 6, 8]);
    expect(r.events.map((e) => `${e.name}(${e.args}) = ${e.ret}`)).toEqual([
      'kdouble(x=2) = 4',
      'kdouble(x=3) = 6',
    ]);
    expect(double).toBe(bare);
  });
});

describe('kernel.run', () => {
  it('runs kernel code from the host as init (or a given task), restoring the previous context', () => {
    const k = new Kernel();
    const t = k.spawn({ uid: 1000 });
    expect(k.run(() => current().pid)).toBe(1);
    expect(k.run(() => current().cred.uid, t)).toBe(1000);
    expect(() => current()).toThrow(/outside a kernel entry/);
  });
});
