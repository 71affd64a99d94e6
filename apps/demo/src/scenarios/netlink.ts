/**
 * `netlink`: two NETLINK_USERSOCK sockets (in two processes) exchanging messages, then an RTM_GETLINK
 * dump over NETLINK_ROUTE; every message hex-dumped and annotated field by field.
 */
import type { RecvResult, Task } from '@ksock/core';
import { AF_NETLINK, MSG_DONTWAIT, SOCK_RAW } from '@ksock/core';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary } from '../context.js';
import {
  annotate,
  ifinfomsg,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  nlmsg,
  parseSockaddrNl,
  RTM_GETLINK,
  sockaddr_nl,
  splitMessages,
} from '../nl.js';
import type { AnnotatedMessage, Report, Section } from '../report.js';
import { tracedSocket } from './socket_call.js';
import { runStep } from './steps.js';

const enc = new TextEncoder();
const USER_TYPE = 0x10; // NLMSG_MIN_TYPE: the first type free for a protocol's own messages

function addrText(b: Uint8Array | null): string {
  const a = parseSockaddrNl(b);
  return a === null ? 'no address' : `{nl_family=${a.family}, nl_pid=${a.portid}, nl_groups=${a.groups}}`;
}

export function runNetlink(ctx: Context): Report {
  const kernel = bootKernel(ctx);
  const sections: Section[] = [];
  let ok = true;
  const base = {
    command: 'netlink',
    title: 'Netlink messages, byte by byte',
    families: familiesSummary(ctx),
  };
  const NETLINK_USERSOCK = ctx.names.protocol('NETLINK_USERSOCK') ?? 2;
  const NETLINK_ROUTE = ctx.names.protocol('NETLINK_ROUTE') ?? 0;

  // ---- NETLINK_USERSOCK: one process to another ------------------------------------------------------
  sections.push({ kind: 'heading', text: 'NETLINK_USERSOCK: two processes, one socket each' });
  const alice = kernel.spawn({ uid: 1000, comm: 'alice' });
  const bob = kernel.spawn({ uid: 1000, comm: 'bob' });
  const open = (t: Task) => {
    const c = tracedSocket(
      kernel,
      t,
      {
        c: 'socket(PF_NETLINK, SOCK_RAW, NETLINK_USERSOCK)',
        family: AF_NETLINK,
        type: SOCK_RAW,
        protocol: NETLINK_USERSOCK,
      },
      ctx.names,
    );
    return c;
  };
  const a = open(alice);
  sections.push(
    { kind: 'note', tone: 'info', text: `${alice.comm} (pid ${alice.pid}):` },
    { kind: 'call', call: a, compact: true },
  );
  if (!a.result.ok) return { ...base, sections, exitCode: 1 };
  const b = open(bob);
  sections.push({ kind: 'note', tone: 'info', text: `${bob.comm} (pid ${bob.pid}): the same call` });
  const afd = a.result.fd!;
  const bfd = b.result.fd!;
  sections.push({
    kind: 'step',
    text: `${bob.comm}: socket(PF_NETLINK, SOCK_RAW, NETLINK_USERSOCK)`,
    ok: b.result.ok,
    failed: !b.result.ok,
    detail: b.result.ok ? `= ${bfd}` : `-1 ${b.result.code}`,
    events: b.events,
  });

  const add = <T>(task: Task, text: string, fn: () => T, show?: (r: T) => string) => {
    const r = runStep(kernel, `${task.comm}: ${text}`, fn, show ? { show } : {});
    sections.push(r.section);
    ok &&= r.section.ok;
    return r;
  };
  add(bob, `bind(${bfd}, {nl_family=AF_NETLINK, nl_pid=${bob.pid}, nl_groups=0})  — an explicit portid`, () =>
    bob.bind(bfd, sockaddr_nl(bob.pid)),
  );
  add(
    alice,
    `bind(${afd}, {nl_family=AF_NETLINK, nl_pid=0, nl_groups=0})  — portid 0: the kernel picks one`,
    () => alice.bind(afd, sockaddr_nl(0)),
  );
  const an = add(
    alice,
    `getsockname(${afd})`,
    () => alice.getsockname(afd),
    (r) => `= ${addrText(r)}`,
  );
  const alicePort = parseSockaddrNl(an.result ?? null)?.portid ?? 0;

  const messages: AnnotatedMessage[] = [];
  const send = (from: Task, fd: number, fromPort: number, to: number, seq: number, text: string) => {
    const msg = nlmsg(USER_TYPE, NLM_F_REQUEST, seq, fromPort, enc.encode(text));
    messages.push(
      annotate(
        `${from.comm} → portid ${to}: sendto(${fd}, …, ${msg.length}, 0, {nl_pid=${to}})`,
        msg,
        'other',
      ),
    );
    add(from, `sendto(${fd}, ${msg.length} bytes, 0, {nl_family=AF_NETLINK, nl_pid=${to}})`, () =>
      from.sendto(fd, msg, 0, sockaddr_nl(to)),
    );
  };
  const recv = (to: Task, fd: number) => {
    const r = add(
      to,
      `recvfrom(${fd}, 8192, MSG_DONTWAIT)`,
      () => to.recvfrom(fd, 8192, MSG_DONTWAIT),
      (x: RecvResult) => `= ${x.len}, from ${addrText(x.addr)}`,
    );
    if (r.result !== undefined)
      for (const m of splitMessages(r.result.data))
        messages.push(annotate(`${to.comm} received (sender ${addrText(r.result.addr)})`, m, 'other'));
  };
  send(alice, afd, alicePort, bob.pid, 1, `hello from ${alice.comm}`);
  recv(bob, bfd);
  send(bob, bfd, bob.pid, alicePort, 1, `hello back from ${bob.comm}`);
  recv(alice, afd);
  sections.push({ kind: 'messages', title: 'The messages, field by field', messages: messages.splice(0) });
  add(alice, `close(${afd})`, () => alice.close(afd));
  add(bob, `close(${bfd})`, () => bob.close(bfd));

  // ---- NETLINK_ROUTE: RTM_GETLINK dump -------------------------------------------------------------
  sections.push({ kind: 'heading', text: 'NETLINK_ROUTE: an RTM_GETLINK dump (what `ip link` asks)' });
  const ip = kernel.spawn({ uid: 1000, comm: 'ip' });
  const r = tracedSocket(
    kernel,
    ip,
    {
      c: 'socket(PF_NETLINK, SOCK_RAW, NETLINK_ROUTE)',
      family: AF_NETLINK,
      type: SOCK_RAW,
      protocol: NETLINK_ROUTE,
    },
    ctx.names,
  );
  sections.push({ kind: 'call', call: r, compact: true });
  if (!r.result.ok) return { ...base, sections, exitCode: 1 };
  const rfd = r.result.fd!;
  const req = nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg());
  const dump: AnnotatedMessage[] = [annotate('request: RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP', req, 'route')];
  add(ip, `sendto(${rfd}, ${req.length} bytes, 0, {nl_family=AF_NETLINK, nl_pid=0 (the kernel)})`, () =>
    ip.sendto(rfd, req, 0, sockaddr_nl(0)),
  );
  let done = false;
  for (let i = 0; i < 16 && !done; i++) {
    const got = add(
      ip,
      `recvfrom(${rfd}, 32768, MSG_DONTWAIT)`,
      () => ip.recvfrom(rfd, 32768, MSG_DONTWAIT),
      (x: RecvResult) => `= ${x.len} (${splitMessages(x.data).length} messages)`,
    );
    if (got.result === undefined) break;
    for (const m of splitMessages(got.result.data)) {
      const type = new DataView(m.buffer, m.byteOffset, m.byteLength).getUint16(4, true);
      dump.push(annotate(`reply part ${dump.length}`, m, 'route'));
      if (type === NLMSG_DONE || type === NLMSG_ERROR) done = true;
    }
  }
  if (!done) {
    ok = false;
    sections.push({ kind: 'note', tone: 'error', text: 'The dump did not end with NLMSG_DONE.' });
  }
  sections.push({ kind: 'messages', title: 'The dump, field by field', messages: dump });
  add(ip, `close(${rfd})`, () => ip.close(rfd));
  return { ...base, sections, exitCode: ok ? 0 : 1 };
}
