// pack.test.ts — the packages as npm would publish them, installed alone into a fresh project.
/**
 * Install only what you need: pack @ksock/core and @ksock/af-netlink as npm would publish them, install
 * just those tarballs into a fresh project (no workspace links, no registry), and run a program there.
 * Then add @ksock/af-inet and run the same program again: discovery picks it up with no code change. Then
 * add @ksock/run and run `ksock run -- ip` from the installed bin: the interposition library is built
 * from the shipped C sources, and `ip` sees the installed families' kernel.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'ksock-pack-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });

function pack(pkg: string, under = 'packages'): string {
  const dir = join(repo, under, pkg);
  npm(['run', 'build'], dir);
  const out = npm(['pack', '--pack-destination', tarballs, '--json'], dir);
  return join(tarballs, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}

const program = `
import { Kernel, AF_INET, AF_NETLINK, SOCK_DGRAM, KernelError } from '@ksock/core';
import { discoverModules } from '@ksock/core/node';

const kernel = new Kernel({ modules: await discoverModules() });
const task = kernel.spawn({ uid: 1000 });
const out = { modules: kernel.modules.available_modules().map((m) => m.name) };
const fd = task.socket(AF_NETLINK, SOCK_DGRAM, 2);
out.netlink = { fd, link: kernel.proc.readlink('/proc/' + task.pid + '/fd/' + fd, task) };
task.close(fd);
try {
  const s = task.socket(AF_INET, SOCK_DGRAM, 0);
  task.close(s);
  out.inet = 'ok';
} catch (e) {
  out.inet = e instanceof KernelError ? e.code : String(e);
}
out.loaded = kernel.modules.list().map((m) => m.name).sort();
console.log(JSON.stringify(out));
`;

const run = () =>
  JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8' }));

let core = '';
let netlink = '';
let inet = '';
let bluetooth = '';
let runner = '';

beforeAll(() => {
  mkdirSync(tarballs, { recursive: true });
  mkdirSync(project, { recursive: true });
  core = pack('core');
  netlink = pack('af-netlink');
  inet = pack('af-inet');
  bluetooth = pack('af-bluetooth');
  runner = pack('run');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'ksock-user', private: true, type: 'module' }),
  );
  writeFileSync(join(project, 'main.mjs'), program);
  npm(['install', '--offline', '--no-package-lock', core, netlink], project);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('published packages, installed alone', () => {
  it('ship their built files and the sources those were built from, no tests or fixtures', () => {
    const coreFiles = execFileSync('tar', ['-tzf', core], { encoding: 'utf8' }).split('\n');
    expect(coreFiles).toContain('package/dist/index.js');
    expect(coreFiles).toContain('package/dist/testing/index.js');
    expect(coreFiles).toContain('package/dist/node/index.js');
    expect(coreFiles).toContain('package/src/index.ts');
    expect(coreFiles.filter((f) => /\.test\.|__fixtures__/.test(f))).toEqual([]);
  });

  it('ship source maps whose every source is in the tarball', () => {
    const unresolved: string[] = [];
    let maps = 0;
    for (const tarball of [core, netlink, inet, bluetooth, runner]) {
      const dir = mkdtempSync(join(work, 'unpacked-'));
      execFileSync('tar', ['-xzf', tarball, '-C', dir]);
      const pkg = join(dir, 'package');
      for (const f of readdirSync(pkg, { recursive: true, encoding: 'utf8' })) {
        if (!f.endsWith('.map')) continue;
        maps++;
        const map = JSON.parse(readFileSync(join(pkg, f), 'utf8')) as {
          sourceRoot?: string;
          sources: string[];
        };
        for (const src of map.sources) {
          const at = resolve(dirname(join(pkg, f)), map.sourceRoot ?? '', src);
          if (!at.startsWith(`${pkg}/`) || !existsSync(at))
            unresolved.push(`${basename(tarball)}: ${f} → ${src}`);
        }
      }
    }
    expect(maps).toBeGreaterThan(100); // .js.map and .d.ts.map for every module of five packages
    expect(unresolved).toEqual([]);
  });

  it('core + af-netlink: netlink works, AF_INET is EAFNOSUPPORT (nothing provides net-pf-2)', () => {
    expect(readdirSync(join(project, 'node_modules', '@ksock')).sort()).toEqual(['af-netlink', 'core']);
    const out = run();
    expect(out.netlink.fd).toBe(3);
    expect(out.netlink.link).toMatch(/^socket:\[\d+\]$/);
    expect(out.inet).toBe('EAFNOSUPPORT');
    expect(out.modules).toEqual(expect.arrayContaining(['af_netlink', 'rtnetlink', 'cn']));
    expect(out.loaded).toEqual(['af_netlink']);
    expect(existsSync(join(project, 'node_modules', '@ksock', 'af-inet'))).toBe(false);
  });

  it('installing af-inet makes AF_INET work with no code change', () => {
    npm(['install', '--offline', '--no-package-lock', core, netlink, inet], project);
    const out = run();
    expect(out.inet).toBe('ok');
    expect(out.loaded).toEqual(['af_inet', 'af_netlink']);
  });
});

describe('@ksock/run, installed alone', () => {
  it('ships its C sources and no binary', () => {
    const files = execFileSync('tar', ['-tzf', runner], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/native/bridge.c');
    expect(files).toContain('package/native/sources.json');
    expect(files).toContain('package/bin/ksock.js');
    expect(files).toContain('package/dist/cli.js');
    expect(files.filter((f) => /\.(so|node|o)$|\.test\./.test(f))).toEqual([]);
  });

  it('`ksock run -- ip` from the installed bin serves ip from the installed families', () => {
    npm(['install', '--offline', '--no-package-lock', core, netlink, inet, runner], project);
    const out = execFileSync(
      join(project, 'node_modules', '.bin', 'ksock'),
      ['run', '--', 'ip', '-j', 'link', 'show'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    // ksock's init_net holds lo alone; the host this runs on has more devices than that.
    expect((JSON.parse(out) as Array<{ ifname: string }>).map((l) => l.ifname)).toEqual(['lo']);
  });
});

describe('a third-party family against the packed kit', () => {
  it('the example AF_UNIX family passes @ksock/core/testing as installed from its tarball', () => {
    const example = pack('af-unix-dgram', 'examples');
    const dir = join(work, 'third-party');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'kit-user', private: true, type: 'module' }),
    );
    writeFileSync(
      join(dir, 'check.mjs'),
      `import { AF_UNIX, SOCK_DGRAM, SOCK_RAW } from '@ksock/core';
import { checkFamily } from '@ksock/core/testing';
import unix from 'ksock-example-af-unix-dgram';
const report = checkFamily({
  modules: unix,
  family: AF_UNIX,
  create: 'unix_create',
  sockets: [
    { type: SOCK_DGRAM, protocol: 0 },
    { type: SOCK_RAW, protocol: 0 },
    { type: SOCK_DGRAM, protocol: 0, uid: 1000 },
  ],
  refused: [{ type: SOCK_DGRAM, protocol: 2, errno: 'EPROTONOSUPPORT' }],
  badTypeErrno: 'ESOCKTNOSUPPORT',
});
console.log(JSON.stringify({ checks: report.results.length, failures: report.failures }));
`,
    );
    npm(['install', '--offline', '--no-package-lock', core, example], dir);
    const out = JSON.parse(execFileSync(process.execPath, ['check.mjs'], { cwd: dir, encoding: 'utf8' }));
    expect(out.failures).toEqual([]);
    expect(out.checks).toBeGreaterThan(10);
  });
});
