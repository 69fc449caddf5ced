import { randomBytes } from 'node:crypto';

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

export interface Conversation {
  readonly id: string;
  readonly user: DirectLineUser;
  /** The locale the conversation was started with; a posted activity may carry its own. */
  readonly locale: string;
  readonly serviceUrl: string;
  /** Entry i has sequence number `dropped + i`; null marks a deleted activity. */
  readonly log: (WireActivity | null)[];
  /** How many of the oldest entries were cut off to bound memory. */
  dropped: number;
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
  now?: () => number;
}

export interface ConversationInit {
  user: DirectLineUser;
  locale: string;
  serviceUrl: string;
}

/**
 * Conversations kept in memory, in order of last activity (a Map keeps insertion order, and
 * touching re-inserts), so the oldest idle ones are found first when the bound is reached.
 */
export class ConversationRegistry {
  private readonly conversations = new Map<string, Conversation>();
  private readonly now: () => number;

  constructor(private readonly options: ConversationRegistryOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.conversations.size;
  }

  /** The live conversation, or undefined when it never existed or has idled out. */
  get(id: string): Conversation | undefined {
    const conversation = this.conversations.get(id);
    if (conversation && this.isExpired(conversation)) {
      this.conversations.delete(id);
      return undefined;
    }
    return conversation;
  }

  /** Gets or creates in one synchronous step, so two concurrent starts cannot both create. */
  open(id: string, init: ConversationInit): { conversation: Conversation; created: boolean } {
    const existing = this.get(id);
    if (existing) return { conversation: existing, created: false };
    const conversation: Conversation = {
      id,
      user: init.user,
      locale: init.locale,
      serviceUrl: init.serviceUrl,
      log: [],
      dropped: 0,
      lastActive: this.now(),
      tail: Promise.resolve(),
      pending: 0,
      typing: null,
      watchers: new Set(),
    };
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

  /** Appends an activity whose id came from nextActivityId; the caller stamps it first. */
  append(conversation: Conversation, activity: WireActivity): void {
    if (activity.id !== this.nextActivityId(conversation)) {
      throw new Error('Direct Line activity appended out of sequence.');
    }
    conversation.log.push(activity);
    const excess = conversation.log.length - this.options.maxActivitiesPerConversation;
    if (excess > 0) {
      conversation.log.splice(0, excess);
      conversation.dropped += excess;
    }
    this.touch(conversation);
    this.notify(conversation, activity);
  }

  /** Shows (or, with null, withdraws) the bot's typing; watchers see each new one at once. */
  setTyping(conversation: Conversation, typing: WireActivity | null): void {
    conversation.typing = typing;
    if (typing) this.notify(conversation, typing);
  }

  /** The position after the newest activity: what a client holds once it has read everything. */
  watermarkOf(conversation: Conversation): string {
    return String(conversation.dropped + conversation.log.length);
  }

  find(conversation: Conversation, id: string): WireActivity | undefined {
    const index = this.indexOf(conversation, id);
    return index === undefined ? undefined : (conversation.log[index] ?? undefined);
  }

  /** Replaces in place, so clients that read the log later see the new version. */
  replace(conversation: Conversation, activity: WireActivity): boolean {
    const index = this.indexOf(conversation, activity.id);
    if (index === undefined || conversation.log[index] === null) return false;
    conversation.log[index] = activity;
    this.touch(conversation);
    // Clients upsert by id, so a streamed client sees the edit; pollers see it on a re-read.
    this.notify(conversation, activity);
    return true;
  }

  /**
   * Leaves a hole rather than shifting the log, because watermarks are positions in the log
   * and clients already hold them.
   */
  remove(conversation: Conversation, id: string): boolean {
    const index = this.indexOf(conversation, id);
    if (index === undefined || conversation.log[index] === null) return false;
    conversation.log[index] = null;
    return true;
  }

  /** The activities after `watermark` and the new watermark (the count of all ever appended). */
  activitiesAfter(conversation: Conversation, watermark: number): { activities: WireActivity[]; watermark: string } {
    const total = conversation.dropped + conversation.log.length;
    const start = Math.max(0, watermark - conversation.dropped);
    const activities: WireActivity[] = [];
    for (let i = start; i < conversation.log.length; i++) {
      const entry = conversation.log[i];
      if (entry) activities.push(entry);
    }
    return { activities, watermark: String(total) };
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
        this.conversations.delete(conversation.id);
        dropped++;
      }
    }
    return dropped;
  }

  private notify(conversation: Conversation, activity: WireActivity): void {
    const watermark = this.watermarkOf(conversation);
    for (const watcher of conversation.watchers) watcher(activity, watermark);
  }

  private isExpired(conversation: Conversation): boolean {
    return conversation.pending === 0 && this.now() - conversation.lastActive > this.options.idleMs;
  }

  /** Oldest idle first; never a busy one, nor the one just opened. */
  private evictOverflow(keep: Conversation): void {
    if (this.conversations.size <= this.options.maxConversations) return;
    for (const conversation of [...this.conversations.values()]) {
      if (this.conversations.size <= this.options.maxConversations) break;
      if (conversation !== keep && conversation.pending === 0) this.conversations.delete(conversation.id);
    }
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
