import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * DATA_DIR/server.pid says that a server is using the folder, so that commands which rewrite
 * every data file behind the server's back (`npm run data-key -- rotate`) can refuse to run.
 * A server killed with -9 leaves the file behind; its process id is then dead and ignored.
 */
export const SERVER_MARK_FILE = 'server.pid';

/** Writes the mark; the returned function removes it again unless another server has replaced it. */
export async function markServerRunning(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, SERVER_MARK_FILE);
  const content = `${process.pid} ${randomUUID()}\n`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, content, { mode: 0o600 });
  return async () => {
    const now = await readFile(file, 'utf8').catch(() => '');
    if (now === content) await rm(file, { force: true });
  };
}

/** The process id of a live server using `dataDir`, if any. */
export async function runningServer(dataDir: string): Promise<number | undefined> {
  const content = await readFile(path.join(dataDir, SERVER_MARK_FILE), 'utf8').catch(() => '');
  const pid = Number(content.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to another user, which is still a running server.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
