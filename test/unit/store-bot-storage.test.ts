import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConversationState, TestAdapter } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { durableRecordFiles } from '../support/durable.js';
import { ETagConflictError, openStore, type Store } from '../../src/store/index.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-bot-'));
  store = await openStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** What DATA_DIR/bot-state/ holds (with the journal over it), one file per key, read back into one object. */
async function botFile(): Promise<{ version: number; items: Record<string, Record<string, unknown>> }> {
  const records: Array<{ key: string; seq: number; value: Record<string, unknown> }> = [];
  for (const bytes of (await durableRecordFiles(dir, 'bot-state')).values()) {
    const parsed = JSON.parse(bytes.toString('utf8')) as { version: number; key: string; seq: number; value: Record<string, unknown> };
    expect(parsed.version).toBe(1);
    records.push(parsed);
  }
  records.sort((a, b) => a.seq - b.seq);
  return { version: 1, items: Object.fromEntries(records.map((r) => [r.key, r.value])) };
}

describe('botbuilder Storage over the store', () => {
  it('writes items to disk with an eTag and reads them back, leaving out missing keys', async () => {
    await store.botStorage.write({ a: { count: 1 }, b: { name: '张三' } });
    const items = await store.botStorage.read(['a', 'missing', 'b']);
    expect(Object.keys(items).sort()).toEqual(['a', 'b']);
    expect(items['a']).toMatchObject({ count: 1 });
    expect(items['b']).toMatchObject({ name: '张三' });
    expect(typeof items['a'].eTag).toBe('string');
    expect(items['a'].eTag).not.toBe('');
    expect('missing' in items).toBe(false);

    const onDisk = await botFile();
    expect(onDisk.version).toBe(1);
    expect(onDisk.items['a']).toEqual({ count: 1, eTag: items['a'].eTag });
    expect(onDisk.items['b']).toMatchObject({ name: '张三' });
  });

  it('gives a fresh eTag on every write', async () => {
    await store.botStorage.write({ k: { v: 1 } });
    const first = (await store.botStorage.read(['k']))['k'].eTag as string;
    await store.botStorage.write({ k: { v: 1 } });
    const second = (await store.botStorage.read(['k']))['k'].eTag as string;
    expect(second).not.toBe(first);
  });

  it('compare-and-swaps on a given eTag and throws on a stale one', async () => {
    await store.botStorage.write({ k: { v: 1 } });
    const read1 = (await store.botStorage.read(['k']))['k'];
    await store.botStorage.write({ k: { ...read1, v: 2 } });
    const read2 = (await store.botStorage.read(['k']))['k'];
    expect(read2.v).toBe(2);

    // read1's eTag is now stale: the write must fail and leave v = 2.
    await expect(store.botStorage.write({ k: { ...read1, v: 3 } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await store.botStorage.read(['k']))['k']).toEqual(read2);
    expect((await botFile()).items['k']).toEqual(read2);
  });

  it('throws when an eTag other than * is given for an item that does not exist', async () => {
    await expect(store.botStorage.write({ nope: { v: 1, eTag: 'abc' } })).rejects.toThrow(/nope/);
    expect(await store.botStorage.read(['nope'])).toEqual({});
  });

  it('lets * and a missing eTag write unconditionally', async () => {
    await store.botStorage.write({ k: { v: 1 } });
    const stale = (await store.botStorage.read(['k']))['k'];
    await store.botStorage.write({ k: { v: 2 } });
    await store.botStorage.write({ k: { ...stale, v: 3, eTag: '*' } });
    expect((await store.botStorage.read(['k']))['k'].v).toBe(3);
    await store.botStorage.write({ fresh: { v: 4, eTag: '*' } });
    expect((await store.botStorage.read(['fresh']))['fresh'].v).toBe(4);
  });

  it('applies nothing from a batch in which one item conflicts', async () => {
    await store.botStorage.write({ k: { v: 1 } });
    await expect(store.botStorage.write({ other: { v: 9 }, k: { v: 2, eTag: 'stale' } })).rejects.toThrow(ETagConflictError);
    expect(await store.botStorage.read(['other'])).toEqual({});
    expect((await store.botStorage.read(['k']))['k'].v).toBe(1);
  });

  it('deletes items, from memory and from disk', async () => {
    await store.botStorage.write({ a: { v: 1 }, b: { v: 2 } });
    await store.botStorage.delete(['a', 'never-there']);
    expect(Object.keys(await store.botStorage.read(['a', 'b']))).toEqual(['b']);
    expect(Object.keys((await botFile()).items)).toEqual(['b']);
  });

  it('copies values in and out', async () => {
    const value = { nested: { list: [1, 2] } };
    await store.botStorage.write({ k: value });
    value.nested.list.push(3);
    const read = (await store.botStorage.read(['k']))['k'];
    expect(read.nested.list).toEqual([1, 2]);
    read.nested.list.push(4);
    expect((await store.botStorage.read(['k']))['k'].nested.list).toEqual([1, 2]);
    expect('eTag' in value).toBe(false);
  });

  it('keeps a key named __proto__ as data', async () => {
    await store.botStorage.write({ ['__proto__']: { v: 1 } } as Record<string, unknown>);
    const items = await store.botStorage.read(['__proto__']);
    expect(Object.keys(items)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(items)).toBe(Object.prototype);
  });

  it('reloads items and eTags from disk in a second store on the same directory', async () => {
    await store.botStorage.write({ 'webchat/conversations/c1': { turn: 3 } });
    const before = await store.botStorage.read(['webchat/conversations/c1']);
    await store.close();

    store = await openStore(dir);
    const after = await store.botStorage.read(['webchat/conversations/c1']);
    expect(after).toEqual(before);
    // The reloaded eTag still guards the item.
    await store.botStorage.write({ 'webchat/conversations/c1': { ...after['webchat/conversations/c1'], turn: 4 } });
    await expect(
      store.botStorage.write({ 'webchat/conversations/c1': { ...after['webchat/conversations/c1'], turn: 5 } }),
    ).rejects.toThrow(ETagConflictError);
  });

  it("carries botbuilder's ConversationState across a restart", async () => {
    const run = async (s: Store): Promise<number[]> => {
      const state = new ConversationState(s.botStorage);
      const turns = state.createProperty<number>('turns');
      const seen: number[] = [];
      const adapter = new TestAdapter(async (context) => {
        const count = (await turns.get(context, 0)) + 1;
        seen.push(count);
        await turns.set(context, count);
        await state.saveChanges(context);
      });
      await adapter.send('你好');
      await adapter.send('again');
      return seen;
    };

    expect(await run(store)).toEqual([1, 2]);
    const onDisk = await botFile();
    const keys = Object.keys(onDisk.items);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\/conversations\//);
    expect(onDisk.items[keys[0]!]).toMatchObject({ turns: 2 });

    await store.close();
    store = await openStore(dir);
    expect(await run(store)).toEqual([3, 4]);
  });

  it('refuses use after close', async () => {
    await store.close();
    await expect(store.botStorage.read(['k'])).rejects.toThrow(/closed/);
  });
});
