import { AF_UNIX, SOCK_DGRAM } from '@ksock/core';
import { expect, it } from 'vitest';
import { parse_sockaddr_un, sockaddr_un, sockaddr_un_abstract, sockaddr_un_unnamed } from './index.js';
import { boot } from './test_util.js';

it('does what the README shows', () => {
  const { k: kernel, t: task } = boot();
  const server = task.socket(AF_UNIX, SOCK_DGRAM, 0);
  task.bind(server, sockaddr_un('/run/app.sock'));
  const client = task.socket(AF_UNIX, SOCK_DGRAM, 0);
  task.bind(client, sockaddr_un_abstract('client'));
  task.sendto(client, new TextEncoder().encode('ping'), 0, sockaddr_un('/run/app.sock'));
  const msg = task.recvfrom(server, 100);
  expect(parse_sockaddr_un(msg.addr!)).toEqual({ kind: 'abstract', name: 'client' });
  expect(kernel.proc.read('/proc/net/unix')).toBe(
    'Num       RefCount Protocol Flags    Type St Inode Path\n' +
      '0000000000000000: 00000002 00000000 00000000 0002 01     1 /run/app.sock\n' +
      '0000000000000000: 00000002 00000000 00000000 0002 01     2 @client\n',
  );
  expect(Array.from(sockaddr_un('/a/b'))).toEqual([1, 0, 0x2f, 0x61, 0x2f, 0x62, 0]);
  expect(Array.from(sockaddr_un_abstract('x'))).toEqual([1, 0, 0, 0x78]);
  expect(Array.from(sockaddr_un_unnamed())).toEqual([1, 0]);
});
