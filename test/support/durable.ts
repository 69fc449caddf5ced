import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readSegments } from '../../src/store/journal.js';

/**
 * The record files of one collection folder (`complaints`, `bot-state`, …) as a restart would
 * find them now: the files on disk with the store's journal laid over them. Commits are
 * durable once in the journal; the record files catch up in the background. Segments are
 * read before the files, so a write-out that runs meanwhile only makes the files newer.
 */
export async function durableRecordFiles(dataDir: string, folder: string): Promise<Map<string, Buffer>> {
  const segments = await readSegments(dataDir);
  const dir = path.resolve(dataDir, folder);
  const files = new Map<string, Buffer>();
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      files.set(name, await readFile(path.join(dir, name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const segment of segments) {
    for (const change of segment.latest.values()) {
      if (change.dir !== dir) continue;
      if (change.data) files.set(change.name, change.data);
      else files.delete(change.name);
    }
  }
  return files;
}
