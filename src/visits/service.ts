import { randomInt, randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locale } from '../i18n.js';
import type { Collection, ComplaintRepository, Store } from '../store/types.js';
import {
  capacityOf, loadCalendarFile, slotKey, slotsInWindow, slotTimes, slotWords, validateCalendar,
  type SlotRef, type VisitCalendar,
} from './calendar.js';
import type { VisitReason } from './eligibility.js';
import { toICalendar, type IcsEvent } from './ical.js';

export const VISITS_FILE = 'visits.json';

export type VisitStatus = 'booked' | 'cancelled' | 'done' | 'failed';

/** One booked home visit. Holds personal data: kept in DATA_DIR, never logged. */
export interface VisitBooking {
  id: string;
  /** Six digits the filer uses to cancel or move the visit; never equal to a resume code. */
  code: string;
  date: string;
  slotId: string;
  /** ISO times with the court's offset. */
  start: string;
  end: string;
  status: VisitStatus;
  reason: VisitReason;
  /** No listed reason applies: a clerk decides whether the court visits. */
  needsReview: boolean;
  address: string;
  landmark?: string;
  phone: string;
  locale: Locale;
  /** The draft the visiting clerks take with them. */
  complaintId?: string;
  teamId?: string;
  /** Why a visit failed (a clerk's words). */
  outcomeNote?: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewVisit {
  slot: SlotRef;
  reason: VisitReason;
  address: string;
  landmark?: string;
  phone: string;
  locale: Locale;
  complaintId?: string;
}

export type BookingResult =
  | { ok: true; booking: VisitBooking }
  /** The slot filled up (or left the window) meanwhile; the next free ones instead. */
  | { ok: false; alternatives: SlotRef[] };

export class VisitError extends Error {
  constructor(readonly code: 'not-found' | 'not-active' | 'unknown-team' | 'team-full', message: string) {
    super(message);
    this.name = 'VisitError';
  }
}

const HOLDS_SLOT: ReadonlySet<VisitStatus> = new Set(['booked', 'done', 'failed']);
const CODE_ATTEMPTS = 50;

export interface VisitServiceOptions {
  /** Bookings hold addresses and phone numbers: they are opened through the store, sealed with DATA_KEY. */
  store: Pick<Store, 'openCollection'>;
  /** data/reference/visits.json: read at start-up, rewritten by an admin's edit. */
  calendarFile: string;
  timeZone: string;
  today(): string;
  /** Codes must not collide with resume codes. */
  complaints: Pick<ComplaintRepository, 'findByResumeCode'>;
  now?: () => Date;
  random?: { int(min: number, max: number): number; uuid(): string };
}

/**
 * Bookings and the calendar. Every change that takes or frees a slot runs in one queue, so
 * two filers can never both get the last place, whatever the timing.
 */
export class VisitService {
  #calendar: VisitCalendar;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #file: Collection<VisitBooking>;
  readonly #options: VisitServiceOptions;
  readonly #now: () => Date;
  readonly #random: { int(min: number, max: number): number; uuid(): string };

  private constructor(calendar: VisitCalendar, file: Collection<VisitBooking>, options: VisitServiceOptions) {
    this.#calendar = calendar;
    this.#file = file;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? { int: (min, max) => randomInt(min, max), uuid: () => randomUUID() };
  }

  /** Loads the calendar (VisitCalendarError stops start-up) and the bookings. */
  static async open(options: VisitServiceOptions): Promise<VisitService> {
    const calendar = loadCalendarFile(options.calendarFile);
    const file = await options.store.openCollection<VisitBooking>(VISITS_FILE, 'visits');
    return new VisitService(calendar, file, options);
  }

  get calendar(): VisitCalendar {
    return this.#calendar;
  }

  get timeZone(): string {
    return this.#options.timeZone;
  }

  today(): string {
    return this.#options.today();
  }

  #locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #taken(ref: SlotRef, except?: string): number {
    let n = 0;
    for (const b of this.#file.values()) {
      if (b.id !== except && HOLDS_SLOT.has(b.status) && b.date === ref.date && b.slotId === ref.slotId) n += 1;
    }
    return n;
  }

  #isOpen(ref: SlotRef, except?: string): boolean {
    const inWindow = slotsInWindow(this.#calendar, this.today()).some((s) => slotKey(s) === slotKey(ref));
    return inWindow && this.#taken(ref, except) < capacityOf(this.#calendar);
  }

  /** The next `count` slots with room, earliest first, leaving out `skip` (slot keys). */
  freeSlots(count: number, skip: string[] = [], except?: string): SlotRef[] {
    const capacity = capacityOf(this.#calendar);
    const skipped = new Set(skip);
    return slotsInWindow(this.#calendar, this.today())
      .filter((s) => !skipped.has(slotKey(s)) && this.#taken(s, except) < capacity)
      .slice(0, count);
  }

  slotWords(ref: SlotRef, locale: Locale): string {
    return slotWords(this.#calendar, ref, this.today(), locale);
  }

  async #newCode(): Promise<string> {
    const used = new Set([...this.#file.values()].map((b) => b.code));
    for (let i = 0; i < CODE_ATTEMPTS; i += 1) {
      const code = String(this.#random.int(0, 1_000_000)).padStart(6, '0');
      if (used.has(code)) continue;
      // A visit code said at the case question must not open someone's draft, and back.
      if (await this.#options.complaints.findByResumeCode(code)) continue;
      return code;
    }
    throw new Error('could not find a free visit code');
  }

  book(input: NewVisit): Promise<BookingResult> {
    return this.#locked(async () => {
      const times = slotTimes(this.#calendar, input.slot, this.timeZone);
      if (!times || !this.#isOpen(input.slot)) return { ok: false, alternatives: this.freeSlots(3, [slotKey(input.slot)]) };
      const code = await this.#newCode();
      const at = this.#now().toISOString();
      const booking: VisitBooking = {
        id: this.#random.uuid(),
        code,
        date: input.slot.date,
        slotId: input.slot.slotId,
        ...times,
        status: 'booked',
        reason: input.reason,
        needsReview: input.reason === 'other',
        address: input.address,
        ...(input.landmark ? { landmark: input.landmark } : {}),
        phone: input.phone,
        locale: input.locale,
        ...(input.complaintId ? { complaintId: input.complaintId } : {}),
        createdAt: at,
        updatedAt: at,
      };
      this.#file.set(booking.id, booking);
      await this.#file.commit();
      return { ok: true, booking: { ...booking } };
    });
  }

  /** A booking still to happen, by the filer's code. */
  async findByCode(code: string): Promise<VisitBooking | undefined> {
    const found = [...this.#file.values()].find((b) => b.code === code && b.status === 'booked');
    return found ? { ...found } : undefined;
  }

  async get(id: string): Promise<VisitBooking | undefined> {
    const found = this.#file.get(id);
    return found ? { ...found } : undefined;
  }

  cancel(code: string): Promise<VisitBooking | undefined> {
    return this.#locked(async () => {
      const booking = [...this.#file.values()].find((b) => b.code === code && b.status === 'booked');
      if (!booking) return undefined;
      booking.status = 'cancelled';
      booking.updatedAt = this.#now().toISOString();
      await this.#file.commit();
      return { ...booking };
    });
  }

  /** Moves a booking to another slot; the code stays, the old slot is freed. */
  move(code: string, slot: SlotRef): Promise<BookingResult | undefined> {
    return this.#locked(async () => {
      const booking = [...this.#file.values()].find((b) => b.code === code && b.status === 'booked');
      if (!booking) return undefined;
      const times = slotTimes(this.#calendar, slot, this.timeZone);
      if (!times || !this.#isOpen(slot, booking.id)) {
        return { ok: false, alternatives: this.freeSlots(3, [slotKey(slot), slotKey(booking)], booking.id) } satisfies BookingResult;
      }
      booking.date = slot.date;
      booking.slotId = slot.slotId;
      booking.start = times.start;
      booking.end = times.end;
      // A new time may not suit the team that had the old one.
      delete booking.teamId;
      booking.updatedAt = this.#now().toISOString();
      await this.#file.commit();
      return { ok: true, booking: { ...booking } } satisfies BookingResult;
    });
  }

  /** A day's visits (all statuses), by slot time. */
  async forDay(date: string): Promise<VisitBooking[]> {
    return [...this.#file.values()].filter((b) => b.date === date).map((b) => ({ ...b })).sort((a, b) => a.start.localeCompare(b.start));
  }

  /** Sends a team; assigning also settles a booking that waited for a clerk's decision. */
  assign(id: string, teamId: string): Promise<VisitBooking> {
    return this.#locked(async () => {
      const booking = this.#active(id);
      if (!this.#calendar.teams.some((t) => t.id === teamId)) throw new VisitError('unknown-team', 'no such team');
      const load = [...this.#file.values()].filter((b) => b.id !== id && b.teamId === teamId && b.date === booking.date && b.slotId === booking.slotId && HOLDS_SLOT.has(b.status)).length;
      if (load >= this.#calendar.visitsPerTeam) throw new VisitError('team-full', 'this team is full in this slot');
      booking.teamId = teamId;
      booking.needsReview = false;
      booking.updatedAt = this.#now().toISOString();
      await this.#file.commit();
      return { ...booking };
    });
  }

  /** After the visit: done, or failed with the clerk's reason (nobody home, wrong address …). */
  finish(id: string, outcome: 'done' | 'failed', note?: string): Promise<VisitBooking> {
    return this.#locked(async () => {
      const booking = this.#active(id);
      booking.status = outcome;
      if (note) booking.outcomeNote = note;
      booking.updatedAt = this.#now().toISOString();
      await this.#file.commit();
      return { ...booking };
    });
  }

  /** A clerk cancels (the filer phoned, or the court cannot go): the slot is freed. */
  cancelById(id: string, note?: string): Promise<VisitBooking> {
    return this.#locked(async () => {
      const booking = this.#active(id);
      booking.status = 'cancelled';
      if (note) booking.outcomeNote = note;
      booking.updatedAt = this.#now().toISOString();
      await this.#file.commit();
      return { ...booking };
    });
  }

  #active(id: string): VisitBooking {
    const booking = this.#file.get(id);
    if (!booking) throw new VisitError('not-found', 'no such visit');
    if (booking.status !== 'booked') throw new VisitError('not-active', 'this visit is no longer booked');
    return booking;
  }

  /**
   * An admin's new calendar: checked whole (VisitCalendarError names the problem), written
   * to a temporary file and renamed over the old one, so a crash never leaves half a file.
   */
  updateCalendar(raw: unknown): Promise<VisitCalendar> {
    return this.#locked(async () => {
      const file = this.#options.calendarFile;
      const calendar = validateCalendar(raw, path.basename(file));
      const temp = `${file}.${process.pid}.${this.#random.uuid()}.tmp`;
      await writeFile(temp, `${JSON.stringify(calendar, null, 2)}\n`, { encoding: 'utf8' });
      await rename(temp, file);
      this.#calendar = calendar;
      return calendar;
    });
  }

  /** The day's schedule for the teams' calendars (text/calendar). */
  async dayCalendar(date: string, locale: Locale): Promise<string> {
    const visits = (await this.forDay(date)).filter((b) => b.status !== 'cancelled');
    const team = (id?: string) => this.#calendar.teams.find((t) => t.id === id)?.name[locale];
    const events: IcsEvent[] = visits.map((b) => {
      const zh = locale === 'zh-CN';
      const summary = `${zh ? '上门立案' : 'Home visit'}${team(b.teamId) ? ` – ${team(b.teamId)}` : ''}`;
      const lines = [
        `${zh ? '电话' : 'Phone'}: ${b.phone}`,
        ...(b.landmark ? [`${zh ? '标志物' : 'Landmark'}: ${b.landmark}`] : []),
        ...(b.complaintId ? [`${zh ? '起诉状草稿' : 'Draft complaint'}: ${b.complaintId}`] : []),
        ...(b.needsReview ? [zh ? '待工作人员审核是否上门' : 'A clerk still has to decide on this visit'] : []),
      ];
      return {
        uid: `${b.id}@visits.court-assistant`,
        start: b.start,
        end: b.end,
        summary,
        location: b.address,
        description: lines.join('\n'),
        status: b.needsReview ? 'TENTATIVE' : 'CONFIRMED',
      };
    });
    return toICalendar(events, { name: `${locale === 'zh-CN' ? '上门立案' : 'Home visits'} ${date}`, now: this.#now() });
  }

  /** The bookings made with a draft, any status (retention decides with them). */
  async forComplaint(complaintId: string): Promise<VisitBooking[]> {
    return [...this.#file.values()].filter((b) => b.complaintId === complaintId).map((b) => ({ ...b }));
  }

  /** Deletes every booking made with a draft (retention); in the queue, so no booking change is half done. */
  removeForComplaint(complaintId: string): Promise<number> {
    return this.#locked(async () => {
      let removed = 0;
      for (const b of [...this.#file.values()]) {
        if (b.complaintId === complaintId && this.#file.delete(b.id)) removed += 1;
      }
      if (removed > 0) await this.#file.commit();
      return removed;
    });
  }

  close(): Promise<void> {
    return this.#queue.then(() => this.#file.close());
  }
}
