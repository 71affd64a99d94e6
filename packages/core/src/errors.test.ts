import { afterEach, describe, expect, it } from 'vitest';
import { KernelError } from './errors.js';
import { Kernel } from './kernel.js';
import { ECONNREFUSED } from './uapi/errno.js';

const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number };

afterEach(() => {
  KernelError.stackFrames = undefined;
});

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

  it('records no frames with stackFrames 0, and leaves Error.stackTraceLimit as it was', () => {
    const before = V8Error.stackTraceLimit;
    KernelError.stackFrames = 0;
    const e = new KernelError(ECONNREFUSED, 'sendto');
    expect(e.stack).toBe('KernelError: sendto: ECONNREFUSED');
    expect(V8Error.stackTraceLimit).toBe(before);
    expect(new Error('x').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('applies to errors thrown by syscalls', () => {
    KernelError.stackFrames = 0;
    const task = new Kernel().spawn({ uid: 1000 });
    let thrown: unknown;
    try {
      task.close(99);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelError);
    expect((thrown as KernelError).stack).toBe('KernelError: close: EBADF');
  });

  it('with stackFrames 0 skips Error itself but reads as the same error', () => {
    KernelError.stackFrames = 0;
    const e = new KernelError(ECONNREFUSED, 'sendto', 'no portid 0');
    expect(e).toBeInstanceOf(KernelError);
    expect(e).toBeInstanceOf(Error);
    // Not a native error object: no [[ErrorData]] slot (util.types.isNativeError() is false too).
    expect(Object.prototype.toString.call(e)).toBe('[object Object]');
    expect(e.name).toBe('KernelError');
    expect(e.message).toBe('sendto: ECONNREFUSED (no portid 0)');
    expect(String(e)).toBe('KernelError: sendto: ECONNREFUSED (no portid 0)');
    expect(e.stack).toBe('KernelError: sendto: ECONNREFUSED (no portid 0)');
    expect(Object.keys(e)).toEqual(['code', 'errno', 'syscall']);
    expect({ code: e.code, errno: e.errno, syscall: e.syscall }).toEqual({
      code: 'ECONNREFUSED',
      errno: 111,
      syscall: 'sendto',
    });
    expect(() => {
      throw e;
    }).toThrow(new KernelError(ECONNREFUSED, 'sendto', 'no portid 0'));
  });

  it('keeps native errors with stackFrames above 0', () => {
    KernelError.stackFrames = 1;
    const e = new KernelError(ECONNREFUSED, 'sendto');
    expect(Object.prototype.toString.call(e)).toBe('[object Error]');
    expect(e.stack?.split('\n').length).toBe(2);
  });

  it('falls back to a full stack when Error.stackTraceLimit cannot be written', () => {
    const desc = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
    Object.defineProperty(Error, 'stackTraceLimit', { ...desc, writable: false });
    try {
      KernelError.stackFrames = 1;
      const e = new KernelError(ECONNREFUSED, 'sendto');
      expect(e.code).toBe('ECONNREFUSED');
      expect(e.stack?.split('\n').length).toBeGreaterThan(2);
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', desc);
    }
  });
});
