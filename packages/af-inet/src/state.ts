/**
 * af_inet's per-kernel state, what net/ipv4/af_inet.c keeps in static variables (several kernels can live
 * in one process): the ops tables and protos built at module init with owner = the module, the inetsw
 * lists, and the global counters.
 */
import type { Kernel } from '@ksock/core';
import { type Module, type Proto, type ProtoOps, perKernel, type Unwind } from '@ksock/core/kernel';

/** struct inet_protosw (include/net/protocol.h). */
export interface InetProtosw {
  readonly type: number;
  /** The L4 protocol number; IPPROTO_IP (0) is a wildcard. */
  readonly protocol: number;
  readonly prot: Proto;
  readonly ops: ProtoOps;
  readonly flags: number;
}

export interface InetState {
  mod: Module;
  /** inetsw[SOCK_MAX]: one ordered list per socket type. */
  inetsw: InetProtosw[][];
  tcp_prot: Proto;
  udp_prot: Proto;
  raw_prot: Proto;
  ping_prot: Proto;
  udplite_prot: Proto;
  inet_stream_ops: ProtoOps;
  inet_dgram_ops: ProtoOps;
  inet_sockraw_ops: ProtoOps;
  /** tcp_sockets_allocated (global in Linux too). */
  tcp_sockets_allocated: number;
  /** inet_init()'s unwind list: inet_exit() runs it. */
  unwind: Unwind;
}

const states = perKernel<InetState>();

export function inet_state(kernel: Kernel): InetState {
  const s = states.get(kernel);
  if (s === undefined) throw new Error('ksock: af_inet is not loaded in this kernel');
  return s;
}

export function inet_state_or_null(kernel: Kernel): InetState | null {
  return states.get(kernel) ?? null;
}

export function set_inet_state(kernel: Kernel, s: InetState | null): void {
  if (s === null) states.delete(kernel);
  else states.set(kernel, s);
}
