import type { Task } from '@ksock/core';
import { Kernel } from '@ksock/core';
import type { ModuleDescriptor, Sock, Socket } from '@ksock/core/kernel';
import { fcheck, sock_from_file } from '@ksock/core/kernel';
import af_inet from '../index.js';

/** A kernel with af_inet available (loaded on the first socket(AF_INET, …)). */
export function boot(extra: ModuleDescriptor[] = [], random_seed?: number): Kernel {
  return new Kernel({ modules: [af_inet, ...extra], random_seed });
}

/** The struct socket behind a task's fd. */
export function socket_of(t: Task, fd: number): Socket {
  const f = fcheck(t.files, fd);
  if (f === null) throw new Error(`no fd ${fd}`);
  return sock_from_file(f)!;
}

/** The struct sock behind a task's fd. */
export function sk_of<T extends Sock = Sock>(t: Task, fd: number): T {
  return socket_of(t, fd).sk as T;
}
