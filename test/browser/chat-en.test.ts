/** The website chat in English (/chat?lang=en-US), in headless Chromium, checked with axe. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient } from '../support/directline-client.js';
import {
  blocked, browserTestsRun, bubble, expectNoAxeViolations, questionIn, seeAll, startChatHarness, suggested, texts, WAIT,
  type ChatHarness,
} from './webchat-harness.js';

describe.skipIf(!browserTestsRun)('the /chat page in Chromium (en-US)', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('speaks English at /chat?lang=en-US, greeting and buttons included', async () => {
    const reference = new DirectLineTestClient(harness.server.baseUrl, 'en-US');
    const greeting = await reference.start();
    const loan = questionIn(greeting).suggestedActions?.actions.find((a) => /loan/i.test(a.title));
    if (!loan) throw new Error('the case question offers no private-loan button');
    const kindQuestion = questionIn(await reference.say(loan.value));

    const chat = await harness.openChat('?lang=en-US');
    const { page } = chat;
    await seeAll(page, texts(greeting));
    expect(await page.getAttribute('html', 'lang')).toBe('en-US');
    expect(await page.locator('h1').textContent()).toBe('Court complaint assistant');
    expect(await page.locator('.webchat__send-box-text-box__input').getAttribute('placeholder')).toMatch(/^[\x20-\x7e]+$/);
    expect(await page.locator('a.lang-link[aria-current="page"]').textContent()).toBe('English');
    await expectNoAxeViolations(page, 'after the English greeting');

    await suggested(page, loan.title).click();
    await bubble(page, kindQuestion.text!).waitFor(WAIT);
    await expectNoAxeViolations(page, 'after a suggested action was pressed (en-US)');
    expect(blocked(chat)).toEqual([]);
  });
});
