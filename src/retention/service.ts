import type { StoreItem } from 'botbuilder';
import type { PersistentHandoffService } from '../handoff/index.js';
import type { AuditLog, BotStorage, ComplaintRecord, ComplaintRepository, FileStore } from '../store/types.js';
import type { VisitService } from '../visits/service.js';
import { judgeRetention, mayBeDue, type PurgeAction, type RetentionPolicy } from './rules.js';

/** What retention reads and deletes; the composition root passes the real services. */
export interface RetentionDeps {
  complaints: Pick<ComplaintRepository, 'get' | 'remove' | 'findIds'>;
  files: Pick<FileStore, 'remove'>;
  audit: Pick<AuditLog, 'append'>;
  handoffs: Pick<PersistentHandoffService, 'summariesFor' | 'removeClosedFor'>;
  visits?: Pick<VisitService, 'forComplaint' | 'removeForComplaint'>;
  /** Conversation state (bot storage); left alone when the store cannot search it. */
  conversations?: Pick<BotStorage, 'findKeys' | 'delete'>;
  /** After a purge: the store drops what it still holds of deleted records (its journal). */
  forgetDeleted: () => Promise<void>;
  policy: RetentionPolicy;
  log: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  now?: () => Date;
  /** Records looked at closely between two yields to the event loop. */
  batchSize?: number;
  /** Time between runs after the one at start-up. */
  intervalMs?: number;
}

export interface RetentionRun {
  draftsPurged: number;
  archivedPurged: number;
}

const DEFAULT_BATCH_SIZE = 20;
/** Retention counts in days; an hourly look is precise enough and costs one pass over the records. */
const DEFAULT_INTERVAL_MS = 60 * 60 * 1000;
/** Deep enough for the bot's dialog stack (main → flow → interview), bounded against odd shapes. */
const MAX_STATE_DEPTH = 16;

/** Whether a conversation state item names one of the drafts anywhere: the session or a dialog's state. */
function mentionsComplaint(value: unknown, ids: ReadonlySet<string>, depth = 0): boolean {
  if (depth > MAX_STATE_DEPTH || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((entry) => mentionsComplaint(entry, ids, depth + 1));
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'complaintId' && typeof entry === 'string' && ids.has(entry)) return true;
    if (typeof entry === 'object' && mentionsComplaint(entry, ids, depth + 1)) return true;
  }
  return false;
}

function yieldToTurns(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Deletes abandoned drafts and, a while after a clerk archived them, finished complaints: the
 * record, its evidence files, its handoffs with their transcripts, its home-visit bookings and
 * the conversation state that points at it. It runs at start-up and then on a timer, in small
 * batches with a yield between them so that filers' turns are never held up for long.
 */
export class RetentionService {
  readonly #deps: RetentionDeps;
  readonly #now: () => Date;
  readonly #batchSize: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionRun> | undefined;
  #stopping = false;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#batchSize = Math.max(1, deps.batchSize ?? DEFAULT_BATCH_SIZE);
    this.#intervalMs = deps.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Runs once now and then every interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer || this.#stopping) return;
    const tick = () => {
      // A run still going (a large first purge) is not doubled.
      if (this.#running || this.#stopping) return;
      void this.runOnce().catch((error: unknown) => {
        this.#deps.log.error({ errName: (error as Error)?.name }, 'retention run failed');
      });
    };
    this.#timer = setInterval(tick, this.#intervalMs);
    this.#timer.unref();
    tick();
  }

  /** Stops the timer and waits for a run in progress, which ends after its current batch. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One pass over every record, judged as of `at` (now by default). */
  runOnce(at: Date = this.#now()): Promise<RetentionRun> {
    if (this.#running) return this.#running;
    const run = this.#run(at).finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #run(at: Date): Promise<RetentionRun> {
    const { complaints, policy, log } = this.#deps;
    const worthALook = (r: Pick<ComplaintRecord, 'status' | 'updatedAt' | 'archivedAt'>) => mayBeDue(r, policy, at);
    const candidates = await complaints.findIds(worthALook);
    const result: RetentionRun = { draftsPurged: 0, archivedPurged: 0 };
    for (let start = 0; start < candidates.length && !this.#stopping; start += this.#batchSize) {
      await yieldToTurns();
      const due = await this.#dueIn(candidates.slice(start, start + this.#batchSize), at);
      if (due.length === 0) continue;
      // Before the records, as in #purge: a crash half-way leaves records the next run finds again.
      await this.#forgetConversations(new Set(due.map((d) => d.record.id)));
      for (const { record, action } of due) {
        if (!(await this.#purge(record, action))) continue;
        if (action === 'draft-purged') result.draftsPurged += 1;
        else result.archivedPurged += 1;
      }
    }
    if (result.draftsPurged + result.archivedPurged > 0) {
      await this.#deps.forgetDeleted();
      log.info({ ...result }, 'retention: records purged');
    }
    return result;
  }

  async #dueIn(ids: string[], at: Date): Promise<{ record: ComplaintRecord; action: PurgeAction }[]> {
    const { complaints, handoffs, visits, policy } = this.#deps;
    const due: { record: ComplaintRecord; action: PurgeAction }[] = [];
    for (const id of ids) {
      // Read again: the filer may have come back since the list was taken.
      const record = await complaints.get(id);
      if (!record) continue;
      const verdict = judgeRetention(record, {
        handoffs: handoffs.summariesFor(id),
        visits: visits ? await visits.forComplaint(id) : [],
      }, policy, at);
      if (verdict.purge) due.push({ record, action: verdict.action });
    }
    return due;
  }

  /** One scan of the conversation state for the whole batch, not one per draft. */
  async #forgetConversations(ids: ReadonlySet<string>): Promise<void> {
    const conversations = this.#deps.conversations;
    if (!conversations) return;
    const keys = await conversations.findKeys((item: StoreItem) => mentionsComplaint(item, ids));
    if (keys.length > 0) await conversations.delete(keys);
  }

  /**
   * Everything that hangs off the record goes before the record itself: a crash half-way leaves
   * a record that the next run purges again, never files or transcripts nobody points at.
   */
  async #purge(record: ComplaintRecord, action: PurgeAction): Promise<boolean> {
    const { complaints, files, audit, handoffs, visits, log } = this.#deps;
    const current = await complaints.get(record.id);
    if (current?.updatedAt !== record.updatedAt || current.status !== record.status) return false;
    await visits?.removeForComplaint(record.id);
    await handoffs.removeClosedFor(record.id);
    for (const file of record.evidence ?? []) await files.remove(file.fileId);
    if (!(await complaints.remove(record.id))) return false;
    await audit.append({ actor: 'system', action, recordType: 'complaint', recordId: record.id }).catch((error: unknown) => {
      log.error({ errName: (error as Error)?.name, action }, 'could not write the audit log');
    });
    return true;
  }
}
