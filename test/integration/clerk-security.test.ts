import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { clerkApi, clerkLogin, type ClerkSignIn } from '../support/clerk-api.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Signed = ClerkSignIn;
const login = clerkLogin;
const api = clerkApi;

/** Every route of the clerk API but sign-in, with a body where it takes one. */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/me'],
  ['POST', '/logout', {}],
  ['POST', '/me/password', { currentPassword: 'x', newPassword: 'y' }],
  ['GET', '/queue'],
  ['GET', '/events'],
  ['POST', '/handoffs/h1/accept', {}],
  ['GET', '/handoffs/h1'],
  ['POST', '/handoffs/h1/messages', { text: 'hello' }],
  ['POST', '/handoffs/h1/return', {}],
  ['POST', '/handoffs/h1/complete', {}],
  ['GET', '/complaints'],
  ['GET', '/complaints/c1'],
  ['PATCH', '/complaints/c1/answers', { key: 'plaintiff.name', value: '张三' }],
  ['POST', '/complaints/c1/finish', {}],
  ['POST', '/complaints/c1/filed', {}],
  ['POST', '/complaints/c1/archive', {}],
  ['GET', '/complaints/c1/document.html'],
  ['GET', '/accounts'],
  ['POST', '/accounts', { username: 'x', password: 'y' }],
  ['PATCH', '/accounts/x', { disabled: true }],
  ['GET', '/audit'],
  ['GET', '/no-such-route'],
];

const PASSWORD = 'correct horse battery';

let server: TestServer;
let staff: StaffAccounts;

beforeAll(async () => {
  // A generous limit here; the rate limit has its own server below.
  server = await startTestServer({ CLERK_LOGIN_ATTEMPTS: '100' });
  // A second handle on the accounts file, as the command line would have.
  staff = new StaffAccounts(await openAccounts(server.dataDir));
  await staff.add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
  await staff.add({ username: 'admin', password: PASSWORD, role: 'admin', displayName: '李管理员' });
});

afterAll(async () => {
  await server?.stop();
});

describe('clerk API without a session', () => {
  it('answers 401 on every route but sign-in, with or without a made-up cookie', async () => {
    for (const cookie of [undefined, 'clerk_session=made-up-session-id']) {
      for (const [method, route, body] of ROUTES) {
        const res = await api(server.baseUrl)(method, route, body, cookie ? { cookie } : {});
        expect(res.status, `${method} ${route}`).toBe(401);
        expect(res.json?.error, `${method} ${route}`).toBe('not-signed-in');
        expect(res.json?.message['zh-CN']).toBeTruthy();
        expect(res.json?.message['en-US']).toBeTruthy();
      }
    }
  });
});

describe('sign-in', () => {
  it('sets an httpOnly, SameSite=Strict cookie for the API only, without Secure over plain http', async () => {
    const who = await login(server.baseUrl, 'Wang', PASSWORD);
    expect(who.setCookie).toMatch(/^clerk_session=[A-Za-z0-9_-]{43};/);
    expect(who.setCookie).toMatch(/HttpOnly/i);
    expect(who.setCookie).toMatch(/SameSite=Strict/i);
    expect(who.setCookie).toMatch(/Path=\/api\/clerk/);
    expect(who.setCookie).not.toMatch(/Secure/i);
    const me = await api(server.baseUrl, who)('GET', '/me');
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ username: 'wang', displayName: '王书记员', role: 'clerk', csrfToken: who.csrf });
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure behind an https proxy on this machine', async () => {
    const res = await fetch(`${server.baseUrl}/api/clerk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'wang', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const post = (body: unknown) => api(server.baseUrl)('POST', '/login', body);
    const unknown = await post({ username: 'nobody', password: PASSWORD });
    const wrong = await post({ username: 'wang', password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
    expect(wrong.json.error).toBe('bad-credentials');
  });

  it('accepts JSON only, so a cross-site form cannot sign a browser in', async () => {
    const res = await fetch(`${server.baseUrl}/api/clerk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=wang&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.status).toBe(415);
    await res.text();
  });

  it('ends the session on sign-out', async () => {
    const who = await login(server.baseUrl, 'wang', PASSWORD);
    const out = await api(server.baseUrl, who)('POST', '/logout', {});
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/clerk_session=;/);
    expect((await api(server.baseUrl, who)('GET', '/me')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses every change without the session token, or with a wrong one (403)', async () => {
    const who = await login(server.baseUrl, 'admin', PASSWORD);
    const changes = ROUTES.filter(([method, route]) => method !== 'GET' && route !== '/no-such-route');
    for (const token of [undefined, 'a-wrong-token', (await login(server.baseUrl, 'wang', PASSWORD)).csrf]) {
      for (const [method, route, body] of changes) {
        const res = await fetch(`${server.baseUrl}/api/clerk${route}`, {
          method,
          headers: { 'content-type': 'application/json', cookie: who.cookie, ...(token ? { 'x-csrf-token': token } : {}) },
          body: JSON.stringify(body),
        });
        expect(res.status, `${method} ${route} with ${token ?? 'no token'}`).toBe(403);
        expect(((await res.json()) as { error: string }).error).toBe('csrf');
      }
    }
    // Still signed in: the refused sign-out did nothing.
    expect((await api(server.baseUrl, who)('GET', '/me')).status).toBe(200);
  });
});

describe('roles', () => {
  it('keeps account management and the audit log to admins', async () => {
    const clerk = api(server.baseUrl, await login(server.baseUrl, 'wang', PASSWORD));
    for (const [method, route, body] of [['GET', '/accounts'], ['POST', '/accounts', { username: 'zhao', password: PASSWORD }], ['PATCH', '/accounts/wang', { disabled: true }], ['GET', '/audit']] as const) {
      const res = await clerk(method, route, body);
      expect(res.status, `${method} ${route}`).toBe(403);
      expect(res.json.error).toBe('admin-only');
    }
  });

  it('lets an admin add and disable accounts; a disabled account loses its session at once', async () => {
    const admin = api(server.baseUrl, await login(server.baseUrl, 'admin', PASSWORD));
    const weak = await admin('POST', '/accounts', { username: 'zhao', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toBe('weak-password');
    const added = await admin('POST', '/accounts', { username: 'zhao', password: PASSWORD, displayName: '赵书记员' });
    expect(added.status).toBe(201);
    expect(added.json.account).toMatchObject({ username: 'zhao', displayName: '赵书记员', role: 'clerk', disabled: false });
    expect(added.json.account.passwordHash).toBeUndefined();
    expect((await admin('POST', '/accounts', { username: 'ZHAO', password: PASSWORD })).status).toBe(409);

    const zhaoSession = await login(server.baseUrl, 'zhao', PASSWORD);
    expect((await admin('PATCH', '/accounts/zhao', { disabled: true })).json.account.disabled).toBe(true);
    expect((await api(server.baseUrl, zhaoSession)('GET', '/me')).status).toBe(401);
    const again = await api(server.baseUrl)('POST', '/login', { username: 'zhao', password: PASSWORD });
    expect(again.status).toBe(401);

    const list = await admin('GET', '/accounts');
    expect(list.json.accounts.map((a: { username: string }) => a.username)).toEqual(['admin', 'wang', 'zhao']);
    expect(JSON.stringify(list.json)).not.toContain('scrypt');
    // The last admin cannot lock everyone out, and nobody disables themselves.
    expect((await admin('PATCH', '/accounts/admin', { disabled: true })).json.error).toBe('own-account');
    expect((await admin('PATCH', '/accounts/admin', { role: 'clerk' })).json.error).toBe('last-admin');
  });
});

describe('complaints and the audit log', () => {
  it('edits answers with the field types, finishes, marks filed, searches, and audits every view and change without the data', async () => {
    const complaints = server.assembled.store.complaints;
    const draft = await complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
    await complaints.update(draft.id, (r) => {
      r.answers['plaintiff.kind'] = 'person';
      r.answers['plaintiff.name'] = '张秀兰';
    });
    const other = await complaints.create({ locale: 'en-US', caseType: 'wage-arrears' });
    await complaints.update(other.id, (r) => {
      r.answers['plaintiff.kind'] = 'person';
      r.answers['plaintiff.name'] = 'Li Ming';
    });
    const wang = api(server.baseUrl, await login(server.baseUrl, 'wang', PASSWORD));

    const opened = await wang('GET', `/complaints/${draft.id}`);
    expect(opened.status).toBe(200);
    const name = opened.json.draft.fields.find((f: { key: string }) => f.key === 'plaintiff.name');
    expect(name).toMatchObject({ type: 'name', required: true, value: '张秀兰', label: { 'zh-CN': expect.any(String), 'en-US': expect.any(String) } });
    const kind = opened.json.draft.fields.find((f: { key: string }) => f.key === 'plaintiff.kind');
    expect(kind.choices.map((c: { value: string }) => c.value)).toEqual(['person', 'organization']);
    expect(opened.json.draft.missing).toContain('plaintiff.idNumber');

    const bad = await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'plaintiff.idNumber', value: '123' });
    expect(bad.status).toBe(422);
    expect(bad.json.message['zh-CN']).toMatch(/身份证/);
    expect(bad.json.message['en-US']).toMatch(/ID/);
    expect((await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'no.such', value: 'x' })).status).toBe(400);

    const edited = await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'plaintiff.idNumber', value: '11010519491231002X' });
    expect(edited.status).toBe(200);
    const stored = await complaints.get(draft.id);
    expect(stored?.answers).toMatchObject({ 'plaintiff.idNumber': '11010519491231002X', 'plaintiff.birthDate': '1949-12-31', 'plaintiff.gender': 'female' });
    expect(stored?.derived).toEqual(expect.arrayContaining(['plaintiff.birthDate', 'plaintiff.gender']));
    const birth = edited.json.draft.fields.find((f: { key: string }) => f.key === 'plaintiff.birthDate');
    expect(birth).toMatchObject({ derived: true, display: { 'zh-CN': '1949年12月31日' } });
    const amount = await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'loan.amount', value: '五万元' });
    expect(amount.status).toBe(200);
    expect((await complaints.get(draft.id))?.answers['loan.amount']).toBe(50000);

    expect((await wang('POST', `/complaints/${draft.id}/filed`, {})).json.error).toBe('not-finished');
    const incomplete = await wang('POST', `/complaints/${draft.id}/finish`, {});
    expect(incomplete.status).toBe(409);
    expect(incomplete.json.error).toBe('incomplete');
    expect(incomplete.json.missing.length).toBeGreaterThan(0);
    const finished = await wang('POST', `/complaints/${draft.id}/finish`, { force: true });
    expect(finished.status).toBe(200);
    expect(finished.json.documentUrl).toMatch(/\/documents\/[A-Za-z0-9_-]{43}\/complaint\.html$/);
    const doc = await wang('GET', `/complaints/${draft.id}/document.html`);
    expect(doc.status).toBe(200);
    expect(doc.text).toContain('张秀兰');
    expect(doc.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await wang('POST', `/complaints/${draft.id}/filed`, {})).json.draft.status).toBe('filed');
    expect((await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'plaintiff.name', value: '李四' })).json.error).toBe('already-filed');
    expect((await wang('POST', `/complaints/${draft.id}/finish`, { force: true })).json.error).toBe('already-filed');

    const byName = await wang('GET', `/complaints?q=${encodeURIComponent('秀兰')}`);
    expect(byName.json.items.map((i: { id: string }) => i.id)).toEqual([draft.id]);
    expect(byName.json.items[0]).toMatchObject({ plaintiffName: '张秀兰', status: 'filed', caseType: 'private-loan' });
    const byCode = await wang('GET', `/complaints?q=${other.resumeCode}`);
    expect(byCode.json.items.map((i: { id: string }) => i.id)).toEqual([other.id]);
    const drafts = await wang('GET', '/complaints?status=draft');
    expect(drafts.json.items.map((i: { id: string }) => i.id)).toContain(other.id);
    expect(drafts.json.items.map((i: { id: string }) => i.id)).not.toContain(draft.id);
    const all = await wang('GET', '/complaints?pageSize=1&page=2');
    expect(all.json).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(all.json.items.map((i: { id: string }) => i.id)).toEqual([draft.id]);
    expect((await wang('GET', '/complaints?from=2000-01-01&to=2000-12-31')).json.total).toBe(0);
    expect((await wang('GET', '/complaints?from=yesterday')).status).toBe(400);

    const admin = api(server.baseUrl, await login(server.baseUrl, 'admin', PASSWORD));
    const audit = await admin('GET', `/audit?recordId=${draft.id}`);
    expect(audit.status).toBe(200);
    const actions = audit.json.events.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining([
      'wang complaint-view', 'wang answer-edit', 'wang complaint-finish', 'wang document-open', 'wang complaint-filed',
    ]));
    expect(audit.json.events[0].at >= audit.json.events.at(-1).at).toBe(true);
    const edits = audit.json.events.filter((e: { action: string }) => e.action === 'answer-edit');
    expect(edits.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['plaintiff.idNumber', 'loan.amount']));
    const signIns = await admin('GET', '/audit?action=sign-in&actor=wang');
    expect(signIns.json.total).toBeGreaterThan(0);
    expect((await admin('GET', '/audit?action=complaint-search')).json.total).toBeGreaterThan(0);

    // The log names records and fields, never what the filer said.
    const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    for (const secret of ['张秀兰', '秀兰', '11010519491231002X', '50000', 'Li Ming', PASSWORD]) expect(log).not.toContain(secret);
  });
});

describe('the console page', () => {
  it('is served with a strict CSP and no inline script', async () => {
    for (const url of ['/clerk', '/clerk/']) {
      const res = await fetch(`${server.baseUrl}${url}`);
      expect(res.status, url).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const html = await res.text();
      expect(html).toMatch(/<script src="\/clerk\/clerk\.js"/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/style=/);
    }
    const script = await fetch(`${server.baseUrl}/clerk/clerk.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('X-CSRF-Token');
    const style = await fetch(`${server.baseUrl}/clerk/clerk.css`);
    expect(style.status).toBe(200);
    await style.text();
    const escape = await fetch(`${server.baseUrl}/clerk/%2e%2e/package.json`);
    expect(escape.status).not.toBe(200);
    await escape.text();
  });
});

describe('rate limit', () => {
  it('stops wrong passwords per username and per address, answering 429 even to the right password', async () => {
    const limited = await startTestServer();
    try {
      const accounts = new StaffAccounts(await openAccounts(limited.dataDir));
      await accounts.add({ username: 'wang', password: PASSWORD });
      await accounts.add({ username: 'liu', password: PASSWORD });
      const post = (username: string, password: string) => api(limited.baseUrl)('POST', '/login', { username, password });
      // A good sign-in does not count.
      expect((await post('wang', PASSWORD)).status).toBe(200);
      for (let i = 0; i < 5; i += 1) expect((await post('wang', `wrong password ${i}`)).status).toBe(401);
      const blocked = await post('wang', PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.json.error).toBe('too-many-attempts');
      expect(blocked.json.message['zh-CN']).toMatch(/15分钟/);
      // The same address trying another name is stopped too.
      expect((await post('liu', PASSWORD)).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});
