// placeholder.ts — the host descriptor that stands for a ksock socket inside a program (PROTOCOL.md
// "Connections", "Readiness"): the server's end of it, the ksock file it stands for, and its readable byte.

import type { Socket as NetSocket } from 'node:net';
import type { File } from '@ksock/core/kernel';

export class Placeholder {
  /** The ksock file, once a SOCKET/ACCEPT/SOCKETPAIR request bound it; the bridge holds one reference. */
  file: File | null = null;
  /** A readable byte is in the program's end. */
  signalled = false;
  /** Bytes written and not yet reported as drain. */
  pending = 0;
  /** The program side closed its last reference: end of file seen. */
  ended = false;
  /** Called once on end of file (set by the server). */
  readonly end_waiters: Array<() => void> = [];

  readonly ino: number;
  readonly pid: number;
  readonly conn: NetSocket;

  constructor(ino: number, pid: number, conn: NetSocket) {
    this.ino = ino;
    this.pid = pid;
    this.conn = conn;
  }

  /** Make the program's end readable (one byte), as the ksock socket just became. */
  signal(): void {
    if (this.signalled || this.ended) return;
    this.signalled = true;
    this.pending++;
    this.conn.write(ONE);
  }

  /** The ksock socket is no longer readable: the next reply for it tells the program to drain. */
  unsignal(): void {
    this.signalled = false;
  }

  /** What a reply for this placeholder reports as drain (PROTOCOL.md): everything written, once unsignalled. */
  take_drain(): number {
    if (this.signalled) return 0;
    const n = this.pending;
    this.pending = 0;
    return n;
  }
}

const ONE = Buffer.from([1]);
