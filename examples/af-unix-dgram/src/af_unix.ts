/**
 * AF_UNIX for SOCK_DGRAM: socket creation, binding, connecting, names, socketpair, shutdown and release.
 * Mirrors net/unix/af_unix.c; the datagram send and receive paths are in dgram.ts.
 */
import {
  AF_UNIX,
  AF_UNSPEC,
  EADDRINUSE,
  ECONNREFUSED,
  ECONNRESET,
  EFAULT,
  EINVAL,
  ENFILE,
  ENOENT,
  ENOMEM,
  ENOSPC,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  type Kernel,
  PF_UNIX,
  SHUT_RD,
  SHUT_RDWR,
  SIOCATMARK,
  SIOCINQ,
  SIOCOUTQ,
  SOCK_DGRAM,
  SOCK_RAW,
  SS_CONNECTED,
  SS_UNCONNECTED,
  TCP_CLOSE,
  TCP_ESTABLISHED,
} from '@ksock/core';
import {
  ENOIOCTLCMD,
  get_random_u32,
  kfree_skb,
  type Net,
  SHUTDOWN_MASK,
  SOCK_DEAD,
  SOCK_PASSCRED,
  type Sock,
  type Socket,
  sk_alloc,
  skb_dequeue,
  sock_flag,
  sock_hold,
  sock_init_data,
  sock_orphan,
  sock_prot_inuse_add,
  sock_put,
  traced,
} from '@ksock/core/kernel';
import { unix_dgram_peer_wake_disconnect, unix_dgram_peer_wake_disconnect_wakeup } from './poll.js';
import { state_of, unix_net } from './state.js';
import { latin1, SOCKADDR_UN_SIZE, SUN_PATH_OFFSET } from './uapi.js';
import { UnixInode, type UnixNet, type UnixSock, unix_sk, unix_write_space } from './unix_sock.js';

function family_of(addr: Uint8Array): number {
  return (addr[0] ?? 0) | ((addr[1] ?? 0) << 8);
}

/**
 * Mirrors unix_validate_addr(): more than the family and at most sizeof(struct sockaddr_un), and the
 * family must be AF_UNIX; EINVAL otherwise.
 */
export function unix_validate_addr(addr: Uint8Array, addr_len: number): number {
  if (addr_len <= SUN_PATH_OFFSET || addr_len > SOCKADDR_UN_SIZE) return -EINVAL;
  if (family_of(addr) !== AF_UNIX) return -EINVAL;
  return 0;
}

/**
 * Mirrors unix_mkname_bsd(): the path ends at its first NUL or at the address length; the stored address
 * is the family, the path and one NUL (so getsockname() of a 108-byte path returns 111 bytes, as Linux does).
 */
function unix_mkname_bsd(addr: Uint8Array, addr_len: number): Uint8Array {
  const path = addr.subarray(SUN_PATH_OFFSET, addr_len);
  const nul = path.indexOf(0);
  const plen = nul < 0 ? path.length : nul;
  const out = new Uint8Array(SUN_PATH_OFFSET + plen + 1);
  out.set(addr.subarray(0, SUN_PATH_OFFSET + plen));
  return out;
}

/** The path of a stored pathname address (bytes between the family and the NUL), as a table key. */
function bsd_key(name: Uint8Array): string {
  return latin1(name.subarray(SUN_PATH_OFFSET, name.length - 1));
}

/**
 * Mirrors unix_create_addr(): a copy of the address (kmalloc: fault-injectable as 'unix_create_addr').
 */
function unix_create_addr(kernel: Kernel, addr: Uint8Array, addr_len: number): Uint8Array | null {
  if (kernel.faults.should_fail('unix_create_addr')) return null;
  return addr.slice(0, addr_len);
}

// ---- the tables ----------------------------------------------------------------------------------------

/** Mirrors unix_insert_unbound_socket(): into the namespace's table, which holds a reference. */
function unix_insert_unbound_socket(unet: UnixNet, sk: UnixSock): void {
  sock_hold(sk);
  unet.sockets.add(sk);
}

/** Mirrors unix_remove_sock(): out of the namespace's table (and the abstract names), dropping its reference. */
function unix_remove_sock(unet: UnixNet, sk: UnixSock): void {
  if (!unet.sockets.delete(sk)) return;
  if (sk.addr_key !== null && unet.abstract.get(sk.addr_key) === sk) unet.abstract.delete(sk.addr_key);
  // __sock_put(): never the last reference (the caller still holds one).
  sk.sk_refcnt--;
}

/** Mirrors unix_remove_bsd_socket(): the path no longer leads to this socket. */
function unix_remove_bsd_socket(sk: UnixSock): void {
  if (sk.path !== null && sk.path.sk === sk) sk.path.sk = null;
}

/**
 * Mirrors unix_find_other(): a pathname is looked up in the kernel-wide path table (ENOENT when no such
 * file, ECONNREFUSED when its socket is gone), an abstract name in the sender's namespace (ECONNREFUSED).
 * Returns the socket with a reference held.
 */
export const unix_find_other = traced(
  'unix_find_other',
  (net: Net, addr: Uint8Array, addr_len: number, _type: number): UnixSock | number => {
    let sk: UnixSock | null;
    if (addr[SUN_PATH_OFFSET] !== 0) {
      // unix_find_bsd(): kern_path() then unix_find_socket_byinode().
      const inode = state_of(net.kernel).fs.get(bsd_key(unix_mkname_bsd(addr, addr_len)));
      if (inode === undefined) return -ENOENT;
      sk = inode.sk;
    } else {
      // unix_find_abstract(): by name and length (unix_find_socket_byname()).
      sk = unix_net(net).abstract.get(latin1(addr.subarray(SUN_PATH_OFFSET, addr_len))) ?? null;
    }
    if (sk === null) return -ECONNREFUSED;
    // Only SOCK_DGRAM sockets exist here, so the EPROTOTYPE check of unix_find_bsd() cannot fire.
    sock_hold(sk);
    return sk;
  },
  (_net, _addr, addr_len) => `addr_len=${addr_len}`,
);

// ---- create / release ----------------------------------------------------------------------------------

/** Mirrors unix_sock_destructor(): the last reference is gone. */
function unix_sock_destructor(s: Sock): void {
  const sk = unix_sk(s);
  let skb = skb_dequeue(sk.sk_receive_queue);
  for (; skb !== null; skb = skb_dequeue(sk.sk_receive_queue)) kfree_skb(skb);
  if (!sock_flag(sk, SOCK_DEAD)) {
    sk.sk_net.kernel.printk(`Attempt to release alive unix socket: ${sk.traceLabel()}`);
    return;
  }
  sk.st.nr_socks--;
  sock_prot_inuse_add(sk.sk_net, sk.st.proto, -1);
}

/**
 * Mirrors unix_create1(): the unix_nr_socks limit (2 × fs.file-max, ENFILE), sk_alloc() (ENOMEM),
 * sock_init_data(), af_unix's callbacks, sk_max_ack_backlog from net.unix.max_dgram_qlen, the socket in
 * its namespace's table, and the /proc/net/protocols count.
 */
export const unix_create1 = traced(
  'unix_create1',
  (net: Net, sock: Socket | null, kern: boolean, _type: number): UnixSock | number => {
    const kernel = net.kernel;
    const st = state_of(kernel);
    st.nr_socks++;
    if (st.nr_socks > 2 * kernel.sysctl_file_max) {
      st.nr_socks--;
      return -ENFILE;
    }
    const sk = sk_alloc(net, PF_UNIX, st.proto, kern) as UnixSock | null;
    if (sk === null) {
      st.nr_socks--;
      return -ENOMEM;
    }
    sock_init_data(sock, sk);
    const unet = unix_net(net);
    sk.unet = unet;
    sk.st = st;
    sk.sk_write_space = unix_write_space;
    sk.sk_max_ack_backlog = unet.sysctl_max_dgram_qlen;
    sk.sk_destruct = unix_sock_destructor;
    unix_insert_unbound_socket(unet, sk);
    sock_prot_inuse_add(net, st.proto, 1);
    return sk;
  },
  (_net, _sock, kern, type) => `kern=${kern ? 1 : 0}, type=${type}`,
);

/**
 * Mirrors unix_create(): the protocol first (0 or PF_UNIX, else EPROTONOSUPPORT), then the type. SOCK_RAW
 * becomes SOCK_DGRAM, as in Linux. Deviation: Linux also accepts SOCK_STREAM and SOCK_SEQPACKET; this
 * datagram-only example refuses them with ESOCKTNOSUPPORT, the answer Linux gives for other types.
 */
export const unix_create = traced(
  'unix_create',
  (net: Net, sock: Socket, protocol: number, kern: boolean): number => {
    if (protocol !== 0 && protocol !== PF_UNIX) return -EPROTONOSUPPORT;
    sock.state = SS_UNCONNECTED;
    if (sock.type === SOCK_RAW) sock.type = SOCK_DGRAM;
    if (sock.type !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
    sock.ops = state_of(net.kernel).ops;
    const sk = unix_create1(net, sock, kern, sock.type);
    return typeof sk === 'number' ? sk : 0;
  },
  (_net, sock, protocol, kern) => `type=${sock.type}, protocol=${protocol}, kern=${kern ? 1 : 0}`,
);

/**
 * Mirrors unix_dgram_disconnected(): a socket that changes or loses its peer drops what it had queued;
 * if that peer was connected back to it, the peer learns of the loss through ECONNRESET.
 */
export function unix_dgram_disconnected(sk: UnixSock, other: UnixSock): void {
  if (sk.sk_receive_queue.qlen === 0) return;
  let skb = skb_dequeue(sk.sk_receive_queue);
  for (; skb !== null; skb = skb_dequeue(sk.sk_receive_queue)) kfree_skb(skb);
  sk.peer_wait.wake_up();
  if (!sock_flag(other, SOCK_DEAD) && other.peer === sk) {
    other.sk_err = ECONNRESET;
    other.sk_error_report(other);
  }
}

/**
 * Mirrors unix_release_sock(): out of the tables, orphaned and shut down, the peer reference dropped,
 * the receive queue freed (giving their senders their buffer space back), the socket's own reference put.
 * A socket other sockets are still connected to lives on, dead, until they notice (ECONNREFUSED on their
 * next send) or go away.
 */
export const unix_release_sock = traced(
  'unix_release_sock',
  (sk: UnixSock, _embrion: boolean): void => {
    unix_remove_sock(sk.unet, sk);
    unix_remove_bsd_socket(sk);
    sock_orphan(sk);
    sk.sk_shutdown = SHUTDOWN_MASK;
    sk.path = null;
    sk.sk_state = TCP_CLOSE;
    const skpair = sk.peer;
    sk.peer = null;
    if (skpair !== null) unix_dgram_peer_wake_disconnect(sk, skpair);
    sk.peer_wait.wake_up();
    if (skpair !== null) sock_put(skpair);
    let skb = skb_dequeue(sk.sk_receive_queue);
    for (; skb !== null; skb = skb_dequeue(sk.sk_receive_queue)) kfree_skb(skb);
    sock_put(sk);
  },
  (sk) => sk.traceLabel(),
);

/** Mirrors unix_release(): proto close (a no-op for datagrams), unix_release_sock(), sock->sk = NULL. */
export const unix_release = traced(
  'unix_release',
  (sock: Socket): number => {
    const sk = sock.sk;
    if (sk === null) return 0;
    sk.sk_prot.close?.(sk, 0);
    unix_release_sock(unix_sk(sk), false);
    sock.sk = null;
    return 0;
  },
  (sock) => `ino=${sock.inode.i_ino}`,
);

/** Mirrors unix_close(): the proto close hook, kept for sockmap in Linux; nothing to do for datagrams. */
export function unix_close(_sk: Sock, _timeout: number): void {}

// ---- bind ----------------------------------------------------------------------------------------------

/** Mirrors __unix_set_addr_hash(): record the address; an abstract one becomes findable by name. */
function unix_set_addr(sk: UnixSock, addr: Uint8Array, abstract: boolean): void {
  sk.addr = addr;
  if (abstract) {
    sk.addr_key = latin1(addr.subarray(SUN_PATH_OFFSET));
    sk.unet.abstract.set(sk.addr_key, sk);
  }
}

/**
 * Mirrors unix_autobind(): nothing to do when already bound; otherwise an abstract name of five hex
 * digits (address length 8), tried upwards from a random start until a free one is found (ENOSPC when all
 * 2^20 are taken).
 */
export const unix_autobind = traced(
  'unix_autobind',
  (sk: UnixSock): number => {
    if (sk.addr !== null) return 0;
    if (sk.sk_net.kernel.faults.should_fail('unix_create_addr')) return -ENOMEM;
    const addr = new Uint8Array(SUN_PATH_OFFSET + 6);
    addr[0] = AF_UNIX;
    const abstract = sk.unet.abstract;
    let ordernum = get_random_u32(sk.sk_net.kernel) & 0xfffff;
    const lastnum = ordernum;
    for (;;) {
      ordernum = (ordernum + 1) & 0xfffff;
      const hex = ordernum.toString(16).padStart(5, '0');
      for (let i = 0; i < 5; i++) addr[SUN_PATH_OFFSET + 1 + i] = hex.charCodeAt(i);
      if (!abstract.has(latin1(addr.subarray(SUN_PATH_OFFSET)))) break;
      if (ordernum === lastnum) return -ENOSPC;
    }
    unix_set_addr(sk, addr, true);
    return 0;
  },
  (sk) => sk.traceLabel(),
);

/** Mirrors unix_bind_abstract(): ENOMEM, EINVAL when already bound, EADDRINUSE when the name is taken. */
function unix_bind_abstract(sk: UnixSock, sunaddr: Uint8Array, addr_len: number): number {
  const addr = unix_create_addr(sk.sk_net.kernel, sunaddr, addr_len);
  if (addr === null) return -ENOMEM;
  if (sk.addr !== null) return -EINVAL;
  if (sk.unet.abstract.has(latin1(addr.subarray(SUN_PATH_OFFSET)))) return -EADDRINUSE;
  unix_set_addr(sk, addr, true);
  return 0;
}

/**
 * Mirrors unix_bind_bsd(): the socket "file" is created first (EEXIST, reported as EADDRINUSE, when the
 * path exists — even if its socket has closed), and removed again if the socket turns out to be bound
 * already (EINVAL). No directories, permissions or umask: any path can be created.
 */
function unix_bind_bsd(sk: UnixSock, sunaddr: Uint8Array, addr_len: number): number {
  const name = unix_mkname_bsd(sunaddr, addr_len);
  const addr = unix_create_addr(sk.sk_net.kernel, name, name.length);
  if (addr === null) return -ENOMEM;
  const fs = sk.st.fs;
  const key = bsd_key(addr);
  if (fs.has(key)) return -EADDRINUSE; // vfs_mknod(): EEXIST
  const inode = new UnixInode(key);
  fs.set(key, inode);
  if (sk.addr !== null) {
    fs.delete(key); // out_unlink: vfs_unlink() of what was just created
    return -EINVAL;
  }
  inode.sk = sk;
  sk.path = inode;
  unix_set_addr(sk, addr, false);
  return 0;
}

/**
 * Mirrors unix_bind(): a 2-byte AF_UNIX address autobinds; otherwise the address is validated and
 * bound as a pathname or an abstract name according to its first path byte.
 */
export const unix_bind = traced(
  'unix_bind',
  (sock: Socket, addr: Uint8Array, addr_len: number): number => {
    const sk = unix_sk(sock.sk!);
    if (addr_len === SUN_PATH_OFFSET && family_of(addr) === AF_UNIX) return unix_autobind(sk);
    const err = unix_validate_addr(addr, addr_len);
    if (err !== 0) return err;
    if (addr[SUN_PATH_OFFSET] !== 0) return unix_bind_bsd(sk, addr, addr_len);
    return unix_bind_abstract(sk, addr, addr_len);
  },
  (sock, _addr, addr_len) => `ino=${sock.inode.i_ino}, addr_len=${addr_len}`,
);

// ---- connect / names / socketpair / shutdown -----------------------------------------------------------

/** Mirrors unix_may_send(): a socket connected to someone else accepts nothing from others (EPERM). */
export function unix_may_send(sk: UnixSock, osk: UnixSock): boolean {
  return osk.peer === null || osk.peer === sk;
}

/**
 * Mirrors unix_dgram_connect(): AF_UNSPEC disconnects; otherwise the address is validated and looked up
 * (an SO_PASSCRED socket is autobound first), EPERM when the target is connected elsewhere, both ends
 * TCP_ESTABLISHED. Changing or dropping a peer purges this socket's queue (unix_dgram_disconnected()).
 */
export const unix_dgram_connect = traced(
  'unix_dgram_connect',
  (sock: Socket, addr: Uint8Array, alen: number, _flags: number): number => {
    const sk = unix_sk(sock.sk!);
    if (alen < SUN_PATH_OFFSET) return -EINVAL; // offsetofend(struct sockaddr, sa_family)
    let other: UnixSock | null = null;
    if (family_of(addr) !== AF_UNSPEC) {
      let err = unix_validate_addr(addr, alen);
      if (err !== 0) return err;
      if ((sock.flags & (1 << SOCK_PASSCRED)) !== 0 && sk.addr === null) {
        err = unix_autobind(sk);
        if (err !== 0) return err;
      }
      const found = unix_find_other(sk.sk_net, addr, alen, sock.type);
      if (typeof found === 'number') return found;
      // Sockets leave the tables when released, so a dead one is never found here (Linux retries).
      other = found;
      if (!unix_may_send(sk, other)) {
        sock_put(other);
        return -EPERM;
      }
      sk.sk_state = TCP_ESTABLISHED;
      other.sk_state = TCP_ESTABLISHED;
    }
    const old_peer = sk.peer;
    sk.peer = other;
    if (old_peer !== null) {
      if (other === null) sk.sk_state = TCP_CLOSE;
      if (other !== old_peer) {
        unix_dgram_peer_wake_disconnect_wakeup(sk, old_peer);
        unix_dgram_disconnected(sk, old_peer);
        if (old_peer.peer === null) old_peer.sk_state = TCP_CLOSE;
      }
      sock_put(old_peer);
    }
    return 0;
  },
  (sock, addr, alen) => `ino=${sock.inode.i_ino}, family=${family_of(addr)}, alen=${alen}`,
);

const UNNAMED = new Uint8Array([AF_UNIX, 0]);

/**
 * Mirrors unix_getname(): this socket's or its peer's address (ENOTCONN without a peer); an unbound
 * socket's address is the bare family (2 bytes).
 */
export const unix_getname = traced(
  'unix_getname',
  (sock: Socket, peer: boolean): Uint8Array | number => {
    let sk: UnixSock | null = unix_sk(sock.sk!);
    if (peer) {
      sk = sk.peer;
      if (sk === null) return -ENOTCONN;
    }
    return sk.addr === null ? UNNAMED.slice() : sk.addr.slice();
  },
  (sock, peer) => `ino=${sock.inode.i_ino}, peer=${peer ? 1 : 0}`,
);

/**
 * Mirrors unix_socketpair(): the two socks joined back to back, each holding a reference on the other,
 * both TCP_ESTABLISHED and SS_CONNECTED. The pair stays unbound.
 */
export const unix_socketpair = traced(
  'unix_socketpair',
  (socka: Socket, sockb: Socket): number => {
    const ska = unix_sk(socka.sk!);
    const skb = unix_sk(sockb.sk!);
    sock_hold(ska);
    sock_hold(skb);
    ska.peer = skb;
    skb.peer = ska;
    ska.sk_state = TCP_ESTABLISHED;
    skb.sk_state = TCP_ESTABLISHED;
    socka.state = SS_CONNECTED;
    sockb.state = SS_CONNECTED;
    return 0;
  },
  (a, b) => `ino=${a.inode.i_ino}, ino=${b.inode.i_ino}`,
);

/**
 * Mirrors unix_shutdown(): SHUT_RD/WR/RDWR become RCV/SEND_SHUTDOWN bits (EINVAL otherwise). For
 * datagrams the peer is not told: a receive-shut socket makes senders fail with EPIPE, a send-shut one
 * fails its own sends with EPIPE.
 */
export const unix_shutdown = traced(
  'unix_shutdown',
  (sock: Socket, mode: number): number => {
    if (mode < SHUT_RD || mode > SHUT_RDWR) return -EINVAL;
    const sk = sock.sk!;
    sk.sk_shutdown |= mode + 1;
    sk.sk_state_change(sk);
    return 0;
  },
  (sock, how) => `ino=${sock.inode.i_ino}, how=${how}`,
);

/**
 * Mirrors unix_ioctl(): SIOCOUTQ is the sender's bytes in flight (sk_wmem_alloc_get(): the truesize of
 * its queued datagrams), SIOCINQ the length of the next datagram (unix_inq_len()), written as an int into
 * the caller's buffer (EFAULT without one). SIOCATMARK is for out-of-band stream data: a datagram socket
 * answers EOPNOTSUPP, as Linux 6.18 does. Other commands: ENOIOCTLCMD (the syscall reports ENOTTY).
 */
export const unix_ioctl = traced(
  'unix_ioctl',
  (sock: Socket, cmd: number, arg: Uint8Array | number): number => {
    const sk = sock.sk!;
    let amount: number;
    switch (cmd) {
      case SIOCOUTQ:
        amount = sk.sk_wmem_alloc - 1;
        break;
      case SIOCINQ:
        amount = sk.sk_receive_queue.head?.len ?? 0;
        break;
      case SIOCATMARK:
        return -EOPNOTSUPP;
      default:
        return -ENOIOCTLCMD;
    }
    // put_user(amount, (int __user *)arg)
    if (typeof arg === 'number' || arg.length < 4) return -EFAULT;
    new DataView(arg.buffer, arg.byteOffset, 4).setInt32(0, amount, true);
    return 0;
  },
  (sock, cmd) => `ino=${sock.inode.i_ino}, cmd=0x${cmd.toString(16)}`,
);

/** Mirrors unix_set_peek_off(): SO_PEEK_OFF. */
export function unix_set_peek_off(sk: Sock, val: number): number {
  sk.sk_peek_off = val;
  return 0;
}

/**
 * unlink(2) of a socket's path. ksock has no filesystem, so this is how a program removes the "socket
 * file" a pathname bind() created: afterwards the path can be bound again and sending to it fails with
 * ENOENT; a socket still bound to it keeps its name (getsockname()) but cannot be found by path.
 * Returns 0, or -ENOENT when no such path exists.
 */
export function unix_unlink(kernel: Kernel, path: string | Uint8Array): number {
  const key = typeof path === 'string' ? latin1(new TextEncoder().encode(path)) : latin1(path);
  return state_of(kernel).fs.delete(key) ? 0 : -ENOENT;
}
