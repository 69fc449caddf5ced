import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pinyin } from 'pinyin-pro';
import type { Locale } from '../i18n.js';
import { clampRate, parseSsml, ssmlRate, ssmlToText } from './markup.js';
import { SpeechEngineError, type SynthesisOptions, type SynthesisResult, type Synthesizer } from './types.js';

/*
 * The offline voice: Debian's espeak-ng. Its plain Mandarin voice reads tone numbers as
 * English, so Chinese goes in as pinyin with tone numbers (pinyin-pro) to the voice that reads
 * pinyin. The program is spawned with an argument list, never through a shell, and the words
 * go in on standard input, so nothing a filer said can become an option or a command.
 */

export const ESPEAK_VOICES: Record<Locale, string> = { 'zh-CN': 'cmn-latn-pinyin', 'en-US': 'en-us' };

/** Words (syllables, for Mandarin) per minute at rate 1: a little slower than espeak's 175 for older listeners. */
const BASE_WPM: Record<Locale, number> = { 'zh-CN': 150, 'en-US': 160 };
const MIN_WPM = 80;
const MAX_WPM = 350;
/** A sentence takes ~30 ms; a stuck process must not hold a kiosk's answer for long. */
const TIMEOUT_MS = 15_000;

const ZH_PUNCTUATION: [RegExp, string][] = [
  [/[，、；：,;:]/g, ', '],
  [/[。．…]+|\.(?!\d)/g, '. '],
  [/[？?]/g, '? '],
  [/[！!]/g, '! '],
  [/[“”‘’「」『』《》〈〉（）()【】[\]"'—–-]/g, ' '],
];

/**
 * Chinese text as espeak's cmn-latn-pinyin voice reads it: one syllable per character with
 * its tone number (neutral tone as 5), ü as v; digits and Latin letters stay as they are
 * (the voice reads digits in Mandarin). Punctuation becomes ASCII so the voice pauses.
 */
export function toPinyin(text: string): string {
  // 50,000 is one number; the comma must not become a pause.
  let s = text.normalize('NFKC').replace(/(\d),(?=\d{3}\b)/g, '$1');
  for (const [re, replacement] of ZH_PUNCTUATION) s = s.replace(re, replacement);
  const syllables = pinyin(s, { toneType: 'num', type: 'array', nonZh: 'consecutive', v: true });
  return syllables
    .map((syllable) => syllable.replace(/^([a-z]+)0$/i, '$15'))
    .join(' ')
    .replace(/\s+([,.?!])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** espeak's -s for a rate multiplier. */
export function wordsPerMinute(locale: Locale, rate: number): number {
  return Math.round(Math.min(MAX_WPM, Math.max(MIN_WPM, BASE_WPM[locale] * clampRate(rate))));
}

/** Runs the program with arguments and input; resolves with its exit code and the end of stderr. */
function run(binary: string, args: string[], input: string | undefined, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 64_000) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {
      // The process may exit before reading everything (a bad voice); 'close' reports it.
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Whether espeak-ng is installed with both voices we need. Never throws: a missing program
 * means "no offline voice", not a failed start.
 */
export async function espeakAvailable(binary = 'espeak-ng'): Promise<boolean> {
  try {
    const { code, stdout } = await run(binary, ['--voices'], undefined, 5000);
    if (code !== 0) return false;
    const names = new Set(stdout.split('\n').map((line) => line.trim().split(/\s+/)[1]));
    return names.has(ESPEAK_VOICES['zh-CN']) && names.has(ESPEAK_VOICES['en-US']);
  } catch {
    return false;
  }
}

/** Lets at most `size` tasks run at once (espeak is CPU-bound; the machine has two cores). */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

export interface EspeakOptions {
  binary?: string;
  /** Processes at once; default 2. */
  concurrency?: number;
}

export class EspeakSynthesizer implements Synthesizer {
  readonly engine = 'espeak' as const;
  private readonly binary: string;
  private readonly gate: Gate;
  private workDir: Promise<string> | undefined;

  constructor(options: EspeakOptions = {}) {
    this.binary = options.binary ?? 'espeak-ng';
    this.gate = new Gate(options.concurrency ?? 2);
  }

  voiceFor(locale: Locale): string {
    return ESPEAK_VOICES[locale];
  }

  async synthesize(ssml: string, options: SynthesisOptions): Promise<SynthesisResult> {
    const tokens = parseSsml(ssml);
    const text = ssmlToText(tokens);
    const rate = options.rate ?? ssmlRate(tokens) ?? 1;
    const words = options.locale === 'zh-CN' ? toPinyin(text) : text;
    // espeak makes a valid (short, silent) file from nothing, but an empty prompt is a caller's bug.
    if (!words.trim()) throw new SpeechEngineError('nothing to say');
    const dir = await (this.workDir ??= mkdtemp(path.join(os.tmpdir(), 'espeak-')));
    const file = path.join(dir, `${randomUUID()}.wav`);
    return this.gate.run(async () => {
      try {
        const args = ['-v', this.voiceFor(options.locale), '-s', String(wordsPerMinute(options.locale, rate)), '-b', '1', '-w', file, '--stdin'];
        const { code, stderr } = await run(this.binary, args, words, TIMEOUT_MS);
        if (code !== 0) throw new SpeechEngineError(`espeak-ng exited with ${code}${stderr ? `: ${stderr.split('\n')[0]}` : ''}`);
        const audio = await readFile(file);
        if (audio.length < 44 || audio.toString('ascii', 0, 4) !== 'RIFF' || audio.toString('ascii', 8, 12) !== 'WAVE') {
          throw new SpeechEngineError('espeak-ng did not write a WAV file');
        }
        return { audio, contentType: 'audio/wav' };
      } finally {
        // The audio may hold a filer's words: it lives in the cache or nowhere.
        await rm(file, { force: true });
      }
    });
  }

  async close(): Promise<void> {
    const dir = this.workDir;
    this.workDir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }
}
