import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectionFile, recordFileName, StoreFileError } from '../../src/store/collectionFile.js';
import { Journal } from '../../src/store/journal.js';
import { AesGcmCipher, DataKeys } from '../../src/store/cipher.js';
import type { DataCipher } from '../../src/store/types.js';

let dir: string;
const opened: Array<CollectionFile<unknown>> = [];
let journal: Journal | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-collection-'));
});

afterEach(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

async function open<T = Record<string, unknown>>(options?: { cipher?: DataCipher }): Promise<CollectionFile<T>> {
  journal ??= await Journal.open(dir);
  const collection = await CollectionFile.open<T>(dir, 'things.json', 'things', { journal, ...options });
  opened.push(collection as CollectionFile<unknown>);
  return collection;
}

/** As the server stopping: the collections, then the journal, which writes every record to its file. */
async function stop(): Promise<void> {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await journal?.close();
  journal = undefined;
}

async function mtimes(): Promise<Map<string, number>> {
  const folder = path.join(dir, 'things');
  const times = new Map<string, number>();
  for (const name of await readdir(folder)) times.set(name, (await stat(path.join(folder, name))).mtimeMs);
  return times;
}

const testCipher: DataCipher = new AesGcmCipher(new DataKeys(randomBytes(32)));

describe('CollectionFile: one file per record', () => {
  it('writes only the records a commit changed', async () => {
    const things = await open();
    for (let i = 0; i < 50; i += 1) things.set(`k${i}`, { n: i });
    await things.commit();
    await stop();
    const before = await mtimes();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await open();
    again.set('k7', { n: 700 });
    await again.commit();
    await stop();
    const after = await mtimes();
    const changed = [...after].filter(([name, t]) => before.get(name) !== t).map(([name]) => name);
    expect(changed).toEqual(['k7.json']);
    expect(after.size).toBe(50);
  });

  it('keeps any key, in insertion order, across a reload; deleting removes the file', async () => {
    const keys = ['directline/conversations/abc/', '__proto__', '张三', 'a'.repeat(300), '../escape', 'x.tmp', 'plain-id'];
    const things = await open();
    keys.forEach((key, i) => things.set(key, { i }));
    things.set('gone', { i: -1 });
    await things.commit();
    expect(things.delete('gone')).toBe(true);
    things.set('__proto__', { i: 99 });
    await things.commit();
    await stop();

    const again = await open();
    expect([...again.keys()]).toEqual(keys);
    expect(again.get('__proto__')).toEqual({ i: 99 });
    expect(again.has('gone')).toBe(false);
    const names = await readdir(path.join(dir, 'things'));
    expect(names).toHaveLength(keys.length);
    for (const name of names) expect(name).toMatch(/^[~A-Za-z0-9_-][A-Za-z0-9_.-]*\.json$/);
    expect(recordFileName('../escape')).not.toContain('/');
  });

  it('resolves each of many commits made at once, all of them kept', async () => {
    const things = await open();
    const commits = Array.from({ length: 100 }, (_, i) => {
      things.set(`k${i}`, { i });
      return things.commit();
    });
    await Promise.all(commits);
    await stop();
    const again = await open();
    expect([...again.values()]).toHaveLength(100);
  });

  it('tells every commit of a change whose write failed, and writes it with the next commit', async () => {
    const things = await open();
    // A file where the journal's folder should be: its first segment cannot be created.
    await writeFile(path.join(dir, 'journal'), 'in the way');
    things.set('a', { v: 1 });
    const first = things.commit();
    // Nothing new to write, but the change before it is not on disk yet: this waits for it too.
    const second = things.commit();
    await expect(first).rejects.toBeInstanceOf(StoreFileError);
    await expect(second).rejects.toBeInstanceOf(StoreFileError);
    await rm(path.join(dir, 'journal'));
    await things.commit();
    await stop();
    expect((await open()).get('a')).toEqual({ v: 1 });
  });

  it('removes temp files of a write that never finished and keeps the record it was replacing', async () => {
    const things = await open();
    things.set('a', { v: 1 });
    await things.commit();
    await stop();
    const temp = path.join(dir, 'things', 'a.json.0b7c.tmp');
    await writeFile(temp, '{"version":1,"key":"a","seq":1,"val');
    const again = await open();
    expect(again.get('a')).toEqual({ v: 1 });
    expect(await readdir(path.join(dir, 'things'))).toEqual(['a.json']);
  });
});

describe('CollectionFile: the single file of the first layout', () => {
  it('is moved into the folder and removed', async () => {
    await writeFile(path.join(dir, 'things.json'), JSON.stringify({ version: 1, things: { b: { v: 2 }, a: { v: 1 } } }));
    const things = await open();
    expect([...things.keys()]).toEqual(['b', 'a']);
    await expect(stat(path.join(dir, 'things.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is migrated again when a crash left a half-written staging folder', async () => {
    await writeFile(path.join(dir, 'things.json'), JSON.stringify({ version: 1, things: { a: { v: 1 } } }));
    await mkdir(path.join(dir, 'things.migrating'));
    await writeFile(path.join(dir, 'things.migrating', 'junk.json'), 'half');
    const things = await open();
    expect([...things.keys()]).toEqual(['a']);
    await expect(stat(path.join(dir, 'things.migrating'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is only removed when the folder already exists (a crash came after the folder was complete)', async () => {
    await mkdir(path.join(dir, 'things'));
    await writeFile(path.join(dir, 'things', 'a.json'), JSON.stringify({ version: 1, key: 'a', seq: 1, value: { v: 'folder' } }));
    await writeFile(path.join(dir, 'things.json'), JSON.stringify({ version: 1, things: { a: { v: 'old file' } } }));
    const things = await open();
    expect(things.get('a')).toEqual({ v: 'folder' });
    await expect(stat(path.join(dir, 'things.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('that does not parse stops the opening and is left as it was', async () => {
    const file = path.join(dir, 'things.json');
    await writeFile(file, '{"version":1,"things":{"a":');
    await expect(open()).rejects.toBeInstanceOf(StoreFileError);
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"things":{"a":');
    await expect(stat(path.join(dir, 'things'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('CollectionFile with a cipher', () => {
  it('seals every record, reads it back, and seals plain records at opening', async () => {
    const plain = await open();
    plain.set('old', { name: '张三' });
    await plain.commit();
    await stop();

    const sealed = await open({ cipher: testCipher });
    expect(sealed.get('old')).toEqual({ name: '张三' });
    sealed.set('new', { name: '李四' });
    await sealed.commit();
    await stop();
    for (const name of await readdir(path.join(dir, 'things'))) {
      const bytes = await readFile(path.join(dir, 'things', name));
      expect(testCipher.isSealed(bytes)).toBe(true);
      expect(bytes.toString('utf8')).not.toContain('张三');
    }
    const again = await open({ cipher: testCipher });
    expect([...again.values()]).toEqual([{ name: '张三' }, { name: '李四' }]);
  });

  it('refuses sealed records without the key, naming the file and leaving it', async () => {
    const sealed = await open({ cipher: testCipher });
    sealed.set('a', { v: 1 });
    await sealed.commit();
    await stop();
    const file = path.join(dir, 'things', 'a.json');
    const bytes = await readFile(file);
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as StoreFileError).file).toBe(file);
    expect((error as Error).message).toMatch(/DATA_KEY/);
    expect(await readFile(file)).toEqual(bytes);
  });
});
