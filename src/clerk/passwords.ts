import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with Node's scrypt: N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt),
 * a 16-byte random salt per account and a 32-byte key. The parameters are stored with the
 * hash, so raising them later keeps old hashes readable.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** 128 * N * r bytes are needed; Node's default limit (32 MiB) is exactly that, too tight. */
const MAX_MEMORY = 128 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase, short enough that hashing cannot be used to burn the CPU. */
export const MAX_PASSWORD_LENGTH = 256;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { ...options, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, { N, r: R, p: P }, KEY_LENGTH);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Bounds keep a damaged or hostile accounts file from asking for gigabytes of memory.
  if (![n, r, p].every(Number.isInteger) || n < 2 ** 14 || n > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || expected.length < 16) return false;
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const actual = await derive(password, salt, { N: n, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for a user who does not exist, so the
 * answer's timing does not tell which usernames are accounts.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(18).toString('base64'));
  await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), await dummy);
  return false;
}

/** A problem with a new password, in both languages, or null when it is acceptable. */
export function passwordProblem(password: string): { 'zh-CN': string; 'en-US': string } | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return {
      'zh-CN': `密码至少要${MIN_PASSWORD_LENGTH}个字符。`,
      'en-US': `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`,
    };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return {
      'zh-CN': `密码最多${MAX_PASSWORD_LENGTH}个字符。`,
      'en-US': `The password may have at most ${MAX_PASSWORD_LENGTH} characters.`,
    };
  }
  if (!password.trim()) {
    return { 'zh-CN': '密码不能全是空格。', 'en-US': 'The password cannot be only spaces.' };
  }
  return null;
}
