import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ClerkSession {
  /** The secret in the cookie. */
  id: string;
  username: string;
  /** The account's password stamp at sign-in; a different stamp later means the password changed. */
  stamp: string;
  /** Sent back in X-CSRF-Token on every change. */
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
  now?: () => number;
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

/**
 * Signed-in consoles, in memory: a restart signs every clerk out, which is the safe side.
 * Session ids are 256 random bits; the map is keyed by their hash so that a lookup's timing
 * says nothing about other sessions' ids.
 */
export class SessionStore {
  readonly #sessions = new Map<string, ClerkSession>();
  readonly #ended = new Set<(session: ClerkSession) => void>();
  readonly #options: SessionOptions;
  readonly #now: () => number;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
  }

  #key(id: string): string {
    return createHash('sha256').update(id).digest('base64url');
  }

  create(username: string, stamp: string): ClerkSession {
    this.#sweep();
    const at = this.#now();
    const session: ClerkSession = { id: secret(), username, stamp, csrfToken: secret(), createdAt: at, lastSeen: at };
    this.#sessions.set(this.#key(session.id), session);
    return session;
  }

  /** The live session for a cookie value, or undefined; `touch` counts this as activity. */
  get(id: string | undefined, touch = true): ClerkSession | undefined {
    if (!id || id.length > 100) return undefined;
    const key = this.#key(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    if (this.#expired(session)) {
      this.#end(key, session);
      return undefined;
    }
    if (touch) session.lastSeen = this.#now();
    return session;
  }

  destroy(id: string): void {
    const key = this.#key(id);
    const session = this.#sessions.get(key);
    if (session) this.#end(key, session);
  }

  /** Ends every session of one account (removed, disabled, or its password changed). */
  destroyUser(username: string, except?: string): void {
    for (const [key, session] of this.#sessions) {
      if (session.username === username && session.id !== except) this.#end(key, session);
    }
  }

  /** Calls `listener` whenever a session ends, so live connections opened with it can be closed. */
  onEnd(listener: (session: ClerkSession) => void): () => void {
    this.#ended.add(listener);
    return () => this.#ended.delete(listener);
  }

  #expired(session: ClerkSession): boolean {
    const now = this.#now();
    return now - session.lastSeen > this.#options.idleMs || now - session.createdAt > this.#options.maxAgeMs;
  }

  #end(key: string, session: ClerkSession): void {
    this.#sessions.delete(key);
    for (const listener of this.#ended) listener(session);
  }

  #sweep(): void {
    for (const [key, session] of this.#sessions) {
      if (this.#expired(session)) this.#end(key, session);
    }
  }
}
