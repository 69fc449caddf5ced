import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  azureSsml, cacheKey, CompositeSpeechService, parseSsml, pcmToWav, rateValue, readWav, SpeechCache, SpeechEngineError, SpeechUnavailableError,
  SsmlError, ssmlRate, ssmlToText, toPinyin, wavSeconds, wordsPerMinute, type Synthesizer, type SynthesisOptions,
} from '../../src/speech/index.js';
import { digitsSsml, escapeXml, speakDocument } from '../../src/speech/ssml.js';

describe('reading SSML for the engines', () => {
  it('takes the bot\'s own speak documents, with their rate', () => {
    const ssml = speakDocument(`${escapeXml('您的续办码是')}${digitsSsml('123456', 'zh-CN', [3, 3])}`, 'zh-CN', { rate: 'slow' });
    const tokens = parseSsml(ssml);
    expect(ssmlRate(tokens)).toBe(0.85);
    expect(ssmlToText(tokens)).toBe('您的续办码是幺 二 三, 四 五 六');
  });

  it('refuses what a page must not send: other roots, <audio>, vendor tags, broken XML, huge documents', () => {
    expect(() => parseSsml('<p>hi</p>')).toThrow(SsmlError);
    expect(() => parseSsml('<speak><audio src="http://example.org/x.wav"/></speak>')).toThrow(/audio/);
    expect(() => parseSsml('<speak><mstts:express-as style="cheerful">hi</mstts:express-as></speak>')).toThrow(SsmlError);
    expect(() => parseSsml('<speak>a < b</speak>')).toThrow(/well-formed/);
    expect(() => parseSsml('')).toThrow(SsmlError);
    expect(() => parseSsml(`<speak>${'字'.repeat(9000)}</speak>`)).toThrow(/longer/);
  });

  it('says <sub> aliases, pauses at breaks and decodes entities', () => {
    const tokens = parseSsml('<speak>A &amp; B<break time="800ms"/><sub alias="World Health Organization">WHO</sub><break/>end</speak>');
    expect(ssmlToText(tokens)).toBe('A & B. World Health Organization, end');
  });

  it('reads rates as multipliers: numbers, percentages (Azure: -30% is slower), words', () => {
    expect(rateValue('0.7')).toBe(0.7);
    expect(rateValue('-30%')).toBeCloseTo(0.7);
    expect(rateValue('+20%')).toBeCloseTo(1.2);
    expect(rateValue('x-slow')).toBe(0.5);
    expect(rateValue('9')).toBe(2);
    expect(rateValue('fast-ish')).toBeUndefined();
  });

  it('rebuilds a clean Azure document with the server\'s voice, dropping a page\'s own voice and attributes', () => {
    const tokens = parseSsml('<speak version="1.0" xml:lang="en-US"><voice name="evil"><prosody rate="0.85" onclick="x">Tom &amp; Jerry&apos;s</prosody></voice></speak>');
    const doc = azureSsml(tokens, 'en-US-JennyNeural', 'en-US');
    expect(doc).toBe('<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US"><voice name="en-US-JennyNeural"><prosody rate="0.85">Tom &amp; Jerry&apos;s</prosody></voice></speak>');
    // A rate for a document without prosody wraps it.
    expect(azureSsml(parseSsml('<speak>hi</speak>'), 'v', 'zh-CN', 0.7)).toContain('<prosody rate="0.7">hi</prosody>');
  });
});

describe('the offline voice\'s input', () => {
  it('turns Chinese into pinyin with tone numbers, neutral tone 5, ü as v, digits kept', () => {
    expect(toPinyin('您好！借了50,000元。')).toBe('nin2 hao3! jie4 le5 50000 yuan2.');
    expect(toPinyin('女的，绿色？')).toBe('nv3 de5, lv4 se4?');
    expect(toPinyin('利率6.5')).toBe('li4 lv4 6.5');
  });

  it('maps the rate to words per minute within sane bounds', () => {
    expect(wordsPerMinute('zh-CN', 1)).toBe(150);
    expect(wordsPerMinute('zh-CN', 0.7)).toBe(105);
    expect(wordsPerMinute('en-US', 0.1)).toBe(80);
    expect(wordsPerMinute('en-US', 5)).toBe(320);
  });
});

describe('WAV files', () => {
  it('writes and reads 16 kHz mono PCM and knows its length', () => {
    const wav = pcmToWav(Buffer.alloc(32_000), 16_000);
    expect(readWav(wav)).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(wavSeconds(wav)).toBe(1);
    expect(() => readWav(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
  });
});

describe('speech configuration', () => {
  it('defaults to the offline voice with Azure neural voices named, and checks the Azure settings', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.speech).toMatchObject({ offline: 'espeak', cacheMb: 200, voices: { 'zh-CN': 'zh-CN-XiaoxiaoNeural' } });
    expect(config.speech.key).toBeUndefined();
    expect(config.kiosk).toEqual({ idleSeconds: 90, codeSeconds: 30 });
    expect(loadConfig({ SPEECH_HOST: 'ws://localhost:5000', SPEECH_VOICE_EN: 'en-US-AvaNeural', KIOSK_IDLE_SECONDS: '30' }, '/srv/app'))
      .toMatchObject({ speech: { host: 'ws://localhost:5000', voices: { 'en-US': 'en-US-AvaNeural' } }, kiosk: { idleSeconds: 30 } });
    expect(() => loadConfig({ SPEECH_KEY: 'k' }, '/srv/app')).toThrow(/SPEECH_REGION/);
    expect(() => loadConfig({ SPEECH_REGION: 'eastasia' }, '/srv/app')).toThrow(/SPEECH_KEY/);
    expect(() => loadConfig({ SPEECH_HOST: 'ftp://x' }, '/srv/app')).toThrow(ConfigError);
    expect(() => loadConfig({ SPEECH_OFFLINE: 'maybe' }, '/srv/app')).toThrow(/SPEECH_OFFLINE/);
    expect(() => loadConfig({ KIOSK_IDLE_SECONDS: '2' }, '/srv/app')).toThrow(/KIOSK_IDLE_SECONDS/);
  });
});

/** A synthesizer that counts its calls and returns the text's length in bytes (test double). */
class CountingSynthesizer implements Synthesizer {
  calls: { ssml: string; options: SynthesisOptions }[] = [];
  constructor(readonly engine: 'azure' | 'espeak', private readonly fail = false) {}
  voiceFor(locale: string): string {
    return `${this.engine}-${locale}`;
  }
  async synthesize(ssml: string, options: SynthesisOptions) {
    this.calls.push({ ssml, options });
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.fail) throw new SpeechEngineError('offline');
    return { audio: pcmToWav(Buffer.alloc(ssml.length * 2), 16_000), contentType: 'audio/wav' };
  }
}

describe('the speech cache and the service around the engines', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'speech-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keys by engine, voice, rate and text', () => {
    const base = { engine: 'espeak', voice: 'en-us', rate: 1, text: 'hello' };
    expect(cacheKey(base)).toBe(cacheKey({ ...base }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, rate: 0.7 }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, voice: 'cmn' }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, engine: 'azure' }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, text: 'hello!' }));
  });

  it('stays within its size, dropping the least recently used first, and remembers across a reopen', async () => {
    const cache = await SpeechCache.open(dir, 250);
    const entry = (n: number) => ({ audio: Buffer.alloc(100, n), contentType: 'audio/wav' });
    await cache.put('a'.repeat(64), entry(1));
    await cache.put('b'.repeat(64), entry(2));
    expect(await cache.get('a'.repeat(64))).toBeDefined(); // a is now the most recent
    await cache.put('c'.repeat(64), entry(3));
    expect(cache.bytes).toBeLessThanOrEqual(250);
    expect(await cache.get('b'.repeat(64))).toBeUndefined();
    expect((await cache.get('c'.repeat(64)))?.audio[0]).toBe(3);
    // Too big for the whole cache: served, never kept.
    await cache.put('d'.repeat(64), { audio: Buffer.alloc(300), contentType: 'audio/wav' });
    expect(await cache.get('d'.repeat(64))).toBeUndefined();
    await writeFile(path.join(dir, `${'e'.repeat(64)}.wav.tmp-123`), 'half');
    const reopened = await SpeechCache.open(dir, 250);
    expect(reopened.count).toBe(2);
    expect((await reopened.get('a'.repeat(64)))?.contentType).toBe('audio/wav');
    expect((await readdir(dir)).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('serves a repeated prompt from the cache and makes a sentence asked twice at once only once', async () => {
    const engine = new CountingSynthesizer('espeak');
    const service = new CompositeSpeechService({ synthesizers: [engine], cache: await SpeechCache.open(dir, 1_000_000) });
    const ssml = speakDocument('一共借出去多少钱？', 'zh-CN');
    const [a, b] = await Promise.all([service.synthesize(ssml, { locale: 'zh-CN' }), service.synthesize(ssml, { locale: 'zh-CN' })]);
    expect(a.audio.equals(b.audio)).toBe(true);
    expect(engine.calls).toHaveLength(1);
    await service.synthesize(ssml, { locale: 'zh-CN' });
    expect(engine.calls).toHaveLength(1);
    expect(service.cache?.hits).toBe(1);
    // Slower is another recording; the rate read from the SSML reaches the engine.
    await service.synthesize(speakDocument('一共借出去多少钱？', 'zh-CN', { rate: 'slower' }), { locale: 'zh-CN' });
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1]!.options.rate).toBe(0.7);
  });

  it('falls back to the next engine when the first fails, and says when there is no voice or no ears', async () => {
    const azure = new CountingSynthesizer('azure', true);
    const espeak = new CountingSynthesizer('espeak');
    const service = new CompositeSpeechService({ synthesizers: [azure, espeak] });
    expect(service.synthesis).toBe('azure');
    expect((await service.synthesize('<speak>hi</speak>', { locale: 'en-US' })).contentType).toBe('audio/wav');
    expect([azure.calls.length, espeak.calls.length]).toEqual([1, 1]);
    await expect(service.synthesize('<speak><audio src="x"/></speak>', { locale: 'en-US' })).rejects.toThrow(SsmlError);
    expect(azure.calls.length).toBe(1);

    const none = new CompositeSpeechService({ synthesizers: [] });
    expect(none.synthesis).toBe('none');
    expect(none.recognition).toEqual({ available: false, engine: 'none' });
    await expect(none.synthesize('<speak>hi</speak>', { locale: 'en-US' })).rejects.toThrow(SpeechUnavailableError);
    await expect(none.recognize(Buffer.alloc(10), 'zh-CN')).rejects.toThrow(SpeechUnavailableError);
  });
});
