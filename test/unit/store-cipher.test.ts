import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AesGcmCipher, DataKeyError, DataKeys, generateDataKey, keyIdOf, looksSealed, parseDataKey, SealedDataError } from '../../src/store/cipher.js';

const record = Buffer.from(JSON.stringify({ name: '张三', idNumber: '11010519491231002X' }), 'utf8');
const cipherWith = (current: Buffer, previous: Buffer[] = []) => new AesGcmCipher(new DataKeys(current, previous));

describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);
  const cipher = cipherWith(key);

  it('opens what it sealed, with a fresh IV each time, and hides the plain text', () => {
    const first = cipher.seal(record);
    const second = cipher.seal(record);
    expect(cipher.open(first)).toEqual(record);
    expect(first.equals(second)).toBe(false);
    expect(first.subarray(17, 29).equals(second.subarray(17, 29))).toBe(false);
    expect(first.includes(Buffer.from('11010519491231002X'))).toBe(false);
    expect(first.includes(Buffer.from('张三'))).toBe(false);
    expect(first.length).toBe(record.length + 45);
    expect(cipher.open(cipher.seal(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('tells sealed bytes from JSON, images and short files', () => {
    expect(cipher.isSealed(cipher.seal(record))).toBe(true);
    expect(cipher.isSealed(record)).toBe(false);
    expect(cipher.isSealed(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...randomBytes(60)]))).toBe(false);
    expect(cipher.isSealed(cipher.seal(record).subarray(0, 30))).toBe(false);
    expect(looksSealed(cipher.seal(record))).toBe(true);
  });

  it('refuses every changed byte: ciphertext, tag, IV, key id, format; and a cut-short file', () => {
    const sealed = cipher.seal(record);
    const flipped = (at: number) => {
      const copy = Buffer.from(sealed);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    for (const at of [40, sealed.length - 1, 20, 10, 8]) {
      expect(() => cipher.open(flipped(at)), `byte ${at}`).toThrowError(SealedDataError);
    }
    expect(() => cipher.open(flipped(40))).toThrowError(/changed or damaged/);
    expect(() => cipher.open(flipped(10))).toThrowError(/neither DATA_KEY/);
    expect(() => cipher.open(flipped(8))).toThrowError(/format/);
    expect(() => cipher.open(sealed.subarray(0, sealed.length - 1))).toThrowError(SealedDataError);
    expect(() => cipher.open(record)).toThrowError(/not sealed/);
  });

  it('refuses data sealed with another key, naming key ids and never a key', () => {
    const other = randomBytes(32);
    const sealed = cipherWith(other).seal(record);
    let message = '';
    try {
      cipher.open(sealed);
    } catch (error) {
      expect(error).toBeInstanceOf(SealedDataError);
      message = (error as Error).message;
    }
    expect(message).toContain(keyIdOf(other).toString('hex'));
    expect(message).toContain(cipher.currentKeyId);
    for (const k of [key, other]) {
      expect(message).not.toContain(k.toString('hex'));
      expect(message).not.toContain(k.toString('base64'));
    }
  });

  it('opens data sealed with a previous key and seals only with the current one', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const oldSealed = cipherWith(oldKey).seal(record);
    const rotating = cipherWith(newKey, [randomBytes(32), oldKey]);
    expect(rotating.open(oldSealed)).toEqual(record);
    expect(rotating.isCurrent(oldSealed)).toBe(false);
    expect(rotating.sealedKeyId(oldSealed)).toBe(keyIdOf(oldKey).toString('hex'));
    const resealed = rotating.seal(record);
    expect(rotating.isCurrent(resealed)).toBe(true);
    expect(() => cipherWith(oldKey).open(resealed)).toThrowError(SealedDataError);
    expect(rotating.isCurrent(record)).toBe(false);
  });

  it('derives separate secrets per purpose and per key, never the key itself', () => {
    const a = cipher.deriveKey('speech cache names');
    expect(a).toHaveLength(32);
    expect(a.equals(key)).toBe(false);
    expect(a.equals(cipher.deriveKey('something else'))).toBe(false);
    expect(a.equals(cipherWith(randomBytes(32)).deriveKey('speech cache names'))).toBe(false);
    expect(a.equals(cipherWith(key).deriveKey('speech cache names'))).toBe(true);
  });
});

describe('DATA_KEY format', () => {
  const key = randomBytes(32);

  it('reads 64 hex digits, base64 and base64url, with or without padding', () => {
    expect(parseDataKey(key.toString('hex'), 'DATA_KEY')).toEqual(key);
    expect(parseDataKey(key.toString('hex').toUpperCase(), 'DATA_KEY')).toEqual(key);
    expect(parseDataKey(key.toString('base64'), 'DATA_KEY')).toEqual(key);
    expect(parseDataKey(` ${key.toString('base64url')}\n`, 'DATA_KEY')).toEqual(key);
    expect(parseDataKey(generateDataKey(), 'DATA_KEY')).toHaveLength(32);
  });

  it('refuses passphrases, short keys, long keys and placeholders without showing them', () => {
    const bad = [
      'correct horse battery staple', key.toString('hex').slice(0, 62), `${key.toString('hex')}00`,
      randomBytes(16).toString('base64'), randomBytes(48).toString('base64'), '0'.repeat(64), Buffer.alloc(32, 7).toString('base64'), '',
    ];
    for (const value of bad) {
      let error: unknown;
      try {
        parseDataKey(value, 'DATA_KEY');
      } catch (caught) {
        error = caught;
      }
      expect(error, value).toBeInstanceOf(DataKeyError);
      expect((error as Error).message).toContain('DATA_KEY');
      if (value) expect((error as Error).message).not.toContain(value);
    }
  });

  it('stops start-up naming the variable, never its value; DATA_KEY_PREVIOUS needs DATA_KEY', () => {
    const secretLooking = 'my-court-passphrase-2026';
    const load = (env: Record<string, string>) => () => loadConfig(env, '/srv/court');
    expect(load({ DATA_KEY: secretLooking })).toThrowError(ConfigError);
    expect(load({ DATA_KEY: secretLooking })).toThrowError(/DATA_KEY must be 32 random bytes/);
    try {
      load({ DATA_KEY: secretLooking })();
    } catch (error) {
      expect((error as Error).message).not.toContain(secretLooking);
    }
    expect(load({ DATA_KEY: key.toString('hex'), DATA_KEY_PREVIOUS: `${randomBytes(32).toString('hex')},${secretLooking}` }))
      .toThrowError(/DATA_KEY_PREVIOUS \(entry 2\)/);
    expect(load({ DATA_KEY_PREVIOUS: key.toString('hex') })).toThrowError(/without DATA_KEY/);
    expect(loadConfig({}, '/srv/court').dataKeys).toBeUndefined();
  });

  it('keeps the keys out of a printed or serialized configuration', () => {
    const old = randomBytes(32);
    const config = loadConfig({ DATA_KEY: key.toString('base64'), DATA_KEY_PREVIOUS: ` ${old.toString('hex')} , ` }, '/srv/court');
    expect(config.dataKeys?.current).toEqual(key);
    expect(config.dataKeys?.previous).toEqual([old]);
    const shown = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.dataKeys)].join('\n');
    for (const k of [key, old]) {
      expect(shown).not.toContain(k.toString('hex'));
      expect(shown).not.toContain(k.toString('base64'));
    }
    expect(shown).toContain(keyIdOf(key).toString('hex'));
  });
});
