import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClerkCommand } from '../../src/clerk/commands.js';
import { DirectLineTestClient } from '../support/directline-client.js';
import { durableRecordFiles } from '../support/durable.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the command line as its own process, the password piped in as an operator's script
 * would: once through `npx tsx` exactly as `npm run clerk` does, otherwise through the same
 * loader without npx's start-up cost.
 */
function clerkProcess(dataDir: string, args: string[], stdin = '', viaNpx = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [command, prefix] = viaNpx ? ['npx', ['tsx']] : [process.execPath, ['--import', 'tsx']];
    const child = spawn(command, [...prefix, 'src/clerk/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The same commands in this process (a second handle on the files, as another process has). */
async function clerkCli(dataDir: string, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runClerkCommand(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (chunk: string) => { stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { stderr += chunk; return true; } },
    env: { ...process.env, DATA_DIR: dataDir },
  });
  return { code, stdout, stderr };
}

async function login(baseUrl: string, username: string, password: string) {
  const res = await fetch(`${baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { csrfToken?: string; displayName?: string; role?: string };
  return { status: res.status, body, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

async function me(baseUrl: string, cookie: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/clerk/me`, { headers: { cookie } });
  await res.text();
  return res.status;
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('npm run clerk while the server runs', () => {
  it('adds accounts the running server accepts at once, and leaves the filers\' data alone', async () => {
    // A filer is part-way through: their draft and dialog state are on disk.
    const filer = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await filer.start();
    await filer.say('借钱不还');
    const filersData = async (): Promise<Record<string, string>> => {
      const files: Record<string, string> = {};
      for (const folder of ['complaints', 'bot-state']) {
        for (const [name, bytes] of await durableRecordFiles(server.dataDir, folder)) files[`${folder}/${name}`] = bytes.toString('utf8');
      }
      return files;
    };
    const before = await filersData();
    expect(Object.keys(before).some((f) => f.startsWith('bot-state/'))).toBe(true);
    expect(Object.entries(before).some(([f, text]) => f.startsWith('complaints/') && text.includes('private-loan'))).toBe(true);

    // No default accounts: nobody can sign in yet.
    expect((await login(server.baseUrl, 'admin', 'admin')).status).toBe(401);

    const weak = await clerkCli(server.dataDir, ['add', 'wang'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('至少要10个字符');
    expect(weak.stderr).toContain('at least 10 characters');

    // Two commands at once, and an admin adding one through the API meanwhile: the lock keeps all three.
    const [wang, li] = await Promise.all([
      clerkProcess(server.dataDir, ['add', 'wang', '--display', '王书记员'], 'wang-password-1\n', true),
      clerkProcess(server.dataDir, ['add', 'li', '--admin', '--display', '李管理员'], 'li-password-12\n'),
    ]);
    expect(wang.code, wang.stderr).toBe(0);
    expect(wang.stdout).toContain('王书记员');
    expect(li.code, li.stderr).toBe(0);

    const signedIn = await login(server.baseUrl, 'wang', 'wang-password-1');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ displayName: '王书记员', role: 'clerk' });
    const admin = await login(server.baseUrl, 'li', 'li-password-12');
    expect(admin.body.role).toBe('admin');

    const added = await fetch(`${server.baseUrl}/api/clerk/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.body.csrfToken! },
      body: JSON.stringify({ username: 'zhao', password: 'zhao-password-1', displayName: '赵书记员' }),
    });
    expect(added.status).toBe(201);
    await added.text();

    // The command line sees the server's change, and the server kept the command line's.
    const list = await clerkProcess(server.dataDir, ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/li\s+李管理员\s+admin\s+active/);
    expect(list.stdout).toMatch(/wang\s+王书记员\s+clerk\s+active/);
    expect(list.stdout).toMatch(/zhao\s+赵书记员\s+clerk\s+active/);

    // Nothing the server holds was touched, and it goes on serving the filer.
    expect(await filersData()).toEqual(before);
    const replies = await filer.say('重复');
    expect(replies.at(-1)?.channelData?.ask).toBeDefined();

    // The password never reaches the accounts file or the audit log.
    const accountsFile = await readFile(path.join(server.dataDir, 'accounts.json'), 'utf8');
    const auditFile = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    for (const secret of ['wang-password-1', 'li-password-12', 'zhao-password-1']) {
      expect(accountsFile).not.toContain(secret);
      expect(auditFile).not.toContain(secret);
    }
    expect(auditFile).toContain('"actor":"cli","action":"account-add","recordType":"account","recordId":"wang"');
  });

  it('ends a clerk\'s sessions when the command line changes the password, disables or removes the account', async () => {
    const first = await login(server.baseUrl, 'wang', 'wang-password-1');
    expect(await me(server.baseUrl, first.cookie)).toBe(200);

    const passwd = await clerkCli(server.dataDir, ['passwd', 'wang'], 'wang-password-2\n');
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(await me(server.baseUrl, first.cookie)).toBe(401);
    expect((await login(server.baseUrl, 'wang', 'wang-password-1')).status).toBe(401);
    const second = await login(server.baseUrl, 'wang', 'wang-password-2');
    expect(second.status).toBe(200);

    expect((await clerkCli(server.dataDir, ['disable', 'wang'])).code).toBe(0);
    expect(await me(server.baseUrl, second.cookie)).toBe(401);
    expect((await login(server.baseUrl, 'wang', 'wang-password-2')).status).toBe(401);
    expect((await clerkCli(server.dataDir, ['enable', 'wang'])).code).toBe(0);
    const third = await login(server.baseUrl, 'wang', 'wang-password-2');
    expect(third.status).toBe(200);

    const removed = await clerkCli(server.dataDir, ['remove', 'wang']);
    expect(removed.code).toBe(0);
    expect(await me(server.baseUrl, third.cookie)).toBe(401);
    const again = await clerkCli(server.dataDir, ['remove', 'wang']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('There is no account wang');

    const usage = await clerkCli(server.dataDir, ['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage');
  });
});
