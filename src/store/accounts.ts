import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FILE_FORMAT_VERSION, StoreFileError } from './collectionFile.js';
import { writeDurably } from './files.js';
import type { AccountRepository, StaffAccount } from './types.js';

/** How long a lock file may sit before it is taken for the leftover of a crashed writer. */
const STALE_LOCK_MS = 30_000;
/** How long a writer waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 25;

interface Snapshot {
  /** Identifies one version of the file: a rename gives a new inode, a write a new mtime. */
  stamp: string;
  accounts: Map<string, StaffAccount>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Staff accounts in their own file, DATA_DIR/accounts.json, shared by the running server and
 * the `npm run clerk` command line.
 *
 * Unlike the other collections, nothing here keeps a copy in memory that it would write back:
 * every read looks at the file's stamp (inode, size, mtime) and reparses it when another
 * process replaced it, and every change takes a lock file, reads the newest version, applies
 * the change and replaces the file atomically (temp file, fsync, rename). So an account the
 * command line adds while the server runs is seen on the next sign-in, and neither side can
 * undo the other's change.
 *
 * A missing file means "no accounts yet" (there are no default accounts); a file that does not
 * parse is reported with its name and never overwritten.
 */
export class AccountFile implements AccountRepository {
  readonly file: string;
  readonly #lockFile: string;
  #snapshot: Snapshot | undefined;
  /** Changes from this process run one at a time; the lock file orders them with other processes. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
    this.#lockFile = `${file}.lock`;
  }

  /** Opens DATA_DIR/fileName and checks that it parses, so a damaged file stops start-up. */
  static async open(dataDir: string, fileName = 'accounts.json'): Promise<AccountFile> {
    const accounts = new AccountFile(path.resolve(dataDir, fileName));
    await accounts.#current();
    return accounts;
  }

  async get(username: string): Promise<StaffAccount | undefined> {
    const account = (await this.#current()).accounts.get(username);
    return account && copy(account);
  }

  async list(): Promise<StaffAccount[]> {
    return Array.from((await this.#current()).accounts.values(), copy);
  }

  /**
   * Applies `change` to the newest accounts on disk and writes them before resolving. The
   * change returns what the caller wants back; it must be synchronous, and it may throw to
   * leave the file as it was.
   */
  change<T>(change: (accounts: Map<string, StaffAccount>) => T): Promise<T> {
    const run = this.#queue.then(() => this.#locked(async () => {
      this.#snapshot = undefined;
      const accounts = new Map([...(await this.#current()).accounts].map(([k, v]) => [k, copy(v)]));
      const result = change(accounts);
      if (result && typeof (result as unknown as PromiseLike<unknown>).then === 'function') {
        throw new TypeError('AccountFile.change: the change must be synchronous.');
      }
      const data = { version: FILE_FORMAT_VERSION, accounts: Object.fromEntries(accounts) };
      await writeDurably(this.file, `${JSON.stringify(data, null, 2)}\n`);
      this.#snapshot = undefined;
      return result;
    }));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #current(): Promise<Snapshot> {
    let info;
    try {
      info = await stat(this.file, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StoreFileError(this.file, `could not be read (${(error as Error).message})`, { cause: error });
      }
      this.#snapshot = { stamp: 'missing', accounts: new Map() };
      return this.#snapshot;
    }
    const stamp = `${info.ino}:${info.size}:${info.mtimeNs}`;
    if (this.#snapshot?.stamp === stamp) return this.#snapshot;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#current();
      const problem = error instanceof SyntaxError ? 'is not valid JSON' : `could not be read (${(error as Error).message})`;
      throw new StoreFileError(this.file, problem, { cause: error });
    }
    this.#snapshot = { stamp, accounts: parseAccounts(this.file, raw) };
    return this.#snapshot;
  }

  async #locked<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(this.#lockFile, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(this.#lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > STALE_LOCK_MS) {
          // A writer that died between taking and releasing the lock; its rename either
          // happened or not, so the data file itself is whole either way.
          await rm(this.#lockFile, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new StoreFileError(this.file, `is locked by another program (${this.#lockFile}); try again, or delete the lock file if no other program is running`);
        }
        await sleep(LOCK_RETRY_MS);
      }
    }
    try {
      return await work();
    } finally {
      await rm(this.#lockFile, { force: true });
    }
  }
}

const ROLES = new Set(['clerk', 'admin']);

function parseAccounts(file: string, raw: unknown): Map<string, StaffAccount> {
  if (!isPlainObject(raw)) throw new StoreFileError(file, 'does not hold a JSON object with "accounts"');
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new StoreFileError(file, 'has no format "version"');
  if (version > FILE_FORMAT_VERSION) {
    throw new StoreFileError(file, `was written in format ${version} by a newer version of this program (this one reads up to ${FILE_FORMAT_VERSION})`);
  }
  const entries = raw['accounts'];
  if (!isPlainObject(entries)) throw new StoreFileError(file, 'has no "accounts" object');
  const accounts = new Map<string, StaffAccount>();
  for (const [key, value] of Object.entries(entries)) {
    if (!isPlainObject(value) || value['username'] !== key || typeof value['passwordHash'] !== 'string' || !ROLES.has(String(value['role']))) {
      throw new StoreFileError(file, `holds an account "${key}" without a matching username, a password hash and a role`);
    }
    accounts.set(key, value as unknown as StaffAccount);
  }
  return accounts;
}
