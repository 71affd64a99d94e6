import {
  AF_INET,
  MSG_DONTWAIT,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from '@ksock/core';
import { errnoOf, kernelCounters } from '@ksock/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot } from './__fixtures__/util.js';
import { sockaddr_in } from './uapi/in.js';

/** One step of a random socket life: which socket (index into the open ones) and what to do with it. */
const step = fc.record({
  op: fc.constantFrom(
    'socket_tcp',
    'socket_udp',
    'bind',
    'listen',
    'connect',
    'accept',
    'send',
    'recv',
    'shutdown',
    'close',
  ),
  which: fc.nat({ max: 7 }),
  port: fc.integer({ min: 20000, max: 20003 }),
});

describe('refcounts and tables under random sequences', () => {
  it('every counter returns to its start, /proc/net is empty and rmmod succeeds, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const k = boot();
        const t = k.spawn();
        const start = kernelCounters(k);
        k.modules.load('af_inet');
        const fds: number[] = [];
        const pick = (i: number) => (fds.length === 0 ? -1 : fds[i % fds.length]!);
        // Linux errno are fine here; errnoOf() throws anything else (a TypeError…), which is a bug.
        const quiet = (fn: () => unknown) => void errnoOf(fn);
        for (const s of steps) {
          const fd = pick(s.which);
          const addr = sockaddr_in('127.0.0.1', s.port);
          switch (s.op) {
            case 'socket_tcp':
            case 'socket_udp': {
              const nfd = t.socket(
                AF_INET,
                (s.op === 'socket_tcp' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK,
                0,
              );
              t.setsockopt(nfd, SOL_SOCKET, SO_REUSEADDR, s.port & 1);
              fds.push(nfd);
              break;
            }
            case 'bind':
              if (fd >= 0) quiet(() => t.bind(fd, addr));
              break;
            case 'listen':
              if (fd >= 0) quiet(() => t.listen(fd, s.which));
              break;
            case 'connect':
              if (fd >= 0) quiet(() => t.connect(fd, addr));
              break;
            case 'accept':
              if (fd >= 0) quiet(() => fds.push(t.accept(fd)));
              break;
            case 'send':
              if (fd >= 0) quiet(() => t.sendto(fd, new Uint8Array(s.which * 100), MSG_DONTWAIT));
              break;
            case 'recv':
              if (fd >= 0) quiet(() => t.recvfrom(fd, 64, MSG_DONTWAIT));
              break;
            case 'shutdown':
              if (fd >= 0) quiet(() => t.shutdown(fd, s.which % 3));
              break;
            case 'close':
              if (fd >= 0) {
                t.close(fd);
                fds.splice(fds.indexOf(fd), 1);
              }
              break;
          }
        }
        for (const fd of fds) t.close(fd);
        expect(k.proc.read('/proc/net/tcp').split('\n').length).toBe(2);
        expect(k.proc.read('/proc/net/udp').split('\n').length).toBe(2);
        expect(k.proc.read('/proc/net/sockstat')).toContain('TCP: inuse 0 orphan 0 tw 0 alloc 0');
        expect(k.proc.read('/proc/net/sockstat')).toContain('UDP: inuse 0');
        expect(k.modules.find('af_inet')!.refcnt).toBe(0);
        k.modules.unload('af_inet');
        expect(kernelCounters(k)).toEqual(start);
      }),
      { numRuns: 400 },
    );
  });
});
