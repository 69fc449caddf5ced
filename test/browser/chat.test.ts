/**
 * The website chat in headless Chromium: the official Web Chat bundle on /chat, talking to
 * the real app over Direct Line, checked with axe (WCAG 2.1 A and AA). Chinese here; English
 * in chat-en.test.ts, the page's own controls in chat-view.test.ts.
 *
 * The bot's words are not written into this test: a plain Direct Line client plays the same
 * answers against the same server, and the page must show what it was told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill } from '../../src/i18n.js';
import { loadSpecs } from '../../src/interview/spec.js';
import { cspViolations } from '../support/csp.js';
import { DirectLineTestClient, type BotActivity } from '../support/directline-client.js';
import {
  blocked, browserTestsRun, bubble, expectNoAxeViolations, fontSizeOf, questionIn, say, seeAll, startChatHarness,
  suggested, texts, WAIT, type ChatHarness, type ChatPage,
} from './webchat-harness.js';

describe.skipIf(!browserTestsRun)('the /chat page in Chromium (zh-CN)', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  // One conversation, step by step on one page: each step starts where the last one left off.
  describe('a Chinese conversation', () => {
    let chat: ChatPage;
    let reference: DirectLineTestClient;
    let greeting: BotActivity[];

    beforeAll(async () => {
      reference = new DirectLineTestClient(harness.server.baseUrl, 'zh-CN');
      greeting = await reference.start();
      chat = await harness.openChat();
    });

    it('shows the Chinese greeting and first question, with nothing blocked and nothing from outside', async () => {
      const { page } = chat;
      await seeAll(page, texts(greeting));
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await page.title()).toContain('起诉状助手');
      expect(await page.locator('#chat-status').isHidden()).toBe(true);
      // Web Chat's own texts follow the locale too.
      expect(await page.locator('.webchat__send-box-text-box__input').getAttribute('placeholder')).toMatch(/[\u4e00-\u9fff]/);
      // Photos of evidence: the upload button is there and visible.
      expect(await page.locator('.webchat__upload-button button').isVisible()).toBe(true);
      expect(await fontSizeOf(bubble(page, texts(greeting)[0]!))).toBeGreaterThanOrEqual(18);

      await expectNoAxeViolations(page, 'after the Chinese greeting');
      expect(blocked(chat)).toEqual([]);
      // Seen from inside too: no securitypolicyviolation event, and every style Web Chat made has its sheet.
      expect(await cspViolations(page)).toEqual([]);
      expect(chat.external).toEqual([]);
    });

    it('answers "借钱不还" typed in the send box with the next question', async () => {
      const { page } = chat;
      const kindQuestion = questionIn(await reference.say('借钱不还'));
      expect(kindQuestion.suggestedActions?.actions.map((a) => a.title)).toContain('个人');
      await say(page, '借钱不还');
      await page.locator('.webchat__stacked-layout--from-user .webchat__bubble', { hasText: '借钱不还' }).waitFor(WAIT);
      await bubble(page, kindQuestion.text!).waitFor(WAIT);
    });

    it('shows the choices as large buttons, and pressing "个人" sends it and brings the next question', async () => {
      const { page } = chat;
      const nameQuestion = questionIn(await reference.say('个人'));
      const person = suggested(page, '个人');
      await person.waitFor(WAIT);
      // Big enough for an unsteady finger, in large type.
      expect((await person.boundingBox())?.height).toBeGreaterThanOrEqual(56);
      expect(await fontSizeOf(person)).toBeGreaterThanOrEqual(18);

      await person.click();
      await page.locator('.webchat__stacked-layout--from-user .webchat__bubble', { hasText: /^\s*个人\s*$/ }).waitFor(WAIT);
      await bubble(page, nameQuestion.text!).waitFor(WAIT);
      // Nothing the filer sent failed (Web Chat marks a message the server did not take).
      expect(await page.locator('.webchat__activity-status--send-failed').count()).toBe(0);
      await expectNoAxeViolations(page, 'after a suggested action was pressed (zh-CN)');
    });

    it('takes a photo through Web Chat\'s upload button, shows it, and the bot says it was saved', async () => {
      const { page } = chat;
      const { messages } = loadSpecs(harness.server.config.dialogsDir);
      const saved = fill(messages.evidenceSaved['zh-CN'], { count: 1 });
      // A real PNG (the page's own heading): the upload route checks the bytes, not the name.
      const png = await page.locator('h1').screenshot();
      const uploaded = page.waitForResponse((r) => r.request().method() === 'POST' && /\/v3\/directline\/conversations\/[^/]+\/upload/.test(r.url()));
      await page.locator('.webchat__upload-button input[type="file"]').setInputFiles({ name: 'iou.png', mimeType: 'image/png', buffer: png });
      expect((await uploaded).status()).toBe(200);
      await bubble(page, saved).waitFor(WAIT);

      const photo = page.locator('.webchat__stacked-layout--from-user img[alt="iou.png"]');
      await photo.waitFor(WAIT);
      const loaded = await photo.evaluate((img: unknown) => new Promise<boolean>((resolve) => {
        const el = img as { complete: boolean; naturalWidth: number; addEventListener(type: string, fn: () => void): void };
        if (el.complete) resolve(el.naturalWidth > 0);
        el.addEventListener('load', () => resolve(true));
        el.addEventListener('error', () => resolve(false));
      }));
      expect(loaded).toBe(true);
      expect(await page.locator('.webchat__activity-status--send-failed').count()).toBe(0);
      expect(blocked(chat)).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
    });
  });
});

