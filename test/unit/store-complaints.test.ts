import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { durableRecordFiles } from '../support/durable.js';
import { openStore, StoreFileError, UnknownComplaintError, type ComplaintRecord, type Store } from '../../src/store/index.js';

let dir: string;
let store: Store | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-complaints-'));
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function open(options?: Parameters<typeof openStore>[1]): Promise<Store> {
  store = await openStore(dir, options);
  return store;
}

/** One file per complaint: DATA_DIR/complaints/<id>.json holding { version, key, seq, value } (or the journal, until written out). */
async function complaintsOnDisk(): Promise<Record<string, ComplaintRecord>> {
  const found: Record<string, ComplaintRecord> = {};
  for (const [name, bytes] of await durableRecordFiles(dir, 'complaints')) {
    const parsed = JSON.parse(bytes.toString('utf8')) as { version: number; key: string; value: ComplaintRecord };
    expect(parsed.version).toBe(1);
    expect(name).toBe(`${parsed.key}.json`);
    found[parsed.key] = parsed.value;
  }
  return found;
}

/** A clock that moves one second per reading, so timestamps differ predictably. */
function tickingClock(start = Date.UTC(2025, 2, 1, 8, 0, 0)): () => Date {
  let t = start;
  return () => new Date((t += 1000) - 1000);
}

describe('ComplaintRepository', () => {
  it('creates a draft with id, a six-digit resume code, timestamps and empty parts, on disk', async () => {
    const s = await open({ now: tickingClock() });
    const record = await s.complaints.create({ locale: 'zh-CN' });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.resumeCode).toMatch(/^\d{6}$/);
    expect(record).toMatchObject({
      caseType: null,
      status: 'draft',
      locale: 'zh-CN',
      answers: {},
      derived: [],
      skipped: [],
      groups: {},
      clerkNeeds: [],
      createdAt: '2025-03-01T08:00:00.000Z',
      updatedAt: '2025-03-01T08:00:00.000Z',
    });
    expect(record.documentToken).toBeUndefined();
    expect((await complaintsOnDisk())[record.id]).toEqual(record);

    const loan = await s.complaints.create({ locale: 'en-US', caseType: 'private-loan' });
    expect(loan).toMatchObject({ caseType: 'private-loan', locale: 'en-US' });
    expect(loan.id).not.toBe(record.id);
  });

  it('gets by id and lists in creation order; unknown ids give undefined', async () => {
    const s = await open();
    const a = await s.complaints.create({ locale: 'zh-CN' });
    const b = await s.complaints.create({ locale: 'en-US' });
    expect(await s.complaints.get(b.id)).toEqual(b);
    expect(await s.complaints.get('no-such-id')).toBeUndefined();
    expect((await s.complaints.list()).map((r) => r.id)).toEqual([a.id, b.id]);
  });

  it('updates a copy, sets updatedAt, persists before resolving and returns the new record', async () => {
    const s = await open({ now: tickingClock() });
    const created = await s.complaints.create({ locale: 'zh-CN' });
    const updated = await s.complaints.update(created.id, (r) => {
      r.caseType = 'private-loan';
      r.answers['plaintiff.name'] = '王秀英';
      r.answers['loan.amount'] = 50000;
      r.groups['defendant'] = 2;
      r.clerkNeeds.push({ reason: 'asked', at: '2025-03-01T08:00:05.000Z' });
    });
    expect(updated.updatedAt).toBe('2025-03-01T08:00:01.000Z');
    expect(updated.createdAt).toBe(created.createdAt);
    expect(updated.answers).toEqual({ 'plaintiff.name': '王秀英', 'loan.amount': 50000 });
    expect((await complaintsOnDisk())[created.id]).toEqual(updated);
    expect(await s.complaints.get(created.id)).toEqual(updated);
  });

  it('throws a clear error for an unknown id and leaves the store alone when the change throws', async () => {
    const s = await open();
    await expect(s.complaints.update('missing', () => {})).rejects.toThrow(UnknownComplaintError);
    await expect(s.complaints.update('missing', () => {})).rejects.toThrow(/missing/);

    const created = await s.complaints.create({ locale: 'zh-CN' });
    await expect(
      s.complaints.update(created.id, (r) => {
        r.answers['x'] = 'half done';
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await s.complaints.get(created.id)).toEqual(created);
  });

  it('refuses an async change and a change of id', async () => {
    const s = await open();
    const created = await s.complaints.create({ locale: 'zh-CN' });
    await expect(s.complaints.update(created.id, async (r) => { r.caseType = 'lease'; })).rejects.toThrow(/synchronous/);
    await expect(s.complaints.update(created.id, (r) => { r.id = 'other'; })).rejects.toThrow(/id/);
    expect(await s.complaints.get(created.id)).toEqual(created);
  });

  it('hands out copies: mutating a returned record does not change the store', async () => {
    const s = await open();
    const created = await s.complaints.create({ locale: 'zh-CN' });
    created.answers['plaintiff.name'] = 'tampered';
    const got = await s.complaints.get(created.id);
    expect(got?.answers).toEqual({});
    got!.status = 'finished';
    (await s.complaints.list())[0]!.skipped.push('x');
    expect(await s.complaints.get(created.id)).toMatchObject({ status: 'draft', skipped: [] });
  });

  it('finds drafts by resume code, but not finished complaints', async () => {
    const s = await open();
    const a = await s.complaints.create({ locale: 'zh-CN' });
    const b = await s.complaints.create({ locale: 'zh-CN' });
    expect((await s.complaints.findByResumeCode(a.resumeCode))?.id).toBe(a.id);
    expect((await s.complaints.findByResumeCode(` ${b.resumeCode} `))?.id).toBe(b.id);
    await s.complaints.update(a.id, (r) => { r.status = 'finished'; });
    expect(await s.complaints.findByResumeCode(a.resumeCode)).toBeUndefined();
    expect(await s.complaints.findByResumeCode('000000')).toBeUndefined();
  });

  it('finds a complaint by its document token', async () => {
    const s = await open();
    const a = await s.complaints.create({ locale: 'zh-CN' });
    await s.complaints.create({ locale: 'zh-CN' });
    await s.complaints.update(a.id, (r) => {
      r.status = 'finished';
      r.documentToken = 'tok-abc';
    });
    expect((await s.complaints.findByDocumentToken('tok-abc'))?.id).toBe(a.id);
    expect(await s.complaints.findByDocumentToken('tok-other')).toBeUndefined();
    expect(await s.complaints.findByDocumentToken('')).toBeUndefined();
  });

  it('gives unique six-digit resume codes among drafts, retrying on a collision', async () => {
    // The source repeats 123456 before giving 654321: the second draft must not share it.
    const codes = [123456, 123456, 123456, 654321];
    const s = await open({ random: { int: () => codes.shift() ?? 111111 } });
    const first = await s.complaints.create({ locale: 'zh-CN' });
    const second = await s.complaints.create({ locale: 'zh-CN' });
    expect(first.resumeCode).toBe('123456');
    expect(second.resumeCode).toBe('654321');

    // A finished complaint frees its code for a new draft.
    await s.complaints.update(first.id, (r) => { r.status = 'finished'; });
    codes.push(123456);
    const third = await s.complaints.create({ locale: 'zh-CN' });
    expect(third.resumeCode).toBe('123456');
    expect((await s.complaints.findByResumeCode('123456'))?.id).toBe(third.id);
  });

  it('gives distinct six-digit codes with the real random source', async () => {
    const s = await open();
    const created = await Promise.all(Array.from({ length: 50 }, () => s.complaints.create({ locale: 'zh-CN' })));
    const codes = created.map((r) => r.resumeCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(await complaintsOnDisk())).toHaveLength(50);
  });

  it('stops with an error instead of looping when no free code turns up', async () => {
    const s = await open({ random: { int: () => 222222 } });
    await s.complaints.create({ locale: 'zh-CN' });
    await expect(s.complaints.create({ locale: 'zh-CN' })).rejects.toThrow(/resume code/);
    expect(await s.complaints.list()).toHaveLength(1);
  });

  it('lands all of 100 concurrent updates to one record, on disk', async () => {
    const s = await open();
    const created = await s.complaints.create({ locale: 'zh-CN' });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        s.complaints.update(created.id, (r) => {
          r.answers[`q${i}`] = i;
          r.skipped.push(`s${i}`);
        }),
      ),
    );
    expect(results[99]!.skipped).toHaveLength(100);
    const onDisk = (await complaintsOnDisk())[created.id]!;
    expect(Object.keys(onDisk.answers)).toHaveLength(100);
    expect(onDisk.skipped).toHaveLength(100);
    expect(onDisk.answers['q57']).toBe(57);
  });

  it('has every update on disk by the time it resolves, even while other writes run', async () => {
    const s = await open();
    const created = await s.complaints.create({ locale: 'zh-CN' });
    const pending = Array.from({ length: 20 }, (_, i) =>
      s.complaints.update(created.id, (r) => { r.answers[`k${i}`] = i; }).then(async () => {
        expect((await complaintsOnDisk())[created.id]!.answers[`k${i}`]).toBe(i);
      }),
    );
    await Promise.all(pending);
  });

  it('close waits for pending writes, and a second store reads them back', async () => {
    const s = await open();
    const created = await s.complaints.create({ locale: 'en-US' });
    // Not awaited on purpose: close() must wait for it.
    const pending = s.complaints.update(created.id, (r) => { r.answers['plaintiff.name'] = 'Li Ming'; });
    await s.close();
    await pending;
    await expect(s.complaints.get(created.id)).rejects.toThrow(/closed/);

    const reopened = await open();
    expect((await reopened.complaints.get(created.id))?.answers).toEqual({ 'plaintiff.name': 'Li Ming' });
    expect((await reopened.complaints.findByResumeCode(created.resumeCode))?.id).toBe(created.id);
  });
});

describe('openStore and its files', () => {
  it('creates the data directory and both collection folders when missing, even under NODE_ENV=test', async () => {
    const nested = path.join(dir, 'a', 'b');
    store = await openStore(nested);
    expect(await readdir(path.join(nested, 'complaints'))).toEqual([]);
    expect(await readdir(path.join(nested, 'bot-state'))).toEqual([]);
  });

  it('moves complaints.json and bot-state.json of the first layout into folders, keeping every record and resume code', async () => {
    const draft = { id: 'd1', caseType: 'private-loan', status: 'draft', locale: 'zh-CN', resumeCode: '123456', answers: { 'plaintiff.name': '张三' }, derived: [], skipped: [], groups: {}, clerkNeeds: [], createdAt: 'x', updatedAt: 'x' };
    const finished = { ...draft, id: 'f1', status: 'finished', resumeCode: '654321', documentToken: 'tok' };
    await writeFile(path.join(dir, 'complaints.json'), JSON.stringify({ version: 1, complaints: { f1: finished, d1: draft } }));
    await writeFile(path.join(dir, 'bot-state.json'), JSON.stringify({ version: 1, items: { 'directline/conversations/c1/': { eTag: '1', dialog: 'x' } } }));
    const s = await open();
    expect((await s.complaints.list()).map((r) => r.id)).toEqual(['f1', 'd1']);
    expect((await s.complaints.findByResumeCode('123456'))?.answers).toEqual({ 'plaintiff.name': '张三' });
    expect((await s.complaints.findByDocumentToken('tok'))?.id).toBe('f1');
    expect(await s.botStorage.read(['directline/conversations/c1/'])).toMatchObject({ 'directline/conversations/c1/': { dialog: 'x' } });
    await expect(readFile(path.join(dir, 'complaints.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(path.join(dir, 'bot-state.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await s.close();
    const again = await open();
    expect((await again.complaints.list()).map((r) => r.id)).toEqual(['f1', 'd1']);
  });

  it.each([
    ['not json at all'],
    ['{"version":1,"key":"a","seq":1,"value":'],
    ['{"version":99,"key":"a","seq":1,"value":{}}'],
    ['{"version":1,"key":"b","seq":1,"value":{}}'],
    ['{"version":1,"key":"a","seq":1,"value":[]}'],
    [''],
  ])('rejects a bad record file (%j), naming it, and leaves it unchanged', async (content) => {
    await mkdir(path.join(dir, 'complaints'));
    const file = path.join(dir, 'complaints', 'a.json');
    await writeFile(file, content, 'utf8');
    const error = await openStore(dir).then(
      () => { throw new Error('openStore should have rejected'); },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as StoreFileError).file).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it.each([
    ['complaints.json', '{"version":1,"complaints":{"x":'],
    ['bot-state.json', 'not json at all'],
    ['complaints.json', 'null'],
    ['complaints.json', '[]'],
    ['bot-state.json', '{"version":1}'],
    ['complaints.json', '{"version":99,"complaints":{}}'],
    ['complaints.json', ''],
  ])('rejects a bad %s (%j), naming it, and leaves it unchanged', async (name, content) => {
    const file = path.join(dir, name);
    await writeFile(file, content, 'utf8');
    const error = await openStore(dir).then(
      () => { throw new Error('openStore should have rejected'); },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as StoreFileError).file).toBe(file);
    expect((error as Error).message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(content);
  });
});
