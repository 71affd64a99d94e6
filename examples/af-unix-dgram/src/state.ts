/**
 * Per-kernel and per-namespace state. Several kernels can live in one process, and a module's init runs
 * once per kernel, so nothing is kept in module-level variables except these keyed tables.
 */
import type { Kernel } from '@ksock/core';
import { type Net, net_generic } from '@ksock/core/kernel';
import type { UnixNet, UnixState } from './unix_sock.js';

/** One UnixState per kernel the module is loaded in. */
export const states = new WeakMap<Kernel, UnixState>();

/** The key of af_unix's per-namespace data (net_generic(net, unix_net_id)). */
export const unix_net_id = {};

export function state_of(kernel: Kernel): UnixState {
  const st = states.get(kernel);
  if (st === undefined) throw new Error('ksock: af_unix is not loaded in this kernel');
  return st;
}

/** net->unx. */
export function unix_net(net: Net): UnixNet {
  const un = net_generic<UnixNet>(net, unix_net_id);
  if (un === undefined) throw new Error(`ksock: af_unix has no state for ${net.traceLabel()}`);
  return un;
}
