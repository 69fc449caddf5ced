/**
 * Retention on the real server: a filer starts a draft over Direct Line, sends a photo and asks
 * for a person; a clerk takes them and gives them back; a month later nothing of it is left
 * on disk but the audit log's note that it was purged.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { clerkApi, clerkLogin } from '../support/clerk-api.js';
import { DirectLineTestClient } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'clerk-password-1';
const DAY = 86_400_000;
/** The first bytes of a PNG: what the upload route judges a photo by. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ OFFICE_DAYS: '1-7', OFFICE_TIME: '00:00-24:00' });
  await new StaffAccounts(await openAccounts(server.dataDir)).add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
});

afterAll(async () => {
  await server?.stop();
});

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await filesUnder(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** Data files (not the audit log, which names purged records by design) holding `needle`. */
async function dataFilesMentioning(needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(server.dataDir)) {
    if (path.basename(file) === 'audit.jsonl') continue;
    if ((await readFile(file)).includes(needle)) hits.push(path.relative(server.dataDir, file));
  }
  return hits;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

describe('retention on the running server', () => {
  let filer: DirectLineTestClient;
  let complaintId = '';
  let fileId = '';
  let handoffId = '';

  it('a draft with a photo and a clerk handoff, purged a month later: record, upload, handoff and transcript gone; one audit event', async () => {
    const { store, retention, handoff } = server.assembled;
    filer = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await filer.start();
    await filer.say('借钱不还');
    await filer.say('个人');
    await filer.say('张三');
    const draft = (await store.complaints.list()).find((r) => r.answers['plaintiff.name'] === '张三');
    expect(draft?.status).toBe('draft');
    complaintId = draft!.id;

    // The photo goes through the upload route as Web Chat sends it, and joins the draft.
    const form = new FormData();
    form.append('activity', new Blob([JSON.stringify({
      type: 'message', from: { id: 'filer', role: 'user' }, locale: 'zh-CN', text: '这是借条', channelData: { clientActivityID: 'photo-1' },
    })], { type: 'application/vnd.microsoft.activity' }));
    form.append('file', new Blob([PNG], { type: 'image/png' }), '借条.png');
    const uploaded = await fetch(`${server.baseUrl}/v3/directline/conversations/${filer.conversationId}/upload?userId=filer`, {
      method: 'POST', headers: { authorization: `Bearer ${filer.token}` }, body: form,
    });
    expect(uploaded.status).toBe(200);
    await uploaded.text();
    await filer.poll();
    const evidence = (await store.complaints.get(complaintId))?.evidence ?? [];
    expect(evidence).toHaveLength(1);
    fileId = evidence[0]!.fileId;
    expect(await exists(path.join(server.dataDir, 'uploads', fileId))).toBe(true);

    expect((await filer.say('转人工')).some((a) => a.channelData?.handoff?.state === 'queued')).toBe(true);
    const waiting = (await handoff.queue()).find((e) => e.complaintId === complaintId);
    expect(waiting?.state).toBe('queued');
    handoffId = waiting!.id;

    const aMonthLater = () => new Date(Date.now() + 31 * DAY);
    // While the filer waits for a clerk nothing is purged, however old the draft.
    expect(await retention.runOnce(aMonthLater())).toEqual({ draftsPurged: 0, archivedPurged: 0 });

    const wang = clerkApi(server.baseUrl, await clerkLogin(server.baseUrl, 'wang', PASSWORD));
    expect((await wang('POST', `/handoffs/${handoffId}/accept`, {})).status).toBe(200);
    expect((await wang('POST', `/handoffs/${handoffId}/messages`, { text: '您好，我是王书记员。' })).status).toBe(204);
    expect((await wang('POST', `/handoffs/${handoffId}/return`, {})).status).toBe(200);
    expect(await dataFilesMentioning(handoffId)).not.toEqual([]);

    expect(await retention.runOnce(aMonthLater())).toEqual({ draftsPurged: 1, archivedPurged: 0 });
    expect(await store.complaints.get(complaintId)).toBeUndefined();
    expect(await handoff.get(handoffId)).toBeUndefined();
    expect(await exists(path.join(server.dataDir, 'uploads', fileId))).toBe(false);
    expect(await exists(path.join(server.dataDir, 'uploads', `${fileId}.json`))).toBe(false);
    // The handoff with its transcript is in no data file any more.
    expect(await dataFilesMentioning(handoffId)).toEqual([]);

    const { events } = await store.audit.list({ recordId: complaintId, action: 'draft-purged' });
    expect(events).toEqual([{ at: expect.any(String), actor: 'system', action: 'draft-purged', recordType: 'complaint', recordId: complaintId }]);
    const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(log).not.toContain('张三');
  });

  it('the conversation state that pointed at the purged draft is gone, and the filer starts afresh', async () => {
    expect(complaintId).not.toBe('');
    expect(await dataFilesMentioning(complaintId)).toEqual([]);
    const replies = await filer.say('你好');
    expect(replies.length).toBeGreaterThan(0);
    expect(filer.lastAsk()?.field).toBe('caseType');
  });
});
