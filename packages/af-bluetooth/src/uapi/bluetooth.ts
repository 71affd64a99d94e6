/**
 * Bluetooth user-space constants: include/net/bluetooth/bluetooth.h, rfcomm.h, l2cap.h, sco.h, hci_sock.h.
 * Timeouts are in milliseconds (ksock keeps sk_sndtimeo in ms where Linux keeps jiffies).
 */
export { SOL_BLUETOOTH } from '@ksock/core';

/** Protocols of PF_BLUETOOTH (the `protocol` argument of socket()). */
export const BTPROTO_L2CAP = 0;
export const BTPROTO_HCI = 1;
export const BTPROTO_SCO = 2;
export const BTPROTO_RFCOMM = 3;
export const BTPROTO_BNEP = 4;
export const BTPROTO_CMTP = 5;
export const BTPROTO_HIDP = 6;
export const BTPROTO_AVDTP = 7;
export const BTPROTO_ISO = 8;
export const BTPROTO_LAST = BTPROTO_ISO;
/** Size of bt_proto[] (af_bluetooth.c: BTPROTO_LAST + 1). */
export const BT_MAX_PROTO = BTPROTO_LAST + 1;

/** Socket option levels. */
export const SOL_HCI = 0;
export const SOL_L2CAP = 6;
export const SOL_SCO = 17;
export const SOL_RFCOMM = 18;

/** SOL_BLUETOOTH options. */
export const BT_SECURITY = 4;
export const BT_DEFER_SETUP = 7;
export const BT_FLUSHABLE = 8;
export const BT_POWER = 9;
export const BT_CHANNEL_POLICY = 10;
export const BT_VOICE = 11;
export const BT_SNDMTU = 12;
export const BT_RCVMTU = 13;
export const BT_PHY = 14;
export const BT_MODE = 15;
export const BT_PKT_STATUS = 16;
export const BT_ISO_QOS = 17;
export const BT_CODEC = 19;
export const BT_ISO_BASE = 20;

/** struct bt_security { __u8 level; __u8 key_size; }. */
export const BT_SECURITY_SIZE = 2;
export const BT_SECURITY_SDP = 0;
export const BT_SECURITY_LOW = 1;
export const BT_SECURITY_MEDIUM = 2;
export const BT_SECURITY_HIGH = 3;
export const BT_SECURITY_FIPS = 4;

/** Connection and socket states (sk_state of every Bluetooth socket). */
export const BT_CONNECTED = 1;
export const BT_OPEN = 2;
export const BT_BOUND = 3;
export const BT_LISTEN = 4;
export const BT_CONNECT = 5;
export const BT_CONNECT2 = 6;
export const BT_CONFIG = 7;
export const BT_DISCONN = 8;
export const BT_CLOSED = 9;

export const bt_state_names: Readonly<Record<number, string>> = {
  1: 'BT_CONNECTED',
  2: 'BT_OPEN',
  3: 'BT_BOUND',
  4: 'BT_LISTEN',
  5: 'BT_CONNECT',
  6: 'BT_CONNECT2',
  7: 'BT_CONFIG',
  8: 'BT_DISCONN',
  9: 'BT_CLOSED',
};

/** enum bt_sock_flags: bit numbers in bt_sock.flags. */
export const BT_SK_DEFER_SETUP = 0;
export const BT_SK_SUSPEND = 1;
export const BT_SK_PKT_STATUS = 2;

/** bdaddr types (l2_bdaddr_type). */
export const BDADDR_BREDR = 0;
export const BDADDR_LE_PUBLIC = 1;
export const BDADDR_LE_RANDOM = 2;

// ---- RFCOMM (include/net/bluetooth/rfcomm.h) ----

export const RFCOMM_PSM = 3;
export const RFCOMM_CONN_TIMEOUT = 30 * 1000;
export const RFCOMM_DISC_TIMEOUT = 20 * 1000;
export const RFCOMM_AUTH_TIMEOUT = 25 * 1000;
export const RFCOMM_IDLE_TIMEOUT = 2 * 1000;
export const RFCOMM_DEFAULT_MTU = 127;
export const RFCOMM_DEFAULT_CREDITS = 7;
export const RFCOMM_MAX_CREDITS = 40;
export const RFCOMM_SKB_HEAD_RESERVE = 8;
export const RFCOMM_SKB_TAIL_RESERVE = 2;

/** dlc->cfc values. */
export const RFCOMM_CFC_UNKNOWN = -1;
export const RFCOMM_CFC_DISABLED = 0;
export const RFCOMM_CFC_ENABLED = RFCOMM_MAX_CREDITS;

/** V.24 modem signals (dlc->v24_sig). */
export const RFCOMM_V24_FC = 0x02;
export const RFCOMM_V24_RTC = 0x04;
export const RFCOMM_V24_RTR = 0x08;
export const RFCOMM_V24_IC = 0x40;
export const RFCOMM_V24_DV = 0x80;

/** dlc->flags bit numbers. */
export const RFCOMM_RX_THROTTLED = 0;
export const RFCOMM_TX_THROTTLED = 1;
export const RFCOMM_TIMED_OUT = 2;
export const RFCOMM_MSC_PENDING = 3;
export const RFCOMM_SEC_PENDING = 4;
export const RFCOMM_AUTH_PENDING = 5;
export const RFCOMM_AUTH_ACCEPT = 6;
export const RFCOMM_AUTH_REJECT = 7;
export const RFCOMM_DEFER_SETUP = 8;
export const RFCOMM_ENC_DROP = 9;

/** SOL_RFCOMM options. */
export const RFCOMM_CONNINFO = 0x02;
export const RFCOMM_LM = 0x03;
export const RFCOMM_LM_MASTER = 0x0001;
export const RFCOMM_LM_AUTH = 0x0002;
export const RFCOMM_LM_ENCRYPT = 0x0004;
export const RFCOMM_LM_TRUSTED = 0x0008;
export const RFCOMM_LM_RELIABLE = 0x0010;
export const RFCOMM_LM_SECURE = 0x0020;
export const RFCOMM_LM_FIPS = 0x0040;

/** The highest server channel (rfcomm_check_channel(): 1..30). */
export const RFCOMM_MAX_CHANNEL = 30;

// ---- L2CAP (include/net/bluetooth/l2cap.h) ----

export const L2CAP_PSM_SDP = 0x0001;
export const L2CAP_PSM_RFCOMM = 0x0003;
export const L2CAP_CONN_TIMEOUT = 40 * 1000;
export const L2CAP_DEFAULT_MTU = 672;

// ---- SCO (include/net/bluetooth/sco.h) ----

export const SCO_CONN_TIMEOUT = 40 * 1000;
export const BT_VOICE_CVSD_16BIT = 0x0060;

// ---- HCI sockets (include/net/bluetooth/hci_sock.h, hci.h) ----

export const HCI_DEV_NONE = 0xffff;
export const HCI_CHANNEL_RAW = 0;
export const HCI_CHANNEL_USER = 1;
export const HCI_CHANNEL_MONITOR = 2;
export const HCI_CHANNEL_CONTROL = 3;
export const HCI_CHANNEL_LOGGING = 4;
