/**
 * kernel/trace/trace_functions_graph.c: the function-graph tracer, reduced to recording traced calls with
 * their arguments, return values and errno, and printing them as ftrace does.
 */
import { errname } from './errors.js';
import { active_tracer_or_null } from './sched.js';
import { MAX_ERRNO } from './uapi/errno.js';

/**
 * One call of a traced kernel function, as the function-graph tracer records it.
 * `ret` is the return value (numbers as is; objects by their trace label), `errno` the errno name when the
 * function returned a negative errno, `note` a free-text line (a printk, a module load) instead of a call.
 */
export interface TraceEvent {
  name: string;
  depth: number;
  args: string;
  ret: number | string | boolean | null;
  errno: string | null;
  /** Microseconds spent in the call, children included. */
  duration: number;
  /** True for a printk-style note rather than a function call. */
  note: boolean;
  /** Set once the call returned (false while it runs, or if it threw). */
  done: boolean;
}

export type TraceListener = (event: TraceEvent, phase: 'entry' | 'exit') => void;

/** A value that knows how to show itself in a trace (sockets print their inode, modules their name…). */
export interface TraceLabelled {
  traceLabel(): string;
}

function label(ret: unknown): number | string | boolean | null {
  if (ret === undefined || ret === null) return null;
  switch (typeof ret) {
    case 'number':
    case 'string':
    case 'boolean':
      return ret;
    case 'object': {
      const l = (ret as Partial<TraceLabelled>).traceLabel;
      if (typeof l === 'function') return l.call(ret);
      return (ret as object).constructor?.name ?? 'object';
    }
    default:
      return String(ret);
  }
}

/**
 * The function-graph tracer (kernel/trace/trace_functions_graph.c): records every traced kernel function
 * with its nesting depth, the arguments that matter, its return value and its duration.
 * Off by default; `Kernel.trace()` turns it on around a callback.
 */
export class Tracer {
  private on = false;

  /**
   * Recording on or off. While any tracer is on, every trace point calls through its recording wrapper
   * (see tracepoint()); when the last one goes off the bare functions are back.
   */
  get enabled(): boolean {
    return this.on;
  }
  set enabled(v: boolean) {
    v = v === true;
    if (v === this.on) return;
    this.on = v;
    tracers_changed(v ? 1 : -1);
  }
  readonly events: TraceEvent[] = [];
  private depth = 0;
  private readonly listeners = new Set<TraceListener>();

  /** Receive every event as it is entered and as it returns. Returns the unsubscribe function. */
  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.events.length = 0;
    this.depth = 0;
  }

  /** A printk-style line in the trace, at the current depth. */
  note(text: string): void {
    const ev: TraceEvent = {
      name: text,
      depth: this.depth,
      args: '',
      ret: null,
      errno: null,
      duration: 0,
      note: true,
      done: true,
    };
    this.events.push(ev);
    for (const l of this.listeners) l(ev, 'exit');
  }

  /** Run `fn` as a traced call. Only reached when tracing is on. */
  call<R>(
    name: string,
    fn: (...args: never[]) => R,
    fmt: ((...args: never[]) => string) | undefined,
    a?: unknown,
    b?: unknown,
    c?: unknown,
    d?: unknown,
    e?: unknown,
    f?: unknown,
  ): R {
    let args = '';
    if (fmt !== undefined) {
      try {
        args = (fmt as (...x: unknown[]) => string)(a, b, c, d, e, f);
      } catch {
        args = '?';
      }
    }
    const ev: TraceEvent = {
      name,
      depth: this.depth,
      args,
      ret: null,
      errno: null,
      duration: 0,
      note: false,
      done: false,
    };
    this.events.push(ev);
    for (const l of this.listeners) l(ev, 'entry');
    this.depth++;
    const t0 = performance.now();
    try {
      const ret = (fn as (...args: unknown[]) => R)(a, b, c, d, e, f);
      ev.ret = label(ret);
      if (typeof ret === 'number' && ret < 0 && ret >= -MAX_ERRNO) ev.errno = errname(-ret);
      ev.done = true;
      return ret;
    } finally {
      this.depth--;
      ev.duration = Math.round((performance.now() - t0) * 1000) / 1000;
      for (const l of this.listeners) l(ev, 'exit');
    }
  }

  /** The trace as ftrace's function_graph prints it: one line per call, nested calls indented inside braces. */
  format(events: readonly TraceEvent[] = this.events): string {
    return format_trace(events);
  }
}

/** The return value as ftrace's funcgraph-retval option shows it: a comment after the call. */
function fmt_ret(ev: TraceEvent, name = ''): string {
  if (!ev.done) return ` /* ${name}${name ? ' ' : ''}did not return */`;
  if (ev.ret === null) return '';
  const v = ev.errno !== null ? `${ev.ret} ${ev.errno}` : String(ev.ret);
  return ` /* ${name}${name ? ' ' : ''}= ${v} */`;
}

function fmt_dur(us: number): string {
  return `${us.toFixed(3).padStart(9)} us`;
}

// ftrace function_graph style with the funcgraph-retval option: a call with children opens a brace and
// its closing line carries the return value in a C comment; a leaf is one line, its value after it.
export function format_trace(events: readonly TraceEvent[]): string {
  const out: string[] = [];
  const open: TraceEvent[] = [];
  const blank = ' '.repeat(12);
  const close_to = (depth: number) => {
    while (open.length > depth) {
      const ev = open.pop()!;
      out.push(`${fmt_dur(ev.duration)} | ${'  '.repeat(ev.depth)}}${fmt_ret(ev, ev.name)}`);
    }
  };
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    close_to(ev.depth);
    const pad = '  '.repeat(ev.depth);
    if (ev.note) {
      out.push(`${blank} | ${pad}/* ${ev.name} */`);
      continue;
    }
    const next = events[i + 1];
    const has_children = next !== undefined && next.depth > ev.depth;
    if (has_children) {
      out.push(`${blank} | ${pad}${ev.name}(${ev.args}) {`);
      open.push(ev);
    } else {
      out.push(`${fmt_dur(ev.duration)} | ${pad}${ev.name}(${ev.args});${fmt_ret(ev)}`);
    }
  }
  close_to(0);
  return out.join('\n');
}

/**
 * Set `globalThis.__KSOCK_TRACE_COMPILED_OUT__ = true` before core is first imported to build a kernel
 * without the tracer at all (traced() returns the bare function), as a kernel built without
 * CONFIG_FUNCTION_GRAPH_TRACER. Only benchmarks do this, to measure what the tracer costs when off.
 */
const COMPILED_OUT =
  (globalThis as { __KSOCK_TRACE_COMPILED_OUT__?: boolean }).__KSOCK_TRACE_COMPILED_OUT__ === true;

// biome-ignore lint/suspicious/noExplicitAny: a wrapper must accept any kernel function's signature.
type AnyFn = (...args: any[]) => any;

/**
 * Wrap a kernel function so that the function-graph tracer sees it. When no tracer is active the
 * wrapper calls straight through (one module-variable load and a compare), so tracing that is off is free.
 * Kernel functions in ksock take at most six arguments, as Linux's syscall ABI does.
 */
export function traced<F extends AnyFn>(name: string, fn: F, fmt?: (...args: Parameters<F>) => string): F {
  if (COMPILED_OUT) return fn;
  const w = make_wrapper(name, fn as unknown as Callee, fmt as ((...args: never[]) => string) | undefined);
  TRACED.add(w);
  return w as unknown as F;
}

type Callee = (...args: unknown[]) => unknown;
type Wrapper = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown) => unknown;

/**
 * Each wrapper needs its own code, not one closure shared by every traced function: V8 keeps call-site
 * feedback per function literal, and a single shared literal would make the inner call megamorphic (not
 * inlinable) — a measurable cost on every socket() even with tracing off. Where the platform forbids
 * generating code (a strict Content-Security-Policy), the shared closure is used instead.
 */
function make_wrapper(name: string, call: Callee, fmt: ((...args: never[]) => string) | undefined): Wrapper {
  const id = /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'traced';
  try {
    const factory = new Function(
      'call',
      'tracer',
      'name',
      'fmt',
      `return function ${id}(a, b, c, d, e, f) { const t = tracer(); if (t === null) return call(a, b, c, d, e, f); return t.call(name, call, fmt, a, b, c, d, e, f); };`,
    ) as (c: Callee, t: () => Tracer | null, n: string, f: unknown) => Wrapper;
    return factory(call, active_tracer_or_null, name, fmt);
  } catch {
    const w: Wrapper = (a, b, c, d, e, f) => {
      const t = active_tracer_or_null();
      if (t === null) return call(a, b, c, d, e, f);
      return t.call(name, call, fmt, a, b, c, d, e, f);
    };
    return w;
  }
}

const TRACED = new WeakSet<object>();

/**
 * Call a function a family supplied (pf->create, ops->release…) so that the trace shows it under its own
 * name even when the family did not wrap it with traced() — a third-party create appears in the graph
 * like netlink_create does.
 */
export function call_ops<R>(
  fn: (a: never, b: never, c: never, d: never, e: never) => R,
  fallback: string,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
): R {
  const t = active_tracer_or_null();
  if (t === null) return (fn as unknown as (...args: unknown[]) => R)(a, b, c, d, e);
  return call_ops_traced(t, fn, fallback, a, b, c, d, e);
}

// call_ops() while tracing, out of line: every socket() and close() inlines call_ops(), so its untraced
// path is kept as small as a direct call.
function call_ops_traced<R>(
  t: Tracer,
  fn: (a: never, b: never, c: never, d: never, e: never) => R,
  fallback: string,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  e: unknown,
): R {
  const call = fn as unknown as (...args: unknown[]) => R;
  if (TRACED.has(fn)) return call(a, b, c, d, e);
  // A trace point's bare function, taken into an ops table before tracing began: record it as its
  // wrapper would.
  const tp = TRACEPOINT_OF.get(fn);
  if (tp !== undefined) return t.call(tp.name, call, tp.fmt, a, b, c, d, e, undefined);
  return t.call(fn.name || fallback, call, undefined, a, b, c, d, e, undefined);
}

interface TracePoint {
  readonly fn: AnyFn;
  readonly name: string;
  readonly fmt: ((...args: never[]) => string) | undefined;
  readonly set: (f: AnyFn) => void;
  wrapper: AnyFn | null;
}

const TRACEPOINTS: TracePoint[] = [];
const TRACEPOINT_OF = new WeakMap<object, TracePoint>();
/** How many tracers are enabled, in every kernel of this process. */
let tracers_on = 0;

/**
 * True while any tracer is enabled. A call through a table another module filled (`sock->ops->bind`,
 * `sk->sk_prot->init`) is written `tracing ? call_ops(fn, 'ops->bind', …args) : fn(…args)`: with tracing
 * off it is the plain indirect call, with its own call-site feedback, so V8 can inline the callee there —
 * a call inside call_ops() would share one feedback slot among every caller and inline nothing.
 */
export let tracing = false;

/**
 * Make a kernel function traceable, as ftrace makes every function by the nop at its entry that it
 * patches into a call when tracing starts. The function is declared with a mutable binding,
 * `export let fn = function fn(…) {…};` (named, so stacks and profiles show it; a recursive call inside
 * it is then not recorded), and registered with the name and argument formatter the trace shows and a
 * setter for that binding: `tracepoint(fn, 'fn', fmt_fn, (f) => { fn = f; });`. While no
 * tracer is enabled the binding holds the bare function, so callers call it directly and V8 inlines it
 * as if there were no tracer at all; when the first tracer is enabled every binding is pointed at a
 * wrapper that records the call (for the tasks of kernels whose tracer is on), and back when the last is
 * disabled. Register after the function's formatter is defined (at the end of the module, say).
 */
export function tracepoint<F extends AnyFn>(
  fn: F,
  name: string,
  fmt: ((...args: Parameters<F>) => string) | undefined,
  set: (f: F) => void,
): void {
  if (COMPILED_OUT) return;
  const tp: TracePoint = {
    fn,
    name,
    fmt: fmt as ((...args: never[]) => string) | undefined,
    set: set as (f: AnyFn) => void,
    wrapper: null,
  };
  TRACEPOINTS.push(tp);
  TRACEPOINT_OF.set(fn, tp);
  if (tracers_on > 0) patch(tp, true);
}

function patch(tp: TracePoint, on: boolean): void {
  if (!on) {
    tp.set(tp.fn);
    return;
  }
  if (tp.wrapper === null) {
    tp.wrapper = make_wrapper(tp.name, tp.fn as Callee, tp.fmt) as AnyFn;
    TRACED.add(tp.wrapper);
  }
  tp.set(tp.wrapper);
}

function tracers_changed(delta: number): void {
  if (COMPILED_OUT) return; // no trace points to patch, and `tracing` stays false
  const was = tracers_on > 0;
  tracers_on += delta;
  const now = tracers_on > 0;
  if (was === now) return;
  for (const tp of TRACEPOINTS) patch(tp, now);
  tracing = now;
}

/** The argument formatter of a traced function: the arguments that matter, as the trace shows them. */
// biome-ignore lint/suspicious/noExplicitAny: matches any kernel function's parameters.
export type Fmt<F extends (...args: any[]) => any> = (...args: Parameters<F>) => string;

/** A printk in the trace, when one is being taken (no cost otherwise). */
export function trace_note(text: string | (() => string)): void {
  const t = active_tracer_or_null();
  if (t !== null) t.note(typeof text === 'function' ? text() : text);
}
