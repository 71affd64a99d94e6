/** Helpers shared by the tests (not exported from the package). */
import { AF_NETLINK, Kernel, SOCK_DGRAM, type Task } from '@ksock/core';
import modules from '../index.js';
import { type NlMsg, nlmsg, nlmsg_parse, sockaddr_nl } from '../uapi.js';

export function boot(): Kernel {
  return new Kernel({ modules });
}

export function nlsocket(t: Task, protocol: number, type = SOCK_DGRAM): number {
  return t.socket(AF_NETLINK, type, protocol);
}

export function bindnl(t: Task, fd: number, pid = 0, groups = 0): void {
  t.bind(fd, sockaddr_nl(pid, groups));
}

export function recvmsgs(t: Task, fd: number, len = 32768): NlMsg[] {
  return nlmsg_parse(t.recvfrom(fd, len).data);
}

export function modref(k: Kernel, name: string): number | undefined {
  return k.modules.list().find((m) => m.name === name)?.refcnt;
}

export { nlmsg };
