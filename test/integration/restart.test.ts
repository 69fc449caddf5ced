import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONVERSATIONS_COLLECTION, CONVERSATIONS_FILE, type StoredConversation } from '../../src/channels/directline/index.js';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts, openStore } from '../../src/store/index.js';
import { DirectLineTestClient } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const folders: string[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restart-'));
  folders.push(dir);
  return dir;
}

/** Starts the app on `dataDir`; stop() leaves the folder for the next start. */
async function start(dataDir: string): Promise<TestServer> {
  const server = await startTestServer({ DATA_DIR: dataDir });
  servers.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
}

/** Every file under `dir`, read whole. */
async function everyFile(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const found: { file: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    found.push({ file, bytes: await readFile(file) });
  }
  return found;
}

/** What a WebSocket upgrade is answered with: 101 when it opens, else the HTTP status. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

const onPort = (url: string, baseUrl: string) => {
  const moved = new URL(url);
  moved.port = new URL(baseUrl).port;
  return moved.toString();
};

describe('Direct Line across a restart', () => {
  it('lets a filer reconnect with their token and go on at the same question, losing nothing', async () => {
    const dataDir = await dataFolder();
    const before = await start(dataDir);
    const client = new DirectLineTestClient(before.baseUrl, 'zh-CN');
    await client.start();
    for (const answer of ['借钱不还', '个人', '我叫张三']) await client.say(answer);
    expect(client.lastAsk()?.field).toBe('plaintiff.idNumber');
    const heard = client.received.length;
    const watermark = client.watermark;
    const { streamUrl: oldStreamUrl } = await client.reconnect();
    await stop(before);

    const after = await start(dataDir);
    client.baseUrl = after.baseUrl;
    // As botframework-directlinejs reconnects: GET the conversation with its watermark, then
    // open the new stream URL; a refreshed token works as well as the old one.
    const reconnected = await client.reconnect();
    expect(reconnected.status).toBe(200);
    expect(await upgradeStatus(reconnected.streamUrl!)).toBe(101);
    // A stream URL handed out before the restart is spent for good, used or not.
    expect(await upgradeStatus(onPort(oldStreamUrl!, after.baseUrl))).toBe(403);
    expect(await client.refresh()).toBe(200);
    expect(await client.poll()).toEqual([]);
    expect(client.watermark).toBe(watermark);

    await client.say('11010519491231002X');
    expect(client.received.length).toBeGreaterThan(heard);
    expect(client.lastAsk()?.field).toBe('plaintiff.ethnicity');
    const [draft] = await after.assembled.store.complaints.list();
    expect(draft?.answers).toMatchObject({ 'plaintiff.name': '张三', 'plaintiff.idNumber': '11010519491231002X' });
  });

  it('after a crash cut a turn off, the bot says its question again and the filer answers that', async () => {
    const dataDir = await dataFolder();
    const before = await start(dataDir);
    const client = new DirectLineTestClient(before.baseUrl, 'zh-CN');
    await client.start();
    await client.say('借钱不还');
    expect(client.lastAsk()?.field).toBe('plaintiff.kind');
    // The answer is posted, but the filer never gets to read the reply.
    const posted = await fetch(`${before.baseUrl}/v3/directline/conversations/${client.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: '个人', locale: 'zh-CN', from: { id: 'filer' } }),
    });
    expect(posted.status).toBe(200);
    const echoId = ((await posted.json()) as { id: string }).id;
    await stop(before);

    // What a kill -9 can leave: the bot's state has moved on to the next question, but the
    // conversation's record was last written when the turn began (the filer's answer, turn open).
    const store = await openStore(dataDir);
    const conversations = await store.openCollection<StoredConversation>(CONVERSATIONS_FILE, CONVERSATIONS_COLLECTION);
    const record = conversations.get(client.conversationId)!;
    const echoAt = record.log.findIndex((a) => a?.id === echoId);
    expect(echoAt).toBeGreaterThan(0);
    conversations.set(client.conversationId, { ...record, log: record.log.slice(0, echoAt + 1), turnOpen: true });
    await conversations.commit();
    await store.close();

    const after = await start(dataDir);
    client.baseUrl = after.baseUrl;
    expect((await client.reconnect()).status).toBe(200);
    const missed = await client.poll();
    expect(missed).toHaveLength(1);
    expect(missed[0]!.channelData?.ask?.field).toBe('plaintiff.name');
    await client.say('我叫张三');
    expect(client.lastAsk()?.field).toBe('plaintiff.idNumber');
    const [draft] = await after.assembled.store.complaints.list();
    expect(draft?.answers).toMatchObject({ 'plaintiff.kind': 'person', 'plaintiff.name': '张三' });
  });
});

describe('clerk sessions across a restart', () => {
  it('keep a clerk signed in until a sign-out, and store neither the session id nor the CSRF token', async () => {
    const dataDir = await dataFolder();
    await new StaffAccounts(await openAccounts(dataDir)).add({ username: 'wang', password: 'correct horse battery', displayName: '王书记员' });
    const before = await start(dataDir);
    const signIn = await fetch(`${before.baseUrl}/api/clerk/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'wang', password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const sessionId = decodeURIComponent(cookie.split('=')[1]!);
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    await stop(before);

    for (const { file, bytes } of await everyFile(dataDir)) {
      expect(bytes.includes(sessionId), file).toBe(false);
      expect(bytes.includes(csrfToken), file).toBe(false);
    }

    const after = await start(dataDir);
    const me = await fetch(`${after.baseUrl}/api/clerk/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(csrfToken);
    const refused = await fetch(`${after.baseUrl}/api/clerk/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': 'wrong' } });
    expect(refused.status).toBe(403);
    const signOut = await fetch(`${after.baseUrl}/api/clerk/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(signOut.status).toBe(204);
    await stop(after);

    const again = await start(dataDir);
    expect((await fetch(`${again.baseUrl}/api/clerk/me`, { headers: { cookie } })).status).toBe(401);
  });
});
