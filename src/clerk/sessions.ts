import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection } from '../store/types.js';

export interface ClerkSession {
  /** The secret in the cookie ('' for a session restored from the store until its cookie is seen). */
  id: string;
  username: string;
  /** The account's password stamp at sign-in; a different stamp later means the password changed. */
  stamp: string;
  /** Sent back in X-CSRF-Token on every change; derived from the session id, so never stored. */
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
}

/**
 * A session as kept under DATA_DIR, keyed by the SHA-256 of its id: whoever reads the folder
 * learns who is signed in, but can neither use the session nor work out its CSRF token.
 */
export interface StoredSession {
  username: string;
  stamp: string;
  createdAt: number;
  lastSeen: number;
}

export type SessionCollection = Collection<StoredSession>;

/** The file and collection name under DATA_DIR (`store.openCollection`). */
export const SESSIONS_FILE = 'clerk-sessions.json';
export const SESSIONS_COLLECTION = 'sessions';

/**
 * How stale the stored lastSeen may get: activity is written at most this often, so a busy
 * console costs a write a minute, and after a restart a session idles out at most this early.
 */
export const LAST_SEEN_SAVE_MS = 60_000;

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
  now?: () => number;
  /** Where sessions survive a restart; without it a restart signs every clerk out. */
  store?: SessionCollection;
  /** Told when a write that nobody waits for fails (a lastSeen update, a sweep). */
  onStoreError?: (error: unknown) => void;
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Only the holder of the session id (the cookie) can compute it, so it need not be kept anywhere. */
function csrfTokenFor(id: string): string {
  return createHmac('sha256', id).update('clerk-csrf').digest('base64url');
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredSession>;
  return typeof record.username === 'string' && typeof record.stamp === 'string' &&
    typeof record.createdAt === 'number' && typeof record.lastSeen === 'number';
}

interface Entry {
  session: ClerkSession;
  /** The lastSeen the store holds. */
  savedLastSeen: number;
}

/**
 * Signed-in consoles. Session ids are 256 random bits; the map (and the store) is keyed by
 * their hash, so a lookup's timing says nothing about other sessions' ids and the store never
 * holds one. With a store, a sign-in, a sign-out and every ended session are durable before
 * the answer, so a restart neither signs clerks out nor brings an ended session back.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Entry>();
  readonly #ended = new Set<(session: ClerkSession) => void>();
  readonly #options: SessionOptions;
  readonly #now: () => number;
  readonly #store: SessionCollection | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#store = options.store;
    this.#restore();
  }

  #key(id: string): string {
    return createHash('sha256').update(id).digest('base64url');
  }

  async create(username: string, stamp: string): Promise<ClerkSession> {
    this.#sweep();
    const at = this.#now();
    const id = secret();
    const session: ClerkSession = { id, username, stamp, csrfToken: csrfTokenFor(id), createdAt: at, lastSeen: at };
    const key = this.#key(id);
    this.#sessions.set(key, { session, savedLastSeen: at });
    await this.#save(key, session);
    return session;
  }

  /** The live session for a cookie value, or undefined; `touch` counts this as activity. */
  get(id: string | undefined, touch = true): ClerkSession | undefined {
    if (!id || id.length > 100) return undefined;
    const key = this.#key(id);
    const entry = this.#sessions.get(key);
    if (!entry) return undefined;
    const { session } = entry;
    if (this.#expired(session)) {
      this.#end(key, entry);
      this.#commitQuietly();
      return undefined;
    }
    if (session.id === '') {
      // Restored from the store: the cookie brings back what was never written down.
      session.id = id;
      session.csrfToken = csrfTokenFor(id);
    }
    if (touch) {
      session.lastSeen = this.#now();
      if (this.#store && session.lastSeen - entry.savedLastSeen >= LAST_SEEN_SAVE_MS) {
        entry.savedLastSeen = session.lastSeen;
        this.#save(key, session).catch((error: unknown) => this.#options.onStoreError?.(error));
      }
    }
    return session;
  }

  /** Takes the account's new password stamp (the clerk changed their own password here). */
  async restamp(session: ClerkSession, stamp: string): Promise<void> {
    session.stamp = stamp;
    const key = this.#key(session.id);
    if (this.#sessions.get(key)?.session === session) await this.#save(key, session);
  }

  /** Ends the session; resolves once that is durable, so a restart cannot bring it back. */
  async destroy(id: string): Promise<void> {
    const key = this.#key(id);
    const entry = this.#sessions.get(key);
    if (!entry) return;
    this.#end(key, entry);
    await this.#store?.commit();
  }

  /** Ends every session of one account (removed, disabled, or its password changed). */
  async destroyUser(username: string, except?: string): Promise<void> {
    const kept = except === undefined ? undefined : this.#key(except);
    let ended = false;
    for (const [key, entry] of this.#sessions) {
      if (entry.session.username === username && key !== kept) {
        this.#end(key, entry);
        ended = true;
      }
    }
    if (ended) await this.#store?.commit();
  }

  /** Calls `listener` whenever a session ends, so live connections opened with it can be closed. */
  onEnd(listener: (session: ClerkSession) => void): () => void {
    this.#ended.add(listener);
    return () => this.#ended.delete(listener);
  }

  #restore(): void {
    const store = this.#store;
    if (!store) return;
    let removed = false;
    for (const key of [...store.keys()]) {
      const record = store.get(key);
      if (!isStoredSession(record)) continue;
      const session: ClerkSession = { id: '', csrfToken: '', username: record.username, stamp: record.stamp, createdAt: record.createdAt, lastSeen: record.lastSeen };
      if (this.#expired(session)) {
        store.delete(key);
        removed = true;
        continue;
      }
      this.#sessions.set(key, { session, savedLastSeen: record.lastSeen });
    }
    if (removed) this.#commitQuietly();
  }

  async #save(key: string, session: ClerkSession): Promise<void> {
    if (!this.#store) return;
    const record: StoredSession = { username: session.username, stamp: session.stamp, createdAt: session.createdAt, lastSeen: session.lastSeen };
    this.#store.set(key, record);
    await this.#store.commit();
  }

  #commitQuietly(): void {
    this.#store?.commit().catch((error: unknown) => this.#options.onStoreError?.(error));
  }

  #expired(session: ClerkSession): boolean {
    const now = this.#now();
    return now - session.lastSeen > this.#options.idleMs || now - session.createdAt > this.#options.maxAgeMs;
  }

  #end(key: string, entry: Entry): void {
    this.#sessions.delete(key);
    this.#store?.delete(key);
    for (const listener of this.#ended) listener(entry.session);
  }

  #sweep(): void {
    let ended = false;
    for (const [key, entry] of this.#sessions) {
      if (this.#expired(entry.session)) {
        this.#end(key, entry);
        ended = true;
      }
    }
    if (ended) this.#commitQuietly();
  }
}
