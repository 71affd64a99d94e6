/**
 * A ksock kernel served over @ksock/run's bridge, in its own Node process, for the bridge rows: the bench's
 * main process runs C programs synchronously (it blocks while they run), so the kernel they call must live
 * on another thread — here, another process with nothing else on its event loop.
 *
 *   node --conditions=@ksock/source --import tsx src/serve.ts <socket path>
 *
 * Boots a `Kernel` with the bench's family packages (the same modules as every other ksock row) and serves
 * it at the socket path. Prints one JSON line when ready — `{ "ready": true, "preload": <the library> }` —
 * then answers each line read on stdin with `{ "served": <requests served so far> }`, and exits cleanly
 * (which lets `--cpu-prof` write its profile) when stdin ends.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Kernel } from '@ksock/core';
import { BridgeServer, ensureNative, type PeerCred } from '@ksock/run';
import { loadFamilies } from './families.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: serve.ts <socket path>\n');
  process.exit(2);
}
const native = ensureNative();
const addon = createRequire(import.meta.url)(native.peercred) as { peercred: (fd: number) => PeerCred };
const families = await loadFamilies();
const kernel = new Kernel({ modules: families.modules });
const server = new BridgeServer({
  kernel,
  path,
  peercred: addon.peercred,
  log: (m) => process.stderr.write(`${m}\n`),
});
await server.listen();
const say = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
say({ ready: true, preload: native.preload, modules: [...families.names] });
const lines = createInterface({ input: process.stdin });
lines.on('line', () => say({ served: server.served }));
lines.on('close', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
