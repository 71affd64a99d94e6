// @ksock/run — unmodified Linux programs on a ksock kernel: the kernel server and the native build.

export { main } from './cli.js';
export { select_modules } from './modules.js';
export type { NativeBuild } from './native.js';
export { ensureNative, NativeBuildError } from './native.js';
export type { BridgeOptions, PeerCred } from './server/server.js';
export { BridgeServer } from './server/server.js';
