/**
 * The package's public names: api.json records them and this test fails when the code exports others
 * (`npx vitest run -u` rewrites it); where they differ from api.released.json (the last release), a
 * changeset naming the package must be pending. Core's api.test.ts explains the scheme.
 */
import { apiSnapshot, checkApiChange } from '@ksock/core/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
  }
}

const current = apiSnapshot({ '.': api });

describe('@ksock/af-inet API', () => {
  it('exports exactly the names in api.json', async () => {
    await expect(`${JSON.stringify(current, null, 2)}\n`).toMatchFileSnapshot('../api.json');
  });
  it('changes since the last release come with a changeset', () => {
    const released = import.meta.glob('../api.released.json', {
      query: '?raw',
      import: 'default',
      eager: true,
    });
    const changesets = import.meta.glob('../../../.changeset/*.md', {
      query: '?raw',
      import: 'default',
      eager: true,
    });
    expect(
      checkApiChange({
        pkg: '@ksock/af-inet',
        current,
        released: JSON.parse(released['../api.released.json']!),
        changesets,
      }),
    ).toEqual([]);
  });
});
