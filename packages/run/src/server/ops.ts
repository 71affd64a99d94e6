// ops.ts — the bridge's op numbers (PROTOCOL.md "Ops").

export const OP = {
  HELLO: 1,
  PH_HELLO: 2,
  SOCKET: 10,
  SOCKETPAIR: 11,
  BIND: 12,
  CONNECT: 13,
  LISTEN: 14,
  ACCEPT: 15,
  GETSOCKNAME: 16,
  GETPEERNAME: 17,
  SETSOCKOPT: 18,
  GETSOCKOPT: 19,
  SHUTDOWN: 20,
  SENDMSG: 21,
  RECVMSG: 22,
  WRITE: 23,
  READ: 24,
  SENDMMSG: 25,
  RECVMMSG: 26,
  CLOSE: 30,
  DUP: 31,
  FCNTL: 32,
  IOCTL: 33,
  INODE: 34,
  PROC_READ: 40,
  IF_NAMETOINDEX: 41,
  IF_INDEXTONAME: 42,
  IF_NAMEINDEX: 43,
  GETIFADDRS: 44,
  CANCEL: 127,
} as const;

/** HELLO's `kind`. */
export const HELLO_IMAGE = 0;
export const HELLO_FORK = 1;
export const HELLO_THREAD = 2;

/** Names for logs and errors. */
export const OP_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(OP).map(([k, v]) => [v, k.toLowerCase()]),
);
