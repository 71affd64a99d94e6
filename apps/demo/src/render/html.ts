/**
 * --html FILE: one self-contained page (inline CSS and a few lines of inline script, no network, no build
 * step). Per socket() call: the objects as boxes — fd table → struct file → socket_alloc (socket + inode)
 * → sock → the family's sock — with arrows for the pointers between them and to the modules they hold,
 * and the trace beside them as a collapsible tree.
 */
import type { ModuleInfo, TraceEvent } from '@ksock/core';
import type { AnnotatedMessage, CallReport, ObjectBox, ObjectGraph, Report, Section } from '../report.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function retText(ev: TraceEvent): string {
  if (!ev.done) return ' = did not return';
  if (ev.ret === null) return '';
  return ev.errno !== null ? ` = ${ev.ret} ${ev.errno}` : ` = ${ev.ret}`;
}

function evClass(ev: TraceEvent): string {
  if (ev.errno !== null || !ev.done) return 'err';
  if (ev.name === 'request_module' || ev.name === 'load_module') return 'mod';
  if (ev.note) return /^module \S+ (un)?loaded$/.test(ev.name) ? 'mod note' : 'note';
  return '';
}

/** The trace as nested <details>: each call with children can be folded. */
export function traceTree(events: readonly TraceEvent[]): string {
  let html = '';
  let i = 0;
  const walk = (depth: number): void => {
    while (i < events.length && events[i]!.depth >= depth) {
      const ev = events[i]!;
      i++;
      const cls = evClass(ev);
      if (ev.note) {
        html += `<div class="leaf ${cls}">/* ${esc(ev.name)} */</div>`;
        continue;
      }
      const label = `<span class="fn">${esc(ev.name)}</span>(${esc(ev.args)})<span class="ret">${esc(retText(ev))}</span>`;
      if (i < events.length && events[i]!.depth > ev.depth) {
        html += `<details open class="${cls}"><summary>${label}</summary>`;
        walk(ev.depth + 1);
        html += '</details>';
      } else {
        html += `<div class="leaf ${cls}">${label}</div>`;
      }
    }
  };
  walk(0);
  return `<div class="trace">${html}</div>`;
}

function boxHtml(b: ObjectBox, prefix: string): string {
  let rows = '';
  let group: string | null = null;
  for (const f of b.fields) {
    const dot = b.id === 'socket_alloc' ? f.name.indexOf('.') : -1;
    const g = dot > 0 ? f.name.slice(0, dot) : null;
    if (g !== group && g !== null)
      rows += `<tr class="grp"><td colspan="2">struct ${g === 'vfs_inode' ? 'inode vfs_inode' : 'socket socket'}</td></tr>`;
    group = g;
    const name = dot > 0 ? f.name.slice(dot + 1) : f.name;
    rows += `<tr${f.seed ? ' class="seed"' : ''}><td>${esc(name)}</td><td>${esc(f.value)}</td></tr>`;
  }
  return `<div class="box ${b.id.startsWith('module:') ? 'module' : esc(b.id)}" id="${esc(prefix + b.id)}"><div class="title">${esc(b.type)} <span>${esc(b.label)}</span></div><table>${rows}</table></div>`;
}

export function graphHtml(g: ObjectGraph, prefix: string): string {
  const chain = g.boxes.filter((b) => !b.id.startsWith('module:'));
  const mods = g.boxes.filter((b) => b.id.startsWith('module:'));
  const edges = g.edges.map((e) => ({ from: prefix + e.from, to: prefix + e.to, label: e.label }));
  return `<div class="graph" data-edges="${esc(JSON.stringify(edges))}"><svg class="wires"></svg><div class="chain">${chain.map((b) => boxHtml(b, prefix)).join('')}</div><div class="mods">${mods.map((b) => boxHtml(b, prefix)).join('')}</div></div>`;
}

export function modulesHtml(rows: readonly ModuleInfo[], before?: readonly ModuleInfo[]): string {
  if (rows.length === 0) return '<p class="dim">(no module loaded)</p>';
  const tr = rows
    .map((m) => {
      const isNew = before !== undefined && !before.some((b) => b.name === m.name);
      return `<tr${isNew ? ' class="new"' : ''}><td>${esc(m.name)}</td><td>${m.refcnt}</td><td>${esc(m.state)}</td><td>${esc(m.usedBy.join(', ') || '-')}</td><td>${isNew ? 'autoloaded' : ''}</td></tr>`;
    })
    .join('');
  return `<table class="lsmod"><tr><th>Module</th><th>Refcnt</th><th>State</th><th>Used by</th><th></th></tr>${tr}</table>`;
}

function callHtml(c: CallReport, n: number): string {
  const res = c.result.ok
    ? `<span class="ok">= ${c.result.fd}</span>`
    : `<span class="err">= -1 ${esc(c.result.code ?? '')} (${esc(c.result.message ?? '')})</span>`;
  const graph =
    c.objects !== null
      ? graphHtml(c.objects, `c${n}-`)
      : '<p class="dim">No objects: the call failed, and everything it allocated was released on the way out (see the trace).</p>';
  return `<section class="call"><h2><code>${esc(c.c)}</code> ${res}${c.seed ? ` <small>seed ${esc(c.seed)}</small>` : ''}</h2>
<div class="cols"><div class="left"><h3>Objects</h3>${graph}</div><div class="right"><h3>Trace</h3>${traceTree(c.events)}</div></div>
<div class="cols"><div><h3>Modules before</h3>${modulesHtml(c.modulesBefore)}</div><div><h3>Modules after</h3>${modulesHtml(c.modulesAfter, c.modulesBefore)}</div></div></section>`;
}

export function messageHtml(m: AnnotatedMessage): string {
  const rows = m.fields
    .map(
      (f) =>
        `<tr><td>${f.offset}</td><td>${f.length}</td><td style="padding-left:${0.4 + f.depth}em">${esc(f.name)}</td><td>${esc(f.value)}</td><td class="hex">${esc(m.hex.slice(f.offset * 2, (f.offset + f.length) * 2).replace(/(..)/g, '$1 '))}</td></tr>`,
    )
    .join('');
  return `<h3>${esc(m.title)}</h3><table class="msg"><tr><th>off</th><th>len</th><th>field</th><th>value</th><th>bytes</th></tr>${rows}</table>`;
}

function sectionHtml(s: Section, n: number): string {
  switch (s.kind) {
    case 'heading':
      return `<h2 class="heading">${esc(s.text)}</h2>`;
    case 'note':
      return `<p class="note ${s.tone}">${esc(s.text)}</p>`;
    case 'call':
      return callHtml(s.call, n);
    case 'modules':
      return `<h3>${esc(s.title)}</h3>${modulesHtml(s.rows)}`;
    case 'step':
      return `<div class="step ${s.ok ? 'ok' : 'err'}">${s.ok ? '✓' : '✗'} ${esc(s.text)} ${s.detail ? `<span>${esc(s.detail)}</span>` : ''}${s.events !== null && s.events.length > 0 ? `<details><summary>trace</summary>${traceTree(s.events)}</details>` : ''}</div>`;
    case 'events':
      return `<h3>${esc(s.title)}</h3><table class="events"><tr><th>event</th><th>decoded</th><th>bytes</th></tr>${s.rows.map((r) => `<tr><td>${esc(r.what)}</td><td>${esc(r.text)}</td><td>${r.bytes}</td></tr>`).join('')}</table>`;
    case 'table':
      return `<h3>${esc(s.title)}</h3><table class="lsmod"><tr>${s.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${s.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
    case 'messages':
      return `<h3>${esc(s.title)}</h3>${s.messages.map(messageHtml).join('')}`;
  }
}

export const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
code,.trace,.box,table.msg,.hex{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}h2 small{color:#888;font-weight:normal}
.note.warn{color:#8a5a00}.note.error,.err{color:#c00}.ok{color:#080}.dim{color:#888}
.cols{display:flex;gap:2em;flex-wrap:wrap}.cols>div{flex:1;min-width:380px}.cols>div.left{flex:0 1 auto;max-width:100%}.left{overflow-x:auto;padding-bottom:1em}
.graph{position:relative;display:flex;gap:6em;align-items:flex-start;padding-left:60px}
.graph svg.wires{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none;overflow:visible}
.chain{display:flex;flex-direction:column;gap:2.2em}.mods{display:flex;flex-direction:column;gap:1.5em;margin-top:6em}
.box{background:#fff;border:1.5px solid #456;border-radius:6px;box-shadow:1px 1px 3px #0002;position:relative;z-index:1}
.box .title{background:#456;color:#fff;padding:2px 8px;font-weight:bold}.box .title span{font-weight:normal;opacity:.8}
.box.module{border-color:#939}.box.module .title{background:#939}
.box.family_sock{border-color:#267}.box.family_sock .title{background:#267}
.box table{border-collapse:collapse;margin:2px 4px}.box td{padding:0 6px 0 2px;vertical-align:top;white-space:nowrap}
.box td:first-child{color:#555}.box tr.seed td:first-child{color:#05a;font-weight:bold}.box tr.grp td{color:#888;font-style:italic;padding-top:3px}
.trace{background:#fff;border:1px solid #ddd;padding:6px;overflow-x:auto}
.trace details{margin-left:1.2em}.trace>details{margin-left:0}.trace .leaf{margin-left:2.4em;white-space:nowrap}
.trace summary{white-space:nowrap;cursor:pointer}.trace .fn{color:#05a}.trace .ret{color:#777}
.trace .err>summary,.trace .leaf.err,.trace .err>summary .fn,.trace .leaf.err .fn,.trace .err .ret{color:#c00}
.trace .mod>summary,.trace .leaf.mod{background:#f6e8f6}.trace .mod .fn{color:#939;font-weight:bold}
.trace .note{color:#888}
table.lsmod,table.msg,table.events{border-collapse:collapse}table.lsmod td,table.lsmod th,table.msg td,table.msg th,table.events td,table.events th{border:1px solid #ddd;padding:1px 8px;text-align:left}
table.lsmod tr.new{background:#f6e8f6;font-weight:bold}
.step{margin:.3em 0}.step span{color:#777}
.legend{max-width:60em;color:#444}.modmark{background:#f6e8f6;color:#939;font-weight:bold}
`;

// Draws the pointer arrows once the boxes are laid out (and again on resize / when details fold).
export const SCRIPT = `
function draw(){document.querySelectorAll('.graph').forEach(function(g){
var svg=g.querySelector('svg.wires');var edges=JSON.parse(g.getAttribute('data-edges'));var gr=g.getBoundingClientRect();
var ns='http://www.w3.org/2000/svg';svg.innerHTML='<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#567"/></marker></defs>';
edges.forEach(function(e){var a=document.getElementById(e.from),b=document.getElementById(e.to);if(!a||!b)return;
var ra=a.getBoundingClientRect(),rb=b.getBoundingClientRect();var x1,y1,x2,y2,d;
if(rb.left>=ra.right-1){x1=ra.right-gr.left;y1=ra.top+ra.height/2-gr.top;x2=rb.left-gr.left;y2=rb.top+14-gr.top;d='M'+x1+','+y1+' C'+(x1+60)+','+y1+' '+(x2-60)+','+y2+' '+x2+','+y2;}
else if(rb.top>=ra.bottom-1){x1=ra.left+40-gr.left;y1=ra.bottom-gr.top;x2=rb.left+40-gr.left;y2=rb.top-gr.top;d='M'+x1+','+y1+' L'+x2+','+y2;}
else{x1=ra.left-gr.left;y1=ra.top+10-gr.top;x2=rb.left-gr.left;y2=rb.bottom-10-gr.top;d='M'+x1+','+y1+' C'+(x1-50)+','+y1+' '+(x2-50)+','+y2+' '+x2+','+y2;}
var p=document.createElementNS(ns,'path');p.setAttribute('d',d);p.setAttribute('fill','none');p.setAttribute('stroke','#567');p.setAttribute('stroke-width','1.4');p.setAttribute('marker-end','url(#ah)');svg.appendChild(p);
var t=document.createElementNS(ns,'text');t.setAttribute('x',(x1+x2)/2+6);t.setAttribute('y',(y1+y2)/2+4);t.setAttribute('font-size','11');t.setAttribute('fill','#567');t.textContent=e.label;svg.appendChild(t);});});}
window.addEventListener('load',draw);window.addEventListener('resize',draw);document.addEventListener('toggle',draw,true);
`;

export function renderHtml(report: Report): string {
  const fam = report.families
    .map(
      (f) =>
        `<li>${esc(f.pkg)}: ${f.available ? `<span class="ok">available</span> (modules ${esc(f.modules.join(', '))})` : `<span class="note warn">${esc(f.reason ?? 'unavailable')}</span>`}</li>`,
    )
    .join('');
  const body = report.sections.map((s, i) => sectionHtml(s, i)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ksock demo — ${esc(report.title)}</title>
<style>${CSS}</style></head>
<body><h1>${esc(report.title)}</h1>
<p class="dim">ksock demo, subcommand <code>${esc(report.command)}</code>. Families:</p><ul>${fam}</ul>
<p class="legend">Each box is a kernel object read back after the call; an arrow is a pointer, labelled with the field
that holds it (purple boxes are modules, and the arrows into them the references that keep them loaded).
Field names in <b style="color:#05a">blue</b> are the ones the design document names. In the trace, click a
line to fold it; <span class="err">red</span> marks a function that returned an errno,
<span class="modmark">purple</span> a module being loaded.</p>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}
