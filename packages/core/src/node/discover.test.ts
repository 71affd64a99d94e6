import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
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

  it('skips a broken package with a warning naming it and why, and finds the rest (as depmod does)', async () => {
    const app = join(root, 'broken');
    fakePackage(app, 'af-good', ['af_good']);
    fakePackage(app, 'af-liar', ['af_real'], ['af_claimed']);
    fakePackage(app, '@third/af-syntax', ['af_syntax']);
    writeFileSync(join(app, 'node_modules', '@third', 'af-syntax', 'index.js'), 'export default [{ name: ');
    fakePackage(app, 'af-throws', ['af_throws']);
    writeFileSync(join(app, 'node_modules', 'af-throws', 'index.js'), "throw new Error('no device');");
    fakePackage(app, 'af-noentry', ['af_noentry']);
    rmSync(join(app, 'node_modules', 'af-noentry', 'index.js'));
    fakePackage(app, 'af-invalid', ['af_invalid']);
    writeFileSync(
      join(app, 'node_modules', 'af-invalid', 'index.js'),
      "export default [{ name: 'af_invalid', version: '1', init: 0 }];",
    );
    fakePackage(root, 'af-good-far', ['af_good_far']);
    fakePackage(root, 'af-liar', ['af_liar_far']); // shadowed by the broken nearer copy, as Node resolves it
    const warnings: Array<[string, string]> = [];
    const mods = await discoverModules({
      from: app,
      onWarning: (message, skipped) => warnings.push([skipped.package, message]),
    });
    expect(mods.map((m) => m.name)).toEqual(expect.arrayContaining(['af_good', 'af_good_far']));
    expect(mods.map((m) => m.name)).not.toContain('af_liar_far');
    expect(warnings.map(([p]) => p).sort()).toEqual([
      '@third/af-syntax',
      'af-invalid',
      'af-liar',
      'af-noentry',
      'af-throws',
    ]);
    const text = Object.fromEntries(warnings);
    expect(text['af-liar']).toBe(
      `ksock depmod: WARNING: af-liar (${join(app, 'node_modules', 'af-liar')}): declares modules [af_claimed] but exports [af_real]; skipped`,
    );
    expect(text['@third/af-syntax']).toMatch(
      /^ksock depmod: WARNING: @third\/af-syntax \(.*\): cannot be imported \(SyntaxError: /,
    );
    expect(text['af-throws']).toMatch(/cannot be imported \(Error: no device\); skipped$/);
    expect(text['af-noentry']).toMatch(/cannot be imported \(Error: Cannot find module/);
    expect(text['af-invalid']).toMatch(
      /exports an invalid module descriptor \(init must be a function\); skipped$/,
    );
  });

  it('warns on the console unless told otherwise', async () => {
    const app = join(root, 'console');
    fakePackage(app, 'af-liar', ['af_real'], ['af_claimed']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await expect(discoverModules({ from: app })).resolves.toEqual(expect.any(Array));
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/^ksock depmod: WARNING: af-liar .*; skipped$/),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
