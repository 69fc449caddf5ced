import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { ComplaintBot } from '../../src/bot/bot.js';
import { HandoffDesk, handoffWords } from '../../src/bot/handoff-desk.js';
import type { BotServices } from '../../src/bot/services.js';
import { PersistentHandoffService, type HandoffRecord } from '../../src/handoff/index.js';
import { loadSpecs } from '../../src/interview/spec.js';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { VisitService } from '../../src/visits/service.js';

export interface BotHarness {
  dir: string;
  store: Store;
  services: BotServices;
  handoff: PersistentHandoffService;
  visits: VisitService;
  /** What the queue sent to filers outside their turns (the channel's proactive path). */
  delivered: { record: HandoffRecord; activity: Partial<Activity> }[];
  returned: { record: HandoffRecord; field?: string }[];
  bot(): ComplaintBot;
  adapter(locale?: string, bot?: ComplaintBot): TestAdapter;
  close(): Promise<void>;
}

/** The real bot, store and queue over a temporary folder, for botbuilder's TestAdapter. */
export async function botHarness(options: { today?: string; officeOpen?: boolean; visitsCalendar?: string } = {}): Promise<BotHarness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bot-dialogs-'));
  const store = await openStore(dir);
  const specs = loadSpecs(path.resolve(import.meta.dirname, '../../dialogs'));
  const today = () => options.today ?? '2026-11-28';
  const delivered: BotHarness['delivered'] = [];
  const returned: BotHarness['returned'] = [];
  const handoff = await PersistentHandoffService.open(store, {
    complaints: store.complaints,
    words: handoffWords(specs.messages),
    deliver: async (record, activity) => {
      delivered.push({ record, activity });
    },
    returnToBot: async (record, field) => {
      returned.push({ record, field });
    },
  });
  const visits = await VisitService.open({
    store,
    calendarFile: options.visitsCalendar ?? path.resolve(import.meta.dirname, '../../data/reference/visits.json'),
    timeZone: 'Asia/Shanghai',
    today,
    complaints: store.complaints,
  });
  const clerk = { phone: '022-12368000', hours: { 'zh-CN': '工作日', 'en-US': 'weekdays' } };
  const services: BotServices = {
    complaints: store.complaints,
    files: store.files,
    specs,
    cases: new Map(specs.cases.map((c) => [c.caseType, c])),
    today,
    clerk,
    visits,
    handoff: new HandoffDesk({ service: handoff, complaints: store.complaints, messages: specs.messages, clerk, today, officeOpen: () => options.officeOpen ?? true }),
    async finishComplaint(id) {
      const record = await store.complaints.update(id, (r) => {
        r.status = 'finished';
        r.documentToken = 'test-token';
      });
      return { record, documentUrl: `http://court.test/documents/${record.documentToken}/complaint.html` };
    },
  };
  let conversations = 0;
  const harness: BotHarness = {
    dir, store, services, handoff, visits, delivered, returned,
    bot: () => new ComplaintBot(store.botStorage, services, createLogger('silent')),
    // Each adapter is its own conversation (TestAdapter would otherwise reuse one id).
    adapter: (locale = 'zh-CN', bot = harness.bot()) =>
      new TestAdapter((context) => bot.run(context), { locale, conversation: { id: `conversation-${(conversations += 1)}`, isGroup: false, conversationType: 'personal', name: '' } }),
    async close() {
      await handoff.close();
      await visits.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function askOf(activity: Partial<Activity>) {
  return (activity.channelData as { ask?: { field: string; type: string; index?: number; choices?: { value: string; dtmf: string }[] } } | undefined)?.ask;
}
