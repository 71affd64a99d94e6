#!/usr/bin/env node
// The npm registry this project's machines reach does not serve every platform build of Biome and
// turbo (the darwin, win32, android and musl binaries answer 404), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile as out of sync. This script adds the entries a
// complete registry would have produced (name, version, os/cpu/libc, optional), so `npm ci` validates and
// simply skips them on Linux, as it skips any optional dependency built for another platform.
// Run it after any change to package-lock.json: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

const platform = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'android-x64': { os: ['android'], cpu: ['x64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'darwin-64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'linux-64': { os: ['linux'], cpu: ['x64'] },
  'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
  'windows-64': { os: ['win32'], cpu: ['x64'] },
  'windows-arm64': { os: ['win32'], cpu: ['arm64'] },
};

let added = 0;
for (const [path, entry] of Object.entries({ ...pkgs })) {
  if (!path.endsWith('node_modules/@biomejs/biome') && !path.endsWith('node_modules/turbo')) continue;
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (pkgs[key]) continue;
    const suffix = dep.replace(/^@biomejs\/cli-|^@turbo\//, '');
    const plat = platform[suffix];
    if (!plat) throw new Error(`unknown platform package ${dep}`);
    pkgs[key] = { version, ...plat, license: entry.license, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
