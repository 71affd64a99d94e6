/** One traced socket() call and everything it left behind, as a CallReport. */
import type { Kernel, Task, TraceEvent } from '@ksock/core';
import { KernelError } from '@ksock/core';
import { strerror } from '../errno_text.js';
import { inspectFd } from '../inspect.js';
import type { Names } from '../names.js';
import type { CallReport } from '../report.js';

export interface SocketCall {
  c: string;
  family: number;
  type: number;
  protocol: number;
  seed?: string | null;
}

/** The modules load_module() brought in during a trace, in load order. */
export function autoloadedIn(events: readonly TraceEvent[]): string[] {
  return events.filter((e) => e.name === 'load_module' && e.done && e.ret === 0).map((e) => e.args);
}

export function tracedSocket(kernel: Kernel, task: Task, call: SocketCall, names?: Names): CallReport {
  const modulesBefore = kernel.modules.list();
  const t = kernel.trace(() => task.socket(call.family, call.type, call.protocol));
  const modulesAfter = kernel.modules.list();
  let result: CallReport['result'];
  if (t.error === undefined) {
    result = { ok: true, fd: t.result as number, errno: null, code: null, message: null };
  } else if (t.error instanceof KernelError) {
    result = {
      ok: false,
      fd: null,
      errno: t.error.errno,
      code: t.error.code,
      message: strerror(t.error.code),
    };
  } else {
    // Not a syscall failure: a bug below the syscall boundary. Shown, not hidden.
    const msg = t.error instanceof Error ? t.error.message : String(t.error);
    result = { ok: false, fd: null, errno: null, code: 'internal error', message: msg };
  }
  return {
    seed: call.seed ?? null,
    c: call.c,
    named:
      names === undefined
        ? call.c
        : `socket(${names.familyName(call.family)}, ${names.typeName(call.type)}, ${names.protocolName(call.family, call.protocol)})`,
    family: call.family,
    type: call.type,
    protocol: call.protocol,
    result,
    events: t.events,
    autoloaded: autoloadedIn(t.events),
    objects:
      result.fd !== null ? inspectFd(task, result.fd, names && ((f, p) => names.protocolName(f, p))) : null,
    modulesBefore,
    modulesAfter,
  };
}
