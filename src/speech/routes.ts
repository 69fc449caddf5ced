import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { normalizeLocale } from '../i18n.js';
import { RECOGNITION_SAMPLE_RATE } from './azure.js';
import { clampRate, MAX_SSML_LENGTH, SsmlError } from './markup.js';
import { escapeXml } from './ssml.js';
import { SpeechUnavailableError, type SpeechService } from './types.js';
import { readWav, WavError } from './wav.js';

export interface SpeechRouteOptions {
  /** Requests per client address and minute. */
  synthesizeLimit?: number;
  recognizeLimit?: number;
  /** Requests these limits do not apply to: the court's own kiosks, which share one address. */
  skipLimits?: (req: Request) => boolean;
  log?: { warn(obj: object, msg?: string): void };
}

/** Longest sentence a page may send as plain text. */
const MAX_TEXT_LENGTH = 1000;
/** About 30 s of 16 kHz 16-bit mono: one answer, never a recording of the hall. */
const MAX_AUDIO_BYTES = 1_000_000;

function fail(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

function limiter(limit: number, store: MemoryStore, skip: ((req: Request) => boolean) | undefined) {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store,
    ...(skip ? { skip } : {}),
    handler: (_req, res) => fail(res, 429, 'Too many requests. Please wait a minute.'),
  });
}

/**
 * Mount at `/api`:
 * - `POST /api/speech/synthesize` `{ ssml, locale }` or `{ text, locale, rate? }` → audio (WAV). 503 when the
 *   server has no voice (the page then uses the browser's own).
 * - `POST /api/speech/recognize?locale=` with a 16 kHz 16-bit mono WAV → `{ text }`. 503 offline.
 * Nothing said or heard is logged; audio is never cached by the browser (it may hold a filer's words).
 */
export function speechRoutes(speech: SpeechService, options: SpeechRouteOptions = {}): { router: Router; close(): Promise<void> } {
  const router = express.Router();
  const stores = [new MemoryStore(), new MemoryStore()] as const;
  const json = express.json({ limit: `${MAX_SSML_LENGTH * 4}b` });
  const raw = express.raw({ type: ['audio/wav', 'audio/wave', 'audio/x-wav', 'application/octet-stream'], limit: MAX_AUDIO_BYTES });

  router.post('/speech/synthesize', limiter(options.synthesizeLimit ?? 600, stores[0], options.skipLimits), json, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = (req.body ?? {}) as { ssml?: unknown; text?: unknown; locale?: unknown; rate?: unknown };
      const locale = normalizeLocale(typeof body.locale === 'string' ? body.locale : undefined);
      const rate = typeof body.rate === 'number' && Number.isFinite(body.rate) ? clampRate(body.rate) : undefined;
      let ssml: string;
      if (typeof body.ssml === 'string') {
        ssml = body.ssml;
      } else if (typeof body.text === 'string' && body.text.trim() && body.text.length <= MAX_TEXT_LENGTH) {
        // A page's own sentence at the filer's rate (the bot's SSML carries its rate already).
        ssml = `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${locale}"><prosody rate="${rate ?? 1}">${escapeXml(body.text)}</prosody></speak>`;
      } else {
        fail(res, 400, `Send "ssml" (an SSML document) or "text" (at most ${MAX_TEXT_LENGTH} characters).`);
        return;
      }
      if (speech.synthesis === 'none') {
        fail(res, 503, 'This server has no voice; use the browser\'s speech synthesis.');
        return;
      }
      const result = await speech.synthesize(ssml, { locale });
      res.set({ 'Content-Type': result.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.send(result.audio);
    } catch (error) {
      next(error);
    }
  });

  router.post('/speech/recognize', limiter(options.recognizeLimit ?? 60, stores[1], options.skipLimits), raw, async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.set('Cache-Control', 'no-store');
      if (!speech.recognition.available) {
        fail(res, 503, 'Speech recognition is not available on this server.');
        return;
      }
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        fail(res, 400, 'Send the recording as audio/wav.');
        return;
      }
      const wav = readWav(req.body);
      if (wav.sampleRate !== RECOGNITION_SAMPLE_RATE || wav.channels !== 1 || wav.bitsPerSample !== 16) {
        fail(res, 400, `The recording must be ${RECOGNITION_SAMPLE_RATE} Hz, 16-bit, mono PCM.`);
        return;
      }
      const locale = normalizeLocale(typeof req.query.locale === 'string' ? req.query.locale : undefined);
      res.json({ text: await speech.recognize(wav.data, locale) });
    } catch (error) {
      next(error);
    }
  });

  router.use('/speech', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { type } = (error ?? {}) as { type?: unknown };
    if (type === 'entity.too.large') return fail(res, 413, 'The request is too large.');
    if (type === 'entity.parse.failed') return fail(res, 400, 'The request body is not valid JSON.');
    if (error instanceof SsmlError || error instanceof WavError) return fail(res, 400, error.message);
    if (error instanceof SpeechUnavailableError) return fail(res, 503, error.message);
    const { status } = (error ?? {}) as { status?: unknown };
    // The body parser's other refusals (a gzip body that is not gzip, an unknown charset): the caller's mistake.
    if (typeof status === 'number' && status >= 400 && status < 500) return fail(res, status, 'The request body could not be read.');
    // Engine failures name the engine and the reason, never the words: the logger scrubs an
    // error's message of anything quoted or Chinese, which is where an engine would echo them.
    options.log?.warn({ err: error }, 'speech request failed');
    return fail(res, 502, 'The voice service did not answer. Please try again.');
  });

  return {
    router,
    async close() {
      for (const store of stores) store.shutdown();
    },
  };
}
