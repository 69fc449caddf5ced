import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Collection, ComplaintRepository, Store } from '../store/types.js';
import {
  PRIORITY_ORDER, type ClerkIdentity, type FinishedComplaint, type HandoffEvent, type HandoffReason, type HandoffRecord, type HandoffService,
  type Priority, type QueueEntry, type TranscriptEntry,
} from './types.js';

/** What the service needs from the rest of the assistant; the composition root supplies it. */
export interface HandoffDeps {
  complaints: Pick<ComplaintRepository, 'get'>;
  /** Sends an activity to the filer through the channel the handoff came from. */
  deliver(record: HandoffRecord, activity: Partial<Activity>): Promise<void>;
  /** Lets the assistant take over again, re-asking at `field` (or where the filer was). */
  returnToBot(record: HandoffRecord, field?: string): Promise<void>;
  /** Words the service says to the filer, in their language. */
  words: {
    accepted(record: HandoffRecord): Partial<Activity>;
    fromClerk(record: HandoffRecord, text: string): Partial<Activity>;
    givenBack(record: HandoffRecord): Partial<Activity>;
    completed(record: HandoffRecord, message?: string, finished?: FinishedComplaint): Partial<Activity>;
  };
  now?: () => Date;
  /** Minutes one filer takes a clerk when there is no history yet. */
  defaultMinutesPerFiler?: number;
}

export interface NewHandoff {
  conversationId: string;
  channelId: string;
  reference: HandoffRecord['reference'];
  complaintId?: string;
  locale: HandoffRecord['locale'];
  priority: Priority;
  reason: HandoffReason;
  field?: string;
  transcript: TranscriptEntry[];
}

export class HandoffTakenError extends Error {
  constructor(id: string) {
    super(`handoff ${id} is no longer waiting`);
    this.name = 'HandoffTakenError';
  }
}

export class UnknownHandoffError extends Error {
  constructor(id: string) {
    super(`no handoff ${id}`);
    this.name = 'UnknownHandoffError';
  }
}

export const HANDOFFS_FILE = 'handoffs.json';

/** Transcripts are for the clerk to catch up, not an archive: the newest entries are kept. */
const MAX_TRANSCRIPT = 200;
const OPEN: ReadonlySet<HandoffRecord['state']> = new Set(['queued', 'accepted']);

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function byTurn(a: HandoffRecord, b: HandoffRecord): number {
  return PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || a.createdAt.localeCompare(b.createdAt);
}

/**
 * The clerk queue, kept in DATA_DIR/handoffs.json so that nobody loses their place when
 * the server restarts, and the relay between a filer and the clerk who took them.
 */
export class PersistentHandoffService implements HandoffService {
  readonly #file: Collection<HandoffRecord>;
  readonly #deps: HandoffDeps;
  readonly #now: () => Date;
  readonly #listeners = new Set<(event: HandoffEvent) => void>();
  /**
   * The open handoff of each conversation. Every filer message asks for it, and the file
   * keeps every handoff ever made, so it is looked up here rather than searched for.
   */
  readonly #openByConversation = new Map<string, string>();
  #clerksOnline = 0;

  private constructor(file: Collection<HandoffRecord>, deps: HandoffDeps) {
    this.#file = file;
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    for (const h of file.values()) if (OPEN.has(h.state)) this.#openByConversation.set(h.conversationId, h.id);
  }

  /** The stored (not copied) open handoff of a conversation. */
  #openFor(conversationId: string): HandoffRecord | undefined {
    const id = this.#openByConversation.get(conversationId);
    return id ? this.#file.get(id) : undefined;
  }

  /** Opens the queue through the store, so transcripts are sealed with DATA_KEY like every other record. */
  static async open(store: Pick<Store, 'openCollection'>, deps: HandoffDeps): Promise<PersistentHandoffService> {
    return new PersistentHandoffService(await store.openCollection<HandoffRecord>(HANDOFFS_FILE, 'handoffs'), deps);
  }

  close(): Promise<void> {
    return this.#file.close();
  }

  get clerksOnline(): number {
    return this.#clerksOnline;
  }

  setClerksOnline(count: number): void {
    this.#clerksOnline = Math.max(0, count);
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: HandoffEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken console connection must not stop the others from hearing about it.
      }
    }
  }

  async #emitQueue(): Promise<void> {
    if (this.#listeners.size > 0) this.#emit({ type: 'queue', entries: await this.queue() });
  }

  #open(): HandoffRecord[] {
    return [...this.#openByConversation.values()].map((id) => this.#file.get(id)!).sort(byTurn);
  }

  /** The open handoff of a conversation, if any. */
  forConversation(conversationId: string): HandoffRecord | undefined {
    const found = this.#openFor(conversationId);
    return found ? copy(found) : undefined;
  }

  /**
   * Puts a filer in the queue, or raises the priority of the place they already have.
   * Returns the record and the filer's 1-based position among those waiting.
   */
  async request(input: NewHandoff): Promise<{ record: HandoffRecord; position: number; created: boolean }> {
    const existing = this.#openFor(input.conversationId);
    let record: HandoffRecord;
    let created = false;
    if (existing) {
      if (PRIORITY_ORDER.indexOf(input.priority) < PRIORITY_ORDER.indexOf(existing.priority)) {
        existing.priority = input.priority;
        existing.reason = input.reason;
      }
      if (input.complaintId) existing.complaintId = input.complaintId;
      existing.field = input.field ?? existing.field;
      record = existing;
    } else {
      record = {
        id: randomUUID(),
        conversationId: input.conversationId,
        channelId: input.channelId,
        reference: input.reference,
        complaintId: input.complaintId,
        locale: input.locale,
        priority: input.priority,
        reason: input.reason,
        field: input.field,
        state: 'queued',
        createdAt: this.#now().toISOString(),
        transcript: input.transcript.slice(-MAX_TRANSCRIPT),
      };
      this.#file.set(record.id, record);
      this.#openByConversation.set(record.conversationId, record.id);
      created = true;
    }
    await this.#file.commit();
    await this.#emitQueue();
    return { record: copy(record), position: this.position(record.id), created };
  }

  /** 1-based place among the waiting (0 once accepted or closed). */
  position(id: string): number {
    const waiting = this.#open().filter((h) => h.state === 'queued');
    return waiting.findIndex((h) => h.id === id) + 1;
  }

  /**
   * An honest estimate: the average time clerks recently spent per filer (or the default
   * when there is no history), times the filers ahead, shared among the clerks on duty.
   */
  waitMinutes(position: number): number {
    const recent = [...this.#file.values()]
      .filter((h) => h.state !== 'queued' && h.acceptedAt && h.closedAt)
      .slice(-20)
      .map((h) => (Date.parse(h.closedAt!) - Date.parse(h.acceptedAt!)) / 60_000);
    const perFiler = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : (this.#deps.defaultMinutesPerFiler ?? 5);
    return Math.max(1, Math.ceil((position * perFiler) / Math.max(1, this.#clerksOnline)));
  }

  async queue(): Promise<QueueEntry[]> {
    const open = this.#open();
    let waitingIndex = 0;
    const entries: QueueEntry[] = [];
    for (const h of open) {
      const complaint = h.complaintId ? await this.#deps.complaints.get(h.complaintId) : undefined;
      const name = complaint?.answers['plaintiff.name'] ?? complaint?.answers['plaintiff.orgName'];
      entries.push({
        id: h.id,
        state: h.state,
        priority: h.priority,
        reason: h.reason,
        locale: h.locale,
        complaintId: h.complaintId,
        caseType: complaint?.caseType ?? null,
        ...(typeof name === 'string' ? { filerName: name } : {}),
        field: h.field,
        createdAt: h.createdAt,
        ...(h.state === 'queued' ? { position: (waitingIndex += 1) } : {}),
        ...(h.clerk ? { clerk: h.clerk } : {}),
      });
    }
    return entries;
  }

  async get(id: string): Promise<HandoffRecord | undefined> {
    const found = this.#file.get(id);
    return found ? copy(found) : undefined;
  }

  #require(id: string): HandoffRecord {
    const found = this.#file.get(id);
    if (!found) throw new UnknownHandoffError(id);
    return found;
  }

  async #append(record: HandoffRecord, entry: TranscriptEntry): Promise<void> {
    record.transcript.push(entry);
    if (record.transcript.length > MAX_TRANSCRIPT) record.transcript.splice(0, record.transcript.length - MAX_TRANSCRIPT);
    await this.#file.commit();
    this.#emit({ type: 'message', handoffId: record.id, entry });
  }

  async accept(id: string, clerk: ClerkIdentity): Promise<HandoffRecord> {
    const record = this.#require(id);
    // Checked and set with no await between: two clerks can never both take one filer.
    if (record.state !== 'queued') throw new HandoffTakenError(id);
    record.state = 'accepted';
    record.clerk = { username: clerk.username, displayName: clerk.displayName };
    record.acceptedAt = this.#now().toISOString();
    await this.#file.commit();
    await this.#deps.deliver(copy(record), this.#deps.words.accepted(copy(record)));
    await this.#emitQueue();
    return copy(record);
  }

  async sendToFiler(id: string, clerk: ClerkIdentity, text: string): Promise<void> {
    const record = this.#require(id);
    if (record.state !== 'accepted' || record.clerk?.username !== clerk.username) throw new HandoffTakenError(id);
    const clean = text.trim().slice(0, 2000);
    if (!clean) return;
    await this.#append(record, { from: 'clerk', text: clean, at: this.#now().toISOString(), clerkName: clerk.displayName });
    await this.#deps.deliver(copy(record), this.#deps.words.fromClerk(copy(record), clean));
  }

  /** The filer spoke while a clerk has them: the words go to the clerk, not the bot. */
  async fromFiler(conversationId: string, text: string): Promise<boolean> {
    const open = this.#openFor(conversationId);
    const record = open?.state === 'accepted' ? open : undefined;
    if (!record) return false;
    await this.#append(record, { from: 'filer', text: text.slice(0, 2000), at: this.#now().toISOString() });
    return true;
  }

  /** What the bot said and heard while the filer waits in the queue, so the clerk can catch up. */
  async note(conversationId: string, entry: TranscriptEntry): Promise<void> {
    const open = this.#openFor(conversationId);
    const record = open?.state === 'queued' ? open : undefined;
    if (record) await this.#append(record, entry);
  }

  async #close(id: string, clerk: ClerkIdentity | undefined, state: 'completed' | 'cancelled'): Promise<HandoffRecord> {
    const record = this.#require(id);
    if (!OPEN.has(record.state)) throw new HandoffTakenError(id);
    if (clerk && record.state === 'accepted' && record.clerk?.username !== clerk.username) throw new HandoffTakenError(id);
    record.state = state;
    record.closedAt = this.#now().toISOString();
    this.#openByConversation.delete(record.conversationId);
    if (clerk && !record.clerk) record.clerk = { username: clerk.username, displayName: clerk.displayName };
    await this.#file.commit();
    await this.#emitQueue();
    return record;
  }

  async giveBack(id: string, clerk: ClerkIdentity, field?: string): Promise<HandoffRecord> {
    const record = await this.#close(id, clerk, 'completed');
    await this.#deps.deliver(copy(record), this.#deps.words.givenBack(copy(record)));
    await this.#deps.returnToBot(copy(record), field);
    return copy(record);
  }

  async complete(id: string, clerk: ClerkIdentity, message?: string, finished?: FinishedComplaint): Promise<HandoffRecord> {
    const record = await this.#close(id, clerk, 'completed');
    await this.#deps.deliver(copy(record), this.#deps.words.completed(copy(record), message, finished));
    return copy(record);
  }

  /** The filer left or started over: their place is given up. */
  async cancelForConversation(conversationId: string): Promise<void> {
    const record = this.#openFor(conversationId);
    if (record) await this.#close(record.id, undefined, 'cancelled');
  }

  /** The handoffs about a draft, without their transcripts: what retention decides with. */
  summariesFor(complaintId: string): HandoffSummary[] {
    const found: HandoffSummary[] = [];
    for (const h of this.#file.values()) {
      if (h.complaintId !== complaintId) continue;
      found.push({ id: h.id, state: h.state, createdAt: h.createdAt, ...(h.acceptedAt ? { acceptedAt: h.acceptedAt } : {}), ...(h.closedAt ? { closedAt: h.closedAt } : {}) });
    }
    return found;
  }

  /** Deletes the closed handoffs about a draft, transcripts and all (retention). Open ones are a clerk's and stay. */
  async removeClosedFor(complaintId: string): Promise<number> {
    let removed = 0;
    for (const h of [...this.#file.values()]) {
      if (h.complaintId === complaintId && !OPEN.has(h.state) && this.#file.delete(h.id)) removed += 1;
    }
    if (removed > 0) await this.#file.commit();
    return removed;
  }
}

export type HandoffSummary = Pick<HandoffRecord, 'id' | 'state' | 'createdAt' | 'acceptedAt' | 'closedAt'>;
