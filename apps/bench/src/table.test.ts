import { describe, expect, it } from 'vitest';
import { formatRatio, formatTable, formatTarget, formatValue, judge, type ResultRow, si } from './table.js';

describe('si', () => {
  it('scales to k, M and G with sensible precision', () => {
    expect(si(12)).toBe('12.0');
    expect(si(512)).toBe('512');
    expect(si(12_345)).toBe('12.3 k');
    expect(si(615_432)).toBe('615 k');
    expect(si(1_234_567)).toBe('1.23 M');
    expect(si(2_500_000_000)).toBe('2.50 G');
  });
});

describe('formatRatio', () => {
  it('keeps two significant digits of a small ratio and drops the decimals of a large one', () => {
    expect(formatRatio(0.25)).toBe('0.25×');
    expect(formatRatio(0.004061)).toBe('0.0041×');
    expect(formatRatio(0.0123)).toBe('0.012×');
    expect(formatRatio(843.81)).toBe('844×');
    expect(formatRatio(12.345)).toBe('12.35×');
    expect(formatRatio(0)).toBe('0.00×');
  });
});

describe('formatValue / formatTarget', () => {
  it('shows each unit the way the table prints it', () => {
    expect(formatValue(1_860_000, 'ops/s')).toBe('1.86 M/s');
    expect(formatValue(1295.6, 'B')).toBe('1296 B');
    expect(formatValue(0.7, 'x')).toBe('0.70×');
    expect(formatValue(2.15, 'ms')).toBe('2.1 ms');
    expect(formatValue(1423.4, 'ms')).toBe('1423 ms');
    expect(formatValue(7.94, '%')).toBe('+7.9 %');
    expect(formatValue(-1.25, '%')).toBe('-1.3 %');
  });
  it('says which way a target points', () => {
    expect(formatTarget({ kind: 'min_ratio', value: 10 })).toBe('≥ 10×');
    expect(formatTarget({ kind: 'max_value', value: 1024, unit: 'B' })).toBe('≤ 1024 B');
    expect(formatTarget({ kind: 'max_value', value: 1.3, unit: 'x' })).toBe('≤ 1.30×');
    expect(formatTarget(null)).toBe('');
  });
});

describe('judge', () => {
  it('compares the ratio with a minimum ratio', () => {
    expect(judge({ kind: 'min_ratio', value: 10 }, 1_000_000, 100_000)).toEqual({ ratio: 10, met: true });
    expect(judge({ kind: 'min_ratio', value: 10 }, 999_999, 100_000).met).toBe(false);
  });
  it('cannot judge a ratio without the Linux figure (a family the host lacks)', () => {
    expect(judge({ kind: 'min_ratio', value: 10 }, 1_000_000, null)).toEqual({ ratio: null, met: null });
  });
  it('compares ksock alone with a value bound', () => {
    expect(judge({ kind: 'max_value', value: 1024, unit: 'B' }, 1296, 2670)).toEqual({
      ratio: 1296 / 2670,
      met: false,
    });
    expect(judge({ kind: 'max_value', value: 1.3, unit: 'x' }, 1.3, null).met).toBe(true);
    expect(judge({ kind: 'min_value', value: 5, unit: 'x' }, 4, null).met).toBe(false);
  });
  it('has nothing to judge without a ksock figure', () => {
    expect(judge({ kind: 'min_ratio', value: 3 }, null, 500_000)).toEqual({ ratio: null, met: null });
  });
});

describe('formatTable', () => {
  const row = (over: Partial<ResultRow>): ResultRow => ({
    id: 'x',
    operation: 'op',
    ksock: null,
    linux: null,
    unit: 'ops/s',
    ratio: null,
    target: null,
    met: null,
    ...over,
  });
  it('aligns columns, right-justifies figures and prints notes where a figure is missing', () => {
    const text = formatTable([
      row({
        operation: 'socket()+close() UDP',
        ksock: 1_860_000,
        linux: 1_050_000,
        ratio: 1.77,
        target: { kind: 'min_ratio', value: 10 },
        met: false,
      }),
      row({
        operation: 'socket()+close() RFCOMM',
        ksock: 1_110_000,
        linux_note: 'n/a (host: EAFNOSUPPORT)',
        target: { kind: 'min_ratio', value: 10 },
      }),
      row({ operation: 'dump', ksock_note: 'n/a (module not available: rtnetlink)', linux: 533_000 }),
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^operation\s+ksock\s+Linux\s+ratio\s+target\s+met\?$/);
    expect(lines[1]).toMatch(/^-+( +-+){5}$/);
    expect(lines[2]).toMatch(/^socket\(\)\+close\(\) UDP\s+1\.86 M\/s\s+1\.05 M\/s\s+1\.77×\s+≥ 10×\s+NO$/);
    expect(lines[3]).toMatch(/1\.11 M\/s\s+n\/a \(host: EAFNOSUPPORT\)\s+—\s+≥ 10×\s+—$/);
    expect(lines[4]).toMatch(/n\/a \(module not available: rtnetlink\)\s+533 k\/s/);
    // Every line has its columns at the same offsets: the header's "Linux" ends where the figures end.
    const end = lines[0]!.indexOf('Linux') + 'Linux'.length;
    expect(lines[2]!.slice(0, end).endsWith('1.05 M/s')).toBe(true);
  });
});
