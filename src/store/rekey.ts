import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { looksSealed, SealedDataError, type AesGcmCipher } from './cipher.js';
import { writeDurably } from './files.js';
import { JOURNAL_DIR, replayJournal } from './journal.js';

/**
 * Files under DATA_DIR that hold no filer data by design and stay plain with DATA_KEY: staff
 * accounts and the audit log (ids only) are shared with `npm run clerk`, which has no key;
 * the Direct Line token key and the visit calendar are settings; server.pid and lock files
 * are markers.
 */
const PLAIN_BY_DESIGN = [/^accounts\.json(\.lock)?$/, /^audit\.jsonl$/, /^directline\.key$/, /^visits-calendar\.json$/, /^server\.pid$/];

/** Temp files of an atomic write cut short (writeDurably's `.tmp`, the speech cache's `.tmp-…`). */
function isTemp(name: string): boolean {
  return name.endsWith('.tmp') || name.includes('.tmp-');
}

export interface DataFileSurvey {
  /** How many files each key sealed, by key id (hex). */
  sealedBy: Map<string, number>;
  /** Plain files, relative to DATA_DIR, other than those plain by design. */
  plain: string[];
}

/** Every regular file under `dir`, as paths relative to it; folders in `skip` (relative) are left out. */
async function listFiles(dir: string, skip: ReadonlySet<string>, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? path.join(prefix, entry.name) : entry.name;
    if (entry.isDirectory()) {
      if (!skip.has(relative)) found.push(...(await listFiles(dir, skip, relative)));
    } else if (entry.isFile() && !isTemp(entry.name)) {
      found.push(relative);
    }
  }
  return found.sort();
}

/** The first bytes of a file (the whole of a short one): enough to see whether and with which key it is sealed. */
async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function isPlainByDesign(relative: string): boolean {
  // Journal segments frame records that are sealed on their own; the frames add only ids and hashes.
  if (path.dirname(relative) === JOURNAL_DIR) return relative.endsWith('.log');
  return !relative.includes(path.sep) && PLAIN_BY_DESIGN.some((pattern) => pattern.test(relative));
}

/**
 * Which key sealed each file under `dataDir`, and which files are plain though they are not
 * plain by design. Reads only the first bytes of each file.
 */
export async function surveyDataFiles(dataDir: string, cipher: AesGcmCipher | undefined, skip: readonly string[] = []): Promise<DataFileSurvey> {
  const sealedBy = new Map<string, number>();
  const plain: string[] = [];
  for (const relative of await listFiles(dataDir, new Set(skip))) {
    const start = await head(path.join(dataDir, relative));
    if (looksSealed(start)) {
      const id = cipher?.sealedKeyId(start) ?? 'unknown';
      sealedBy.set(id, (sealedBy.get(id) ?? 0) + 1);
    } else if (!isPlainByDesign(relative)) {
      plain.push(relative);
    }
  }
  return { sealedBy, plain };
}

export interface ResealResult {
  resealed: number;
  unchanged: number;
  /** Files sealed with a key that is neither DATA_KEY nor in DATA_KEY_PREVIOUS, or damaged; left as they are. */
  unreadable: { file: string; reason: string }[];
}

/**
 * Seals every sealed file under `dataDir` that a previous key sealed with the current key,
 * whatever wrote it (records of any collection, in one file or one file per record), by
 * opening it and sealing the same bytes again. Each file is replaced atomically, so a run cut
 * short leaves every file readable under the old or the new key and the next run carries on.
 * Plain files are left alone: the store seals its records when the server starts with DATA_KEY.
 *
 * Only while no server uses the folder: a server would go on writing under its own key. What
 * a crash left in the journal is written out to the record files first, to be resealed too.
 */
export async function resealDataFiles(dataDir: string, cipher: AesGcmCipher, skip: readonly string[] = []): Promise<ResealResult> {
  await replayJournal(dataDir);
  const result: ResealResult = { resealed: 0, unchanged: 0, unreadable: [] };
  for (const relative of await listFiles(dataDir, new Set(skip))) {
    const file = path.join(dataDir, relative);
    const start = await head(file);
    if (!looksSealed(start)) continue;
    if (cipher.isCurrent(start)) {
      result.unchanged += 1;
      continue;
    }
    let plain: Buffer;
    try {
      plain = cipher.open(await readFile(file));
    } catch (error) {
      if (!(error instanceof SealedDataError)) throw error;
      result.unreadable.push({ file: relative, reason: error.message });
      continue;
    }
    await writeDurably(file, cipher.seal(plain));
    result.resealed += 1;
  }
  return result;
}
