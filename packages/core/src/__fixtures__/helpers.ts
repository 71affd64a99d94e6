import { expect } from 'vitest';
import type { Kernel } from '../kernel.js';

/** Assert that `fn` throws a KernelError with errno name `code` (and syscall, if given). */
export function expectErrno(fn: () => unknown, code: string, syscall?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code}`).toMatchObject(
    syscall ? { name: 'KernelError', code, syscall } : { name: 'KernelError', code },
  );
}

/** What must return to its starting value after every socket is closed. */
export function counters(k: Kernel) {
  return {
    modules: k.modules.list().map((m) => `${m.name}:${m.refcnt}`),
    sock_inode_cache: k.sock_inode_cache.active_objs,
    filp: k.filp_cachep.active_objs,
    nr_files: k.nr_files,
    sk_allocated: k.sk_allocated,
    sockets_used: k.init_net.sock_inuse,
  };
}
