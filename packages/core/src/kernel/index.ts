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

export { IS_ERR } from '../errors.js';
export { __warn, add_taint, TAINT_BAD_PAGE, TAINT_WARN } from '../panic.js';
export { current } from '../sched.js';
export { ENOIOCTLCMD, ERESTARTSYS, MAX_ERRNO } from '../uapi/errno.js';
export { SETFL_MASK } from '../uapi/fcntl.js';
export {
  MSG_INTERNAL_SENDMSG_FLAGS,
  MSG_SENDPAGE_DECRYPTED,
  MSG_SENDPAGE_NOPOLICY,
  MSG_SPLICE_PAGES,
  SOCK_CUSTOM_SOCKOPT,
  SOCK_NOSPACE,
  SOCK_PASSCRED,
  SOCK_PASSPIDFD,
  SOCK_PASSSEC,
  SOCK_SUPPORT_ZC,
  SOCKWQ_ASYNC_NOSPACE,
  SOCKWQ_ASYNC_WAITDATA,
} from '../uapi/socket.js';

// Modules (kernel/module)

export type {
  DefinedModule,
  ModuleDefinition,
  ModuleDescriptor,
  ModuleInfo,
  ModuleState,
} from '../module.js';
export {
  __module_get,
  check_descriptor,
  defineModule,
  KSOCK_ABI,
  Module,
  ModuleTable,
  module_name,
  module_put,
  request_module,
  try_module_get,
  Unwind,
} from '../module.js';

// Sockets (net/socket.c)

export type { GetsockoptResult, NetProtoFamily, ProtoAcceptArg, ProtoOps, SockfsOps } from '../socket.js';
export {
  __sock_create,
  __sock_release,
  __sys_socket,
  SOCK_INODE,
  SOCKET_I,
  SOCKFS_MAGIC,
  Socket,
  SockInode,
  sock_alloc,
  sock_alloc_file,
  sock_create,
  sock_create_kern,
  sock_create_lite,
  sock_from_file,
  sock_is_registered,
  sock_map_fd,
  sock_poll,
  sock_register,
  sock_release,
  sock_unregister,
  socket_file_ops,
  sockfs_ops,
} from '../socket.js';
export { sock_recvmsg, sock_sendmsg, sockfd_lookup_light } from '../socket_calls.js';

// Socks (net/core/sock.c, include/net/sock.h)

export {
  datagram_poll,
  skb_copy_datagram_msg,
  skb_free_datagram,
  skb_recv_datagram,
  sock_queue_rcv_skb,
} from '../datagram.js';
export type { Proto } from '../sock.js';
export {
  MAX_SCHEDULE_TIMEOUT,
  PROTO_INUSE_NR,
  proto_register,
  proto_unregister,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  SOCK_BROADCAST,
  SOCK_DBG,
  SOCK_DEAD,
  SOCK_DESTROY,
  SOCK_DONE,
  SOCK_FILTER_LOCKED,
  SOCK_KEEPOPEN,
  SOCK_LINGER,
  SOCK_LOCALROUTE,
  SOCK_MIN_RCVBUF,
  SOCK_MIN_SNDBUF,
  SOCK_NOFCS,
  SOCK_RCU_FREE,
  SOCK_RCVBUF_LOCK,
  SOCK_RCVMARK,
  SOCK_RCVPRIORITY,
  SOCK_RCVTSTAMP,
  SOCK_RCVTSTAMPNS,
  SOCK_RXQ_OVFL,
  SOCK_SELECT_ERR_QUEUE,
  SOCK_SNDBUF_LOCK,
  SOCK_TIMESTAMP,
  SOCK_TIMESTAMPING_ANY,
  SOCK_TIMESTAMPING_RX_SOFTWARE,
  SOCK_TSTAMP_NEW,
  SOCK_TXTIME,
  SOCK_URGINLINE,
  SOCK_USE_WRITE_QUEUE,
  SOCK_WIFI_STATUS,
  SOCK_ZAPPED,
  SOCK_ZEROCOPY,
  Sock,
  SockOpts,
  sk_alloc,
  sk_common_release,
  sk_free,
  sk_wmem_alloc_get,
  skb_set_owner_w,
  sock_alloc_send_pskb,
  sock_alloc_send_skb,
  sock_def_error_report,
  sock_def_readable,
  sock_def_wakeup,
  sock_def_write_space,
  sock_error,
  sock_flag,
  sock_hold,
  sock_init_data,
  sock_net,
  sock_orphan,
  sock_poll_wait,
  sock_prot_inuse_add,
  sock_prot_inuse_get,
  sock_put,
  sock_reset_flag,
  sock_set_flag,
  sock_valbool_flag,
  sock_wfree,
  sock_writeable,
  TCP_SKB_MIN_TRUESIZE,
  TimerList,
  timer_setup,
} from '../sock.js';
export {
  sock_no_accept,
  sock_no_bind,
  sock_no_connect,
  sock_no_getname,
  sock_no_listen,
  sock_no_recvmsg,
  sock_no_sendmsg,
  sock_no_shutdown,
  sock_no_socketpair,
} from '../sock_no.js';
export {
  __sock_set_rcvbuf,
  int_bytes,
  read_int,
  sock_getsockopt,
  sock_setsockopt,
} from '../sock_opt.js';

// Socket buffers (net/core/skbuff.c)

export type { RecvMMsgVec, SendMMsgVec } from '../msg.js';
export { MsgHdr, memcpy_from_msg, memcpy_to_msg, msg_data_left, put_cmsg } from '../msg.js';
export { get_random_bytes, get_random_u32, get_random_u32_below } from '../random.js';
export {
  alloc_skb,
  alloc_skb_truesize,
  consume_skb,
  kfree_skb,
  kmalloc_reserve,
  kmalloc_size_roundup,
  SKB_DATA_ALIGN,
  SKB_OVERHEAD,
  SKB_TRUESIZE,
  SkBuff,
  SkBuffHead,
  skb_cb,
  skb_clone,
  skb_dequeue,
  skb_free_head,
  skb_orphan,
  skb_peek,
  skb_queue_head,
  skb_queue_purge,
  skb_queue_tail,
  skb_set_owner_r,
  sock_rfree,
} from '../skbuff.js';

// Files (fs/file.c)

export type { FileOperations, Inode } from '../file.js';
export {
  alloc_file_pseudo,
  File,
  FilesStruct,
  fcheck,
  fd_install,
  fget,
  fput,
  get_file,
  get_unused_fd_flags,
  put_unused_fd,
  replace_fd,
} from '../file.js';

// Credentials, namespaces, devices, sysctls, security, process events

export { CapSet, Cred, capable, ns_capable } from '../cred.js';
export type { InIfaddr, NetdevNotifier } from '../dev.js';
export {
  dev_change_flags,
  dev_get_by_index,
  dev_get_by_name,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  inet_addr_is_local,
  inet_del_ifa,
  inet_insert_ifa,
  NETDEV_ADDR_ADD,
  NETDEV_ADDR_DEL,
  NETDEV_CHANGE,
  NETDEV_CHANGEMTU,
  NETDEV_CHANGENAME,
  NETDEV_DOWN,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_UP,
  NetDevice,
  register_netdevice,
  register_netdevice_notifier,
  unregister_netdevice,
} from '../dev.js';
export type { PernetOperations } from '../net_namespace.js';
export {
  get_net,
  Net,
  net_assign_generic,
  net_generic,
  put_net,
  register_pernet_subsys,
  sock_inuse_add,
  unregister_pernet_subsys,
} from '../net_namespace.js';
export type { PerKernel, PerNet, StateTable } from '../per_kernel.js';
export { perKernel, perNet } from '../per_kernel.js';
export type { ProcNetShow, ProcShow } from '../proc.js';
export { ProcFs } from '../proc.js';
export type { ProcEvent, ProcEventNotifier } from '../proc_events.js';
export { proc_event, register_proc_event_notifier } from '../proc_events.js';
export type { SecurityHooks } from '../security.js';
export { security_add_hooks } from '../security.js';
export type { CtlTable, SysctlValue } from '../sysctl.js';
export { global_int, SysctlRegistry } from '../sysctl.js';

// Tracing, faults, waiting, slab accounting

export type { FaultSpec } from '../fault.js';
export { FaultInjector } from '../fault.js';
export type { Fmt, TraceEvent, TraceLabelled, TraceListener } from '../trace.js';
export {
  call_ops,
  format_trace,
  Tracer,
  trace_note,
  traced,
  tracepoint,
  tracing,
} from '../trace.js';
export type { WaitQueueEntry } from '../wait.js';
export { add_wait_queue, remove_wait_queue, WaitQueueHead } from '../wait.js';

// poll (fs/select.c, include/linux/poll.h)

export type { PollTable } from '../poll.js';
export { DEFAULT_POLLMASK, do_pollfd, poll_requested_events, poll_wait, vfs_poll } from '../poll.js';
export { KmemCache } from '../slab.js';

// ioctl (fs/ioctl.c, net/socket.c, net/core/dev_ioctl.c, net/ipv4/devinet.c)

export {
  dev_change_tx_queue_len,
  dev_set_mtu,
  dev_validate_mtu,
  NETDEV_CHANGE_TX_QUEUE_LEN,
} from '../dev.js';
export {
  dev_get_flags,
  dev_ifconf,
  dev_ioctl,
  get_user_ifreq,
  ifr_name,
  inet_gifconf,
} from '../dev_ioctl.js';
export { devinet_ioctl } from '../devinet.js';
export { do_vfs_ioctl, ksys_ioctl } from '../ioctl.js';
export { sock_ioctl } from '../socket_calls.js';
