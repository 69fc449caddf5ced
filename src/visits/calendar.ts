import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Locale, Localized } from '../i18n.js';

/**
 * The court's home-visit capacity (data/reference/visits.json): which days and hours the
 * visiting teams go out, how many teams there are, where the court serves, and where it
 * sends everyone else. Checked whole at start-up and on every admin edit.
 */
export interface VisitSlotDef {
  id: string;
  /** 'HH:MM' in the court's time zone. */
  start: string;
  end: string;
  /** How the part of the day is said: 上午 / morning. */
  name: Localized;
}

export interface VisitTeam {
  id: string;
  name: Localized;
}

export interface ServedArea {
  /** The district, street or town as filers say it; the first zh-CN name is shown. */
  names: Localized<string[]>;
}

export interface Referral {
  /** Words in an address that mean "this other court serves it". */
  names: Localized<string[]>;
  /** The court or service to use instead, said to the filer. */
  court: Localized;
  phone?: string;
}

export interface VisitCalendar {
  version: 1;
  /** ISO weekdays the teams go out, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  slots: VisitSlotDef[];
  teams: VisitTeam[];
  /** Visits one team can make in one slot. */
  visitsPerTeam: number;
  /** Booking window: from `minDaysAhead` days after today up to `maxDaysAhead`. */
  minDaysAhead: number;
  maxDaysAhead: number;
  /** 'YYYY-MM-DD' days without visits (public holidays). */
  holidays: string[];
  /** 'YYYY-MM-DD' weekend days worked instead (调休). */
  extraWorkdays: string[];
  areas: { served: ServedArea[]; elsewhere: Referral[]; fallback: Localized };
}

export class VisitCalendarError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`Home-visit calendar ${file}: ${problem}. Fix the file and start again.`);
    this.name = 'VisitCalendarError';
  }
}

const localized = z.object({ 'zh-CN': z.string().trim().min(1), 'en-US': z.string().trim().min(1) }).strict();
const names = z.object({ 'zh-CN': z.array(z.string().trim().min(1)).min(1), 'en-US': z.array(z.string().trim().min(1)) }).strict();
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as "09:00"');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as "2026-10-01"').refine(realDay, 'is not a real date');
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and dashes');

const schema = z.object({
  version: z.literal(1),
  weekdays: z.array(z.number().int().min(1).max(7)).min(1),
  slots: z.array(z.object({ id, start: time, end: time, name: localized }).strict()).min(1),
  teams: z.array(z.object({ id, name: localized }).strict()).min(1),
  visitsPerTeam: z.number().int().min(1).max(10),
  minDaysAhead: z.number().int().min(0).max(30),
  maxDaysAhead: z.number().int().min(1).max(180),
  holidays: z.array(day),
  extraWorkdays: z.array(day).default([]),
  areas: z.object({
    served: z.array(z.object({ names }).strict()).min(1),
    elsewhere: z.array(z.object({ names, court: localized, phone: z.string().regex(/^[0-9+-]{3,20}$/).optional() }).strict()),
    fallback: localized,
  }).strict(),
}).strict();

function realDay(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Checks a parsed calendar; throws VisitCalendarError naming `file`, the place and the problem. */
export function validateCalendar(raw: unknown, file: string): VisitCalendar {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new VisitCalendarError(file, `${where}: ${issue.message}`);
  }
  const calendar = parsed.data as VisitCalendar;
  const unique = (values: string[], what: string) => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) throw new VisitCalendarError(file, `${what} "${v}" appears twice`);
      seen.add(v);
    }
  };
  unique(calendar.slots.map((s) => s.id), 'slot id');
  unique(calendar.teams.map((t) => t.id), 'team id');
  calendar.slots.forEach((slot, i) => {
    if (slot.end <= slot.start) throw new VisitCalendarError(file, `slots.${i}: end ${slot.end} is not after start ${slot.start}`);
  });
  const sorted = [...calendar.slots].sort((a, b) => a.start.localeCompare(b.start));
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i]!.start < sorted[i - 1]!.end) throw new VisitCalendarError(file, `slots "${sorted[i - 1]!.id}" and "${sorted[i]!.id}" overlap`);
  }
  if (calendar.maxDaysAhead < calendar.minDaysAhead) {
    throw new VisitCalendarError(file, `maxDaysAhead (${calendar.maxDaysAhead}) is before minDaysAhead (${calendar.minDaysAhead})`);
  }
  // A name both served and sent elsewhere would make the answer depend on list order.
  const served = new Set(calendar.areas.served.flatMap((a) => [...a.names['zh-CN'], ...a.names['en-US']].map(areaKey)));
  for (const ref of calendar.areas.elsewhere) {
    for (const n of [...ref.names['zh-CN'], ...ref.names['en-US']]) {
      if (served.has(areaKey(n))) throw new VisitCalendarError(file, `area "${n}" is both served and sent elsewhere`);
    }
  }
  return calendar;
}

/** Reads and checks the calendar file; any problem stops start-up with the file's name. */
export function loadCalendarFile(file: string): VisitCalendar {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VisitCalendarError(file, `could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new VisitCalendarError(file, `is not valid JSON (${(error as Error).message})`);
  }
  return validateCalendar(raw, file);
}

function areaKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s-]+/g, '');
}

export type AreaAnswer =
  | { served: true; area: string }
  | { served: false; referral: Referral }
  | { served: false; referral?: undefined; fallback: Localized }
  | { served: 'unknown' };

/**
 * Whether the court's teams go to this address. Another Tianjin district names its own
 * court; an address that names none of the known places is 'unknown' (ask for the district).
 */
export function areaOf(calendar: VisitCalendar, address: string): AreaAnswer {
  const key = areaKey(address);
  for (const area of calendar.areas.served) {
    const hit = [...area.names['zh-CN'], ...area.names['en-US']].find((n) => key.includes(areaKey(n)));
    if (hit) return { served: true, area: area.names['zh-CN'][0]! };
  }
  for (const referral of calendar.areas.elsewhere) {
    if ([...referral.names['zh-CN'], ...referral.names['en-US']].some((n) => key.includes(areaKey(n)))) return { served: false, referral };
  }
  // A province or city named outright that is not ours: the fallback, not "which district?".
  if (/省|自治区|[^天津]市/u.test(address) && !/天津/u.test(address)) return { served: false, fallback: calendar.areas.fallback };
  return { served: 'unknown' };
}

/** A visit slot on one day: `2026-12-01|am`. */
export interface SlotRef {
  date: string;
  slotId: string;
}

export function slotKey(ref: SlotRef): string {
  return `${ref.date}|${ref.slotId}`;
}

export function parseSlotKey(key: string): SlotRef | null {
  const m = /^(\d{4}-\d{2}-\d{2})\|([a-z0-9-]+)$/.exec(key);
  return m ? { date: m[1]!, slotId: m[2]! } : null;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** ISO weekday of a 'YYYY-MM-DD', 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return w === 0 ? 7 : w;
}

export function isVisitDay(calendar: VisitCalendar, date: string): boolean {
  if (calendar.holidays.includes(date)) return false;
  return calendar.extraWorkdays.includes(date) || calendar.weekdays.includes(weekdayOf(date));
}

/** Every slot in the booking window, earliest first. */
export function slotsInWindow(calendar: VisitCalendar, today: string): SlotRef[] {
  const out: SlotRef[] = [];
  const slots = [...calendar.slots].sort((a, b) => a.start.localeCompare(b.start));
  for (let n = Math.max(calendar.minDaysAhead, 0); n <= calendar.maxDaysAhead; n += 1) {
    const date = addDays(today, n);
    if (!isVisitDay(calendar, date)) continue;
    for (const slot of slots) out.push({ date, slotId: slot.id });
  }
  return out;
}

export function capacityOf(calendar: VisitCalendar): number {
  return calendar.teams.length * calendar.visitsPerTeam;
}

/** The offset of `timeZone` at that wall-clock moment, '+08:00'. */
function offsetAt(date: string, hhmm: string, timeZone: string): string {
  const guess = new Date(`${date}T${hhmm}:00Z`);
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(guess).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(part);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** The slot's start and end as ISO times with the court's offset (CONTRACT §3 channelData.visit). */
export function slotTimes(calendar: VisitCalendar, ref: SlotRef, timeZone: string): { start: string; end: string } | null {
  const def = calendar.slots.find((s) => s.id === ref.slotId);
  if (!def) return null;
  return {
    start: `${ref.date}T${def.start}:00${offsetAt(ref.date, def.start, timeZone)}`,
    end: `${ref.date}T${def.end}:00${offsetAt(ref.date, def.end, timeZone)}`,
  };
}

const ZH_WEEKDAYS = ['', '一', '二', '三', '四', '五', '六', '日'];
const EN_WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A slot in the words people use: 明天上午, 下周二下午, 12月15日（星期二）上午 /
 * tomorrow morning, next Tuesday afternoon, Tuesday 15 December, morning. The hours follow.
 */
export function slotWords(calendar: VisitCalendar, ref: SlotRef, today: string, locale: Locale): string {
  const def = calendar.slots.find((s) => s.id === ref.slotId);
  const part = def?.name[locale] ?? ref.slotId;
  const hours = def ? `${def.start}–${def.end}` : '';
  const diff = Math.round((Date.parse(`${ref.date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  const wd = weekdayOf(ref.date);
  const thisMonday = addDays(today, 1 - weekdayOf(today));
  const weekDiff = Math.floor((Date.parse(`${ref.date}T00:00:00Z`) - Date.parse(`${thisMonday}T00:00:00Z`)) / (7 * 86_400_000));
  const [, month, dayOfMonth] = ref.date.split('-').map(Number) as [number, number, number];
  if (locale === 'zh-CN') {
    const dayWords = diff === 0 ? '今天' : diff === 1 ? '明天' : diff === 2 ? '后天'
      : weekDiff === 0 ? `本周${ZH_WEEKDAYS[wd]}` : weekDiff === 1 ? `下周${ZH_WEEKDAYS[wd]}`
        : `${month}月${dayOfMonth}日（星期${ZH_WEEKDAYS[wd]}）`;
    return `${dayWords}${part}（${hours}）`;
  }
  const dayWords = diff === 0 ? 'today' : diff === 1 ? 'tomorrow'
    : weekDiff === 0 ? `this ${EN_WEEKDAYS[wd]}` : weekDiff === 1 ? `next ${EN_WEEKDAYS[wd]}`
      : `${EN_WEEKDAYS[wd]} ${dayOfMonth} ${EN_MONTHS[month - 1]}`;
  return `${dayWords} ${part} (${hours})`;
}
