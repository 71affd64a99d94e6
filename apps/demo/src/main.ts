/**
 * `npm run demo`: watch the ksock kernel create sockets. See `npm run demo -- --help`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './cli.js';

// `npm run demo | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  // npm runs workspace scripts in the workspace's folder; INIT_CWD is where the user typed the command,
  // which is where a relative --html path is meant to be.
  resolvePath: (path) => resolve(process.env.INIT_CWD ?? process.cwd(), path),
  writeFile: (path, data) => writeFileSync(path, data),
});
process.exitCode = code;
