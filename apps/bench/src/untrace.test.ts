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
  });

  it('strips inline prologues of both shapes and leaves the body', () => {
    const src =
      'function a(x){const ft=ftrace();if(ft?.want(a))return ft.call("a",a,fmt,x);return x}' +
      'function b(y){const t = ftrace();\n  if (t?.want(b)) {\n    t.call("b", b, undefined, y);\n    return;\n  }\n  y();}';
    expect(untrace(src)).toBe('function a(x){return x}function b(y){\n  y();}');
  });
});
