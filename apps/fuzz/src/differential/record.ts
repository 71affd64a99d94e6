/**
 * Records what the host kernel answers to the differential programs, as linux-6.18.json next to this
 * file. Needs root (unshare --net), python3 and ip; run from apps/fuzz:
 *   npx tsx --conditions=@ksock/source src/differential/record.ts
 * The programs run in a fresh network namespace with only lo up, like a fresh ksock kernel.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLinux } from './linux.js';
import { differentialPrograms } from './programs.js';

const here = dirname(fileURLToPath(import.meta.url));

export const SETS = [
  // the netlink set also records the bytes getsockopt() returns
  { name: 'netlink', seed: 7, n: 600, netlinkOnly: true, values: true },
  { name: 'netlink+inet', seed: 42, n: 1500, netlinkOnly: false, values: false },
  // Seeds explore.ts first ran: they found SO_PEERNAME's length rule, SO_REUSEPORT off inet,
  // SO_BINDTODEVICE, IP options with optlen 0 and ICMP port unreachable for connected UDP.
  { name: 'netlink (2)', seed: 2002, n: 3000, netlinkOnly: true, values: true },
  { name: 'netlink+inet (2)', seed: 1001, n: 6000, netlinkOnly: false, values: false },
] as const;

const sets = SETS.map((s) => {
  const programs = differentialPrograms(s.seed, s.n, s.netlinkOnly);
  const linux = runLinux(programs, s.values);
  const digest = createHash('sha256').update(JSON.stringify(programs)).digest('hex').slice(0, 16);
  return { ...s, kernel: linux.kernel, digest, linux: linux.results };
});
const fixture = {
  kernel: sets[0]!.kernel,
  sets: sets.map(({ name, seed, n, netlinkOnly, values, digest, linux }) => ({
    name,
    seed,
    n,
    netlinkOnly,
    values,
    digest,
    linux,
  })),
};
writeFileSync(join(here, 'linux-6.18.json'), `${JSON.stringify(fixture)}\n`);
console.log(`recorded ${sets.reduce((a, s) => a + s.n, 0)} programs on Linux ${fixture.kernel}`);
