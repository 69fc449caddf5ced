import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readSegments } from '../../src/store/journal.js';

/**
 * The record files of one collection folder (`complaints`, `bot-state`, …) as a restart would
 * find them now: the files on disk with the store's journal laid over them. Commits are
 * durable once in the journal; the record files catch up in the background. A running
 * server may close, write out and delete a segment while this reads, so the segments are
 * read before and after the files, and the read is repeated until no segment came or went
 * in between (then every file written meanwhile holds bytes of a segment that is laid over it).
 */
export async function durableRecordFiles(dataDir: string, folder: string): Promise<Map<string, Buffer>> {
  const dir = path.resolve(dataDir, folder);
  const namesOf = (segments: { file: string }[]) => segments.map((s) => s.file).join('\n');
  for (;;) {
    const before = namesOf(await readSegments(dataDir));
    const files = await recordFiles(dir);
    const segments = await readSegments(dataDir);
    if (namesOf(segments) !== before) continue;
    for (const segment of segments) {
      for (const change of segment.latest.values()) {
        if (change.dir !== dir) continue;
        if (change.data) files.set(change.name, change.data);
        else files.delete(change.name);
      }
    }
    return files;
  }
}

async function recordFiles(dir: string): Promise<Map<string, Buffer>> {
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
  return files;
}
