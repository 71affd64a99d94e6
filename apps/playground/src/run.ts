/**
 * Run a parsed program on a freshly booted kernel, one traced call per line, and keep what each step
 * left behind (the module table, the objects behind every open socket) so the page can step back and
 * forth through the states without running anything again.
 */

import { sockaddr_rc } from '@ksock/af-bluetooth';
import { sockaddr_in } from '@ksock/af-inet';
import { sockaddr_nl } from '@ksock/af-netlink';
import type { ModuleInfo, Task, TraceEvent } from '@ksock/core';
import { Kernel, KernelError } from '@ksock/core';
import type { ObjectGraph } from '@ksock/demo/view';
import { inspectFd, Names, strerror, whereItFailed } from '@ksock/demo/view';
import { FAMILIES, familyPackages } from './families.js';
import type { Arg, Statement } from './program.js';

export interface StepResult {
  statement: Statement;
  /** The call with its arguments as values: `socket(16, 2, 11)`. */
  numbers: string;
  ok: boolean;
  /** What the call returned, written for a person: `= 3`, `-1 EAFNOSUPPORT (…)`. */
  detail: string;
  code: string | null;
  /** Where the errno came from, in words. */
  why: string | null;
  events: TraceEvent[];
  /** Bytes the call received, or the text of a /proc file. */
  output: { bytes?: Uint8Array; text?: string } | null;
  modulesBefore: ModuleInfo[];
  modules: ModuleInfo[];
  /** The objects behind each socket fd of the task after the call. */
  objects: ObjectGraph[];
}

export interface RunResult {
  steps: StepResult[];
  families: string[];
}

/** Values a program may not pass: the same boundary Task methods enforce, said in the program's terms. */
class RunError extends Error {}

function bytesOf(a: Arg, vars: Map<string, number>): Uint8Array {
  if (a.kind === 'str') return new TextEncoder().encode(a.value);
  return new Uint8Array(num(a, vars));
}

function num(a: Arg, vars: Map<string, number>): number {
  if (a.kind === 'num') return a.value;
  if (a.kind === 'var') return vars.get(a.name) ?? -1;
  throw new RunError('expected a number');
}

function addrOf(a: Arg, vars: Map<string, number>): Uint8Array | null {
  if (a.kind === 'num' && a.value === 0) return null;
  if (a.kind !== 'addr') throw new RunError('expected an address');
  const f = a.fields;
  const n = (k: string) => (f[k] === undefined ? 0 : num(f[k]!, vars));
  const s = (k: string, dflt: string) => {
    const v = f[k];
    if (v === undefined) return dflt;
    return v.kind === 'str' ? v.value : num(v, vars);
  };
  switch (a.family) {
    case 'nl':
      return sockaddr_nl(n('nl_pid'), n('nl_groups'));
    case 'in':
      return sockaddr_in(s('sin_addr', '0.0.0.0'), n('sin_port'));
    case 'rc':
      return sockaddr_rc(String(s('rc_bdaddr', '00:00:00:00:00:00')), n('rc_channel'));
  }
}

function showArg(a: Arg, vars: Map<string, number>): string {
  switch (a.kind) {
    case 'num':
      return String(a.value);
    case 'var':
      return String(vars.get(a.name) ?? '?');
    case 'str':
      return JSON.stringify(a.value);
    case 'addr':
      return `{${Object.entries(a.fields)
        .map(([k, v]) => `${k}: ${showArg(v, vars)}`)
        .join(', ')}}`;
  }
}

/** Boot a kernel with the ticked families' modules available (none loaded), as the demo does. */
export function boot(familyIds: readonly string[]): { kernel: Kernel; task: Task } {
  const kernel = new Kernel({ modules: [] });
  for (const f of FAMILIES)
    if (familyIds.includes(f.id)) for (const d of f.modules) kernel.modules.add_available(d);
  // The same user and command name as the demo's, so the two print the same trace for the same call.
  const task = kernel.spawn({ uid: 1000, comm: 'demo' });
  return { kernel, task };
}

let names: Names | null = null;
const protoName = (f: number, p: number) => {
  names ??= new Names(familyPackages());
  return names.protocolName(f, p);
};

function socketObjects(task: Task): ObjectGraph[] {
  const out: ObjectGraph[] = [];
  task.files.fd.forEach((_file, fd) => {
    const g = inspectFd(task, fd, protoName);
    if (g !== null) out.push(g);
  });
  return out;
}

export function runProgram(program: readonly Statement[], familyIds: readonly string[]): RunResult {
  const { kernel, task: user } = boot(familyIds);
  // `sudo` lines run in a root task, spawned when first needed so that the program's own task has the
  // same pid as the demo's.
  let root: Task | null = null;
  const vars = new Map<string, number>();
  const steps: StepResult[] = [];
  for (const st of program) {
    const a = st.args;
    if (st.root && root === null) root = kernel.spawn({ uid: 0, comm: 'sudo' });
    const task = st.root && root !== null ? root : user;
    const N = (i: number, dflt = 0) => (a[i] === undefined ? dflt : num(a[i]!, vars));
    let output: StepResult['output'] = null;
    let show: (r: unknown) => string = (r) => (typeof r === 'number' ? `= ${r}` : '= 0');
    const call = (): unknown => {
      switch (st.call) {
        case 'socket':
          return task.socket(N(0), N(1), N(2));
        case 'close':
          return task.close(N(0));
        case 'bind':
          return task.bind(N(0), addrOf(a[1]!, vars) ?? new Uint8Array(0));
        case 'connect':
          return task.connect(N(0), addrOf(a[1]!, vars) ?? new Uint8Array(0));
        case 'listen':
          return task.listen(N(0), N(1));
        case 'accept':
          return task.accept(N(0));
        case 'send':
          return task.sendto(N(0), bytesOf(a[1]!, vars), N(2));
        case 'sendto':
          return task.sendto(N(0), bytesOf(a[1]!, vars), N(2), addrOf(a[3]!, vars));
        case 'recv':
        case 'recvfrom': {
          const r = task.recvfrom(N(0), N(1), N(2));
          output = { bytes: r.data };
          show = () => `= ${r.data.length}`;
          return r.data.length;
        }
        case 'shutdown':
          return task.shutdown(N(0), N(1));
        case 'setsockopt':
          return task.setsockopt(N(0), N(1), N(2), N(3));
        case 'getsockopt':
          return task.getsockoptInt(N(0), N(1), N(2));
        case 'dup':
          return task.dup(N(0));
        case 'fork': {
          const child = task.fork();
          return child.pid;
        }
        case 'getpid':
          return task.getpid();
        case 'rmmod':
          return task.rmmod((a[0] as { value: string }).value);
        case 'modprobe':
          return task.modprobe((a[0] as { value: string }).value);
        case 'cat': {
          const text = kernel.proc.read((a[0] as { value: string }).value);
          output = { text };
          show = () => '';
          return 0;
        }
        default:
          throw new RunError(`${st.call} is not implemented`);
      }
    };
    const numbers =
      st.call in { rmmod: 1, modprobe: 1, cat: 1 }
        ? st.source
        : `${st.call}(${a.map((x) => showArg(x, vars)).join(', ')})`;
    const modulesBefore = kernel.modules.list();
    const t = kernel.trace(call);
    let ok = true;
    let code: string | null = null;
    let detail: string;
    let why: string | null = null;
    if (t.error instanceof KernelError) {
      ok = false;
      code = t.error.code;
      detail = `-1 ${t.error.code} (${strerror(t.error.code)})`;
      const at = whereItFailed(t.events);
      if (at !== null) why = `${at.name}() returned ${at.ret}; every caller above it passed the error up.`;
      const fam = FAMILIES.find((f) => st.call === 'socket' && f.family === N(0));
      if (fam !== undefined && !familyIds.includes(fam.id) && code === 'EAFNOSUPPORT')
        why = `${fam.pkg} is not ticked, so no module answers request_module("net-pf-${fam.family}") and __sock_create() finds no family.`;
    } else if (t.error !== undefined) {
      ok = false;
      detail = `error: ${t.error instanceof Error ? t.error.message : String(t.error)}`;
      code = 'error';
    } else detail = show(t.result);
    if (ok && st.target !== null && typeof t.result === 'number') vars.set(st.target, t.result);
    if (!ok && st.target !== null) vars.set(st.target, -1);
    steps.push({
      statement: st,
      numbers,
      ok,
      detail,
      code,
      why,
      events: t.events,
      output,
      modulesBefore,
      modules: kernel.modules.list(),
      objects: socketObjects(user),
    });
  }
  return { steps, families: [...familyIds] };
}
