import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const temps: string[] = [];
const children: ChildProcess[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The real entry point in its own process, as `npm start` runs it (from source, through tsx). */
function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function listeningPort(output: () => string, exited: Promise<number | null>): Promise<number> {
  let done = false;
  void exited.then(() => { done = true; });
  for (let i = 0; i < 300 && !done; i += 1) {
    const match = /"port":(\d+)[^\n]*assistant is listening/.exec(output());
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not start:\n${output()}`);
}

describe('the server process', () => {
  it('answers /healthz, then on SIGTERM flushes the store and exits 0', async () => {
    const dataDir = tempDir('process-data-');
    const server = startProcess({ PORT: '0', DATA_DIR: dataDir });
    const port = await listeningPort(server.output, server.exited);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const token = (await (await fetch(`http://127.0.0.1:${port}/api/directline/token`, { method: 'POST' })).json()) as { token: string };
    const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
    const { conversationId } = (await (await fetch(`http://127.0.0.1:${port}/v3/directline/conversations`, { method: 'POST', headers })).json()) as { conversationId: string };
    await fetch(`http://127.0.0.1:${port}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST', headers, body: JSON.stringify({ type: 'message', text: '借钱不还', from: { id: 'u' } }),
    });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const folder = path.join(dataDir, 'complaints');
    const stored = readdirSync(folder).map((name) => JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as { value: { caseType: string } });
    expect(stored.map((c) => c.value.caseType)).toEqual(['private-loan']);
  });

  it('refuses to start with a bad interview spec and names the file and the field', async () => {
    const dialogs = tempDir('process-dialogs-');
    cpSync(path.join(ROOT, 'dialogs'), dialogs, { recursive: true });
    const file = path.join(dialogs, 'private-loan.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('type: money', 'type: moneyy'));
    const server = startProcess({ PORT: '0', DATA_DIR: tempDir('process-data-'), DIALOGS_DIR: dialogs });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('dialogs/private-loan.yaml: field loan.amount: type');
  });

  it.each([
    ['complaints.json', '{"version":1,"complaints":{"x":'],
    ['complaints/0b7c.json', '{"version":1,"key":"0b7c","seq":1,"value":'],
  ])('refuses to start on a data file that does not parse (%s), and leaves it as it was', async (name, broken) => {
    const dataDir = tempDir('process-data-');
    mkdirSync(path.dirname(path.join(dataDir, name)), { recursive: true });
    writeFileSync(path.join(dataDir, name), broken);
    const server = startProcess({ PORT: '0', DATA_DIR: dataDir });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(name);
    expect(readFileSync(path.join(dataDir, name), 'utf8')).toBe(broken);
  });

  it('refuses a wrong setting and names the variable', async () => {
    const server = startProcess({ PORT: 'eighty', DATA_DIR: tempDir('process-data-') });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT must be a whole number');
  });
});
