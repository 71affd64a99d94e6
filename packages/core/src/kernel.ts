/**
 * One ksock machine: what Linux keeps in global variables and sets up at boot (start_kernel() in init/main.c:
 * files_init(), sock_init() in net/socket.c, net_ns_init(), the module list) gathered in a Kernel object,
 * so that several kernels can live in one process.
 */

import { CapSet, Cred } from './cred.js';
import type { NetdevNotifier } from './dev.js';
import { loopback_net_init } from './dev.js';
import { FaultInjector } from './fault.js';
import type { FileOperations } from './file.js';
import { close_fd, File, FilesStruct } from './file.js';
import type { ModuleDescriptor } from './module.js';
import { ModuleTable } from './module.js';
import type { PernetOperations } from './net_namespace.js';
import { Net, put_net, register_pernet_subsys, setup_net } from './net_namespace.js';
import { KERNEL_SLOTS } from './per_kernel.js';
import { ProcFs } from './proc.js';
import type { ProcEventNotifier } from './proc_events.js';
import { proc_event } from './proc_events.js';
import { RandomState, random_seed } from './random.js';
import { in_kernel } from './sched.js';
import type { SecurityHooks } from './security.js';
import { KmemCache } from './slab.js';
import { PROTO_INUSE_NR, type Proto } from './sock.js';
import type { NetProtoFamily } from './socket.js';
import { global_int, SysctlRegistry } from './sysctl.js';
import type { SpawnOptions } from './task.js';
import { Task } from './task.js';
import type { TraceEvent } from './trace.js';
import { Tracer } from './trace.js';
import { ENOMEM } from './uapi/errno.js';
import { INR_OPEN_CUR, NR_OPEN, O_RDWR } from './uapi/fcntl.js';
import { NPROTO } from './uapi/socket.js';

/**
 * PROC_DYNAMIC_FIRST (fs/proc/generic.c): the first inode number proc_alloc_inum() hands out, which
 * init_net took when it allocated its number like every other namespace (net:[4026531840]). Linux 6.18
 * gives init_net a fixed NET_NS_INIT_INO (0xEFFFFFF9, include/uapi/linux/nsfs.h) instead; ksock keeps the
 * dynamic number for init_net and counts up from it for every namespace created later.
 */
const PROC_DYNAMIC_FIRST = 0xf0000000;

/** A module descriptor, or (nested) arrays of them: a family package's default export is either. */
export type ModuleList = ModuleDescriptor | readonly ModuleList[];

export interface KernelOptions {
  /** The modules available to load (what /lib/modules holds). None is loaded until something asks. */
  modules?: ModuleList;
  /** The default RLIMIT_NOFILE soft limit of new tasks (Linux: 1024). */
  rlimit_nofile?: number;
  /** fs.file-max: open files system-wide before ENFILE (default 2097152). */
  file_max?: number;
  /** fs.nr_open: the largest fd table (default 1048576). */
  nr_open?: number;
  /**
   * The seed of the kernel's random numbers (ephemeral ports, autobind portids, MAC addresses): two
   * kernels with the same seed and the same calls draw the same numbers. Default: a random seed, which
   * `kernel.options.random_seed` then shows, so a run can be replayed.
   */
  random_seed?: number;
}

/** The result of `kernel.trace()`: it never throws; what the callback threw is in `error`. */
export interface TraceResult<T> {
  result: T | undefined;
  error: unknown;
  events: TraceEvent[];
  /** The trace as ftrace's function_graph tracer prints it. */
  text: string;
}

/** sysctl_rmem_default etc.: 256 packets of SKB_TRUESIZE(256) = 212992 bytes (net/core/sock.c). */
const SK_RMEM_MAX = 256 * (256 + 576);

function flatten(list: ModuleList | undefined, out: ModuleDescriptor[]): ModuleDescriptor[] {
  if (list === undefined) return out;
  if (Array.isArray(list)) for (const l of list) flatten(l as ModuleList, out);
  else out.push(list as ModuleDescriptor);
  return out;
}

/**
 * A booted kernel: sockfs mounted, init_net with its loopback device, the core sysctls, the init task
 * (pid 1, root), and the modules it may load on demand.
 */
export class Kernel {
  readonly options: Required<Omit<KernelOptions, 'modules'>>;
  readonly tracer = new Tracer();
  readonly faults = new FaultInjector();
  /** The generator behind get_random_u32() and its helpers (random.ts). */
  readonly random: RandomState;
  readonly modules: ModuleTable;
  readonly sysctl = new SysctlRegistry();
  readonly proc: ProcFs;
  /** net_families[NPROTO] (net/socket.c). */
  readonly net_families: Array<NetProtoFamily | null> = new Array<NetProtoFamily | null>(NPROTO).fill(null);
  /** proto_list: every registered struct proto, newest first (net/core/sock.c). */
  readonly proto_list: Proto[] = [];
  /** proto_inuse_idx: the prot_inuse slots taken (assign_proto_idx()), one byte per slot. */
  readonly proto_inuse_idx = new Uint8Array(PROTO_INUSE_NR);
  /** Active security modules' hooks, in call order. */
  readonly lsm: SecurityHooks[] = [];
  readonly pernet_list: PernetOperations[] = [];
  readonly net_namespace_list: Net[] = [];
  readonly netdev_chain: NetdevNotifier[] = [];
  readonly proc_event_notifiers: ProcEventNotifier[] = [];
  readonly slabs: KmemCache[] = [];
  readonly sock_inode_cache: KmemCache;
  readonly filp_cachep: KmemCache;
  /** The kernel log (dmesg), newest last, bounded. */
  readonly log: string[] = [];
  readonly tasks = new Map<number, Task>();
  /** The modules' per-kernel data, by perKernel() slot. */
  readonly [KERNEL_SLOTS]: unknown[] = [];
  readonly init_net: Net;
  readonly init: Task;

  sysctl_rmem_default = SK_RMEM_MAX;
  sysctl_wmem_default = SK_RMEM_MAX;
  sysctl_rmem_max = SK_RMEM_MAX;
  sysctl_wmem_max = SK_RMEM_MAX;
  sysctl_file_max: number;
  sysctl_nr_open: number;
  /** Open struct files system-wide (get_nr_files()). */
  nr_files = 0;
  /** struct socks allocated and not yet freed, every family and namespace. */
  sk_allocated = 0;
  sock_cookie_gen = 0;
  warned_sock_packet = false;
  /** The taint mask (kernel/panic.c tainted_mask): add_taint() bits, `/proc/sys/kernel/tainted`. */
  tainted = 0;
  private last_ino = 0;
  private last_pid = 0;
  private net_inum = PROC_DYNAMIC_FIRST;

  constructor(options: KernelOptions = {}) {
    const seed = options.random_seed;
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
      throw new RangeError(
        `ksock: Kernel: random_seed must be an integer from 0 to 4294967295, got ${String(seed)}`,
      );
    this.options = {
      rlimit_nofile: options.rlimit_nofile ?? INR_OPEN_CUR,
      file_max: options.file_max ?? 2097152,
      nr_open: options.nr_open ?? NR_OPEN,
      random_seed: options.random_seed ?? random_seed(),
    };
    this.random = new RandomState(this.options.random_seed);
    this.sysctl_file_max = this.options.file_max;
    this.sysctl_nr_open = this.options.nr_open;
    this.modules = new ModuleTable(this);
    this.proc = new ProcFs(this);
    // sock_init(): the socket inode cache and the sockfs mount; files_init(): the filp cache.
    this.sock_inode_cache = this.kmem_cache_create('sock_inode_cache', 832);
    this.filp_cachep = this.kmem_cache_create('filp', 192);
    this.register_core_sysctls();
    this.init_net = new Net(this, this.net_inum);
    register_pernet_subsys(this, {
      init: (net) => loopback_net_init(net, net === this.init_net),
    });
    setup_net(this.init_net);
    this.init = new Task(
      this,
      this.alloc_pid(),
      null,
      new Cred(0, 0, [], CapSet.full()),
      this.init_net,
      new FilesStruct(),
      'init',
    );
    this.tasks.set(this.init.pid, this.init);
    for (const d of flatten(options.modules, [])) this.modules.add_available(d);
  }

  private register_core_sysctls(): void {
    const pos = { min: 0 };
    this.sysctl.register(
      'net/core',
      [
        global_int(
          'rmem_default',
          () => this.sysctl_rmem_default,
          (v) => {
            this.sysctl_rmem_default = v;
          },
          pos,
        ),
        global_int(
          'wmem_default',
          () => this.sysctl_wmem_default,
          (v) => {
            this.sysctl_wmem_default = v;
          },
          pos,
        ),
        global_int(
          'rmem_max',
          () => this.sysctl_rmem_max,
          (v) => {
            this.sysctl_rmem_max = v;
          },
          pos,
        ),
        global_int(
          'wmem_max',
          () => this.sysctl_wmem_max,
          (v) => {
            this.sysctl_wmem_max = v;
          },
          pos,
        ),
      ],
      false,
    );
    this.sysctl.register(
      'net/core',
      [
        {
          procname: 'somaxconn',
          mode: 0o644,
          proc_handler: 'proc_dointvec_minmax',
          extra1: 0,
          data: {
            get: (net) => net.sysctl_somaxconn,
            set: (net, v) => {
              net.sysctl_somaxconn = v as number;
            },
          },
        },
      ],
      true,
    );
    this.sysctl.register(
      'fs',
      [
        global_int(
          'file-max',
          () => this.sysctl_file_max,
          (v) => {
            this.sysctl_file_max = v;
          },
          pos,
        ),
        global_int(
          'nr_open',
          () => this.sysctl_nr_open,
          (v) => {
            this.sysctl_nr_open = v;
          },
          { min: 64, max: 0x7fffffff },
        ),
      ],
      false,
    );
    // kernel.tainted: proc_taint() only adds bits; a write cannot clear one.
    this.sysctl.register(
      'kernel',
      [
        global_int(
          'tainted',
          () => this.tainted,
          (v) => {
            this.tainted |= v;
          },
          pos,
        ),
      ],
      false,
    );
  }

  /** A new task in init_net, child of init. uid 0 has every capability; others only `caps`. */
  spawn(opts: SpawnOptions = {}): Task {
    const uid = opts.uid ?? 0;
    const gid = opts.gid ?? uid;
    for (const [k, v] of [
      ['uid', uid],
      ['gid', gid],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xfffffffe)
        throw new RangeError(`ksock: spawn: ${k} must be a uid_t, got ${v}`);
    }
    const caps = uid === 0 ? CapSet.full() : CapSet.of(opts.caps ?? []);
    const cred = new Cred(uid, gid, [...(opts.groups ?? [])], caps);
    const parent = this.init;
    const task = new Task(
      this,
      this.alloc_pid(),
      parent,
      cred,
      this.init_net,
      new FilesStruct(),
      opts.comm ?? 'task',
    );
    this.tasks.set(task.pid, task);
    if (opts.stdio ?? true) {
      try {
        for (let i = 0; i < 3; i++) task.open_devnull(O_RDWR);
      } catch (e) {
        // Like a failed fork, a spawn that cannot complete leaves nothing behind.
        this.run(() => {
          for (const [fd] of [...task.files.entries()]) close_fd(this, task.files, fd);
        }, task);
        put_net(task.nsproxy_net);
        this.reap(task);
        throw e;
      }
    }
    in_kernel(parent, () => proc_event(this, { what: 'fork', parent, child: task }));
    return task;
  }

  /**
   * Run kernel code from the host program on behalf of `task` (default: init), as if it were inside a
   * syscall of that task: `current` is set for the duration, so kernel functions that need it
   * (netlink_kernel_create, sock_create_lite…) work from tests and setup code.
   */
  run<T>(fn: () => T, task: Task = this.init): T {
    return in_kernel(task, fn);
  }

  /** Run `fn` with the function-graph tracer on. Never throws: what `fn` threw is in `error`. */
  trace<T>(fn: () => T): TraceResult<T> {
    const t = this.tracer;
    const was = t.enabled;
    const start = t.events.length;
    t.enabled = true;
    let result: T | undefined;
    let error: unknown;
    try {
      result = fn();
    } catch (e) {
      error = e;
    } finally {
      t.enabled = was;
    }
    const events = t.events.slice(start);
    if (!was) t.clear();
    return { result, error, events, text: t.format(events) };
  }

  /** printk(): a line in the kernel log (and in the trace, when one is being taken). */
  printk(msg: string): void {
    this.log.push(msg);
    if (this.log.length > 1000) this.log.shift();
    if (this.tracer.enabled) this.tracer.note(msg);
  }

  /** Mirrors get_next_ino(): unique, increasing, never 0. */
  get_next_ino(): number {
    return ++this.last_ino;
  }

  alloc_pid(): number {
    return ++this.last_pid;
  }

  /** Release a reaped task's pid. */
  reap(task: Task): void {
    task.state = 'dead';
    this.tasks.delete(task.pid);
    const p = task.parent;
    if (p !== null) {
      const i = p.children.indexOf(task);
      if (i >= 0) p.children.splice(i, 1);
    }
  }

  /** Mirrors copy_net_ns(): a new namespace with every pernet subsystem initialised. */
  copy_net_ns(): Net | number {
    if (this.faults.should_fail('copy_net_ns')) return -ENOMEM;
    this.net_inum++;
    const net = new Net(this, this.net_inum);
    const r = setup_net(net);
    if (r < 0) return r;
    return net;
  }

  /** Drop a namespace reference from outside any task (tests, host code). */
  put_net(net: Net): void {
    put_net(net);
  }

  kmem_cache_create(name: string, size: number): KmemCache {
    const c = new KmemCache(name, size);
    this.slabs.push(c);
    return c;
  }

  kmem_cache_destroy(cache: KmemCache): void {
    const i = this.slabs.indexOf(cache);
    if (i >= 0) this.slabs.splice(i, 1);
  }

  /** A non-socket file (used for /dev/null). */
  make_file(fops: FileOperations, flags: number, path: string): File {
    return new File(fops, flags, null, path, path, null);
  }
}
