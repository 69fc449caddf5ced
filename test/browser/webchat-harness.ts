/**
 * Shared by the /chat browser tests: headless Debian Chromium, the real app, and helpers
 * that read Web Chat's page the way a filer sees it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { findProjectRoot, readPin, WebChatBundle } from '../../src/web/bundle.js';
import type { BotActivity } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { watchCsp } from '../support/csp.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];
const haveChromium = existsSync(CHROMIUM);
const mustRun = process.env.REQUIRE_SYSTEM_TOOLS === '1';

/** False only when Chromium is missing and CI did not ask for it; then the caller skips, loudly. */
export const browserTestsRun = haveChromium || mustRun;
if (!browserTestsRun) {
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!! SKIPPING the website chat (/chat) browser tests: ${CHROMIUM} is not installed.`,
    '!! Install it with: apt-get install -y --no-install-recommends chromium fonts-noto-cjk',
    '!! (CI sets REQUIRE_SYSTEM_TOOLS=1, which turns this skip into a failure.)',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}

export const WAIT = { timeout: 15_000 };
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What the page's scripts see; typed here because the tests compile without the DOM library. */
export interface BrowserGlobals {
  getComputedStyle(el: unknown): { fontSize: string };
  document: { activeElement: { classList: { contains(name: string): boolean } } | null };
}

export interface ChatPage {
  page: Page;
  context: BrowserContext;
  /** Console errors: a CSP violation or a script error shows up here. */
  errors: string[];
  /** Requests to anywhere but this server (the page must need nothing from outside). */
  external: string[];
}

export interface ChatHarness {
  server: TestServer;
  /** A new context and page on /chat; `prepare` runs before the page loads (to route requests). */
  openChat(query?: string, prepare?: (page: Page) => Promise<void>): Promise<ChatPage>;
  close(): Promise<void>;
}

/** Chromium and the real app; fails (never skips) when the Web Chat bundle was not set up. */
export async function startChatHarness(): Promise<ChatHarness> {
  if (!haveChromium) {
    throw new Error(`${CHROMIUM} is missing and REQUIRE_SYSTEM_TOOLS=1: install chromium and fonts-noto-cjk (see .ci/run)`);
  }
  const root = findProjectRoot(import.meta.dirname);
  const bundle = new WebChatBundle(root, readPin(root));
  const state = await bundle.state();
  if (state !== 'ready') {
    throw new Error(`The Web Chat bundle ${path.relative(root, bundle.file)} is ${state}: run \`${bundle.pin.setupCommand}\` once (it needs the npm registry)`);
  }
  const [browser, server]: [Browser, TestServer] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    startTestServer(),
  ]);
  const contexts: BrowserContext[] = [];
  return {
    server,
    async openChat(query = '', prepare) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const external: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        const url = r.url();
        if (!url.startsWith(server.baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:')) external.push(url);
      });
      await watchCsp(page);
      await prepare?.(page);
      const response = await page.goto(`${server.baseUrl}/chat${query}`);
      expect(response?.status()).toBe(200);
      return { page, context, errors, external };
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close()));
      await browser.close();
      await server.stop();
    },
  };
}

/** The question in a set of replies: the message that carries channelData.ask. */
export function questionIn(replies: BotActivity[]): BotActivity {
  const question = replies.filter((a) => a.channelData?.ask).at(-1);
  if (!question?.text) throw new Error(`no question among ${replies.length} replies`);
  return question;
}

export function texts(replies: BotActivity[]): string[] {
  return replies.filter((a) => a.type === 'message' && a.text).map((a) => a.text!);
}

/**
 * Matches a bot text as Web Chat shows it: its Markdown renderer turns straight quotes and
 * apostrophes into curly ones and may fold line breaks.
 */
export function shownAs(text: string): RegExp {
  const pattern = [...text.trim()].map((c) => {
    if (/["“”]/.test(c)) return '["“”]';
    if (/['‘’]/.test(c)) return "['‘’]";
    if (/\s/.test(c)) return '\\s*';
    return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }).join('');
  return new RegExp(pattern.replace(/(\\s\*)+/g, '\\s*'));
}

/** The last bubble showing `text`. */
export function bubble(page: Page, text: string): Locator {
  return page.locator('.webchat__bubble', { hasText: shownAs(text) }).last();
}

export async function seeAll(page: Page, lines: string[]): Promise<void> {
  for (const line of lines) await bubble(page, line).waitFor(WAIT);
}

/** Types into Web Chat's send box and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('.webchat__send-box-text-box__input');
  await box.fill(text);
  await box.press('Enter');
}

export function suggested(page: Page, title: string): Locator {
  return page.locator('.webchat__suggested-actions').getByRole('button', { name: title, exact: true });
}

/** The font size a bubble's text (or any element) is drawn at, in CSS pixels. */
export function fontSizeOf(locator: Locator): Promise<number> {
  return locator.evaluate((el: { querySelector(s: string): unknown }) =>
    parseFloat((globalThis as unknown as BrowserGlobals).getComputedStyle(el.querySelector('p') ?? el).fontSize));
}

export async function expectNoAxeViolations(page: Page, when: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  expect(found, `axe violations ${when}`).toEqual([]);
}

/** What the CSP refused: nothing, if the page's policy and Web Chat's needs agree. */
export function blocked(chat: ChatPage): string[] {
  return chat.errors.filter((e) => /Content Security Policy|Refused to/i.test(e));
}
