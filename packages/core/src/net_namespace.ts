/**
 * net/core/net_namespace.c and include/net/net_namespace.h: struct net, its reference count, the pernet
 * operations run for every namespace (register_pernet_subsys(), setup_net(), cleanup_net()) and
 * net_generic() (include/net/netns/generic.h).
 */

import type { NetDevice } from './dev.js';
import type { Kernel } from './kernel.js';
import { NET_SLOTS } from './per_kernel.js';
import { PROTO_INUSE_NR } from './sock.js';

/**
 * struct net: a network namespace (include/net/net_namespace.h). Holds what is per namespace in Linux:
 * the devices, the per-protocol socket counts, the namespace sysctls, and families' per-net data
 * (net_generic()).
 */
export class Net {
  /** Active references: tasks whose nsproxy points here and user sockets (sk_net_refcnt). */
  count = 0;
  /** sock_inuse: user sockets alive in this namespace (/proc/net/sockstat "sockets: used"). */
  sock_inuse = 0;
  /** prot_inuse: sockets in use per proto, at the proto's inuse_idx (sock_prot_inuse_add()). */
  readonly prot_inuse = new Int32Array(PROTO_INUSE_NR);
  readonly gen = new Map<object, unknown>();
  /** The modules' per-namespace data, by perNet() slot. */
  readonly [NET_SLOTS]: unknown[] = [];
  /** Network devices by ifindex order (dev_base_head). */
  readonly dev_base: NetDevice[] = [];
  ifindex = 0;
  loopback_dev: NetDevice | null = null;
  /** net.core.somaxconn (per namespace in Linux). */
  sysctl_somaxconn = 4096;
  /** True once cleanup_net() ran. */
  dead = false;

  readonly kernel: Kernel;
  /** The namespace's inode number, as readlink(/proc/<pid>/ns/net) shows it: net:[inum]. */
  readonly inum: number;

  constructor(kernel: Kernel, inum: number) {
    this.kernel = kernel;
    this.inum = inum;
  }

  traceLabel(): string {
    return `net:[${this.inum}]`;
  }
}

/**
 * Per-namespace setup and teardown that a subsystem registers (struct pernet_operations): `init` runs for
 * every existing namespace at registration and for each new one; `exit` at unregistration and when a
 * namespace dies.
 */
export interface PernetOperations {
  init?(net: Net): number;
  exit?(net: Net): void;
}

/** Mirrors get_net(). */
export function get_net(net: Net): Net {
  net.count++;
  return net;
}

/** Mirrors put_net(): the last reference tears the namespace down (cleanup_net) — never init_net. */
export function put_net(net: Net): void {
  if (--net.count === 0 && net !== net.kernel.init_net) cleanup_net(net);
}

/** Mirrors sock_inuse_add(). */
export function sock_inuse_add(net: Net, val: number): void {
  net.sock_inuse += val;
}

/** Mirrors net_generic(): a subsystem's per-namespace data, keyed by an object the subsystem owns. */
export function net_generic<T>(net: Net, id: object): T | undefined {
  return net.gen.get(id) as T | undefined;
}

export function net_assign_generic(net: Net, id: object, data: unknown): void {
  net.gen.set(id, data);
}

/** Mirrors setup_net(): run every registered pernet init; on failure undo the ones that ran. */
export function setup_net(net: Net): number {
  const ops = net.kernel.pernet_list;
  for (let i = 0; i < ops.length; i++) {
    const r = ops[i]!.init?.(net) ?? 0;
    if (r < 0) {
      for (let j = i - 1; j >= 0; j--) ops[j]!.exit?.(net);
      return r;
    }
  }
  net.kernel.net_namespace_list.push(net);
  return 0;
}

/** Mirrors cleanup_net(): pernet exits in reverse order, then the namespace leaves the list. */
export function cleanup_net(net: Net): void {
  const k = net.kernel;
  for (let i = k.pernet_list.length - 1; i >= 0; i--) k.pernet_list[i]!.exit?.(net);
  const i = k.net_namespace_list.indexOf(net);
  if (i >= 0) k.net_namespace_list.splice(i, 1);
  net.dead = true;
}

/** Mirrors register_pernet_subsys(): init for every live namespace now, and for each created later. */
export function register_pernet_subsys(kernel: Kernel, ops: PernetOperations): number {
  const done: Net[] = [];
  for (const net of kernel.net_namespace_list) {
    const r = ops.init?.(net) ?? 0;
    if (r < 0) {
      for (const n of done) ops.exit?.(n);
      return r;
    }
    done.push(net);
  }
  kernel.pernet_list.push(ops);
  return 0;
}

/** Mirrors unregister_pernet_subsys(). */
export function unregister_pernet_subsys(kernel: Kernel, ops: PernetOperations): void {
  const i = kernel.pernet_list.indexOf(ops);
  if (i < 0) return;
  kernel.pernet_list.splice(i, 1);
  for (const net of kernel.net_namespace_list) ops.exit?.(net);
}
