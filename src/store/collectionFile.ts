import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { forEachLimited, isTempFile, replaceFileSynced, syncDirectory } from './durable.js';
import { looksSealed } from './cipher.js';
import type { Collection, DataCipher } from './types.js';
import { StoreClosedError, StoreFileError } from './errors.js';
import type { Journal } from './journal.js';

export { StoreClosedError, StoreFileError } from './errors.js';

/** The format written by this module; a newer number on disk means a newer program wrote it. */
export const FILE_FORMAT_VERSION = 1;

/** Files read or written at once: enough to keep the disk busy, far below the handle limit. */
const IO_PARALLEL = 32;

export interface CollectionOptions {
  /** Where commits are made durable: the store's one write-ahead log for every collection. */
  journal: Journal;
  /** Seals every record file (DATA_KEY); unsealed files are read and sealed at opening. */
  cipher?: DataCipher | undefined;
}

/** One record on disk: `DIR/<name>.json`. The key is inside, so any key can be stored. */
interface RecordFile {
  version: number;
  key: string;
  /** Creation order, so that values() keeps insertion order across a reload. */
  seq: number;
  value: unknown;
}

const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/**
 * Ids (UUIDs, codes) name their own file, which helps whoever looks at the folder; other
 * keys (botbuilder's `directline/conversations/<id>/`) would need escaping and may be long,
 * so they are named by a hash.
 */
export function recordFileName(key: string): string {
  if (PLAIN_NAME.test(key) && !key.endsWith('.tmp')) return `${key}.json`;
  return `~${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`;
}

/** `complaints.json` → `complaints`: the folder that replaced the single file of format 1. */
export function collectionDirName(fileName: string): string {
  return fileName.endsWith('.json') ? fileName.slice(0, -'.json'.length) : fileName;
}

/**
 * One keyed collection of JSON values kept in memory and persisted as one file per record
 * in a folder (`DATA_DIR/complaints/<id>.json`), so that a turn writes only the records it
 * changed, however many the court has.
 *
 * Repositories see only keys and values (get/set/delete, then `commit`), never the files.
 *
 * Changes are applied to memory synchronously, so two callers can never interleave a
 * read-modify-write; `commit` then serializes the changed records at once and appends them
 * to the store's journal, which makes them durable with the other collections' commits of
 * the moment (one append and one fdatasync) and later writes them to the record files.
 */
export class CollectionFile<T> implements Collection<T> {
  /** The folder holding the records. */
  readonly file: string;
  readonly #items: Map<string, T>;
  readonly #seq: Map<string, number>;
  readonly #cipher: DataCipher | undefined;
  readonly #journal: Journal;
  #nextSeq: number;
  /** Keys set or deleted since the last commit. */
  readonly #dirty = new Set<string>();
  /** Appends not yet settled: a commit with nothing new to write resolves once they are on disk. */
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  private constructor(dir: string, items: Map<string, T>, seq: Map<string, number>, options: CollectionOptions) {
    this.file = dir;
    this.#items = items;
    this.#seq = seq;
    this.#cipher = options.cipher;
    this.#journal = options.journal;
    this.#nextSeq = Math.max(0, ...seq.values()) + 1;
  }

  /**
   * Opens (or creates) the collection `name` in `dataDir/<fileName without .json>/`. A
   * single file `dataDir/fileName` of the earlier layout is moved into the folder first.
   * A record that does not parse, or cannot be opened with the cipher, rejects with
   * StoreFileError naming it. The journal has written out what a crash left before this.
   */
  static async open<T>(dataDir: string, fileName: string, name: string, options: CollectionOptions): Promise<CollectionFile<T>> {
    await mkdir(dataDir, { recursive: true });
    const dir = path.resolve(dataDir, collectionDirName(fileName));
    const legacy = path.resolve(dataDir, fileName);
    if (legacy !== dir) await migrateSingleFile(legacy, dir, name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { journal } = options;
    const { items, seq, unsealed } = await readRecords<T>(dir, options.cipher, journal.pendingFor(dir), !journal.writingOut);
    const collection = new CollectionFile<T>(dir, items, seq, options);
    if (options.cipher && unsealed.length > 0) {
      // Files written before DATA_KEY was set are sealed now, not at their next change.
      for (const key of unsealed) collection.#dirty.add(key);
      await collection.commit();
    }
    return collection;
  }

  /** The stored value itself: callers copy before handing it out. */
  get(key: string): T | undefined {
    this.#assertOpen();
    return this.#items.get(key);
  }

  has(key: string): boolean {
    this.#assertOpen();
    return this.#items.has(key);
  }

  set(key: string, value: T): void {
    this.#assertOpen();
    if (!this.#seq.has(key)) this.#seq.set(key, this.#nextSeq++);
    this.#items.set(key, value);
    this.#dirty.add(key);
  }

  delete(key: string): boolean {
    this.#assertOpen();
    this.#seq.delete(key);
    const existed = this.#items.delete(key);
    if (existed) this.#dirty.add(key);
    return existed;
  }

  /** Stored values in insertion order (creation order survives a reload). */
  values(): IterableIterator<T> {
    this.#assertOpen();
    return this.#items.values();
  }

  keys(): IterableIterator<string> {
    this.#assertOpen();
    return this.#items.keys();
  }

  /** Resolves once everything set or deleted before this call is on disk. */
  commit(): Promise<void> {
    this.#assertOpen();
    if (this.#dirty.size === 0) return Promise.all(this.#inFlight).then(() => undefined);
    const keys = [...this.#dirty];
    this.#dirty.clear();
    // Serialized now: the append holds exactly what memory holds at this call.
    const changes = keys.map((key) => ({ dir: this.file, name: recordFileName(key), data: this.#encode(key) }));
    const appended = this.#journal.append(changes).catch((error: unknown) => {
      // Memory keeps the change; the keys go back to dirty so the next commit saves them, and
      // the caller learns that it is not on disk yet.
      for (const key of keys) this.#dirty.add(key);
      throw error;
    });
    this.#inFlight.add(appended);
    appended.then(() => this.#inFlight.delete(appended), () => this.#inFlight.delete(appended));
    return appended;
  }

  /** Waits for this collection's appends; later calls throw StoreClosedError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#inFlight);
  }

  /** The bytes of a record's file, or null when the record was deleted. */
  #encode(key: string): Buffer | null {
    if (!this.#items.has(key)) return null;
    const record: RecordFile = { version: FILE_FORMAT_VERSION, key, seq: this.#seq.get(key) ?? 0, value: this.#items.get(key) };
    const plain = Buffer.from(JSON.stringify(record));
    return this.#cipher ? this.#cipher.seal(plain) : plain;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreFileError(file, `could not be read (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Reads every record file of `dir`, with `pending` (the journal's changes not yet written out,
 * by file name) over them. Temp files are removed unless the journal is writing records out
 * right now (they could be its own); otherwise they are writes a crash cut short.
 */
async function readRecords<T>(
  dir: string,
  cipher: DataCipher | undefined,
  pending: ReadonlyMap<string, Buffer | null>,
  removeTemps: boolean,
): Promise<{ items: Map<string, T>; seq: Map<string, number>; unsealed: string[] }> {
  const names = new Set(await readdir(dir));
  for (const name of pending.keys()) names.add(name);
  const found: Array<{ key: string; seq: number; value: T; sealed: boolean }> = [];
  const temps: string[] = [];
  await forEachLimited([...names], IO_PARALLEL, async (name) => {
    if (isTempFile(name)) {
      temps.push(name);
      return;
    }
    if (!name.endsWith('.json')) return;
    const file = path.join(dir, name);
    let bytes: Buffer;
    if (pending.has(name)) {
      const newer = pending.get(name);
      if (!newer) return;
      bytes = newer;
    } else {
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new StoreFileError(file, `could not be read (${(error as Error).message})`, { cause: error });
      }
    }
    const sealed = cipher ? cipher.isSealed(bytes) : looksSealed(bytes);
    if (sealed && !cipher) throw new StoreFileError(file, 'is encrypted; start the server with the DATA_KEY that wrote it');
    let text: string;
    try {
      text = (sealed && cipher ? cipher.open(bytes) : bytes).toString('utf8');
    } catch (error) {
      throw new StoreFileError(file, `cannot be decrypted with DATA_KEY or DATA_KEY_PREVIOUS (${(error as Error).message})`, { cause: error });
    }
    const record = parseRecord(file, text);
    if (recordFileName(record.key) !== name) throw new StoreFileError(file, `holds the key "${record.key}", which belongs in another file`);
    found.push({ key: record.key, seq: record.seq, value: record.value as T, sealed });
  });
  // A temp file is a write that never finished; the record's own file still holds the last
  // acknowledged state.
  if (removeTemps) await Promise.all(temps.map((name) => rm(path.join(dir, name), { force: true })));
  found.sort((a, b) => a.seq - b.seq);
  const items = new Map<string, T>();
  const seq = new Map<string, number>();
  const unsealed: string[] = [];
  for (const entry of found) {
    items.set(entry.key, entry.value);
    seq.set(entry.key, entry.seq);
    if (!entry.sealed) unsealed.push(entry.key);
  }
  return { items, seq, unsealed };
}

function parseRecord(file: string, text: string): RecordFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // JSON.parse's message quotes the file's text, which may be a filer's data: not repeated.
    throw new StoreFileError(file, 'is not valid JSON', { cause: error });
  }
  if (!isPlainObject(raw)) throw new StoreFileError(file, 'does not hold a JSON object');
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new StoreFileError(file, 'has no format "version"');
  if (version > FILE_FORMAT_VERSION) {
    throw new StoreFileError(file, `was written in format ${version} by a newer version of this program (this one reads up to ${FILE_FORMAT_VERSION})`);
  }
  const { key, seq, value } = raw;
  if (typeof key !== 'string') throw new StoreFileError(file, 'has no "key"');
  if (typeof seq !== 'number' || !Number.isFinite(seq)) throw new StoreFileError(file, 'has no "seq"');
  if (!isPlainObject(value)) throw new StoreFileError(file, 'holds a "value" that is not an object');
  return { version, key, seq, value };
}

/**
 * Moves a collection from the single file of the first layout (`complaints.json`) into its
 * folder. The records are written to `<dir>.migrating`, which becomes the folder by one
 * rename, and only then is the single file removed: a crash at any point leaves either the
 * old file or the whole folder.
 */
async function migrateSingleFile(legacy: string, dir: string, name: string): Promise<void> {
  if (!(await exists(legacy))) return;
  if (await exists(dir)) {
    // The folder is only ever created whole (by rename) after its records are on disk, so
    // the old file left beside it is one a crash kept from being removed.
    await unlink(legacy);
    await syncDirectory(path.dirname(legacy));
    return;
  }
  let raw: unknown;
  try {
    const text = await readFile(legacy, 'utf8');
    raw = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) throw new StoreFileError(legacy, 'is not valid JSON', { cause: error });
    throw new StoreFileError(legacy, `could not be read (${(error as Error).message})`, { cause: error });
  }
  const entries = parseSingleFile(legacy, name, raw);
  const staging = `${dir}.migrating`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  let seq = 0;
  const records = entries.map(([key, value]) => ({ key, data: JSON.stringify({ version: FILE_FORMAT_VERSION, key, seq: ++seq, value } satisfies RecordFile) }));
  await forEachLimited(records, IO_PARALLEL, ({ key, data }) => replaceFileSynced(path.join(staging, recordFileName(key)), data));
  await syncDirectory(staging);
  await rename(staging, dir);
  await syncDirectory(path.dirname(dir));
  await unlink(legacy);
  await syncDirectory(path.dirname(legacy));
}

/** The first layout: `{ "version": 1, "<collection>": { "<key>": value, ... } }`. */
function parseSingleFile(file: string, name: string, raw: unknown): Array<[string, unknown]> {
  if (!isPlainObject(raw)) throw new StoreFileError(file, `does not hold a JSON object with "${name}"`);
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new StoreFileError(file, 'has no format "version"');
  if (version > FILE_FORMAT_VERSION) {
    throw new StoreFileError(file, `was written in format ${version} by a newer version of this program (this one reads up to ${FILE_FORMAT_VERSION})`);
  }
  const entries = raw[name];
  if (!isPlainObject(entries)) throw new StoreFileError(file, `has no "${name}" object`);
  const result: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(entries)) {
    if (!isPlainObject(value)) throw new StoreFileError(file, `holds an entry "${key}" in "${name}" that is not an object`);
    result.push([key, value]);
  }
  return result;
}
