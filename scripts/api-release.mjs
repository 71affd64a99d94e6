/**
 * Run after `npx changeset version`: each package's api.json (the names it exports now) becomes its
 * api.released.json (the names of the release), so the API tests ask for a changeset only for changes
 * made after this release.
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'packages');
for (const pkg of readdirSync(root)) {
  const api = join(root, pkg, 'api.json');
  if (existsSync(api)) copyFileSync(api, join(root, pkg, 'api.released.json'));
}
