/**
 * The `unix` module: what af_unix_init() and af_unix_exit() (net/unix/af_unix.c) do, per kernel.
 */
import { ENOMEM, type Kernel, PF_UNIX } from '@ksock/core';
import {
  defineModule,
  type Module,
  type Net,
  type NetProtoFamily,
  type PernetOperations,
  type Proto,
  type ProtoOps,
  proto_register,
  proto_unregister,
  register_pernet_subsys,
  sock_no_accept,
  sock_no_listen,
  sock_register,
  sock_unregister,
  Unwind,
  unregister_pernet_subsys,
} from '@ksock/core/kernel';
import pkg from '../package.json' with { type: 'json' };
import {
  unix_bind,
  unix_close,
  unix_create,
  unix_dgram_connect,
  unix_getname,
  unix_ioctl,
  unix_release,
  unix_set_peek_off,
  unix_shutdown,
  unix_socketpair,
} from './af_unix.js';
import { unix_dgram_recvmsg, unix_dgram_sendmsg } from './dgram.js';
import { unix_dgram_poll } from './poll.js';
import { proc_net_unix, unix_table } from './proc_sysctl.js';
import { state_of, states, unix_nets } from './state.js';
import { UnixNet, UnixSock, type UnixState } from './unix_sock.js';

/** sizeof(struct unix_sock) on x86-64, Linux 6.18 (/proc/net/protocols, "UNIX" row). */
export const UNIX_SOCK_SIZE = 1152;

/** Mirrors unix_net_init() / unix_net_exit(): per-namespace tables and the sysctl's default. */
const unix_net_ops: PernetOperations = {
  init(net: Net): number {
    unix_nets.set(net, new UnixNet());
    return 0;
  },
  exit(net: Net): void {
    unix_nets.delete(net);
  },
};

/**
 * Mirrors af_unix_init(): the proto (with its own slab, as proto_register(&unix_dgram_proto, 1)), the
 * family, the per-namespace state; then the sysctl table and /proc/net/unix, which Linux creates from its
 * pernet init and which ksock registers once with a per-namespace view. Every step is undone on failure.
 */
function af_unix_init(kernel: Kernel, mod: Module): number {
  // Each kernel gets its own tables, owned by this kernel's Module instance (THIS_MODULE).
  const proto: Proto = {
    name: 'UNIX',
    owner: mod,
    obj_size: UNIX_SOCK_SIZE,
    sk_class: UnixSock,
    close: unix_close,
  };
  const ops: ProtoOps = {
    family: PF_UNIX,
    owner: mod,
    release: unix_release,
    bind: unix_bind,
    connect: unix_dgram_connect,
    socketpair: unix_socketpair,
    accept: sock_no_accept,
    getname: unix_getname,
    listen: sock_no_listen,
    shutdown: unix_shutdown,
    sendmsg: unix_dgram_sendmsg,
    recvmsg: unix_dgram_recvmsg,
    ioctl: unix_ioctl,
    set_peek_off: unix_set_peek_off,
    poll: unix_dgram_poll,
  };
  const family: NetProtoFamily = { family: PF_UNIX, create: unix_create, owner: mod };
  const st: UnixState = {
    mod,
    proto,
    ops,
    family,
    fs: new Map(),
    nr_socks: 0,
    unregister_sysctl: null,
    remove_proc: null,
  };

  // Each step that succeeds pushes its undo; a failure unwinds them, last first (Linux's goto labels).
  const unwind = new Unwind();
  let err = proto_register(kernel, proto, true);
  if (err < 0) return err; // goto out
  unwind.push(() => proto_unregister(kernel, proto));
  states.set(kernel, st);
  unwind.push(() => states.delete(kernel));
  err = sock_register(kernel, family);
  if (err < 0) return unwind.fail(err);
  unwind.push(() => sock_unregister(kernel, PF_UNIX));
  err = register_pernet_subsys(kernel, unix_net_ops);
  if (err < 0) return unwind.fail(err);
  unwind.push(() => unregister_pernet_subsys(kernel, unix_net_ops));
  // Both throw when the name is taken (another module registered it): Linux's unix_net_init() fails
  // with ENOMEM when register_net_sysctl() or proc_create_net() does.
  try {
    const unregister_sysctl = kernel.sysctl.register('net/unix', unix_table, true);
    unwind.push(unregister_sysctl);
    st.unregister_sysctl = unregister_sysctl;
    st.remove_proc = kernel.proc.create_net('unix', (net) => proc_net_unix(net));
  } catch {
    return unwind.fail(-ENOMEM);
  }
  return 0;
}

/**
 * Mirrors af_unix_exit(). rmmod only gets here once no socket holds a module reference, so every
 * table is empty.
 */
function af_unix_exit(kernel: Kernel, _mod: Module): void {
  const st = state_of(kernel);
  st.remove_proc?.();
  st.unregister_sysctl?.();
  sock_unregister(kernel, PF_UNIX);
  unregister_pernet_subsys(kernel, unix_net_ops);
  proto_unregister(kernel, st.proto);
  states.delete(kernel);
}

/**
 * The module descriptor (unix.ko). `abi` is the core ABI this source was written against, a literal on
 * purpose: importing KSOCK_ABI would always equal the running core and check nothing.
 */
export const unix_module = defineModule({
  name: 'unix',
  version: pkg.version,
  aliases: ['net-pf-1'],
  abi: '1.0',
  description: 'AF_UNIX datagram sockets (an example third-party family)',
  license: 'MIT',
  init: af_unix_init,
  exit: af_unix_exit,
});
