/**
 * @ksock/core/kernel — what a module sees: Linux's include/linux and include/net for a protocol family.
 * Sockets and socks, skbs, proto_ops and their registration, loadable modules, tracing, wait queues,
 * network namespaces, devices, sysctls, security hooks, /proc and fault injection.
 *
 * The user-space constants (errno, AF_*, SOCK_*, SOL_*, SO_*, MSG_*…), `Kernel`, `Task` and `KernelError`
 * are `@ksock/core`'s; this entry adds only what a program has no use for, so a module imports from both,
 * as kernel code includes the uapi headers. Every name is listed (see `api.test.ts`).
 */

// Kernel-internal values kept beside their uapi neighbours (include/linux/errno.h, socket.h, net.h)

export { ERESTARTSYS, ENOIOCTLCMD, MAX_ERRNO } from '../uapi/errno.js';
export {
  MSG_SPLICE_PAGES,
  MSG_SENDPAGE_NOPOLICY,
  MSG_SENDPAGE_DECRYPTED,
  MSG_INTERNAL_SENDMSG_FLAGS,
  SOCKWQ_ASYNC_NOSPACE,
  SOCKWQ_ASYNC_WAITDATA,
  SOCK_NOSPACE,
  SOCK_PASSCRED,
  SOCK_PASSSEC,
  SOCK_SUPPORT_ZC,
  SOCK_CUSTOM_SOCKOPT,
  SOCK_PASSPIDFD,
} from '../uapi/socket.js';
export { SETFL_MASK } from '../uapi/fcntl.js';

export { IS_ERR } from '../errors.js';
export { current } from '../sched.js';
export { __warn, add_taint, TAINT_WARN, TAINT_BAD_PAGE } from '../panic.js';

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
  defineModule,
  Unwind,
} from '../module.js';
export type {
  DefinedModule,
  ModuleDefinition,
  ModuleDescriptor,
  ModuleInfo,
  ModuleState,
} from '../module.js';

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
  sock_poll,
} from '../socket.js';
export type { GetsockoptResult, ProtoOps, ProtoAcceptArg, NetProtoFamily, SockfsOps } from '../socket.js';
export { sockfd_lookup_light, sock_sendmsg, sock_recvmsg } from '../socket_calls.js';

// Socks (net/core/sock.c, include/net/sock.h)

export {
  SOCK_DEAD,
  SOCK_DONE,
  SOCK_URGINLINE,
  SOCK_KEEPOPEN,
  SOCK_LINGER,
  SOCK_DESTROY,
  SOCK_BROADCAST,
  SOCK_TIMESTAMP,
  SOCK_ZAPPED,
  SOCK_USE_WRITE_QUEUE,
  SOCK_DBG,
  SOCK_RCVTSTAMP,
  SOCK_RCVTSTAMPNS,
  SOCK_LOCALROUTE,
  SOCK_TIMESTAMPING_RX_SOFTWARE,
  SOCK_RXQ_OVFL,
  SOCK_ZEROCOPY,
  SOCK_WIFI_STATUS,
  SOCK_NOFCS,
  SOCK_FILTER_LOCKED,
  SOCK_SELECT_ERR_QUEUE,
  SOCK_RCU_FREE,
  SOCK_TXTIME,
  SOCK_TSTAMP_NEW,
  SOCK_RCVMARK,
  SOCK_RCVPRIORITY,
  SOCK_TIMESTAMPING_ANY,
  SOCK_SNDBUF_LOCK,
  SOCK_RCVBUF_LOCK,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  MAX_SCHEDULE_TIMEOUT,
  TCP_SKB_MIN_TRUESIZE,
  SOCK_MIN_SNDBUF,
  SOCK_MIN_RCVBUF,
  TimerList,
  timer_setup,
  SockOpts,
  Sock,
  sock_flag,
  sock_set_flag,
  sock_reset_flag,
  sock_valbool_flag,
  sock_net,
  sock_def_wakeup,
  sock_def_readable,
  sock_def_write_space,
  sock_def_error_report,
  sk_alloc,
  sock_init_data,
  sock_hold,
  sock_put,
  sk_free,
  sock_wfree,
  skb_set_owner_w,
  sock_alloc_send_pskb,
  sock_alloc_send_skb,
  sock_error,
  sk_wmem_alloc_get,
  sock_orphan,
  sk_common_release,
  PROTO_INUSE_NR,
  proto_register,
  proto_unregister,
  sock_prot_inuse_add,
  sock_prot_inuse_get,
  sock_poll_wait,
  sock_writeable,
} from '../sock.js';
export type { Proto } from '../sock.js';
export {
  sock_setsockopt,
  sock_getsockopt,
  __sock_set_rcvbuf,
  int_bytes,
  read_int,
} from '../sock_opt.js';
export {
  sock_no_bind,
  sock_no_connect,
  sock_no_socketpair,
  sock_no_accept,
  sock_no_getname,
  sock_no_listen,
  sock_no_shutdown,
  sock_no_sendmsg,
  sock_no_recvmsg,
} from '../sock_no.js';
export {
  sock_queue_rcv_skb,
  skb_recv_datagram,
  skb_free_datagram,
  skb_copy_datagram_msg,
  datagram_poll,
} from '../datagram.js';

// Socket buffers (net/core/skbuff.c)

export {
  SKB_DATA_ALIGN,
  SKB_OVERHEAD,
  SKB_TRUESIZE,
  kmalloc_size_roundup,
  alloc_skb_truesize,
  SkBuff,
  skb_cb,
  kmalloc_reserve,
  skb_free_head,
  skb_clone,
  alloc_skb,
  skb_orphan,
  kfree_skb,
  consume_skb,
  SkBuffHead,
  skb_queue_tail,
  skb_queue_head,
  skb_peek,
  skb_dequeue,
  skb_queue_purge,
  sock_rfree,
  skb_set_owner_r,
} from '../skbuff.js';
export { get_random_bytes, get_random_u32, get_random_u32_below } from '../random.js';
export { MsgHdr, msg_data_left, memcpy_from_msg, memcpy_to_msg, put_cmsg } from '../msg.js';
export type { SendMMsgVec, RecvMMsgVec } from '../msg.js';

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
  replace_fd,
  fget,
  alloc_file_pseudo,
} from '../file.js';
export type { FileOperations, Inode } from '../file.js';

// Credentials, namespaces, devices, sysctls, security, process events

export { Cred, CapSet, capable, ns_capable } from '../cred.js';
export {
  Net,
  get_net,
  put_net,
  net_generic,
  net_assign_generic,
  register_pernet_subsys,
  unregister_pernet_subsys,
  sock_inuse_add,
} from '../net_namespace.js';
export type { PernetOperations } from '../net_namespace.js';
export { perKernel, perNet } from '../per_kernel.js';
export type { PerKernel, PerNet, StateTable } from '../per_kernel.js';
export {
  NetDevice,
  NETDEV_UP,
  NETDEV_DOWN,
  NETDEV_CHANGE,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_CHANGEMTU,
  NETDEV_CHANGENAME,
  NETDEV_ADDR_ADD,
  NETDEV_ADDR_DEL,
  dev_get_by_name,
  dev_get_by_index,
  register_netdevice_notifier,
  register_netdevice,
  unregister_netdevice,
  dev_change_flags,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  inet_insert_ifa,
  inet_del_ifa,
  inet_addr_is_local,
} from '../dev.js';
export type { InIfaddr, NetdevNotifier } from '../dev.js';
export { SysctlRegistry, global_int } from '../sysctl.js';
export type { CtlTable, SysctlValue } from '../sysctl.js';
export { security_add_hooks } from '../security.js';
export type { SecurityHooks } from '../security.js';
export { register_proc_event_notifier, proc_event } from '../proc_events.js';
export type { ProcEvent, ProcEventNotifier } from '../proc_events.js';
export { ProcFs } from '../proc.js';
export type { ProcShow, ProcNetShow } from '../proc.js';

// Tracing, faults, waiting, slab accounting

export {
  Tracer,
  traced,
  tracepoint,
  tracing,
  trace_note,
  format_trace,
  call_ops,
} from '../trace.js';
export type { Fmt, TraceEvent, TraceListener, TraceLabelled } from '../trace.js';
export { FaultInjector } from '../fault.js';
export type { FaultSpec } from '../fault.js';
export { WaitQueueHead, add_wait_queue, remove_wait_queue } from '../wait.js';
export type { WaitQueueEntry } from '../wait.js';
// poll (fs/select.c, include/linux/poll.h)

export { DEFAULT_POLLMASK, do_pollfd, poll_requested_events, poll_wait, vfs_poll } from '../poll.js';
export type { PollTable } from '../poll.js';
export { KmemCache } from '../slab.js';

// ioctl (fs/ioctl.c, net/socket.c, net/core/dev_ioctl.c, net/ipv4/devinet.c)

export { ksys_ioctl, do_vfs_ioctl } from '../ioctl.js';
export { sock_ioctl } from '../socket_calls.js';
export {
  dev_ioctl,
  dev_ifconf,
  dev_get_flags,
  inet_gifconf,
  get_user_ifreq,
  ifr_name,
} from '../dev_ioctl.js';
export { devinet_ioctl } from '../devinet.js';
export {
  dev_set_mtu,
  dev_validate_mtu,
  dev_change_tx_queue_len,
  NETDEV_CHANGE_TX_QUEUE_LEN,
} from '../dev.js';
