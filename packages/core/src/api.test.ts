/**
 * Core's public names. `api.json` (beside package.json) records the runtime names of each entry; this
 * test fails when the code exports anything else, so a change to the API is always a visible change to
 * that file (`npx vitest run -u` in this package rewrites it). `api.released.json` records the names of
 * the last release; where the two differ, a changeset naming @ksock/core must be pending, so the change
 * reaches the changelog. After `changeset version`, `node scripts/api-release.mjs` copies each package's
 * api.json over its api.released.json.
 */
import { describe, expect, it } from 'vitest';
import * as user from './index.js';
import * as kernel from './kernel/index.js';
import * as testing from './testing/index.js';

const { apiSnapshot, checkApiChange } = testing;

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
  }
}

const current = apiSnapshot({ '.': user, './kernel': kernel, './testing': testing });

describe('@ksock/core API', () => {
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
        pkg: '@ksock/core',
        current,
        released: JSON.parse(released['../api.released.json']!),
        changesets,
      }),
    ).toEqual([]);
  });
});

describe('checkApiChange', () => {
  const released = { '.': ['a', 'b'] };
  const current = { '.': ['a', 'c'], './kernel': ['d'] };
  const note = '---\n"@ksock/core": minor\n---\n\nSomething.\n';
  it('reports what changed when no changeset names the package', () => {
    const failures = checkApiChange({
      pkg: '@ksock/core',
      current,
      released,
      changesets: { 'x.md': note.replace('core', 'af-inet') },
    });
    expect(failures).toEqual([
      '@ksock/core: 1 added (c), 1 removed (b) since the last release, and no changeset in .changeset/ names @ksock/core',
      '@ksock/core/kernel: 1 added (d), 0 removed () since the last release, and no changeset in .changeset/ names @ksock/core',
    ]);
  });
  it('accepts a change a changeset announces, and no change without one', () => {
    expect(checkApiChange({ pkg: '@ksock/core', current, released, changesets: { 'x.md': note } })).toEqual(
      [],
    );
    expect(checkApiChange({ pkg: '@ksock/core', current: released, released, changesets: {} })).toEqual([]);
  });
});
