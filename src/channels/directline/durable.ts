import type { Collection } from '../../store/index.js';
import type { DirectLineUser, WireActivity } from './conversations.js';

/**
 * A conversation as it is kept under DATA_DIR: one record per conversation, rewritten when a
 * turn starts (the filer's activity) and when it ends (the bot's replies), so concurrent turns
 * share the store's group commits and a turn writes one small record twice.
 */
export interface StoredConversation {
  id: string;
  user: DirectLineUser;
  locale: string;
  serviceUrl: string;
  /** Sequence number of the first entry of `log`; older activities were cut off. */
  first: number;
  /** The newest activities, as clients get them; null marks a deleted one. */
  log: (WireActivity | null)[];
  /** Epoch milliseconds of the last turn. */
  lastActive: number;
  /**
   * Present from the start of a turn until its replies are stored. A record that still has it
   * at start-up belongs to a turn a crash cut off: the bot's state may or may not have moved
   * on, so the bot is asked to say its current question again.
   */
  turnOpen?: true;
}

export type ConversationCollection = Collection<StoredConversation>;

/** The file and collection name under DATA_DIR (`store.openCollection`). */
export const CONVERSATIONS_FILE = 'directline-conversations.json';
export const CONVERSATIONS_COLLECTION = 'conversations';

/** A record written by this program; anything else is left alone and not served. */
export function isStoredConversation(value: unknown): value is StoredConversation {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredConversation>;
  return (
    typeof record.id === 'string' &&
    typeof record.user === 'object' && record.user !== null && typeof record.user.id === 'string' &&
    typeof record.locale === 'string' &&
    typeof record.serviceUrl === 'string' &&
    Number.isSafeInteger(record.first) && (record.first ?? -1) >= 0 &&
    Array.isArray(record.log) &&
    record.log.every((entry) => entry === null || (typeof entry === 'object' && typeof entry.id === 'string' && typeof entry.type === 'string')) &&
    typeof record.lastActive === 'number'
  );
}
