// frame.ts — the bridge's wire format (PROTOCOL.md "Frames"): one request or reply per frame.

/** A decoded frame: the op, its integers (i64 on the wire, safe integers here) and its buffers. */
export interface Frame {
  op: number;
  ints: number[];
  bufs: Uint8Array[];
}

/** The header: u32 len, u16 op, u16 nint, u32 nbuf. */
const HDR = 12;
/** A frame larger than this is malformed: no socket call carries more (the largest is a 64 KiB datagram × vlen). */
export const FRAME_MAX = 64 << 20;
export const REPLY = 0x8000;

/** Why a byte stream could not be read as frames; the connection that sent it is dropped. */
export class FrameError extends Error {}

function bigint_to_number(v: bigint, at: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
    throw new FrameError(`${at}: integer ${v} is out of range`);
  return Number(v);
}

/**
 * Splits a stream of chunks into frames. `push()` returns every frame completed by the chunk; a
 * malformed frame throws FrameError and the reader is unusable afterwards.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 4) break;
      const len = this.buf.readUInt32LE(0);
      if (len < HDR - 4 || len > FRAME_MAX) throw new FrameError(`frame length ${len} is not valid`);
      if (this.buf.length < 4 + len) break;
      out.push(decode(this.buf.subarray(0, 4 + len)));
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }

  /** Bytes of an unfinished frame: a connection that ends with some sent a truncated frame. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Decode one whole frame (header included). */
export function decode(b: Buffer): Frame {
  const len = b.readUInt32LE(0);
  const op = b.readUInt16LE(4);
  const nint = b.readUInt16LE(6);
  const nbuf = b.readUInt32LE(8);
  let off = HDR;
  const end = 4 + len;
  if (off + nint * 8 > end) throw new FrameError(`op ${op}: ${nint} integers overrun the frame`);
  const ints: number[] = new Array(nint);
  for (let i = 0; i < nint; i++, off += 8) ints[i] = bigint_to_number(b.readBigInt64LE(off), `op ${op}`);
  if (nbuf > (end - off) / 4) throw new FrameError(`op ${op}: ${nbuf} buffers overrun the frame`);
  const bufs: Uint8Array[] = new Array(nbuf);
  for (let i = 0; i < nbuf; i++) {
    if (off + 4 > end) throw new FrameError(`op ${op}: buffer ${i} overruns the frame`);
    const blen = b.readUInt32LE(off);
    off += 4;
    if (off + blen > end) throw new FrameError(`op ${op}: buffer ${i} (${blen} bytes) overruns the frame`);
    bufs[i] = new Uint8Array(b.buffer, b.byteOffset + off, blen);
    off += blen;
  }
  if (off !== end) throw new FrameError(`op ${op}: ${end - off} bytes left over`);
  return { op, ints, bufs };
}

/** Encode one frame. */
export function encode(op: number, ints: readonly number[], bufs: readonly Uint8Array[] = []): Buffer {
  let size = HDR + ints.length * 8;
  for (const b of bufs) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(size - 4, 0);
  out.writeUInt16LE(op, 4);
  out.writeUInt16LE(ints.length, 6);
  out.writeUInt32LE(bufs.length, 8);
  let off = HDR;
  for (const v of ints) {
    out.writeBigInt64LE(BigInt(v), off);
    off += 8;
  }
  for (const b of bufs) {
    out.writeUInt32LE(b.length, off);
    off += 4;
    out.set(b, off);
    off += b.length;
  }
  return out;
}
