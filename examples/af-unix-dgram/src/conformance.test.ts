import { AF_UNIX, PF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '@ksock/core';
import { checkFamily } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import unix from './index.js';
import { sockaddr_un, sockaddr_un_abstract, sockaddr_un_unnamed } from './uapi.js';

describe('@ksock/core/testing conformance kit', () => {
  it('passes checkFamily, with a bind/connect/send/receive exercise swept for faults', () => {
    // A socket file outlives its socket, as in Linux: each run of the exercise binds a path of its own.
    let run = 0;
    const report = checkFamily({
      modules: unix,
      family: AF_UNIX,
      create: 'unix_create',
      sockets: [
        { type: SOCK_DGRAM, protocol: 0 },
        { type: SOCK_DGRAM, protocol: PF_UNIX },
        { type: SOCK_RAW, protocol: 0 },
        { type: SOCK_DGRAM, protocol: 0, uid: 1000 },
      ],
      refused: [
        { type: SOCK_DGRAM, protocol: 2, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_STREAM, protocol: 2, errno: 'EPROTONOSUPPORT' },
        { type: SOCK_DGRAM, protocol: -1, errno: 'EPROTONOSUPPORT' },
      ],
      // Everything else, SOCK_STREAM and SOCK_SEQPACKET included (the example's deviation): ESOCKTNOSUPPORT.
      badTypeErrno: 'ESOCKTNOSUPPORT',
      exercise: (_k, t, fd) => {
        t.bind(fd, sockaddr_un_unnamed());
        const other = t.socket(AF_UNIX, SOCK_DGRAM, 0);
        try {
          t.bind(other, sockaddr_un_abstract('conformance'));
          t.connect(fd, sockaddr_un_abstract('conformance'));
          t.sendto(fd, new Uint8Array([1, 2, 3]));
          t.sendto(other, new Uint8Array([4]), 0, t.getsockname(fd));
          t.recvfrom(fd, 10);
        } finally {
          t.close(other);
        }
        const named = t.socket(AF_UNIX, SOCK_DGRAM, 0);
        try {
          t.bind(named, sockaddr_un(`/conformance/${t.pid}/${fd}/${run++}`));
        } finally {
          t.close(named);
        }
      },
    });
    expect(report.failures).toEqual([]);
    expect(report.faultSites).toEqual(
      expect.arrayContaining(['sock_alloc', 'sk_alloc', 'unix_create_addr', 'sock_alloc_send_pskb']),
    );
  });
});
