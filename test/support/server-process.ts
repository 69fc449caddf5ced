import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything the process wrote so far (pino's JSON lines and any stderr). */
  output(): string;
}

/**
 * The real entry point in its own process, as `npm start` runs it (from source, through
 * tsx), logging at info so the listening line can be read. The caller kills it.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The port from the "assistant is listening" line; throws with the output if the process exits first. */
export async function listeningPort(server: ServerProcess, timeoutMs = 30_000): Promise<number> {
  let done = false;
  void server.exited.then(() => { done = true; });
  const deadline = Date.now() + timeoutMs;
  while (!done && Date.now() < deadline) {
    const match = /"port":(\d+)[^\n]*assistant is listening/.exec(server.output());
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server did not start:\n${server.output()}`);
}
