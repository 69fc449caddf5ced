/**
 * The kiosk in headless Chromium: a filer who cannot read finishes a private-loan complaint by
 * touch alone. The test never reads a prompt: it looks at which field is asked (the page
 * exposes channelData.ask's field and type on the answer area) and taps pictures by their
 * data-value / data-key / data-answer, as a filer taps the picture they recognize. axe (WCAG
 * 2.1 A and AA) runs on every kind of screen, and every button must be at least 72 px.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { cspViolations, watchCsp } from '../support/csp.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
];
const haveChromium = existsSync(CHROMIUM);
const mustRun = process.env.REQUIRE_SYSTEM_TOOLS === '1';
if (!haveChromium && !mustRun) {
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!! SKIPPING the kiosk browser tests: ${CHROMIUM} is not installed.`,
    '!! Install it with: apt-get install -y --no-install-recommends chromium fonts-noto-cjk',
    '!! (CI sets REQUIRE_SYSTEM_TOOLS=1, which turns this skip into a failure.)',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}

const WAIT = { timeout: 15_000 };
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What the filer taps for each field: a picture (choice value), keys on the pad, a date, or words typed on the screen. */
type Tap = { value: string } | { keys: string } | { date: string } | { type: string };

const PLAN: Record<string, Tap> = {
  caseType: { value: 'private-loan' },
  'plaintiff.kind': { value: 'person' },
  'plaintiff.name': { type: '张三' },
  'plaintiff.idNumber': { keys: '11010519491231002X' },
  'plaintiff.address': { type: '天津市北辰区果园新村街道富锦路12号' },
  'plaintiff.phone': { keys: '13812345678' },
  'defendant.kind': { value: 'person' },
  'defendant.name': { type: '李四' },
  'defendant.gender': { value: 'male' },
  'defendant.address': { type: '天津市河北区中山路8号' },
  'defendant.more': { value: 'no' },
  'loan.amount': { keys: '50000' },
  'loan.date': { date: '20240305' },
  'loan.method': { value: 'transfer' },
  'loan.hasIou': { value: 'yes' },
  'loan.hasInterest': { value: 'no' },
  'loan.repaidPrincipal': { keys: '0' },
  'review.confirm': { value: 'yes' },
};

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe on the screen as it is now. The page never navigates, so axe-core is put into it once
 * and run directly for each screen (a fraction of a second, where the full AxeBuilder takes
 * seconds on a small machine); the finished screen, whose frame holds the complaint, gets the
 * full @axe-core/playwright run, which checks inside frames too.
 */
async function axeClean(page: Page, where: string, full = false): Promise<void> {
  let violations: { id: string; nodes: { target: unknown[] }[] }[];
  if (full) {
    violations = (await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()).violations;
  } else {
    if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
    const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ['violations'] })`)) as { violations: typeof violations };
    violations = result.violations;
  }
  const problems = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(problems, `axe on ${where}`).toEqual([]);
}

/** Every visible button is a target of at least 72 × 72 px (measured in the page in one go). */
async function targetsBigEnough(page: Page, where: string): Promise<void> {
  const small = await page.evaluate(`[...document.querySelectorAll('button')]
    .map((b) => [b.getAttribute('aria-label') || b.textContent, b.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0 && (r.width < 72 || r.height < 72))
    .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`);
  expect(small, `buttons under 72 px on ${where}`).toEqual([]);
}

/** Waits until the bot has answered and the page takes input again. */
async function settled(page: Page): Promise<void> {
  await page.locator('main#app[aria-busy="false"]').waitFor(WAIT);
}

async function pressKeys(page: Page, keys: string): Promise<void> {
  for (const key of keys) await page.locator(`#answer [data-key="${key}"]`).click();
}

describe.skipIf(!haveChromium && !mustRun)('the kiosk by touch alone', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} must be installed`).toBe(true);
    server = await startTestServer({ SPEECH_OFFLINE: 'off' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('completes a private-loan complaint in zh-CN, prints it and shows the code', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource.*503/.test(message.text())) errors.push(message.text());
    });
    await watchCsp(page);
    await page.goto(`${server.baseUrl}/kiosk`);
    await page.locator('body[data-ready="true"]').waitFor(WAIT);
    await axeClean(page, 'the start screen');
    await targetsBigEnough(page, 'the start screen');

    await page.locator('[data-action="start"]').click();
    await page.locator('#answer[data-field="caseType"]').waitFor(WAIT);
    await settled(page);

    const checkedScreens = new Set<string>();
    const asked: string[] = [];
    for (let turn = 0; turn < 80; turn += 1) {
      if ((await page.locator('body').getAttribute('data-screen')) === 'finished') break;
      const answer = page.locator('#answer');
      const field = (await answer.getAttribute('data-field')) ?? '';
      const type = (await answer.getAttribute('data-type')) ?? '';
      asked.push(`${field}:${type}`);
      expect(asked.filter((a) => a === `${field}:${type}`).length, `${field} asked again and again`).toBeLessThan(4);

      // One axe run per kind of screen: pictures, yes/no, number pad, date pad, writing.
      const screen = type === 'choice' || type === 'gender' ? 'choice' : type === 'confirm' ? 'confirm' : type === 'date' ? 'date'
        : ['idNumber', 'phone', 'money', 'number'].includes(type) ? 'keypad' : 'entry';
      if (!checkedScreens.has(screen)) {
        checkedScreens.add(screen);
        await axeClean(page, `a ${type} question (${field})`);
        await targetsBigEnough(page, `a ${type} question (${field})`);
      }

      // Every picture of this question is its own, never the stand-in for a missing one.
      expect(await answer.locator('img[data-pictogram="choice-generic"]').count(), `a picture missing on ${field}`).toBe(0);

      const plan = PLAN[field];
      if (type === 'confirm') {
        // "50000, is that right?" comes under the amount's own field id.
        const value = plan && 'value' in plan ? plan.value : plan ? 'yes' : 'no';
        await answer.locator(`[data-value="${value}"]`).click();
      } else if (plan && 'value' in plan) {
        await answer.locator(`[data-value="${plan.value}"]`).click();
      } else if (plan && 'keys' in plan) {
        await pressKeys(page, plan.keys);
        await expect.poll(() => answer.locator('[data-display]').textContent()).toBe(
          field === 'plaintiff.idNumber' ? '110105 19491231 002X' : field === 'plaintiff.phone' ? '138 1234 5678' : field === 'loan.amount' ? '50,000' : plan.keys,
        );
        await answer.locator('[data-answer="ok"]').click();
      } else if (plan && 'date' in plan) {
        // Year, then month (3 cannot take a second digit, so the pad moves on), then day.
        await pressKeys(page, plan.date.slice(0, 4));
        await answer.locator('[data-step="month"].current').waitFor(WAIT);
        await pressKeys(page, '3');
        await answer.locator('[data-step="day"].current').waitFor(WAIT);
        await pressKeys(page, '5');
        await answer.locator('[data-answer="ok"]').click();
      } else if (plan && 'type' in plan) {
        await answer.getByRole('textbox').fill(plan.type);
        await answer.locator('[data-answer="ok"]').click();
      } else if (await answer.locator('[data-answer="skip"]').count()) {
        await answer.locator('[data-answer="skip"]').click();
      } else if (await answer.locator('[data-value]').count()) {
        await answer.locator('[data-value]').first().click();
      } else {
        throw new Error(`no plan for the required question ${field} (${type})`);
      }
      await settled(page);
    }

    await page.locator('body[data-screen="finished"]').waitFor(WAIT);
    expect(asked).toContain('plaintiff.idNumber:idNumber');
    expect(asked).toContain('loan.date:date');
    // The ID number filled the plaintiff's birth date and sex: never asked.
    expect(asked.some((a) => a.startsWith('plaintiff.gender'))).toBe(false);

    // The print view shows the finished complaint from its capability link, on this server.
    const frame = page.frameLocator('#document-frame');
    await frame.locator('body').waitFor(WAIT);
    const html = await frame.locator('body').innerText();
    expect(html).toContain('张三');
    expect(html).toContain('李四');
    const code = (await page.locator('#finished-code').textContent()) ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const record = (await server.assembled.store.complaints.list()).find((r) => r.resumeCode === code);
    expect(record?.status).toBe('finished');
    expect(record?.answers['loan.amount']).toBe(50000);
    expect(record?.answers['loan.date']).toBe('2024-03-05');
    expect(record?.answers['plaintiff.idNumber']).toBe('11010519491231002X');
    expect(record?.answers['loan.method']).toBe('transfer');

    await axeClean(page, 'the finished complaint', true);
    await targetsBigEnough(page, 'the finished complaint');
    await page.locator('[data-action="print"]').first().click();
    expect(await page.locator('body').getAttribute('data-printed')).toBe('1');

    // Done: back to the start screen, nothing of this filer left.
    await page.locator('#screen-finished [data-action="done"]').click();
    await page.locator('body[data-screen="start"]').waitFor(WAIT);
    expect(await page.locator('#document-frame').getAttribute('src')).toBe('about:blank');
    expect(await page.locator('main').innerText()).not.toContain(code);
    expect(errors).toEqual([]);
    // Every screen, the pictograms, the voice and the printed document lived within the page's CSP.
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  });
});
