import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureRecognizer, AzureSynthesizer, readWav, wavSeconds } from '../../src/speech/index.js';
import { speakDocument, escapeXml } from '../../src/speech/ssml.js';
import { startSpeechDouble, type SpeechDouble } from '../support/speech-double.js';

let double: SpeechDouble;
beforeAll(async () => {
  double = await startSpeechDouble();
});
afterAll(async () => {
  await double.close();
});

const voices = { 'zh-CN': 'zh-CN-XiaoxiaoNeural', 'en-US': 'en-US-JennyNeural' };

describe('Azure Speech through the real SDK, against the local double (SPEECH_HOST)', () => {
  it('synthesizes SSML with the configured voice and returns a WAV', async () => {
    const synthesizer = new AzureSynthesizer({ host: double.host, voices });
    const ssml = speakDocument(escapeXml('一共借出去多少钱？'), 'zh-CN', { rate: 'slower' });
    const result = await synthesizer.synthesize(ssml, { locale: 'zh-CN' });
    expect(result.contentType).toBe('audio/wav');
    const wav = readWav(result.audio);
    expect(wav).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    expect(wavSeconds(result.audio)).toBeGreaterThan(0.3);
    const sent = double.ssml.at(-1)!;
    expect(sent).toContain('<voice name="zh-CN-XiaoxiaoNeural">');
    expect(sent).toContain('<prosody rate="0.7">');
    expect(sent).toContain('一共借出去多少钱？');
  });

  it('recognizes one answer from 16 kHz PCM in the filer\'s language', async () => {
    const recognizer = new AzureRecognizer({ host: double.host, voices });
    const pcm = Buffer.alloc(16_000 * 2);
    expect(await recognizer.recognize(pcm, 'zh-CN')).toBe('张三');
    expect(await recognizer.recognize(pcm, 'en-US')).toBe('John Smith');
    expect(double.recognitions.map((r) => r.language)).toEqual(['zh-CN', 'en-US']);
    expect(double.recognitions[0]!.audioBytes).toBe(pcm.length);
  });
});
