import { describe, expect, it } from 'vitest';
import { testFamily } from './__fixtures__/af_test.js';
import { Kernel } from './kernel.js';
import { errnoOf } from './testing/index.js';
import { AF_UNIX, AF_VSOCK, SO_PASSPIDFD, SO_PASSRIGHTS, SOCK_DGRAM, SOL_SOCKET } from './uapi/socket.js';

function socket(family: number) {
  const fam = testFamily(family);
  const task = new Kernel({ modules: [fam.module] }).spawn({});
  return { task, fd: task.socket(family, SOCK_DGRAM, 0) };
}

describe('SOL_SOCKET options only AF_UNIX has (Linux 6.18)', () => {
  it('SO_PASSRIGHTS starts on and SO_PASSPIDFD off; both read back 0 or 1', () => {
    const { task: t, fd } = socket(AF_UNIX);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PASSRIGHTS)).toBe(1);
    t.setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, 0);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PASSRIGHTS)).toBe(0);
    t.setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, 5);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PASSRIGHTS)).toBe(1);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PASSPIDFD)).toBe(0);
    t.setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, 7);
    expect(t.getsockoptInt(fd, SOL_SOCKET, SO_PASSPIDFD)).toBe(1);
  });

  it('other families answer EOPNOTSUPP', () => {
    const { task: t, fd } = socket(AF_VSOCK);
    for (const opt of [SO_PASSRIGHTS, SO_PASSPIDFD]) {
      expect(errnoOf(() => t.getsockopt(fd, SOL_SOCKET, opt, 4))).toBe('EOPNOTSUPP');
      expect(errnoOf(() => t.setsockopt(fd, SOL_SOCKET, opt, 1))).toBe('EOPNOTSUPP');
    }
  });
});
