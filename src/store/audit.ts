import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEvent, AuditLog, AuditQuery, NewAuditEvent } from './types.js';

const MAX_PAGE = 500;

/**
 * The audit log as JSON Lines in DATA_DIR/audit.jsonl: one event per line, only ever appended
 * (O_APPEND, fsync before the append resolves), never rewritten. Appends from the server and
 * from the command line may interleave; each line is one small write, which the file system
 * keeps whole.
 *
 * Events name who did what to which record; they never hold the record's data.
 */
export class AuditFile implements AuditLog {
  readonly file: string;
  readonly #now: () => Date;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string, now: () => Date) {
    this.file = file;
    this.#now = now;
  }

  static async open(dataDir: string, now: () => Date = () => new Date(), fileName = 'audit.jsonl'): Promise<AuditFile> {
    await mkdir(dataDir, { recursive: true });
    const log = new AuditFile(path.resolve(dataDir, fileName), now);
    // Creating the file now shows a permission problem at start-up, not at a clerk's first click.
    const handle = await open(log.file, 'a', 0o600);
    await handle.close();
    return log;
  }

  append(event: NewAuditEvent): Promise<AuditEvent> {
    const stored: AuditEvent = { at: this.#now().toISOString(), ...clean(event) };
    const run = this.#queue.then(async () => {
      const handle = await open(this.file, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(stored)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return stored;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async list(query: AuditQuery = {}): Promise<{ events: AuditEvent[]; total: number }> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const matching: AuditEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      let event: AuditEvent;
      try {
        event = JSON.parse(line) as AuditEvent;
      } catch {
        // A line cut short by a crash in the middle of an append; the lines around it are whole.
        continue;
      }
      if (query.actor && event.actor !== query.actor) continue;
      if (query.action && event.action !== query.action) continue;
      if (query.recordId && event.recordId !== query.recordId) continue;
      if (query.from && event.at < query.from) continue;
      if (query.to && event.at >= query.to) continue;
      matching.push(event);
    }
    matching.reverse();
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? 100));
    return { events: matching.slice(offset, offset + limit), total: matching.length };
  }

  /** Waits for appends in flight. */
  async close(): Promise<void> {
    await this.#queue;
  }
}

/** Only the known keys reach the file, so a caller cannot slip data into an event by accident. */
function clean(event: NewAuditEvent): NewAuditEvent {
  const out: NewAuditEvent = { actor: event.actor, action: event.action };
  if (event.recordType !== undefined) out.recordType = event.recordType;
  if (event.recordId !== undefined) out.recordId = event.recordId;
  if (event.field !== undefined) out.field = event.field;
  if (event.outcome !== undefined) out.outcome = event.outcome;
  return out;
}
