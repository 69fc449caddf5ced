import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { StaffAccounts } from '../../src/clerk/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openAccounts } from '../../src/store/index.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'clerk-password-1';
const REFERENCE = path.resolve(import.meta.dirname, '../../data/reference/visits.json');

let server: TestServer;
let calendarDir: string;
let calendarFile: string;

async function signIn(username: string) {
  const res = await fetch(`${server.baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  return async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`${server.baseUrl}/api/clerk${route}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  };
}

beforeAll(async () => {
  calendarDir = await mkdtemp(path.join(os.tmpdir(), 'visit-calendar-'));
  calendarFile = path.join(calendarDir, 'visits.json');
  await copyFile(REFERENCE, calendarFile);
  server = await startTestServer({ VISITS_CALENDAR: calendarFile, CLERK_LOGIN_ATTEMPTS: '100' });
  const accounts = new StaffAccounts(await openAccounts(server.dataDir));
  await accounts.add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
  await accounts.add({ username: 'boss', password: PASSWORD, displayName: '管理员', role: 'admin' });
});

afterAll(async () => {
  await server?.stop();
  await rm(calendarDir, { recursive: true, force: true });
});

describe('home visits in the clerk console', () => {
  it('lists the day by team, assigns, marks failed with a reason, exports iCalendar, and audits', async () => {
    const visits = server.assembled.visits;
    const [slot] = visits.freeSlots(1);
    const booked = await visits.book({ slot: slot!, reason: 'illness', address: '天津市北辰区北仓镇1号', phone: '13812345678', locale: 'zh-CN' });
    if (!booked.ok) throw new Error('not booked');
    const call = await signIn('wang');
    const day = await call('GET', `/visits?date=${slot!.date}`);
    expect(day.status).toBe(200);
    const listed = JSON.parse(day.text) as { visits: { id: string }[]; byTeam: Record<string, string[]> };
    expect(listed.byTeam['unassigned']).toContain(booked.booking.id);
    expect((await call('POST', `/visits/${booked.booking.id}/assign`, { teamId: 'team-2' })).status).toBe(200);
    const ics = await call('GET', `/visits/calendar.ics?date=${slot!.date}`);
    expect(ics.type).toMatch(/^text\/calendar/);
    expect(ics.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics.text).toContain('巡回立案二组');
    expect((await call('POST', `/visits/${booked.booking.id}/outcome`, { outcome: 'failed' })).status).toBe(400);
    expect((await call('POST', `/visits/${booked.booking.id}/outcome`, { outcome: 'failed', reason: '家里没人' })).status).toBe(200);
    expect((await call('POST', `/visits/${booked.booking.id}/outcome`, { outcome: 'done' })).status).toBe(409);
    // A clerk cannot edit the calendar; an admin can, and a bad calendar is refused with the problem.
    expect((await call('PUT', '/visits/settings', {})).status).toBe(403);
    const admin = await signIn('boss');
    const calendar = JSON.parse(await readFile(calendarFile, 'utf8')) as Record<string, unknown>;
    const bad = await admin('PUT', '/visits/settings', { ...calendar, weekdays: [8] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('weekdays');
    const good = await admin('PUT', '/visits/settings', { ...calendar, visitsPerTeam: 3 });
    expect(good.status).toBe(200);
    expect(JSON.parse(await readFile(calendarFile, 'utf8')).visitsPerTeam).toBe(3);
    const log = await admin('GET', '/audit?action=visit-calendar-edit');
    expect(JSON.parse(log.text).total).toBe(2);
    const audit = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain('13812345678');
    expect(audit).not.toContain('北仓镇');
  });

  it('a bad calendar file stops start-up, naming the file and the problem', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'visit-bad-'));
    const bad = path.join(dataDir, 'broken-visits.json');
    await writeFile(bad, JSON.stringify({ version: 1, weekdays: [] }));
    const config = loadConfig({ DATA_DIR: dataDir, VISITS_CALENDAR: bad }, path.resolve(import.meta.dirname, '../..'));
    await expect(createApp(config, createLogger('silent'))).rejects.toThrow(/broken-visits\.json.*weekdays/);
    await rm(dataDir, { recursive: true, force: true });
  });
});
