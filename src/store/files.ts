import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FileStore, StoredFile } from './types.js';

const ID = /^[0-9a-f-]{36}$/;

/** Control and bidi characters, path separators and markup never reach a file name shown to anyone. */
function cleanName(name: string): string {
  const cleaned = name.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069/\\<>{}"]/g, '').trim();
  return (cleaned || 'file').slice(0, 120);
}

/** Replaces `file` atomically: a temp file, fsync, rename, then fsync of the folder. */
export async function writeDurably(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Uploaded evidence as plain files under DATA_DIR/uploads: `<id>` holds the bytes and
 * `<id>.json` what they are. Ids are random UUIDs, so a path can never be steered
 * elsewhere and a file cannot be guessed.
 */
export class DiskFileStore implements FileStore {
  private constructor(private readonly dir: string, private readonly now: () => Date) {}

  static async open(dataDir: string, now: () => Date = () => new Date()): Promise<DiskFileStore> {
    const dir = path.join(dataDir, 'uploads');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new DiskFileStore(dir, now);
  }

  async save(input: { bytes: Buffer; contentType: string; name: string }): Promise<StoredFile> {
    const meta: StoredFile = {
      id: randomUUID(),
      name: cleanName(input.name),
      contentType: input.contentType,
      size: input.bytes.length,
      savedAt: this.now().toISOString(),
    };
    await writeDurably(path.join(this.dir, meta.id), input.bytes);
    // The description goes last: a file without one is an unfinished save and is never read.
    await writeDurably(path.join(this.dir, `${meta.id}.json`), JSON.stringify(meta));
    return meta;
  }

  async read(id: string): Promise<{ meta: StoredFile; bytes: Buffer } | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      const meta = JSON.parse(await readFile(path.join(this.dir, `${id}.json`), 'utf8')) as StoredFile;
      const bytes = await readFile(path.join(this.dir, id));
      return { meta, bytes };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    if (!ID.test(id)) return;
    await rm(path.join(this.dir, `${id}.json`), { force: true });
    await rm(path.join(this.dir, id), { force: true });
  }
}
