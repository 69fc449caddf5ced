/**
 * The commands of `npm run clerk -- <command>` (src/clerk/cli.ts runs them): staff accounts
 * from the command line, with or without the server running. It opens only DATA_DIR/accounts.json (and appends to the audit log), never
 * the filers' data, and every change re-reads the newest file under a lock, so nothing the
 * server holds is lost.
 *
 *   add NAME [--admin] [--display "王书记员"]   password from standard input
 *   passwd NAME                                 new password from standard input
 *   list
 *   disable NAME / enable NAME
 *   remove NAME
 */
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config.js';
import { openAccounts, openAuditLog } from '../store/index.js';
import { findProjectRoot } from '../web/bundle.js';
import { AccountError, StaffAccounts, normalizeUsername } from './accounts.js';
import { MIN_PASSWORD_LENGTH } from './passwords.js';

const USAGE = `用法 / Usage: npm run clerk -- <command>

  add NAME [--admin] [--display "王书记员"]   添加账号，从标准输入读密码 / add an account; the password is read from standard input
  passwd NAME                                 改密码，从标准输入读新密码 / set a new password, read from standard input
  list                                        列出账号 / list the accounts
  disable NAME | enable NAME                  停用或恢复账号 / disable or enable an account
  remove NAME                                 删除账号 / remove an account

密码至少${MIN_PASSWORD_LENGTH}个字符。/ Passwords have at least ${MIN_PASSWORD_LENGTH} characters.
例 / Example: printf '%s\\n' 'a-long-password' | npm run clerk -- add wang --display "王书记员"
`;

class UsageError extends Error {}

/** Where a command reads and writes; the real process's streams, or a test's. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
  env: Record<string, string | undefined>;
}

interface Parsed {
  command: string;
  name?: string;
  admin: boolean;
  display?: string;
}

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') throw new UsageError('');
  const parsed: Parsed = { command, admin: false };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === '--admin') parsed.admin = true;
    else if (arg === '--display') {
      const value = rest[i + 1];
      if (value === undefined) throw new UsageError('--display 后面要写名字。/ --display needs a name after it.');
      parsed.display = value;
      i += 1;
    } else if (arg.startsWith('--display=')) parsed.display = arg.slice('--display='.length);
    else if (arg.startsWith('-')) throw new UsageError(`不认识的选项 / unknown option: ${arg}`);
    else if (parsed.name === undefined) parsed.name = arg;
    else throw new UsageError(`多余的参数 / unexpected argument: ${arg}`);
  }
  const needsName = ['add', 'passwd', 'remove', 'disable', 'enable'];
  if (needsName.includes(command) && !parsed.name) throw new UsageError(`${command} 需要账号名。/ ${command} needs an account name.`);
  if (!needsName.includes(command) && command !== 'list') throw new UsageError(`不认识的命令 / unknown command: ${command}`);
  return parsed;
}

/** Reads a password typed at a terminal without showing it. */
function promptHidden(io: CliIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin, stderr } = io;
    stderr.write(question);
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('已取消。/ Cancelled.'));
        if (char === '\u0004') return done();
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** The first line of standard input, for scripts: `printf '%s\n' "$PW" | npm run clerk -- add NAME`. */
async function readPipedLine(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}

async function readPassword(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY) return readPipedLine(io);
  const first = await promptHidden(io, '密码 / Password: ');
  const second = await promptHidden(io, '再输入一次 / Again: ');
  if (first !== second) throw new UsageError('两次输入的密码不一样。/ The two passwords differ.');
  return first;
}

/** Columns as a terminal shows them: Chinese characters take two. */
function width(text: string): number {
  return [...text].reduce((sum, c) => sum + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => width(r[col]!))));
  return rows.map((r) => r.map((cell, col) => cell + ' '.repeat(widths[col]! - width(cell))).join('  ').trimEnd()).join('\n');
}

/** Runs one command; resolves to the exit code (0 done, 1 refused or failed, 2 usage). */
export async function runClerkCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof AccountError) {
      io.stderr.write(`${error.text['zh-CN']} / ${error.text['en-US']}\n`);
    } else if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
    } else {
      io.stderr.write(`出错了 / Failed: ${(error as Error).message}\n`);
    }
    return 1;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) io.stderr.write(`${error.message}\n\n`);
      io.stderr.write(USAGE);
      return 2;
    }
    throw error;
  }
  const config = loadConfig(io.env, findProjectRoot());
  const accounts = new StaffAccounts(await openAccounts(config.dataDir));
  const audit = await openAuditLog(config.dataDir);
  const name = parsed.name ? normalizeUsername(parsed.name) : '';
  const where = path.join(config.dataDir, 'accounts.json');

  switch (parsed.command) {
    case 'list': {
      const list = await accounts.list();
      if (list.length === 0) {
        io.stdout.write(`还没有账号。/ There are no accounts yet (${where}).\n`);
        return 0;
      }
      const rows = [['username', 'display name', 'role', 'status', 'created']];
      for (const a of list) rows.push([a.username, a.displayName, a.role, a.disabled ? 'disabled' : 'active', a.createdAt.slice(0, 10)]);
      io.stdout.write(`${table(rows)}\n`);
      return 0;
    }
    case 'add': {
      const password = await readPassword(io);
      const account = await accounts.add({ username: name, password, role: parsed.admin ? 'admin' : 'clerk', ...(parsed.display !== undefined ? { displayName: parsed.display } : {}) });
      await audit.append({ actor: 'cli', action: 'account-add', recordType: 'account', recordId: account.username });
      io.stdout.write(`已添加${account.role === 'admin' ? '管理员' : '书记员'}账号 ${account.username}（${account.displayName}）。/ Added ${account.role} account ${account.username} (${account.displayName}).\n`);
      return 0;
    }
    case 'passwd': {
      if (!(await accounts.get(name))) throw new AccountError('not-found', { 'zh-CN': `没有账号 ${name}。`, 'en-US': `There is no account ${name}.` });
      const password = await readPassword(io);
      await accounts.setPassword(name, password);
      await audit.append({ actor: 'cli', action: 'account-password', recordType: 'account', recordId: name });
      io.stdout.write(`已更改 ${name} 的密码；这个账号要重新登录。/ The password of ${name} was changed; the account must sign in again.\n`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const disabled = parsed.command === 'disable';
      await accounts.update(name, { disabled });
      await audit.append({ actor: 'cli', action: 'account-change', recordType: 'account', recordId: name });
      io.stdout.write(disabled ? `已停用 ${name}。/ ${name} is disabled.\n` : `已恢复 ${name}。/ ${name} is enabled.\n`);
      return 0;
    }
    case 'remove': {
      await accounts.remove(name);
      await audit.append({ actor: 'cli', action: 'account-remove', recordType: 'account', recordId: name });
      io.stdout.write(`已删除账号 ${name}。/ Removed the account ${name}.\n`);
      return 0;
    }
    default:
      return 2;
  }
}

