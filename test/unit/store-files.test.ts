import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../../src/store/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DiskFileStore', () => {
  it('saves bytes to disk and reads them back with their description', async () => {
    const files = await DiskFileStore.open(dir);
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const saved = await files.save({ bytes, contentType: 'image/jpeg', name: '借条.jpg' });
    expect(saved).toMatchObject({ name: '借条.jpg', contentType: 'image/jpeg', size: 7 });
    const read = await files.read(saved.id);
    expect(read?.bytes.equals(bytes)).toBe(true);
    expect(read?.meta).toEqual(saved);
    expect((await stat(path.join(dir, 'uploads', saved.id))).mode & 0o777).toBe(0o600);
    // A second store on the same folder sees it: it is on disk, not in memory.
    expect((await (await DiskFileStore.open(dir)).read(saved.id))?.meta.name).toBe('借条.jpg');
  });

  it('cleans names and never lets an id reach outside its folder', async () => {
    const files = await DiskFileStore.open(dir);
    const saved = await files.save({ bytes: Buffer.from('x'), contentType: 'application/pdf', name: '../../etc/<passwd>\u202e.pdf' });
    expect(saved.name).toBe('....etcpasswd.pdf');
    expect(await files.read('../complaints.json')).toBeUndefined();
    expect(await files.read('0000')).toBeUndefined();
    expect(await files.read('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('removes both parts and leaves no temporary files', async () => {
    const files = await DiskFileStore.open(dir);
    const saved = await files.save({ bytes: Buffer.from('x'), contentType: 'image/png', name: 'a.png' });
    expect((await readdir(path.join(dir, 'uploads'))).sort()).toEqual([saved.id, `${saved.id}.json`].sort());
    await files.remove(saved.id);
    expect(await readdir(path.join(dir, 'uploads'))).toEqual([]);
  });
});
