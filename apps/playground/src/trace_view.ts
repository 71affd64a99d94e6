/**
 * The function graph of one call as a tree a learner can fold: each call with children is a <details>
 * whose summary is its opening line. The lines are the demo's (`traceRows`), so the text on the page is
 * exactly what `npm run demo` prints for the same call without its duration column.
 */
import type { TraceEvent } from '@ksock/core';
import { traceRows, traceTone } from '@ksock/demo/view';

function line(tag: 'div' | 'summary', tone: string | null, dur: string, text: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = tone === null ? 'ln' : `ln ${tone}`;
  const d = document.createElement('span');
  d.className = 'dur';
  d.textContent = dur;
  const t = document.createElement('span');
  t.className = 'tx';
  t.textContent = text;
  el.append(d, t);
  return el;
}

export function traceView(events: readonly TraceEvent[]): HTMLElement {
  const root = document.createElement('div');
  root.className = 'trace';
  if (events.length === 0) {
    root.append(line('div', 'dim', '', '(nothing traced: the call never entered the kernel)'));
    return root;
  }
  const stack: HTMLElement[] = [root];
  for (const row of traceRows(events)) {
    const parent = stack[stack.length - 1]!;
    const dur = row.timed ? `${row.event.duration.toFixed(3).padStart(9)} us | ` : `${' '.repeat(12)} | `;
    const text = `${'  '.repeat(row.depth)}${row.text}`;
    const tone = traceTone(row);
    if (row.kind === 'open') {
      const d = document.createElement('details');
      d.open = true;
      d.append(line('summary', tone, dur, text));
      parent.append(d);
      stack.push(d);
    } else {
      parent.append(line('div', tone, dur, text));
      if (row.kind === 'close') stack.pop();
    }
  }
  return root;
}

/** The trace's text as the terminal prints it without durations: one line per row. */
export function traceText(root: Element): string {
  return [...root.querySelectorAll('.tx')].map((e) => e.textContent).join('\n');
}
