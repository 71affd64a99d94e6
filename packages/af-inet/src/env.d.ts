/**
 * The few host globals core relies on. They exist in every browser and in Node, so core declares them
 * itself instead of pulling in DOM or Node typings: a reference to anything else fails to compile.
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
