import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { writeDurably } from './files.js';

/** The format written by this module; a newer number on disk means a newer program wrote it. */
export const FILE_FORMAT_VERSION = 1;

/** On disk: `{ "version": 1, "<collection>": { "<key>": value, ... } }`. */
type FileShape = Record<string, unknown>;

/**
 * A data file that cannot be used as it is. The server stops with this message, and the
 * file is left exactly as found so that nobody's draft is lost to a fresh empty file.
 */
export class StoreFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `Data file ${file} ${problem}. It was left unchanged; repair it or move it away, then start again.`,
      options,
    );
    this.name = 'StoreFileError';
    this.file = file;
  }
}

export class StoreClosedError extends Error {
  constructor() {
    super('The store is closed; no more reads or writes are accepted.');
    this.name = 'StoreClosedError';
  }
}

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * One keyed collection of JSON values kept in memory and persisted to one JSON file
 * (read through lowdb's adapter, written by writeDurably).
 *
 * Repositories see only keys and values (get/set/delete, then `commit`), never the file,
 * so that storing one file per conversation or complaint later changes this class alone.
 *
 * Changes are applied to memory synchronously, so two callers can never interleave a
 * read-modify-write; `commit` then queues a write. Only one write per file runs at a
 * time, and every commit made while a write is running joins the single next write, which
 * snapshots memory when it starts: each commit resolves once a write that includes its
 * change is on disk, and 100 commits cost at most 2 writes beyond the first.
 */
export class CollectionFile<T> {
  readonly file: string;
  readonly #name: string;
  readonly #items: Map<string, T>;
  #running: Promise<void> | null = null;
  #next: Batch | null = null;
  #closed = false;

  private constructor(file: string, name: string, items: Map<string, T>) {
    this.file = file;
    this.#name = name;
    this.#items = items;
  }

  /**
   * Opens (or creates) `dataDir/fileName` holding the collection `name`. A file that does
   * not parse, or holds something other than this collection, rejects with StoreFileError.
   */
  static async open<T>(dataDir: string, fileName: string, name: string): Promise<CollectionFile<T>> {
    await mkdir(dataDir, { recursive: true });
    const file = path.resolve(dataDir, fileName);
    const emptyShape = { version: FILE_FORMAT_VERSION, [name]: {} };
    const db = new Low<FileShape>(new JSONFile<FileShape>(file), emptyShape);
    let exists: boolean;
    let raw: unknown;
    try {
      // The adapter answers null both for a missing file and for one holding `null`, and
      // Low.read() would then keep the defaults and overwrite the file on the next write:
      // look whether the file is there, and read through the adapter to see what it holds.
      exists = await stat(file).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      raw = exists ? await db.adapter.read() : null;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new StoreFileError(file, `is not valid JSON (${error.message})`, { cause: error });
      }
      throw new StoreFileError(file, `could not be read (${(error as Error).message})`, { cause: error });
    }
    const collection = new CollectionFile<T>(file, name, exists ? parseShape<T>(file, name, raw) : new Map());
    if (!exists) {
      // Writing the empty file now shows a permission or disk problem at start-up, not
      // in the middle of a filer's interview.
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
    this.#items.set(key, value);
  }

  delete(key: string): boolean {
    this.#assertOpen();
    return this.#items.delete(key);
  }

  /** Stored values in insertion order (creation order survives a reload). */
  values(): IterableIterator<T> {
    this.#assertOpen();
    return this.#items.values();
  }

  /** Resolves once everything set or deleted before this call is on disk. */
  commit(): Promise<void> {
    this.#assertOpen();
    if (!this.#next) this.#next = newBatch();
    const { promise } = this.#next;
    if (!this.#running) this.#running = this.#drain();
    return promise;
  }

  /** Waits for queued writes; later calls throw StoreClosedError. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next) {
        const batch = this.#next;
        this.#next = null;
        // Object.fromEntries defines own properties, so a key such as "__proto__" is
        // stored as data instead of changing the object's prototype.
        const data = { version: FILE_FORMAT_VERSION, [this.#name]: Object.fromEntries(this.#items) };
        try {
          // Not lowdb's write: it pretty-prints (a third more bytes and time to write the
          // whole file on every turn) and renames without fsync, so a power cut could lose a
          // write already acknowledged. Compact JSON, temp file, fsync, rename, fsync folder.
          await writeDurably(this.file, JSON.stringify(data));
          batch.resolve();
        } catch (error) {
          // Memory keeps the change, so the next successful write still saves it; the
          // caller learns that it is not on disk yet.
          batch.reject(new StoreFileError(this.file, `could not be written (${(error as Error).message})`, { cause: error }));
        }
      }
    } finally {
      this.#running = null;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseShape<T>(file: string, name: string, raw: unknown): Map<string, T> {
  if (!isPlainObject(raw)) {
    throw new StoreFileError(file, `does not hold a JSON object with "${name}"`);
  }
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new StoreFileError(file, 'has no format "version"');
  }
  if (version > FILE_FORMAT_VERSION) {
    throw new StoreFileError(
      file,
      `was written in format ${version} by a newer version of this program (this one reads up to ${FILE_FORMAT_VERSION})`,
    );
  }
  const entries = raw[name];
  if (!isPlainObject(entries)) {
    throw new StoreFileError(file, `has no "${name}" object`);
  }
  const items = new Map<string, T>();
  for (const [key, value] of Object.entries(entries)) {
    if (!isPlainObject(value)) {
      throw new StoreFileError(file, `holds an entry "${key}" in "${name}" that is not an object`);
    }
    items.set(key, value as T);
  }
  return items;
}
