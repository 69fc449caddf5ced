/**
 * How much the speech cache saves: every prompt of the interview specs in both languages is
 * spoken once by the offline voice (espeak-ng, cold), then again (from the cache on disk,
 * warm). A benchmark, not a test: it prints numbers and asserts nothing about time.
 *
 *   npm run bench:speech                  # all prompts
 *   npm run bench:speech -- --limit 20    # the first 20 of each language
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LOCALES, type Locale } from '../src/i18n.js';
import { loadSpecs } from '../src/interview/spec.js';
import { CompositeSpeechService, EspeakSynthesizer, espeakAvailable, SpeechCache } from '../src/speech/index.js';
import { escapeXml, speakDocument } from '../src/speech/ssml.js';

const limitArg = process.argv.indexOf('--limit');
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Infinity;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  if (!(await espeakAvailable())) {
    console.error('espeak-ng with the cmn-latn-pinyin and en-us voices is not installed: apt-get install -y espeak-ng');
    process.exit(1);
  }
  const root = path.resolve(import.meta.dirname, '..');
  const specs = loadSpecs(path.join(root, 'dialogs'));
  const prompts: { locale: Locale; ssml: string }[] = [];
  for (const locale of LOCALES) {
    const texts = new Set<string>();
    for (const spec of specs.cases) {
      for (const field of spec.fields.values()) texts.add((field.speak ?? field.prompt)[locale].replace(/\{\w+\}/g, ''));
    }
    for (const text of [...texts].slice(0, limit)) prompts.push({ locale, ssml: speakDocument(escapeXml(text), locale) });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-speech-'));
  const espeak = new EspeakSynthesizer();
  const service = new CompositeSpeechService({ synthesizers: [espeak], cache: await SpeechCache.open(dir, 1024 * 1024 * 1024) });
  try {
    const run = async (label: string) => {
      const times: number[] = [];
      const started = performance.now();
      for (const prompt of prompts) {
        const t = performance.now();
        await service.synthesize(prompt.ssml, { locale: prompt.locale });
        times.push(performance.now() - t);
      }
      const total = performance.now() - started;
      console.log(`${label.padEnd(24)} ${prompts.length} prompts  total ${total.toFixed(0).padStart(6)} ms  mean ${(total / prompts.length).toFixed(2).padStart(7)} ms  p50 ${percentile(times, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(times, 95).toFixed(2).padStart(7)} ms`);
      return total;
    };
    console.log(`speech cache benchmark: espeak-ng, ${prompts.length} prompts (${LOCALES.join(', ')}), cache in ${dir}`);
    const cold = await run('cold (espeak-ng)');
    const warm = await run('warm (cache on disk)');
    const cache = service.cache!;
    console.log(`cache: ${cache.count} entries, ${(cache.bytes / 1024 / 1024).toFixed(1)} MB, ${cache.hits} hits, ${cache.misses} misses; warm is ${(cold / warm).toFixed(1)}x faster`);
  } finally {
    await espeak.close();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
