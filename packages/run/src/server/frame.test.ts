import { describe, expect, it } from 'vitest';
import { decode, encode, FRAME_MAX, FrameError, FrameReader } from './frame.js';

describe('bridge frames', () => {
  it('round-trip integers (negative errno included) and buffers', () => {
    const f = encode(22, [-11, 0, 2 ** 40], [new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    expect(decode(f)).toEqual({
      op: 22,
      ints: [-11, 0, 2 ** 40],
      bufs: [new Uint8Array([1, 2, 3]), new Uint8Array(0)],
    });
  });

  it('are split out of a stream whatever the chunking', () => {
    const a = encode(1, [1], [new Uint8Array([9])]);
    const b = encode(2, [], []);
    const stream = Buffer.concat([a, b]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = new FrameReader();
      const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      expect(got.map((f) => f.op)).toEqual([1, 2]);
      expect(r.pending).toBe(0);
    }
  });

  it('refuse lengths and counts that overrun the frame, with a message naming the op', () => {
    const bad = encode(13, [1, 2], []);
    bad.writeUInt16LE(9, 6); // nint 9 in a frame holding 2
    expect(() => new FrameReader().push(bad)).toThrow(new FrameError('op 13: 9 integers overrun the frame'));
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(FRAME_MAX + 1, 0);
    expect(() => new FrameReader().push(huge)).toThrow(FrameError);
    const buf = encode(21, [], [new Uint8Array(4)]);
    buf.writeUInt32LE(100, 12); // the buffer claims 100 bytes
    expect(() => decode(buf)).toThrow(/buffer 0 \(100 bytes\) overruns/);
    const big = encode(21, [0], []);
    big.writeBigInt64LE(2n ** 60n, 12);
    expect(() => decode(big)).toThrow(/out of range/);
  });
});
