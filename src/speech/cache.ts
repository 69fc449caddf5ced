import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataCipher } from '../store/index.js';
import type { SynthesisResult } from './types.js';

/*
 * Synthesized audio on disk, so the same prompt is spoken at once the second time (every
 * filer hears the same questions). Keyed by a hash of engine, voice, rate and the canonical
 * SSML; bounded in bytes, the least recently used entries go first. Read-backs can hold a
 * filer's words, so the folder is private to the server's user like the rest of DATA_DIR.
 *
 * With DATA_KEY the entries are sealed like every other file with personal data: read-backs
 * say names, ID numbers and addresses, and the cache cannot tell them from the questions
 * everyone hears (it sees SSML only), so it protects all of them rather than guess. Their
 * names are then an HMAC under a key derived from DATA_KEY, since a plain hash of a sentence
 * holding an ID number can be found by trying the few million possible numbers.
 */

/** The cache's folder under DATA_DIR; a key rotation empties it, since its names derive from the key. */
export const SPEECH_CACHE_DIR = 'speech-cache';

const TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg' };
const EXTENSIONS: Record<string, string> = Object.fromEntries(Object.entries(TYPES).map(([ext, type]) => [type, ext]));
const ENTRY = /^([0-9a-f]{64})\.(wav|mp3|ogg)(\.sealed)?$/;

/** How entries are protected with DATA_KEY: sealed contents, and names keyed by a derived secret. */
export interface CacheSealing {
  cipher: DataCipher;
  nameKey: Buffer;
}

export interface CacheKeyParts {
  engine: string;
  voice: string;
  rate: number;
  /** The canonical text or SSML that the engine is given. */
  text: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  const rate = Math.round(parts.rate * 100) / 100;
  return createHash('sha256').update(JSON.stringify([parts.engine, parts.voice, rate, parts.text])).digest('hex');
}

interface Entry {
  file: string;
  size: number;
  contentType: string;
}

export class SpeechCache {
  /** Insertion order is recency: a hit moves its entry to the end; eviction takes from the front. */
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  hits = 0;
  misses = 0;

  private constructor(readonly dir: string, readonly maxBytes: number, private readonly sealing: CacheSealing | undefined) {}

  /**
   * Opens (or creates) the cache folder and indexes what is already there, oldest first.
   * Entries the current setting cannot use (plain ones once DATA_KEY is set, sealed ones
   * without it) are deleted: it is a cache, and plain audio must not outlive the key's arrival.
   */
  static async open(dir: string, maxBytes: number, sealing?: CacheSealing): Promise<SpeechCache> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const cache = new SpeechCache(dir, maxBytes, sealing);
    const found: { key: string; entry: Entry; mtime: number }[] = [];
    for (const name of await readdir(dir)) {
      const match = ENTRY.exec(name);
      const file = path.join(dir, name);
      if (!match) {
        // A write cut short by a crash leaves a temporary file behind.
        if (name.includes('.tmp-')) await rm(file, { force: true });
        continue;
      }
      if (Boolean(match[3]) !== Boolean(sealing)) {
        await rm(file, { force: true });
        continue;
      }
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      found.push({ key: match[1]!, entry: { file, size: info.size, contentType: TYPES[match[2]!]! }, mtime: info.mtimeMs });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { key, entry } of found) {
      cache.entries.set(key, entry);
      cache.total += entry.size;
    }
    await cache.evict();
    return cache;
  }

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The name an entry has on disk: the key itself, or its HMAC when entries are sealed. */
  private fileKey(key: string): string {
    return this.sealing ? createHmac('sha256', this.sealing.nameKey).update(key).digest('hex') : key;
  }

  async get(publicKey: string): Promise<SynthesisResult | undefined> {
    const key = this.fileKey(publicKey);
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    let audio: Buffer;
    try {
      const stored = await readFile(entry.file);
      audio = this.sealing ? this.sealing.cipher.open(stored) : stored;
    } catch {
      // Removed or damaged behind our back: forget it and synthesize again.
      this.forget(key);
      this.misses += 1;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    // The file's time keeps the order across restarts; failing to touch it costs nothing now.
    const now = new Date();
    void utimes(entry.file, now, now).catch(() => undefined);
    return { audio, contentType: entry.contentType };
  }

  async put(publicKey: string, result: SynthesisResult): Promise<void> {
    const ext = EXTENSIONS[result.contentType];
    // An entry larger than the whole cache would only push everything else out.
    if (!ext || result.audio.length > this.maxBytes) return;
    const key = this.fileKey(publicKey);
    const file = path.join(this.dir, `${key}.${ext}${this.sealing ? '.sealed' : ''}`);
    const stored = this.sealing ? this.sealing.cipher.seal(result.audio) : result.audio;
    const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    await writeFile(temp, stored, { mode: 0o600 });
    await rename(temp, file);
    const previous = this.entries.get(key);
    if (previous) this.forget(key);
    this.entries.set(key, { file, size: stored.length, contentType: result.contentType });
    this.total += stored.length;
    await this.evict();
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
  }

  private async evict(): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.forget(key);
      await rm(entry.file, { force: true });
    }
  }
}
