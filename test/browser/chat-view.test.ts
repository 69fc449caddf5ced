/** The /chat page's own parts in Chromium: the skip link, the larger view, the connection notice. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient } from '../support/directline-client.js';
import {
  browserTestsRun, bubble, WAIT, expectNoAxeViolations, fontSizeOf, seeAll, startChatHarness, texts,
  type BrowserGlobals, type ChatHarness,
} from './webchat-harness.js';

describe.skipIf(!browserTestsRun)('the /chat page controls in Chromium', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('has a skip link to the send box, and a larger, high-contrast view kept in the address', async () => {
    const reference = new DirectLineTestClient(harness.server.baseUrl, 'zh-CN');
    const greeting = await reference.start();
    const { page } = await harness.openChat();
    await seeAll(page, texts(greeting));

    // The skip link is the keyboard's first stop, shows when focused, and lands in the send box.
    await page.keyboard.press('Tab');
    const skip = page.locator('.skip-link');
    expect(await skip.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement)).toBe(true);
    expect((await skip.boundingBox())?.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.classList.contains('webchat__send-box-text-box__input'))).toBe(true);

    const line = bubble(page, texts(greeting)[0]!);
    const before = await fontSizeOf(line);
    const toggle = page.locator('#view-toggle');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getAttribute('html', 'class')).toContain('view-large');
    expect(new URL(page.url()).searchParams.get('view')).toBe('large');
    expect(await page.locator('a.lang-link[lang="en-US"]').getAttribute('href')).toBe('/chat?lang=en-US&view=large');
    expect(await fontSizeOf(line)).toBeGreaterThan(before);
    // The toggle re-renders Web Chat; the conversation goes on.
    await seeAll(page, texts(greeting));
    await expectNoAxeViolations(page, 'in the larger view');
  });

  it('says kindly when it cannot connect, and "try again" connects', async () => {
    let refuse = true;
    const { page } = await harness.openChat('', async (p) => {
      await p.route('**/api/directline/token', (route) => (refuse ? route.fulfill({ status: 503, body: '' }) : route.continue()));
    });
    const problem = page.locator('#chat-problem');
    await problem.waitFor(WAIT);
    expect(await problem.getAttribute('role')).toBe('alert');
    expect(await problem.textContent()).toContain('12368');
    // The filer's next step has the focus.
    expect(await page.locator('#chat-retry').evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement)).toBe(true);

    refuse = false;
    const reference = new DirectLineTestClient(harness.server.baseUrl, 'zh-CN');
    const greeting = await reference.start();
    await page.locator('#chat-retry').click();
    await seeAll(page, texts(greeting));
    expect(await problem.isHidden()).toBe(true);
  });
});
