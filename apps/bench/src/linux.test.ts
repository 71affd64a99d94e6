import { describe, expect, it } from 'vitest';
import { execSeconds, parseLinuxOutput } from './linux.js';
import { median } from './measure.js';

describe('parseLinuxOutput', () => {
  it('takes the last JSON line of the C program', () => {
    const r = parseLinuxOutput(
      'some warning\n{"op":"socket_close","family":2,"type":2,"protocol":0,"ops_per_sec":502113.8,"samples":[423099.0,502113.8,522906.5]}\n',
    );
    expect(r.op).toBe('socket_close');
    expect(r.ops_per_sec).toBe(502113.8);
    expect(r.samples).toEqual([423099, 502113.8, 522906.5]);
  });
  it('keeps an unsupported family as such (no figure)', () => {
    const r = parseLinuxOutput(
      '{"op":"socket_close","family":31,"type":1,"protocol":3,"unsupported":true,"errno":97,"error":"Address family not supported by protocol"}',
    );
    expect(r.unsupported).toBe(true);
    expect(r.errno).toBe(97);
    expect(r.ops_per_sec).toBeUndefined();
  });
  it('rejects output without a result, or a result without an op, or a bad rate', () => {
    expect(() => parseLinuxOutput('')).toThrow(/no result/);
    expect(() => parseLinuxOutput('{"ops_per_sec":1}')).toThrow(/something else/);
    expect(() => parseLinuxOutput('{"op":"dump","ops_per_sec":-1}')).toThrow(/bad ops_per_sec/);
    expect(() => parseLinuxOutput('{"op":"dump","ops_per_sec":"fast"}')).toThrow(/bad ops_per_sec/);
  });
});

describe('execSeconds', () => {
  it('is the time of a run that exited 0', () => {
    expect(execSeconds(parseLinuxOutput('{"op":"exec","seconds":0.002155,"status":0}'))).toEqual({
      seconds: 0.002155,
    });
  });
  it('names a command that did not start, a failure, or a crash of the C program', () => {
    expect(execSeconds({ op: 'exec', seconds: 0.001, status: 127 })).toEqual({ error: 'command not found' });
    expect(execSeconds({ op: 'exec', seconds: 1.2, status: 1 })).toEqual({ error: 'exit status 1' });
    expect(execSeconds({ op: 'exec', error: 'spawnSync ETIMEDOUT' })).toEqual({
      error: 'spawnSync ETIMEDOUT',
    });
    expect(execSeconds({ op: 'exec', status: 0 })).toEqual({ error: 'no time reported' });
  });
});

describe('median', () => {
  it('is the middle sample, the upper middle for an even count, as the C side picks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });
});
