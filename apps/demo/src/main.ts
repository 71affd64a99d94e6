/**
 * The first scenario of the design documents, traced: socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)
 * on a fresh kernel. With no family package providing "net-pf-16", the trace shows __sock_create asking
 * for the module, finding none, and failing with EAFNOSUPPORT — exactly where Linux would.
 */
import { AF_NETLINK, Kernel, KernelError, SOCK_DGRAM } from '@ksock/core';

const NETLINK_CONNECTOR = 11;
const kernel = new Kernel({ modules: [] });
const task = kernel.spawn({ uid: 1000, comm: 'cn_proc_demo' });

console.log('socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)\n');
const { result, error, text } = kernel.trace(() => task.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR));
console.log(text);
if (error instanceof KernelError) console.log(`\n= -1 ${error.code} (${error.errno})`);
else console.log(`\n= ${result}`);
