import { randomInt, randomUUID } from 'node:crypto';
import type { StoreItem } from 'botbuilder';
import { AccountFile } from './accounts.js';
import { AuditFile } from './audit.js';
import { CollectionBotStorage } from './botStorage.js';
import { CollectionFile } from './collectionFile.js';
import { CollectionComplaintRepository, type StoreRandom } from './complaints.js';
import { DiskFileStore } from './files.js';
import type { Collection, ComplaintRecord, DataCipher, Store } from './types.js';

export type * from './types.js';
export type { StoreRandom } from './complaints.js';
export { UnknownComplaintError } from './complaints.js';
export { ETagConflictError } from './botStorage.js';
export { StoreClosedError, StoreFileError } from './collectionFile.js';
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
  // Opened one after the other so that a bad second file cannot leave the first with a
  // half-finished start-up write.
  const complaintFile = await CollectionFile.open<ComplaintRecord>(dataDir, STORE_FILES.complaints, 'complaints', { cipher: options.cipher });
  let botFile: CollectionFile<StoreItem>;
  try {
    botFile = await CollectionFile.open<StoreItem>(dataDir, STORE_FILES.botState, 'items', { cipher: options.cipher });
  } catch (error) {
    await complaintFile.close();
    throw error;
  }
  let accounts: AccountFile;
  let audit: AuditFile;
  try {
    accounts = await openAccounts(dataDir);
    audit = await openAuditLog(dataDir, now);
  } catch (error) {
    await Promise.all([complaintFile.close(), botFile.close()]);
    throw error;
  }
  const files = await DiskFileStore.open(dataDir, now, options.cipher);
  const cipher = options.cipher;
  const others: CollectionFile<unknown>[] = [];
  let closing: Promise<void> | undefined;
  return {
    async openCollection<T>(fileName: string, name: string): Promise<Collection<T>> {
      const collection = await CollectionFile.open<T>(dataDir, fileName, name, { cipher });
      others.push(collection as CollectionFile<unknown>);
      return collection;
    },
    files,
    complaints: new CollectionComplaintRepository(complaintFile, now, random),
    // eTags are opaque and need only be fresh, so they do not draw on the injected source
    // (a test's predictable ids must not make two eTags equal).
    botStorage: new CollectionBotStorage(botFile, () => randomUUID()),
    accounts,
    audit,
    close() {
      closing ??= Promise.all([complaintFile.close(), botFile.close(), audit.close(), ...others.map((c) => c.close())]).then(() => undefined);
      return closing;
    },
  };
}
