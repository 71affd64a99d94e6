import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverModules } from './discover.js';

const root = mkdtempSync(join(tmpdir(), 'ksock-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakePackage(base: string, name: string, modules: string[], declared = modules) {
  const dir = join(base, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '1.2.3',
      type: 'module',
      exports: './index.js',
      ksock: { modules: declared.map((m) => ({ name: m, aliases: [`alias-${m}`] })) },
    }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    `export default [${modules.map((m) => `{ name: '${m}', version: '1.2.3', aliases: ['alias-${m}'], init: () => 0, exit: () => {} }`).join(', ')}];`,
  );
}

describe('discoverModules (depmod)', () => {
  it('finds family packages in node_modules at and above the program, nearest first, ignoring others', async () => {
    const app = join(root, 'app');
    mkdirSync(join(app, 'node_modules', 'not-a-family'), { recursive: true });
    writeFileSync(
      join(app, 'node_modules', 'not-a-family', 'package.json'),
      JSON.stringify({ name: 'not-a-family' }),
    );
    fakePackage(app, '@third/af-demo', ['af_demo', 'demo_proto']);
    fakePackage(root, '@third/af-demo', ['af_demo_old']); // shadowed by the nearer copy
    fakePackage(root, 'af-up', ['af_up']);
    const found: string[] = [];
    const mods = await discoverModules({
      from: app,
      onPackage: (p) => found.push(`${p.package}@${p.version}`),
    });
    expect(mods.map((m) => m.name)).toEqual(['af_demo', 'demo_proto', 'af_up']);
    expect(found).toEqual(['@third/af-demo@1.2.3', 'af-up@1.2.3']);
  });

  it('refuses a package whose declared modules are not what it exports', async () => {
    const app = join(root, 'bad');
    fakePackage(app, 'af-liar', ['af_real'], ['af_claimed']);
    await expect(discoverModules({ from: app })).rejects.toThrow(
      /declares modules \[af_claimed\] but exports \[af_real\]/,
    );
  });
});
