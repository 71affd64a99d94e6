/**
 * Look for new divergences from the host kernel: fresh differential programs (seeds not in the fixture)
 * run on the host and on ksock, compared as the differential test compares the recording. Needs what
 * record.ts needs (root, python3, ip). From apps/fuzz:
 *   npx tsx --conditions=@ksock/source src/differential/explore.ts [seed] [programs] [--netlink]
 * Prints the divergences KNOWN explains, then each unexplained one grouped by call, errno pair and socket
 * kind with the shortest program that shows it; exits 1 if there is any.
 */
import { compare, type Unexplained } from './known.js';
import { runLinux } from './linux.js';
import { differentialPrograms } from './programs.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const netlinkOnly = process.argv.includes('--netlink');
const seed = args[0] === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args[0]);
const n = Number(args[1] ?? 3000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(n) || n <= 0) {
  console.error('usage: explore.ts [seed] [programs] [--netlink]');
  process.exit(2);
}
// The netlink-only programs also compare the bytes getsockopt() returns, as the fixture's netlink set.
const values = netlinkOnly;
const programs = differentialPrograms(seed, n, netlinkOnly);
const linux = runLinux(programs, values);
const c = compare(programs, linux.results, values);
console.log(
  `seed ${seed}, ${n} ${netlinkOnly ? 'netlink' : 'netlink+inet'} programs on Linux ${linux.kernel}: ${c.agreeing} agree throughout, ${c.calls} calls matched before any divergence`,
);
for (const [name, count] of c.counts) console.log(`  known ${count}× ${name}`);
const groups = new Map<string, Unexplained[]>();
for (const u of c.unexplained) {
  const key = `${u.op.op} ${u.kind}${u.op.level === undefined ? '' : ` level ${u.op.level} name ${u.op.name}`}: ksock ${u.ksock.slice(0, 48)}, Linux ${u.linux.slice(0, 48)}`;
  groups.set(key, [...(groups.get(key) ?? []), u]);
}
for (const [key, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
  const shortest = list.reduce((a, b) => (b.before.length < a.before.length ? b : a));
  console.log(`UNEXPLAINED ${list.length}× ${key}\n    ${JSON.stringify([...shortest.before, shortest.op])}`);
}
process.exit(groups.size === 0 ? 0 : 1);
