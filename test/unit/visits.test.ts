import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  areaOf, loadCalendarFile, slotKey, slotsInWindow, slotTimes, slotWords, validateCalendar, VisitCalendarError, type VisitCalendar,
} from '../../src/visits/calendar.js';
import { ageFromIdNumber } from '../../src/visits/eligibility.js';
import { foldLine, toICalendar } from '../../src/visits/ical.js';
import { visitIntent } from '../../src/visits/messages.js';
import { VisitService } from '../../src/visits/service.js';
import { CollectionFile } from '../../src/store/collectionFile.js';
import { Journal } from '../../src/store/journal.js';
import { idCheckChar } from '../../src/interview/fields/index.js';

const REFERENCE = path.resolve(import.meta.dirname, '../../data/reference/visits.json');
const reference = (): VisitCalendar => JSON.parse(JSON.stringify(loadCalendarFile(REFERENCE))) as VisitCalendar;

function idNumber(birth: string): string {
  const first17 = `120113${birth.replace(/-/g, '')}123`;
  return `${first17}${idCheckChar(first17)}`;
}

describe('visit calendar', () => {
  it('loads the committed reference calendar', () => {
    const calendar = loadCalendarFile(REFERENCE);
    expect(calendar.teams.length).toBeGreaterThan(0);
  });

  it.each([
    [(c: Record<string, unknown>) => { c['weekdays'] = [0]; }, /weekdays\.0/],
    [(c: Record<string, unknown>) => { (c['slots'] as { start: string }[])[0]!.start = '9am'; }, /slots\.0\.start/],
    [(c: Record<string, unknown>) => { (c['slots'] as { end: string }[])[0]!.end = '08:00'; }, /not after start/],
    [(c: Record<string, unknown>) => { c['teams'] = []; }, /teams/],
    [(c: Record<string, unknown>) => { (c['teams'] as unknown[]).push((c['teams'] as unknown[])[0]); }, /team id "team-1" appears twice/],
    [(c: Record<string, unknown>) => { c['holidays'] = ['2026-02-30']; }, /holidays\.0: is not a real date/],
    [(c: Record<string, unknown>) => { c['maxDaysAhead'] = 0; c['minDaysAhead'] = 3; }, /maxDaysAhead/],
    [(c: Record<string, unknown>) => { c['surprise'] = true; }, /surprise|Unrecognized/i],
    [(c: Record<string, unknown>) => { (c['slots'] as { start: string; end: string }[])[1]!.start = '10:00'; }, /overlap/],
  ])('names the file and the problem: case %#', (change, problem) => {
    const raw = reference() as unknown as Record<string, unknown>;
    change(raw);
    expect(() => validateCalendar(raw, 'visits.json')).toThrowError(VisitCalendarError);
    expect(() => validateCalendar(raw, 'visits.json')).toThrowError(problem);
    expect(() => validateCalendar(raw, 'visits.json')).toThrowError(/visits\.json/);
  });

  it('refuses a file that is not JSON or missing, naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'visits-cal-'));
    const bad = path.join(dir, 'visits.json');
    await writeFile(bad, '{ "version": 1,');
    expect(() => loadCalendarFile(bad)).toThrowError(/visits\.json.*not valid JSON/);
    expect(() => loadCalendarFile(path.join(dir, 'none.json'))).toThrowError(/none\.json.*could not be read/);
    await rm(dir, { recursive: true, force: true });
  });

  it('skips weekends and holidays, says slots in plain words with hours and ISO offsets', () => {
    const calendar = reference();
    calendar.holidays.push('2026-12-01');
    const slots = slotsInWindow(calendar, '2026-11-28'); // a Saturday
    expect(slots[0]).toEqual({ date: '2026-11-30', slotId: 'am' });
    expect(slots.some((s) => s.date === '2026-12-01' || s.date === '2026-12-05')).toBe(false);
    expect(slotWords(calendar, { date: '2026-11-30', slotId: 'am' }, '2026-11-28', 'zh-CN')).toBe('后天上午（09:00–11:30）');
    expect(slotWords(calendar, { date: '2026-12-01', slotId: 'pm' }, '2026-11-26', 'en-US')).toBe('next Tuesday afternoon (14:00–16:30)');
    expect(slotWords(calendar, { date: '2026-12-01', slotId: 'am' }, '2026-11-26', 'zh-CN')).toBe('下周二上午（09:00–11:30）');
    expect(slotWords(calendar, { date: '2026-11-27', slotId: 'am' }, '2026-11-26', 'zh-CN')).toBe('明天上午（09:00–11:30）');
    expect(slotWords(calendar, { date: '2026-12-15', slotId: 'am' }, '2026-11-26', 'zh-CN')).toBe('12月15日（星期二）上午（09:00–11:30）');
    expect(slotTimes(calendar, { date: '2026-11-30', slotId: 'pm' }, 'Asia/Shanghai')).toEqual({ start: '2026-11-30T14:00:00+08:00', end: '2026-11-30T16:30:00+08:00' });
  });

  it('tells served, other-court, far-away and unclear addresses apart', () => {
    const calendar = reference();
    expect(areaOf(calendar, '天津市北辰区果园新村街道富锦园3号楼2门101').served).toBe(true);
    const other = areaOf(calendar, '天津市河西区友谊路8号');
    expect(other.served === false && other.referral?.court['zh-CN']).toBe('天津市河西区人民法院');
    const far = areaOf(calendar, '河北省石家庄市长安区中山路1号');
    expect(far.served === false && 'fallback' in far).toBe(true);
    expect(areaOf(calendar, '幸福小区5号楼3门201室').served).toBe('unknown');
  });

  it('hears visit words and cancel/change words', () => {
    expect(visitIntent('我走不动，去不了法院')).toBe('book');
    expect(visitIntent('腿脚不好')).toBe('book');
    expect(visitIntent("I can't come to the court")).toBe('book');
    expect(visitIntent('取消上门')).toBe('cancel');
    expect(visitIntent('change my visit')).toBe('move');
    expect(visitIntent('张三')).toBeNull();
  });

  it('reads the age from an ID number', () => {
    expect(ageFromIdNumber(idNumber('1950-03-01'), '2026-11-28')).toBe(76);
    expect(ageFromIdNumber(idNumber('1956-12-01'), '2026-11-28')).toBe(69);
    expect(ageFromIdNumber('123', '2026-11-28')).toBeUndefined();
  });
});

describe('iCalendar', () => {
  it('escapes, folds at 75 octets and ends lines with CRLF', () => {
    const text = toICalendar([{
      uid: 'a@b', start: '2026-11-30T09:00:00+08:00', end: '2026-11-30T11:30:00+08:00', summary: '上门立案, 一组; 测试',
      description: `${'很长的说明'.repeat(20)}\n第二行`,
    }], { name: 'Visits', now: new Date('2026-11-28T00:00:00Z') });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(text).toContain('DTSTART:20261130T010000Z');
    expect(text).toContain('DTSTAMP:20261128T000000Z');
    expect(text).toContain('SUMMARY:上门立案\\, 一组\\; 测试');
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain('\\n第二行');
    expect(foldLine('x'.repeat(80)).split('\r\n ')).toHaveLength(2);
  });
});

describe('visit bookings', () => {
  let dir: string;
  let calendarFile: string;
  let service: VisitService;
  let journal: Journal | undefined;
  const resumeCodes = new Set<string>();

  async function open(calendar: VisitCalendar, random?: { int(min: number, max: number): number; uuid(): string }) {
    await writeFile(calendarFile, JSON.stringify(calendar));
    service = await VisitService.open({
      // The bookings' collection as the store opens it, without the rest of the store.
      store: { openCollection: async (fileName, name) => CollectionFile.open(dir, fileName, name, { journal: (journal ??= await Journal.open(dir)) }) },
      calendarFile, timeZone: 'Asia/Shanghai', today: () => '2026-11-28',
      complaints: { findByResumeCode: async (code) => (resumeCodes.has(code) ? ({ id: 'x' } as never) : undefined) },
      ...(random ? { random } : {}),
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visits-'));
    calendarFile = path.join(dir, 'calendar.json');
  });
  afterEach(async () => {
    await service.close();
    await journal?.close();
    journal = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const visit = (slot: { date: string; slotId: string }) => ({ slot, reason: 'age' as const, address: '天津市北辰区果园新村街道1号', phone: '13812345678', locale: 'zh-CN' as const });

  it('50 filers booking the last place at once: exactly one gets it, the others get the next slots', async () => {
    const calendar = reference();
    calendar.teams = [calendar.teams[0]!];
    await open(calendar);
    const first = { date: '2026-11-30', slotId: 'am' };
    const results = await Promise.all(Array.from({ length: 50 }, () => service.book(visit(first))));
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) {
      expect(r.ok === false && r.alternatives.map(slotKey)).toEqual(['2026-11-30|pm', '2026-12-01|am', '2026-12-01|pm']);
    }
    expect((await service.forDay('2026-11-30')).filter((b) => b.slotId === 'am')).toHaveLength(1);
  });

  it('codes are six digits and never a resume code', async () => {
    const draws = [111111, 111111, 222222];
    resumeCodes.add('111111');
    await open(reference(), { int: () => draws.shift() ?? 333333, uuid: () => `id-${Math.random()}` });
    const r = await service.book(visit({ date: '2026-11-30', slotId: 'am' }));
    expect(r.ok && r.booking.code).toBe('222222');
    expect(r.ok && r.booking.start).toBe('2026-11-30T09:00:00+08:00');
  });

  it('cancel frees the slot; move keeps the code and frees the old slot', async () => {
    const calendar = reference();
    calendar.teams = [calendar.teams[0]!];
    await open(calendar);
    const a = await service.book(visit({ date: '2026-11-30', slotId: 'am' }));
    if (!a.ok) throw new Error('not booked');
    expect((await service.book(visit({ date: '2026-11-30', slotId: 'am' }))).ok).toBe(false);
    expect(await service.cancel(a.booking.code)).toMatchObject({ status: 'cancelled' });
    const b = await service.book(visit({ date: '2026-11-30', slotId: 'am' }));
    if (!b.ok) throw new Error('not booked');
    const moved = await service.move(b.booking.code, { date: '2026-12-02', slotId: 'pm' });
    expect(moved?.ok && moved.booking).toMatchObject({ code: b.booking.code, date: '2026-12-02', slotId: 'pm' });
    expect((await service.book(visit({ date: '2026-11-30', slotId: 'am' }))).ok).toBe(true);
    expect(await service.cancel('000000')).toBeUndefined();
  });

  it('assigns teams, marks outcomes, exports the day and updates the calendar atomically', async () => {
    await open(reference());
    const r = await service.book({ ...visit({ date: '2026-11-30', slotId: 'am' }), reason: 'other' });
    if (!r.ok) throw new Error('not booked');
    expect(r.booking.needsReview).toBe(true);
    await expect(service.assign(r.booking.id, 'team-9')).rejects.toThrow(/no such team/);
    expect(await service.assign(r.booking.id, 'team-2')).toMatchObject({ teamId: 'team-2', needsReview: false });
    const ics = await service.dayCalendar('2026-11-30', 'zh-CN');
    expect(ics).toContain(`UID:${r.booking.id}@visits.court-assistant`);
    expect(await service.finish(r.booking.id, 'failed', '家里没人')).toMatchObject({ status: 'failed', outcomeNote: '家里没人' });
    const changed = reference();
    changed.visitsPerTeam = 2;
    await service.updateCalendar(changed);
    expect(JSON.parse(await readFile(calendarFile, 'utf8')).visitsPerTeam).toBe(2);
    const broken = { ...changed, weekdays: [9] };
    await expect(service.updateCalendar(broken)).rejects.toThrow(/weekdays/);
    expect(service.calendar.visitsPerTeam).toBe(2);
  });
});
