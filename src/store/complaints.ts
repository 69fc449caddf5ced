import type { CollectionFile } from './collectionFile.js';
import type { ComplaintRecord, ComplaintRepository, NewComplaint } from './types.js';

/** Randomness the repository uses; tests pass their own to force collisions. */
export interface StoreRandom {
  /** A new unique id (crypto.randomUUID by default). */
  uuid(): string;
  /** A whole number with min <= n < max (crypto.randomInt by default). */
  int(min: number, max: number): number;
}

/** Six digits without a leading zero, so no channel can drop a digit by reading it as a number. */
const RESUME_CODE_MIN = 100_000;
const RESUME_CODE_MAX = 1_000_000;
/**
 * With fewer drafts than codes a free code turns up quickly; the cap turns an exhausted
 * code space (or a broken random source) into an error instead of an endless loop.
 */
const RESUME_CODE_ATTEMPTS = 1_000;

export class UnknownComplaintError extends Error {
  readonly id: string;
  constructor(id: string) {
    super(`No complaint with id "${id}" is stored.`);
    this.name = 'UnknownComplaintError';
    this.id = id;
  }
}

function copy(record: ComplaintRecord): ComplaintRecord {
  return JSON.parse(JSON.stringify(record)) as ComplaintRecord;
}

/** Complaint records in a collection file, keyed by id. */
export class CollectionComplaintRepository implements ComplaintRepository {
  readonly #records: CollectionFile<ComplaintRecord>;
  readonly #now: () => Date;
  readonly #random: StoreRandom;
  /**
   * Resume codes of drafts and document tokens, each to its record's id: a filer's code and
   * a document link are looked up without reading every record the court has kept.
   */
  readonly #draftByResumeCode = new Map<string, string>();
  readonly #byDocumentToken = new Map<string, string>();

  constructor(records: CollectionFile<ComplaintRecord>, now: () => Date, random: StoreRandom) {
    this.#records = records;
    this.#now = now;
    this.#random = random;
    for (const record of records.values()) this.#index(record);
  }

  #index(record: ComplaintRecord): void {
    if (record.status === 'draft') this.#draftByResumeCode.set(record.resumeCode, record.id);
    if (record.documentToken) this.#byDocumentToken.set(record.documentToken, record.id);
  }

  #unindex(record: ComplaintRecord): void {
    if (this.#draftByResumeCode.get(record.resumeCode) === record.id) this.#draftByResumeCode.delete(record.resumeCode);
    if (record.documentToken && this.#byDocumentToken.get(record.documentToken) === record.id) this.#byDocumentToken.delete(record.documentToken);
  }

  async create(init: NewComplaint): Promise<ComplaintRecord> {
    const id = this.#random.uuid();
    if (this.#records.has(id)) throw new Error(`Complaint id "${id}" is already taken.`);
    const at = this.#now().toISOString();
    const record: ComplaintRecord = {
      id,
      caseType: init.caseType ?? null,
      status: 'draft',
      locale: init.locale,
      resumeCode: this.#freeResumeCode(),
      answers: {},
      derived: [],
      skipped: [],
      groups: {},
      clerkNeeds: [],
      createdAt: at,
      updatedAt: at,
    };
    this.#records.set(id, record);
    this.#index(record);
    await this.#records.commit();
    return copy(record);
  }

  async get(id: string): Promise<ComplaintRecord | undefined> {
    const record = this.#records.get(id);
    return record && copy(record);
  }

  async findByResumeCode(code: string): Promise<ComplaintRecord | undefined> {
    const id = this.#draftByResumeCode.get(code.trim());
    const record = id === undefined ? undefined : this.#records.get(id);
    return record?.status === 'draft' ? copy(record) : undefined;
  }

  async findByDocumentToken(token: string): Promise<ComplaintRecord | undefined> {
    // An empty token must never match a record whose token was cleared to ''.
    if (!token) return undefined;
    const id = this.#byDocumentToken.get(token);
    const record = id === undefined ? undefined : this.#records.get(id);
    return record?.documentToken === token ? copy(record) : undefined;
  }

  async update(id: string, change: (record: ComplaintRecord) => void): Promise<ComplaintRecord> {
    const stored = this.#records.get(id);
    if (!stored) throw new UnknownComplaintError(id);
    const next = copy(stored);
    const returned: unknown = change(next);
    if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
      // Changes made after an await would be silently lost; refuse instead.
      throw new TypeError('ComplaintRepository.update: the change must be synchronous (no async function).');
    }
    if (next.id !== id) throw new Error(`ComplaintRepository.update: the change must not alter the id of "${id}".`);
    next.updatedAt = this.#now().toISOString();
    // Round-trip now so memory holds exactly what the file will (no undefined, no Dates).
    const saved = copy(next);
    this.#unindex(stored);
    this.#records.set(id, saved);
    this.#index(saved);
    await this.#records.commit();
    return copy(saved);
  }

  async list(): Promise<ComplaintRecord[]> {
    return Array.from(this.#records.values(), copy);
  }

  /** Ids of the records `match` accepts, without copying every record (retention scans them all). */
  async findIds(match: (record: Readonly<ComplaintRecord>) => boolean): Promise<string[]> {
    const ids: string[] = [];
    for (const record of this.#records.values()) if (match(record)) ids.push(record.id);
    return ids;
  }

  async remove(id: string): Promise<boolean> {
    const stored = this.#records.get(id);
    if (!stored) return false;
    this.#unindex(stored);
    this.#records.delete(id);
    await this.#records.commit();
    return true;
  }

  #freeResumeCode(): string {
    const taken = this.#draftByResumeCode;
    for (let attempt = 0; attempt < RESUME_CODE_ATTEMPTS; attempt += 1) {
      const code = String(this.#random.int(RESUME_CODE_MIN, RESUME_CODE_MAX));
      if (!/^[1-9]\d{5}$/.test(code)) throw new RangeError(`The random source gave "${code}", not a six-digit resume code.`);
      if (!taken.has(code)) return code;
    }
    throw new Error(`No free resume code found after ${RESUME_CODE_ATTEMPTS} tries (${taken.size} drafts).`);
  }
}
