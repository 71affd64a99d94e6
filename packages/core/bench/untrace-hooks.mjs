/**
 * Module hooks for untrace.mjs: ksock's package sources as a build without the tracer would have them —
 * every trace point's mutable binding (`let fn = …`, swapped for a recording wrapper while tracing) made a
 * plain `const`, and any inline trace prologue (the older style, still open to third-party families)
 * removed.
 */

/** Index of the quote that closes the string starting at `i`. */
function stringEnd(src, i) {
  const q = src[i];
  for (i++; i < src.length && src[i] !== q; i++) if (src[i] === '\\') i++;
  return i;
}

/** Index just past the bracket that closes the one at `open` (strings skipped). */
function closing(src, open) {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'" || c === '`') {
      i = stringEnd(src, i);
      continue;
    }
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('untrace: unbalanced brackets');
}

/** End of the statement starting at `i`: a block, or everything up to its `;` outside brackets. */
function statementEnd(src, i) {
  if (src[i] === '{') return closing(src, i);
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === ';') return j + 1;
    if (c === '(' || c === '{' || c === '[') j = closing(src, j) - 1;
    else if (c === '"' || c === "'" || c === '`') j = stringEnd(src, j);
  }
  throw new Error('untrace: statement without an end');
}

export function untrace(src) {
  const decl = /const (\w+)\s*=\s*ftrace\(\);\s*if\s*\(\1\?\.want\(/g;
  let out = '';
  let from = 0;
  let count = 0;
  for (let m = decl.exec(src); m !== null; m = decl.exec(src)) {
    const ifOpen = src.indexOf('(', m.index + m[0].lastIndexOf('if'));
    let body = closing(src, ifOpen);
    while (/\s/.test(src[body])) body++;
    const end = statementEnd(src, body);
    out += src.slice(from, m.index);
    from = end;
    decl.lastIndex = end;
    count++;
    const rest = src.slice(end, end + 4000).split(/\bfunction\b|ftrace\(\)/)[0];
    if (new RegExp(`\\b${m[1]}(\\?)?\\.`).test(rest))
      throw new Error(`untrace: ${m[1]} used after its prologue`);
  }
  if (count === 0) return src;
  out += src.slice(from);
  if (/=\s*ftrace\(\)/.test(out)) throw new Error('untrace: a trace prologue of another shape was left');
  return out;
}

/** `let fn =` → `const fn =` for every `tracepoint(fn, …)` registered in the module. */
export function constify(src) {
  const names = new Set([...src.matchAll(/(?<!function\s*)\btracepoint\((\w+),/g)].map((m) => m[1]));
  for (const name of names) {
    const decl = new RegExp(`\\blet ${name}\\s*=`);
    if (!decl.test(src)) throw new Error(`untrace: no \`let ${name} =\` for its trace point`);
    src = src.replace(decl, `const ${name} =`);
  }
  // The switch that table calls test (`tracing ? call_ops(…) : fn(…)`) is a constant false.
  return src.replace(/\blet tracing\s*=\s*false/, 'const tracing = false');
}

/**
 * `call_ops(fn, 'label', …args)` → `fn(…args)`: without a tracer, calling a family's method is a plain
 * indirect call, as in the kernel.
 */
export function uncall(src) {
  let out = '';
  let from = 0;
  for (let at = src.indexOf('call_ops(', from); at >= 0; at = src.indexOf('call_ops(', from)) {
    // `call_ops()` with nothing inside is prose (a comment naming it, which some transpilers keep).
    if (
      /[\w$.]/.test(src[at - 1] ?? '') ||
      /function\s*$/.test(src.slice(Math.max(0, at - 12), at)) ||
      src[at + 9] === ')'
    ) {
      out += src.slice(from, at + 9);
      from = at + 9;
      continue;
    }
    const open = at + 8;
    const end = closing(src, open);
    // the top-level commas of the argument list
    const commas = [];
    for (let i = open + 1; i < end - 1; i++) {
      const c = src[i];
      if (c === '"' || c === "'" || c === '`') i = stringEnd(src, i);
      else if (c === '(' || c === '{' || c === '[') i = closing(src, i) - 1;
      else if (c === ',') commas.push(i);
    }
    if (commas.length < 1) throw new Error('untrace: call_ops without a label');
    const fn = src.slice(open + 1, commas[0]);
    const args = commas.length > 1 ? src.slice(commas[1] + 1, end - 1) : '';
    out += `${src.slice(from, at)}(${uncall(fn)})(${uncall(args)})`;
    from = end;
  }
  return out + src.slice(from);
}

export async function load(url, context, nextLoad) {
  const r = await nextLoad(url, context);
  if (!/\/packages\/[^/]+\/src\//.test(url) || url.includes('/node_modules/') || r.source == null) return r;
  const text = typeof r.source === 'string' ? r.source : Buffer.from(r.source).toString('utf8');
  return { ...r, source: uncall(constify(untrace(text))) };
}
