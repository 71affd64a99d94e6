/**
 * TCP's data path between ksock sockets of one namespace (ksock has no wire): connect(), accept(),
 * sendmsg() and recvmsg() for SOCK_STREAM. Filled in by a later step; until then these answer as a
 * kernel without a route would.
 */
import type { MsgHdr, ProtoAcceptArg, Sock, Socket } from '@ksock/core';
import { EINVAL, ENETUNREACH, ENOTCONN, EPIPE } from '@ksock/core';
import type { InetStreamImpl } from './af_inet.js';
import type { TcpImpl } from './tcp.js';

export const tcp_impl: TcpImpl = {
  connect: (_sk: Sock, _addr: Uint8Array, _len: number) => -ENETUNREACH,
  accept: (_sk: Sock, _flags: number) => -EINVAL,
  sendmsg: (_sk: Sock, _msg: MsgHdr, _len: number) => -EPIPE,
  recvmsg: (_sk: Sock, _msg: MsgHdr, _len: number, _flags: number) => -ENOTCONN,
};

export const stream_impl: InetStreamImpl = {
  connect: (sock: Socket, addr: Uint8Array, len: number, _flags: number) =>
    sock.sk!.sk_prot.connect!(sock.sk!, addr, len),
  accept: (_sock: Socket, _newsock: Socket, _arg: ProtoAcceptArg) => -EINVAL,
};
