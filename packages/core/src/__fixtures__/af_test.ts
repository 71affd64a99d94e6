/**
 * A small loadable family used by core's own tests: datagrams between its sockets, addressed by a
 * 16-bit port (sockaddr: u16 family, u16 port). Knobs let a test make create() fail or hand back ops
 * whose module is going away, to drive every branch of __sock_create.
 */

import { datagram_poll, skb_free_datagram, skb_recv_datagram, sock_queue_rcv_skb } from '../datagram.js';
import { Kernel } from '../kernel.js';
import type { Module, ModuleDescriptor } from '../module.js';
import { type MsgHdr, memcpy_from_msg } from '../msg.js';
import type { Net } from '../net_namespace.js';
import { alloc_skb, kfree_skb } from '../skbuff.js';
import type { Proto } from '../sock.js';
import {
  proto_register,
  proto_unregister,
  Sock,
  sk_alloc,
  sock_init_data,
  sock_orphan,
  sock_prot_inuse_add,
  sock_put,
} from '../sock.js';
import {
  sock_no_accept,
  sock_no_connect,
  sock_no_listen,
  sock_no_shutdown,
  sock_no_socketpair,
} from '../sock_no.js';
import type { NetProtoFamily, ProtoOps, Socket } from '../socket.js';
import { sock_register, sock_unregister } from '../socket.js';
import {
  EADDRINUSE,
  ECONNREFUSED,
  EDESTADDRREQ,
  EINVAL,
  ENOBUFS,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
} from '../uapi/errno.js';
import { MSG_PEEK, MSG_TRUNC, SOCK_DGRAM } from '../uapi/socket.js';

export class TestSock extends Sock {
  port = 0;
}

export interface TestFamilyKnobs {
  /** create() returns this negative errno instead of creating. */
  create_error?: number;
  /** create() sets sock.ops to ops owned by this module (e.g. one being unloaded). */
  ops_owner?: Module | null;
  /** The ops have no ->poll (sock_poll() then answers 0). */
  no_poll?: boolean;
  /** create() returns 0 without setting sock.ops (a family's bug __sock_create() must survive). */
  forget_ops?: boolean;
}

interface State {
  ports: Map<number, TestSock>;
  mod: Module;
  ops: ProtoOps;
  proto: Proto;
  family: NetProtoFamily;
}

export function addr(family: number, port: number): Uint8Array {
  const b = new Uint8Array(4);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, family, true);
  dv.setUint16(2, port, true);
  return b;
}

/** A module descriptor for a test family on `family`, with per-kernel state. */
export function testFamily(
  family: number,
  knobs: TestFamilyKnobs = {},
  name = 'af_test',
): { module: ModuleDescriptor; state(k: Kernel): State | undefined } {
  const states = new WeakMap<Kernel, State>();

  const release = (sock: Socket): number => {
    const sk = sock.sk as TestSock | null;
    if (sk === null) return 0;
    const st = states.get(sk.sk_net.kernel)!;
    if (sk.port !== 0) st.ports.delete(sk.port);
    sock_prot_inuse_add(sk.sk_net, st.proto, -1);
    sock_orphan(sk);
    sock_put(sk);
    return 0;
  };

  const bind = (sock: Socket, a: Uint8Array, len: number): number => {
    if (len < 4) return -EINVAL;
    const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
    if (dv.getUint16(0, true) !== family) return -EINVAL;
    const port = dv.getUint16(2, true);
    const sk = sock.sk as TestSock;
    const st = states.get(sk.sk_net.kernel)!;
    if (sk.port !== 0) return -EINVAL;
    if (st.ports.has(port)) return -EADDRINUSE;
    sk.port = port;
    st.ports.set(port, sk);
    return 0;
  };

  const getname = (sock: Socket, peer: boolean): Uint8Array | number => {
    if (peer) return -107; // ENOTCONN
    return addr(family, (sock.sk as TestSock).port);
  };

  const sendmsg = (sock: Socket, msg: MsgHdr, _len: number): number => {
    const sk = sock.sk as TestSock;
    const st = states.get(sk.sk_net.kernel)!;
    if (msg.msg_name === null) return -EDESTADDRREQ;
    if (msg.msg_name.length < 4) return -EINVAL;
    const port = new DataView(msg.msg_name.buffer, msg.msg_name.byteOffset).getUint16(2, true);
    const dst = st.ports.get(port);
    if (dst === undefined) return -ECONNREFUSED;
    const data = memcpy_from_msg(msg);
    const skb = alloc_skb(data);
    skb.cb = sk.port;
    const err = sock_queue_rcv_skb(dst, skb);
    if (err < 0) {
      kfree_skb(skb);
      return -ENOBUFS;
    }
    return data.length;
  };

  const recvmsg = (sock: Socket, msg: MsgHdr, size: number, flags: number): number => {
    const sk = sock.sk!;
    const skb = skb_recv_datagram(sk, flags);
    if (typeof skb === 'number') return skb;
    const copied = Math.min(size, skb.len);
    msg.data = skb.data.slice(0, copied);
    if (copied < skb.len) msg.msg_flags |= MSG_TRUNC;
    msg.msg_name = addr(family, skb.cb as number);
    const ret = (flags & MSG_TRUNC) !== 0 ? skb.len : copied;
    skb_free_datagram(sk, skb, flags & MSG_PEEK);
    return ret;
  };

  const module: ModuleDescriptor = {
    name,
    version: '1.0.0',
    aliases: [`net-pf-${family}`],
    init(kernel: Kernel, mod: Module): number {
      const proto: Proto = { name: 'TEST', owner: mod, obj_size: 1024, sk_class: TestSock };
      const ops: ProtoOps = {
        family,
        owner: mod,
        release,
        bind,
        connect: sock_no_connect,
        socketpair: sock_no_socketpair,
        accept: sock_no_accept,
        getname,
        listen: sock_no_listen,
        shutdown: sock_no_shutdown,
        sendmsg,
        recvmsg,
      };
      if (knobs.no_poll !== true) ops.poll = datagram_poll;
      const fam: NetProtoFamily = {
        family,
        owner: mod,
        create: function test_create(net: Net, sock: Socket, protocol: number, kern: boolean): number {
          if (knobs.create_error !== undefined) return knobs.create_error;
          if (sock.type !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
          if (protocol !== 0) return -EPROTONOSUPPORT;
          if (knobs.forget_ops === true) return 0;
          sock.ops = knobs.ops_owner !== undefined ? { ...ops, owner: knobs.ops_owner } : ops;
          const sk = sk_alloc(net, family, proto, kern);
          if (sk === null) return -ENOBUFS;
          sock_init_data(sock, sk);
          sock_prot_inuse_add(net, proto, 1);
          return 0;
        },
      };
      let err = proto_register(kernel, proto, true);
      if (err < 0) return err;
      err = sock_register(kernel, fam);
      if (err < 0) {
        proto_unregister(kernel, proto);
        return err;
      }
      states.set(kernel, { ports: new Map(), mod, ops, proto, family: fam });
      return 0;
    },
    exit(kernel: Kernel): void {
      const st = states.get(kernel)!;
      sock_unregister(kernel, family);
      proto_unregister(kernel, st.proto);
      states.delete(kernel);
    },
  };
  return { module, state: (k: Kernel) => states.get(k) };
}

/** A kernel with the test family as `family`, an unprivileged task, and two datagram sockets bound to 1 and 2. */
export function bootPair(family: number) {
  const fam = testFamily(family);
  const kernel = new Kernel({ modules: fam.module });
  const task = kernel.spawn({ uid: 1000 });
  const a = task.socket(family, SOCK_DGRAM, 0);
  const b = task.socket(family, SOCK_DGRAM, 0);
  task.bind(a, addr(family, 1));
  task.bind(b, addr(family, 2));
  return { kernel, task, a, b };
}
