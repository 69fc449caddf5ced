import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { forEachLimited, replaceFileSynced, syncDirectory } from './durable.js';
import { StoreClosedError, StoreFileError } from './errors.js';

/** The folder under DATA_DIR that holds the journal's segments. */
export const JOURNAL_DIR = 'journal';

/** One record's new bytes (null: the record was deleted) for a collection's folder. */
export interface JournalChange {
  /** The collection's folder, absolute, inside DATA_DIR. */
  dir: string;
  /** The record's file name in that folder. */
  name: string;
  data: Buffer | null;
}

export interface JournalOptions {
  /** A segment this big is closed and its records written out to their files. */
  segmentBytes?: number;
  /** A segment this old (with anything in it) is closed and written out, so quiet hours leave plain record files. */
  segmentAgeMs?: number;
  /** Told when writing a closed segment out fails; the segment stays and is retried (and replayed at start-up). */
  onCheckpointError?: (error: unknown) => void;
}

const DEFAULT_SEGMENT_BYTES = 16 * 2 ** 20;
const DEFAULT_SEGMENT_AGE_MS = 10_000;
/** Files written at once at start-up and at closing: enough to keep the disk busy, far below the handle limit. */
const REPLAY_PARALLEL = 32;
/**
 * Files written at once by a background write-out. Every file call runs in libuv's pool of
 * four threads, where the journal's own append and fdatasync wait their turn: a write-out
 * with 32 files in flight held every turn of the moment up by tens of milliseconds.
 */
const BACKGROUND_PARALLEL = 1;
const SEGMENT_NAME = /^(\d{12})\.log$/;
/** Frame: payload length, CRC-32 of the payload, then the payload. */
const FRAME_HEADER = 8;
const OP_DELETE = 0;
const OP_PUT = 1;

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newWaiters(): Waiters {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that never awaits its append must not crash the process on a failed write.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A closed segment whose records are not yet all in their own files. */
export interface ClosedSegment {
  file: string;
  latest: Map<string, JournalChange>;
}

/**
 * The store's write-ahead log: every collection's changed records are appended to one file
 * and made durable by one fdatasync, shared by every commit that arrives while the previous
 * one runs (group commit). A turn that changes three records in three collections thus waits
 * for one sequential append and sync instead of a temp file, fsync, rename and folder fsync
 * per record, and appends keep the order of the calls: a record appended after another is
 * never durable without it (unless the write of the earlier one failed, which its caller is told).
 *
 * The record files stay the truth at rest: a segment is closed when it is big or old, and its
 * newest bytes per record are written to the records' own files (atomically, as before) in
 * the background; then the segment is deleted. At start-up the segments left by a crash are
 * written out the same way before any collection reads its folder.
 *
 * Record bytes are stored as the collection made them (sealed with DATA_KEY when set); the
 * frames add only the folder and file names, which are ids or hashes.
 */
export class Journal {
  readonly dataDir: string;
  readonly folder: string;
  readonly #segmentBytes: number;
  readonly #segmentAgeMs: number;
  readonly #onCheckpointError: (error: unknown) => void;
  #nextSegment: number;
  #handle: FileHandle | null = null;
  #segmentFile = '';
  #written = 0;
  #openedAt = 0;
  /** The newest change per record appended to the open segment. */
  #latest = new Map<string, JournalChange>();
  #frames: Buffer[] = [];
  #waiters: Waiters | null = null;
  #flushing: Promise<void> | null = null;
  readonly #closedSegments: ClosedSegment[] = [];
  #checkpointing: Promise<void> | null = null;
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  /** Files a write-out keeps in flight: few while turns run, many once the journal closes and nothing waits. */
  #writeOutParallel = BACKGROUND_PARALLEL;

  private constructor(dataDir: string, nextSegment: number, options: JournalOptions) {
    this.dataDir = dataDir;
    this.folder = path.join(dataDir, JOURNAL_DIR);
    this.#nextSegment = nextSegment;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#segmentAgeMs = options.segmentAgeMs ?? DEFAULT_SEGMENT_AGE_MS;
    this.#onCheckpointError = options.onCheckpointError ?? (() => undefined);
    this.#timer = setInterval(() => this.#tick(), Math.max(50, Math.floor(this.#segmentAgeMs / 2)));
    this.#timer.unref();
  }

  /**
   * Writes out whatever segments a previous run left (see replayJournal), then opens the
   * journal for appends. The first segment is created at the first append.
   */
  static async open(dataDir: string, options: JournalOptions = {}): Promise<Journal> {
    const root = path.resolve(dataDir);
    const last = await replayJournal(root);
    return new Journal(root, last + 1, options);
  }

  /**
   * Appends the changes; resolves once they (and everything appended before them) are on
   * disk. Frames are built now, so the bytes are those of the call, whatever changes later.
   */
  append(changes: readonly JournalChange[]): Promise<void> {
    if (this.#closed) throw new StoreClosedError();
    for (const change of changes) {
      if (!change.dir.startsWith(this.dataDir + path.sep)) throw new Error(`Journal: ${change.dir} is outside ${this.dataDir}`);
    }
    for (const change of changes) {
      this.#frames.push(encodeFrame(this.dataDir, change));
      this.#latest.set(recordId(change), change);
    }
    this.#waiters ??= newWaiters();
    const { promise } = this.#waiters;
    this.#flushing ??= this.#flush();
    return promise;
  }

  /** Whether closed segments are being written out to the record files (their temp files are in the folders). */
  get writingOut(): boolean {
    return this.#checkpointing !== null;
  }

  /**
   * The newest change per record of `dir` that is not yet in the record files, by file name:
   * a collection opened again while the store runs reads its files with these over them.
   */
  pendingFor(dir: string): Map<string, Buffer | null> {
    const pending = new Map<string, Buffer | null>();
    for (const latest of [...this.#closedSegments.map((segment) => segment.latest), this.#latest]) {
      for (const change of latest.values()) if (change.dir === dir) pending.set(change.name, change.data);
    }
    return pending;
  }

  /**
   * Closes the open segment and waits until every segment is written out to the record files
   * and deleted, so that the bytes of records deleted before this call are in no file any
   * more (retention purges). Appends go on meanwhile, into a new segment.
   */
  async sweep(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    await this.#closeSegment();
    while (this.#checkpointing) await this.#checkpointing;
    // Segments closed while the last write-out ran, or whose write-out failed: one more try.
    this.#startCheckpoint();
    while (this.#checkpointing) await this.#checkpointing;
    if (this.#closedSegments.length > 0) {
      throw new StoreFileError(this.folder, 'could not all be written out to the record files (they are retried, and replayed at the next start)');
    }
  }

  /** Waits for appends and writes every segment out to the record files; later appends throw. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#writeOutParallel = REPLAY_PARALLEL;
    await this.sweep();
  }

  async #flush(): Promise<void> {
    try {
      while (this.#waiters) {
        const waiters = this.#waiters;
        const frames = this.#frames;
        this.#waiters = null;
        this.#frames = [];
        try {
          const handle = this.#handle ?? (await this.#openSegment());
          const bytes = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
          let offset = 0;
          while (offset < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, this.#written + offset);
            offset += bytesWritten;
          }
          await handle.datasync();
          this.#written += bytes.length;
          waiters.resolve();
        } catch (error) {
          // The segment may now end in a torn frame, after which nothing would be replayed:
          // later appends go to a new segment.
          await this.#closeSegment().catch(() => undefined);
          waiters.reject(new StoreFileError(this.folder, `could not be written (${(error as Error).message})`, { cause: error }));
        }
        // Checked here as well as by the timer: under steady load a flush is always running,
        // and the timer never closes a segment while one does.
        if (this.#handle && (this.#written >= this.#segmentBytes || Date.now() - this.#openedAt >= this.#segmentAgeMs)) {
          await this.#closeSegment().catch((error: unknown) => this.#onCheckpointError(error));
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  async #openSegment(): Promise<FileHandle> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const file = path.join(this.folder, segmentName(this.#nextSegment++));
    const handle = await open(file, 'wx', 0o600);
    try {
      // The segment's name must survive a power cut before anything in it is acknowledged.
      await syncDirectory(this.folder);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.#handle = handle;
    this.#segmentFile = file;
    this.#written = 0;
    this.#openedAt = Date.now();
    return handle;
  }

  /** Stops appending to the open segment (if any) and writes it out in the background. Never while a flush runs. */
  async #closeSegment(): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    this.#handle = null;
    this.#closedSegments.push({ file: this.#segmentFile, latest: this.#latest });
    this.#latest = new Map();
    try {
      await handle.close();
    } finally {
      this.#startCheckpoint();
    }
  }

  /** Closes an old segment, and retries a write-out that failed. */
  #tick(): void {
    if (this.#closed) return;
    if (!this.#flushing && this.#handle && this.#written > 0 && Date.now() - this.#openedAt >= this.#segmentAgeMs) {
      this.#closeSegment().catch((error: unknown) => this.#onCheckpointError(error));
    } else {
      this.#startCheckpoint();
    }
  }

  /** One write-out at a time: two could write a record's older bytes after its newer ones. */
  #startCheckpoint(): void {
    if (this.#checkpointing || this.#closedSegments.length === 0) return;
    this.#checkpointing = this.#checkpoint().then((done) => {
      this.#checkpointing = null;
      // Segments closed meanwhile go next; a failed write-out waits for the next tick.
      if (done) this.#startCheckpoint();
    });
  }

  /**
   * Writes the newest bytes of every record in the closed segments to the record's own file,
   * then deletes those segments. On failure they stay, to be retried (and replayed at start-up).
   */
  async #checkpoint(): Promise<boolean> {
    const segments = this.#closedSegments.slice();
    try {
      await writeOut(this.folder, segments, this.#writeOutParallel);
      this.#closedSegments.splice(0, segments.length);
      return true;
    } catch (error) {
      this.#onCheckpointError(error);
      return false;
    }
  }
}

function segmentName(n: number): string {
  return `${String(n).padStart(12, '0')}.log`;
}

function recordId(change: JournalChange): string {
  return `${change.dir}\0${change.name}`;
}

function encodeFrame(dataDir: string, change: JournalChange): Buffer {
  const dir = Buffer.from(path.relative(dataDir, change.dir));
  const name = Buffer.from(change.name);
  const data = change.data ?? Buffer.alloc(0);
  const payloadLength = 2 + dir.length + 2 + name.length + 1 + data.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payloadLength);
  let at = FRAME_HEADER;
  at = frame.writeUInt16LE(dir.length, at);
  at += dir.copy(frame, at);
  at = frame.writeUInt16LE(name.length, at);
  at += name.copy(frame, at);
  at = frame.writeUInt8(change.data ? OP_PUT : OP_DELETE, at);
  data.copy(frame, at);
  frame.writeUInt32LE(payloadLength, 0);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER)), 4);
  return frame;
}

/**
 * The frames of one segment, up to the first one that is incomplete or fails its checksum:
 * that is where a write was cut off by a crash, and nothing after it was acknowledged.
 */
function decodeSegment(dataDir: string, file: string, bytes: Buffer): JournalChange[] {
  const changes: JournalChange[] = [];
  let at = 0;
  while (at + FRAME_HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const checksum = bytes.readUInt32LE(at + 4);
    const end = at + FRAME_HEADER + length;
    if (length < 5 || end > bytes.length) break;
    const payload = bytes.subarray(at + FRAME_HEADER, end);
    if (crc32(payload) !== checksum) break;
    let p = 0;
    const dirLength = payload.readUInt16LE(p);
    p += 2;
    const relativeDir = payload.subarray(p, p + dirLength).toString('utf8');
    p += dirLength;
    const nameLength = payload.readUInt16LE(p);
    p += 2;
    const name = payload.subarray(p, p + nameLength).toString('utf8');
    p += nameLength;
    const op = payload.readUInt8(p);
    p += 1;
    const dir = path.resolve(dataDir, relativeDir);
    // Written by this program, but a segment is still a file anyone could edit: it may only
    // name a folder inside DATA_DIR and a plain file name.
    if (!dir.startsWith(dataDir + path.sep) || name.length === 0 || name.includes('/') || name.includes('\\') || name.startsWith('.') || (op !== OP_PUT && op !== OP_DELETE)) {
      throw new StoreFileError(file, 'holds a frame that names a file outside the data folder');
    }
    changes.push({ dir, name, data: op === OP_PUT ? Buffer.from(payload.subarray(p)) : null });
    at = end;
  }
  return changes;
}

/** Writes the newest change per record of `segments` (in order) to the record files, then deletes the segments. */
async function writeOut(folder: string, segments: readonly ClosedSegment[], parallel: number): Promise<void> {
  const latest = new Map<string, JournalChange>();
  for (const segment of segments) {
    for (const [id, change] of segment.latest) {
      latest.delete(id);
      latest.set(id, change);
    }
  }
  const changes = [...latest.values()];
  const dirs = new Set(changes.map((change) => change.dir));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true, mode: 0o700 })));
  await forEachLimited(changes, parallel, async ({ dir, name, data }) => {
    const file = path.join(dir, name);
    if (data) {
      await replaceFileSynced(file, data);
    } else {
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  });
  await forEachLimited([...dirs], parallel, (dir) => syncDirectory(dir));
  for (const segment of segments) {
    await unlink(segment.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  await syncDirectory(folder);
}

/**
 * Writes the segments a previous run left under `dataDir/journal` out to the record files
 * and deletes them; returns the number of the last segment seen (0 for none). The server
 * does this at start-up (Journal.open); commands that read or rewrite record files while no
 * server runs (key rotation) do it first.
 */
export async function replayJournal(dataDir: string): Promise<number> {
  const folder = path.join(path.resolve(dataDir), JOURNAL_DIR);
  const segments = await readSegments(dataDir);
  if (segments.length === 0) return 0;
  try {
    await writeOut(folder, segments, REPLAY_PARALLEL);
  } catch (error) {
    throw new StoreFileError(folder, `could not be written out to the record files (${(error as Error).message})`, { cause: error });
  }
  return Number(SEGMENT_NAME.exec(path.basename(segments.at(-1)!.file))![1]);
}

/**
 * The segments under `dataDir/journal`, oldest first, each with
 * the newest change per record. A segment deleted while this reads (written out by a running
 * server) is skipped: its records are in their files by then.
 */
export async function readSegments(dataDir: string): Promise<ClosedSegment[]> {
  const root = path.resolve(dataDir);
  const folder = path.join(root, JOURNAL_DIR);
  const listed = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new StoreFileError(folder, `could not be read (${error.message})`, { cause: error });
  });
  const numbered = listed
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ file: path.join(folder, name), n: Number(match[1]) }))
    .sort((a, b) => a.n - b.n);
  const segments: ClosedSegment[] = [];
  for (const { file } of numbered) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new StoreFileError(file, `could not be read (${(error as Error).message})`, { cause: error });
    }
    const latest = new Map<string, JournalChange>();
    for (const change of decodeSegment(root, file, bytes)) {
      latest.delete(recordId(change));
      latest.set(recordId(change), change);
    }
    segments.push({ file, latest });
  }
  return segments;
}
