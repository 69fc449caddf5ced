import { randomUUID } from 'node:crypto';
import { open, rename } from 'node:fs/promises';

/**
 * Writes `data` to a temp file beside `file`, fsyncs it and renames it over `file`: a reader
 * sees the old bytes or the new ones, never half. The rename itself is durable only after
 * the folder is synced (syncDirectory), which callers writing many files do once for all.
 */
export async function replaceFileSynced(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** Makes renames and unlinks inside `dir` survive a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Names of the temp files replaceFileSynced leaves behind when the process dies mid-write. */
export function isTempFile(name: string): boolean {
  return name.endsWith('.tmp');
}

/** Runs `work` over `items` with at most `limit` running at once (file handles are finite). */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  });
  await Promise.all(runners);
  if (errors.length > 0) throw errors[0];
}
