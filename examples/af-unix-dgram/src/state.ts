/**
 * Per-kernel and per-namespace state: what net/unix/af_unix.c keeps in static variables and in struct
 * netns_unix (include/net/netns/unix.h). Several kernels can live in one process, and a module's init runs
 * once per kernel, so nothing is kept in module-level variables except these tables, whose entries live
 * on the kernel and the namespace themselves (core's perKernel() and perNet()).
 */
import type { Kernel } from '@ksock/core';
import { type Net, perKernel, perNet } from '@ksock/core/kernel';
import type { UnixNet, UnixState } from './unix_sock.js';

/** One UnixState per kernel the module is loaded in. */
export const states = perKernel<UnixState>();

/** net->unx: af_unix's per-namespace data, filled by its pernet operations. */
export const unix_nets = perNet<UnixNet>();

export function state_of(kernel: Kernel): UnixState {
  const st = states.get(kernel);
  if (st === undefined) throw new Error('ksock: af_unix is not loaded in this kernel');
  return st;
}

/** net->unx. */
export function unix_net(net: Net): UnixNet {
  const un = unix_nets.get(net);
  if (un === undefined) throw new Error(`ksock: af_unix has no state for ${net.traceLabel()}`);
  return un;
}
