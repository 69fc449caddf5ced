/**
 * The speech and kiosk routes on the real server: synthesis and recognition through the real
 * Speech SDK against the local Azure double (SPEECH_HOST), the offline answers, the kiosk's
 * settings, and the bot's answer to the kiosk's "leave" event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcmToWav, readWav, wavSeconds } from '../../src/speech/index.js';
import { DirectLineTestClient, type BotActivity } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSpeechDouble, type SpeechDouble } from '../support/speech-double.js';

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Sends the kiosk's leave event the way the page does, and returns the bot's replies. */
async function leave(baseUrl: string, client: DirectLineTestClient): Promise<BotActivity[]> {
  const res = await fetch(`${baseUrl}/v3/directline/conversations/${client.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'event', name: 'kiosk.leave', locale: client.locale, from: { id: 'kiosk', role: 'user' } }),
  });
  expect(res.status).toBe(200);
  return client.poll();
}

describe('with Azure Speech (the local double as SPEECH_HOST)', () => {
  let double: SpeechDouble;
  let server: TestServer;
  beforeAll(async () => {
    double = await startSpeechDouble();
    server = await startTestServer({ SPEECH_HOST: double.host });
  });
  afterAll(async () => {
    await server.stop();
    await double.close();
  });

  it('tells the kiosk it has a voice and ears, and its labels and sentences in both languages', async () => {
    const res = await fetch(`${server.baseUrl}/api/kiosk/config`);
    const config = (await res.json()) as {
      idleSeconds: number; speech: { synthesis: string; recognition: boolean };
      labels: Record<string, Record<string, string>>; spoken: Record<string, Record<string, string>>; pictograms: string[];
    };
    expect(config.idleSeconds).toBe(90);
    expect(config.speech).toEqual({ synthesis: 'azure', recognition: true });
    expect(config.labels['zh-CN']!.clerk).toBe('找工作人员');
    expect(config.labels['en-US']!.clerk).toBe('Call a clerk');
    expect(config.spoken['zh-CN']!.stillThere).toContain('还在吗');
    expect(config.spoken['en-US']!.stillThere).toContain('still there');
    expect(config.pictograms).toContain('case-private-loan');
  });

  it('speaks the bot\'s own SSML with the configured voice, and a page\'s plain sentence at its rate', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    const greeting = await client.start();
    const speak = greeting.at(-1)!.speak!;
    const res = await postJson(`${server.baseUrl}/api/speech/synthesize`, { ssml: speak, locale: 'zh-CN' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const audio = Buffer.from(await res.arrayBuffer());
    expect(readWav(audio).sampleRate).toBe(24_000);
    expect(double.ssml.at(-1)).toContain('<voice name="zh-CN-XiaoxiaoNeural">');

    const plain = await postJson(`${server.baseUrl}/api/speech/synthesize`, { text: 'Are you still there?', locale: 'en-US', rate: 0.7 });
    expect(plain.status).toBe(200);
    expect(wavSeconds(Buffer.from(await plain.arrayBuffer()))).toBeGreaterThan(0.3);
    expect(double.ssml.at(-1)).toMatch(/<voice name="en-US-JennyNeural"><prosody rate="0.7">Are you still there\?<\/prosody>/);
  });

  it('refuses SSML it must not pass on, and sizes it cannot take', async () => {
    const before = double.ssml.length;
    const audio = await postJson(`${server.baseUrl}/api/speech/synthesize`, { ssml: '<speak><audio src="http://example.org/a.wav"/></speak>', locale: 'zh-CN' });
    expect(audio.status).toBe(400);
    expect(((await audio.json()) as { error: string }).error).toContain('audio');
    expect((await postJson(`${server.baseUrl}/api/speech/synthesize`, { locale: 'zh-CN' })).status).toBe(400);
    expect((await postJson(`${server.baseUrl}/api/speech/synthesize`, { ssml: `<speak>${'长'.repeat(40_000)}</speak>` })).status).toBe(413);
    expect(double.ssml.length).toBe(before);
  });

  it('recognizes a recorded answer (16 kHz mono WAV) in the filer\'s language', async () => {
    const wav = pcmToWav(Buffer.alloc(16_000), 16_000);
    const res = await fetch(`${server.baseUrl}/api/speech/recognize?locale=zh-CN`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ text: '张三' });
    expect(double.recognitions.at(-1)).toEqual({ language: 'zh-CN', audioBytes: 16_000 });
    const wrongRate = await fetch(`${server.baseUrl}/api/speech/recognize?locale=zh-CN`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: pcmToWav(Buffer.alloc(800), 8000) });
    expect(wrongRate.status).toBe(400);
    const notWav = await fetch(`${server.baseUrl}/api/speech/recognize`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: Buffer.from('hello') });
    expect(notWav.status).toBe(400);
  });
});

describe('with no voice at all (SPEECH_OFFLINE=off, no Azure)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SPEECH_OFFLINE: 'off', KIOSK_IDLE_SECONDS: '20' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lets the page use the browser\'s voice and hides the microphone', async () => {
    const config = (await (await fetch(`${server.baseUrl}/api/kiosk/config`)).json()) as { idleSeconds: number; speech: unknown };
    expect(config).toMatchObject({ idleSeconds: 20, speech: { synthesis: 'none', recognition: false } });
    expect((await postJson(`${server.baseUrl}/api/speech/synthesize`, { text: '你好', locale: 'zh-CN' })).status).toBe(503);
    const wav = pcmToWav(Buffer.alloc(1600), 16_000);
    expect((await fetch(`${server.baseUrl}/api/speech/recognize`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav })).status).toBe(503);
  });

  // Found by test/fuzz/http.test.ts: the body parser's own refusals were answered 502, as if the voice had failed.
  it('answers 4xx, never 5xx, to a body it cannot read', async () => {
    const unreadable: Record<string, string>[] = [
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      { 'content-type': 'application/json; charset=klingon' },
    ];
    for (const headers of unreadable) {
      const res = await fetch(`${server.baseUrl}/api/speech/synthesize`, { method: 'POST', headers, body: '{"text":"你好","locale":"zh-CN"}' });
      expect(res.status, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(headers)).toBeLessThan(500);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
  });

  it('serves the kiosk page with a strict policy, its scripts and its pictograms', async () => {
    const page = await fetch(`${server.baseUrl}/kiosk`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('/kiosk/kiosk.js');
    const script = await fetch(`${server.baseUrl}/kiosk/kiosk.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    const svg = await fetch(`${server.baseUrl}/kiosk/pictograms/case-private-loan.svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg /);
    expect((await fetch(`${server.baseUrl}/kiosk/pictograms/..%2Fkiosk.js`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/kiosk/routes.ts`)).status).toBe(404);
  });

  it('answers the kiosk leaving with the draft\'s resume code, and the code resumes it', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    const chosen = await client.say('借钱不还', { value: { answer: 'private-loan' } });
    expect(chosen.at(-1)?.channelData?.ask?.field).toBe('plaintiff.kind');
    await client.say('个人', { value: { answer: 'person' } });
    expect(client.lastAsk()?.field).toBe('plaintiff.name');

    const replies = await leave(server.baseUrl, client);
    expect(replies).toHaveLength(1);
    const left = replies[0]! as BotActivity & { channelData?: { resumeCode?: string } };
    const code = left.channelData?.resumeCode;
    expect(code).toMatch(/^\d{6}$/);
    expect(left.inputHint).not.toBe('expectingInput');
    expect(left.channelData?.ask).toBeUndefined();
    expect(left.text).toContain(code);
    expect(left.speak).toMatch(/^<speak/);

    // The next filer's conversation: the code brings the draft back at the question after the last answer.
    const next = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await next.start();
    await next.say(code!);
    expect(next.lastAsk()?.field).toBe('plaintiff.name');

    // Leaving before any case was chosen has no code to give: a goodbye, still no question.
    const idle = new DirectLineTestClient(server.baseUrl, 'en-US');
    await idle.start();
    const bye = await leave(server.baseUrl, idle);
    expect(bye).toHaveLength(1);
    expect((bye[0]!.channelData as { resumeCode?: string } | undefined)?.resumeCode).toBeUndefined();
    expect(bye[0]!.text).toMatch(/Goodbye/);
  });
});
