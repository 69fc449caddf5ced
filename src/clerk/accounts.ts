import { createHash } from 'node:crypto';
import type { Localized } from '../i18n.js';
import type { AccountRepository, StaffAccount, StaffRole } from '../store/types.js';
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from './passwords.js';

/** An account as shown to people and returned by the API: everything but the hash. */
export interface PublicAccount {
  username: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type AccountErrorCode = 'invalid-username' | 'invalid-display-name' | 'invalid-role' | 'weak-password' | 'exists' | 'not-found' | 'last-admin';

export class AccountError extends Error {
  readonly code: AccountErrorCode;
  readonly text: Localized;
  constructor(code: AccountErrorCode, text: Localized) {
    super(text['en-US']);
    this.name = 'AccountError';
    this.code = code;
    this.text = text;
  }
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const ROLES: readonly StaffRole[] = ['clerk', 'admin'];
const MAX_DISPLAY_NAME = 40;

/** Sign-in names are compared in lower case, so "Wang" and "wang" are one account. */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** Actors the audit log writes for the program itself; a person named so would be mistaken for it. */
const RESERVED_USERNAMES = new Set(['system', 'cli']);

function checkUsername(username: string): void {
  if (RESERVED_USERNAMES.has(username)) {
    throw new AccountError('invalid-username', {
      'zh-CN': `“${username}”留给系统在审计日志里使用，请换一个用户名。`,
      'en-US': `"${username}" is kept for the system's own entries in the audit log; choose another username.`,
    });
  }
  if (!USERNAME.test(username)) {
    throw new AccountError('invalid-username', {
      'zh-CN': '用户名要用2到32个英文字母、数字、点、横线或下划线，以字母或数字开头。',
      'en-US': 'A username has 2 to 32 letters, digits, dots, dashes or underscores, and starts with a letter or digit.',
    });
  }
}

function cleanDisplayName(raw: string | undefined, fallback: string): string {
  // Control and bidi characters would let a name disguise itself in the console and the audit view.
  const name = (raw ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!name) return fallback;
  if ([...name].length > MAX_DISPLAY_NAME) {
    throw new AccountError('invalid-display-name', {
      'zh-CN': `显示的名字最多${MAX_DISPLAY_NAME}个字。`,
      'en-US': `The display name may have at most ${MAX_DISPLAY_NAME} characters.`,
    });
  }
  return name;
}

function checkRole(role: string): StaffRole {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new AccountError('invalid-role', { 'zh-CN': '角色只能是 clerk（书记员）或 admin（管理员）。', 'en-US': 'The role must be clerk or admin.' });
  }
  return role as StaffRole;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError('weak-password', problem);
}

function notFound(username: string): AccountError {
  return new AccountError('not-found', { 'zh-CN': `没有账号 ${username}。`, 'en-US': `There is no account ${username}.` });
}

export function publicAccount(account: StaffAccount): PublicAccount {
  return {
    username: account.username,
    displayName: account.displayName,
    role: account.role,
    disabled: account.disabled === true,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

function stampOf(account: StaffAccount): string {
  return createHash('sha256').update(account.passwordHash).digest('base64url').slice(0, 16);
}

function enabledAdmins(accounts: Map<string, StaffAccount>): number {
  return [...accounts.values()].filter((a) => a.role === 'admin' && !a.disabled).length;
}

export interface AccountChange {
  displayName?: string;
  role?: string;
  disabled?: boolean;
}

/**
 * Staff accounts with their rules: who may be created, password strength, hashing, and the
 * check at sign-in. Used alike by the server (sign-in, the admin API) and the command line.
 */
export class StaffAccounts {
  constructor(private readonly repo: AccountRepository, private readonly now: () => Date = () => new Date()) {}

  async list(): Promise<PublicAccount[]> {
    return (await this.repo.list()).map(publicAccount).sort((a, b) => a.username.localeCompare(b.username));
  }

  async get(username: string): Promise<PublicAccount | undefined> {
    const account = await this.repo.get(normalizeUsername(username));
    return account && publicAccount(account);
  }

  /** The account when it exists and may act now; undefined for a removed or disabled one. */
  async active(username: string): Promise<PublicAccount | undefined> {
    return (await this.current(username))?.account;
  }

  /**
   * The enabled account with a stamp of its password: a session remembers the stamp it began
   * with, so a new password (set anywhere, the command line included) ends older sessions.
   */
  async current(username: string): Promise<{ account: PublicAccount; stamp: string } | undefined> {
    const account = await this.repo.get(normalizeUsername(username));
    if (!account || account.disabled) return undefined;
    return { account: publicAccount(account), stamp: stampOf(account) };
  }

  async add(input: { username: string; password: string; role?: string; displayName?: string }): Promise<PublicAccount> {
    const username = normalizeUsername(input.username);
    checkUsername(username);
    checkPassword(input.password);
    const role = checkRole(input.role ?? 'clerk');
    const displayName = cleanDisplayName(input.displayName, username);
    const passwordHash = await hashPassword(input.password);
    const at = this.now().toISOString();
    return this.repo.change((accounts) => {
      if (accounts.has(username)) {
        throw new AccountError('exists', { 'zh-CN': `账号 ${username} 已经有了。`, 'en-US': `The account ${username} already exists.` });
      }
      const account: StaffAccount = { username, displayName, role, passwordHash, createdAt: at, updatedAt: at };
      accounts.set(username, account);
      return publicAccount(account);
    });
  }

  async setPassword(rawUsername: string, password: string): Promise<PublicAccount> {
    const username = normalizeUsername(rawUsername);
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const at = this.now().toISOString();
    return this.repo.change((accounts) => {
      const account = accounts.get(username);
      if (!account) throw notFound(username);
      account.passwordHash = passwordHash;
      account.updatedAt = at;
      return publicAccount(account);
    });
  }

  /**
   * Changes name, role or whether the account is disabled. With `keepAnAdmin` (the web API)
   * the last enabled admin cannot be disabled or demoted, so nobody locks the court out of its
   * own console; the command line can always repair that.
   */
  async update(rawUsername: string, change: AccountChange, options: { keepAnAdmin?: boolean } = {}): Promise<PublicAccount> {
    const username = normalizeUsername(rawUsername);
    const role = change.role === undefined ? undefined : checkRole(change.role);
    const at = this.now().toISOString();
    return this.repo.change((accounts) => {
      const account = accounts.get(username);
      if (!account) throw notFound(username);
      const before = enabledAdmins(accounts);
      if (change.displayName !== undefined) account.displayName = cleanDisplayName(change.displayName, account.username);
      if (role) account.role = role;
      if (change.disabled !== undefined) {
        if (change.disabled) account.disabled = true;
        else delete account.disabled;
      }
      if (options.keepAnAdmin && before > 0 && enabledAdmins(accounts) === 0) {
        throw new AccountError('last-admin', {
          'zh-CN': '这是最后一个可用的管理员账号，不能停用或降级。',
          'en-US': 'This is the last enabled admin account; it cannot be disabled or demoted.',
        });
      }
      account.updatedAt = at;
      return publicAccount(account);
    });
  }

  async remove(rawUsername: string): Promise<void> {
    const username = normalizeUsername(rawUsername);
    await this.repo.change((accounts) => {
      if (!accounts.delete(username)) throw notFound(username);
    });
  }

  /**
   * The account when the password is right and the account enabled; otherwise undefined, after
   * the same amount of work whether or not the username exists.
   */
  async authenticate(rawUsername: string, password: string): Promise<{ account: PublicAccount; stamp: string } | undefined> {
    const username = normalizeUsername(rawUsername);
    const account = USERNAME.test(username) ? await this.repo.get(username) : undefined;
    if (!account) return verifyAgainstNothing(password).then(() => undefined);
    const ok = await verifyPassword(password, account.passwordHash);
    return ok && !account.disabled ? { account: publicAccount(account), stamp: stampOf(account) } : undefined;
  }
}
