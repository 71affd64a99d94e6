/**
 * struct bt_sock and struct bt_sock_list (include/net/bluetooth/bluetooth.h): what every Bluetooth
 * protocol's sock starts with, and the per-protocol list of socks /proc/net/<proto> walks.
 */
import { Sock } from '@ksock/core/kernel';

/**
 * struct bt_sock: a struct sock plus the accept queue, the listening parent and the bt flags. Fields set
 * in the constructor, as in Sock: a base class of the protocols' socks (l2cap_pinfo, rfcomm_pinfo…).
 */
export class BtSock extends Sock {
  /** Children waiting to be accepted (bt_accept_enqueue appends). */
  declare accept_q: BtSock[];
  /** The listening sock this one is queued on, while it is queued. */
  declare parent: BtSock | null;
  /** enum bt_sock_flags bits (BT_SK_DEFER_SETUP, BT_SK_SUSPEND, BT_SK_PKT_STATUS). */
  declare flags: number;

  constructor() {
    super();
    this.accept_q = [];
    this.parent = null;
    this.flags = 0;
  }
}

/** Mirrors bt_sk(). */
export function bt_sk(sk: Sock): BtSock {
  return sk as BtSock;
}

/**
 * struct bt_sock_list: the socks of one protocol, newest first (sk_add_node() inserts at the head), and
 * the extra /proc columns the protocol prints, if any.
 */
export class BtSockList {
  readonly head: BtSock[] = [];
  custom_seq_show: ((sk: BtSock | null) => string) | null = null;
}
