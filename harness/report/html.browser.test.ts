/**
 * The HTML report in real headless Chromium (Debian package `chromium`,
 * driven by playwright-core): it renders from file://, shows the failing
 * step highlighted, makes no request and logs no error. Set
 * VMCONFORM_SCREENSHOT_DIR to keep the screenshots it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toHtml } from './html.ts';
import type { RunResults } from './types.ts';
import { failingRun } from './fixtures/failingRun.ts';
import { passingRun } from './fixtures/passingRun.ts';
import { hostileRun } from './fixtures/hostileRun.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | undefined;
let dir = '';

const MISSING = `${CHROMIUM} not found: install the Debian package chromium (apt-get install -y --no-install-recommends chromium, see scripts/install-deps.sh)`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmconform-html-'));
  // Without Chromium every test fails (in open()) with MISSING: not a skip, a machine without it cannot vouch for the report.
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  url: string;
}

/** Writes the report for `results` to a temp file and opens it, recording errors and requests. */
async function open(results: RunResults, name: string): Promise<Opened> {
  if (!browser) throw new Error(MISSING);
  const file = join(dir, `${name}.html`);
  await writeFile(file, toHtml(results));
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests, url };
}

/** In the page: the computed background of an element (evaluated by Chromium, so no DOM types here). */
const background = (e: { ownerDocument: { defaultView: { getComputedStyle(x: unknown): { backgroundColor: string } } } }): string =>
  e.ownerDocument.defaultView.getComputedStyle(e).backgroundColor;

async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(dir, `${name}.png`);
  const png = await page.screenshot({ path: file, fullPage: true });
  expect(png.length).toBeGreaterThan(10_000);
  const keep = process.env.VMCONFORM_SCREENSHOT_DIR;
  if (keep) await copyFile(file, join(keep, `${name}.png`));
}

describe('index.html in headless Chromium', () => {
  it('renders the summary of a failing run with no console error and no request', async () => {
    const { page, problems, requests } = await open(failingRun, 'failing');
    expect(await page.title()).toBe('vmconform FAILED: run 20261125-114800-seed42');
    const banner = page.locator('header.banner');
    expect(await banner.innerText()).toContain('FAILED');
    const summary = await page.locator('dl.summary').innerText();
    for (const fact of ['tcg', '/dev/kvm: absent (ENOENT)', 'QEMU 7.2.19', 'sha256:9f2c4e1b7a3d', '137 executed of 200 asked', '900 s', 'ran out: generation stopped early', '12 min 34.3 s']) {
      expect(summary).toContain(fact);
    }
    expect(summary).toMatch(/seed\n42\n/i);
    expect(await page.locator('table.props tbody tr').count()).toBe(4);
    await screenshot(page, 'failing');
    await page.close();
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);

  it('shows the counterexample as a timeline (a lane per backend, a column per step) with the failing step highlighted', async () => {
    const { page, problems } = await open(failingRun, 'timeline');
    const cx = page.locator('article.cx.counterexample');
    expect(await cx.count()).toBe(1);
    expect(await cx.locator('code.replay').innerText()).toBe(`vmconform replay --token ${failingRun.failures[0]?.token}`);
    const timeline = cx.locator('table.timeline');
    expect(await timeline.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-lane')))).toEqual(['model', 'qemu']);
    expect(await timeline.locator('thead th.step').count()).toBe(3);

    // The failing step: its header says so, is visible, and is painted in the failure colours.
    const failingHead = timeline.locator('thead th.step.failing');
    expect(await failingHead.count()).toBe(1);
    expect(await failingHead.getAttribute('data-step')).toBe('3');
    expect(await failingHead.innerText()).toContain('step 3 ✗ diverges');
    await failingHead.scrollIntoViewIfNeeded();
    expect(await failingHead.isVisible()).toBe(true);
    expect(await failingHead.evaluate(background)).toBe('rgb(197, 34, 31)');
    const qemuCell = timeline.locator('td.failing[data-lane="qemu"]');
    expect(await qemuCell.evaluate(background)).toBe('rgb(252, 232, 230)');
    expect(await timeline.locator('td:not(.failing)').first().evaluate(background)).toBe('rgba(0, 0, 0, 0)');

    // Each cell: the answer and the compact state; the differing lines stand out.
    const qemuText = await qemuCell.innerText();
    expect(qemuText).toContain('409 VMI is paused');
    expect(qemuText).toMatch(/VM\s*mariadb-prod: Paused/);
    expect(qemuText).toMatch(/VMI\s*mariadb-prod vmi#1 Running @node01/);
    const modelCell = timeline.locator('td.failing[data-lane="model"]');
    expect(await modelCell.innerText()).toMatch(/VMI\s*mariadb-prod vmi#1 Succeeded @node01/);
    expect(await qemuCell.locator('.differs').count()).toBe(3); // answer, VM line, VMI line
    expect(await timeline.locator('td:not(.failing) .differs').count()).toBe(0);
    expect(await timeline.locator('td[data-lane="model"]').first().innerText()).toMatch(/^ok\n/);

    const diff = await cx.locator('.diff table').innerText();
    expect(diff).toContain('vmis.mariadb-prod.phase');
    expect(diff).toMatch(/"Succeeded"\s+"Running"\s+qemu/);

    await cx.screenshot({ path: join(dir, 'cx.png') });
    if (process.env.VMCONFORM_SCREENSHOT_DIR) await copyFile(join(dir, 'cx.png'), join(process.env.VMCONFORM_SCREENSHOT_DIR, 'cx.png'));
    // Flaky and known failures are shown too, after the real one, with their own marks.
    expect(await page.locator('article.cx').evaluateAll((a) => a.map((x) => x.className))).toEqual(['cx counterexample', 'cx flaky', 'cx known']);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows text from the results as text: markup in names and messages is not interpreted', async () => {
    const { page, problems, requests } = await open(hostileRun, 'hostile');
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.title()).toBe('vmconform FAILED: run hostile<run>');
    const body = await page.locator('main').innerText();
    expect(body).toContain('<script>window.__pwned=1</script>');
    expect(body).toContain('error at step 1: qemu: not settled after 30000 ms');
    expect(await page.locator('article.cx').count()).toBe(2);
    await screenshot(page, 'hostile');
    await page.close();
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);

  it('renders a passing run as PASSED with no counterexample section', async () => {
    const { page, problems } = await open(passingRun, 'passing');
    expect(await page.title()).toBe('vmconform PASSED: run 20261125-100000-seed7');
    expect(await page.locator('header.banner.pass').isVisible()).toBe(true);
    expect(await page.locator('article.cx').count()).toBe(0);
    expect(await page.locator('dl.summary').innerText()).toContain('canary guest booted under KVM');
    // the coverage tables (html/coverage.ts)
    expect(await page.locator('table.cov-commands tbody tr').count()).toBe(3);
    expect(await page.locator('table.cov-migrations').innerText()).toContain('18 of 50 (36 %)');
    expect(await page.locator('table.cov-not-drawn').innerText()).toContain('no AHCI driver in the guest kernel');
    await screenshot(page, 'passing');
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
