import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileSynced, syncDirectory } from './durable.js';
import { looksSealed, SealedDataError, type RotatingCipher } from './cipher.js';
import type { DataCipher, FileStore, StoredFile } from './types.js';

const ID = /^[0-9a-f-]{36}$/;

/** Control and bidi characters, path separators and markup never reach a file name shown to anyone. */
function cleanName(name: string): string {
  const cleaned = name.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069/\\<>{}"]/g, '').trim();
  return (cleaned || 'file').slice(0, 120);
}

/** Replaces `file` atomically: a temp file, fsync, rename, then fsync of the folder. */
export async function writeDurably(file: string, data: Buffer | string): Promise<void> {
  await replaceFileSynced(file, data);
  await syncDirectory(path.dirname(file));
}

/** A file this store itself wrote: the bytes `<uuid>` or their description `<uuid>.json`. */
const STORED_NAME = /^[0-9a-f-]{36}(\.json)?$/;

/**
 * Uploaded evidence as files under DATA_DIR/uploads: `<id>` holds the bytes and `<id>.json`
 * what they are. Ids are random UUIDs, so a path can never be steered elsewhere and a file
 * cannot be guessed.
 *
 * With a cipher (DATA_KEY) both files are sealed: the bytes are a photo of an ID card or an
 * IOU, and the description holds the name the filer's phone gave the file. Files written
 * before a key was set are still read as they are; `resealAll` seals them.
 */
export class DiskFileStore implements FileStore {
  private constructor(private readonly dir: string, private readonly now: () => Date, private readonly cipher: DataCipher | undefined) {}

  static async open(dataDir: string, now: () => Date = () => new Date(), cipher?: DataCipher): Promise<DiskFileStore> {
    const dir = path.join(dataDir, 'uploads');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new DiskFileStore(dir, now, cipher);
  }

  #toDisk(plain: Buffer): Buffer {
    return this.cipher ? this.cipher.seal(plain) : plain;
  }

  #fromDisk(stored: Buffer, file: string): Buffer {
    if (this.cipher?.isSealed(stored)) return this.cipher.open(stored);
    if (!this.cipher && looksSealed(stored)) throw new SealedDataError(`${file} is sealed with a data key, but DATA_KEY is not set`);
    return stored;
  }

  /**
   * Seals every stored file that is plain or sealed with a previous key under the current
   * key (after a rotation, or when DATA_KEY was first set). Each file is replaced atomically,
   * so a run cut short leaves every file readable and the next run carries on. Run it only
   * while no server uses the folder.
   */
  async resealAll(cipher: RotatingCipher): Promise<{ resealed: number; unchanged: number; unreadable: { file: string; reason: string }[] }> {
    const result = { resealed: 0, unchanged: 0, unreadable: [] as { file: string; reason: string }[] };
    for (const name of await readdir(this.dir)) {
      if (!STORED_NAME.test(name)) continue;
      const file = path.join(this.dir, name);
      const stored = await readFile(file);
      if (cipher.isCurrent(stored)) {
        result.unchanged += 1;
        continue;
      }
      let plain: Buffer = stored;
      if (cipher.isSealed(stored)) {
        try {
          plain = cipher.open(stored);
        } catch (error) {
          if (!(error instanceof SealedDataError)) throw error;
          result.unreadable.push({ file: path.join('uploads', name), reason: error.message });
          continue;
        }
      }
      await writeDurably(file, cipher.seal(plain));
      result.resealed += 1;
    }
    return result;
  }

  async save(input: { bytes: Buffer; contentType: string; name: string }): Promise<StoredFile> {
    const meta: StoredFile = {
      id: randomUUID(),
      name: cleanName(input.name),
      contentType: input.contentType,
      size: input.bytes.length,
      savedAt: this.now().toISOString(),
    };
    await writeDurably(path.join(this.dir, meta.id), this.#toDisk(input.bytes));
    // The description goes last: a file without one is an unfinished save and is never read.
    await writeDurably(path.join(this.dir, `${meta.id}.json`), this.#toDisk(Buffer.from(JSON.stringify(meta), 'utf8')));
    return meta;
  }

  async read(id: string): Promise<{ meta: StoredFile; bytes: Buffer } | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      const metaFile = path.join(this.dir, `${id}.json`);
      const meta = JSON.parse(this.#fromDisk(await readFile(metaFile), metaFile).toString('utf8')) as StoredFile;
      const bytesFile = path.join(this.dir, id);
      const bytes = this.#fromDisk(await readFile(bytesFile), bytesFile);
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
