import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash } from './hash.js';

describe('share links', () => {
  it('round-trip a program and the ticked families', () => {
    const s = {
      families: ['af-inet'],
      program: 'fd = socket(AF_INET, SOCK_DGRAM, 0)\n# é & = #\n',
      scenario: null,
    };
    expect(decodeHash(encodeHash(s))).toEqual(s);
    expect(decodeHash(encodeHash({ ...s, families: [] }))).toEqual({ ...s, families: [] });
  });

  it('open a ready-made program by name', () => {
    expect(decodeHash('#scenario=seed-004')).toMatchObject({
      scenario: 'seed-004',
      families: ['af-netlink', 'af-inet', 'af-bluetooth'],
    });
    expect(decodeHash('')).toBeNull();
  });

  it('refuse, with a message, a link that names what the page does not have', () => {
    expect(() => decodeHash('#scenario=seed-999')).toThrow('"seed-999", which this playground does not have');
    expect(() => decodeHash('#families=af-unix&program=x')).toThrow('af-unix');
    expect(() => decodeHash('#foo=1')).toThrow('neither a scenario nor a program');
  });
});
