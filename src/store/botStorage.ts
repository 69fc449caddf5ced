import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import type { CollectionFile } from './collectionFile.js';
import type { BotStorage } from './types.js';

/** Thrown when a write names an eTag that is not the stored one (optimistic concurrency). */
export class ETagConflictError extends Error {
  readonly key: string;
  constructor(key: string, expected: string, actual: string | undefined) {
    super(
      actual === undefined
        ? `Storage: cannot write "${key}" with eTag "${expected}": the item does not exist.`
        : `Storage: cannot write "${key}": eTag "${expected}" does not match the stored eTag (someone else wrote it first).`,
    );
    this.name = 'ETagConflictError';
    this.key = key;
  }
}

/** A JSON round trip: the copy is exactly what a reload from disk would give back. */
function jsonCopy<V>(value: V): V {
  return JSON.parse(JSON.stringify(value)) as V;
}

/**
 * botbuilder Storage over a collection file, with the semantics of the SDK's own stores:
 * missing keys are left out of a read, each write gives the item a fresh eTag, a write
 * naming another eTag than '*' is a compare-and-swap, and '*' or no eTag writes anyway.
 */
export class CollectionBotStorage implements BotStorage {
  readonly #items: CollectionFile<StoreItem>;
  readonly #newETag: () => string;

  constructor(items: CollectionFile<StoreItem>, newETag: () => string) {
    this.#items = items;
    this.#newETag = newETag;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new TypeError('Storage.read needs an array of keys.');
    const found: StoreItems = {};
    for (const key of keys) {
      const item = this.#items.get(key);
      // defineProperty keeps a key such as "__proto__" as data.
      if (item) Object.defineProperty(found, key, { value: jsonCopy(item), enumerable: true, writable: true, configurable: true });
    }
    return found;
  }

  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) {
      throw new TypeError('Storage.write needs an object of changes.');
    }
    const entries = Object.entries(changes as Record<string, unknown>);
    // Every check runs before any change, so a batch with one conflict changes nothing.
    for (const [key, value] of entries) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new TypeError(`Storage.write: the value for "${key}" must be an object.`);
      }
      const eTag = (value as StoreItem).eTag;
      if (eTag === undefined || eTag === null || eTag === '' || eTag === '*') continue;
      const stored = this.#items.get(key);
      if (stored?.eTag !== eTag) throw new ETagConflictError(key, String(eTag), stored?.eTag);
    }
    if (entries.length === 0) return;
    for (const [key, value] of entries) {
      const copy = jsonCopy(value as StoreItem);
      copy.eTag = this.#newETag();
      this.#items.set(key, copy);
    }
    await this.#items.commit();
  }

  /** Keys of the items `match` accepts (retention looks for the conversations of a purged draft). */
  async findKeys(match: (item: StoreItem) => boolean): Promise<string[]> {
    const keys: string[] = [];
    for (const key of this.#items.keys()) {
      const item = this.#items.get(key);
      if (item && match(item)) keys.push(key);
    }
    return keys;
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new TypeError('Storage.delete needs an array of keys.');
    let changed = false;
    for (const key of keys) changed = this.#items.delete(key) || changed;
    if (changed) await this.#items.commit();
  }
}
