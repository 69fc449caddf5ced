/**
 * The clerk console's home-visit view in headless Chromium: a clerk picks the day of two
 * bookings, sees them grouped by team with the filer's name, address, landmark and phone,
 * assigns a team, marks one visit done by keyboard and the other failed (a reason is asked
 * for first), and the day's iCalendar link answers text/calendar. An admin sees the calendar
 * editor, and a wrong calendar is refused with the API's own words. axe (WCAG 2.1 A and AA)
 * checks the view in both languages.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];
const haveChromium = existsSync(CHROMIUM);
const mustRun = process.env.REQUIRE_SYSTEM_TOOLS === '1';
if (!haveChromium && !mustRun) {
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!! SKIPPING the clerk console home-visit browser tests: ${CHROMIUM} is not installed.`,
    '!! Install it with: apt-get install -y --no-install-recommends chromium fonts-noto-cjk',
    '!! (CI sets REQUIRE_SYSTEM_TOOLS=1, which turns this skip into a failure.)',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}

const WAIT = { timeout: 15_000 };
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PASSWORD = 'clerk-password-1';
const REFERENCE = path.resolve(import.meta.dirname, '../../data/reference/visits.json');

async function axeViolations(page: Page, what: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.map((v) => `${what}: ${v.id} (${v.nodes.length}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let server: TestServer;
let browser: Browser | undefined;
let calendarDir: string;

beforeAll(async () => {
  if (!haveChromium && !mustRun) return;
  // A copy of the reference calendar: an admin's save must never touch the committed file.
  calendarDir = await mkdtemp(path.join(os.tmpdir(), 'visit-console-'));
  const calendarFile = path.join(calendarDir, 'visits.json');
  await copyFile(REFERENCE, calendarFile);
  server = await startTestServer({ VISITS_CALENDAR: calendarFile });
  const accounts = new StaffAccounts(await openAccounts(server.dataDir));
  await accounts.add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
  await accounts.add({ username: 'boss', password: PASSWORD, displayName: '管理员', role: 'admin' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  // The browser first: its live event stream holds a connection the server waits for.
  await browser?.close();
  await server?.stop();
  if (calendarDir) await rm(calendarDir, { recursive: true, force: true });
});

async function signIn(context: BrowserContext, username: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  // A CSP violation or a script error fails the test; refused requests (401 before sign-in) do not.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.baseUrl}/clerk`);
  const form = page.locator('#sign-in-form');
  await form.getByLabel('用户名').waitFor(WAIT);
  await form.getByLabel('用户名').fill(username);
  await form.getByLabel('密码').fill(PASSWORD);
  await form.getByLabel('密码').press('Enter');
  await page.getByRole('heading', { name: '排队等待的人' }).waitFor(WAIT);
  return page;
}

describe.skipIf(!haveChromium && !mustRun)('home visits in the clerk console (Chromium)', () => {
  it('shows the day by team, assigns, records done and failed, exports iCalendar; the admin editor shows the API error; axe finds nothing', async () => {
    const visits = server.assembled.visits;
    const complaints = server.assembled.store.complaints;
    const draft = await complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
    await complaints.update(draft.id, (c) => { c.answers['plaintiff.name'] = '李大爷'; });
    const [slot] = visits.freeSlots(1);
    const first = await visits.book({
      slot: slot!, reason: 'age', address: '天津市北辰区北仓镇幸福里3号楼2门101', landmark: '小区门口有棵大槐树',
      phone: '13812345678', locale: 'zh-CN', complaintId: draft.id,
    });
    const second = await visits.book({ slot: slot!, reason: 'other', address: '天津市北辰区天穆镇穆家庄5号', phone: '13900001111', locale: 'zh-CN' });
    if (!first.ok || !second.ok) throw new Error('the test bookings were not made');

    const errors: string[] = [];
    const context = await browser!.newContext({ locale: 'zh-CN' });
    const page = await signIn(context, 'wang', errors);
    await page.getByRole('button', { name: '上门立案' }).click();
    await page.getByRole('heading', { name: '上门立案', level: 2 }).waitFor(WAIT);
    // The day opens on today (the court's today), with nothing booked yet.
    await expect.poll(() => page.locator('#visits-date').inputValue(), WAIT).toBe(visits.today());
    // A plain clerk does not see the calendar editor.
    expect(await page.locator('#visit-settings').isHidden()).toBe(true);

    await page.getByLabel('哪一天').fill(slot!.date);
    await page.getByRole('button', { name: '查看这一天' }).click();
    await expect.poll(() => page.locator('#visits-count').textContent(), WAIT).toBe(`${slot!.date}：共2次上门。`);
    const unassigned = page.locator('section.visit-team', { has: page.getByRole('heading', { name: '还没派小组（2）' }) });
    const li = unassigned.locator('.visit', { hasText: '李大爷' });
    const text = await li.textContent();
    for (const part of ['李大爷', '北仓镇幸福里3号楼2门101', '小区门口有棵大槐树', '138 1234 5678', '70岁以上老人', '已预约', first.booking.code]) {
      expect(text).toContain(part);
    }
    // The booking for "another reason" waits for a clerk's decision, and its name is not known.
    const review = unassigned.locator('.visit', { hasText: '穆家庄5号' });
    expect(await review.textContent()).toMatch(/还不知道姓名.*待工作人员决定是否上门/);
    const violations = await axeViolations(page, 'visits (zh-CN)');

    // Assign team 2 to the first visit: it moves under that team.
    await li.getByLabel('派哪个小组').selectOption('team-2');
    await li.getByRole('button', { name: '派这个小组' }).click();
    await expect.poll(() => page.locator('#visits-status').textContent(), WAIT).toBe('已派“巡回立案二组”。');
    const team2 = page.locator('section.visit-team', { has: page.getByRole('heading', { name: '巡回立案二组（1）' }) });
    const assigned = team2.locator('.visit', { hasText: '李大爷' });
    await assigned.waitFor(WAIT);
    expect((await visits.get(first.booking.id))?.teamId).toBe('team-2');

    // Done, by keyboard alone: choose the outcome, Tab past the optional reason to the button.
    await assigned.getByLabel('上门结果').focus();
    await assigned.getByLabel('上门结果').selectOption('done');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await visits.get(first.booking.id))?.status, WAIT).toBe('done');
    await expect.poll(() => page.locator('#visits-status').textContent(), WAIT).toBe('已记下：已办完。');
    expect(await team2.locator('.visit', { hasText: '李大爷' }).textContent()).toContain('已办完');
    // Focus comes back to the same visit after the list is drawn again.
    expect(await page.locator('.visit:focus-within').textContent()).toContain('李大爷');

    // Failed needs a reason: the page asks for it before anything is sent.
    const pending = page.locator('.visit', { hasText: '穆家庄5号' });
    await pending.getByLabel('上门结果').selectOption('failed');
    await pending.getByRole('button', { name: '记下结果' }).click();
    await expect.poll(() => pending.getByRole('alert').textContent(), WAIT).toContain('请写上原因');
    expect(await pending.getByLabel('原因（没办成或取消时要写）').getAttribute('aria-invalid')).toBe('true');
    expect((await visits.get(second.booking.id))?.status).toBe('booked');
    await pending.getByLabel('原因（没办成或取消时要写）').fill('家里没人，电话没人接');
    await pending.getByRole('button', { name: '记下结果' }).click();
    await expect.poll(async () => (await visits.get(second.booking.id))?.status, WAIT).toBe('failed');
    await expect.poll(() => page.locator('.visit', { hasText: '穆家庄5号' }).textContent(), WAIT).toContain('家里没人，电话没人接');
    // Once the visit is over it no longer waits for a decision.
    expect(await page.locator('.visit', { hasText: '穆家庄5号' }).textContent()).not.toContain('待工作人员决定是否上门');

    // The day as iCalendar, with the browser's own session.
    const href = await page.getByRole('link', { name: '导出这一天（日历文件）' }).getAttribute('href');
    expect(href).toBe(`/api/clerk/visits/calendar.ics?date=${slot!.date}&lang=zh-CN`);
    const ics = await context.request.get(`${server.baseUrl}${href}`);
    expect(ics.status()).toBe(200);
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    expect(await ics.text()).toContain('巡回立案二组');
    violations.push(...await axeViolations(page, 'visits after changes (zh-CN)'));

    // In English, the same view, and axe again.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Visiting team 2 (1)' }).waitFor(WAIT);
    expect(await page.locator('.visit', { hasText: '李大爷' }).textContent()).toContain('Aged 70 or over');
    expect(await page.getByRole('link', { name: 'Export the day (iCalendar)' }).getAttribute('href')).toContain('lang=en-US');
    violations.push(...await axeViolations(page, 'visits (en-US)'));
    await context.close();

    // An admin sees the calendar editor; a wrong calendar comes back with the API's words.
    const adminContext = await browser!.newContext({ locale: 'zh-CN' });
    const admin = await signIn(adminContext, 'boss', errors);
    await admin.getByRole('button', { name: '上门立案' }).click();
    const editor = admin.getByLabel('日历设置（JSON 格式）');
    await expect.poll(() => editor.inputValue(), WAIT).toContain('"visitsPerTeam"');
    const calendar = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...calendar, weekdays: [8] }, null, 2));
    await admin.getByRole('button', { name: '保存设置' }).click();
    await expect.poll(() => admin.locator('#visit-settings-error').textContent(), WAIT).toMatch(/上门日历有错：.*weekdays/);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    await editor.fill('{ not json');
    await admin.getByRole('button', { name: '保存设置' }).click();
    await expect.poll(() => admin.locator('#visit-settings-error').textContent(), WAIT).toContain('格式不对，没有保存');
    // Nothing was written: the calendar in force still has Monday to Friday.
    expect(visits.calendar.weekdays).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.parse(await readFile(path.join(calendarDir, 'visits.json'), 'utf8')).weekdays).toEqual([1, 2, 3, 4, 5]);
    violations.push(...await axeViolations(admin, 'visits with the calendar editor (zh-CN)'));
    await adminContext.close();

    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
