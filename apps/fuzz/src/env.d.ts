/**
 * @ksock/core's sources are type-checked as part of this program (the @ksock/source condition). Core
 * declares its own host globals (packages/core/src/env.d.ts) and calls `clearTimeout(timer: unknown)`,
 * which @types/node's signature rejects. Node accepts any value there at run time; this overload says so.
 */
declare function clearTimeout(handle: unknown): void;
