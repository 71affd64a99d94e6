// @ksock/run — unmodified Linux programs on a ksock kernel: the kernel server and the native build.
export { BridgeServer } from './server/server.js';
export type { BridgeOptions, PeerCred } from './server/server.js';
export { ensureNative, NativeBuildError } from './native.js';
export type { NativeBuild } from './native.js';
export { select_modules } from './modules.js';
export { main } from './cli.js';
