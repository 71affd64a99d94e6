/**
 * The RFCOMM core (net/bluetooth/rfcomm/core.c): DLCs (data link connections, one per RFCOMM channel
 * in use), sessions (one L2CAP connection per remote device carrying the DLCs), and the `rfcomm` module
 * itself (alias bt-proto-3).
 *
 * ksock has no Bluetooth controllers, so a session never connects: rfcomm_session_create() builds the
 * kernel L2CAP socket, binds it and connects it, and the connect fails in the route lookup with
 * EHOSTUNREACH — the error an RFCOMM connect() then returns, as on a Linux host without an adapter.
 */
import type { Kernel } from '@ksock/core';
import { EBUSY, EINPROGRESS, EINVAL, ENOMEM, O_NONBLOCK, PF_BLUETOOTH, SOCK_SEQPACKET } from '@ksock/core';
import type { Module, Sock, Socket } from '@ksock/core/kernel';
import {
  call_ops,
  defineModule,
  type Fmt,
  module_put,
  perKernel,
  SkBuffHead,
  skb_queue_purge,
  sock_create_kern,
  sock_release,
  TimerList,
  timer_setup,
  tracepoint,
  tracing,
  try_module_get,
  Unwind,
} from '@ksock/core/kernel';
import pkg from '../../package.json' with { type: 'json' };
import { BDADDR_ANY, ba2str, bacmp, SOCKADDR_L2_SIZE, sockaddr_l2 } from '../bdaddr.js';
import type { L2capPinfo } from '../l2cap_sock.js';
import {
  BDADDR_BREDR,
  BT_BOUND,
  BT_CLOSED,
  BT_CONFIG,
  BT_CONNECT,
  BT_CONNECT2,
  BT_CONNECTED,
  BT_LISTEN,
  BT_OPEN,
  BT_SECURITY_LOW,
  BTPROTO_L2CAP,
  L2CAP_PSM_RFCOMM,
  RFCOMM_CFC_DISABLED,
  RFCOMM_CFC_UNKNOWN,
  RFCOMM_CONN_TIMEOUT,
  RFCOMM_DEFAULT_CREDITS,
  RFCOMM_DEFAULT_MTU,
  RFCOMM_MAX_CHANNEL,
  RFCOMM_V24_DV,
  RFCOMM_V24_RTC,
  RFCOMM_V24_RTR,
} from '../uapi/bluetooth.js';
import { rfcomm_cleanup_sockets, rfcomm_init_sockets } from './sock.js';

/**
 * rfcomm/core.c VERSION, as rfcomm_init() prints it ("Bluetooth: RFCOMM ver 1.11") and MODULE_DESCRIPTION
 * names it. Linux's MODULE_VERSION; the module's `version` is the package's.
 */
export const RFCOMM_VERSION = '1.11';

/** struct rfcomm_session. */
export class RfcommSession {
  state: number;
  readonly sock: Socket;
  mtu = RFCOMM_DEFAULT_MTU;
  cfc = RFCOMM_CFC_UNKNOWN;
  initiator = 0;
  flags = 0;
  readonly dlcs: RfcommDlc[] = [];
  readonly timer = new TimerList();

  constructor(sock: Socket, state: number) {
    this.sock = sock;
    this.state = state;
  }
}

/** struct rfcomm_dlc: one RFCOMM channel. */
export class RfcommDlc {
  state = BT_OPEN;
  flags = 0;
  refcnt = 1;
  dlci = 0;
  addr = 0;
  priority = 0;
  v24_sig = 0;
  remote_v24_sig = 0;
  mscex = 0;
  out = 0;
  sec_level = BT_SECURITY_LOW;
  role_switch = 0;
  defer_setup = 0;
  mtu = RFCOMM_DEFAULT_MTU;
  cfc = RFCOMM_CFC_DISABLED;
  rx_credits = RFCOMM_DEFAULT_CREDITS;
  tx_credits = 0;
  session: RfcommSession | null = null;
  /** The RFCOMM sock this DLC belongs to (d->owner). */
  owner: Sock | null = null;
  readonly timer = new TimerList();
  readonly tx_queue = new SkBuffHead();
  data_ready: ((d: RfcommDlc, skb: unknown) => void) | null = null;
  state_change: ((d: RfcommDlc, err: number) => void) | null = null;

  traceLabel(): string {
    return `rfcomm_dlc state=${this.state}`;
  }
}

interface RfcommCore {
  mod: Module;
  session_list: RfcommSession[];
  /** DLCs allocated and not yet freed (a leak check for tests). */
  dlcs_allocated: number;
}

const cores = perKernel<RfcommCore>();

/** The `rfcomm` module instance loaded in `kernel` (THIS_MODULE of rfcomm.ko), or null. */
export function rfcomm_module(kernel: Kernel): Module | null {
  return cores.get(kernel)?.mod ?? null;
}

/** RFCOMM sessions of `kernel` (session_list), newest first. */
export function rfcomm_sessions(kernel: Kernel): readonly RfcommSession[] {
  return cores.get(kernel)?.session_list ?? [];
}

/** DLCs allocated and not yet freed in `kernel`. */
export function rfcomm_dlc_count(kernel: Kernel): number {
  return cores.get(kernel)?.dlcs_allocated ?? 0;
}

/** Mirrors rfcomm_dlc_timeout(): ksock does not run protocol timers; the handler is attached for show. */
function rfcomm_dlc_timeout(t: TimerList): void {
  void t;
}

/** Mirrors rfcomm_dlc_clear_state(): the defaults a DLC starts (and restarts) with. */
export function rfcomm_dlc_clear_state(d: RfcommDlc): void {
  d.state = BT_OPEN;
  d.flags = 0;
  d.mscex = 0;
  d.sec_level = BT_SECURITY_LOW;
  d.mtu = RFCOMM_DEFAULT_MTU;
  d.v24_sig = RFCOMM_V24_RTC | RFCOMM_V24_RTR | RFCOMM_V24_DV;
  d.cfc = RFCOMM_CFC_DISABLED;
  d.rx_credits = RFCOMM_DEFAULT_CREDITS;
}

/**
 * Mirrors rfcomm_dlc_alloc(): a zeroed DLC with its timer, tx queue and one reference, in the cleared
 * state (BT_OPEN, MTU 127, 7 rx credits, credit flow control off, V.24 RTC|RTR|DV). Fault-injectable as
 * 'rfcomm_dlc_alloc' (kzalloc fails: null). Needs the rfcomm module's per-kernel state.
 */
export let rfcomm_dlc_alloc = function rfcomm_dlc_alloc(kernel: Kernel): RfcommDlc | null {
  if (kernel.faults.should_fail('rfcomm_dlc_alloc')) return null;
  const d = new RfcommDlc();
  timer_setup(d.timer, rfcomm_dlc_timeout);
  d.refcnt = 1;
  rfcomm_dlc_clear_state(d);
  const core = cores.get(kernel);
  if (core !== undefined) core.dlcs_allocated++;
  return d;
};

/** Mirrors rfcomm_dlc_free(). */
export function rfcomm_dlc_free(kernel: Kernel, d: RfcommDlc): void {
  skb_queue_purge(d.tx_queue);
  const core = cores.get(kernel);
  if (core !== undefined) core.dlcs_allocated--;
}

/** Mirrors rfcomm_dlc_hold(). */
export function rfcomm_dlc_hold(d: RfcommDlc): void {
  d.refcnt++;
}

/** Mirrors rfcomm_dlc_put(): the last reference frees the DLC. */
export function rfcomm_dlc_put(kernel: Kernel, d: RfcommDlc): void {
  if (--d.refcnt === 0) rfcomm_dlc_free(kernel, d);
}

/** Mirrors rfcomm_check_channel(): true (bad) outside 1..30. */
function rfcomm_check_channel(channel: number): boolean {
  return channel < 1 || channel > RFCOMM_MAX_CHANNEL;
}

/** Mirrors rfcomm_l2sock_create(): a kernel L2CAP SOCK_SEQPACKET socket in init_net. */
let rfcomm_l2sock_create = function rfcomm_l2sock_create(kernel: Kernel): Socket | number {
  const sock = sock_create_kern(kernel.init_net, PF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
  if (typeof sock === 'number') return sock;
  // Linux points the L2CAP sock's data_ready/state_change at callbacks that wake krfcommd; nothing
  // ever arrives without a controller, so the defaults stay.
  return sock;
};

/**
 * Mirrors rfcomm_session_add(): a session on `sock`; every session but the listening one pins the
 * rfcomm module (so it cannot be unloaded while a connection is up). Null when the module is going.
 */
let rfcomm_session_add = function rfcomm_session_add(
  kernel: Kernel,
  sock: Socket,
  state: number,
): RfcommSession | null {
  const core = cores.get(kernel)!;
  const s = new RfcommSession(sock, state);
  s.mtu = RFCOMM_DEFAULT_MTU;
  s.cfc = RFCOMM_CFC_UNKNOWN;
  if (state !== BT_LISTEN && !try_module_get(core.mod)) return null;
  core.session_list.unshift(s);
  return s;
};
const fmt_rfcomm_session_add: Fmt<typeof rfcomm_session_add> = (_k, _sock, state) => `state=${state}`;

/** Mirrors rfcomm_session_del(): unlink, release the L2CAP socket, drop the module reference. */
let rfcomm_session_del = function rfcomm_session_del(kernel: Kernel, s: RfcommSession): null {
  const core = cores.get(kernel)!;
  const state = s.state;
  const i = core.session_list.indexOf(s);
  if (i >= 0) core.session_list.splice(i, 1);
  s.timer.pending = false;
  sock_release(s.sock);
  if (state !== BT_LISTEN) module_put(core.mod);
  return null;
};

/** Mirrors rfcomm_session_get(): a session to `dst` from `src` (BDADDR_ANY matches any source). */
function rfcomm_session_get(kernel: Kernel, src: Uint8Array, dst: Uint8Array): RfcommSession | null {
  const core = cores.get(kernel)!;
  for (const s of core.session_list) {
    const chan = s.sock.sk as L2capPinfo | null;
    if (chan === null) continue;
    if ((bacmp(src, BDADDR_ANY) === 0 || bacmp(chan.src, src) === 0) && bacmp(chan.dst, dst) === 0) return s;
  }
  return null;
}

/**
 * Mirrors rfcomm_session_create(): a kernel L2CAP socket bound to `src` (any PSM), the session added
 * (BT_BOUND, initiator), then a non-blocking connect to PSM 3 on `dst`. A connect error other than
 * EINPROGRESS deletes the session again and is returned through `out.err`.
 */
let rfcomm_session_create = function rfcomm_session_create(
  kernel: Kernel,
  src: Uint8Array,
  dst: Uint8Array,
  sec_level: number,
  out: { err: number },
): RfcommSession | null {
  const sock = rfcomm_l2sock_create(kernel);
  if (typeof sock === 'number') {
    out.err = sock;
    return null;
  }
  let err = tracing
    ? call_ops(sock.ops!.bind, 'ops->bind', sock, sockaddr_l2(src, 0, 0, BDADDR_BREDR), SOCKADDR_L2_SIZE)
    : sock.ops!.bind(sock, sockaddr_l2(src, 0, 0, BDADDR_BREDR), SOCKADDR_L2_SIZE);
  if (err < 0) {
    out.err = err;
    sock_release(sock);
    return null;
  }
  const chan = sock.sk as L2capPinfo;
  chan.imtu = 0; // L2CAP picks the MTU
  chan.sec_level = sec_level;
  const s = rfcomm_session_add(kernel, sock, BT_BOUND);
  if (s === null) {
    out.err = -ENOMEM;
    sock_release(sock);
    return null;
  }
  s.initiator = 1;
  err = tracing
    ? call_ops(
        sock.ops!.connect,
        'ops->connect',
        sock,
        sockaddr_l2(dst, L2CAP_PSM_RFCOMM, 0, BDADDR_BREDR),
        SOCKADDR_L2_SIZE,
        O_NONBLOCK,
      )
    : sock.ops!.connect(
        sock,
        sockaddr_l2(dst, L2CAP_PSM_RFCOMM, 0, BDADDR_BREDR),
        SOCKADDR_L2_SIZE,
        O_NONBLOCK,
      );
  out.err = err;
  if (err === 0 || err === -EINPROGRESS) return s;
  return rfcomm_session_del(kernel, s);
};
const fmt_rfcomm_session_create: Fmt<typeof rfcomm_session_create> = (_k, src, dst, sec_level) =>
  `${ba2str(src)} -> ${ba2str(dst)}, sec_level=${sec_level}`;

/**
 * Mirrors __rfcomm_dlc_open() under rfcomm_dlc_open(): EINVAL for a channel outside 1..30, nothing to do
 * unless the DLC is OPEN or CLOSED, the session to `dst` found or created (its error returned), EBUSY for
 * a DLCI in use, then the DLC is linked in BT_CONFIG with the connect timer armed.
 */
export let rfcomm_dlc_open = function rfcomm_dlc_open(
  kernel: Kernel,
  d: RfcommDlc,
  src: Uint8Array,
  dst: Uint8Array,
  channel: number,
): number {
  if (rfcomm_check_channel(channel)) return -EINVAL;
  if (d.state !== BT_OPEN && d.state !== BT_CLOSED) return 0;
  let s = rfcomm_session_get(kernel, src, dst);
  if (s === null) {
    const out = { err: 0 };
    s = rfcomm_session_create(kernel, src, dst, d.sec_level, out);
    if (s === null) return out.err;
  }
  const dlci = ((channel & 0x1f) << 1) | (s.initiator ? 0 : 1);
  if (s.dlcs.some((x) => x.dlci === dlci)) return -EBUSY;
  rfcomm_dlc_clear_state(d);
  d.dlci = dlci;
  d.addr = ((dlci & 0x3f) << 2) | (s.initiator << 1) | 1;
  d.priority = 7;
  d.state = BT_CONFIG;
  rfcomm_dlc_hold(d);
  s.dlcs.unshift(d);
  d.session = s;
  d.out = 1;
  d.mtu = s.mtu;
  d.cfc = s.cfc === RFCOMM_CFC_UNKNOWN ? 0 : s.cfc;
  d.timer.expires = RFCOMM_CONN_TIMEOUT;
  if (!d.timer.pending) {
    d.timer.pending = true;
    rfcomm_dlc_hold(d);
  }
  return 0;
};
const fmt_rfcomm_dlc_open: Fmt<typeof rfcomm_dlc_open> = (_k, _d, _src, _dst, channel) =>
  `channel=${channel}`;

/**
 * Mirrors rfcomm_dlc_close() → __rfcomm_dlc_close(): a DLC that never joined a session has nothing to
 * close; one that did is unlinked (ksock never gets as far as sending DISC: no session connects).
 */
export let rfcomm_dlc_close = function rfcomm_dlc_close(kernel: Kernel, d: RfcommDlc, err: number): number {
  const s = d.session;
  if (s === null) return 0;
  if (d.timer.pending) {
    d.timer.pending = false;
    rfcomm_dlc_put(kernel, d);
  }
  d.state = BT_CLOSED;
  d.state_change?.(d, err);
  skb_queue_purge(d.tx_queue);
  const i = s.dlcs.indexOf(d);
  if (i >= 0) s.dlcs.splice(i, 1);
  d.session = null;
  rfcomm_dlc_put(kernel, d);
  return 0;
};

/** Mirrors rfcomm_dlc_send()'s first check: only a connected DLC sends (ENOTCONN otherwise). */
export function rfcomm_dlc_send_ready(d: RfcommDlc): boolean {
  return d.state === BT_CONNECTED;
}

/** States in which __rfcomm_sock_close() closes the DLC. */
export function rfcomm_dlc_is_active(state: number): boolean {
  return state === BT_CONNECT || state === BT_CONNECT2 || state === BT_CONFIG || state === BT_CONNECTED;
}

/**
 * Mirrors rfcomm_add_listener(BDADDR_ANY), which krfcommd runs as it starts: a kernel L2CAP socket bound
 * to PSM 3 and listening (backlog 10), kept as the listening session (which does not pin the module).
 */
let rfcomm_add_listener = function rfcomm_add_listener(kernel: Kernel, ba: Uint8Array): number {
  const sock = rfcomm_l2sock_create(kernel);
  if (typeof sock === 'number') {
    kernel.printk(`Bluetooth: rfcomm_add_listener() Create socket failed ${sock}`);
    return sock;
  }
  let err = tracing
    ? call_ops(
        sock.ops!.bind,
        'ops->bind',
        sock,
        sockaddr_l2(ba, L2CAP_PSM_RFCOMM, 0, BDADDR_BREDR),
        SOCKADDR_L2_SIZE,
      )
    : sock.ops!.bind(sock, sockaddr_l2(ba, L2CAP_PSM_RFCOMM, 0, BDADDR_BREDR), SOCKADDR_L2_SIZE);
  if (err < 0) {
    kernel.printk(`Bluetooth: rfcomm_add_listener() Bind failed ${err}`);
    sock_release(sock);
    return err;
  }
  (sock.sk as L2capPinfo).imtu = 0;
  err = tracing ? call_ops(sock.ops!.listen, 'ops->listen', sock, 10) : sock.ops!.listen(sock, 10);
  if (err !== 0) {
    kernel.printk(`Bluetooth: rfcomm_add_listener() Listen on socket failed ${err}`);
    sock_release(sock);
    return err;
  }
  if (rfcomm_session_add(kernel, sock, BT_LISTEN) === null) {
    sock_release(sock);
    return -ENOMEM;
  }
  return 0;
};

/** Mirrors rfcomm_kill_listener() as krfcommd exits: every session is deleted. */
function rfcomm_kill_listener(kernel: Kernel): void {
  const core = cores.get(kernel)!;
  while (core.session_list.length > 0) rfcomm_session_del(kernel, core.session_list[0]!);
}

/**
 * Mirrors rfcomm_init(): krfcommd (whose first act is rfcomm_add_listener(BDADDR_ANY); ksock runs it at
 * once instead of in a thread), then the socket layer, then "RFCOMM ver 1.11". The TTY layer
 * (CONFIG_BT_RFCOMM_TTY) and the HCI security callbacks are not modelled.
 */
export function rfcomm_init(kernel: Kernel, mod: Module): number {
  const unwind = new Unwind();
  const core: RfcommCore = { mod, session_list: [], dlcs_allocated: 0 };
  cores.set(kernel, core);
  // krfcommd failing to set up its listener only logs, as in Linux; the module still loads.
  rfcomm_add_listener(kernel, BDADDR_ANY as Uint8Array);
  unwind.push(() => {
    // stop: kthread_stop(rfcomm_thread), whose rfcomm_kill_listener() deletes every session
    rfcomm_kill_listener(kernel);
    cores.delete(kernel);
  });
  const err = rfcomm_init_sockets(kernel, mod);
  if (err < 0) return unwind.fail(err); // goto cleanup (the TTYs, not modelled), then stop
  kernel.printk(`Bluetooth: RFCOMM ver ${RFCOMM_VERSION}`);
  return 0;
}

/** Mirrors rfcomm_exit(): stop krfcommd (its sessions go), then the socket layer. */
export function rfcomm_exit(kernel: Kernel, _mod: Module): void {
  rfcomm_kill_listener(kernel);
  rfcomm_cleanup_sockets(kernel);
  cores.delete(kernel);
}

/** rfcomm.ko: MODULE_ALIAS("bt-proto-3"), using symbols of bluetooth.ko. */
export const rfcomm = defineModule({
  name: 'rfcomm',
  version: pkg.version,
  aliases: ['bt-proto-3'],
  depends: ['bluetooth'],
  abi: '1.0',
  description: `Bluetooth RFCOMM ver ${RFCOMM_VERSION}`,
  license: 'MIT',
  init: rfcomm_init,
  exit: rfcomm_exit,
});

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(rfcomm_dlc_alloc, 'rfcomm_dlc_alloc', undefined, (f) => {
  rfcomm_dlc_alloc = f;
});
tracepoint(rfcomm_l2sock_create, 'rfcomm_l2sock_create', undefined, (f) => {
  rfcomm_l2sock_create = f;
});
tracepoint(rfcomm_session_add, 'rfcomm_session_add', fmt_rfcomm_session_add, (f) => {
  rfcomm_session_add = f;
});
tracepoint(rfcomm_session_del, 'rfcomm_session_del', undefined, (f) => {
  rfcomm_session_del = f;
});
tracepoint(rfcomm_session_create, 'rfcomm_session_create', fmt_rfcomm_session_create, (f) => {
  rfcomm_session_create = f;
});
tracepoint(rfcomm_dlc_open, 'rfcomm_dlc_open', fmt_rfcomm_dlc_open, (f) => {
  rfcomm_dlc_open = f;
});
tracepoint(rfcomm_dlc_close, 'rfcomm_dlc_close', undefined, (f) => {
  rfcomm_dlc_close = f;
});
tracepoint(rfcomm_add_listener, 'rfcomm_add_listener', undefined, (f) => {
  rfcomm_add_listener = f;
});
