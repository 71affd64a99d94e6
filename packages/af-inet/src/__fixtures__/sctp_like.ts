/**
 * A third-party IPv4 protocol in its own module, shaped like net/sctp: it depends on af_inet, registers
 * its own struct proto and proto_ops (owned by itself) and two inet_protosw entries (SOCK_STREAM and
 * SOCK_SEQPACKET, IPPROTO_SCTP) with inet_register_protosw(), and undoes it all at exit.
 */
import type { Kernel } from '@ksock/core';
import { PF_INET, SOCK_SEQPACKET, SOCK_STREAM, TCP_CLOSE } from '@ksock/core';
import type { Module, ModuleDescriptor, Proto, ProtoOps, Sock } from '@ksock/core/kernel';
import {
  perKernel,
  proto_register,
  proto_unregister,
  sk_common_release,
  sock_no_accept,
  sock_no_connect,
  sock_no_socketpair,
} from '@ksock/core/kernel';
import {
  InetConnectionSock,
  type InetProtosw,
  IPPROTO_SCTP,
  inet_bind,
  inet_csk_get_port,
  inet_getname,
  inet_hash,
  inet_listen,
  inet_put_port,
  inet_recvmsg,
  inet_register_protosw,
  inet_release,
  inet_sendmsg,
  inet_shutdown,
  inet_unhash,
  inet_unregister_protosw,
  ip_getsockopt,
  ip_setsockopt,
  sock_common_getsockopt,
  sock_common_setsockopt,
} from '../index.js';

export class SctpLikeSock extends InetConnectionSock {
  inits = 0;
}

interface State {
  prot: Proto;
  sw: InetProtosw[];
}

const states = perKernel<State>();

function sctp_init_sock(sk: Sock): number {
  (sk as SctpLikeSock).inits++;
  return 0;
}

function sctp_destroy_sock(sk: Sock): void {
  if ((sk as InetConnectionSock).icsk_bind_hash) inet_put_port(sk);
}

function sctp_close(sk: Sock, _timeout: number): void {
  sk.sk_state = TCP_CLOSE;
  sk_common_release(sk);
}

export const sctp_like: ModuleDescriptor = {
  name: 'sctp_like',
  version: '1.0.0',
  depends: ['af_inet'],
  aliases: ['net-pf-2-proto-132'],
  init(kernel: Kernel, mod: Module): number {
    const prot: Proto = {
      name: 'SCTP',
      owner: mod,
      obj_size: 1600,
      sk_class: SctpLikeSock,
      init: sctp_init_sock,
      close: sctp_close,
      destroy: sctp_destroy_sock,
      hash: inet_hash,
      unhash: inet_unhash,
      get_port: inet_csk_get_port,
      setsockopt: ip_setsockopt,
      getsockopt: ip_getsockopt,
      sendmsg: () => -95,
      recvmsg: () => -11,
    };
    const ops = (connect: ProtoOps['connect']): ProtoOps => ({
      family: PF_INET,
      owner: mod,
      release: inet_release,
      bind: inet_bind,
      connect,
      socketpair: sock_no_socketpair,
      accept: sock_no_accept,
      getname: inet_getname,
      listen: inet_listen,
      shutdown: inet_shutdown,
      setsockopt: sock_common_setsockopt,
      getsockopt: sock_common_getsockopt,
      sendmsg: inet_sendmsg,
      recvmsg: inet_recvmsg,
    });
    const rc = proto_register(kernel, prot, true);
    if (rc < 0) return rc;
    const sw: InetProtosw[] = [
      { type: SOCK_SEQPACKET, protocol: IPPROTO_SCTP, prot, ops: ops(sock_no_connect), flags: 0 },
      { type: SOCK_STREAM, protocol: IPPROTO_SCTP, prot, ops: ops(sock_no_connect), flags: 0 },
    ];
    for (const p of sw) inet_register_protosw(kernel, p);
    states.set(kernel, { prot, sw });
    return 0;
  },
  exit(kernel: Kernel): void {
    const st = states.get(kernel)!;
    for (const p of st.sw) inet_unregister_protosw(kernel, p);
    proto_unregister(kernel, st.prot);
    states.delete(kernel);
  },
};
