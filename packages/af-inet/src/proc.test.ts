import { AF_INET, SO_REUSEADDR, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import { host } from './__fixtures__/host.js';
import { boot, socket_of } from './__fixtures__/util.js';
import { IPPROTO_ICMP, sockaddr_in } from './uapi/in.js';

/** Blank the columns that differ by machine: inode, the hashed pointer, and (udp, raw) the hash bucket. */
function normalise(line: string, inode: number, bucket: boolean): string {
  let l = line.replace(new RegExp(` ${inode} (\\d+) [0-9a-f]{16} `), ' INODE $1 PTR ');
  if (bucket) l = l.replace(/^\s*\d+:/, 'SL:');
  // seq_pad() fills each line to a fixed width, so the padding depends on the inode's digits.
  return l.trimEnd();
}

/** The sockets tools/host_probe.c opened before reading /proc/net. */
function host_sockets() {
  const k = boot();
  const t = k.spawn();
  const tcp = t.socket(AF_INET, SOCK_STREAM, 0);
  t.setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, 1);
  t.bind(tcp, sockaddr_in('127.0.0.1', 40123));
  t.listen(tcp, 7);
  const udp = t.socket(AF_INET, SOCK_DGRAM, 0);
  t.bind(udp, sockaddr_in('127.0.0.1', 40124));
  const raw = t.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  const ino = (fd: number) => socket_of(t, fd).inode.i_ino;
  return { k, t, tcp, udp, raw, ino };
}

describe('/proc/net', () => {
  it('tcp: header and a listener row as Linux prints them (150-column lines)', () => {
    const { k, t, tcp, ino } = host_sockets();
    const ours = k.proc.read('/proc/net/tcp').split('\n');
    const theirs = host.proc_net_tcp.split('\n');
    expect(ours[0]).toBe(theirs[0]);
    const hostRow = theirs.find((l) => l.includes('0100007F:9CBB'))!;
    expect(normalise(ours[1]!, ino(tcp), false)).toBe(
      normalise(hostRow, host.proc_inodes.tcp, false).replace(/^\s*\d+:/, '   0:'),
    );
    expect(ours.length).toBe(3);
    expect(ours[1]!.length).toBe(hostRow.length);
    t.close(tcp);
    expect(k.proc.read('/proc/net/tcp')).toBe(`${theirs[0]}\n`);
  });

  it('udp and raw: header and rows as Linux prints them', () => {
    const { k, udp, raw, ino } = host_sockets();
    const u = k.proc.read('/proc/net/udp').split('\n');
    const hu = host.proc_net_udp.split('\n');
    expect(u[0]).toBe(hu[0]);
    expect(normalise(u[1]!, ino(udp), true)).toBe(normalise(hu[1]!, host.proc_inodes.udp, true));
    expect(u[1]!.length).toBe(hu[1]!.length);
    const r = k.proc.read('/proc/net/raw').split('\n');
    const hr = host.proc_net_raw.split('\n');
    expect(r[0]).toBe(hr[0]);
    expect(normalise(r[1]!, ino(raw), true)).toBe(normalise(hr[1]!, host.proc_inodes.raw, true));
  });

  it('sockstat: the inet rows count hashed sockets (inuse) and TCP socks allocated', () => {
    const { k, t, tcp, udp, raw } = host_sockets();
    const extra = t.socket(AF_INET, SOCK_STREAM, 0); // allocated but not hashed: alloc only
    const s = k.proc.read('/proc/net/sockstat');
    expect(s).toBe(
      'sockets: used 4\nTCP: inuse 1 orphan 0 tw 0 alloc 2 mem 0\nUDP: inuse 1 mem 0\nUDPLITE: inuse 0\nRAW: inuse 1\nFRAG: inuse 0 memory 0\n',
    );
    // The host's rows have the same shape (its numbers include the machine's own sockets).
    const shape = (x: string) => x.replace(/\d+/g, 'N');
    expect(shape(s.split('\n').slice(1).join('\n'))).toBe(
      shape(host.proc_net_sockstat.split('\n').slice(1).join('\n')),
    );
    for (const fd of [tcp, udp, raw, extra]) t.close(fd);
    expect(k.proc.read('/proc/net/sockstat')).toContain('TCP: inuse 0 orphan 0 tw 0 alloc 0');
    const protocols = k.proc.read('/proc/net/protocols');
    expect(protocols).toMatch(/^TCP\s+2304\s+0 /m);
  });

  it('/proc/net/protocols counts sockets in use per protocol and per namespace', () => {
    const { k, t } = host_sockets();
    expect(k.proc.read('/proc/net/protocols')).toMatch(/^UDP\s+1344\s+1 /m);
    const other = k.spawn();
    other.unshare(0x40000000);
    expect(k.proc.read('/proc/net/protocols', other)).toMatch(/^UDP\s+1344\s+0 /m);
    expect(k.proc.read('/proc/net/udp', other).split('\n').length).toBe(2);
    expect(t.pid).toBeGreaterThan(0);
  });
});
