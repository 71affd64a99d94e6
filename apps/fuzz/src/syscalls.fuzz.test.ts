/**
 * Model-free syscall fuzzing across every family and several tasks. Each program is a random list of
 * calls (socket, bind, connect, send/recv and their mmsg batches, options, listen/accept, shutdown, close, dup, fcntl, malformed
 * netlink requests, fork, execve, exit, setuid, unshare(CLONE_NEWNET), modprobe, rmmod) from root, an
 * unprivileged user and tasks it forks or spawns, on good, bad, closed and non-socket descriptors with NaN,
 * negative, fractional and huge numbers and short, long and mutated addresses. Invariants:
 *  - every failure is a KernelError carrying a Linux errno name, never another exception, never a hang;
 *  - once every task has exited and init closed its descriptors, the kernel is where a fresh kernel with
 *    the same modules loaded is: module refcounts, sock_inode_cache, nr_files, sk_allocated, sockstat,
 *    /proc/net/{netlink,tcp,udp,raw,rfcomm,l2cap,sco,hci,protocols}, no namespace or task left behind;
 *  - every module then unloads, and the kernel is back at zero.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, budgets, diff, LONG, referenceFor, runProperty, snapshot, unloadAll } from './harness.js';
import { type Op, programArb, Runner } from './program.js';

const EMPTY = snapshot(boot());

/** Run a program; a description of the first broken invariant, or null. */
function check(program: Op[], stats?: Map<string, number>): string | null {
  const k = boot();
  const r = new Runner(k);
  for (let i = 0; i < program.length; i++) {
    const t0 = performance.now();
    const bad = r.run(program[i]!);
    if (bad !== null) return `op ${i} ${JSON.stringify(program[i])}: ${bad}`;
    const ms = performance.now() - t0;
    if (ms > 2000) return `op ${i} ${JSON.stringify(program[i])} took ${Math.round(ms)} ms`;
  }
  const fin = r.finish();
  if (fin !== null) return fin;
  if (stats) for (const [e, n] of r.errnos) stats.set(e, (stats.get(e) ?? 0) + n);
  const leaks = diff(snapshot(k), referenceFor(k));
  if (leaks.length > 0) return `after every task exited:\n  ${leaks.join('\n  ')}`;
  const refused = unloadAll(k);
  if (refused.length > 0) return `rmmod refused after every task exited: ${refused.join('; ')}`;
  const rest = diff(snapshot(k), EMPTY);
  if (rest.length > 0) return `after every module was unloaded:\n  ${rest.join('\n  ')}`;
  return null;
}

describe('random syscall programs', () => {
  for (const b of budgets({
    numRuns: 1500,
    timeLimit: 8_000,
    random: 2,
    longRuns: 200_000,
    longLimit: 180_000,
  })) {
    it(`seed ${b.seed}: only Linux errnos, nothing leaks after every task exits`, {
      timeout: LONG ? 900_000 : 60_000,
    }, () => {
      const stats = new Map<string, number>();
      const prop = fc.property(programArb(LONG ? 120 : 60), (program) => {
        const bad = check(program, stats);
        if (bad !== null) throw new Error(bad);
      });
      const runs = runProperty('syscalls', prop, b);
      expect(runs).toBeGreaterThan(0);
      const top = [...stats].sort((a, c) => c[1] - a[1]);
      console.log(`syscalls: errnos seen ${top.map(([e, n]) => `${e}×${n}`).join(' ')}`);
    });
  }
});
