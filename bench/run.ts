/**
 * How the assistant holds up on a busy morning: N simulated filers at once over Direct Line
 * (half HTTP polling as Web Chat's fallback does, half WebSocket streams), each finishing a
 * zh-CN private-loan complaint. Measures turn latency (answer posted → next question
 * received), turns per second, the server's memory and the bytes it writes per turn; then the
 * same over a bare echo bot behind the same Direct Line server (the baseline), then again
 * with a year of records on disk (N finished complaints and N abandoned drafts preloaded).
 *
 *   npm run bench                          # 200 filers, 10,000 + 10,000 records preloaded
 *   npm run bench -- --filers 50
 *   npm run bench -- --quick               # 4 filers, 200 + 200 records: does it work?
 *   npm run bench -- --warmup 0            # measure from a cold start (default: 20 filers first, unmeasured)
 *   npm run bench -- --profile             # also writes V8 CPU profiles of the server (to $TMPDIR)
 *
 * Everything runs on loopback in temporary folders and stops by itself. The last line printed
 * is one JSON object with the figures; the lines before it are a table for people.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { PRIVATE_LOAN_ZH, scriptCursor } from './script.js';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Options {
  filers: number;
  preload: number;
  thinkMs: number;
  rampMs: number;
  warmup: number;
  profile: boolean;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const number = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(argv[at + 1]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a whole number`);
    return value;
  };
  const filers = number('--filers', quick ? 4 : 200);
  if (filers < 1 || filers > 2000) throw new Error('--filers must be between 1 and 2000');
  return {
    filers,
    preload: Math.min(number('--preload', quick ? 200 : 10_000), 50_000),
    // Filers read the question (or hear it) before answering; without a pause every filer
    // would answer at once, which measures a queue, not a morning at the court.
    thinkMs: number('--think-ms', quick ? 20 : 1000),
    rampMs: number('--ramp-ms', quick ? 100 : 3000),
    // A court's server has been running for hours when the morning rush comes: each run
    // starts after this many filers have gone through the interview once (not measured),
    // so that V8 has compiled the hot paths; --warmup 0 measures a cold start.
    warmup: number('--warmup', quick ? 2 : 20),
    profile: argv.includes('--profile'),
  };
}

// ------------------------------------------------------------------ the server process

interface ServerProcess {
  pid: number;
  baseUrl: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

async function startServer(entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess & { startupMs: number }> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in time:\n${tail.join('\n')}`)), STARTUP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before listening:\n${tail.join('\n')}`));
    });
    // The log is read to the end (a full pipe would stall the server), kept only for errors.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      try {
        const entryLog = JSON.parse(line) as { msg?: string; port?: number };
        if (entryLog.msg === 'assistant is listening' && typeof entryLog.port === 'number') {
          clearTimeout(timer);
          resolve(entryLog.port);
        }
      } catch {
        // not a JSON log line
      }
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    startupMs: performance.now() - started,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`${entry} stopped with ${code}:\n${tail.join('\n')}`);
    },
  };
}

interface ProcessFigures {
  writeBytes: number;
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

async function processFigures(pid: number): Promise<ProcessFigures> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces.
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(afterName[11]) + Number(afterName[12]);
  return {
    // Bytes this process caused to be written to storage (not socket traffic, unlike wchar).
    writeBytes: field(io, 'write_bytes'),
    cpuMs: (ticks * 1000) / 100,
    rssBytes: field(status, 'VmRSS') * 1024,
    peakRssBytes: field(status, 'VmHWM') * 1024,
  };
}

// ------------------------------------------------------------------ one simulated filer

interface BotActivity {
  type: string;
  text?: string;
  inputHint?: string;
  from?: { role?: string };
  channelData?: { ask?: { field: string; index?: number }; complaint?: unknown };
}

/** A question to answer, or the end of the interview. */
const isStop = (a: BotActivity) => a.type === 'message' && (a.inputHint === 'expectingInput' || a.channelData?.complaint !== undefined);

interface Transport {
  conversationId: string;
  /** Waits for the greeting's question. */
  first(): Promise<BotActivity>;
  /** Posts the answer and resolves with the next question (or the end). */
  say(text: string): Promise<BotActivity>;
  close(): void;
}

async function openConversation(baseUrl: string, secret: string, user: string, useStream: boolean): Promise<Transport> {
  const res = await fetch(`${baseUrl}/v3/directline/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'zh-CN', user: { id: user } }),
  });
  if (!res.ok) throw new Error(`start: ${res.status}`);
  const started = (await res.json()) as { conversationId: string; token: string; streamUrl?: string };
  const headers = { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' };
  const activitiesUrl = `${baseUrl}/v3/directline/conversations/${started.conversationId}/activities`;
  let sequence = 0;
  const post = async (text: string) => {
    sequence += 1;
    const posted = await fetch(activitiesUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'message', text, locale: 'zh-CN', from: { id: user, role: 'user' }, channelData: { clientActivityID: `${user}-${sequence}` } }),
    });
    if (!posted.ok) throw new Error(`post: ${posted.status} ${await posted.text()}`);
    await posted.arrayBuffer();
  };

  if (!useStream) {
    let watermark = '';
    const next = async (): Promise<BotActivity> => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const polled = await fetch(`${activitiesUrl}?watermark=${watermark}`, { headers });
        if (!polled.ok) throw new Error(`poll: ${polled.status}`);
        const body = (await polled.json()) as { activities: BotActivity[]; watermark: string };
        watermark = body.watermark;
        const stop = body.activities.filter((a) => a.from?.role !== 'user').findLast(isStop);
        if (stop) return stop;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('no question after 200 polls');
    };
    return { conversationId: started.conversationId, first: next, say: async (text) => { await post(text); return next(); }, close: () => {} };
  }

  if (!started.streamUrl) throw new Error('no streamUrl');
  const socket = new WebSocket(started.streamUrl);
  const arrived: BotActivity[] = [];
  let waiter: ((a: BotActivity) => void) | undefined;
  let failed: Error | undefined;
  socket.on('message', (data) => {
    const text = data.toString();
    if (!text) return; // keep-alive
    const set = JSON.parse(text) as { activities: BotActivity[] };
    for (const activity of set.activities) {
      if (activity.from?.role === 'user' || !isStop(activity)) continue;
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(activity);
      } else arrived.push(activity);
    }
  });
  socket.on('error', (error) => { failed = error; });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = () => new Promise<BotActivity>((resolve, reject) => {
    if (failed) return reject(failed);
    const ready = arrived.shift();
    if (ready) return resolve(ready);
    const timer = setTimeout(() => reject(new Error('no question on the stream within 30 s')), 30_000);
    waiter = (a) => { clearTimeout(timer); resolve(a); };
  });
  return {
    conversationId: started.conversationId,
    first: next,
    // The question may arrive on the stream before the POST answers; wait for both.
    say: async (text) => { const question = next(); await post(text); return question; },
    close: () => socket.close(),
  };
}

type Mode = 'assistant' | 'echo';

/** Everything a filer says in the echo run: the same answers, in order, one turn each. */
const ECHO_LINES = Object.values(PRIVATE_LOAN_ZH).flat();

async function runFiler(
  baseUrl: string, secret: string, index: number, mode: Mode, thinkMs: number, latencies: number[], conversations: string[],
): Promise<string | undefined> {
  const transport = await openConversation(baseUrl, secret, `bench-${mode}-${index}`, index % 2 === 1);
  conversations.push(transport.conversationId);
  const think = () => new Promise((resolve) => setTimeout(resolve, thinkMs * (0.5 + Math.random())));
  try {
    let question = await transport.first();
    if (mode === 'echo') {
      for (const line of ECHO_LINES) {
        await think();
        const t0 = performance.now();
        question = await transport.say(line);
        latencies.push(performance.now() - t0);
      }
      return undefined;
    }
    const answer = scriptCursor(PRIVATE_LOAN_ZH);
    for (let turn = 0; turn < 200; turn += 1) {
      if (question.channelData?.complaint) return undefined;
      const ask = question.channelData?.ask;
      if (!ask) throw new Error(`a question without an ask: ${question.text}`);
      const key = ask.index ? `${ask.field}#${ask.index}` : ask.field;
      const text = answer(key);
      if (text === undefined) throw new Error(`the script has no answer for ${key}`);
      await think();
      const t0 = performance.now();
      question = await transport.say(text);
      latencies.push(performance.now() - t0);
    }
    throw new Error('the interview did not end in 200 turns');
  } finally {
    transport.close();
  }
}

// ------------------------------------------------------------------ one measured run

interface RunResult {
  label: string;
  filers: number;
  failed: number;
  firstError?: string;
  turns: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  cpuMsPerTurn: number;
  rssMb: number;
  peakRssMb: number;
  bytesPerTurn: number;
  startupMs: number;
  conversationIds: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Filers who go through the interview before a run is measured (see Options.warmup); a failure among them stops the benchmark. */
async function warmUp(server: ServerProcess, secret: string, mode: Mode, options: Options): Promise<void> {
  const failures = (await Promise.all(Array.from({ length: options.warmup }, (_, i) =>
    runFiler(server.baseUrl, secret, WARMUP_INDEX + i, mode, 20, [], []).catch((error: unknown) => (error as Error).message),
  ))).filter((outcome): outcome is string => outcome !== undefined);
  if (failures.length > 0) throw new Error(`warm-up failed: ${failures[0]}`);
}

/** Warm-up filers' numbers, far from the measured filers' (their user ids must differ). */
const WARMUP_INDEX = 100_000;

async function measure(label: string, server: ServerProcess & { startupMs: number }, secret: string, mode: Mode, options: Options): Promise<RunResult> {
  await warmUp(server, secret, mode, options);
  const before = await processFigures(server.pid);
  const latencies: number[] = [];
  const conversationIds: string[] = [];
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: options.filers }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, (i * options.rampMs) / options.filers));
    try {
      return await runFiler(server.baseUrl, secret, i, mode, options.thinkMs, latencies, conversationIds);
    } catch (error) {
      return (error as Error).message;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const after = await processFigures(server.pid);
  const errors = outcomes.filter((o): o is string => o !== undefined);
  const sorted = latencies.sort((a, b) => a - b);
  const turns = sorted.length;
  return {
    label,
    filers: options.filers,
    failed: errors.length,
    ...(errors[0] ? { firstError: errors[0] } : {}),
    turns,
    seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    cpuMsPerTurn: (after.cpuMs - before.cpuMs) / Math.max(1, turns),
    rssMb: after.rssBytes / 2 ** 20,
    peakRssMb: after.peakRssBytes / 2 ** 20,
    bytesPerTurn: (after.writeBytes - before.writeBytes) / Math.max(1, turns),
    startupMs: server.startupMs,
    conversationIds,
  };
}

// ------------------------------------------------------------------ the whole benchmark

async function runProcess(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}):\n${out}`);
  return out;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const secret = randomBytes(24).toString('base64url');
  const temp = await mkdtemp(path.join(os.tmpdir(), 'court-bench-'));
  // Outside the project, so profiles never end up in the repository; the path is printed.
  const profileDir = path.join(os.tmpdir(), 'court-bench-profiles');
  const appArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const appEnv = (dataDir: string) => ({ DATA_DIR: dataDir, DIRECT_LINE_SECRET: secret, COURT_NAME: '天津市北辰区人民法院' });
  const results: RunResult[] = [];
  let preloadMs = NaN;
  const phase = (text: string) => process.stderr.write(`bench: ${text}\n`);
  try {
    const fresh = path.join(temp, 'fresh');
    phase(`assistant, empty store, ${options.filers} filers`);
    let server = await startServer('src/main.ts', appEnv(fresh), appArgs);
    try {
      results.push(await measure('assistant, empty store', server, secret, 'assistant', options));
    } finally {
      await server.stop();
    }

    phase(`echo bot, ${options.filers} filers`);
    server = await startServer('bench/echo-server.ts', appEnv(path.join(temp, 'echo')));
    try {
      results.push(await measure('echo bot (baseline)', server, secret, 'echo', options));
    } finally {
      await server.stop();
    }

    const full = path.join(temp, 'full');
    phase(`preloading ${options.preload} finished complaints and ${options.preload} drafts`);
    // One filer's conversation from the first run is the template for the drafts' state.
    const stateKey = `directline/conversations/${results[0]!.conversationIds[0]}/`;
    const preloadStart = performance.now();
    await runProcess(['bench/preload.ts', full, fresh, String(options.preload), stateKey]);
    preloadMs = performance.now() - preloadStart;
    phase(`assistant, ${options.preload * 2} records, ${options.filers} filers`);
    server = await startServer('src/main.ts', appEnv(full), appArgs);
    try {
      results.push(await measure(`assistant, ${options.preload * 2} records`, server, secret, 'assistant', options));
    } finally {
      await server.stop();
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }

  const [app, echo, loaded] = results as [RunResult, RunResult, RunResult];
  console.log(`Benchmark: ${options.filers} filers at once (half HTTP polling, half WebSocket), think time ~${options.thinkMs} ms, each run after ${options.warmup} warm-up filers, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('run                               turns  turns/s  p50 ms  p95 ms  p99 ms  max ms  cpu ms/turn  bytes/turn  RSS MB (peak)  start-up ms  failed');
  for (const r of results) {
    console.log([
      r.label.padEnd(32), String(r.turns).padStart(6), (r.turns / r.seconds).toFixed(1).padStart(8), r.p50.toFixed(1).padStart(7),
      r.p95.toFixed(1).padStart(7), r.p99.toFixed(1).padStart(7), r.max.toFixed(1).padStart(7), r.cpuMsPerTurn.toFixed(2).padStart(12),
      r.bytesPerTurn.toFixed(0).padStart(11), `${r.rssMb.toFixed(0)} (${r.peakRssMb.toFixed(0)})`.padStart(14),
      r.startupMs.toFixed(0).padStart(12), String(r.failed).padStart(7),
    ].join(' '));
  }
  console.log(`preload of ${options.preload * 2} records took ${(preloadMs / 1000).toFixed(1)} s`);
  if (options.profile) console.log(`CPU profiles of the assistant (open in Chrome DevTools): ${profileDir}`);
  for (const r of results) if (r.firstError) console.log(`${r.label}: ${r.failed} filers failed; first: ${r.firstError}`);
  console.log(JSON.stringify({
    filers: options.filers,
    p50_ms: round(app.p50),
    p95_ms: round(app.p95),
    p99_ms: round(app.p99),
    echo_p99_ms: round(echo.p99),
    ratio_p99_vs_echo: round(app.p99 / echo.p99, 2),
    p99_10k_ms: round(loaded.p99),
    growth_p99_10k: round(loaded.p99 / app.p99, 2),
    bytes_per_turn: Math.round(app.bytesPerTurn),
  }));
  if (results.some((r) => r.failed > 0)) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
