import { errnoOf } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';

describe('fixes found by the reliability suite (each checked on Linux 6.18)', () => {
  it('UDP: MSG_OOB is EOPNOTSUPP; a failed send still autobinds; EPIPE after SHUT_WR; SO_PEEK_OFF works', async () => {
    const core = await import('@ksock/core');
    const { default: mods, sockaddr_in } = await import('./index.js');
    const k = new core.Kernel({ modules: mods });
    const t = k.spawn({});
    const to = sockaddr_in('127.0.0.1', 47001);
    const a = t.socket(core.AF_INET, core.SOCK_DGRAM, 0);
    expect(errnoOf(() => t.sendto(a, new Uint8Array(4), core.MSG_OOB | core.MSG_DONTWAIT, to))).toBe(
      'EOPNOTSUPP',
    );
    expect(errnoOf(() => t.sendto(a, new Uint8Array(4), core.MSG_DONTWAIT, new Uint8Array(8)))).toBe(
      'EINVAL',
    );
    expect(errnoOf(() => t.bind(a, sockaddr_in('127.0.0.1', 47002)))).toBe('EINVAL'); // already bound by the send
    const b = t.socket(core.AF_INET, core.SOCK_DGRAM, 0);
    expect(errnoOf(() => t.shutdown(b, core.SHUT_WR))).toBe('ENOTCONN');
    expect(errnoOf(() => t.sendto(b, Uint8Array.of(1), core.MSG_DONTWAIT, to))).toBe('EPIPE');
    t.setsockopt(b, core.SOL_SOCKET, core.SO_PEEK_OFF, 0);
    expect(t.getsockoptInt(b, core.SOL_SOCKET, core.SO_PEEK_OFF)).toBe(0);
    const s = t.socket(core.AF_INET, core.SOCK_STREAM, 0);
    expect(errnoOf(() => t.recvfrom(s, 16, core.MSG_OOB | core.MSG_DONTWAIT))).toBe('EINVAL');
    const r = t.socket(core.AF_INET, core.SOCK_RAW, 1);
    expect(errnoOf(() => t.recvfrom(r, 16, core.MSG_OOB | core.MSG_DONTWAIT))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => t.setsockopt(a, 0 /* SOL_IP */, 11 /* IP_RECVERR */, new Uint8Array(0)))).toBe('OK');
  });

  it('TCP: after a refused nonblocking connect, the error is read once and then a receive is end of file', async () => {
    const core = await import('@ksock/core');
    const { default: mods, sockaddr_in } = await import('./index.js');
    const t = new core.Kernel({ modules: mods }).spawn({});
    const s = t.socket(core.AF_INET, core.SOCK_STREAM | core.SOCK_NONBLOCK, 0);
    const dontwait = core.MSG_DONTWAIT;
    expect(errnoOf(() => t.connect(s, sockaddr_in('127.0.0.1', 47002)))).toBe('EINPROGRESS');
    expect(errnoOf(() => t.recvfrom(s, 16, dontwait))).toBe('ECONNREFUSED');
    expect(t.recvfrom(s, 16, dontwait).len).toBe(0);
    expect(errnoOf(() => t.sendto(s, Uint8Array.of(1)))).toBe('EPIPE');
    expect(errnoOf(() => t.listen(s, 1))).toBe('EINVAL');
  });
});
