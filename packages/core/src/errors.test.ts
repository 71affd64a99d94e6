import { describe, expect, it } from 'vitest';
import { KernelError } from './errors.js';
import { Kernel } from './kernel.js';
import { ECONNREFUSED } from './uapi/errno.js';

describe('KernelError', () => {
  it('carries code, errno, syscall and a message naming them', () => {
    const e = new KernelError(ECONNREFUSED, 'sendto', 'no portid 0');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('KernelError');
    expect({ code: e.code, errno: e.errno, syscall: e.syscall }).toEqual({
      code: 'ECONNREFUSED',
      errno: 111,
      syscall: 'sendto',
    });
    expect(e.message).toBe('sendto: ECONNREFUSED (no portid 0)');
    expect(String(e)).toBe('KernelError: sendto: ECONNREFUSED (no portid 0)');
    expect(Object.keys(e)).toEqual(['code', 'errno', 'syscall']);
  });

  it('records a stack like any Error by default', () => {
    const e = new KernelError(ECONNREFUSED, 'sendto');
    expect(e.stack?.split('\n')[0]).toBe('KernelError: sendto: ECONNREFUSED');
    expect(e.stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('is what syscalls throw', () => {
    const task = new Kernel().spawn({ uid: 1000 });
    let thrown: unknown;
    try {
      task.close(99);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelError);
    expect(Object.prototype.toString.call(thrown)).toBe('[object Error]');
    expect((thrown as KernelError).stack?.split('\n')[0]).toBe('KernelError: close: EBADF');
  });
});
