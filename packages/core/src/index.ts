/**
 * @ksock/core — the Linux kernel socket layer: sockfs, net_families, loadable modules, tasks and fd
 * tables, network namespaces, sysctls, the socket syscalls, a function-graph tracer and /proc views.
 */
export * from './uapi/errno.js';
export * from './uapi/socket.js';
export * from './uapi/fcntl.js';
export * from './uapi/capability.js';
export * from './uapi/sched.js';
export * from './uapi/tcp_states.js';
export * from './uapi/if.js';

export { KernelError, IS_ERR, errname } from './errors.js';
export { Kernel } from './kernel.js';
export type { KernelOptions, ModuleList, TraceResult } from './kernel.js';
export { Task } from './task.js';
export type { RawSyscalls, RecvResult, SpawnOptions, UserMsg } from './task.js';
export { MMSG_VLEN_MAX, type Timespec } from './uaccess.js';
export { current } from './sched.js';

// Modules (kernel/module)
export {
  KSOCK_ABI,
  Module,
  ModuleTable,
  try_module_get,
  __module_get,
  module_put,
  module_name,
  request_module,
  check_descriptor,
} from './module.js';
export type { ModuleDescriptor, ModuleInfo, ModuleState } from './module.js';

// Sockets (net/socket.c)
export {
  Socket,
  SockInode,
  SOCKET_I,
  SOCK_INODE,
  SOCKFS_MAGIC,
  sockfs_ops,
  sock_alloc,
  sock_release,
  __sock_release,
  sock_alloc_file,
  sock_map_fd,
  sock_register,
  sock_unregister,
  sock_is_registered,
  __sock_create,
  sock_create,
  sock_create_kern,
  sock_create_lite,
  __sys_socket,
  socket_file_ops,
  sock_from_file,
} from './socket.js';
export type { ProtoOps, ProtoAcceptArg, NetProtoFamily, SockfsOps } from './socket.js';
export { sockfd_lookup_light, sock_sendmsg, sock_recvmsg } from './socket_calls.js';

// Socks (net/core/sock.c)
export * from './sock.js';
export type { Proto } from './sock.js';
export {
  sock_setsockopt,
  sock_getsockopt,
  sock_error,
  __sock_set_rcvbuf,
  int_bytes,
  read_int,
} from './sock_opt.js';
export * from './sock_no.js';
export {
  sock_queue_rcv_skb,
  skb_recv_datagram,
  skb_free_datagram,
  skb_copy_datagram_msg,
} from './datagram.js';
export * from './skbuff.js';
export { get_random_bytes, get_random_u32, get_random_u32_below } from './random.js';
export * from './msg.js';

// Files (fs/file.c)
export {
  File,
  FilesStruct,
  fput,
  get_file,
  get_unused_fd_flags,
  put_unused_fd,
  fd_install,
  fcheck,
  alloc_file_pseudo,
} from './file.js';
export type { FileOperations, Inode } from './file.js';

// Credentials, namespaces, devices, sysctls, security, process events
export { Cred, CapSet, capable, ns_capable } from './cred.js';
export {
  Net,
  get_net,
  put_net,
  net_generic,
  net_assign_generic,
  register_pernet_subsys,
  unregister_pernet_subsys,
  sock_inuse_add,
} from './net_namespace.js';
export type { PernetOperations } from './net_namespace.js';
export * from './dev.js';
export { SysctlRegistry, global_int } from './sysctl.js';
export type { CtlTable, SysctlValue } from './sysctl.js';
export { security_add_hooks } from './security.js';
export type { SecurityHooks } from './security.js';
export { register_proc_event_notifier, proc_event } from './proc_events.js';
export type { ProcEvent, ProcEventNotifier } from './proc_events.js';
export { ProcFs } from './proc.js';
export type { ProcShow, ProcNetShow } from './proc.js';

// Tracing, faults, waiting, slab accounting
export {
  Tracer,
  traced,
  tracepoint,
  tracing,
  trace_note,
  format_trace,
  ftrace,
  call_ops,
} from './trace.js';
export type { Fmt } from './trace.js';
export type { TraceEvent, TraceListener, TraceLabelled } from './trace.js';
export { FaultInjector } from './fault.js';
export type { FaultSpec } from './fault.js';
export { WaitQueueHead } from './wait.js';
export { KmemCache } from './slab.js';

// The syscall layer a bridge drives: getsockopt's two results, interruptible sleeps, socket ioctls, and
// installing a file at a chosen fd
export type { GetsockoptResult } from './socket.js';
export type { IoctlArg, SleepOptions } from './task.js';
export type { AbortSignalLike } from './wait.js';
export { ksys_ioctl, do_vfs_ioctl } from './ioctl.js';
export { sock_ioctl } from './socket_calls.js';
export { dev_ioctl, dev_ifconf, dev_get_flags, inet_gifconf, get_user_ifreq, ifr_name } from './dev_ioctl.js';
export type { IfConf } from './dev_ioctl.js';
export { devinet_ioctl } from './devinet.js';
export { replace_fd, fget } from './file.js';
