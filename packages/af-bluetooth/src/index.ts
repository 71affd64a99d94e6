/**
 * @ksock/af-bluetooth — PF_BLUETOOTH for ksock: the `bluetooth` module (bt_sock_create, the bt_proto[]
 * table, L2CAP, HCI and SCO sockets) and the `rfcomm` module (RFCOMM sockets), as nested loadable
 * modules the way Linux ships them.
 *
 * The default export is the array of module descriptors: pass it to `new Kernel({ modules })`.
 */
import { bluetooth } from './af_bluetooth.js';
import { rfcomm } from './rfcomm/core.js';

export * from './uapi/bluetooth.js';
export * from './bdaddr.js';
export { BtSock, BtSockList, bt_sk } from './bluetooth.js';
export {
  bluetooth,
  BT_CORE_VERSION,
  bt_init,
  bt_exit,
  bt_module,
  bt_proto_get,
  bt_sock_register,
  bt_sock_unregister,
  bt_sock_create,
  bt_sock_alloc,
  bt_sock_link,
  bt_sock_unlink,
  bt_sock_linked,
  bt_sock_reclassify_lock,
  bt_sock_wait_state,
  bt_sock_poll,
  bt_procfs_init,
} from './af_bluetooth.js';
export {
  HciPinfo,
  hci_sock_create,
  hci_sock_bind,
  hci_sock_release,
  hci_get_route,
  hci_sk_list,
} from './hci_sock.js';
export {
  L2capPinfo,
  L2CAP_CHAN_RAW,
  L2CAP_CHAN_CONN_LESS,
  L2CAP_CHAN_CONN_ORIENTED,
  L2CAP_CHAN_FIXED,
  L2CAP_PSM_DYN_START,
  L2CAP_PSM_AUTO_END,
  l2cap_sock_create,
  l2cap_sock_bind,
  l2cap_sock_connect,
  l2cap_chan_connect,
  l2cap_sock_release,
  l2cap_sk_list,
} from './l2cap_sock.js';
export { ScoPinfo, sco_sock_create, sco_sock_release, sco_sk_list } from './sco.js';

export {
  rfcomm,
  RFCOMM_VERSION,
  RfcommDlc,
  RfcommSession,
  rfcomm_init,
  rfcomm_exit,
  rfcomm_module,
  rfcomm_sessions,
  rfcomm_dlc_count,
  rfcomm_dlc_alloc,
  rfcomm_dlc_clear_state,
  rfcomm_dlc_open,
  rfcomm_dlc_close,
  rfcomm_dlc_hold,
  rfcomm_dlc_put,
} from './rfcomm/core.js';
export {
  RfcommPinfo,
  RFCOMM_PINFO_SIZE,
  rfcomm_pi,
  rfcomm_sk_list,
  rfcomm_sock_alloc,
  rfcomm_sock_init,
  rfcomm_sock_create,
  rfcomm_sock_bind,
  rfcomm_sock_connect,
  rfcomm_sock_listen,
  rfcomm_sock_getname,
  rfcomm_sock_setsockopt,
  rfcomm_sock_getsockopt,
  rfcomm_sock_shutdown,
  rfcomm_sock_release,
  rfcomm_init_sockets,
  rfcomm_cleanup_sockets,
} from './rfcomm/sock.js';

/** The modules this package ships: `bluetooth` (net-pf-31) and `rfcomm` (bt-proto-3). */
const modules = [bluetooth, rfcomm];
export default modules;
