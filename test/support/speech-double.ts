import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/*
 * A local stand-in for the Azure Speech service (or an on-premises speech container), speaking
 * the WebSocket protocol the real SDK speaks (see shared/STACK-NOTES.md), so the SDK code path
 * runs offline in tests. Text frames: `Header: value` lines, a blank line, a body. Binary
 * frames: a 2-byte big-endian header length, the headers, then audio.
 * - Synthesis (/tts/cognitiveservices/websocket/v1): turn.start, response with the audio
 *   streamId, binary audio frames (a tone whose length follows the text), turn.end.
 * - Recognition (/speech/recognition/...): turn.start and speech.startDetected at the first
 *   audio, and at the end of the audio speech.endDetected, speech.phrase, turn.end.
 * Test-only: it lives in test/support and is started on a loopback port by the tests.
 */

export interface SpeechDouble {
  /** ws://127.0.0.1:PORT, for SPEECH_HOST. */
  host: string;
  /** Every SSML document received, in order. */
  readonly ssml: string[];
  /** Every recognition: the language asked for and the bytes of audio received. */
  readonly recognitions: { language: string; audioBytes: number }[];
  /** What recognition answers, per language (default: 张三 / John Smith). */
  phrases: Record<string, string>;
  close(): Promise<void>;
}

interface Message {
  headers: Record<string, string>;
  body: Buffer;
  binary: boolean;
}

function parse(data: RawData, binary: boolean): Message {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  let head: string;
  let body: Buffer;
  if (binary) {
    const length = buffer.readUInt16BE(0);
    head = buffer.subarray(2, 2 + length).toString('utf8');
    body = buffer.subarray(2 + length);
  } else {
    const text = buffer.toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    head = split < 0 ? text : text.slice(0, split);
    body = Buffer.from(split < 0 ? '' : text.slice(split + 4), 'utf8');
  }
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { headers, body, binary };
}

function headerLines(path: string, requestId: string, extra: Record<string, string> = {}): string {
  const all = { 'X-RequestId': requestId, 'X-Timestamp': new Date().toISOString(), Path: path, ...extra };
  return Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}

function sendText(socket: WebSocket, path: string, requestId: string, body: unknown): void {
  socket.send(`${headerLines(path, requestId, { 'Content-Type': 'application/json; charset=utf-8' })}\r\n${JSON.stringify(body)}`);
}

function sendAudio(socket: WebSocket, requestId: string, streamId: string, audio: Buffer): void {
  const head = Buffer.from(headerLines('audio', requestId, { 'X-StreamId': streamId }), 'ascii');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(head.length);
  socket.send(Buffer.concat([length, head, audio]));
}

/** Raw 24 kHz 16-bit mono PCM: a quiet 440 Hz tone of the given length. */
function tone(seconds: number): Buffer {
  const rate = 24_000;
  const samples = Math.round(rate * seconds);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) out.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return out;
}

export async function startSpeechDouble(): Promise<SpeechDouble> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const double: SpeechDouble = {
    host: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ssml: [],
    recognitions: [],
    phrases: { 'zh-CN': '张三', 'en-US': 'John Smith' },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'ws://double');
    if (url.pathname.endsWith('/tts/cognitiveservices/websocket/v1')) {
      socket.on('message', (data, isBinary) => {
        const message = parse(data, isBinary);
        if (message.headers.path !== 'ssml') return;
        const requestId = message.headers['x-requestid'] ?? '';
        const ssml = message.body.toString('utf8');
        double.ssml.push(ssml);
        const words = ssml.replace(/<[^>]*>/g, '').trim();
        sendText(socket, 'turn.start', requestId, { context: { serviceTag: 'speech-double' } });
        sendText(socket, 'response', requestId, { context: { serviceTag: 'speech-double' }, audio: { type: 'inline', streamId: 'S1' } });
        const audio = tone(Math.max(0.3, words.length * 0.08));
        for (let at = 0; at < audio.length; at += 8192) sendAudio(socket, requestId, 'S1', audio.subarray(at, at + 8192));
        sendText(socket, 'turn.end', requestId, {});
      });
      return;
    }
    if (url.pathname.includes('/speech/recognition/')) {
      const language = url.searchParams.get('language') ?? '';
      let requestId = '';
      let bytes = 0;
      let started = false;
      const answered = new Set<string>();
      socket.on('message', (data, isBinary) => {
        const message = parse(data, isBinary);
        if (message.headers.path !== 'audio') return;
        if (message.headers['x-requestid'] !== requestId) {
          // A new turn on the same connection.
          requestId = message.headers['x-requestid'] ?? '';
          bytes = 0;
          started = false;
        }
        if (answered.has(requestId)) return;
        if (!started) {
          started = true;
          sendText(socket, 'turn.start', requestId, { context: { serviceTag: 'speech-double' } });
          sendText(socket, 'speech.startDetected', requestId, { Offset: 0 });
        }
        // The SDK's first audio frame carries a RIFF header of its own; count only the samples after it.
        const body = message.body.toString('ascii', 0, 4) === 'RIFF' ? message.body.subarray(44) : message.body;
        bytes += body.length;
        if (message.body.length > 0) return;
        // An empty audio frame ends the stream: answer with the phrase, once per turn.
        answered.add(requestId);
        double.recognitions.push({ language, audioBytes: bytes });
        const duration = Math.round((bytes / 32_000) * 10_000_000);
        sendText(socket, 'speech.endDetected', requestId, { Offset: duration });
        sendText(socket, 'speech.phrase', requestId, {
          RecognitionStatus: 'Success', DisplayText: double.phrases[language] ?? double.phrases['zh-CN'], Offset: 0, Duration: duration,
        });
        sendText(socket, 'turn.end', requestId, {});
      });
    }
  });
  return double;
}
