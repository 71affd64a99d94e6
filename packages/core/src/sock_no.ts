/**
 * net/core/sock.c: the sock_no_*() proto_ops a family uses for the calls it does not support.
 */
import type { MsgHdr } from './msg.js';
import type { ProtoAcceptArg, Socket } from './socket.js';
import { EOPNOTSUPP } from './uapi/errno.js';

/**
 * The sock_no_* helpers (net/core/sock.c): what a family puts in its proto_ops for a call it does not
 * support. Each answers EOPNOTSUPP, as in Linux.
 */
export function sock_no_bind(_sock: Socket, _addr: Uint8Array, _len: number): number {
  return -EOPNOTSUPP;
}
export function sock_no_connect(_sock: Socket, _addr: Uint8Array, _len: number, _flags: number): number {
  return -EOPNOTSUPP;
}
export function sock_no_socketpair(_a: Socket, _b: Socket): number {
  return -EOPNOTSUPP;
}
export function sock_no_accept(_sock: Socket, _newsock: Socket, _arg: ProtoAcceptArg): number {
  return -EOPNOTSUPP;
}
export function sock_no_getname(_sock: Socket, _peer: boolean): number {
  return -EOPNOTSUPP;
}
export function sock_no_listen(_sock: Socket, _backlog: number): number {
  return -EOPNOTSUPP;
}
export function sock_no_shutdown(_sock: Socket, _how: number): number {
  return -EOPNOTSUPP;
}
export function sock_no_sendmsg(_sock: Socket, _msg: MsgHdr, _len: number): number {
  return -EOPNOTSUPP;
}
export function sock_no_recvmsg(_sock: Socket, _msg: MsgHdr, _size: number, _flags: number): number {
  return -EOPNOTSUPP;
}
