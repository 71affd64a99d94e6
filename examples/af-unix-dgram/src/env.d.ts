/**
 * The host globals this package and core's sources use. They exist in every browser and in Node, so they
 * are declared here instead of pulling in DOM or Node typings. (In this repository core is compiled from
 * source through the `@ksock/source` condition, so its host globals must be visible here too.)
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
