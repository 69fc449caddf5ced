/**
 * Retention with an injected clock, over a real store, handoff queue and visit bookings in a
 * temporary folder: which records go, which stay, and what goes with them.
 */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type StoreItem } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentHandoffService } from '../../src/handoff/index.js';
import { judgeRetention, RetentionService, type RetentionPolicy } from '../../src/retention/index.js';
import { openStore } from '../../src/store/index.js';
import type { AuditEvent, BotStorage, ComplaintRecord, Store } from '../../src/store/types.js';
import { VisitService } from '../../src/visits/service.js';

const DAY = 86_400_000;
const POLICY: RetentionPolicy = { draftDays: 30, archivedDays: 365 };
/** "Now" for the purge: a Saturday, so the reference calendar's next slot is Monday 2026-11-30. */
const NOW = new Date('2026-11-28T04:00:00Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * DAY);
const REFERENCE_CALENDAR = path.resolve(import.meta.dirname, '../../data/reference/visits.json');

/** Conversation state the way the bot stores it, in memory, with the search the store offers. */
class SearchableMemoryStorage extends MemoryStorage implements BotStorage {
  async findKeys(match: (item: StoreItem) => boolean): Promise<string[]> {
    return Object.entries(this.memory).filter(([, json]) => match(JSON.parse(json) as StoreItem)).map(([key]) => key);
  }
}

const silent = { info() {}, error() {} };

let dir: string;
let clock: Date;
let store: Store;
let handoffs: PersistentHandoffService;
let visits: VisitService;
let conversations: SearchableMemoryStorage;
let retention: RetentionService;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'retention-'));
  clock = NOW;
  const now = () => clock;
  store = await openStore(dir, { now });
  handoffs = await PersistentHandoffService.open(store, {
    complaints: store.complaints,
    // Nobody is connected in these tests; the queue has no filer to reach.
    deliver: async () => {},
    returnToBot: async () => {},
    words: { accepted: () => ({}), fromClerk: () => ({}), givenBack: () => ({}), completed: () => ({}) },
    now,
  });
  const calendarFile = path.join(dir, 'visits-calendar.json');
  await copyFile(REFERENCE_CALENDAR, calendarFile);
  visits = await VisitService.open({
    store, calendarFile, timeZone: 'Asia/Shanghai', today: () => '2026-11-28', complaints: store.complaints, now,
  });
  conversations = new SearchableMemoryStorage();
  retention = new RetentionService({
    complaints: store.complaints, files: store.files, audit: store.audit, forgetDeleted: () => store.forgetDeleted(), handoffs, visits, conversations, policy: POLICY, log: silent, now: () => NOW,
  });
});

afterEach(async () => {
  await retention.stop();
  await Promise.all([handoffs.close(), visits.close()]);
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A draft last answered `days` ago. */
async function draftFrom(days: number): Promise<ComplaintRecord> {
  clock = daysBefore(days);
  const record = await store.complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
  const updated = await store.complaints.update(record.id, (r) => {
    r.answers['plaintiff.name'] = '张三';
  });
  clock = NOW;
  return updated;
}

/** A complaint finished `days` ago, then filed or archived on that day when asked. */
async function complaintFrom(days: number, status: 'finished' | 'filed' | 'archived'): Promise<ComplaintRecord> {
  const record = await draftFrom(days);
  clock = daysBefore(days);
  const changed = await store.complaints.update(record.id, (r) => {
    r.status = status;
    r.finishedAt = clock.toISOString();
    if (status === 'archived') r.archivedAt = clock.toISOString();
  });
  clock = NOW;
  return changed;
}

async function withEvidence(record: ComplaintRecord): Promise<string> {
  clock = new Date(record.updatedAt);
  const file = await store.files.save({ bytes: Buffer.from('%PDF-1.4 IOU'), contentType: 'application/pdf', name: '借条.pdf' });
  await store.complaints.update(record.id, (r) => {
    r.evidence = [{ fileId: file.id, name: file.name, contentType: file.contentType, size: file.size, addedAt: file.savedAt }];
  });
  clock = NOW;
  return file.id;
}

async function handoffFor(record: ComplaintRecord, conversationId: string, at: Date) {
  clock = at;
  const { record: handoff } = await handoffs.request({
    conversationId, channelId: 'directline', reference: {}, complaintId: record.id, locale: 'zh-CN', priority: 'normal', reason: 'asked',
    transcript: [{ from: 'filer', text: '我叫张三', at: at.toISOString() }],
  });
  clock = NOW;
  return handoff;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

async function purgeEvents(): Promise<AuditEvent[]> {
  return (await store.audit.list({ actor: 'system' })).events;
}

describe('retention rules', () => {
  it('purges a draft untouched for RETENTION_DRAFT_DAYS with its evidence, and writes one audit event without data', async () => {
    const old = await draftFrom(31);
    const fileId = await withEvidence(old);
    const fresh = await draftFrom(29);
    expect(await exists(path.join(dir, 'uploads', fileId))).toBe(true);

    expect(await retention.runOnce()).toEqual({ draftsPurged: 1, archivedPurged: 0 });
    expect(await store.complaints.get(old.id)).toBeUndefined();
    expect(await store.complaints.get(fresh.id)).toBeDefined();
    expect(await exists(path.join(dir, 'uploads', fileId))).toBe(false);
    expect(await exists(path.join(dir, 'uploads', `${fileId}.json`))).toBe(false);
    const events = await purgeEvents();
    expect(events).toEqual([{ at: NOW.toISOString(), actor: 'system', action: 'draft-purged', recordType: 'complaint', recordId: old.id }]);

    // A second run finds nothing more to do and writes nothing.
    expect(await retention.runOnce()).toEqual({ draftsPurged: 0, archivedPurged: 0 });
    expect(await purgeEvents()).toHaveLength(1);
  });

  it('keeps an old draft while its filer waits in the clerk queue, and purges it with its transcript once the handoff is closed', async () => {
    const old = await draftFrom(40);
    const handoff = await handoffFor(old, 'conv-queue', daysBefore(40));
    expect(await retention.runOnce()).toEqual({ draftsPurged: 0, archivedPurged: 0 });
    expect(await store.complaints.get(old.id)).toBeDefined();

    clock = daysBefore(39);
    await handoffs.cancelForConversation('conv-queue');
    clock = NOW;
    expect(await retention.runOnce()).toEqual({ draftsPurged: 1, archivedPurged: 0 });
    expect(await handoffs.get(handoff.id)).toBeUndefined();
    expect(handoffs.summariesFor(old.id)).toEqual([]);
  });

  it('counts a handoff closed recently as activity on the draft', async () => {
    const old = await draftFrom(40);
    await handoffFor(old, 'conv-recent', daysBefore(40));
    clock = daysBefore(3);
    await handoffs.cancelForConversation('conv-recent');
    clock = NOW;
    expect(await retention.runOnce()).toEqual({ draftsPurged: 0, archivedPurged: 0 });
  });

  it('keeps a draft with a home visit still to come, and purges one whose visit was cancelled long ago, bookings and all', async () => {
    const visiting = await draftFrom(60);
    const booked = await visits.book({
      slot: { date: '2026-11-30', slotId: 'am' }, reason: 'age', address: '天津市北辰区果园新村街道1号', phone: '13812345678', locale: 'zh-CN', complaintId: visiting.id,
    });
    expect(booked.ok).toBe(true);

    const cancelled = await draftFrom(60);
    clock = daysBefore(59);
    const other = await visits.book({
      slot: { date: '2026-11-30', slotId: 'pm' }, reason: 'age', address: '天津市北辰区果园新村街道2号', phone: '13812345679', locale: 'zh-CN', complaintId: cancelled.id,
    });
    if (!other.ok) throw new Error('the second visit was not booked');
    await visits.cancel(other.booking.code);
    clock = NOW;

    expect(await retention.runOnce()).toEqual({ draftsPurged: 1, archivedPurged: 0 });
    expect(await store.complaints.get(visiting.id)).toBeDefined();
    expect(await visits.forComplaint(visiting.id)).toHaveLength(1);
    expect(await store.complaints.get(cancelled.id)).toBeUndefined();
    expect(await visits.forComplaint(cancelled.id)).toEqual([]);
    expect(await visits.get(other.booking.id)).toBeUndefined();
  });

  it('never purges finished or filed complaints, however old; purges archived ones RETENTION_ARCHIVED_DAYS after archiving', async () => {
    const finished = await complaintFrom(3000, 'finished');
    const filed = await complaintFrom(3000, 'filed');
    const archivedLongAgo = await complaintFrom(366, 'archived');
    const fileId = await withEvidence(archivedLongAgo);
    const archivedRecently = await complaintFrom(364, 'archived');

    expect(await retention.runOnce()).toEqual({ draftsPurged: 0, archivedPurged: 1 });
    expect(await store.complaints.get(finished.id)).toBeDefined();
    expect(await store.complaints.get(filed.id)).toBeDefined();
    expect(await store.complaints.get(archivedRecently.id)).toBeDefined();
    expect(await store.complaints.get(archivedLongAgo.id)).toBeUndefined();
    expect(await exists(path.join(dir, 'uploads', fileId))).toBe(false);
    expect((await purgeEvents()).map((e) => `${e.action} ${e.recordId}`)).toEqual([`complaint-purged ${archivedLongAgo.id}`]);
  });

  it('deletes the conversation state that points at a purged draft, and only that', async () => {
    const old = await draftFrom(31);
    const kept = await draftFrom(2);
    await conversations.write({
      'directline/conversations/old/': {
        session: { complaintId: old.id, greeted: true, recent: [{ from: 'filer', text: '我叫张三', at: NOW.toISOString() }] },
      },
      // The interview keeps the id in its dialog state too, deep in the stack.
      'phone/conversations/call-1/': {
        dialogState: { dialogStack: [{ id: 'main', state: { dialogs: { dialogStack: [{ id: 'interview:private-loan', state: { complaintId: old.id } }] } } }] },
      },
      'directline/conversations/kept/': { session: { complaintId: kept.id } },
      'directline/conversations/nobody/': { session: { greeted: true } },
    });
    await retention.runOnce();
    const left = await conversations.read([
      'directline/conversations/old/', 'phone/conversations/call-1/', 'directline/conversations/kept/', 'directline/conversations/nobody/',
    ]);
    expect(Object.keys(left).sort()).toEqual(['directline/conversations/kept/', 'directline/conversations/nobody/']);
  });

  it('leaves a draft alone when the filer came back between the look and the purge', async () => {
    const old = await draftFrom(31);
    // The filer answers while retention is about to purge: the record it read is no longer current.
    const racing = new RetentionService({
      complaints: {
        findIds: (match) => store.complaints.findIds(match),
        get: async (id) => {
          const found = await store.complaints.get(id);
          if (found) await store.complaints.update(id, (r) => { r.answers['plaintiff.phone'] = '13812345678'; });
          return found;
        },
        remove: (id) => store.complaints.remove(id),
      },
      files: store.files, audit: store.audit, forgetDeleted: () => store.forgetDeleted(), handoffs, visits, conversations, policy: POLICY, log: silent, now: () => NOW,
    });
    expect(await racing.runOnce()).toEqual({ draftsPurged: 0, archivedPurged: 0 });
    expect(await store.complaints.get(old.id)).toBeDefined();
  });

  it('works through many drafts in small batches, choosing them with the store\'s own search', async () => {
    const old: ComplaintRecord[] = [];
    for (let i = 0; i < 45; i += 1) old.push(await draftFrom(90));
    const looked: string[] = [];
    const batched = new RetentionService({
      complaints: {
        findIds: async (match) => {
          const ids = (await store.complaints.list()).filter(match).map((r) => r.id);
          looked.push(...ids);
          return ids;
        },
        get: (id) => store.complaints.get(id),
        remove: (id) => store.complaints.remove(id),
      },
      files: store.files, audit: store.audit, forgetDeleted: () => store.forgetDeleted(), handoffs, visits, conversations, policy: POLICY, log: silent, now: () => NOW, batchSize: 7,
    });
    expect(await batched.runOnce()).toEqual({ draftsPurged: old.length, archivedPurged: 0 });
    expect(looked.sort()).toEqual(old.map((r) => r.id).sort());
    expect(await store.complaints.list()).toEqual([]);
    expect(await purgeEvents()).toHaveLength(old.length);
  });

  it('runs at start-up and again on its timer, until stopped', async () => {
    const first = await draftFrom(31);
    const timed = new RetentionService({
      complaints: store.complaints, files: store.files, audit: store.audit, forgetDeleted: () => store.forgetDeleted(), handoffs, visits, conversations, policy: POLICY, log: silent, now: () => NOW, intervalMs: 40,
    });
    timed.start();
    await expect.poll(async () => store.complaints.get(first.id), { timeout: 5_000 }).toBeUndefined();
    const second = await draftFrom(31);
    await expect.poll(async () => store.complaints.get(second.id), { timeout: 5_000 }).toBeUndefined();
    await timed.stop();
    const third = await draftFrom(31);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.complaints.get(third.id)).toBeDefined();
  });
});

describe('judgeRetention', () => {
  const draft = (days: number) => ({ status: 'draft' as const, updatedAt: daysBefore(days).toISOString() });

  it('counts a booked visit as activity until it has happened', () => {
    const visitEnded = (days: number) => ({ status: 'booked' as const, end: daysBefore(days).toISOString(), updatedAt: daysBefore(90).toISOString() });
    expect(judgeRetention(draft(90), { handoffs: [], visits: [visitEnded(10)] }, POLICY, NOW)).toEqual({ purge: false, reason: 'recent' });
    expect(judgeRetention(draft(90), { handoffs: [], visits: [visitEnded(31)] }, POLICY, NOW)).toEqual({ purge: true, action: 'draft-purged' });
    expect(judgeRetention(draft(90), { handoffs: [], visits: [visitEnded(-2)] }, POLICY, NOW)).toEqual({ purge: false, reason: 'future-visit' });
  });

  it('never judges a record with an unreadable time as old', () => {
    expect(judgeRetention({ status: 'draft', updatedAt: 'yesterday' }, { handoffs: [], visits: [] }, POLICY, NOW).purge).toBe(false);
    expect(judgeRetention({ status: 'archived', updatedAt: '' }, { handoffs: [], visits: [] }, POLICY, NOW).purge).toBe(false);
  });

  it('takes the policy as given', () => {
    expect(judgeRetention(draft(8), { handoffs: [], visits: [] }, { draftDays: 7, archivedDays: 1 }, NOW)).toEqual({ purge: true, action: 'draft-purged' });
    expect(judgeRetention(draft(6), { handoffs: [], visits: [] }, { draftDays: 7, archivedDays: 1 }, NOW).purge).toBe(false);
  });
});
