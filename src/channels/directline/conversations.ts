import { randomBytes } from 'node:crypto';
import { isStoredConversation, type ConversationCollection, type StoredConversation } from './durable.js';

/** An activity as the wire carries it: plain JSON, safe to serialise and hand to any client. */
export type WireActivity = Record<string, unknown> & { id: string; type: string };

export interface DirectLineUser {
  id: string;
  name?: string;
}

/**
 * Told synchronously about each activity as it enters the log or is edited there, with the
 * watermark a client holds once it has it, so a stream can follow the log without gaps.
 */
export type ConversationWatcher = (activity: WireActivity, watermark: string) => void;

/** Something clients are to be told once it is durable: an appended activity (with its sequence number) or an edit. */
interface Notice {
  activity: WireActivity;
  sequence?: number;
}

export interface Conversation {
  readonly id: string;
  readonly user: DirectLineUser;
  /** The locale the conversation was started with; a posted activity may carry its own. */
  readonly locale: string;
  readonly serviceUrl: string;
  /** Entry i has sequence number `dropped + i`; null marks a deleted activity. */
  readonly log: (WireActivity | null)[];
  /** How many of the oldest entries were cut off to bound memory and the stored record. */
  dropped: number;
  /**
   * Clients see the log up to this sequence number: an activity is shown (polls, streams)
   * only once it is durable, so nothing a client saw can be lost to a crash.
   */
  visible: number;
  /** Appended or edited since the last save; told to streams once that save is durable. */
  readonly unsaved: Notice[];
  /**
   * The highest watermark a client has sent (a poll, a reconnect, a stream opened from it): it
   * has everything before, so the stored record need not keep that for it.
   */
  acknowledged: number;
  /** Turns running now (a proactive turn nested in another counts too); stored as `turnOpen`. */
  openTurns: number;
  /** After a restart, while the turn a crash cut off is being resumed: requests wait for it. */
  resuming: Promise<void> | undefined;
  lastActive: number;
  /** The end of this conversation's turn queue. */
  tail: Promise<void>;
  /** Turns queued or running; a busy conversation is never evicted. */
  pending: number;
  /**
   * The bot's `typing` while it works on a filer's message: shown to clients but never put in
   * the log, so it takes no watermark and does not pile up. Null between turns.
   */
  typing: WireActivity | null;
  /** Open streams of this conversation (at most one; see streaming.ts). */
  readonly watchers: Set<ConversationWatcher>;
}

export interface ConversationRegistryOptions {
  maxConversations: number;
  idleMs: number;
  maxActivitiesPerConversation: number;
  /** The newest activities kept in the stored record; fewer than in memory, to keep each write small. */
  storedActivitiesPerConversation: number;
  now?: () => number;
  /**
   * Where conversations are kept across restarts; without it they live in memory only. Each
   * save writes the conversation's one record and resolves once it is durable.
   */
  store?: ConversationCollection;
  /** Told when a record could not be removed from the store (it is retried with the next write). */
  onStoreError?: (error: unknown) => void;
}

export interface ConversationInit {
  user: DirectLineUser;
  locale: string;
  serviceUrl: string;
}

/**
 * Conversations kept in memory, in order of last activity (a Map keeps insertion order, and
 * touching re-inserts), so the oldest idle ones are found first when the bound is reached.
 * With a store, every conversation is also one record there: appended activities become
 * visible to clients only when a save has made them durable.
 */
export class ConversationRegistry {
  private readonly conversations = new Map<string, Conversation>();
  private readonly now: () => number;
  private readonly store: ConversationCollection | undefined;

  constructor(private readonly options: ConversationRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.store = options.store;
  }

  get size(): number {
    return this.conversations.size;
  }

  /**
   * Loads the stored conversations (after a restart) and forgets those idle too long. Returns
   * the ones whose last turn a crash cut off, for the bot to ask its question again.
   */
  restore(): { restored: number; interrupted: Conversation[]; unreadable: number } {
    if (!this.store) return { restored: 0, interrupted: [], unreadable: 0 };
    const records: StoredConversation[] = [];
    let unreadable = 0;
    for (const value of this.store.values()) {
      if (isStoredConversation(value)) records.push(value);
      else unreadable++;
    }
    records.sort((a, b) => a.lastActive - b.lastActive);
    const interrupted: Conversation[] = [];
    let expired = false;
    for (const record of records) {
      if (this.now() - record.lastActive > this.options.idleMs) {
        this.store.delete(record.id);
        expired = true;
        continue;
      }
      const conversation = newConversation(record.id, record, record.lastActive);
      conversation.log.push(...record.log);
      conversation.dropped = record.first;
      conversation.visible = record.first + record.log.length;
      this.conversations.set(record.id, conversation);
      if (record.turnOpen) interrupted.push(conversation);
    }
    if (expired) this.commitRemovals();
    this.evictOverflow(undefined);
    return { restored: this.conversations.size, interrupted: interrupted.filter((c) => this.conversations.get(c.id) === c), unreadable };
  }

  /** The live conversation, or undefined when it never existed or has idled out. */
  get(id: string): Conversation | undefined {
    const conversation = this.conversations.get(id);
    if (conversation && this.isExpired(conversation)) {
      this.forget(conversation);
      this.commitRemovals();
      return undefined;
    }
    return conversation;
  }

  /**
   * Gets or creates in one synchronous step, so two concurrent starts cannot both create. A
   * new conversation is stored by the save at the start of its first turn (the greeting).
   */
  open(id: string, init: ConversationInit): { conversation: Conversation; created: boolean } {
    const existing = this.get(id);
    if (existing) return { conversation: existing, created: false };
    const conversation = newConversation(id, init, this.now());
    this.conversations.set(id, conversation);
    this.evictOverflow(conversation);
    return { conversation, created: true };
  }

  touch(conversation: Conversation): void {
    conversation.lastActive = this.now();
    if (this.conversations.get(conversation.id) === conversation) {
      this.conversations.delete(conversation.id);
      this.conversations.set(conversation.id, conversation);
    }
  }

  /** The id the next appended activity will get. */
  nextActivityId(conversation: Conversation): string {
    return activityId(conversation.id, conversation.dropped + conversation.log.length);
  }

  /**
   * Appends an activity whose id came from nextActivityId; the caller stamps it first. Clients
   * see it after the next save.
   */
  append(conversation: Conversation, activity: WireActivity): void {
    if (activity.id !== this.nextActivityId(conversation)) {
      throw new Error('Direct Line activity appended out of sequence.');
    }
    conversation.unsaved.push({ activity, sequence: conversation.dropped + conversation.log.length });
    conversation.log.push(activity);
    const excess = conversation.log.length - this.options.maxActivitiesPerConversation;
    if (excess > 0) {
      conversation.log.splice(0, excess);
      conversation.dropped += excess;
    }
    this.touch(conversation);
  }

  /**
   * Takes back the newest activity when the save that was to make it durable failed, so a
   * client that was told "no" never sees it later.
   */
  retract(conversation: Conversation, activity: WireActivity): void {
    if (conversation.log.at(-1) !== activity) return;
    conversation.log.pop();
    const notice = conversation.unsaved.findIndex((n) => n.activity === activity);
    if (notice >= 0) conversation.unsaved.splice(notice, 1);
    // The store may still hold the record with it, waiting for a later write.
    if (this.store && this.conversations.get(conversation.id) === conversation) this.store.set(conversation.id, this.toStored(conversation));
  }

  /**
   * Makes everything appended or edited so far durable (one record write, shared with other
   * conversations' saves by the store's group commit), then shows it to clients: polls see it,
   * streams are sent it in order.
   */
  async save(conversation: Conversation): Promise<void> {
    const end = conversation.dropped + conversation.log.length;
    const notices = conversation.unsaved.splice(0);
    try {
      await this.persist(conversation);
    } catch (error) {
      conversation.unsaved.unshift(...notices);
      throw error;
    }
    this.reveal(conversation, end, notices);
  }

  /** One record write, shared with other conversations' saves by the store's group commit. */
  private async persist(conversation: Conversation): Promise<void> {
    // An evicted or expired conversation is not written back: it was removed on purpose.
    if (this.store && this.conversations.get(conversation.id) === conversation) {
      this.store.set(conversation.id, this.toStored(conversation));
      await this.store.commit();
    }
  }

  /** Shows the log up to `end`: polls see it, streams are sent the notices in order. */
  private reveal(conversation: Conversation, end: number, notices: Conversation['unsaved']): void {
    if (end > conversation.visible) conversation.visible = end;
    for (const notice of notices) {
      const watermark = notice.sequence === undefined ? conversation.visible : notice.sequence + 1;
      for (const watcher of conversation.watchers) watcher(notice.activity, String(watermark));
    }
  }

  /** Shows what the bot appended during a turn that is marked open on disk (see endTurn). */
  showDuringTurn(conversation: Conversation): void {
    if (conversation.openTurns === 0 || conversation.unsaved.length === 0) return;
    this.reveal(conversation, conversation.dropped + conversation.log.length, conversation.unsaved.splice(0));
  }

  /** Marks a turn as running, durably, before the bot acts: see StoredConversation.turnOpen. */
  async beginTurn(conversation: Conversation): Promise<void> {
    conversation.openTurns++;
    try {
      await this.save(conversation);
    } catch (error) {
      conversation.openTurns--;
      throw error;
    }
  }

  /**
   * Shows the turn's replies, then stores them with the turn closed. The replies are shown
   * without waiting for the disk: what the filer answered is already durable (the activity
   * at beginTurn, the draft during the turn), and a crash before this write leaves the turn
   * marked open, so the bot asks its current question again after the restart. Waiting here
   * would put a fourth write on every turn's path to the next question.
   */
  async endTurn(conversation: Conversation): Promise<void> {
    conversation.openTurns = Math.max(0, conversation.openTurns - 1);
    this.reveal(conversation, conversation.dropped + conversation.log.length, conversation.unsaved.splice(0));
    await this.persist(conversation);
  }

  /** Shows (or, with null, withdraws) the bot's typing; watchers see each new one at once. */
  setTyping(conversation: Conversation, typing: WireActivity | null): void {
    conversation.typing = typing;
    if (typing) {
      for (const watcher of conversation.watchers) watcher(typing, this.watermarkOf(conversation));
    }
  }

  /** The position after the newest visible activity: what a client holds once it has read everything. */
  watermarkOf(conversation: Conversation): string {
    return String(conversation.visible);
  }

  /** A client says it holds `watermark`: everything before it has reached it. */
  acknowledge(conversation: Conversation, watermark: number): void {
    const reached = Math.min(watermark, conversation.visible);
    if (reached > conversation.acknowledged) conversation.acknowledged = reached;
  }

  /** Whether clients can see the activity yet (it is durable). */
  isVisible(conversation: Conversation, id: string): boolean {
    const index = this.indexOf(conversation, id);
    return index !== undefined && conversation.dropped + index < conversation.visible;
  }

  find(conversation: Conversation, id: string): WireActivity | undefined {
    const index = this.indexOf(conversation, id);
    return index === undefined ? undefined : (conversation.log[index] ?? undefined);
  }

  /**
   * Replaces in place, so clients that read the log later see the new version; streams are
   * sent the new version under the same id after the next save.
   */
  replace(conversation: Conversation, activity: WireActivity): boolean {
    const index = this.indexOf(conversation, activity.id);
    if (index === undefined || conversation.log[index] === null) return false;
    conversation.log[index] = activity;
    this.touch(conversation);
    // Not shown yet: the new version simply goes out in place of the old one.
    const waiting = conversation.unsaved.find((n) => n.activity.id === activity.id);
    if (waiting) waiting.activity = activity;
    else conversation.unsaved.push({ activity });
    return true;
  }

  /**
   * Leaves a hole rather than shifting the log, because watermarks are positions in the log
   * and clients already hold them.
   */
  remove(conversation: Conversation, id: string): boolean {
    const index = this.indexOf(conversation, id);
    if (index === undefined || conversation.log[index] === null) return false;
    const removed = conversation.log[index];
    conversation.log[index] = null;
    const waiting = conversation.unsaved.findIndex((n) => n.activity === removed || n.activity.id === id);
    if (waiting >= 0) conversation.unsaved.splice(waiting, 1);
    return true;
  }

  /** The visible activities after `watermark` and the new watermark. */
  activitiesAfter(conversation: Conversation, watermark: number): { activities: WireActivity[]; watermark: string } {
    const end = conversation.visible;
    const activities: WireActivity[] = [];
    for (let sequence = Math.max(watermark, conversation.dropped); sequence < end; sequence++) {
      const entry = conversation.log[sequence - conversation.dropped];
      if (entry) activities.push(entry);
    }
    return { activities, watermark: String(end) };
  }

  /**
   * What a client should be shown after `watermark`: the log, then the bot's typing while it
   * works. Typing rides along without moving the watermark (Web Chat's polling transport sees
   * it too, where the hosted service shows it to WebSocket clients only).
   */
  snapshotAfter(conversation: Conversation, watermark: number): { activities: WireActivity[]; watermark: string } {
    const set = this.activitiesAfter(conversation, watermark);
    if (conversation.typing) set.activities.push(conversation.typing);
    return set;
  }

  /** Drops conversations idle for longer than allowed; returns how many went. */
  sweep(): number {
    let dropped = 0;
    for (const conversation of [...this.conversations.values()]) {
      if (this.isExpired(conversation)) {
        this.forget(conversation);
        dropped++;
      }
    }
    if (dropped > 0) this.commitRemovals();
    return dropped;
  }

  /**
   * The conversation's record: a fresh object each time, since the store may write it later.
   * It keeps the newest activities, and of those only what the client has not acknowledged:
   * a polling client (the kiosk) costs a turn's few activities per write, a streaming one
   * (which never says what it read) at most storedActivitiesPerConversation.
   */
  private toStored(conversation: Conversation): StoredConversation {
    const end = conversation.dropped + conversation.log.length;
    const first = Math.max(end - this.options.storedActivitiesPerConversation, Math.min(conversation.acknowledged, end), conversation.dropped);
    return {
      id: conversation.id,
      user: { ...conversation.user },
      locale: conversation.locale,
      serviceUrl: conversation.serviceUrl,
      first,
      log: conversation.log.slice(first - conversation.dropped),
      lastActive: conversation.lastActive,
      ...(conversation.openTurns > 0 ? { turnOpen: true as const } : {}),
    };
  }

  private forget(conversation: Conversation): void {
    this.conversations.delete(conversation.id);
    this.store?.delete(conversation.id);
  }

  /** Removals need not hold anyone up; a failed one is written with the next commit. */
  private commitRemovals(): void {
    this.store?.commit().catch((error: unknown) => this.options.onStoreError?.(error));
  }

  private isExpired(conversation: Conversation): boolean {
    return conversation.pending === 0 && this.now() - conversation.lastActive > this.options.idleMs;
  }

  /** Oldest idle first; never a busy one, nor the one just opened. */
  private evictOverflow(keep: Conversation | undefined): void {
    if (this.conversations.size <= this.options.maxConversations) return;
    let evicted = false;
    for (const conversation of [...this.conversations.values()]) {
      if (this.conversations.size <= this.options.maxConversations) break;
      if (conversation !== keep && conversation.pending === 0) {
        this.forget(conversation);
        evicted = true;
      }
    }
    if (evicted) this.commitRemovals();
  }

  private indexOf(conversation: Conversation, id: string): number | undefined {
    const separator = id.lastIndexOf('|');
    if (separator < 0 || id.slice(0, separator) !== conversation.id) return undefined;
    const digits = id.slice(separator + 1);
    if (!/^\d{1,12}$/.test(digits)) return undefined;
    const index = Number(digits) - conversation.dropped;
    return index >= 0 && index < conversation.log.length ? index : undefined;
  }
}

function newConversation(id: string, init: ConversationInit, lastActive: number): Conversation {
  return {
    id,
    user: { ...init.user },
    locale: init.locale,
    serviceUrl: init.serviceUrl,
    log: [],
    dropped: 0,
    visible: 0,
    unsaved: [],
    acknowledged: 0,
    openTurns: 0,
    resuming: undefined,
    lastActive,
    tail: Promise.resolve(),
    pending: 0,
    typing: null,
    watchers: new Set(),
  };
}


/** Hosted Direct Line ids look like `<conversationId>|0000042`. */
export function activityId(conversationId: string, sequence: number): string {
  return `${conversationId}|${String(sequence).padStart(7, '0')}`;
}

/** Unguessable, URL-safe, and free of the `|` that separates activity ids. */
export function newConversationId(): string {
  return randomBytes(18).toString('base64url');
}

export function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}
