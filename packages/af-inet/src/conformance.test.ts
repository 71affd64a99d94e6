import {
  AF_INET,
  CAP_NET_RAW,
  MSG_DONTWAIT,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from '@ksock/core';
import { checkFamily, checkPackageModules } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import af_inet from './index.js';
import { IPPROTO_ICMP, IPPROTO_RAW, IPPROTO_SCTP, parse_sockaddr_in, sockaddr_in } from './uapi/in.js';

describe('@ksock/core/testing conformance kit', () => {
  it('af_inet passes checkFamily (creation, refcounts, rmmod/autoload, fault sweep)', () => {
    const report = checkFamily({
      modules: af_inet,
      family: AF_INET,
      create: 'inet_create',
      sockets: [
        { type: SOCK_STREAM, protocol: 0 },
        { type: SOCK_DGRAM, protocol: 0 },
        { type: SOCK_RAW, protocol: IPPROTO_ICMP },
        { type: SOCK_RAW, protocol: IPPROTO_RAW },
        { type: SOCK_STREAM, protocol: 0, uid: 1000 },
        { type: SOCK_RAW, protocol: IPPROTO_ICMP, uid: 1000, caps: [CAP_NET_RAW] },
      ],
      refused: [
        { type: SOCK_STREAM, protocol: IPPROTO_SCTP, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_RAW, protocol: 0, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_RAW, protocol: IPPROTO_ICMP, uid: 1000, errno: 'EPERM' },
        { type: SOCK_DGRAM, protocol: IPPROTO_ICMP, errno: 'EACCES' },
        { type: SOCK_STREAM, protocol: 263, errno: 'EINVAL' },
        ...[0, 4, 5, 6, 7, 8, 9].map((type) => ({ type, protocol: 0, errno: 'ESOCKTNOSUPPORT' })),
        // (PF_INET, SOCK_PACKET) is rewritten to PF_PACKET by __sock_create(): not af_inet's to answer.
        { type: 10, protocol: 0, errno: 'EAFNOSUPPORT' },
      ],
      // The kit's sweep of other types would expect ESOCKTNOSUPPORT for SOCK_PACKET too; listed above instead.
      badTypeErrno: null,
      exercise: (_kernel, task, fd) => {
        const type = task.getsockoptInt(fd, SOL_SOCKET, 3);
        task.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        if (type === SOCK_RAW) {
          task.bind(fd, sockaddr_in('127.0.0.1', 0));
          return;
        }
        task.bind(fd, sockaddr_in('127.0.0.1', 0));
        const port = parse_sockaddr_in(task.getsockname(fd)).port;
        // Whatever fails (the kit injects faults), what the exercise opened is closed again.
        const opened: number[] = [];
        try {
          if (type === SOCK_DGRAM) {
            const peer = task.socket(AF_INET, SOCK_DGRAM, 0);
            opened.push(peer);
            task.sendto(peer, Uint8Array.of(1, 2, 3), 0, sockaddr_in('127.0.0.1', port));
            task.recvfrom(fd, 8, MSG_DONTWAIT);
            return;
          }
          task.listen(fd, 4);
          const c = task.socket(AF_INET, SOCK_STREAM, 0);
          opened.push(c);
          task.connect(c, sockaddr_in('127.0.0.1', port));
          const a = task.accept(fd);
          opened.push(a);
          task.write(c, Uint8Array.of(9));
          task.read(a, 4);
        } finally {
          for (const o of opened) task.close(o);
        }
      },
    });
    expect(report.failures).toEqual([]);
    expect(report.faultSites).toContain('sk_alloc');
  });
});

describe('package metadata', () => {
  it('declares in package.json ksock.modules exactly the modules its default export provides', () => {
    expect(checkPackageModules(pkg, af_inet)).toEqual([]);
    expect(af_inet.map((m) => m.abi)).toEqual(['1.0']);
  });
});
