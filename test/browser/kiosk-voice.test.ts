/**
 * The kiosk's voice through the real Speech SDK, offline: the server talks to a local double
 * of Azure Speech (SPEECH_HOST), Chromium's fake microphone records an answer, the double
 * "recognizes" it, and the kiosk answers the name question by voice. Also: every question is
 * spoken with the configured voice, "slower" slows it, "repeat" replays without asking again.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSpeechDouble, type SpeechDouble } from '../support/speech-double.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
  // A microphone that plays a beep, granted without a prompt.
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];
const haveChromium = existsSync(CHROMIUM);
const mustRun = process.env.REQUIRE_SYSTEM_TOOLS === '1';
if (!haveChromium && !mustRun) {
  console.warn(`\n!! SKIPPING the kiosk voice browser test: ${CHROMIUM} is not installed (apt-get install -y chromium fonts-noto-cjk; CI sets REQUIRE_SYSTEM_TOOLS=1).\n`);
}

const WAIT = { timeout: 15_000 };

async function settled(page: Page): Promise<void> {
  await page.locator('main#app[aria-busy="false"]').waitFor(WAIT);
}

describe.skipIf(!haveChromium && !mustRun)('the kiosk by voice', () => {
  let double: SpeechDouble;
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} must be installed`).toBe(true);
    double = await startSpeechDouble();
    server = await startTestServer({ SPEECH_HOST: double.host });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await double?.close();
  });

  it('speaks each question, answers the name by voice, slows down, repeats and switches to English', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 }, permissions: ['microphone'] });
    const page = await context.newPage();
    const synthesized: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/speech/synthesize')) synthesized.push(request.postData() ?? '');
    });
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

    // The greeting and every question went to the voice service with the zh-CN voice.
    await expect.poll(() => double.ssml.length, WAIT).toBeGreaterThanOrEqual(4);
    expect(double.ssml.every((ssml) => ssml.includes('<voice name="zh-CN-XiaoxiaoNeural">'))).toBe(true);

    // Touch the microphone, speak (the fake device beeps), touch it again to finish.
    const mic = page.locator('#answer [data-answer="microphone"]');
    await mic.click();
    await expect.poll(() => mic.getAttribute('aria-pressed'), WAIT).toBe('true');
    await page.waitForTimeout(1200);
    await mic.click();
    await expect.poll(() => page.locator('#answer').getByRole('textbox').inputValue(), WAIT).toBe('张三');
    expect(double.recognitions).toHaveLength(1);
    expect(double.recognitions[0]!.language).toBe('zh-CN');
    expect(double.recognitions[0]!.audioBytes).toBeGreaterThan(16_000);
    await page.locator('#answer [data-answer="ok"]').click();
    await page.locator('#answer[data-field="plaintiff.idNumber"]').waitFor(WAIT);
    const record = (await server.assembled.store.complaints.list()).find((r) => r.answers['plaintiff.name'] === '张三');
    expect(record).toBeDefined();

    // "Slower": the bot asks again at a slower rate, and that is what the voice is asked for.
    await page.locator('[data-action="slower"]').click();
    await settled(page);
    await expect.poll(() => double.ssml.some((ssml) => ssml.includes('<prosody rate="0.85">')), WAIT).toBe(true);

    // "Repeat" replays the audio it has: no new question to the bot, no new synthesis.
    await expect.poll(() => page.locator('body').getAttribute('data-speaking'), WAIT).toBe('false');
    const requestsBefore = synthesized.length;
    const ssmlBefore = double.ssml.length;
    await page.locator('[data-action="repeat"]').click();
    await expect.poll(() => page.locator('body').getAttribute('data-speaking'), WAIT).toBe('true');
    expect(synthesized.length).toBe(requestsBefore);
    expect(double.ssml.length).toBe(ssmlBefore);
    expect(await page.locator('#answer').getAttribute('data-field')).toBe('plaintiff.idNumber');

    // English: the page's words change at once, the bot asks the same question again in
    // English, and the English voice says it.
    await page.locator('#screen-talk [data-locale="en-US"]').click();
    await expect.poll(() => page.locator('html').getAttribute('lang'), WAIT).toBe('en-US');
    expect(await page.locator('[data-action="clerk"]').getAttribute('aria-label')).toBe('Call a clerk');
    await settled(page);
    expect(await page.locator('#answer').getAttribute('data-field')).toBe('plaintiff.idNumber');
    await expect.poll(() => double.ssml.at(-1) ?? '', WAIT).toContain('<voice name="en-US-JennyNeural">');
    await context.close();
  });
});
