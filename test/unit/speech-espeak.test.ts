/**
 * The offline voice for real: espeak-ng speaking Chinese (through pinyin) and English, and the
 * cache serving a prompt the second time. Skips loudly where espeak-ng is not installed,
 * unless REQUIRE_SYSTEM_TOOLS=1 (CI), which makes the absence a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompositeSpeechService, EspeakSynthesizer, espeakAvailable, readWav, SpeechCache, wavSeconds } from '../../src/speech/index.js';
import { digitsSsml, escapeXml, speakDocument } from '../../src/speech/ssml.js';

const haveEspeak = await espeakAvailable();
const mustRun = process.env.REQUIRE_SYSTEM_TOOLS === '1';
if (!haveEspeak && !mustRun) {
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '!! SKIPPING the offline voice tests: espeak-ng (with cmn-latn-pinyin) is not installed.',
    '!! Install it with: apt-get install -y --no-install-recommends espeak-ng',
    '!! (CI sets REQUIRE_SYSTEM_TOOLS=1, which turns this skip into a failure.)',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}

describe.skipIf(!haveEspeak && !mustRun)('offline voice (espeak-ng)', () => {
  let dir: string;
  const espeak = new EspeakSynthesizer();
  beforeAll(async () => {
    expect(haveEspeak, 'espeak-ng with the cmn-latn-pinyin and en-us voices must be installed').toBe(true);
    dir = await mkdtemp(path.join(os.tmpdir(), 'speech-espeak-'));
  });
  afterAll(async () => {
    await espeak.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('speaks a Chinese sentence as a valid WAV of plausible length, slower when asked', async () => {
    const text = `${escapeXml('您的续办码是')}${digitsSsml('123456', 'zh-CN', [3, 3])}`;
    const normal = await espeak.synthesize(speakDocument(text, 'zh-CN'), { locale: 'zh-CN' });
    expect(normal.contentType).toBe('audio/wav');
    const wav = readWav(normal.audio);
    expect(wav.channels).toBe(1);
    expect(wav.bitsPerSample).toBe(16);
    expect(wav.sampleRate).toBeGreaterThanOrEqual(16_000);
    // 12 syllables and a pause: a few seconds, never silence, never a minute.
    const seconds = wavSeconds(normal.audio);
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(15);
    const slower = await espeak.synthesize(speakDocument(text, 'zh-CN', { rate: 'slower' }), { locale: 'zh-CN' });
    expect(wavSeconds(slower.audio)).toBeGreaterThan(seconds * 1.2);
  });

  it('speaks an English sentence as a valid WAV of plausible length', async () => {
    const result = await espeak.synthesize(speakDocument('How much money did you lend in total?', 'en-US'), { locale: 'en-US' });
    const seconds = wavSeconds(result.audio);
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(8);
  });

  it('takes words that look like options or commands as words: no shell, no argument', async () => {
    const result = await espeak.synthesize(speakDocument(escapeXml('--help; rm -rf / $(reboot)'), 'en-US'), { locale: 'en-US' });
    expect(wavSeconds(result.audio)).toBeGreaterThan(1);
  });

  it('serves a prompt it has spoken before from the cache on disk', async () => {
    const service = new CompositeSpeechService({ synthesizers: [espeak], cache: await SpeechCache.open(dir, 10_000_000) });
    const ssml = speakDocument('一共借出去多少钱？', 'zh-CN');
    const first = await service.synthesize(ssml, { locale: 'zh-CN' });
    const second = await service.synthesize(ssml, { locale: 'zh-CN' });
    expect(second.audio.equals(first.audio)).toBe(true);
    expect(service.cache?.hits).toBe(1);
    expect(service.cache?.count).toBe(1);
  });
});
