import { appendFile, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountError, StaffAccounts, hashPassword, verifyPassword } from '../../src/clerk/index.js';
import { AccountFile, AuditFile, StoreFileError, openStore } from '../../src/store/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clerk-accounts-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  it('hashes with scrypt N=2^15 and a fresh salt, and checks in constant time', async () => {
    const a = await hashPassword('a long password');
    const b = await hashPassword('a long password');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long password', a)).toBe(true);
    expect(await verifyPassword('a long passwore', a)).toBe(false);
    expect(await verifyPassword('a long password', 'scrypt$2$1$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('a long password', 'plain')).toBe(false);
  });
});

describe('the accounts file', () => {
  it('has no accounts until one is added, and never writes the password', async () => {
    const accounts = new StaffAccounts(await AccountFile.open(dir));
    expect(await accounts.list()).toEqual([]);
    await expect(stat(path.join(dir, 'accounts.json'))).rejects.toThrow();
    await accounts.add({ username: ' Wang ', password: 'wang-password-1', displayName: '  王书记员\u202e ' });
    const raw = await readFile(path.join(dir, 'accounts.json'), 'utf8');
    expect(raw).not.toContain('wang-password-1');
    expect(JSON.parse(raw).accounts.wang).toMatchObject({ username: 'wang', displayName: '王书记员', role: 'clerk' });
    expect((await accounts.authenticate('WANG', 'wang-password-1'))?.account.username).toBe('wang');
    expect(await accounts.authenticate('wang', 'wrong-password')).toBeUndefined();
    expect(await accounts.authenticate('nobody', 'wang-password-1')).toBeUndefined();
  });

  it('refuses bad names, short passwords and duplicates with texts in both languages', async () => {
    const accounts = new StaffAccounts(await AccountFile.open(dir));
    const refused = async (input: Parameters<StaffAccounts['add']>[0]) => accounts.add(input).then(() => undefined, (e: unknown) => e as AccountError);
    for (const [input, code] of [
      [{ username: 'a', password: 'long-enough-1' }, 'invalid-username'],
      [{ username: '../etc', password: 'long-enough-1' }, 'invalid-username'],
      [{ username: 'system', password: 'long-enough-1' }, 'invalid-username'],
      [{ username: 'CLI', password: 'long-enough-1' }, 'invalid-username'],
      [{ username: 'wang', password: 'short' }, 'weak-password'],
      [{ username: 'wang', password: '          ' }, 'weak-password'],
      [{ username: 'wang', password: 'long-enough-1', role: 'root' }, 'invalid-role'],
    ] as const) {
      const error = await refused(input);
      expect(error, JSON.stringify(input)).toBeInstanceOf(AccountError);
      expect(error!.code).toBe(code);
      expect(error!.text['zh-CN']).toBeTruthy();
      expect(error!.text['en-US']).toBeTruthy();
    }
    await accounts.add({ username: 'wang', password: 'long-enough-1' });
    expect((await refused({ username: 'WANG', password: 'long-enough-2' }))?.code).toBe('exists');
  });

  it('sees another process\'s change at once and never writes back a stale copy', async () => {
    const server = new StaffAccounts(await AccountFile.open(dir));
    const cli = new StaffAccounts(await AccountFile.open(dir));
    await server.add({ username: 'wang', password: 'long-enough-1' });
    await cli.add({ username: 'li', password: 'long-enough-1', role: 'admin' });
    expect((await server.list()).map((a) => a.username)).toEqual(['li', 'wang']);
    await server.update('wang', { displayName: '王' });
    await cli.remove('li');
    expect((await server.list()).map((a) => [a.username, a.displayName])).toEqual([['wang', '王']]);
    // Many changes at once from two handles: none is lost.
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? server : cli).add({ username: `clerk${i}`, password: 'long-enough-1' })));
    expect((await cli.list()).length).toBe(7);
  });

  it('waits for another writer\'s lock, and takes over a lock left by a crash', async () => {
    const accounts = new StaffAccounts(await AccountFile.open(dir));
    const lock = path.join(dir, 'accounts.json.lock');
    await writeFile(lock, '99999');
    const adding = accounts.add({ username: 'wang', password: 'long-enough-1' });
    await new Promise((r) => setTimeout(r, 100));
    expect(await accounts.get('wang')).toBeUndefined();
    await rm(lock);
    await adding;
    expect(await accounts.get('wang')).toBeDefined();

    await writeFile(lock, '99999');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await accounts.add({ username: 'li', password: 'long-enough-1' });
    expect(await accounts.get('li')).toBeDefined();
    await expect(stat(lock)).rejects.toThrow();
  });

  it('stops start-up on a damaged file and leaves it as it was', async () => {
    const file = path.join(dir, 'accounts.json');
    for (const content of ['{"version":1,"accounts":{"x":', '{"version":1,"accounts":{"wang":{"username":"li"}}}', '{"version":7,"accounts":{}}']) {
      await writeFile(file, content);
      const error = await openStore(dir).then(async (s) => { await s.close(); return undefined; }, (e: unknown) => e);
      expect(error, content).toBeInstanceOf(StoreFileError);
      expect((error as Error).message).toContain(file);
      expect(await readFile(file, 'utf8')).toBe(content);
    }
  });

  it('keeps the last enabled admin when asked to', async () => {
    const accounts = new StaffAccounts(await AccountFile.open(dir));
    await accounts.add({ username: 'boss', password: 'long-enough-1', role: 'admin' });
    await expect(accounts.update('boss', { disabled: true }, { keepAnAdmin: true })).rejects.toMatchObject({ code: 'last-admin' });
    expect((await accounts.get('boss'))?.disabled).toBe(false);
    // The command line may: it is how a court repairs its accounts.
    expect((await accounts.update('boss', { disabled: true })).disabled).toBe(true);
  });
});

describe('the audit log', () => {
  it('appends, lists newest first with filters and pages, and survives a line cut short', async () => {
    let tick = 0;
    const audit = await AuditFile.open(dir, () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)));
    await audit.append({ actor: 'wang', action: 'complaint-view', recordType: 'complaint', recordId: 'c1' });
    await audit.append({ actor: 'li', action: 'answer-edit', recordType: 'complaint', recordId: 'c1', field: 'plaintiff.name' });
    await appendFile(path.join(dir, 'audit.jsonl'), '{"at":"2025-01-01T00:00:09.000Z","actor":"cut');
    await appendFile(path.join(dir, 'audit.jsonl'), '\n');
    // Keys a caller did not mean to log are dropped.
    await audit.append({ actor: 'wang', action: 'sign-out', ...({ value: '张三' } as object) } as Parameters<AuditFile['append']>[0]);
    const all = await audit.list();
    expect(all.total).toBe(3);
    expect(all.events.map((e) => e.action)).toEqual(['sign-out', 'answer-edit', 'complaint-view']);
    expect(JSON.stringify(all)).not.toContain('张三');
    expect((await audit.list({ actor: 'wang' })).events.map((e) => e.action)).toEqual(['sign-out', 'complaint-view']);
    expect((await audit.list({ recordId: 'c1', limit: 1, offset: 1 })).events.map((e) => e.actor)).toEqual(['wang']);
    expect((await audit.list({ from: '2025-01-01T00:00:01.000Z', to: '2025-01-01T00:00:02.000Z' })).events.map((e) => e.actor)).toEqual(['li']);
  });
});
