/**
 * Archiving from the clerk API: session and CSRF as every change, finished or filed complaints
 * only, the filer's document link dead at once, out of the working list, audited without data,
 * and purged by retention RETENTION_ARCHIVED_DAYS later.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { clerkApi, clerkLogin } from '../support/clerk-api.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'clerk-password-1';
const DAY = 86_400_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await new StaffAccounts(await openAccounts(server.dataDir)).add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
});

afterAll(async () => {
  await server?.stop();
});

async function draftOf(name: string) {
  const { complaints } = server.assembled.store;
  const draft = await complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
  await complaints.update(draft.id, (r) => {
    r.answers['plaintiff.kind'] = 'person';
    r.answers['plaintiff.name'] = name;
  });
  return draft;
}

describe('archiving a complaint', () => {
  it('needs a session and the CSRF token, takes finished and filed complaints only, and kills the document link', async () => {
    const session = await clerkLogin(server.baseUrl, 'wang', PASSWORD);
    const wang = clerkApi(server.baseUrl, session);
    const draft = await draftOf('赵秀英');
    const finished = await wang('POST', `/complaints/${draft.id}/finish`, { force: true });
    expect(finished.status).toBe(200);
    const documentUrl = finished.json.documentUrl as string;
    expect((await fetch(documentUrl)).status).toBe(200);

    // No session: 401. A session without its token, or with another's: 403, and nothing changes.
    expect((await clerkApi(server.baseUrl)('POST', `/complaints/${draft.id}/archive`, {})).status).toBe(401);
    const noToken = await wang('POST', `/complaints/${draft.id}/archive`, {}, { 'x-csrf-token': '' });
    expect(noToken.status).toBe(403);
    expect(noToken.json.error).toBe('csrf');
    expect((await wang('POST', `/complaints/${draft.id}/archive`, {}, { 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await server.assembled.store.complaints.get(draft.id))?.status).toBe('finished');

    // A draft is not archived: it is purged by itself when abandoned.
    const stillDraft = await draftOf('钱小红');
    const refused = await wang('POST', `/complaints/${stillDraft.id}/archive`, {});
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: 'not-archivable', message: { 'zh-CN': expect.stringContaining('归档'), 'en-US': expect.stringContaining('archived') } });
    expect((await wang('POST', '/complaints/no-such-id/archive', {})).status).toBe(404);

    const archived = await wang('POST', `/complaints/${draft.id}/archive`, {});
    expect(archived.status).toBe(200);
    expect(archived.json.draft).toMatchObject({ id: draft.id, status: 'archived', archivedAt: expect.any(String) });

    // The capability link is revoked at once, in every form.
    for (const url of [documentUrl, documentUrl.replace(/\.html$/, '.txt'), documentUrl.replace(/\.html$/, '.pdf')]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(404);
      await res.text();
    }
    const stored = await server.assembled.store.complaints.get(draft.id);
    expect(stored?.documentToken).toBeUndefined();
    expect(stored?.documentExpiresAt).toBeUndefined();

    // Done with: no more changes, a second archive says so.
    expect((await wang('POST', `/complaints/${draft.id}/archive`, {})).json.error).toBe('archived');
    expect((await wang('PATCH', `/complaints/${draft.id}/answers`, { key: 'plaintiff.name', value: '李四' })).json.error).toBe('archived');
    expect((await wang('POST', `/complaints/${draft.id}/finish`, { force: true })).json.error).toBe('archived');
    expect((await wang('POST', `/complaints/${draft.id}/filed`, {})).json.error).toBe('archived');

    // Out of the working list; found when asked for, and still readable by a clerk.
    const working = await wang('GET', '/complaints');
    expect(working.json.items.map((i: { id: string }) => i.id)).toEqual([stillDraft.id]);
    const asked = await wang('GET', '/complaints?status=archived');
    expect(asked.json.items).toEqual([expect.objectContaining({ id: draft.id, status: 'archived', plaintiffName: '赵秀英' })]);
    expect((await wang('GET', `/complaints/${draft.id}`)).json.draft.status).toBe('archived');

    // A filed complaint is archived the same way.
    const filedDraft = await draftOf('孙建国');
    await wang('POST', `/complaints/${filedDraft.id}/finish`, { force: true });
    expect((await wang('POST', `/complaints/${filedDraft.id}/filed`, {})).json.draft.status).toBe('filed');
    expect((await wang('POST', `/complaints/${filedDraft.id}/archive`, {})).json.draft.status).toBe('archived');

    const { events } = await server.assembled.store.audit.list({ action: 'complaint-archived' });
    expect(events.map((e) => ({ actor: e.actor, recordType: e.recordType, recordId: e.recordId, outcome: e.outcome }))).toEqual([
      { actor: 'wang', recordType: 'complaint', recordId: filedDraft.id, outcome: undefined },
      { actor: 'wang', recordType: 'complaint', recordId: draft.id, outcome: undefined },
    ]);
    const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    for (const secret of ['赵秀英', '孙建国', '钱小红', documentUrl.split('/').at(-2)!]) expect(log).not.toContain(secret);
  });

  it('keeps archived complaints for RETENTION_ARCHIVED_DAYS (365 by default), then purges them with an audit event', async () => {
    const { retention, store } = server.assembled;
    const archivedIds = (await store.complaints.list()).filter((r) => r.status === 'archived').map((r) => r.id);
    expect(archivedIds).toHaveLength(2);
    expect((await retention.runOnce(new Date(Date.now() + 364 * DAY))).archivedPurged).toBe(0);
    expect((await retention.runOnce(new Date(Date.now() + 366 * DAY))).archivedPurged).toBe(2);
    for (const id of archivedIds) expect(await store.complaints.get(id)).toBeUndefined();
    const { events } = await store.audit.list({ action: 'complaint-purged', actor: 'system' });
    expect(events.map((e) => e.recordId).sort()).toEqual([...archivedIds].sort());
  });
});
