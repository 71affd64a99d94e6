/** The terminal view: an ftrace function_graph-like tree, the objects, the module tables. */
import type { ModuleInfo, TraceEvent } from '@ksock/core';
import type { AnnotatedMessage, CallReport, ObjectBox, Report, Section } from '../report.js';
import type { Palette } from './color.js';

const isAutoload = (ev: TraceEvent) =>
  ev.name === 'request_module' ||
  ev.name === 'load_module' ||
  (ev.note && /^module \S+ (un)?loaded$/.test(ev.name));

function retText(ev: TraceEvent): string {
  if (!ev.done) return 'did not return';
  if (ev.ret === null) return '';
  return ev.errno !== null ? `${ev.ret} ${ev.errno}` : String(ev.ret);
}

/** One line of the function graph: what it says, before any colour, indentation or duration column. */
export interface TraceRow {
  /** 'open': a call with children (`fn(args) {`); 'close': its closing brace; 'leaf': a call without
   * children; 'note': a comment line (`/* module cn loaded *\/`). */
  kind: 'open' | 'close' | 'leaf' | 'note';
  event: TraceEvent;
  /** Index of `event` in the events given. */
  index: number;
  depth: number;
  text: string;
  /** The duration column applies (open lines and notes have none, as in ftrace). */
  timed: boolean;
}

/** The function graph's lines as data: the terminal view and the playground both draw from this. */
export function traceRows(events: readonly TraceEvent[]): TraceRow[] {
  const out: TraceRow[] = [];
  const open: Array<{ ev: TraceEvent; index: number }> = [];
  const close_to = (depth: number) => {
    while (open.length > depth) {
      const { ev, index } = open.pop()!;
      const r = retText(ev);
      out.push({
        kind: 'close',
        event: ev,
        index,
        depth: ev.depth,
        text: `}${r ? ` /* ${ev.name} = ${r} */` : ''}`,
        timed: true,
      });
    }
  };
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    close_to(ev.depth);
    if (ev.note) {
      out.push({
        kind: 'note',
        event: ev,
        index: i,
        depth: ev.depth,
        text: `/* ${ev.name} */`,
        timed: false,
      });
      continue;
    }
    const next = events[i + 1];
    if (next !== undefined && next.depth > ev.depth) {
      out.push({
        kind: 'open',
        event: ev,
        index: i,
        depth: ev.depth,
        text: `${ev.name}(${ev.args}) {`,
        timed: false,
      });
      open.push({ ev, index: i });
    } else {
      const r = retText(ev);
      out.push({
        kind: 'leaf',
        event: ev,
        index: i,
        depth: ev.depth,
        text: `${ev.name}(${ev.args});${r ? ` /* = ${r} */` : ''}`,
        timed: true,
      });
    }
  }
  close_to(0);
  return out;
}

/** How a trace line is marked: 'err' (returned an errno, or never returned), 'mod' (module autoload). */
export function traceTone(row: TraceRow): 'err' | 'mod' | 'warn' | 'dim' | null {
  const ev = row.event;
  if (row.kind === 'note') {
    if (isAutoload(ev)) return 'mod';
    return /FATAL|refused|fail/i.test(ev.name) ? 'warn' : 'dim';
  }
  if (ev.errno !== null || !ev.done) return 'err';
  if (isAutoload(ev)) return 'mod';
  return null;
}

/**
 * The trace as ftrace's function_graph tracer prints it with funcgraph-retval: a duration column, a
 * call with children opens a brace, its closing brace carries the return value. Failed checks (a negative
 * errno) are red; module autoloads (request_module, load_module, "module … loaded") stand out.
 */
export function renderTrace(events: readonly TraceEvent[], p: Palette, showTimes = true): string[] {
  const blank = showTimes ? `${' '.repeat(12)} | ` : '';
  const dur = (us: number) => (showTimes ? p.dim(`${us.toFixed(3).padStart(9)} us | `) : '');
  return traceRows(events).map((row) => {
    const tone = traceTone(row);
    const paint =
      tone === 'err'
        ? p.red
        : tone === 'mod'
          ? (s: string) => p.magenta(p.bold(s))
          : tone === 'warn'
            ? p.yellow
            : tone === 'dim'
              ? p.dim
              : (s: string) => s;
    return `${row.timed ? dur(row.event.duration) : blank}${'  '.repeat(row.depth)}${paint(row.text)}`;
  });
}

export function renderModules(
  rows: readonly ModuleInfo[],
  p: Palette,
  before?: readonly ModuleInfo[],
): string[] {
  if (rows.length === 0) return [p.dim('  (no module loaded)')];
  const out = [p.dim(`  ${'Module'.padEnd(16)} ${'Refcnt'.padStart(6)}  ${'State'.padEnd(7)} Used by`)];
  for (const m of rows) {
    const old = before?.find((b) => b.name === m.name);
    let line = `  ${m.name.padEnd(16)} ${String(m.refcnt).padStart(6)}  ${m.state.padEnd(7)} ${m.usedBy.join(',') || '-'}`;
    if (before !== undefined && old === undefined) line = p.magenta(p.bold(`${line}   ← autoloaded`));
    else if (old !== undefined && old.refcnt !== m.refcnt)
      line = `${line}   ${p.cyan(`← refcnt ${old.refcnt} → ${m.refcnt}`)}`;
    out.push(line);
  }
  if (before !== undefined) {
    for (const b of before)
      if (!rows.some((r) => r.name === b.name)) out.push(p.yellow(`  ${b.name.padEnd(16)} (unloaded)`));
  }
  return out;
}

const MAX_OTHER_FIELDS = 8;

function renderBox(box: ObjectBox, p: Palette, indent: string): string[] {
  const out = [`${indent}${p.bold(box.type)} ${p.dim(box.label)}`];
  const seeded = box.fields.filter((f) => f.seed);
  const others = box.fields.filter((f) => !f.seed);
  const family = box.id === 'family_sock';
  const shown = family ? [...seeded, ...others.slice(0, MAX_OTHER_FIELDS)] : box.fields;
  const w = Math.min(24, Math.max(...shown.map((f) => f.name.length), 4));
  for (const f of shown) {
    const name = f.name.padEnd(w);
    out.push(`${indent}${f.seed ? p.cyan(`• ${name}`) : `  ${name}`}  ${f.value}`);
  }
  if (family && others.length > MAX_OTHER_FIELDS)
    out.push(p.dim(`${indent}  … ${others.length - MAX_OTHER_FIELDS} more fields (see --json or --html)`));
  return out;
}

function renderCall(c: CallReport, p: Palette, compact = false): string[] {
  const out: string[] = [];
  const seed = c.seed !== null ? p.dim(`  (seed ${c.seed})`) : '';
  out.push(p.bold(`━━ ${c.c}`) + seed);
  const numbers = `socket(${c.family}, ${c.type}, ${c.protocol})`;
  if (numbers !== c.c) out.push(p.dim(`   in numbers: ${numbers}`));
  if (c.named !== c.c) out.push(p.dim(`   as names:   ${c.named}`));
  out.push('');
  out.push(p.bold('modules before'));
  out.push(...renderModules(c.modulesBefore, p));
  out.push('');
  out.push(p.bold('trace') + p.dim('  (function_graph: red = returned an errno, magenta = module autoload)'));
  out.push(...renderTrace(c.events, p).map((l) => `  ${l}`));
  out.push('');
  if (c.result.ok) out.push(`${p.bold('result')}  ${p.green(`fd = ${c.result.fd}`)}`);
  else
    out.push(
      `${p.bold('result')}  ${p.red(`-1 ${c.result.code}${c.result.errno !== null ? ` (errno ${c.result.errno})` : ''}: ${c.result.message}`)}`,
    );
  if (c.autoloaded.length > 0) out.push(`${p.bold('autoloaded')}  ${p.magenta(c.autoloaded.join(', '))}`);
  if (c.objects !== null && compact)
    out.push(p.dim(`objects: ${c.objects.boxes.map((b) => `${b.type} ${b.label}`).join(' → ')}`));
  else if (c.objects !== null) {
    out.push('');
    out.push(
      `${p.bold('objects')} ${p.dim('(read back from the kernel: task.files.fd[fd] → file → socket → sk; • named by the design document)')}`,
    );
    const arrows = new Map(c.objects.edges.map((e) => [`${e.from}>${e.to}`, e.label]));
    let prev: string | null = null;
    for (const box of c.objects.boxes) {
      if (prev !== null) {
        const direct = box.id.startsWith('module:') ? undefined : arrows.get(`${prev}>${box.id}`);
        const label =
          direct ??
          `held by ${c.objects.edges
            .filter((e) => e.to === box.id)
            .map((e) => `${c.objects!.boxes.find((b) => b.id === e.from)?.type ?? e.from}.${e.label}`)
            .join(', ')}`;
        out.push(p.dim(`    │ ${label}`));
        out.push(p.dim('    ▼'));
      }
      out.push(...renderBox(box, p, '  '));
      prev = box.id;
    }
  }
  out.push('');
  out.push(p.bold('modules after'));
  out.push(...renderModules(c.modulesAfter, p, c.modulesBefore));
  return out;
}

function renderMessage(m: AnnotatedMessage, p: Palette): string[] {
  const out = [p.bold(`  ${m.title}`)];
  const bytes = m.hex.match(/../g) ?? [];
  for (let i = 0; i < bytes.length; i += 16) {
    out.push(p.dim(`    ${i.toString(16).padStart(4, '0')}  ${bytes.slice(i, i + 16).join(' ')}`));
  }
  for (const f of m.fields) {
    const range = `[${String(f.offset).padStart(3)}..${String(f.offset + f.length - 1).padStart(3)}]`;
    out.push(`    ${p.dim(range)} ${'  '.repeat(f.depth)}${p.cyan(f.name)} = ${f.value}`);
  }
  return out;
}

function renderSection(s: Section, p: Palette): string[] {
  switch (s.kind) {
    case 'heading':
      return ['', p.bold(p.blue(`▌ ${s.text}`))];
    case 'note': {
      const paint =
        s.tone === 'error' ? p.red : s.tone === 'warn' ? p.yellow : s.tone === 'ok' ? p.green : p.dim;
      return [
        paint(
          `${s.tone === 'warn' ? '! ' : s.tone === 'error' ? '✗ ' : s.tone === 'ok' ? '✓ ' : ''}${s.text}`,
        ),
      ];
    }
    case 'call':
      return ['', ...renderCall(s.call, p, s.compact === true)];
    case 'modules':
      return ['', p.bold(s.title), ...renderModules(s.rows, p)];
    case 'step': {
      const out = [
        `${s.ok ? p.green('✓') : p.red('✗')} ${s.text}${s.detail ? `  ${s.ok ? p.dim(s.detail) : p.red(s.detail)}` : ''}`,
      ];
      // The trace of a call that failed shows where; a working one is in --html / --json.
      if (s.failed && s.events !== null && s.events.length > 0)
        out.push(...renderTrace(s.events, p, false).map((l) => `    ${l}`));
      return out;
    }
    case 'events': {
      const out = ['', p.bold(s.title)];
      for (const r of s.rows)
        out.push(`  ${p.cyan(r.what.padEnd(6))} ${r.text} ${p.dim(`(${r.bytes} bytes)`)}`);
      return out;
    }
    case 'table': {
      const w = s.header.map((h, i) => Math.max(h.length, ...s.rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: readonly string[]) =>
        `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i]!))).join('  ')}`.trimEnd();
      return ['', p.bold(s.title), p.dim(line(s.header)), ...s.rows.map((r) => line(r))];
    }
    case 'messages': {
      const out = ['', p.bold(s.title)];
      for (const m of s.messages) out.push(...renderMessage(m, p), '');
      return out;
    }
  }
}

export function renderText(report: Report, p: Palette): string {
  const out: string[] = [p.bold(report.title)];
  const fam = report.families
    .map((f) => (f.available ? p.green(`${f.pkg} ✓`) : p.yellow(`${f.pkg} ✗ (${f.reason})`)))
    .join('   ');
  out.push(p.dim('families: ') + fam);
  for (const s of report.sections) out.push(...renderSection(s, p));
  return `${out.join('\n')}\n`;
}
