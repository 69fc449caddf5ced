import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDataKeyCommand } from '../../src/cli/data-key-commands.js';
import { SpeechCache } from '../../src/speech/index.js';
import { AesGcmCipher, DataKeys, keyIdOf, parseDataKey, SealedDataError } from '../../src/store/cipher.js';
import { DiskFileStore } from '../../src/store/files.js';
import { Journal, JOURNAL_DIR } from '../../src/store/journal.js';
import { markServerRunning } from '../../src/store/running.js';

const cipherWith = (current: Buffer, previous: Buffer[] = []) => new AesGcmCipher(new DataKeys(current, previous));
const ID_NUMBER = '11010519491231002X';
const recordJson = (n: number) => JSON.stringify({ version: 1, value: { plaintiff: { name: `张三${n}`, idNumber: ID_NUMBER } } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'data-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under `folder`, relative, with its bytes. */
async function filesUnder(folder: string, prefix = ''): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const entry of await readdir(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [k, v] of await filesUnder(folder, relative)) found.set(k, v);
    else found.set(relative, await readFile(path.join(folder, relative)));
  }
  return found;
}

async function command(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await runDataKeyCommand(args, {
    stdout: { write: (chunk: string) => { stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { stderr += chunk; return true; } },
    env: { DATA_DIR: dir, ...env },
  });
  return { code, stdout, stderr };
}

describe('uploads at rest', () => {
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`IOU ${ID_NUMBER}`), randomBytes(64)]);

  it('seals the bytes and the description (the file name a phone gave), and reads them back', async () => {
    const cipher = cipherWith(randomBytes(32));
    const files = await DiskFileStore.open(dir, undefined, cipher);
    const saved = await files.save({ bytes: photo, contentType: 'image/jpeg', name: `张三身份证${ID_NUMBER}.jpg` });
    for (const [name, bytes] of await filesUnder(dir)) {
      expect(cipher.isSealed(bytes), name).toBe(true);
      expect(bytes.includes(Buffer.from(ID_NUMBER)), name).toBe(false);
      expect(bytes.includes(Buffer.from('张三')), name).toBe(false);
    }
    const read = await files.read(saved.id);
    expect(read?.bytes).toEqual(photo);
    expect(read?.meta.name).toBe(`张三身份证${ID_NUMBER}.jpg`);
    await expect((await DiskFileStore.open(dir)).read(saved.id)).rejects.toThrowError(/DATA_KEY is not set/);
  });

  it('still reads uploads saved before a key was set, and resealAll seals them', async () => {
    const plainStore = await DiskFileStore.open(dir);
    const saved = await plainStore.save({ bytes: photo, contentType: 'image/jpeg', name: 'iou.jpg' });
    const cipher = cipherWith(randomBytes(32));
    const keyed = await DiskFileStore.open(dir, undefined, cipher);
    expect((await keyed.read(saved.id))?.bytes).toEqual(photo);
    expect(await keyed.resealAll(cipher)).toEqual({ resealed: 2, unchanged: 0, unreadable: [] });
    for (const bytes of (await filesUnder(dir)).values()) expect(cipher.isCurrent(bytes)).toBe(true);
    expect((await keyed.read(saved.id))?.bytes).toEqual(photo);
    expect(await keyed.resealAll(cipher)).toEqual({ resealed: 0, unchanged: 2, unreadable: [] });
  });
});

describe('the speech cache at rest', () => {
  const audio = { audio: Buffer.concat([Buffer.from('RIFF'), Buffer.from(`张三 ${ID_NUMBER}`)]), contentType: 'audio/wav' };
  const key = 'a'.repeat(64);

  it('seals read-backs and names them by a keyed hash, not the plain hash of the sentence', async () => {
    const cipher = cipherWith(randomBytes(32));
    const sealing = { cipher, nameKey: cipher.deriveKey('speech cache names') };
    const cache = await SpeechCache.open(dir, 1_000_000, sealing);
    await cache.put(key, audio);
    const entries = [...(await filesUnder(dir))];
    expect(entries).toHaveLength(1);
    const [name, bytes] = entries[0]!;
    expect(name).toMatch(/^[0-9a-f]{64}\.wav\.sealed$/);
    expect(name.startsWith(key)).toBe(false);
    expect(cipher.isSealed(bytes)).toBe(true);
    expect(bytes.includes(Buffer.from(ID_NUMBER))).toBe(false);
    expect((await cache.get(key))?.audio).toEqual(audio.audio);
    expect((await (await SpeechCache.open(dir, 1_000_000, sealing)).get(key))?.audio).toEqual(audio.audio);
    // Without the key the entries are useless: a cache forgets them rather than keep them.
    await SpeechCache.open(dir, 1_000_000);
    expect(await readdir(dir)).toEqual([]);
  });

  it('deletes plain entries written before DATA_KEY was set', async () => {
    await (await SpeechCache.open(dir, 1_000_000)).put(key, audio);
    expect(await readdir(dir)).toHaveLength(1);
    const cipher = cipherWith(randomBytes(32));
    const cache = await SpeechCache.open(dir, 1_000_000, { cipher, nameKey: cipher.deriveKey('speech cache names') });
    expect(await readdir(dir)).toEqual([]);
    expect(await cache.get(key)).toBeUndefined();
  });
});

describe('npm run data-key', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const oldCipher = cipherWith(oldKey);
  const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(200)]);

  /** A data folder as a server with the old key leaves it: records in files and folders, uploads, cache, staff files. */
  async function oldFolder(): Promise<{ uploadId: string; plainUploadId: string }> {
    await mkdir(path.join(dir, 'complaints'));
    for (let n = 0; n < 5; n += 1) await writeFile(path.join(dir, 'complaints', `c${n}.json`), oldCipher.seal(Buffer.from(recordJson(n))));
    await writeFile(path.join(dir, 'handoffs.json'), oldCipher.seal(Buffer.from(recordJson(9))));
    const uploadId = (await (await DiskFileStore.open(dir, undefined, oldCipher)).save({ bytes: photo, contentType: 'image/png', name: '借条.png' })).id;
    const plainUploadId = (await (await DiskFileStore.open(dir)).save({ bytes: photo, contentType: 'image/png', name: 'old.png' })).id;
    await mkdir(path.join(dir, 'speech-cache'));
    await writeFile(path.join(dir, 'speech-cache', `${'b'.repeat(64)}.wav.sealed`), oldCipher.seal(Buffer.from('RIFF')));
    await writeFile(path.join(dir, 'accounts.json'), '{"version":1,"accounts":{}}\n');
    await writeFile(path.join(dir, 'audit.jsonl'), '{"at":"2026-01-01T00:00:00Z","actor":"cli","action":"account-add"}\n');
    return { uploadId, plainUploadId };
  }

  const rotateEnv = { DATA_KEY: newKey.toString('base64'), DATA_KEY_PREVIOUS: oldKey.toString('hex') };

  it('new prints a fresh key that DATA_KEY accepts, different every time', async () => {
    const first = await command(['new'], {});
    const second = await command(['new'], {});
    expect(first.code).toBe(0);
    expect(parseDataKey(first.stdout, 'DATA_KEY')).toHaveLength(32);
    expect(first.stdout).not.toBe(second.stdout);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('rotate seals every record and upload with the new key, leaves staff files alone and empties the speech cache', async () => {
    const { uploadId, plainUploadId } = await oldFolder();
    const before = await filesUnder(dir);
    const result = await command(['rotate'], rotateEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(keyIdOf(newKey).toString('hex'));
    for (const shown of [result.stdout, result.stderr]) {
      expect(shown).not.toContain(newKey.toString('base64'));
      expect(shown).not.toContain(oldKey.toString('hex'));
    }

    const newOnly = cipherWith(newKey);
    const after = await filesUnder(dir);
    expect(after.get('accounts.json')).toEqual(before.get('accounts.json'));
    expect(after.get('audit.jsonl')).toEqual(before.get('audit.jsonl'));
    expect(await readdir(path.join(dir, 'speech-cache'))).toEqual([]);
    for (let n = 0; n < 5; n += 1) {
      expect(newOnly.open(after.get(path.join('complaints', `c${n}.json`))!).toString('utf8')).toBe(recordJson(n));
    }
    expect(newOnly.open(after.get('handoffs.json')!).toString('utf8')).toBe(recordJson(9));
    const uploads = await DiskFileStore.open(dir, undefined, newOnly);
    expect((await uploads.read(uploadId))?.bytes).toEqual(photo);
    expect((await uploads.read(plainUploadId))?.bytes).toEqual(photo);
    for (const [name, bytes] of after) if (name.startsWith('uploads')) expect(newOnly.isCurrent(bytes), name).toBe(true);

    const status = await command(['status'], { DATA_KEY: newKey.toString('hex') });
    expect(status.stdout).toContain(`key ${keyIdOf(newKey).toString('hex')} (DATA_KEY): 10 file(s)`);
    expect(status.stdout).not.toContain(keyIdOf(oldKey).toString('hex'));
    // Running it again finds nothing to do.
    expect((await command(['rotate'], rotateEnv)).stdout).toContain('Re-sealed 0 file(s)');
  });

  it('writes out a journal a killed server left before re-sealing, so its newer records are sealed with the new key', async () => {
    await oldFolder();
    const journal = await Journal.open(dir);
    await journal.append([{ dir: path.join(dir, 'complaints'), name: 'c1.json', data: oldCipher.seal(Buffer.from(recordJson(101))) }]);
    await journal.append([{ dir: path.join(dir, 'complaints'), name: 'c7.json', data: oldCipher.seal(Buffer.from(recordJson(7))) }]);
    // Killed here: the journal is never closed, its segment stays under DATA_DIR/journal.
    expect((await readdir(path.join(dir, JOURNAL_DIR))).length).toBe(1);
    const copy = await mkdtemp(path.join(os.tmpdir(), 'data-key-killed-'));
    try {
      await cp(dir, copy, { recursive: true });
      await journal.close();
      await rm(dir, { recursive: true, force: true });
      await cp(copy, dir, { recursive: true });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
    const result = await command(['rotate'], rotateEnv);
    expect(result.code).toBe(0);
    const newOnly = cipherWith(newKey);
    const after = await filesUnder(dir);
    expect(newOnly.open(after.get(path.join('complaints', 'c1.json'))!).toString('utf8')).toBe(recordJson(101));
    expect(newOnly.open(after.get(path.join('complaints', 'c7.json'))!).toString('utf8')).toBe(recordJson(7));
    expect([...after.keys()].filter((name) => name.startsWith(JOURNAL_DIR))).toEqual([]);
  });

  it('carries on after a run cut short: files under either key are read, the rest is finished', async () => {
    await oldFolder();
    const rotating = cipherWith(newKey, [oldKey]);
    // As if the command died after rewriting two records.
    for (const n of [0, 3]) {
      const file = path.join(dir, 'complaints', `c${n}.json`);
      await writeFile(file, rotating.seal(rotating.open(await readFile(file))));
    }
    await writeFile(path.join(dir, 'complaints', 'c1.json.2f0c.tmp'), rotating.seal(Buffer.from('{}')));
    const result = await command(['rotate'], rotateEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Re-sealed 8 file\(s\) with DATA_KEY \([0-9a-f]{16}\); 2 already were/);
    const newOnly = cipherWith(newKey);
    for (let n = 0; n < 5; n += 1) {
      expect(newOnly.open(await readFile(path.join(dir, 'complaints', `c${n}.json`))).toString('utf8')).toBe(recordJson(n));
    }
  });

  it('without the old key it changes nothing it cannot open, names those files and fails', async () => {
    await oldFolder();
    const before = await filesUnder(dir);
    const result = await command(['rotate'], { DATA_KEY: newKey.toString('hex') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join('complaints', 'c0.json'));
    expect(result.stderr).toContain(keyIdOf(oldKey).toString('hex'));
    expect(result.stderr).toContain('DATA_KEY_PREVIOUS');
    const after = await filesUnder(dir);
    expect(after.get('handoffs.json')).toEqual(before.get('handoffs.json'));
    expect(after.get(path.join('complaints', 'c4.json'))).toEqual(before.get(path.join('complaints', 'c4.json')));
    expect(() => cipherWith(newKey).open(after.get('handoffs.json')!)).toThrowError(SealedDataError);
  });

  it('refuses to run while a server uses the folder, and without a new key', async () => {
    await oldFolder();
    const before = await filesUnder(dir);
    const unmark = await markServerRunning(dir);
    const refused = await command(['rotate'], rotateEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`process ${process.pid}`);
    expect(refused.stderr).toContain('stop it first');
    await unmark();
    expect(await filesUnder(dir)).toEqual(before);
    // A mark left by a server that died (kill -9) names a process that no longer runs.
    await writeFile(path.join(dir, 'server.pid'), '999999999 stale\n');
    expect((await command(['rotate'], {})).stderr).toContain('Set the new key as DATA_KEY');
    expect((await command(['rotate'], rotateEnv)).code).toBe(0);
    expect((await command(['bogus'], {})).code).toBe(2);
  });
});
