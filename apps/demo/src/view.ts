/**
 * `@ksock/demo/view`: what the demo and the playground (apps/playground) both draw with, so that neither
 * keeps a second copy. Everything here runs in a browser as well as in Node: no `node:` import, no
 * reading of installed packages (the demo's `families.ts` stays behind, the playground imports its
 * families statically).
 */

export { strerror } from './errno_text.js';
export type { FamilyPackage } from './families.js';
export { inspectFd } from './inspect.js';
export { Names, suggest } from './names.js';
export type { Palette } from './render/color.js';
export { PLAIN } from './render/color.js';
export { CSS, esc, graphHtml, messageHtml, modulesHtml, SCRIPT, traceTree } from './render/html.js';
export type { TraceRow } from './render/text.js';
export { renderModules, renderTrace, traceRows, traceTone } from './render/text.js';
export type { AnnotatedMessage, CallReport, Edge, Field, ObjectBox, ObjectGraph } from './report.js';
export { autoloadedIn } from './scenarios/socket_call.js';
export { whereItFailed } from './scenarios/where_failed.js';
