import { randomInt, randomUUID } from 'node:crypto';
import type { StoreItem } from 'botbuilder';
import { AccountFile } from './accounts.js';
import { AuditFile } from './audit.js';
import { CollectionBotStorage } from './botStorage.js';
import { CollectionFile } from './collectionFile.js';
import { Journal } from './journal.js';
import { CollectionComplaintRepository, type StoreRandom } from './complaints.js';
import { DiskFileStore } from './files.js';
import type { Collection, ComplaintRecord, DataCipher, Store } from './types.js';

export type * from './types.js';
export type { StoreRandom } from './complaints.js';
export { UnknownComplaintError } from './complaints.js';
export { ETagConflictError } from './botStorage.js';
export { StoreClosedError, StoreFileError } from './errors.js';
export { replayJournal } from './journal.js';
export { DiskFileStore } from './files.js';
export { AccountFile } from './accounts.js';
export { AuditFile } from './audit.js';

export interface StoreOptions {
  /** The clock for createdAt/updatedAt. */
  now?: () => Date;
  /** Ids and resume codes; either part may be replaced. */
  random?: Partial<StoreRandom>;
  /** Encryption at rest for every collection (DATA_KEY); without it files are plain JSON. */
  cipher?: DataCipher;
  /** Told when the journal fails to write closed segments out to the record files (they stay, and are retried). */
  onBackgroundError?: (error: unknown) => void;
}

/** The files in the data directory; each holds one keyed collection. */
export const STORE_FILES = {
  complaints: 'complaints.json',
  botState: 'bot-state.json',
  /** Shared with the `npm run clerk` command line, which opens it alone (openAccounts). */
  accounts: 'accounts.json',
  audit: 'audit.jsonl',
} as const;

/** The staff accounts alone, for the command line: it must not open (or touch) the filers' data. */
export function openAccounts(dataDir: string): Promise<AccountFile> {
  return AccountFile.open(dataDir, STORE_FILES.accounts);
}

export function openAuditLog(dataDir: string, now?: () => Date): Promise<AuditFile> {
  return AuditFile.open(dataDir, now, STORE_FILES.audit);
}

/**
 * Opens the store in `dataDir` (created if missing). Rejects with StoreFileError,
 * naming the file, when a data file cannot be read as this store's data; such a file is
 * never overwritten.
 */
export async function openStore(dataDir: string, options: StoreOptions = {}): Promise<Store> {
  const now = options.now ?? (() => new Date());
  const random: StoreRandom = {
    uuid: options.random?.uuid ?? (() => randomUUID()),
    int: options.random?.int ?? ((min, max) => randomInt(min, max)),
  };
  // Before any collection reads its folder: what a crash left in the journal is written out.
  const journal = await Journal.open(dataDir, options.onBackgroundError ? { onCheckpointError: options.onBackgroundError } : {});
  const collectionOptions = { cipher: options.cipher, journal };
  const opened: CollectionFile<unknown>[] = [];
  const closeOpened = async () => {
    await Promise.all(opened.map((c) => c.close()));
    await journal.close();
  };
  let complaintFile: CollectionFile<ComplaintRecord>;
  let botFile: CollectionFile<StoreItem>;
  let accounts: AccountFile;
  let audit: AuditFile;
  try {
    // One after the other so that a bad second folder stops start-up before more is opened.
    complaintFile = await CollectionFile.open<ComplaintRecord>(dataDir, STORE_FILES.complaints, 'complaints', collectionOptions);
    opened.push(complaintFile as CollectionFile<unknown>);
    botFile = await CollectionFile.open<StoreItem>(dataDir, STORE_FILES.botState, 'items', collectionOptions);
    opened.push(botFile as CollectionFile<unknown>);
    accounts = await openAccounts(dataDir);
    audit = await openAuditLog(dataDir, now);
  } catch (error) {
    await closeOpened();
    throw error;
  }
  const files = await DiskFileStore.open(dataDir, now, options.cipher);
  let closing: Promise<void> | undefined;
  return {
    async openCollection<T>(fileName: string, name: string): Promise<Collection<T>> {
      const collection = await CollectionFile.open<T>(dataDir, fileName, name, collectionOptions);
      opened.push(collection as CollectionFile<unknown>);
      return collection;
    },
    files,
    complaints: new CollectionComplaintRepository(complaintFile, now, random),
    // eTags are opaque and need only be fresh, so they do not draw on the injected source
    // (a test's predictable ids must not make two eTags equal).
    botStorage: new CollectionBotStorage(botFile, () => randomUUID()),
    accounts,
    audit,
    forgetDeleted: () => journal.sweep(),
    close() {
      // The journal last: it waits for the collections' appends, then writes every record out.
      closing ??= Promise.all([closeOpened(), audit.close()]).then(() => undefined);
      return closing;
    },
  };
}
