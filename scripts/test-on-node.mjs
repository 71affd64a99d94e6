#!/usr/bin/env node
// Run every package's tests under other Node majors than the one installed: `node scripts/test-on-node.mjs 22 24`.
// ksock supports Node 20.19 and newer; the machines that run CI have Node 20 only. Each major's binary
// comes from the npm registry (the `node-<platform>-<arch>` packages hold the official builds), so the
// check needs nothing that `npm ci` does not already reach. Binaries are kept in node_modules/.cache.
// A major whose binary cannot be fetched is reported and skipped; a test that fails under it fails the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error('usage: node scripts/test-on-node.mjs MAJOR… (for example 22 24)');
  process.exit(2);
}
const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
const pkg = os === undefined ? undefined : `node-${os}-${process.arch}`;
const cache = join(root, 'node_modules', '.cache', 'ksock-node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The directory holding the `node` binary of that major, fetched once; null when the registry lacks it. */
function nodeDir(major) {
  if (pkg === undefined) return null;
  const dir = join(cache, major);
  const bin = join(dir, 'package', 'bin');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync(npm, ['pack', `${pkg}@${major}`, '--silent'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (tgz === undefined) throw new Error('npm pack wrote no tarball');
    execFileSync('tar', ['xzf', tgz], { cwd: dir, stdio: 'ignore' });
    rmSync(join(dir, tgz));
  } catch (e) {
    console.log(
      `[node ${major}] skipped: ${pkg}@${major} could not be fetched (${String(e).split('\n')[0]})`,
    );
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  if (existsSync(bin)) return bin;
  console.log(`[node ${major}] skipped: ${pkg}@${major} has no bin/ folder`);
  rmSync(dir, { recursive: true, force: true });
  return null;
}

let failed = false;
for (const major of majors) {
  const bin = nodeDir(major);
  if (bin === null) continue;
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    TURBO_TELEMETRY_DISABLED: '1',
  };
  const version = execFileSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
  console.log(`[node ${major}] ${version}: turbo run test --force`);
  // --force: turbo's cache does not know the Node version, and would replay the Node 20 results.
  const r = spawnSync(
    process.platform === 'win32' ? 'npx.cmd' : 'npx',
    ['turbo', 'run', 'test', '--force', '--output-logs=errors-only'],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  console.log(`[node ${major}] ${version}: ${r.status === 0 ? 'passed' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
