import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDataKeyCommand } from '../../src/cli/data-key-commands.js';
import { StaffAccounts } from '../../src/clerk/index.js';
import { createLogger } from '../../src/log.js';
import { openAccounts } from '../../src/store/index.js';
import { clerkApi, clerkLogin } from '../support/clerk-api.js';
import { DirectLineTestClient, play, type BotActivity } from '../support/directline-client.js';
import { PRIVATE_LOAN_ZH } from '../support/scripts.js';
import { startTestServer, type TestServer } from '../support/server.js';

/*
 * Issue 9: "With DATA_KEY: no name or ID number appears in plain text anywhere under DATA_DIR",
 * and the log never holds them either. One filer goes through everything that stores personal
 * data: the whole loan interview, a photo of the IOU, a clerk handoff with a transcript, a
 * home-visit booking and a spoken read-back; then every file under DATA_DIR is searched.
 */

const PASSWORD = 'clerk-password-1';
const NAME = '张三';
const ID_NUMBER = '11010519491231002X';
const PHONE = '13812345678';
const ADDRESS = '天津市北辰区果园新村街道富锦路12号3门101';
/** What the filer's phone calls the uploaded file: a name and an ID number, as people do. */
const UPLOAD_NAME = `${NAME}借条${ID_NUMBER}.pdf`;
const UPLOAD_BYTES = Buffer.from(`%PDF-1.4\n% IOU signed by ${ID_NUMBER}, phone ${PHONE}\n%%EOF\n`);

const SCRIPT = {
  ...PRIVATE_LOAN_ZH,
  'plaintiff.name': `我叫${NAME}`,
  'plaintiff.idNumber': ID_NUMBER,
  'plaintiff.address': ADDRESS,
  'plaintiff.phone': PHONE,
  // A person is asked for once the name and ID number are known: the transcript holds them.
  'plaintiff.ethnicity': ['转人工', '汉族'],
  // The filer cannot come to the court: a home visit to the same address and phone.
  'defendant.kind': ['我走不动，去不了法院', '个人'],
  'visit.address': ADDRESS,
  'visit.landmark': '小区门口有个超市',
  'visit.phone': PHONE,
  'visit.phoneConfirm': '对',
  'visit.slot': '1',
};

/** The secrets as they could sit in a file: UTF-8, UTF-16 both ways, JSON \u escapes, spaced digits. */
function forms(secret: string): Buffer[] {
  const utf16be = Buffer.from(secret, 'utf16le').swap16();
  const escaped = [...secret].map((c) => (c.charCodeAt(0) > 0x7f ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  return [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le'), utf16be, Buffer.from(escaped), Buffer.from(escaped.toUpperCase().replace(/\\U/g, '\\u'))];
}

const SECRETS: Record<string, string[]> = {
  name: [NAME],
  idNumber: [ID_NUMBER, '19491231002', ID_NUMBER.slice(0, 6)],
  phone: [PHONE, '138 1234 5678', '1234 5678'],
  // Not the district or the neighbourhood: those are in the visit calendar's list of served areas.
  address: [ADDRESS, '富锦路12号3门101'],
};

/** Every regular file under `dir` (relative path → bytes). */
async function everyFile(dir: string, prefix = ''): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [k, v] of await everyFile(dir, relative)) found.set(k, v);
    else if (entry.isFile()) found.set(relative, await readFile(path.join(dir, relative)));
  }
  return found;
}

/** Which secrets (by kind and form) appear in `bytes`. */
function leaks(bytes: Buffer): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(SECRETS)) {
    for (const value of values) {
      for (const form of forms(value)) if (bytes.includes(form)) found.push(`${kind} (${JSON.stringify(form.toString('latin1').slice(0, 24))})`);
    }
  }
  return found;
}

const key = randomBytes(32);
const logLines: string[] = [];
let dataDir: string;
let server: TestServer | undefined;
let client: DirectLineTestClient;
let handoffId = '';
let attachmentUrl = '';
let documentUrl = '';
let files: Map<string, Buffer>;
let finished: BotActivity | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'data-at-rest-'));
  const env = { DATA_DIR: dataDir, DATA_KEY: key.toString('base64'), OFFICE_DAYS: '1-7', OFFICE_TIME: '00:00-24:00', CLERK_LOGIN_ATTEMPTS: '100' };
  server = await startTestServer(env, { log: createLogger('trace', { write: (line: string) => { logLines.push(line); } }) });
  await new StaffAccounts(await openAccounts(dataDir)).add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });

  client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
  await client.start();
  // The photo first, as Web Chat sends it: the question is asked again and the file waits for the draft.
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({ type: 'message', from: { id: 'filer', role: 'user' }, locale: 'zh-CN', channelData: { clientActivityID: 'upload-1' } })], { type: 'application/vnd.microsoft.activity' }));
  form.append('file', new Blob([UPLOAD_BYTES], { type: 'application/pdf' }), UPLOAD_NAME);
  const uploaded = await fetch(`${server.baseUrl}/v3/directline/conversations/${client.conversationId}/upload?userId=filer`, {
    method: 'POST', headers: { authorization: `Bearer ${client.token}` }, body: form,
  });
  expect(uploaded.status).toBe(200);
  await client.poll();
  const transcript = await fetch(`${server.baseUrl}/v3/directline/conversations/${client.conversationId}/activities`, { headers: { authorization: `Bearer ${client.token}` } });
  const echoed = ((await transcript.json()) as { activities: { attachments?: { contentUrl?: string }[] }[] }).activities;
  attachmentUrl = echoed.flatMap((a) => a.attachments ?? []).find((a) => a.contentUrl)?.contentUrl ?? '';

  await play(client, SCRIPT);
  finished = client.received.at(-1);
  documentUrl = finished?.channelData?.complaint?.documentUrl ?? '';

  // The clerk takes the filer: both sides' words go into the stored transcript.
  const wang = clerkApi(server.baseUrl, await clerkLogin(server.baseUrl, 'wang', PASSWORD));
  const queue = (await wang('GET', '/queue')).json as { entries: { id: string }[] };
  handoffId = queue.entries[0]?.id ?? '';
  expect((await wang('POST', `/handoffs/${handoffId}/accept`, {})).status).toBe(200);
  expect((await wang('POST', `/handoffs/${handoffId}/messages`, { text: `${NAME}您好，您的电话是${PHONE}吗？` })).status).toBe(204);
  await client.say(`是的，我住${ADDRESS}`);

  // A spoken read-back of the ID number, as the kiosk asks for it; kept in the speech cache.
  if (server.assembled.speech.synthesis !== 'none') {
    const spoken = await fetch(`${server.baseUrl}/api/speech/synthesize`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ssml: `<speak version="1.0" xml:lang="zh-CN">${NAME}，身份证号${ID_NUMBER}，住${ADDRESS}</speak>`, locale: 'zh-CN' }),
    });
    expect(spoken.status).toBe(200);
  }
  await server.stop();
  server = undefined;
  files = await everyFile(dataDir);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('personal data at rest with DATA_KEY', () => {
  it('the run stored what the test searches: a finished complaint, an upload, a transcript, a visit', () => {
    expect(finished?.channelData?.complaint?.caseType).toBe('private-loan');
    expect(attachmentUrl).toMatch(/\/v3\/directline\/attachments\//);
    expect(handoffId).not.toBe('');
    expect(client.received.some((a) => (a.channelData as { visit?: { code: string } } | undefined)?.visit?.code)).toBe(true);
    expect([...files.keys()].some((f) => f.startsWith('uploads'))).toBe(true);
    // Staff accounts and the audit log stay plain for `npm run clerk`, which has no key: they
    // hold no filer data by design, which the search below checks along with everything else.
    expect(JSON.parse(files.get('accounts.json')!.toString('utf8'))).toHaveProperty('accounts.wang');
    expect(files.get('audit.jsonl')!.toString('utf8')).toContain('"action":"handoff-accept"');
  });

  it('no name, ID number, phone or address appears in any file under DATA_DIR, in any encoding', () => {
    const found: string[] = [];
    for (const [file, bytes] of files) for (const leak of leaks(bytes)) found.push(`${file}: ${leak}`);
    expect(found).toEqual([]);
    // The upload's own bytes are not there in the clear either.
    for (const [file, bytes] of files) expect(bytes.includes(Buffer.from('%PDF-')), file).toBe(false);
  });

  it('the log of the whole run never holds them', () => {
    const log = logLines.join('');
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(Buffer.from(log, 'utf8'))).toEqual([]);
  });

  it('after `npm run data-key -- rotate` the server reads everything with the new key alone', async () => {
    const newKey = randomBytes(32);
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) > 0 }, stderr: { write: (s: string) => out.push(s) > 0 }, env: { DATA_DIR: dataDir, DATA_KEY: newKey.toString('hex'), DATA_KEY_PREVIOUS: key.toString('base64') } };
    expect(await runDataKeyCommand(['rotate'], io), out.join('')).toBe(0);

    server = await startTestServer({ DATA_DIR: dataDir, DATA_KEY: newKey.toString('hex'), OFFICE_DAYS: '1-7', OFFICE_TIME: '00:00-24:00' });
    const here = (url: string) => `${server!.baseUrl}${new URL(url, server!.baseUrl).pathname}`;
    const document = await fetch(here(documentUrl));
    expect(document.status).toBe(200);
    expect(await document.text()).toContain(NAME);
    const attachment = await fetch(here(attachmentUrl));
    expect(Buffer.from(await attachment.arrayBuffer())).toEqual(UPLOAD_BYTES);
    const wang = clerkApi(server.baseUrl, await clerkLogin(server.baseUrl, 'wang', PASSWORD));
    const handoff = await wang('GET', `/handoffs/${handoffId}`);
    expect(handoff.status).toBe(200);
    expect(handoff.text).toContain(ADDRESS);
  });
});
