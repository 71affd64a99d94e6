/**
 * include/linux/socket.h: struct msghdr as a protocol sees it and the CMSG_* macros; put_cmsg()
 * (net/core/scm.c) and memcpy_from_msg() / memcpy_to_msg() (include/linux/skbuff.h).
 */
import { kmalloc_reserve } from './skbuff.js';
import { MSG_CTRUNC } from './uapi/socket.js';

/**
 * struct msghdr as a protocol's sendmsg/recvmsg sees it (include/linux/socket.h). On send, `iov` holds the
 * user's data and `msg_name` the destination address bytes; on receive the protocol fills `data`,
 * `msg_name`, `msg_control` and `msg_flags`.
 */
export class MsgHdr {
  msg_name: Uint8Array | null = null;
  msg_namelen = 0;
  iov: readonly Uint8Array[] = [];
  /**
   * Receive: the user's buffer, when they gave one (recv(2) into memory they own). Protocols copy into
   * it through skb_copy_datagram_msg() / memcpy_to_msg(); `data` then stays empty.
   */
  ubuf: Uint8Array | null = null;
  /** Receive without a user buffer: the bytes the protocol copied out (at most the size asked for). */
  data: Uint8Array = EMPTY;
  msg_control: Uint8Array | null = null;
  /** Receive: the control buffer space the user offered. Send: the length of msg_control. */
  msg_controllen = 0;
  msg_flags = 0;
}

const EMPTY = new Uint8Array(0);

/** The caller's struct mmsghdr array as __sys_sendmmsg() uses it. */
export interface SendMMsgVec {
  /** Entry `i`'s msghdr, copied in when the loop reaches it (copy_msghdr_from_user()), or a negative errno. */
  copy_msghdr(i: number): MsgHdr | number;
  /** msg_len of each entry sent, as the kernel writes it back. */
  msg_len: number[];
}

/**
 * The caller's struct mmsghdr array as __sys_recvmmsg() uses it: every entry offers `size` bytes and
 * `controllen` bytes of control space; each message received is appended to `msg_hdr`, its length to
 * `msg_len`.
 */
export interface RecvMMsgVec {
  size: number;
  /**
   * The entries' own buffers when the caller gave them (recv into memory they own): entry i receives into
   * `ubufs[i]` and offers its length instead of `size`. An entry past the array's end, or one that is not
   * a Uint8Array, is a bad address (EFAULT) when the loop reaches it.
   */
  ubufs: readonly unknown[] | null;
  controllen: number;
  msg_hdr: MsgHdr[];
  msg_len: number[];
}

/** Mirrors msg_data_left(): bytes still to send. */
export function msg_data_left(msg: MsgHdr): number {
  let n = 0;
  for (const b of msg.iov) n += b.length;
  return n;
}

/** Mirrors memcpy_from_msg(): the user's data gathered into one new kernel buffer (a copy). */
export function memcpy_from_msg(msg: MsgHdr): Uint8Array {
  const iov = msg.iov;
  if (iov.length === 1) {
    const src = iov[0]!;
    const out = kmalloc_reserve(src.length);
    out.set(src);
    return out;
  }
  const out = kmalloc_reserve(msg_data_left(msg));
  let off = 0;
  for (const b of iov) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

/**
 * Mirrors memcpy_to_msg(): `bytes` (already cut to size) to the user — copied into their buffer when
 * they gave one, otherwise handed over as they are (the caller passes an array nobody else holds).
 */
export function memcpy_to_msg(msg: MsgHdr, bytes: Uint8Array): void {
  if (msg.ubuf !== null) msg.ubuf.set(bytes);
  else msg.data = bytes;
}

/** struct cmsghdr on x86-64: cmsg_len (size_t), cmsg_level (int), cmsg_type (int). */
export const CMSG_HDRLEN = 16;
export function CMSG_ALIGN(n: number): number {
  return (n + 7) & ~7;
}
export function CMSG_SPACE(n: number): number {
  return CMSG_HDRLEN + CMSG_ALIGN(n);
}
export function CMSG_LEN(n: number): number {
  return CMSG_HDRLEN + n;
}

/**
 * Mirrors put_cmsg(): append one control message if it fits in the space the user gave; otherwise set
 * MSG_CTRUNC (and copy what fits of it, as Linux does, only when the header fits).
 */
export function put_cmsg(msg: MsgHdr, level: number, type: number, data: Uint8Array): number {
  const used = msg.msg_control?.length ?? 0;
  const room = msg.msg_controllen - used;
  const cmlen = CMSG_LEN(data.length);
  if (room < CMSG_HDRLEN) {
    msg.msg_flags |= MSG_CTRUNC;
    return 0;
  }
  let len = cmlen;
  if (room < cmlen) {
    msg.msg_flags |= MSG_CTRUNC;
    len = room;
  }
  const space = Math.min(CMSG_SPACE(data.length), room);
  const out = new Uint8Array(used + space);
  if (msg.msg_control !== null) out.set(msg.msg_control);
  const dv = new DataView(out.buffer, used);
  // A cut record says how much of it is there (cmsg_len = msg_controllen left), as put_cmsg() writes it.
  dv.setBigUint64(0, BigInt(len), true);
  dv.setInt32(8, level, true);
  dv.setInt32(12, type, true);
  out.set(data.subarray(0, len - CMSG_HDRLEN), used + CMSG_HDRLEN);
  msg.msg_control = out;
  return 0;
}

/** Walk the control messages of a buffer (CMSG_FIRSTHDR / CMSG_NXTHDR). */
export function* cmsgs(control: Uint8Array): Generator<{ level: number; type: number; data: Uint8Array }> {
  let off = 0;
  while (off + CMSG_HDRLEN <= control.length) {
    const dv = new DataView(control.buffer, control.byteOffset + off);
    const len = Number(dv.getBigUint64(0, true));
    if (len < CMSG_HDRLEN || off + len > control.length) return;
    yield {
      level: dv.getInt32(8, true),
      type: dv.getInt32(12, true),
      data: control.slice(off + CMSG_HDRLEN, off + len),
    };
    off += CMSG_ALIGN(len);
  }
}
