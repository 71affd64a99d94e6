import bluetooth from '@ksock/af-bluetooth';
import inet from '@ksock/af-inet';
import netlink from '@ksock/af-netlink';
import type { ModuleDescriptor } from '@ksock/core/kernel';
import { describe, expect, it } from 'vitest';
import { select_modules } from './modules.js';

const all = [netlink, inet, bluetooth].flat(3) as ModuleDescriptor[];

describe('--modules', () => {
  it('brings what a named module depends on, as modprobe does', () => {
    const names = select_modules(all, ['rfcomm']).map((d) => d.name);
    expect(names).toContain('rfcomm');
    expect(names).toContain('bluetooth');
    expect(names).not.toContain('af_inet');
  });
  it('refuses a name nothing installed provides, listing what is', () => {
    expect(() => select_modules(all, ['af_can'])).toThrow(
      /no installed module named af_can \(installed: .*af_netlink/,
    );
  });
});
