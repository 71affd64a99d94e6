/**
 * `cn_proc`: seed 000's demo program, for real. A listener opens the socket the seed walks through —
 * socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR) —, binds to the CN_IDX_PROC group and sends
 * PROC_CN_MCAST_LISTEN; a small workload forks, execs, changes uid and exits; after each step the listener
 * reads what arrived and decodes it from the bytes (nlmsghdr → cn_msg → proc_event).
 */
import type { RecvResult, Task } from '@ksock/core';
import { AF_NETLINK, MSG_DONTWAIT, SOCK_DGRAM } from '@ksock/core';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary } from '../context.js';
import type { ProcEventDecoded } from '../nl.js';
import {
  annotate,
  CN_IDX_PROC,
  CN_VAL_PROC,
  cn_msg,
  decodeProcEvent,
  NLMSG_DONE,
  nlmsg,
  PROC_CN_MCAST_IGNORE,
  PROC_CN_MCAST_LISTEN,
  sockaddr_nl,
  splitMessages,
  u32le,
} from '../nl.js';
import type { AnnotatedMessage, ProcEventRow, Report, Section } from '../report.js';
import { tracedSocket } from './socket_call.js';
import { runStep } from './steps.js';

function describeEvent(e: ProcEventDecoded): string {
  const f = Object.fromEntries(e.fields) as Record<string, number | string>;
  switch (e.what) {
    case 'fork':
      return `parent pid ${f.parent_pid} forked child pid ${f.child_pid} (tgid ${f.child_tgid})`;
    case 'exec':
      return `pid ${f.process_pid} exec'd a new program`;
    case 'uid':
      return `pid ${f.process_pid} changed uid: ruid ${f['r.ruid']}, euid ${f['e.euid']}`;
    case 'gid':
      return `pid ${f.process_pid} changed gid: rgid ${f['r.rgid']}, egid ${f['e.egid']}`;
    case 'sid':
      return `pid ${f.process_pid} started a new session`;
    case 'comm':
      return `pid ${f.process_pid} is now called ${JSON.stringify(f.comm)}`;
    case 'exit':
      return `pid ${f.process_pid} exited: exit_code ${f.exit_code} (status ${Number(f.exit_code) >> 8}), exit_signal ${f.exit_signal}, parent ${f.parent_pid}`;
    case 'none':
      return `ack of the subscription: err ${f.err}`;
    default:
      return e.fields.map(([k, v]) => `${k}=${v}`).join(' ');
  }
}

export function runCnProc(ctx: Context): Report {
  const kernel = bootKernel(ctx);
  const sections: Section[] = [];
  const base = {
    command: 'cn_proc',
    title: 'cn_proc: process events over NETLINK_CONNECTOR (seed 000)',
    families: familiesSummary(ctx),
  };
  const NETLINK_CONNECTOR = ctx.names.protocol('NETLINK_CONNECTOR') ?? 11;
  let ok = true;

  // The seed's demo runs as root: subscribing to process events needs CAP_NET_ADMIN.
  const listener = kernel.spawn({ uid: 0, comm: 'cn_proc_demo' });
  const call = tracedSocket(
    kernel,
    listener,
    {
      seed: '000',
      c: 'socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)',
      family: AF_NETLINK,
      type: SOCK_DGRAM,
      protocol: NETLINK_CONNECTOR,
    },
    ctx.names,
  );
  sections.push(
    { kind: 'heading', text: `The listener, ${listener.comm} (pid ${listener.pid}), opens its socket` },
    { kind: 'call', call },
  );
  if (!call.result.ok) {
    sections.push({
      kind: 'note',
      tone: 'error',
      text: `The listener cannot open its socket (${call.result.code}); the trace above shows where the kernel refused.`,
    });
    return { ...base, sections, exitCode: 1 };
  }
  const fd = call.result.fd!;

  const add = <T>(task: Task, text: string, fn: () => T, show?: (r: T) => string) => {
    const r = runStep(kernel, `${task.comm}[${task.pid}]: ${text}`, fn, show ? { show } : {});
    sections.push(r.section);
    ok &&= r.section.ok;
    return r;
  };
  const bytes: AnnotatedMessage[] = [];
  const shown = new Set<string>();
  let received = 0;
  /** recv() until EAGAIN: everything that arrived since the last read, decoded. */
  const drain = (after: string) => {
    const rows: ProcEventRow[] = [];
    for (let i = 0; i < 64; i++) {
      const r = runStep(kernel, 'recv', () => listener.recvfrom(fd, 8192, MSG_DONTWAIT), {});
      if (r.result === undefined) {
        if (r.code !== 'EAGAIN') {
          ok = false;
          sections.push(r.section);
        }
        break;
      }
      for (const m of splitMessages((r.result as RecvResult).data)) {
        const { decoded, annotated } = decodeProcEvent(m);
        if (decoded === null) continue;
        received++;
        rows.push({
          what: decoded.what,
          fields: decoded.fields,
          text: describeEvent(decoded),
          bytes: m.length,
        });
        if (!shown.has(decoded.what)) {
          shown.add(decoded.what);
          bytes.push({ ...annotated, title: `${annotated.title} — as received after ${after}` });
        }
      }
    }
    sections.push({
      kind: 'events',
      title: `${listener.comm} reads: ${rows.length === 0 ? 'nothing' : `${rows.length} event${rows.length > 1 ? 's' : ''}`}`,
      rows,
    });
  };

  sections.push({
    kind: 'heading',
    text: 'Subscribe: bind to the CN_IDX_PROC group, send PROC_CN_MCAST_LISTEN',
  });
  add(listener, `bind(${fd}, {nl_family=AF_NETLINK, nl_pid=${listener.pid}, nl_groups=CN_IDX_PROC})`, () =>
    listener.bind(fd, sockaddr_nl(listener.pid, CN_IDX_PROC)),
  );
  const listen = nlmsg(
    NLMSG_DONE,
    0,
    0,
    listener.pid,
    cn_msg(CN_IDX_PROC, CN_VAL_PROC, 0, 0, u32le(PROC_CN_MCAST_LISTEN)),
  );
  const req = annotate('the subscription: nlmsghdr + cn_msg + enum proc_cn_mcast_op', listen, 'other');
  // The payload is cn_msg + op: name its fields instead of "payload".
  req.fields = req.fields.filter((f) => f.name !== 'payload' && f.name !== 'int (dump status)');
  req.fields.push(
    { offset: 16, length: 4, name: 'cn_msg.id.idx', value: `${CN_IDX_PROC} (CN_IDX_PROC)`, depth: 0 },
    { offset: 20, length: 4, name: 'cn_msg.id.val', value: `${CN_VAL_PROC} (CN_VAL_PROC)`, depth: 0 },
    { offset: 24, length: 4, name: 'cn_msg.seq', value: '0', depth: 0 },
    { offset: 28, length: 4, name: 'cn_msg.ack', value: '0', depth: 0 },
    { offset: 32, length: 2, name: 'cn_msg.len', value: '4', depth: 0 },
    { offset: 34, length: 2, name: 'cn_msg.flags', value: '0', depth: 0 },
    { offset: 36, length: 4, name: 'op', value: `${PROC_CN_MCAST_LISTEN} (PROC_CN_MCAST_LISTEN)`, depth: 0 },
  );
  bytes.push(req);
  add(listener, `send(${fd}, ${listen.length} bytes, 0)  — to the kernel (portid 0)`, () =>
    listener.sendto(fd, listen, 0, null),
  );
  drain('the subscription');

  sections.push({
    kind: 'heading',
    text: 'The workload: a shell forks a child that execs, drops to uid 1000 and exits',
  });
  const shell = kernel.spawn({ uid: 0, comm: 'sh' });
  sections.push({ kind: 'note', tone: 'info', text: `init (pid 1) starts a shell: sh, pid ${shell.pid}` });
  drain('init started the shell');
  const child = add(
    shell,
    'fork()',
    () => shell.fork(),
    (c) => `= ${c.pid}`,
  ).result;
  drain('fork()');
  if (child !== undefined) {
    add(child, 'execve("/usr/bin/id", ["id"])', () => child.execve('/usr/bin/id', ['id']));
    drain('execve()');
    add(child, 'setuid(1000)', () => child.setuid(1000));
    drain('setuid()');
    add(child, 'exit(3)', () => child.exit(3));
    drain('exit()');
    add(
      shell,
      `waitpid(${child.pid})`,
      () => shell.waitpid(child.pid),
      (r) => `= ${r.pid}, status 0x${r.status.toString(16)}`,
    );
  }

  sections.push({ kind: 'heading', text: 'Unsubscribe and close' });
  const ignore = nlmsg(
    NLMSG_DONE,
    0,
    0,
    listener.pid,
    cn_msg(CN_IDX_PROC, CN_VAL_PROC, 0, 0, u32le(PROC_CN_MCAST_IGNORE)),
  );
  add(listener, `send(${fd}, ${ignore.length} bytes, 0)  — PROC_CN_MCAST_IGNORE`, () =>
    listener.sendto(fd, ignore, 0, null),
  );
  drain('PROC_CN_MCAST_IGNORE');
  add(listener, `close(${fd})`, () => listener.close(fd));
  sections.push({
    kind: 'messages',
    title: 'The bytes: the subscription, and the first event of each kind',
    messages: bytes,
  });
  if (received === 0) {
    ok = false;
    sections.push({ kind: 'note', tone: 'error', text: 'The listener received no event.' });
  }
  return { ...base, sections, exitCode: ok ? 0 : 1 };
}
