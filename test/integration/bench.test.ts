import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `npm run bench -- --quick` with two filers and a small preload, as a child process. */
function runQuickBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--filers', '2', '--preload', '50'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run bench --quick', () => {
  it('drives filers through the real server and the echo baseline, and ends with one JSON line of figures', async () => {
    const { code, stdout, stderr } = await runQuickBench();
    expect(code, stderr + stdout).toBe(0);
    const lines = stdout.trim().split('\n');
    // The table for people comes first: one row per run, none with failed filers.
    expect(lines.some((l) => l.startsWith('assistant, empty store'))).toBe(true);
    expect(lines.some((l) => l.startsWith('echo bot (baseline)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('assistant, 100 records'))).toBe(true);
    const figures = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(Object.keys(figures).sort()).toEqual([
      'bytes_per_turn', 'echo_p99_ms', 'filers', 'growth_p99_10k', 'p50_ms', 'p95_ms', 'p99_10k_ms', 'p99_ms', 'ratio_p99_vs_echo',
    ]);
    expect(figures.filers).toBe(2);
    for (const [key, value] of Object.entries(figures)) {
      expect(typeof value, key).toBe('number');
      expect(Number.isFinite(value), key).toBe(true);
      expect(value as number, key).toBeGreaterThanOrEqual(0);
    }
    // A turn that saves the complaint writes something to disk; latencies are ordered.
    expect(figures.bytes_per_turn as number).toBeGreaterThan(0);
    expect(figures.p50_ms as number).toBeLessThanOrEqual(figures.p95_ms as number);
    expect(figures.p95_ms as number).toBeLessThanOrEqual(figures.p99_ms as number);
  }, 60_000);
});
