// http.test.ts — HTTP between unmodified programs on one ksock kernel: curl fetching from Python's
// http.server, and Node's fetch from a Node http server. The servers are the ksock kernel's: its
// /proc/net/tcp lists them and the host's loopback refuses their ports.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  counters,
  exited,
  hostAccepts,
  line,
  PROGRAMS,
  procTcpPorts,
  run,
  type Served,
  serve,
  settled,
  start,
} from './harness.js';

let s: Served;
let www: string;
beforeAll(async () => {
  s = await serve();
  www = mkdtempSync(join(tmpdir(), 'ksock-www-'));
  writeFileSync(join(www, 'hello.txt'), 'served through ksock\n');
  // af_inet loads on the first socket and stays loaded.
  await run(s, 'python3', ['-c', 'import socket; socket.socket()']);
  await settled(s);
});
afterAll(async () => {
  await s?.close();
  rmSync(www, { recursive: true, force: true });
});

describe('HTTP on ksock', () => {
  it('curl fetches from python3 -m http.server', async () => {
    const before = counters(s);
    const server = start(s, 'python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '-d', www, '0']);
    try {
      const port = Number((await line(server, /port (\d+)/))[1]);
      expect(procTcpPorts(s)).toContain(port);
      expect(await hostAccepts(port)).toBe(false);
      const r = await run(s, 'curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${port}/hello.txt`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('served through ksock\n');
      // A second request, on a new connection, after the first was torn down.
      const again = await run(s, 'curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `http://127.0.0.1:${port}/none`,
      ]);
      expect(again.stdout).toBe('404');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited(server)).toBe(128 + 15);
    await settled(s);
    expect(counters(s)).toEqual(before);
    expect(procTcpPorts(s)).toEqual([]);
  });

  it('Node’s fetch gets an answer from a Node http server', async () => {
    const before = counters(s);
    const server = start(s, 'node', [join(PROGRAMS, 'node_http.mjs'), 'server']);
    const port = Number((await line(server, /listening (\d+)/))[1]);
    expect(procTcpPorts(s)).toContain(port);
    expect(await hostAccepts(port)).toBe(false);
    const r = await run(s, 'node', [join(PROGRAMS, 'node_http.mjs'), 'fetch', String(port)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('200 hello /ksock from node\n');
    expect(await exited(server)).toBe(0);
    await settled(s);
    expect(counters(s)).toEqual(before);
  });
});
