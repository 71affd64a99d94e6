/**
 * What one open socket holds on the JavaScript heap, class by class:
 *   npx tsx --conditions=@ksock/source src/heap.ts [udp|tcp|usersock|route] [count]
 * Opens `count` sockets (default 20,000) in one task between two heap snapshots (written to a temporary
 * directory and removed) and prints the growth per socket by constructor.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { F_DUPFD, Kernel, RLIMIT_NOFILE } from '@ksock/core';
import { loadFamilies } from './families.js';
import { aggregateHeap, type HeapSnapshot, heapGrowth } from './heapsnapshot.js';
import {
  AF_INET,
  AF_NETLINK,
  NETLINK_ROUTE,
  NETLINK_USERSOCK,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
} from './ops.js';

const kinds: Record<string, [number, number, number]> = {
  udp: [AF_INET, SOCK_DGRAM, 0],
  tcp: [AF_INET, SOCK_STREAM, 0],
  usersock: [AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK],
  route: [AF_NETLINK, SOCK_RAW, NETLINK_ROUTE],
};
const kind = process.argv[2] ?? 'udp';
const count = Number(process.argv[3] ?? 20_000);
const args = kinds[kind];
if (args === undefined || !Number.isInteger(count) || count < 1) {
  console.error(`usage: heap.ts [${Object.keys(kinds).join('|')}] [count]`);
  process.exit(2);
}
const [family, type, protocol] = args;
const kernel = new Kernel({ modules: (await loadFamilies()).modules });
const task = kernel.spawn({ stdio: true, comm: 'heap' });
task.setrlimit(RLIMIT_NOFILE, count + 64, count + 64);
task.close(task.socket(family, type, protocol));
task.close(task.fcntl(0, F_DUPFD, count + 8));
const fds = new Int32Array(count);
const dir = mkdtempSync(join(tmpdir(), 'ksock-heap-'));
const snap = (name: string) => {
  const file = writeHeapSnapshot(join(dir, name));
  const agg = aggregateHeap(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot);
  rmSync(file);
  return agg;
};
try {
  const before = snap('before.heapsnapshot');
  for (let i = 0; i < count; i++) fds[i] = task.socket(family, type, protocol);
  const after = snap('after.heapsnapshot');
  const rows = heapGrowth(before, after, count);
  console.log(`${kind}: ${count} open sockets, heap growth per socket by constructor`);
  console.log(`${'class'.padEnd(34)} ${'objects'.padStart(8)} ${'bytes'.padStart(8)}`);
  for (const r of rows)
    console.log(`${r.name.padEnd(34)} ${r.count.toFixed(2).padStart(8)} ${r.bytes.toFixed(1).padStart(8)}`);
  console.log(
    `${'total'.padEnd(34)} ${''.padStart(8)} ${rows
      .reduce((s, r) => s + r.bytes, 0)
      .toFixed(1)
      .padStart(8)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
