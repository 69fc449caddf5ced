import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TurnContext } from 'botbuilder';
import express from 'express';
import PDFDocument from 'pdfkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDirectLine,
  MAX_FILES_PER_MESSAGE,
  sniffEvidenceType,
  type DirectLine,
  type DirectLineOptions,
} from '../../src/channels/directline/index.js';
import { DiskFileStore, type FileStore } from '../../src/store/index.js';

const SECRET = 'upload-test-secret-0123456789abcdef';
const MAX_UPLOAD = 64 * 1024;

// ---------------------------------------------------------------- tiny valid files

/**
 * A 1×1 grey baseline JPEG: JFIF header, a flat quantisation table, one DC and one AC Huffman
 * table of a single one-bit code each, and one block whose DC difference is 0 and whose AC
 * part is end-of-block.
 */
function tinyJpeg(): Buffer {
  const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const huffman = (tableClass: number) => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0x00];
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
    ...segment(0xc4, huffman(0)),
    ...segment(0xc4, huffman(1)),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    // DC code "0" (difference 0), AC code "0" (end of block), padded with ones.
    0x3f,
    0xff, 0xd9,
  ]);
}

/** A one-page PDF written by pdfkit. */
function tinyPdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A6', compress: false, info: { CreationDate: new Date(0) } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text('IOU');
    doc.end();
  });
}

// ---------------------------------------------------------------- harness

interface Harness {
  base: string;
  directLine: DirectLine;
  files: FileStore;
  turns: Record<string, any>[];
  errors: object[];
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

async function startHarness(options: Partial<DirectLineOptions> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'directline-upload-'));
  const files = await DiskFileStore.open(dataDir);
  const turns: Record<string, any>[] = [];
  const errors: object[] = [];
  const bot = async (context: TurnContext) => {
    if (context.activity.type !== 'message') return;
    turns.push(JSON.parse(JSON.stringify(context.activity)));
    const rejected = (context.activity.channelData?.rejectedUploads ?? []) as unknown[];
    await context.sendActivity(`got ${context.activity.attachments?.length ?? 0}, refused ${rejected.length}`);
  };
  const directLine = createDirectLine({
    secret: SECRET,
    tokenKey: randomBytes(32),
    tokenTtlSeconds: 1800,
    files,
    maxUploadBytes: MAX_UPLOAD,
    bot,
    log: { info: () => {}, warn: () => {}, error: (obj) => errors.push(obj) },
    ...options,
  });
  const app = express();
  app.use('/v3/directline', directLine.router);
  app.use('/api', directLine.tokenRoute);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  running.push(async () => {
    await directLine.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${port}`, directLine, files, turns, errors };
}

async function startConversation(base: string): Promise<{ conversationId: string; token: string }> {
  const issued = await fetch(`${base}/api/directline/token`, { method: 'POST' });
  const { token } = (await issued.json()) as { token: string };
  const started = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return (await started.json()) as { conversationId: string; token: string };
}

/** A multipart body as Web Chat builds it: the activity as a blob, then each file under `file`. */
function webChatForm(activity: object | undefined, files: { bytes: Buffer; name: string; type: string }[]): FormData {
  const form = new FormData();
  if (activity) form.append('activity', new Blob([JSON.stringify(activity)], { type: 'application/vnd.microsoft.activity' }));
  for (const file of files) form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  return form;
}

async function upload(base: string, conversationId: string, token: string, body: FormData | string, headers: Record<string, string> = {}, query = '?userId=filer') {
  const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/upload${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function log(base: string, conversationId: string, token: string): Promise<any[]> {
  const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { activities: any[] }).activities;
}

const message = (clientActivityID: string, extra: object = {}) => ({
  type: 'message',
  from: { id: 'filer', role: 'user' },
  locale: 'zh-CN',
  text: '这是借条',
  channelData: { clientActivityID },
  // What Web Chat lists; the service replaces it with what it kept.
  attachments: [{ contentType: 'image/jpeg', name: '借条.jpg', thumbnailUrl: 'data:image/jpeg;base64,AAAA' }],
  ...extra,
});

// ---------------------------------------------------------------- tests

describe('Direct Line upload', () => {
  it('keeps a JPEG and a PDF, echoes them as attachments that serve the bytes, and runs the turn first', async () => {
    const h = await startHarness();
    const { conversationId, token } = await startConversation(h.base);
    const jpeg = tinyJpeg();
    const pdf = await tinyPdf();
    const res = await upload(h.base, conversationId, token, webChatForm(message('up-1'), [
      { bytes: jpeg, name: '借条.jpg', type: 'image/jpeg' },
      // The declared type is wrong; the first bytes decide.
      { bytes: pdf, name: 'transfer slip.pdf', type: 'application/octet-stream' },
    ]));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: `${conversationId}|0000000` });

    // The turn ran before the answer.
    expect(h.turns).toHaveLength(1);
    const activities = await log(h.base, conversationId, token);
    const echo = activities.find((a) => a.id === res.body.id);
    expect(echo).toMatchObject({
      type: 'message',
      text: '这是借条',
      from: { role: 'user' },
      channelData: { clientActivityID: 'up-1', rejectedUploads: [] },
    });
    expect(activities.at(-1)).toMatchObject({ text: 'got 2, refused 0', replyToId: res.body.id });
    expect(echo.attachments).toEqual([
      {
        contentType: 'image/jpeg', contentUrl: expect.stringMatching(/\/v3\/directline\/attachments\/[0-9a-f-]{36}$/), name: '借条.jpg',
        // Web Chat draws the filer's own photo only when it has a thumbnail: ours, not the client's data: URL.
        thumbnailUrl: expect.stringMatching(/\/v3\/directline\/attachments\/[0-9a-f-]{36}$/),
      },
      { contentType: 'application/pdf', contentUrl: expect.stringMatching(/\/v3\/directline\/attachments\/[0-9a-f-]{36}$/), name: 'transfer slip.pdf' },
    ]);
    expect(echo.attachments[0].thumbnailUrl).toBe(echo.attachments[0].contentUrl);
    const uploads = echo.channelData.uploads as { fileId: string; name: string; contentType: string; size: number }[];
    expect(uploads).toEqual([
      { fileId: expect.any(String), name: '借条.jpg', contentType: 'image/jpeg', size: jpeg.length },
      { fileId: expect.any(String), name: 'transfer slip.pdf', contentType: 'application/pdf', size: pdf.length },
    ]);
    // The bot saw the same activity.
    expect(h.turns[0]!.attachments).toEqual(echo.attachments);
    expect(h.turns[0]!.channelData.uploads).toEqual(uploads);

    for (const [i, bytes] of [jpeg, pdf].entries()) {
      const stored = await h.files.read(uploads[i]!.fileId);
      expect(stored?.bytes.equals(bytes)).toBe(true);
      const served = await fetch(echo.attachments[i].contentUrl);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
      expect(served.headers.get('content-type')).toBe(uploads[i]!.contentType);
      expect(served.headers.get('cache-control')).toBe('private, no-store');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-disposition')).toMatch(/^inline; filename="[^"]*"; filename\*=UTF-8''/);
    }
    expect(decodeURIComponent((await fetch(echo.attachments[0].contentUrl)).headers.get('content-disposition')!.split("UTF-8''")[1]!)).toBe('借条.jpg');
    expect(h.errors).toEqual([]);
  });

  it('refuses programs and text dressed up as photos, oversize files, and files beyond five, and still runs the turn', async () => {
    const h = await startHarness();
    const { conversationId, token } = await startConversation(h.base);
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), randomBytes(200)]);
    const text = Buffer.from('this is not a photo\n');
    const big = Buffer.concat([tinyJpeg(), Buffer.alloc(MAX_UPLOAD)]);
    const res = await upload(h.base, conversationId, token, webChatForm(message('up-2'), [
      { bytes: exe, name: 'photo.jpg', type: 'image/jpeg' },
      { bytes: text, name: 'note.jpg', type: 'image/jpeg' },
      { bytes: big, name: 'huge.jpg', type: 'image/jpeg' },
      ...Array.from({ length: MAX_FILES_PER_MESSAGE + 1 }, (_, i) => ({ bytes: tinyJpeg(), name: `p${i}.jpg`, type: 'image/jpeg' })),
    ]));
    expect(res.status).toBe(200);
    const echo = (await log(h.base, conversationId, token)).find((a) => a.id === res.body.id);
    expect(echo.channelData.rejectedUploads).toEqual([
      { name: 'photo.jpg', reason: 'type' },
      { name: 'note.jpg', reason: 'type' },
      { name: 'huge.jpg', reason: 'size' },
      { name: 'p5.jpg', reason: 'count' },
    ]);
    expect(echo.attachments.map((a: { name: string }) => a.name)).toEqual(['p0.jpg', 'p1.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg']);
    expect(echo.channelData.uploads).toHaveLength(MAX_FILES_PER_MESSAGE);
    expect(h.turns[0]!.channelData.rejectedUploads).toHaveLength(4);

    // Nothing but files: still a turn, so the bot can say why.
    const only = await upload(h.base, conversationId, token, webChatForm(undefined, [{ bytes: exe, name: 'setup.exe', type: 'application/x-msdownload' }]));
    expect(only.status).toBe(200);
    expect(h.turns[1]).toMatchObject({ type: 'message', locale: 'zh-CN', channelData: { uploads: [], rejectedUploads: [{ name: 'setup.exe', reason: 'type' }] } });
    expect(h.errors).toEqual([]);
  });

  it('answers 400 for bodies that are not multipart or cannot be read, 413 only for absurd sizes, never 500', async () => {
    const h = await startHarness();
    const { conversationId, token } = await startConversation(h.base);
    const json = await upload(h.base, conversationId, token, JSON.stringify(message('x')), { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('BadArgument');
    expect((await upload(h.base, conversationId, token, 'plain', { 'content-type': 'text/plain' })).status).toBe(400);
    const noBoundary = await upload(h.base, conversationId, token, 'x', { 'content-type': 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    const cutOff = await upload(h.base, conversationId, token, '--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc', {
      'content-type': 'multipart/form-data; boundary=b',
    });
    expect(cutOff.status).toBe(400);
    const badActivity = new FormData();
    badActivity.append('activity', new Blob(['{"type":'], { type: 'application/vnd.microsoft.activity' }));
    expect((await upload(h.base, conversationId, token, badActivity)).status).toBe(400);
    const typing = new FormData();
    typing.append('activity', JSON.stringify({ type: 'typing' }));
    expect((await upload(h.base, conversationId, token, typing)).status).toBe(400);

    // Far beyond five times the limit: refused whole, with Content-Length and without.
    const absurd = Buffer.alloc(5 * MAX_UPLOAD + 2 * 1024 * 1024);
    const declared = await upload(h.base, conversationId, token, webChatForm(message('x'), [{ bytes: absurd, name: 'a.jpg', type: 'image/jpeg' }]));
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('MessageSizeTooBig');
    expect(await chunkedUpload(h.base, conversationId, token, absurd)).toBe(413);

    // Nothing of the refused requests reached the bot, and the conversation still works.
    expect(h.turns).toHaveLength(0);
    const ok = await upload(h.base, conversationId, token, webChatForm(message('y'), [{ bytes: tinyJpeg(), name: 'a.jpg', type: 'image/jpeg' }]));
    expect(ok.status).toBe(200);
    expect(h.errors).toEqual([]);
  });

  it('checks credentials before reading, and lets only the secret name the sender', async () => {
    const h = await startHarness();
    const one = await startConversation(h.base);
    const other = await startConversation(h.base);
    const form = () => webChatForm(message('z'), [{ bytes: tinyJpeg(), name: 'a.jpg', type: 'image/jpeg' }]);
    expect((await upload(h.base, one.conversationId, other.token, form())).status).toBe(403);
    expect((await upload(h.base, one.conversationId, 'nonsense', form())).status).toBe(403);
    expect((await upload(h.base, 'unknown', SECRET, form())).status).toBe(404);

    const byToken = await upload(h.base, one.conversationId, one.token, form(), {}, '?userId=someone-else');
    expect(byToken.status).toBe(200);
    expect(h.turns[0]!.from.id).toMatch(/^dl_/);
    const bySecret = await upload(h.base, one.conversationId, SECRET, form(), {}, '?userId=clerk-7');
    expect(bySecret.status).toBe(200);
    expect(h.turns[1]!.from.id).toBe('clerk-7');
  });

  it('serves only uploaded evidence by its id; a client cannot claim uploads in a posted activity', async () => {
    const h = await startHarness();
    const { conversationId, token } = await startConversation(h.base);
    const missing = await fetch(`${h.base}/v3/directline/attachments/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${h.base}/v3/directline/attachments/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    // Something else in the same store (not a photo or PDF) is not served through here.
    const page = await h.files.save({ bytes: Buffer.from('<script>alert(1)</script>'), contentType: 'text/html', name: 'x.html' });
    expect((await fetch(`${h.base}/v3/directline/attachments/${page.id}`)).status).toBe(404);

    const forged = await fetch(`${h.base}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', text: 'hi',
        channelData: { clientActivityID: 'f', uploads: [{ fileId: page.id }], rejectedUploads: [{ name: 'x', reason: 'type' }] },
      }),
    });
    expect(forged.status).toBe(200);
    expect(h.turns[0]!.channelData).toEqual({ clientActivityID: 'f' });
  });
});

describe('sniffEvidenceType', () => {
  const ftyp = (major: string, ...compatible: string[]) => {
    const brands = [major, '\0\0\0\0', ...compatible].join('');
    const box = Buffer.alloc(8 + brands.length);
    box.writeUInt32BE(box.length, 0);
    box.write('ftyp', 4, 'latin1');
    box.write(brands, 8, 'latin1');
    return Buffer.concat([box, Buffer.alloc(16)]);
  };

  it('knows the photo and PDF formats by their first bytes', async () => {
    expect(sniffEvidenceType(tinyJpeg())).toBe('image/jpeg');
    expect(sniffEvidenceType(await tinyPdf())).toBe('application/pdf');
    expect(sniffEvidenceType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBe('image/png');
    expect(sniffEvidenceType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffEvidenceType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffEvidenceType(ftyp('heic', 'mif1', 'heic'))).toBe('image/heic');
    expect(sniffEvidenceType(ftyp('mif1', 'mif1', 'heic'))).toBe('image/heic');
    expect(sniffEvidenceType(ftyp('mif1', 'mif1'))).toBe('image/heif');
  });

  it('refuses everything else, including look-alikes', () => {
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8]),
      Buffer.from('MZ\x90\x00', 'latin1'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from('  %PDF-1.7'),
      Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
      ftyp('isom', 'isom', 'mp41'),
      ftyp('avif', 'mif1', 'avif'),
      ftyp('mif1', 'mif1', 'avif'),
    ]) {
      expect(sniffEvidenceType(bytes)).toBeUndefined();
    }
  });
});

/** An upload without Content-Length (chunked), as a streaming client may send it. */
function chunkedUpload(base: string, conversationId: string, token: string, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/v3/directline/conversations/${conversationId}/upload`);
    const req = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=b', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may close while we are still sending; the answer is what counts.
    req.on('error', (error) => reject(error));
    req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
    const piece = 64 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < payload.length) {
        const chunk = payload.subarray(offset, offset + piece);
        offset += piece;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end('\r\n--b--\r\n');
    };
    pump();
  });
}
