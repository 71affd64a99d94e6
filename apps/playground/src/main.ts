/** The playground page: wires the editor, the family checkboxes and the views to the parser and runner. */
import { CSS, esc, graphHtml, modulesHtml, SCRIPT } from '@ksock/demo/view';
import './style.css';
import { constantTable, FAMILIES } from './families.js';
import type { PageState } from './hash.js';
import { decodeHash, encodeHash } from './hash.js';
import type { Statement } from './program.js';
import { ParseError, parseProgram } from './program.js';
import type { RunResult } from './run.js';
import { runProgram } from './run.js';
import { SCENARIOS } from './scenarios.js';
import { traceView } from './trace_view.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const editor = $<HTMLTextAreaElement>('program');
const gutter = $('gutter');
const errorBox = $('error');
const famBox = $('families');
const pick = $<HTMLSelectElement>('scenario');
const stepsList = $('steps');
const constants = constantTable();

// The demo's object drawing: its box styles, scoped to the objects view, and its arrow script.
const style = document.createElement('style');
style.textContent = `@scope (.objects) { ${CSS} }`;
document.head.append(style);
const wires = document.createElement('script');
wires.textContent = SCRIPT;
document.head.append(wires);

for (const f of FAMILIES) {
  const label = document.createElement('label');
  label.innerHTML = `<input type="checkbox" value="${esc(f.id)}" checked> <code>${esc(f.pkg)}</code> <span class="dim">${esc(f.label)}: ${esc(f.modules.map((m) => m.name).join(', '))}</span>`;
  famBox.append(label);
}
for (const s of SCENARIOS) pick.add(new Option(s.title, s.id));

let result: RunResult | null = null;
/** The program text the result was run from (a changed text makes Step start again). */
let ranText = '';
let ranFamilies = '';
let current = 0;
let firstTraceDrawn = false;

const checked = () => [...famBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);

function setState(s: PageState): void {
  editor.value = s.program;
  for (const i of famBox.querySelectorAll<HTMLInputElement>('input'))
    i.checked = s.families.includes(i.value);
  pick.value = s.scenario ?? '';
  drawGutter(null);
}

function drawGutter(errLine: number | null): void {
  const n = editor.value.split('\n').length;
  const runLine =
    result !== null && editor.value === ranText ? result.steps[current]?.statement.line : undefined;
  gutter.innerHTML = Array.from({ length: n }, (_, i) => {
    const cls = i + 1 === errLine ? 'bad' : i + 1 === runLine ? 'here' : '';
    return `<span${cls ? ` class="${cls}"` : ''} data-line="${i + 1}">${i + 1}</span>`;
  }).join('\n');
  gutter.scrollTop = editor.scrollTop;
}

function parse(): Statement[] | null {
  try {
    const p = parseProgram(editor.value, constants);
    errorBox.textContent = '';
    drawGutter(null);
    return p;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    errorBox.innerHTML = `<strong>line ${e.line}</strong>, column ${e.column}: ${esc(e.detail)}<pre>${esc(
      editor.value.split('\n')[e.line - 1] ?? '',
    )}\n${' '.repeat(e.column - 1)}^</pre>`;
    drawGutter(e.line);
    return null;
  }
}

function run(at: 'first' | 'last'): boolean {
  const program = parse();
  if (program === null) return false;
  result = runProgram(program, checked());
  ranText = editor.value;
  ranFamilies = checked().join(',');
  current = at === 'first' ? 0 : Math.max(0, result.steps.length - 1);
  history.replaceState(null, '', encodeHash({ families: checked(), program: editor.value, scenario: null }));
  show();
  return true;
}

function fresh(): boolean {
  return result !== null && ranText === editor.value && ranFamilies === checked().join(',');
}

function show(): void {
  const r = result;
  stepsList.innerHTML = '';
  const trace = $('trace');
  const title = $('step-title');
  if (r === null) return;
  r.steps.forEach((s, i) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `${s.ok ? 'ok' : 'err'}${i === current ? ' current' : ''}`;
    b.innerHTML = `<span class="ln-no">${s.statement.line}</span> <code>${esc(s.statement.source)}</code> <span class="res">${esc(s.detail)}</span>`;
    if (i === current) b.setAttribute('aria-current', 'step');
    b.addEventListener('click', () => {
      current = i;
      show();
    });
    li.append(b);
    stepsList.append(li);
  });
  const s = r.steps[current];
  if (s === undefined) {
    title.textContent = 'The program has no call to run.';
    trace.replaceChildren();
    $('modules').innerHTML = '';
    $('objects').innerHTML = '';
    $('result').textContent = '';
    $('why').textContent = '';
    $('output').textContent = '';
    drawGutter(null);
    return;
  }
  title.innerHTML = `Call ${current + 1} of ${r.steps.length} (line ${s.statement.line}): <code>${esc(s.statement.source)}</code>`;
  const res = $('result');
  res.className = s.ok ? 'ok' : 'err';
  res.innerHTML = `${esc(s.detail)}${s.numbers !== s.statement.source ? ` <span class="dim">in numbers: <code>${esc(s.numbers)}</code></span>` : ''}`;
  $('why').textContent = s.why ?? '';
  const out = $('output');
  out.replaceChildren();
  if (s.output?.text !== undefined) {
    const pre = document.createElement('pre');
    pre.textContent = s.output.text;
    out.append(pre);
  } else if (s.output?.bytes !== undefined) {
    const b = s.output.bytes;
    const pre = document.createElement('pre');
    pre.textContent = `received ${b.length} bytes: ${[...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')}\n"${[...b].map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('')}"`;
    out.append(pre);
  }
  trace.replaceChildren(traceView(s.events));
  $('modules').innerHTML = modulesHtml(s.modules, s.modulesBefore);
  $('objects').innerHTML =
    s.objects.length === 0
      ? '<p class="dim">No socket is open.</p>'
      : s.objects.map((g, i) => `<h4>fd ${g.fd}</h4>${graphHtml(g, `s${current}-${i}-`)}`).join('');
  (window as unknown as { draw?: () => void }).draw?.();
  drawGutter(null);
  if (!firstTraceDrawn) {
    firstTraceDrawn = true;
    performance.mark('ksock:first-trace');
  }
}

function step(by: 1 | -1): void {
  if (!fresh()) {
    run('first');
    return;
  }
  current = Math.min(Math.max(current + by, 0), Math.max(result!.steps.length - 1, 0));
  show();
}

function loadFromHash(): void {
  let s: PageState | null;
  try {
    s = decodeHash(location.hash);
  } catch (e) {
    errorBox.textContent = e instanceof Error ? e.message : String(e);
    return;
  }
  if (s === null) {
    setState({ ...SCENARIOS[0]!, families: [...SCENARIOS[0]!.families], scenario: SCENARIOS[0]!.id });
    return;
  }
  setState(s);
  run('last');
}

$('run').addEventListener('click', () => run('last'));
$('fwd').addEventListener('click', () => step(1));
$('back').addEventListener('click', () => step(-1));
$('times').addEventListener('change', (e) => {
  document.body.classList.toggle('times', (e.target as HTMLInputElement).checked);
});
$('share').addEventListener('click', () => {
  const hash = encodeHash({ families: checked(), program: editor.value, scenario: null });
  history.replaceState(null, '', hash);
  const link = $<HTMLInputElement>('link');
  link.hidden = false;
  link.value = location.href;
  link.select();
});
famBox.addEventListener('change', () => {
  pick.value = '';
  if (result !== null) run('last');
});
pick.addEventListener('change', () => {
  const sc = SCENARIOS.find((s) => s.id === pick.value);
  if (sc === undefined) return;
  setState({ families: [...sc.families], program: sc.program, scenario: sc.id });
  run('last');
});
let typing: ReturnType<typeof setTimeout> | undefined;
editor.addEventListener('input', () => {
  drawGutter(null);
  clearTimeout(typing);
  typing = setTimeout(parse, 300);
});
editor.addEventListener('scroll', () => {
  gutter.scrollTop = editor.scrollTop;
});
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
    e.preventDefault();
    run('last');
  } else if (e.altKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
    e.preventDefault();
    step(e.key === 'ArrowRight' ? 1 : -1);
  }
});
window.addEventListener('hashchange', () => {
  // Our own replaceState does not fire this; a pasted or followed link does.
  loadFromHash();
});

loadFromHash();
