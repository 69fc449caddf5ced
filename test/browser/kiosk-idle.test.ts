/**
 * A filer who walks away from the kiosk. The page's clock is Playwright's (time jumps instead
 * of waiting 90 seconds): after KIOSK_IDLE_SECONDS it asks "are you still there?" without
 * throwing away what was typed; after another period it tells the bot, shows and speaks the
 * resume code, then clears the screen for the next person. The draft survives and the code
 * brings it back.
 */
import { existsSync } from 'node:fs';
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
  console.warn(`\n!! SKIPPING the kiosk inactivity browser test: ${CHROMIUM} is not installed (apt-get install -y chromium fonts-noto-cjk; CI sets REQUIRE_SYSTEM_TOOLS=1).\n`);
}

const WAIT = { timeout: 15_000 };
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function settled(page: Page): Promise<void> {
  await page.locator('main#app[aria-busy="false"]').waitFor(WAIT);
}

async function axeClean(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${where}`).toEqual([]);
}

describe.skipIf(!haveChromium && !mustRun)('the kiosk when the filer walks away', () => {
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

  it('asks, keeps the input, leaves with the code, clears the screen, and the code resumes the draft', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
    const page = await context.newPage();
    await page.clock.install();
    await watchCsp(page);
    await page.goto(`${server.baseUrl}/kiosk`);
    await page.locator('body[data-ready="true"]').waitFor(WAIT);
    await page.locator('[data-action="start"]').click();
    await page.locator('#answer[data-field="caseType"]').waitFor(WAIT);
    await settled(page);
    await page.locator('#answer [data-value="private-loan"]').click();
    await settled(page);
    await page.locator('#answer [data-value="person"]').click();
    await page.locator('#answer[data-field="plaintiff.name"]').waitFor(WAIT);
    await settled(page);
    const entry = page.locator('#answer').getByRole('textbox');
    await entry.fill('王小明');

    // A long pause: the page asks, and what was typed is still there.
    const stillThere = page.locator('#still-there');
    expect(await stillThere.isVisible()).toBe(false);
    await page.clock.fastForward('01:31');
    await stillThere.waitFor({ state: 'visible', ...WAIT });
    await axeClean(page, '"are you still there?"');
    await page.locator('#still-there [data-action="here"]').click();
    await stillThere.waitFor({ state: 'hidden', ...WAIT });
    expect(await entry.inputValue()).toBe('王小明');
    // "I'm here" says the question again; time spent listening does not count as idle.
    await page.locator('body:not([data-speaking="true"])').waitFor(WAIT);

    // Gone for good: asked again, then the kiosk leaves and shows the code.
    await page.clock.fastForward('01:31');
    await stillThere.waitFor({ state: 'visible', ...WAIT });
    await page.clock.fastForward('01:31');
    await page.locator('body[data-screen="left"]').waitFor(WAIT);
    await page.locator('#left-code-box').waitFor({ state: 'visible', ...WAIT });
    const code = (await page.locator('#left-code').textContent()) ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await axeClean(page, 'the resume code after leaving');
    const shown = await page.locator('main').innerText();
    expect(shown).not.toContain('王小明');
    expect(await page.locator('#answer').innerHTML()).toBe('');

    // The draft is kept with what was answered (the unsent name is not an answer).
    const draft = await server.assembled.store.complaints.findByResumeCode(code);
    expect(draft?.caseType).toBe('private-loan');
    expect(draft?.answers['plaintiff.kind']).toBe('person');
    expect(draft?.answers['plaintiff.name']).toBeUndefined();

    // After a while the start screen, with nothing of the last filer.
    await page.clock.fastForward('00:31');
    await page.locator('body[data-screen="start"]').waitFor(WAIT);
    expect(await page.locator('main').innerText()).not.toContain(code);
    expect(await page.locator('#question-text').textContent()).toBe('');

    // The next time: "continue", the code on the number pad, and the interview goes on where it stopped.
    await page.locator('[data-action="start"]').click();
    await page.locator('#answer[data-field="caseType"]').waitFor(WAIT);
    await settled(page);
    await page.locator('#answer [data-value="resume"]').click();
    await page.locator('#answer[data-field="resume.code"]').waitFor(WAIT);
    await settled(page);
    for (const digit of code) await page.locator(`#answer [data-key="${digit}"]`).click();
    await page.locator('#answer [data-answer="ok"]').click();
    await page.locator('#answer[data-field="plaintiff.name"]').waitFor(WAIT);
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  });

  it('asks the last 4 digits of the draft\'s phone on the number pad before a draft with one opens', async () => {
    const draft = await server.assembled.store.complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
    await server.assembled.store.complaints.update(draft.id, (r) => {
      Object.assign(r.answers, { 'plaintiff.kind': 'person', 'plaintiff.name': '张三', 'plaintiff.phone': '13812345678' });
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
    const page = await context.newPage();
    await watchCsp(page);
    await page.goto(`${server.baseUrl}/kiosk`);
    await page.locator('body[data-ready="true"]').waitFor(WAIT);
    await page.locator('[data-action="start"]').click();
    await page.locator('#answer[data-field="caseType"]').waitFor(WAIT);
    await settled(page);
    await page.locator('#answer [data-value="resume"]').click();
    await page.locator('#answer[data-field="resume.code"]').waitFor(WAIT);
    await settled(page);
    for (const digit of draft.resumeCode) await page.locator(`#answer [data-key="${digit}"]`).click();
    await page.locator('#answer [data-answer="ok"]').click();

    await page.locator('#answer[data-field="resume.phone"]').waitFor(WAIT);
    await settled(page);
    expect(await page.locator('#question-text').textContent()).toContain('最后4位');
    // Four digits and nothing else: no decimal point, a fifth key is not taken.
    expect(await page.locator('#answer [data-key="."]').count()).toBe(0);
    for (const digit of '56789') await page.locator(`#answer [data-key="${digit}"]`).click();
    expect(await page.locator('#answer [data-display]').textContent()).toBe('5678');
    await axeClean(page, 'the check before a draft opens');
    await page.locator('#answer [data-answer="ok"]').click();
    await page.locator('#answer[data-field="plaintiff.idNumber"], #answer[data-field="plaintiff.gender"]').first().waitFor(WAIT);
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  });
});
