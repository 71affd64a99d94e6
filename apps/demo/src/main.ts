/**
 * `npm run demo`: watch the ksock kernel create sockets. See `npm run demo -- --help`.
 */
import { writeFileSync } from 'node:fs';
import { run } from './cli.js';

const code = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  writeFile: (path, data) => writeFileSync(path, data),
});
process.exitCode = code;
