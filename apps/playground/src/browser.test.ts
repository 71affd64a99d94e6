/**
 * The built site in Debian's Chromium: the seed scenarios, a family left out, a syntax error, a share
 * link, no console errors. Screenshots go to test-results/ (git-ignored), one per scenario and width.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PLAIN, renderTrace } from '@ksock/demo/view';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveStatic } from './testing/browser.js';
import { demoCallEvents, demoJson, SEED_ARGS } from './testing/demo.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(root, 'test-results');
const out = mkdtempSync(join(tmpdir(), 'ksock-playground-'));
let url = '';
let server: Server;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
const problems: string[] = [];

async function open(hash: string, width = 1280): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 800 });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(`${url}index.html${hash}`);
  return page;
}

const traceLines = (page: Page) =>
  page.$$eval('[data-testid="trace"] .tx', (els) => els.map((e) => e.textContent ?? '').join('\n'));

beforeAll(async () => {
  await build({ root, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  ({ url, server } = await serveStatic(out));
  ({ context, close: closeBrowser } = await launchChromium());
  mkdirSync(artifacts, { recursive: true });
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  server?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('the playground in Chromium', { timeout: 90_000 }, () => {
  it('is a static site of relative URLs within the size goal', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="\//);
    let gz = 0;
    const files = [
      join(out, 'index.html'),
      ...readdirSync(join(out, 'assets')).map((f) => join(out, 'assets', f)),
    ];
    for (const f of files) gz += gzipSync(readFileSync(f), { level: 9 }).length;
    writeFileSync(join(artifacts, 'bundle-size.txt'), `${(gz / 1024).toFixed(1)} KB gzipped\n`);
    expect(gz).toBeLessThan(250 * 1024);
    for (const f of files) expect(readFileSync(f, 'utf8')).not.toMatch(/from\s*["']node:|import\(["']node:/);
  });

  for (const id of Object.keys(SEED_ARGS)) {
    it(`#scenario=${id} runs the call and draws the trace the demo prints for it`, async () => {
      const expected = renderTrace(demoCallEvents(demoJson(SEED_ARGS[id]!)), PLAIN, false).join('\n');
      for (const width of [1280, 390]) {
        const page = await open(`#scenario=${id}`, width);
        await page.waitForSelector('[data-testid="trace"] .tx');
        expect(await traceLines(page)).toBe(expected);
        expect(await page.textContent('[data-testid="result"]')).toContain('= 3');
        const modules = await page.textContent('[data-testid="modules"]');
        expect(modules).toMatch(id === 'seed-000' ? /af_netlink/ : id === 'seed-003' ? /rfcomm/ : /af_inet/);
        // Nothing wider than the window but the panes that scroll by themselves.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        const first = await page.evaluate(
          () => performance.getEntriesByName('ksock:first-trace')[0]?.startTime,
        );
        expect(first).toBeGreaterThan(0);
        if (width === 1280)
          writeFileSync(join(artifacts, `first-trace-${id}.txt`), `${first!.toFixed(0)} ms\n`);
        await page.screenshot({ path: join(artifacts, `${id}-${width}.png`), fullPage: true });
        await page.close();
      }
    });
  }

  it('gives EAFNOSUPPORT for a family that is not ticked, and says why', async () => {
    const page = await open('#scenario=seed-004');
    await page.waitForSelector('[data-testid="trace"] .tx');
    await page.getByLabel('@ksock/af-inet').uncheck();
    await expect.poll(() => page.textContent('[data-testid="result"]')).toContain('EAFNOSUPPORT');
    expect(await page.textContent('#why')).toContain('@ksock/af-inet is not ticked');
    expect(await page.$$eval('[data-testid="trace"] .ln.err', (e) => e.length)).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="modules"]')).toContain('no module loaded');
    await page.close();
  });

  it('shows a syntax error at its line', async () => {
    const page = await open('#scenario=seed-000');
    await page.waitForSelector('[data-testid="trace"] .tx');
    await page.fill('#program', 'fd = socket(AF_INET, SOCK_STREAM, 0)\nclose(fd)\nbind(fd, {sin_port: 80)\n');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.textContent('[data-testid="error"]')).toContain('line 3');
    expect(await page.textContent('[data-testid="error"]')).toContain('expected "," or "}"');
    expect(await page.getAttribute('#gutter .bad', 'data-line')).toBe('3');
    await page.screenshot({ path: join(artifacts, 'syntax-error.png') });
    await page.close();
  });

  it('round-trips a share link, and steps back and forth by keyboard', async () => {
    const page = await open('#scenario=tcp-loopback');
    await page.waitForSelector('[data-testid="trace"] .tx');
    const program =
      'a = socket(AF_INET, SOCK_DGRAM, 0)\nb = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)\nclose(a)\n';
    await page.fill('#program', program);
    await page.getByLabel('@ksock/af-netlink').check();
    await page.click('#share');
    const link = await page.inputValue('[data-testid="link"]');
    expect(link).toContain('#families=af-netlink%2Caf-inet&program=');
    const other = await open(new URL(link).hash);
    await other.waitForSelector('[data-testid="trace"] .tx');
    expect(await other.inputValue('#program')).toBe(program);
    expect(await other.isChecked('input[value="af-bluetooth"]')).toBe(false);
    expect(await other.isChecked('input[value="af-inet"]')).toBe(true);
    expect(await other.textContent('#step-title')).toContain('Call 3 of 3');
    await other.focus('#run');
    await other.keyboard.press('Alt+ArrowLeft');
    await other.keyboard.press('Alt+ArrowLeft');
    expect(await other.textContent('#step-title')).toContain('Call 1 of 3');
    expect(await other.textContent('[data-testid="modules"]')).not.toContain('af_netlink');
    await other.keyboard.press('Alt+ArrowRight');
    expect(await other.textContent('[data-testid="modules"]')).toContain('af_netlink');
    expect(await other.$$eval('[data-testid="objects"] .graph', (g) => g.length)).toBe(2);
    await page.close();
    await other.close();
  });

  it('logged no console error or warning on any page', () => {
    expect(problems).toEqual([]);
  });
});
