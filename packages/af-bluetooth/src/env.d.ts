/**
 * Host globals that @ksock/core's sources use. Core compiles as part of this package's program (its
 * sources resolve through the @ksock/source condition), and its own env.d.ts is not imported, so the
 * same declarations are repeated here rather than pulling in DOM or Node typings.
 */
declare const performance: { now(): number };
declare function setTimeout(handler: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
