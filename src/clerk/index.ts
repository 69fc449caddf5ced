import type { Router } from 'express';
import type { Config } from '../config.js';
import type { HandoffService } from '../handoff/types.js';
import type { LoadedSpecs } from '../interview/spec.js';
import type { Logger } from '../log.js';
import type { ComplaintRecord, Store } from '../store/types.js';
import { StaffAccounts } from './accounts.js';
import { createClerkApi } from './api.js';
import { clerkConsoleRoutes } from './console.js';
import { DraftViews } from './draft.js';
import { SessionStore, type SessionCollection } from './sessions.js';
import type { VisitService } from '../visits/service.js';

export { AccountError, StaffAccounts, normalizeUsername, type PublicAccount } from './accounts.js';
export { COOKIE_PATH, SESSION_COOKIE } from './api.js';
export { CONSOLE_CSP } from './console.js';
export { DraftViews, type DraftField, type DraftView } from './draft.js';
export { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './passwords.js';
export { SESSIONS_COLLECTION, SESSIONS_FILE, type SessionCollection, type StoredSession } from './sessions.js';

export interface ClerkOptions {
  store: Pick<Store, 'accounts' | 'audit' | 'complaints'>;
  specs: LoadedSpecs;
  handoffs: HandoffService;
  /** Today in the court's time zone, 'YYYY-MM-DD'. */
  today(): string;
  finishComplaint(complaintId: string): Promise<{ record: ComplaintRecord; documentUrl: string; pdfUrl?: string; reliefUrl?: string }>;
  /** The complaint as print-ready HTML. */
  renderDocument(record: ComplaintRecord): string;
  config: Pick<Config, 'publicUrl' | 'maxMessageLength' | 'court' | 'staff'>;
  log: Logger;
  /** Home visits, for the console's visit routes. */
  visits?: VisitService;
  /** Where sessions survive a restart (`store.openCollection(SESSIONS_FILE, SESSIONS_COLLECTION)`). */
  sessions?: SessionCollection;
}

export interface Clerk {
  /** The JSON API, to be mounted at /api/clerk. */
  api: Router;
  /** The console page, to be mounted at /clerk. */
  console: Router;
  accounts: StaffAccounts;
  /** Ends the consoles' live event streams (so the HTTP server can close). */
  close(): void;
}

/** Staff accounts, sessions, the clerk API and the console page. */
export function createClerk(options: ClerkOptions): Clerk {
  const { config } = options;
  const accounts = new StaffAccounts(options.store.accounts);
  const sessions = new SessionStore({
    idleMs: config.staff.sessionIdleMinutes * 60_000,
    maxAgeMs: config.staff.sessionMaxHours * 3_600_000,
    ...(options.sessions ? { store: options.sessions } : {}),
    onStoreError: (error) => options.log.error({ errName: (error as Error)?.name }, 'could not store a clerk session change'),
  });
  const api = createClerkApi({
    accounts,
    audit: options.store.audit,
    complaints: options.store.complaints,
    handoffs: options.handoffs,
    drafts: new DraftViews(options.specs, options.today),
    sessions,
    finishComplaint: options.finishComplaint,
    renderDocument: options.renderDocument,
    login: { attempts: config.staff.loginAttempts, windowMs: config.staff.loginWindowMinutes * 60_000 },
    secureCookies: config.publicUrl.startsWith('https:'),
    maxMessageLength: config.maxMessageLength,
    timeZone: config.court.timeZone,
    log: options.log,
    ...(options.visits ? { visits: options.visits } : {}),
  });
  return { api: api.router, console: clerkConsoleRoutes(), accounts, close: api.close };
}
