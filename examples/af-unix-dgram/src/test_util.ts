import { AF_UNIX, errnoNames, type Kernel, Kernel as KernelClass, SOCK_DGRAM } from '@ksock/core';
import { expect } from 'vitest';
import linux from './__fixtures__/linux-6.18.json' with { type: 'json' };
import unix from './index.js';

/** What Linux 6.18 answered to __fixtures__/probe.c. */
export const LINUX = linux as unknown as Record<string, number | string>;

/** The errno name of a recorded negative answer ('OK' for a non-negative one). */
export function linuxErrno(key: string): string {
  const v = LINUX[key];
  if (typeof v !== 'number') throw new Error(`fixture ${key} is not a number`);
  return v < 0 ? errnoNames[-v]! : 'OK';
}

export function boot(): { k: Kernel; t: ReturnType<Kernel['spawn']> } {
  const k = new KernelClass({ modules: unix });
  return { k, t: k.spawn() };
}

export function dgram(t: ReturnType<Kernel['spawn']>): number {
  return t.socket(AF_UNIX, SOCK_DGRAM, 0);
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Everything that must return to its starting value once every socket is closed. */
export function counters(k: Kernel) {
  return {
    modules: k.modules.list().map((m) => `${m.name}:${m.refcnt}`),
    sock_inode_cache: k.sock_inode_cache.active_objs,
    nr_files: k.nr_files,
    sk_allocated: k.sk_allocated,
    sockets_used: k.net_namespace_list.map((n) => n.sock_inuse),
    slabs: k.slabs.map((s) => `${s.name}:${s.active_objs}`),
  };
}

/** The /proc/net/unix row of the socket behind `fd`, without the leading "Num: " column. */
export function procRow(k: Kernel, t: ReturnType<Kernel['spawn']>, fd: number): string | undefined {
  const ino = /socket:\[(\d+)\]/.exec(k.proc.readlink(`/proc/${t.pid}/fd/${fd}`, t))![1]!;
  for (const line of k.proc.read('/proc/net/unix', t).split('\n').slice(1)) {
    const cols = line.slice(line.indexOf(':') + 2);
    if (cols.split(/\s+/)[5] === ino) return cols;
  }
  return undefined;
}

/** A /proc row with the inode column replaced, to compare with Linux's (whose inode numbers differ). */
export function rowShape(row: string | undefined): string {
  expect(row).toBeDefined();
  return row!.replace(/^((?:\S+ ){5})\s*\d+/, '$1INO');
}
