import type { Storage, StoreItem } from 'botbuilder';
import type { Locale } from '../i18n.js';
import type { FieldValue } from '../interview/fields/types.js';

/**
 * filed: a clerk has taken the finished complaint in at the filing window. archived: a clerk
 * took it out of the working lists; its document link is dead and retention deletes it later.
 */
export type ComplaintStatus = 'draft' | 'finished' | 'filed' | 'archived';

/** Why a draft needs a person; kept on the draft so clerks see it (issue 6 builds the queue). */
export interface ClerkNeed {
  reason: 'asked' | 'repeated-failure' | 'unsupported-case' | 'arbitration-first';
  field?: string;
  at: string;
}

/**
 * A complaint from first answer to finished document. Answers are keyed by field id;
 * a field inside a repeated group carries its index: `defendant[1].name`.
 */
export interface ComplaintRecord {
  id: string;
  caseType: string | null;
  status: ComplaintStatus;
  locale: Locale;
  /** Six digits a filer says or types to continue from any channel. Unique among drafts. */
  resumeCode: string;
  answers: Record<string, FieldValue>;
  /** Answer keys that were filled from another answer (birth date from the ID number). */
  derived: string[];
  /** Optional answer keys the filer skipped ("不知道"). */
  skipped: string[];
  /** How many entries each repeated group has: { defendant: 2 }. */
  groups: Record<string, number>;
  clerkNeeds: ClerkNeed[];
  /** Photos and PDFs the filer sent as evidence (an IOU, a bank slip); absent on older drafts. */
  evidence?: EvidenceFile[];
  /** Unguessable token in the document's capability URL, set when finished. */
  documentToken?: string;
  documentExpiresAt?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** When a clerk archived it; retention counts RETENTION_ARCHIVED_DAYS from here. */
  archivedAt?: string;
}

export type NewComplaint = Pick<ComplaintRecord, 'locale'> & Partial<Pick<ComplaintRecord, 'caseType'>>;

export interface ComplaintRepository {
  create(init: NewComplaint): Promise<ComplaintRecord>;
  get(id: string): Promise<ComplaintRecord | undefined>;
  findByResumeCode(code: string): Promise<ComplaintRecord | undefined>;
  findByDocumentToken(token: string): Promise<ComplaintRecord | undefined>;
  /** Applies `change` to the stored record and persists it before resolving. */
  update(id: string, change: (record: ComplaintRecord) => void): Promise<ComplaintRecord>;
  list(): Promise<ComplaintRecord[]>;
  /** Deletes the record for good (retention); resolves false when there was none. */
  remove(id: string): Promise<boolean>;
  /**
   * Ids of the records for which `match` is true. `match` sees the stored record (no copy, so
   * retention's hourly look over every record does not stall turns) and must only read it.
   * Optional until the store implements it; retention falls back to list().
   */
  findIds(match: (record: Readonly<ComplaintRecord>) => boolean): Promise<string[]>;
}

/** A file kept on disk in DATA_DIR/uploads, referred to by id. */
export interface StoredFile {
  id: string;
  /** The name the filer's device gave it, cleaned for display. */
  name: string;
  contentType: string;
  size: number;
  savedAt: string;
}

export interface EvidenceFile {
  fileId: string;
  name: string;
  contentType: string;
  size: number;
  addedAt: string;
}

export interface FileStore {
  /** Writes the bytes (temp file, fsync, rename) and resolves once they are on disk. */
  save(input: { bytes: Buffer; contentType: string; name: string }): Promise<StoredFile>;
  read(id: string): Promise<{ meta: StoredFile; bytes: Buffer } | undefined>;
  remove(id: string): Promise<void>;
}

export type StaffRole = 'clerk' | 'admin';

/** A court staff member who signs in to the clerk console. Created with `npm run clerk -- add`. */
export interface StaffAccount {
  /** Lower-case sign-in name; also the key. */
  username: string;
  /** The name filers and colleagues see ("王书记员"). */
  displayName: string;
  role: StaffRole;
  /** `scrypt$N$r$p$salt$hash` (base64); never the password. */
  passwordHash: string;
  /** A disabled account cannot sign in and its sessions end. */
  disabled?: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * Staff accounts, shared with the command line: reads always see the newest file, and
 * `change` applies a synchronous edit to the newest accounts and writes them before resolving.
 */
export interface AccountRepository {
  get(username: string): Promise<StaffAccount | undefined>;
  list(): Promise<StaffAccount[]>;
  change<T>(change: (accounts: Map<string, StaffAccount>) => T): Promise<T>;
}

/** One entry of the audit log: who did what to which record, never the record's data. */
export interface AuditEvent {
  at: string;
  /** The staff username, 'cli' for the command line, or 'system' for retention's purges. */
  actor: string;
  action: string;
  recordType?: 'handoff' | 'complaint' | 'account';
  recordId?: string;
  /** The field id of an edited answer (the id only, never the value). */
  field?: string;
  /** Set when the action was refused or failed ('denied', 'failed'). */
  outcome?: string;
}

export type NewAuditEvent = Omit<AuditEvent, 'at'>;

export interface AuditQuery {
  actor?: string;
  action?: string;
  recordId?: string;
  /** ISO times: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  offset?: number;
  limit?: number;
}

/** Append-only; newest first when listed. */
export interface AuditLog {
  append(event: NewAuditEvent): Promise<AuditEvent>;
  list(query?: AuditQuery): Promise<{ events: AuditEvent[]; total: number }>;
}

/**
 * Encryption at rest for data files (AES-256-GCM with DATA_KEY; src/store/cipher.ts).
 * Sealed bytes carry a marker, so a store can read files written before a key was set and
 * seal them on the next write.
 */
export interface DataCipher {
  /** True when `data` was written by seal (under any key). */
  isSealed(data: Buffer): boolean;
  /** Encrypts with the current key. */
  seal(plain: Buffer): Buffer;
  /** Decrypts with whichever known key sealed it; throws if none does or the bytes were changed. */
  open(sealed: Buffer): Buffer;
}

/** A keyed collection of JSON records persisted under DATA_DIR (see CollectionFile). */
export interface Collection<T> {
  get(key: string): T | undefined;
  has(key: string): boolean;
  set(key: string, value: T): void;
  delete(key: string): boolean;
  values(): IterableIterator<T>;
  keys(): IterableIterator<string>;
  /** Resolves once every change made before the call is durable on disk. */
  commit(): Promise<void>;
  close(): Promise<void>;
}

/** botbuilder Storage, plus the search retention needs to find conversation state that points at a purged draft. */
export interface BotStorage extends Storage {
  /**
   * Keys of the stored items for which `match` is true. `match` sees the stored item itself
   * (no copy, so a scan of every conversation stays cheap) and must only read it.
   * Optional until the store implements it; without it retention leaves conversation state alone.
   */
  findKeys(match: (item: StoreItem) => boolean): Promise<string[]>;
}

export interface Store {
  /**
   * Opens (or creates) another collection under DATA_DIR with the store's encryption, e.g.
   * `openCollection('handoffs.json', 'handoffs')`. The store's close() flushes and closes it too.
   */
  openCollection<T>(fileName: string, name: string): Promise<Collection<T>>;
  files: FileStore;
  complaints: ComplaintRepository;
  /** Staff accounts (DATA_DIR/accounts.json), shared with `npm run clerk`. */
  accounts: AccountRepository;
  /** Views and changes of personal data by staff (DATA_DIR/audit.jsonl). */
  audit: AuditLog;
  /** botbuilder Storage for ConversationState / UserState. */
  botStorage: BotStorage;
  /**
   * Resolves once records deleted before the call are in no file under DATA_DIR any more:
   * the write-ahead journal that still holds their earlier bytes is written out and deleted.
   */
  forgetDeleted(): Promise<void>;
  /** Waits for pending writes; the store is unusable afterwards. */
  close(): Promise<void>;
}
