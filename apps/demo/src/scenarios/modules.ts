/**
 * `modules`: lsmod on a fresh kernel; the first socket() autoloads its family; rmmod is refused while the
 * socket holds the module; after close() rmmod succeeds; the next socket() autoloads it again.
 */
import type { Kernel, Task } from '@ksock/core';
import { AF_BLUETOOTH, AF_INET, AF_NETLINK, SOCK_DGRAM, SOCK_STREAM } from '@ksock/core';
import type { Context } from '../context.js';
import { bootKernel, familiesSummary, familyAvailable } from '../context.js';
import type { Report, Section } from '../report.js';
import type { SocketCall } from './socket_call.js';
import { tracedSocket } from './socket_call.js';
import { step } from './steps.js';

/** Candidate calls, Bluetooth first: it shows two levels of modules (rfcomm on top of bluetooth). */
function candidates(ctx: Context): SocketCall[] {
  const p = (n: string) => ctx.names.protocol(n);
  const out: SocketCall[] = [];
  if (familyAvailable(ctx, '@ksock/af-bluetooth') && p('BTPROTO_RFCOMM') !== undefined)
    out.push({
      c: 'socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)',
      family: AF_BLUETOOTH,
      type: SOCK_STREAM,
      protocol: p('BTPROTO_RFCOMM')!,
    });
  if (familyAvailable(ctx, '@ksock/af-inet'))
    out.push({ c: 'socket(PF_INET, SOCK_STREAM, 0)', family: AF_INET, type: SOCK_STREAM, protocol: 0 });
  if (familyAvailable(ctx, '@ksock/af-netlink') && p('NETLINK_USERSOCK') !== undefined)
    out.push({
      c: 'socket(PF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK)',
      family: AF_NETLINK,
      type: SOCK_DGRAM,
      protocol: p('NETLINK_USERSOCK')!,
    });
  return out;
}

/** The first candidate that works, tried on a scratch kernel (a family may be installed but incomplete). */
function pickCall(ctx: Context): SocketCall | null {
  for (const call of candidates(ctx)) {
    const k = bootKernel(ctx);
    try {
      k.spawn({ comm: 'probe' }).socket(call.family, call.type, call.protocol);
      return call;
    } catch {
      /* try the next family */
    }
  }
  return null;
}

function closeStep(kernel: Kernel, task: Task, fd: number): Section & { kind: 'step' } {
  return step(kernel, `close(${fd})`, () => task.close(fd));
}

export function runModules(ctx: Context): Report {
  const kernel = bootKernel(ctx);
  const task = kernel.spawn({ uid: 0, comm: 'demo' });
  const sections: Section[] = [];
  const base = {
    command: 'modules',
    title: 'Modules: autoload, in use, unload, autoload again',
    families: familiesSummary(ctx),
  };
  sections.push({
    kind: 'modules',
    title: '$ lsmod   (fresh kernel)',
    rows: kernel.modules.list(),
    changed: [],
  });
  sections.push({
    kind: 'note',
    tone: 'info',
    text: `Installed, not loaded: ${
      kernel.modules
        .available_modules()
        .map((d) => `${d.name} (${(d.aliases ?? []).join(', ') || 'no alias'})`)
        .join('; ') || 'nothing'
    }`,
  });
  const call = pickCall(ctx);
  if (call === null) {
    sections.push({
      kind: 'note',
      tone: 'warn',
      text: 'No family package can create a socket yet, so there is no module to hold: socket(PF_INET, SOCK_STREAM, 0) shows what happens without one.',
    });
    sections.push({
      kind: 'call',
      call: tracedSocket(
        kernel,
        task,
        { c: 'socket(PF_INET, SOCK_STREAM, 0)', family: AF_INET, type: SOCK_STREAM, protocol: 0 },
        ctx.names,
      ),
    });
    return { ...base, sections, exitCode: 0 };
  }
  let ok = true;
  sections.push({ kind: 'heading', text: `First use: ${call.c} autoloads its family` });
  const first = tracedSocket(kernel, task, call, ctx.names);
  sections.push({ kind: 'call', call: first, compact: true });
  if (!first.result.ok) return { ...base, sections, exitCode: 1 };
  const loaded = first.autoloaded.length > 0 ? first.autoloaded : kernel.modules.list().map((m) => m.name);

  sections.push({ kind: 'heading', text: 'rmmod while the socket is open: refused' });
  for (const name of [...loaded].reverse()) {
    const s = step(kernel, `rmmod ${name}`, () => task.rmmod(name), true);
    // What rmmod(8) prints for EWOULDBLOCK from delete_module(2).
    if (s.failed && s.detail?.includes('EAGAIN')) s.detail += `  → rmmod: ERROR: Module ${name} is in use`;
    ok &&= s.ok;
    sections.push(s);
  }
  sections.push({ kind: 'modules', title: '$ lsmod', rows: kernel.modules.list(), changed: [] });

  sections.push({ kind: 'heading', text: 'close() drops the references; rmmod succeeds' });
  const c = closeStep(kernel, task, first.result.fd!);
  ok &&= c.ok;
  sections.push(c);
  sections.push({
    kind: 'modules',
    title: '$ lsmod   (after close)',
    rows: kernel.modules.list(),
    changed: [],
  });
  for (const name of [...loaded].reverse()) {
    const s = step(kernel, `rmmod ${name}`, () => task.rmmod(name));
    ok &&= s.ok;
    sections.push(s);
  }
  sections.push({
    kind: 'modules',
    title: '$ lsmod   (after rmmod)',
    rows: kernel.modules.list(),
    changed: [],
  });

  sections.push({ kind: 'heading', text: 'Next use: autoloaded again' });
  const again = tracedSocket(kernel, task, call, ctx.names);
  sections.push({ kind: 'call', call: again, compact: true });
  ok &&= again.result.ok && again.autoloaded.length === first.autoloaded.length;
  if (again.result.fd !== null) sections.push(closeStep(kernel, task, again.result.fd));
  sections.push({
    kind: 'modules',
    title: '$ lsmod   (at the end)',
    rows: kernel.modules.list(),
    changed: [],
  });
  return { ...base, sections, exitCode: ok ? 0 : 1 };
}
