import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SynthesisResult } from './types.js';

/*
 * Synthesized audio on disk, so the same prompt is spoken at once the second time (every
 * filer hears the same questions). Keyed by a hash of engine, voice, rate and the canonical
 * SSML; bounded in bytes, the least recently used entries go first. Read-backs can hold a
 * filer's words, so the folder is private to the server's user like the rest of DATA_DIR.
 */

const TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg' };
const EXTENSIONS: Record<string, string> = Object.fromEntries(Object.entries(TYPES).map(([ext, type]) => [type, ext]));
const ENTRY = /^([0-9a-f]{64})\.(wav|mp3|ogg)$/;

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

  private constructor(readonly dir: string, readonly maxBytes: number) {}

  /** Opens (or creates) the cache folder and indexes what is already there, oldest first. */
  static async open(dir: string, maxBytes: number): Promise<SpeechCache> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const cache = new SpeechCache(dir, maxBytes);
    const found: { key: string; entry: Entry; mtime: number }[] = [];
    for (const name of await readdir(dir)) {
      const match = ENTRY.exec(name);
      const file = path.join(dir, name);
      if (!match) {
        // A write cut short by a crash leaves a temporary file behind.
        if (name.includes('.tmp-')) await rm(file, { force: true });
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

  async get(key: string): Promise<SynthesisResult | undefined> {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    let audio: Buffer;
    try {
      audio = await readFile(entry.file);
    } catch {
      // Removed behind our back: forget it and synthesize again.
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

  async put(key: string, result: SynthesisResult): Promise<void> {
    const ext = EXTENSIONS[result.contentType];
    // An entry larger than the whole cache would only push everything else out.
    if (!ext || result.audio.length > this.maxBytes) return;
    const file = path.join(this.dir, `${key}.${ext}`);
    const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    await writeFile(temp, result.audio, { mode: 0o600 });
    await rename(temp, file);
    const previous = this.entries.get(key);
    if (previous) this.forget(key);
    this.entries.set(key, { file, size: result.audio.length, contentType: result.contentType });
    this.total += result.audio.length;
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
