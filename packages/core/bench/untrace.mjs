/**
 * `node --import tsx --import …/packages/core/bench/untrace.mjs …`: load ksock's packages with the tracer compiled out —
 * every inline trace prologue (`const ft = ftrace(); if (ft?.want(fn)) …;`) removed from the source
 * before V8 sees it, as a build without tracing would have them. The tracer bench compares this with the
 * real packages to measure what tracing costs when it is off: the prologue's compare, and the bytecode it
 * adds to every traced function (which counts against V8's inlining budget).
 */
import { register } from 'node:module';

register('./untrace-hooks.mjs', import.meta.url);
// Core's own switch for the rest: traced() returns the bare function and no trace point registers.
globalThis.__KSOCK_TRACE_COMPILED_OUT__ = true;
