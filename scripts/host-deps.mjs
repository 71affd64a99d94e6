// host-deps.mjs — the host programs the tests run (iproute2, python3, curl, a C compiler, Chromium for the
// playground's browser tests): installed from
// Debian's packages when missing and running as root, or named in an error otherwise. Never skipped.
import { spawnSync } from 'node:child_process';

/** command → the Debian package that provides it. */
const NEEDED = {
  ip: 'iproute2',
  python3: 'python3',
  curl: 'curl',
  cc: 'gcc',
  unshare: 'util-linux',
  lsmod: 'kmod',
  ss: 'iproute2',
  sysctl: 'procps',
  setpriv: 'util-linux',
  // apps/playground drives Debian's Chromium with playwright-core (no browser download).
  chromium: 'chromium',
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = Object.entries(NEEDED).filter(([cmd]) => !has(cmd));
// A compiler without the C library's headers cannot build the interposition library.
if (
  has('cc') &&
  spawnSync('sh', ['-c', 'echo "#include <stdio.h>" | cc -E - >/dev/null'], { stdio: 'ignore' }).status !== 0
)
  missing.push(['libc headers', 'libc6-dev']);
if (missing.length === 0) process.exit(0);

// `--list`: print the Debian packages that are missing, one line, for .ci/run's apt-get.
if (process.argv.includes('--list')) {
  console.log([...new Set(missing.map(([, p]) => p))].join(' '));
  process.exit(0);
}

const pkgs = [...new Set(missing.map(([, p]) => p))];
const root = process.getuid?.() === 0;
if (!root || !has('apt-get')) {
  console.error(
    `The tests need ${missing.map(([c]) => c).join(', ')}. Install the Debian packages: apt-get install -y ${pkgs.join(' ')}`,
  );
  process.exit(1);
}
console.error(`Installing ${pkgs.join(' ')} for the tests (apt-get)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const install = () =>
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
if (install().status !== 0) {
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  if (install().status !== 0) {
    console.error(`apt-get could not install ${pkgs.join(' ')}`);
    process.exit(1);
  }
}
