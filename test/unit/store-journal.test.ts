import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreFileError } from '../../src/store/errors.js';
import { Journal, JOURNAL_DIR, replayJournal, type JournalChange } from '../../src/store/journal.js';

let dir: string;
const journals: Journal[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-journal-'));
});

afterEach(async () => {
  await Promise.all(journals.splice(0).map((j) => j.close().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

async function openJournal(options: Parameters<typeof Journal.open>[1] = {}): Promise<Journal> {
  const journal = await Journal.open(dir, options);
  journals.push(journal);
  return journal;
}

const folder = () => path.join(dir, 'things');
const put = (name: string, text: string): JournalChange => ({ dir: folder(), name, data: Buffer.from(text) });
const del = (name: string): JournalChange => ({ dir: folder(), name, data: null });

async function recordFiles(root = dir): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const names = await readdir(path.join(root, 'things')).catch(() => [] as string[]);
  for (const name of names) found[name] = await readFile(path.join(root, 'things', name), 'utf8');
  return found;
}

const segments = async (root = dir) => (await readdir(path.join(root, JOURNAL_DIR)).catch(() => [] as string[])).filter((n) => n.endsWith('.log'));

/** The folder as a power cut would leave it now: copied while the journal is still open. */
async function crashCopy(): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'store-journal-crash-'));
  await cp(dir, copy, { recursive: true });
  return copy;
}

describe('Journal: the store write-ahead log', () => {
  it('has every append durable once it resolves: a crash right after is replayed into the record files', async () => {
    const journal = await openJournal();
    await journal.append([put('a.json', 'A1'), put('b.json', 'B1')]);
    await journal.append([put('a.json', 'A2'), del('b.json'), put('c.json', 'C1')]);
    expect(await recordFiles()).toEqual({}); // not yet written out: the journal holds them
    const copy = await crashCopy();
    try {
      expect(await replayJournal(copy)).toBe(1);
      expect(await recordFiles(copy)).toEqual({ 'a.json': 'A2', 'c.json': 'C1' });
      expect(await segments(copy)).toEqual([]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('shares one write among appends made at once, each resolving, in order of the calls', async () => {
    const journal = await openJournal();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 300 }, (_, i) => journal.append([put(`k${i % 7}.json`, String(i))]).then(() => order.push(i))));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await journal.close();
    const files = await recordFiles();
    // The newest of each record wins: 293..299 are the last writes of k0..k6.
    expect(Object.keys(files)).toHaveLength(7);
    for (let k = 0; k < 7; k++) expect(Number(files[`k${k}.json`]) % 7).toBe(k);
    expect(Math.min(...Object.values(files).map(Number))).toBeGreaterThanOrEqual(293);
    expect(await segments()).toEqual([]);
  });

  it('replays up to a write a crash cut off, and ignores the torn tail', async () => {
    const journal = await openJournal();
    await journal.append([put('a.json', 'kept')]);
    const copy = await crashCopy();
    try {
      const [segment] = await segments(copy);
      const file = path.join(copy, JOURNAL_DIR, segment!);
      const whole = (await readFile(file)).length;
      // A second frame of which only part reached the disk.
      await appendFile(file, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
      await replayJournal(copy);
      expect(await recordFiles(copy)).toEqual({ 'a.json': 'kept' });

      // A frame whose bytes changed fails its checksum: it and what follows are not applied.
      await mkdir(path.join(copy, JOURNAL_DIR), { recursive: true });
      const bad = path.join(copy, JOURNAL_DIR, '000000000009.log');
      await writeFile(bad, await readFile(path.join(dir, JOURNAL_DIR, segment!)));
      await truncate(bad, whole);
      const bytes = await readFile(bad);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
      await writeFile(bad, bytes);
      await rm(path.join(copy, 'things'), { recursive: true });
      await replayJournal(copy);
      expect(await recordFiles(copy)).toEqual({});
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('refuses a segment that names a file outside the data folder, leaving it in place', async () => {
    const journal = await openJournal();
    await journal.append([{ dir: path.join(dir, 'things'), name: 'a.json', data: Buffer.from('x') }]);
    const copy = await crashCopy();
    try {
      const [segment] = await segments(copy);
      const file = path.join(copy, JOURNAL_DIR, segment!);
      // A frame as an edited segment could hold: folder "../escape", file "x.json".
      const dirBytes = Buffer.from('../escape');
      const nameBytes = Buffer.from('x.json');
      const payload = Buffer.concat([u16(dirBytes.length), dirBytes, u16(nameBytes.length), nameBytes, Buffer.from([1]), Buffer.from('x')]);
      const header = Buffer.alloc(8);
      header.writeUInt32LE(payload.length, 0);
      header.writeUInt32LE(crc32(payload), 4);
      await appendFile(file, Buffer.concat([header, payload]));
      const error = await replayJournal(copy).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreFileError);
      expect((error as StoreFileError).file).toBe(file);
      expect(await segments(copy)).toEqual([segment]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('closes a full segment and writes its records out in the background, deleting it', async () => {
    const journal = await openJournal({ segmentBytes: 200 });
    for (let i = 0; i < 40; i++) await journal.append([put(`k${i % 5}.json`, `value ${i}`)]);
    // Segments close every few appends; their write-outs run one at a time behind the appends.
    await expect.poll(async () => (await segments()).length, { timeout: 5000 }).toBeLessThanOrEqual(1);
    const files = await recordFiles();
    expect(Object.keys(files).length).toBeGreaterThan(0);
    await journal.close();
    expect(await recordFiles()).toEqual({
      'k0.json': 'value 35', 'k1.json': 'value 36', 'k2.json': 'value 37', 'k3.json': 'value 38', 'k4.json': 'value 39',
    });
    expect(await segments()).toEqual([]);
  });

  it('writes a quiet segment out once it is old, so the record files catch up without a restart', async () => {
    const journal = await openJournal({ segmentAgeMs: 100 });
    await journal.append([put('a.json', 'A')]);
    await expect.poll(async () => (await recordFiles())['a.json'], { timeout: 5000 }).toBe('A');
    await expect.poll(async () => (await segments()).length, { timeout: 5000 }).toBe(0);
  });

  it('writes old segments out under steady load too, while a flush is always running', async () => {
    const journal = await openJournal({ segmentAgeMs: 100 });
    let n = 0;
    let writing = true;
    const writer = async () => {
      while (writing) await journal.append([put(`k${n % 3}.json`, String(n++))]);
    };
    const writers = [writer(), writer(), writer()];
    try {
      await expect.poll(async () => Object.keys(await recordFiles()).length, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      writing = false;
      await Promise.all(writers);
    }
  });

  it('keeps a segment whose write-out failed, says so, and retries it', async () => {
    const failures: unknown[] = [];
    const journal = await openJournal({ segmentAgeMs: 100, onCheckpointError: (error) => failures.push(error) });
    // A folder where the record file should go: the rename over it fails.
    await mkdir(path.join(folder(), 'a.json', 'blocker'), { recursive: true });
    await journal.append([put('a.json', 'A')]);
    await expect.poll(() => failures.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect((await segments()).length).toBeGreaterThan(0);
    await rm(path.join(folder(), 'a.json'), { recursive: true });
    await expect.poll(async () => (await recordFiles())['a.json'], { timeout: 5000 }).toBe('A');
    await expect.poll(async () => (await segments()).length, { timeout: 5000 }).toBe(0);
  });

  it('starts numbering after the segments a crash left; refuses appends outside its folder or once closed', async () => {
    const first = await openJournal();
    await first.append([put('a.json', 'A')]);
    const copy = await crashCopy();
    try {
      const again = await Journal.open(copy);
      expect(() => again.append([put('b.json', 'B')])).toThrow(/outside/);
      await again.append([{ dir: path.join(copy, 'things'), name: 'b.json', data: Buffer.from('B') }]);
      expect(await segments(copy)).toEqual(['000000000002.log']);
      await again.close();
      expect(() => again.append([put('c.json', 'C')])).toThrow(/closed/);
      const files: Record<string, string> = {};
      for (const name of await readdir(path.join(copy, 'things'))) files[name] = await readFile(path.join(copy, 'things', name), 'utf8');
      expect(files).toEqual({ 'a.json': 'A', 'b.json': 'B' });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
