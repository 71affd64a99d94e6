import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without declarations (it runs as a Node module hook)
import { constify, uncall, untrace } from '../../../packages/core/bench/untrace-hooks.mjs';

describe('the compiled-out build (packages/core/bench/untrace.mjs)', () => {
  it('makes trace point bindings constants, and refuses a trace point it cannot find', () => {
    const src = 'let f=(a)=>a+1;let g=1;tracepoint(f,"f",void 0,x=>{f=x});function tracepoint(fn,n){}';
    expect(constify(src)).toBe(
      'const f =(a)=>a+1;let g=1;tracepoint(f,"f",void 0,x=>{f=x});function tracepoint(fn,n){}',
    );
    expect(() => constify('tracepoint(h,"h",void 0,x=>{h=x})')).toThrow(/no `let h =`/);
  });

  it('turns call_ops(fn, label, …args) into fn(…args), nested calls included', () => {
    expect(uncall('r=call_ops(s.ops.bind,"ops->bind",s,f(a,","),call_ops(p.x,"x"))+1;')).toBe(
      'r=(s.ops.bind)(s,f(a,","),(p.x)())+1;',
    );
    expect(uncall('function call_ops(fn,l,a){return fn(a)}')).toBe('function call_ops(fn,l,a){return fn(a)}');
    // Node 22's tsx keeps comments, and prose names the function with empty parentheses.
    expect(uncall('// call_ops() while tracing\nx=call_ops(f,"f",1);')).toBe(
      '// call_ops() while tracing\nx=(f)(1);',
    );
  });

  it('strips inline prologues of both shapes and leaves the body', () => {
    const src =
      'function a(x){const ft=ftrace();if(ft?.want(a))return ft.call("a",a,fmt,x);return x}' +
      'function b(y){const t = ftrace();\n  if (t?.want(b)) {\n    t.call("b", b, undefined, y);\n    return;\n  }\n  y();}';
    expect(untrace(src)).toBe('function a(x){return x}function b(y){\n  y();}');
  });
});

describe('the worker in each tracer mode', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const hook = pathToFileURL(join(here, '../../../packages/core/bench/untrace.mjs')).href;
  const runWorker = (mode: 'out' | 'off' | 'on', imports: string[]) =>
    execFileSync(
      process.execPath,
      [
        '--conditions=@ksock/source',
        '--import',
        'tsx',
        ...imports.flatMap((m) => ['--import', m]),
        join(here, 'worker.ts'),
        JSON.stringify({
          spec: { kind: 'tracer', mode, family: 2, type: 2, protocol: 0 },
          minSeconds: 0.01,
          repeats: 1,
        }),
      ],
      { cwd: join(here, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );

  it('measures compiled out only through the hook, and off and on without it', () => {
    for (const [mode, imports] of [
      ['out', [hook]],
      ['off', []],
      ['on', []],
    ] as const) {
      const last = JSON.parse(
        runWorker(mode, [...imports])
          .trim()
          .split('\n')
          .at(-1)!,
      );
      expect(last.ops_per_sec).toBeGreaterThan(0);
    }
    expect(() => runWorker('out', [])).toThrow(/trace points are live/);
  });
});
