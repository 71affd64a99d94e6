/**
 * The result table: operation, ksock, Linux, ratio, target, met? — as text for the terminal and as
 * JSON rows for bench-results/bench.json.
 */
import type { Target } from './ops.js';

export interface ResultRow {
  id: string;
  operation: string;
  /** ksock's figure (ops/s unless `unit` says otherwise), or null when not measured. */
  ksock: number | null;
  linux: number | null;
  unit: string;
  /** ksock / Linux for rates. */
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
  /** ksock / Linux per on-CPU second of the measuring thread (steadier on a busy machine), when both have it. */
  cpu_ratio?: number | null;
  /** Why a figure is missing, or what to know about it ("n/a (module not available)"…). */
  ksock_note?: string;
  linux_note?: string;
  /** Everything else the two sides reported (samples, methods, slab caches…). */
  detail?: Record<string, unknown>;
}

/** 1234567 → "1.23 M", 12345 → "12.3 k", 12 → "12.0". */
export function si(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e5 ? 0 : 1)} k`;
  return n.toFixed(a >= 100 ? 0 : 1);
}

/** A figure in its row's unit. */
export function formatValue(v: number, unit: string): string {
  switch (unit) {
    case 'ops/s':
      return `${si(v)}/s`;
    case 'B':
      return `${v.toFixed(0)} B`;
    case 'ms':
      return `${v.toFixed(v >= 100 ? 0 : 1)} ms`;
    case 'x':
      return `${v.toFixed(2)}×`;
    case '%':
      return `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;
    default:
      return `${si(v)} ${unit}`;
  }
}

export function formatTarget(t: Target | null): string {
  if (t === null) return '';
  switch (t.kind) {
    case 'min_ratio':
      return `≥ ${t.value}×`;
    case 'max_value':
      return `≤ ${formatValue(t.value, t.unit)}`;
    case 'min_value':
      return `≥ ${formatValue(t.value, t.unit)}`;
  }
}

/** ksock / Linux, and whether the target is met (null when it cannot be judged). */
export function judge(
  target: Target | null,
  ksock: number | null,
  linux: number | null,
): { ratio: number | null; met: boolean | null } {
  const ratio = ksock !== null && linux !== null && linux > 0 ? ksock / linux : null;
  if (target === null || ksock === null) return { ratio, met: null };
  switch (target.kind) {
    case 'min_ratio':
      return { ratio, met: ratio === null ? null : ratio >= target.value };
    case 'max_value':
      return { ratio, met: ksock <= target.value };
    case 'min_value':
      return { ratio, met: ksock >= target.value };
  }
}

/** 0.25 → "0.25×"; small ratios keep two significant digits (0.0041×), large ones none after the point. */
export function formatRatio(r: number): string {
  if (r !== 0 && Math.abs(r) < 0.1) return `${r.toPrecision(2)}×`;
  return `${r.toFixed(Math.abs(r) >= 100 ? 0 : 2)}×`;
}

function cell(v: number | null, unit: string, note: string | undefined): string {
  if (v === null) return note ?? '—';
  return formatValue(v, unit);
}

/** The table as aligned text; long notes are kept whole (the column widens). */
export function formatTable(rows: readonly ResultRow[]): string {
  const head = ['operation', 'ksock', 'Linux', 'ratio', 'target', 'met?'];
  const body = rows.map((r) => [
    r.operation,
    cell(r.ksock, r.unit, r.ksock_note),
    cell(r.linux, r.unit, r.linux_note),
    r.ratio === null ? '—' : formatRatio(r.ratio),
    formatTarget(r.target),
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
