import type { Kernel } from '../kernel.js';

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
