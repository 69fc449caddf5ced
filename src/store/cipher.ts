import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { DataCipher } from './types.js';

/*
 * Encryption at rest with DATA_KEY (AES-256-GCM). A sealed file is
 *
 *   magic (8) | format (1) | key id (8) | IV (12) | ciphertext | GCM tag (16)
 *
 * The header is authenticated with the data (GCM additional data), so changing the key id,
 * the format or any byte of the ciphertext makes `open` refuse instead of returning garbage.
 * The key id lets `open` pick the right key among DATA_KEY and DATA_KEY_PREVIOUS, which is
 * what makes a rotation resumable: every file is readable under either key at every moment.
 */

/** Starts with NUL, so no JSON, text or image format the store writes can begin this way. */
const MAGIC = Buffer.from('\u0000CCASEAL', 'latin1');
const FORMAT = 1;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + IV_BYTES;
export const KEY_BYTES = 32;

/** Whether `data` starts like sealed bytes; needs no key, so a store without DATA_KEY can say why it cannot read a file. */
export function looksSealed(data: Buffer): boolean {
  return data.length >= HEADER_BYTES + TAG_BYTES && data.subarray(0, MAGIC.length).equals(MAGIC);
}

/** A cipher that can tell which sealed bytes a key rotation still has to rewrite. */
export interface RotatingCipher extends DataCipher {
  /** True when `data` is sealed with the current key. */
  isCurrent(data: Buffer): boolean;
}

/** A DATA_KEY or DATA_KEY_PREVIOUS that is not a 32-byte key. The message never holds the value. */
export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyError';
  }
}

/** Sealed bytes that cannot be opened: an unknown key, a newer format, or changed bytes. */
export class SealedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedDataError';
  }
}

/**
 * Reads a key written as 64 hex digits or as base64 of 32 bytes (what `npm run data-key -- new`
 * prints). Anything else is refused, so a passphrase or a truncated paste never becomes a weak key.
 */
export function parseDataKey(raw: string, variable: string): Buffer {
  const text = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new DataKeyError(
      `${variable} must be 32 random bytes written as 64 hex digits or as base64 (44 characters); make one with \`npm run data-key -- new\` (the value is not shown here)`,
    );
  }
  // A run of one byte is a placeholder copied from an example, not a key.
  if (key.every((byte) => byte === key[0])) {
    throw new DataKeyError(`${variable} is the same byte 32 times, which is a placeholder, not a key; make one with \`npm run data-key -- new\``);
  }
  return key;
}

/** A fresh key as base64, for DATA_KEY. */
export function generateDataKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Names a key without revealing it: the first 8 bytes of a SHA-256 over a label and the key. */
export function keyIdOf(key: Buffer): Buffer {
  return createHash('sha256').update('court-assistant data key id\u0000').update(key).digest().subarray(0, KEY_ID_BYTES);
}

/**
 * DATA_KEY and the keys of DATA_KEY_PREVIOUS as read from the environment. The key bytes sit in
 * private fields, so logging or serializing the configuration shows only the key ids.
 */
export class DataKeys {
  readonly #current: Buffer;
  readonly #previous: Buffer[];

  constructor(current: Buffer, previous: Buffer[] = []) {
    if (current.length !== KEY_BYTES || previous.some((k) => k.length !== KEY_BYTES)) {
      throw new DataKeyError(`a data key must be ${KEY_BYTES} bytes`);
    }
    this.#current = Buffer.from(current);
    // The current key among the previous ones (a half-edited environment) is harmless; once is enough.
    this.#previous = previous.filter((k) => !k.equals(current)).map((k) => Buffer.from(k));
  }

  get current(): Buffer {
    return this.#current;
  }

  get previous(): readonly Buffer[] {
    return this.#previous;
  }

  toJSON(): { current: string; previous: string[] } {
    return { current: keyIdOf(this.#current).toString('hex'), previous: this.#previous.map((k) => keyIdOf(k).toString('hex')) };
  }

  [inspect.custom](): string {
    const ids = this.toJSON();
    return `DataKeys { current: ${ids.current}, previous: [${ids.previous.join(', ')}] }`;
  }
}

interface KnownKey {
  id: Buffer;
  key: Buffer;
}

/** AES-256-GCM sealing with the current key; opening with the current or any previous key. */
export class AesGcmCipher implements RotatingCipher {
  readonly #current: KnownKey;
  readonly #known: KnownKey[];

  constructor(keys: DataKeys) {
    this.#current = { id: keyIdOf(keys.current), key: Buffer.from(keys.current) };
    this.#known = [this.#current, ...keys.previous.map((key) => ({ id: keyIdOf(key), key: Buffer.from(key) }))];
  }

  /** The current key's id in hex, as `npm run data-key -- status` shows it. */
  get currentKeyId(): string {
    return this.#current.id.toString('hex');
  }

  isSealed(data: Buffer): boolean {
    return looksSealed(data);
  }

  /** The id (hex) of the key that sealed `data`, known or not; undefined for unsealed bytes. */
  sealedKeyId(data: Buffer): string | undefined {
    if (!this.isSealed(data)) return undefined;
    return data.subarray(MAGIC.length + 1, MAGIC.length + 1 + KEY_ID_BYTES).toString('hex');
  }

  isCurrent(data: Buffer): boolean {
    return this.sealedKeyId(data) === this.currentKeyId;
  }

  seal(plain: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const header = Buffer.concat([MAGIC, Buffer.from([FORMAT]), this.#current.id, iv]);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer): Buffer {
    if (!this.isSealed(sealed)) throw new SealedDataError('the data is not sealed with a data key');
    const format = sealed[MAGIC.length];
    if (format !== FORMAT) {
      throw new SealedDataError(`the data was sealed in format ${String(format)} by another version of this program (this one reads format ${FORMAT})`);
    }
    const idStart = MAGIC.length + 1;
    const id = sealed.subarray(idStart, idStart + KEY_ID_BYTES);
    const known = this.#known.find((k) => k.id.equals(id));
    if (!known) {
      throw new SealedDataError(
        `the data was sealed with key ${id.toString('hex')}, which is neither DATA_KEY (${this.currentKeyId}) nor in DATA_KEY_PREVIOUS`,
      );
    }
    const header = sealed.subarray(0, HEADER_BYTES);
    const iv = sealed.subarray(idStart + KEY_ID_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', known.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(header);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealedDataError('the sealed data was changed or damaged (its authentication tag does not match)');
    }
  }

  /**
   * A secret for one purpose (such as naming cache files), derived from the current key with
   * HKDF so that it reveals nothing about the key and changes when the key does.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#current.key, Buffer.alloc(0), `court-assistant ${purpose}`, KEY_BYTES));
  }
}
