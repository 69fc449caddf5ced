import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { todayIn } from '../config.js';
import type { HandoffEvent, HandoffRecord, HandoffService, QueueEntry } from '../handoff/types.js';
import type { Logger } from '../log.js';
import type { AuditLog, ComplaintRecord, ComplaintRepository, ComplaintStatus, NewAuditEvent } from '../store/types.js';
import { AccountError, normalizeUsername, type PublicAccount, type StaffAccounts } from './accounts.js';
import type { DraftViews } from './draft.js';
import { API_MESSAGES, completedMessage, type ApiMessageKey } from './messages.js';
import { sameSecret, type ClerkSession, type SessionStore } from './sessions.js';
import type { VisitService } from '../visits/service.js';
import { mountVisitRoutes } from './visits-api.js';

export const SESSION_COOKIE = 'clerk_session';
/** The cookie goes only to the API; the console's static files need no session. */
export const COOKIE_PATH = '/api/clerk';
const BODY_LIMIT = '64kb';
const KEEP_ALIVE_MS = 20_000;
const STATUSES: readonly ComplaintStatus[] = ['draft', 'finished', 'filed', 'archived'];

export interface ClerkApiDeps {
  accounts: StaffAccounts;
  audit: AuditLog;
  complaints: ComplaintRepository;
  handoffs: HandoffService;
  drafts: DraftViews;
  sessions: SessionStore;
  /** Marks a draft finished and returns its capability link (the app's one way of doing it). */
  finishComplaint(complaintId: string): Promise<{ record: ComplaintRecord; documentUrl: string; pdfUrl?: string; reliefUrl?: string }>;
  /** The complaint as print-ready HTML, for any status (the console previews drafts too). */
  renderDocument(record: ComplaintRecord): string;
  login: { attempts: number; windowMs: number };
  /** Cookies get Secure when the public address is https (and on any https request). */
  secureCookies: boolean;
  maxMessageLength: number;
  timeZone: string;
  log: Logger;
  /** Home visits; their routes are served when given. */
  visits?: VisitService;
}

interface Signed {
  session: ClerkSession;
  account: PublicAccount;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly key: ApiMessageKey, readonly extra: Record<string, unknown> = {}) {
    super(key);
    this.name = 'ApiError';
  }
}

function signed(res: Response): Signed {
  return res.locals['clerk'] as Signed;
}

function identity(res: Response): { username: string; displayName: string } {
  const { account } = signed(res);
  return { username: account.username, displayName: account.displayName };
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function optionalString(body: Record<string, unknown>, key: string, max = 1000): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new ApiError(400, 'bad-request');
  return value;
}

function requiredString(body: Record<string, unknown>, key: string, max = 1000): string {
  const value = optionalString(body, key, max);
  if (value === undefined) throw new ApiError(400, 'bad-request');
  return value;
}

function queryString(req: Request, key: string): string {
  const value: unknown = req.query[key];
  return typeof value === 'string' ? value.trim() : '';
}

function pageOf(req: Request, defaultSize: number): { page: number; pageSize: number } {
  const page = Math.max(1, Math.floor(Number(queryString(req, 'page')) || 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(Number(queryString(req, 'pageSize')) || defaultSize)));
  return { page, pageSize };
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function handoffView(record: HandoffRecord) {
  // The channel reference (service URLs, user ids) is the bot's business, not the clerk's.
  const { reference: _reference, ...view } = record;
  return view;
}

function plaintiffName(record: ComplaintRecord): string | undefined {
  const name = record.answers['plaintiff.name'] ?? record.answers['plaintiff.orgName'];
  return typeof name === 'string' ? name : undefined;
}

function defendantName(record: ComplaintRecord): string | undefined {
  const name = record.answers['defendant[0].name'] ?? record.answers['defendant[0].orgName'] ?? record.answers['defendant.name'] ?? record.answers['defendant.orgName'];
  return typeof name === 'string' ? name : undefined;
}

/** Every name of a plaintiff or defendant in the draft, for search. */
function partyNames(record: ComplaintRecord): string[] {
  return Object.entries(record.answers)
    .filter(([key, value]) => typeof value === 'string' && /^(plaintiff|defendant)(\[\d+\])?\.(name|orgName)$/.test(key))
    .map(([, value]) => String(value).toLowerCase());
}

/**
 * The clerk console's JSON API, mounted at /api/clerk. Everything but sign-in needs a session
 * cookie (401 without); every change also needs the session's X-CSRF-Token header (403
 * without); account management and the audit log need the admin role.
 */
export function createClerkApi(deps: ClerkApiDeps): { router: Router; close(): void } {
  const router = express.Router();
  const { accounts, audit, complaints, handoffs, drafts, sessions, log } = deps;

  const record = (event: NewAuditEvent): Promise<unknown> =>
    audit.append(event).catch((error: unknown) => {
      // A failed audit write must be seen by the operators; the clerk's action already happened.
      log.error({ errName: (error as Error).name, action: event.action }, 'could not write the audit log');
    });

  router.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
  const json = express.json({ limit: BODY_LIMIT });
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    json(req, res, next);
  });

  // ── sign-in ────────────────────────────────────────────────────────────────
  const tooMany: RequestHandler = (_req, res) => {
    res.status(429).json({ error: 'too-many-attempts', message: API_MESSAGES['too-many-attempts'] });
  };
  const limitOptions = {
    windowMs: deps.login.windowMs,
    limit: deps.login.attempts,
    // Only failures count, so a clerk who signs in many times a day is never stopped.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    handler: tooMany,
  };
  const perAddress = rateLimit(limitOptions);
  const perUsername = rateLimit({
    ...limitOptions,
    keyGenerator: (req: Request) => `user:${normalizeUsername(typeof bodyOf(req)['username'] === 'string' ? String(bodyOf(req)['username']) : '').slice(0, 64)}`,
  });

  router.post('/login', (req, res, next) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'json-only', message: API_MESSAGES['json-only'] });
      return;
    }
    next();
  }, perAddress, perUsername, async (req, res) => {
    const body = bodyOf(req);
    const username = typeof body['username'] === 'string' ? body['username'].slice(0, 64) : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const signedIn = username && password ? await accounts.authenticate(username, password) : undefined;
    if (!signedIn) {
      const known = username ? await accounts.get(username) : undefined;
      await record({ actor: known ? known.username : '(unknown)', action: 'sign-in', outcome: 'denied' });
      // The same answer whether the name is unknown, the password wrong or the account disabled.
      res.status(401).json({ error: 'bad-credentials', message: API_MESSAGES['bad-credentials'] });
      return;
    }
    const previous = readCookie(req, SESSION_COOKIE);
    if (previous) await sessions.destroy(previous);
    const { account, stamp } = signedIn;
    const session = await sessions.create(account.username, stamp);
    res.cookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies || req.secure,
      path: COOKIE_PATH,
    });
    await record({ actor: account.username, action: 'sign-in' });
    res.json({ username: account.username, displayName: account.displayName, role: account.role, csrfToken: session.csrfToken });
  });

  // ── everything below needs a session ──────────────────────────────────────────
  router.use(async (req, res, next) => {
    const session = sessions.get(readCookie(req, SESSION_COOKIE));
    // Read afresh each time: an account removed, disabled or given a new password (from the
    // console or the command line) loses its sessions at once.
    const current = session ? await accounts.current(session.username) : undefined;
    const account = current && current.stamp === session?.stamp ? current.account : undefined;
    if (!session || !account) {
      if (session) await sessions.destroy(session.id);
      res.status(401).json({ error: 'not-signed-in', message: API_MESSAGES['not-signed-in'] });
      return;
    }
    res.locals['clerk'] = { session, account } satisfies Signed;
    next();
  });
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const given = req.get('x-csrf-token');
    if (!given || !sameSecret(given, signed(res).session.csrfToken)) {
      res.status(403).json({ error: 'csrf', message: API_MESSAGES['csrf'] });
      return;
    }
    next();
  });
  const adminOnly: RequestHandler = (_req, res, next) => {
    if (signed(res).account.role !== 'admin') {
      res.status(403).json({ error: 'admin-only', message: API_MESSAGES['admin-only'] });
      return;
    }
    next();
  };

  router.get('/me', (_req, res) => {
    const { account, session } = signed(res);
    res.json({ username: account.username, displayName: account.displayName, role: account.role, csrfToken: session.csrfToken });
  });

  router.post('/logout', async (_req, res) => {
    const { session, account } = signed(res);
    await sessions.destroy(session.id);
    res.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: deps.secureCookies });
    await record({ actor: account.username, action: 'sign-out' });
    res.status(204).end();
  });

  router.post('/me/password', async (req, res) => {
    const { account, session } = signed(res);
    const body = bodyOf(req);
    const current = requiredString(body, 'currentPassword', 300);
    const next = requiredString(body, 'newPassword', 300);
    if (!(await accounts.authenticate(account.username, current))) throw new ApiError(403, 'bad-credentials');
    const changed = await accounts.setPassword(account.username, next);
    await sessions.destroyUser(account.username, session.id);
    // This console stays signed in: its session takes the new password's stamp.
    const renewed = await accounts.current(changed.username);
    if (renewed) await sessions.restamp(session, renewed.stamp);
    await record({ actor: account.username, action: 'password-change', recordType: 'account', recordId: account.username });
    res.status(204).end();
  });

  // ── queue and live events ───────────────────────────────────────────────────
  /** Queue entries with the case type's title in both languages, for the console to show. */
  const withTitles = (entries: QueueEntry[]) => entries.map((e) => ({ ...e, caseTitle: drafts.caseTitle(e.caseType) ?? null }));

  router.get('/queue', async (_req, res) => {
    const entries = withTitles(await handoffs.queue());
    await record({ actor: signed(res).account.username, action: 'queue-view' });
    res.json({ entries });
  });

  interface Stream {
    res: Response;
    session: ClerkSession;
    username: string;
    stop(): void;
  }
  const streams = new Set<Stream>();
  const updateOnline = () => handoffs.setClerksOnline(new Set([...streams].map((s) => s.username)).size);
  const offSessionEnd = sessions.onEnd((ended) => {
    for (const stream of streams) if (stream.session.id === ended.id) stream.stop();
  });

  router.get('/events', async (req, res) => {
    const { session, account } = signed(res);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    const send = (event: HandoffEvent) => {
      const data = event.type === 'queue' ? { ...event, entries: withTitles(event.entries) } : event;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let stopped = false;
    const stream: Stream = {
      res,
      session,
      username: account.username,
      stop() {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        unsubscribe();
        streams.delete(stream);
        updateOnline();
        res.end();
      },
    };
    const unsubscribe = handoffs.subscribe((event) => {
      if (stopped) return;
      if (event.type !== 'message') return send(event);
      // What a filer says is for the clerk who took them, not for every console in the hall.
      void handoffs.get(event.handoffId).then((h) => {
        if (!stopped && h?.clerk?.username === account.username) send(event);
      }, () => undefined);
    });
    const timer = setInterval(() => {
      // Keep-alive, and the moment to notice an expired session or a disabled account.
      if (!sessions.get(session.id, false)) return stream.stop();
      void accounts.current(account.username).then(
        (still) => (still && still.stamp === session.stamp ? res.write(': keep-alive\n\n') : stream.stop()),
        () => undefined,
      );
    }, KEEP_ALIVE_MS);
    timer.unref();
    streams.add(stream);
    updateOnline();
    // The response's close, not the request's: a GET's request stream ends as soon as it is read.
    res.on('close', () => stream.stop());
    res.write('retry: 3000\n\n');
    send({ type: 'queue', entries: await handoffs.queue() });
    await record({ actor: account.username, action: 'queue-view' });
  });

  // ── handoffs ────────────────────────────────────────────────────────────────
  const handoffOr404 = async (req: Request): Promise<HandoffRecord> => {
    const found = await handoffs.get(param(req, 'id'));
    if (!found) throw new ApiError(404, 'not-found');
    return found;
  };
  /** The clerk acting on a handoff must be the one who accepted it. */
  const mine = (handoff: HandoffRecord, res: Response): void => {
    if (handoff.state === 'accepted' && handoff.clerk?.username === signed(res).account.username) return;
    throw new ApiError(409, handoff.state === 'queued' ? 'not-yours' : 'taken');
  };
  const draftOf = async (handoff: HandoffRecord) => {
    const complaint = handoff.complaintId ? await complaints.get(handoff.complaintId) : undefined;
    return complaint ? drafts.view(complaint) : null;
  };

  router.post('/handoffs/:id/accept', async (req, res) => {
    const handoff = await handoffOr404(req);
    if (handoff.state !== 'queued') throw new ApiError(409, 'taken');
    const accepted = await handoffs.accept(handoff.id, identity(res));
    await record({ actor: signed(res).account.username, action: 'handoff-accept', recordType: 'handoff', recordId: handoff.id });
    res.json({ handoff: handoffView(accepted), draft: await draftOf(accepted) });
  });

  router.get('/handoffs/:id', async (req, res) => {
    const handoff = await handoffOr404(req);
    const draft = await draftOf(handoff);
    const actor = signed(res).account.username;
    await record({ actor, action: 'handoff-view', recordType: 'handoff', recordId: handoff.id });
    if (draft) await record({ actor, action: 'complaint-view', recordType: 'complaint', recordId: draft.id });
    res.json({ handoff: handoffView(handoff), draft });
  });

  router.post('/handoffs/:id/messages', async (req, res) => {
    const handoff = await handoffOr404(req);
    mine(handoff, res);
    const text = requiredString(bodyOf(req), 'text', 100_000).trim();
    if (!text) throw new ApiError(400, 'empty-message');
    if (text.length > deps.maxMessageLength) throw new ApiError(400, 'message-too-long');
    await handoffs.sendToFiler(handoff.id, identity(res), text);
    await record({ actor: signed(res).account.username, action: 'handoff-message', recordType: 'handoff', recordId: handoff.id });
    res.status(204).end();
  });

  router.post('/handoffs/:id/return', async (req, res) => {
    const handoff = await handoffOr404(req);
    mine(handoff, res);
    const field = optionalString(bodyOf(req), 'field', 200) || undefined;
    if (field) {
      const complaint = handoff.complaintId ? await complaints.get(handoff.complaintId) : undefined;
      if (!complaint || !drafts.field(complaint, field)) throw new ApiError(400, 'unknown-field');
    }
    const closed = await handoffs.giveBack(handoff.id, identity(res), field);
    await record({ actor: signed(res).account.username, action: 'handoff-return', recordType: 'handoff', recordId: handoff.id, ...(field ? { field } : {}) });
    res.json({ handoff: handoffView(closed) });
  });

  router.post('/handoffs/:id/complete', async (req, res) => {
    const handoff = await handoffOr404(req);
    mine(handoff, res);
    const complaint = handoff.complaintId ? await complaints.get(handoff.complaintId) : undefined;
    if (!complaint) throw new ApiError(409, 'no-draft');
    const finished = await finish(complaint, bodyOf(req)['force'] === true, res);
    const message = completedMessage(handoff.locale, finished.documentUrl);
    const closed = await handoffs.complete(handoff.id, identity(res), message, {
      id: finished.record.id,
      caseType: finished.record.caseType,
      documentUrl: finished.documentUrl,
      resumeCode: finished.record.resumeCode,
      ...(finished.pdfUrl ? { pdfUrl: finished.pdfUrl } : {}),
      ...(finished.reliefUrl ? { reliefUrl: finished.reliefUrl } : {}),
    });
    await record({ actor: signed(res).account.username, action: 'handoff-complete', recordType: 'handoff', recordId: handoff.id });
    res.json({ handoff: handoffView(closed), documentUrl: finished.documentUrl, draft: drafts.view(finished.record) });
  });

  /** Finishes a complaint: refuses without a case type, and asks first when required answers are missing. */
  const finish = async (complaint: ComplaintRecord, force: boolean, res: Response) => {
    if (complaint.status === 'filed') throw new ApiError(409, 'already-filed');
    if (complaint.status === 'archived') throw new ApiError(409, 'archived');
    if (!drafts.spec(complaint)) throw new ApiError(409, 'no-case-type');
    const { missing } = drafts.view(complaint);
    if (missing.length > 0 && !force) throw new ApiError(409, 'incomplete', { missing });
    const finished = await deps.finishComplaint(complaint.id);
    await record({ actor: signed(res).account.username, action: 'complaint-finish', recordType: 'complaint', recordId: complaint.id });
    return finished;
  };

  // ── complaints ──────────────────────────────────────────────────────────────
  const complaintOr404 = async (req: Request): Promise<ComplaintRecord> => {
    const found = await complaints.get(param(req, 'id'));
    if (!found) throw new ApiError(404, 'not-found');
    return found;
  };

  router.get('/complaints', async (req, res) => {
    const q = queryString(req, 'q').toLowerCase().slice(0, 100);
    const status = queryString(req, 'status');
    const from = queryString(req, 'from');
    const to = queryString(req, 'to');
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if ((status && !(STATUSES as readonly string[]).includes(status)) || (from && !day.test(from)) || (to && !day.test(to))) {
      throw new ApiError(400, 'bad-request');
    }
    const { page, pageSize } = pageOf(req, 20);
    const matches = (await complaints.list()).filter((c) => {
      if (status && c.status !== status) return false;
      // Archived complaints leave the working list; a clerk finds them by asking for them.
      if (!status && c.status === 'archived') return false;
      const created = todayIn(deps.timeZone, new Date(c.createdAt));
      if (from && created < from) return false;
      if (to && created > to) return false;
      if (!q) return true;
      return c.resumeCode === q || c.id.startsWith(q) || partyNames(c).some((name) => name.includes(q));
    });
    matches.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const items = matches.slice((page - 1) * pageSize, page * pageSize).map((c) => ({
      id: c.id,
      caseType: c.caseType,
      caseTitle: drafts.caseTitle(c.caseType) ?? null,
      status: c.status,
      locale: c.locale,
      resumeCode: c.resumeCode,
      plaintiffName: plaintiffName(c) ?? null,
      defendantName: defendantName(c) ?? null,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      finishedAt: c.finishedAt ?? null,
    }));
    // The search words may be a filer's name: the event says a search happened, not what for.
    await record({ actor: signed(res).account.username, action: 'complaint-search' });
    res.json({ items, total: matches.length, page, pageSize });
  });

  router.get('/complaints/:id', async (req, res) => {
    const complaint = await complaintOr404(req);
    await record({ actor: signed(res).account.username, action: 'complaint-view', recordType: 'complaint', recordId: complaint.id });
    res.json({ draft: drafts.view(complaint) });
  });

  router.patch('/complaints/:id/answers', async (req, res) => {
    const complaint = await complaintOr404(req);
    // What was filed at the window must stay what the court holds.
    if (complaint.status === 'filed') throw new ApiError(409, 'already-filed');
    if (complaint.status === 'archived') throw new ApiError(409, 'archived');
    const body = bodyOf(req);
    const key = requiredString(body, 'key', 200);
    const value = requiredString(body, 'value', 2000);
    const edit = drafts.parseEdit(complaint, key, value);
    if (!edit.ok && edit.reason === 'unknown-field') throw new ApiError(400, 'unknown-field');
    if (!edit.ok) {
      res.status(422).json({ error: 'invalid-value', message: edit.error });
      return;
    }
    const updated = await complaints.update(complaint.id, edit.apply);
    await record({ actor: signed(res).account.username, action: 'answer-edit', recordType: 'complaint', recordId: complaint.id, field: key });
    res.json({ draft: drafts.view(updated) });
  });

  router.post('/complaints/:id/finish', async (req, res) => {
    const complaint = await complaintOr404(req);
    const finished = await finish(complaint, bodyOf(req)['force'] === true, res);
    res.json({ documentUrl: finished.documentUrl, draft: drafts.view(finished.record) });
  });

  router.post('/complaints/:id/filed', async (req, res) => {
    const complaint = await complaintOr404(req);
    if (complaint.status === 'archived') throw new ApiError(409, 'archived');
    if (complaint.status !== 'finished') throw new ApiError(409, 'not-finished');
    const updated = await complaints.update(complaint.id, (r) => {
      r.status = 'filed';
    });
    await record({ actor: signed(res).account.username, action: 'complaint-filed', recordType: 'complaint', recordId: complaint.id });
    res.json({ draft: drafts.view(updated) });
  });

  /**
   * Any clerk may archive, as any clerk marks a complaint filed: it is the routine end of a
   * record's working life, audited, and nothing is deleted until RETENTION_ARCHIVED_DAYS later.
   */
  router.post('/complaints/:id/archive', async (req, res) => {
    const complaint = await complaintOr404(req);
    if (complaint.status === 'archived') throw new ApiError(409, 'archived');
    if (complaint.status !== 'finished' && complaint.status !== 'filed') throw new ApiError(409, 'not-archivable');
    const updated = await complaints.update(complaint.id, (r) => {
      r.status = 'archived';
      r.archivedAt = new Date().toISOString();
      // The filer's link is a capability: archiving revokes it, whatever expiry it had left.
      delete r.documentToken;
      delete r.documentExpiresAt;
    });
    await record({ actor: signed(res).account.username, action: 'complaint-archived', recordType: 'complaint', recordId: complaint.id });
    res.json({ draft: drafts.view(updated) });
  });

  router.get('/complaints/:id/document.html', async (req, res) => {
    const complaint = await complaintOr404(req);
    if (!drafts.spec(complaint)) throw new ApiError(404, 'no-case-type');
    const html = deps.renderDocument(complaint);
    await record({ actor: signed(res).account.username, action: 'document-open', recordType: 'complaint', recordId: complaint.id });
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      // Markup that slipped into an answer stays inert; the template's own styles are inline.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    });
    res.send(html);
  });

  // ── accounts and audit (admins) ───────────────────────────────────────────────
  router.get('/accounts', adminOnly, async (_req, res) => {
    res.json({ accounts: await accounts.list() });
  });

  router.post('/accounts', adminOnly, async (req, res) => {
    const body = bodyOf(req);
    const created = await accounts.add({
      username: requiredString(body, 'username', 64),
      password: requiredString(body, 'password', 300),
      role: optionalString(body, 'role', 20) ?? 'clerk',
      displayName: optionalString(body, 'displayName', 200) ?? '',
    });
    await record({ actor: signed(res).account.username, action: 'account-add', recordType: 'account', recordId: created.username });
    res.status(201).json({ account: created });
  });

  router.patch('/accounts/:username', adminOnly, async (req, res) => {
    const me = signed(res).account.username;
    const username = normalizeUsername(param(req, 'username'));
    const body = bodyOf(req);
    const disabled = body['disabled'];
    if (disabled !== undefined && typeof disabled !== 'boolean') throw new ApiError(400, 'bad-request');
    if (disabled === true && username === me) throw new ApiError(409, 'own-account');
    const role = optionalString(body, 'role', 20);
    const displayName = optionalString(body, 'displayName', 200);
    const password = optionalString(body, 'password', 300);
    let updated = await accounts.update(username, {
      ...(disabled !== undefined ? { disabled } : {}),
      ...(role !== undefined ? { role } : {}),
      ...(displayName !== undefined ? { displayName } : {}),
    }, { keepAnAdmin: true });
    if (password !== undefined) updated = await accounts.setPassword(username, password);
    if (disabled === true || password !== undefined || (role !== undefined && username !== me)) await sessions.destroyUser(username);
    await record({ actor: me, action: password !== undefined ? 'account-password' : 'account-change', recordType: 'account', recordId: username });
    res.json({ account: updated });
  });

  router.get('/audit', adminOnly, async (req, res) => {
    const { page, pageSize } = pageOf(req, 50);
    const from = queryString(req, 'from');
    const to = queryString(req, 'to');
    const { events, total } = await audit.list({
      ...(queryString(req, 'actor') ? { actor: queryString(req, 'actor') } : {}),
      ...(queryString(req, 'action') ? { action: queryString(req, 'action') } : {}),
      ...(queryString(req, 'recordId') ? { recordId: queryString(req, 'recordId') } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    res.json({ events, total, page, pageSize });
  });

  if (deps.visits) mountVisitRoutes(router, { visits: deps.visits, complaints, adminOnly, audit: record, actor: (res) => signed(res).account.username });

  router.use((_req, res) => {
    res.status(404).json({ error: 'not-found', message: API_MESSAGES['not-found'] });
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (error instanceof ApiError) {
      res.status(error.status).json({ error: error.key, message: API_MESSAGES[error.key], ...error.extra });
      return;
    }
    if (error instanceof AccountError) {
      const status = error.code === 'not-found' ? 404 : error.code === 'exists' || error.code === 'last-admin' ? 409 : 400;
      res.status(status).json({ error: error.code, message: error.text });
      return;
    }
    const name = (error as Error)?.name;
    if (name === 'HandoffTakenError') {
      res.status(409).json({ error: 'taken', message: API_MESSAGES['taken'] });
      return;
    }
    if (name === 'UnknownHandoffError' || name === 'UnknownComplaintError') {
      res.status(404).json({ error: 'not-found', message: API_MESSAGES['not-found'] });
      return;
    }
    const status = (error as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // express.json's own errors: bad JSON, too large.
      res.status(status).json({ error: 'bad-request', message: API_MESSAGES['bad-request'] });
      return;
    }
    // The path holds ids only; the error itself may quote data, so only its name is logged.
    log.error({ errName: name, method: req.method, path: req.path }, 'clerk API request failed');
    res.status(500).json({ error: 'server-error', message: API_MESSAGES['server-error'] });
  });

  return {
    router,
    close() {
      offSessionEnd();
      for (const stream of [...streams]) stream.stop();
    },
  };
}
