import path from 'node:path';
import type { Locale } from '../i18n.js';
import { AzureRecognizer, AzureSynthesizer, type AzureSpeechSettings } from './azure.js';
import { cacheKey, SPEECH_CACHE_DIR, SpeechCache, type CacheSealing } from './cache.js';
import { EspeakSynthesizer, espeakAvailable } from './espeak.js';
import { azureSsml, clampRate, parseSsml, ssmlRate } from './markup.js';
import {
  SpeechUnavailableError, type RecognitionInfo, type Recognizer, type SpeechService, type SynthesisOptions, type SynthesisResult, type Synthesizer,
} from './types.js';

export interface SpeechSettings {
  /** Set when SPEECH_KEY + SPEECH_REGION or SPEECH_HOST are. */
  azure?: AzureSpeechSettings;
  /** 'espeak' uses espeak-ng when it is installed; 'off' never does. */
  offline: 'espeak' | 'off';
  cacheBytes: number;
  /** With DATA_KEY: cached audio is sealed and named by a keyed hash. */
  cacheSealing?: CacheSealing;
}

export interface SpeechLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SpeechServiceParts {
  synthesizers: Synthesizer[];
  recognizer?: Recognizer;
  cache?: SpeechCache;
  log?: SpeechLogger;
}

/**
 * Puts engines together: the first synthesizer that answers wins (Azure, then the offline
 * voice if Azure fails, so a network outage makes the kiosk sound different, not silent),
 * every result goes through the cache, and the same sentence asked twice at once is made once.
 */
export class CompositeSpeechService implements SpeechService {
  readonly synthesis: SpeechService['synthesis'];
  readonly recognition: RecognitionInfo;
  private readonly inFlight = new Map<string, Promise<SynthesisResult>>();

  constructor(private readonly parts: SpeechServiceParts) {
    this.synthesis = parts.synthesizers[0]?.engine ?? 'none';
    this.recognition = parts.recognizer ? { available: true, engine: 'azure' } : { available: false, engine: 'none' };
  }

  get cache(): SpeechCache | undefined {
    return this.parts.cache;
  }

  async synthesize(ssml: string, options: SynthesisOptions): Promise<SynthesisResult> {
    if (this.parts.synthesizers.length === 0) throw new SpeechUnavailableError('synthesis');
    // Checked before any engine sees it: a bad document is the caller's error, not an outage.
    const tokens = parseSsml(ssml);
    const rate = clampRate(options.rate ?? ssmlRate(tokens) ?? 1);
    let lastError: unknown;
    for (const [i, synthesizer] of this.parts.synthesizers.entries()) {
      try {
        return await this.synthesizeWith(synthesizer, ssml, azureSsml(tokens, synthesizer.voiceFor(options.locale), options.locale, rate), { locale: options.locale, rate });
      } catch (error) {
        lastError = error;
        if (i < this.parts.synthesizers.length - 1) {
          this.parts.log?.warn({ engine: synthesizer.engine, err: error }, 'speech synthesis failed; trying the next engine');
        }
      }
    }
    throw lastError;
  }

  private async synthesizeWith(synthesizer: Synthesizer, ssml: string, canonical: string, options: Required<SynthesisOptions>): Promise<SynthesisResult> {
    const key = cacheKey({ engine: synthesizer.engine, voice: synthesizer.voiceFor(options.locale), rate: options.rate, text: canonical });
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const work = (async () => {
      const cached = await this.parts.cache?.get(key);
      if (cached) return cached;
      const result = await synthesizer.synthesize(ssml, options);
      await this.parts.cache?.put(key, result).catch((error: unknown) => {
        // A full disk must not stop the voice: the audio is still served, just not kept.
        this.parts.log?.warn({ err: (error as Error).name }, 'could not keep synthesized audio in the cache');
      });
      return result;
    })();
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  async recognize(pcm: Buffer, locale: Locale): Promise<string> {
    if (!this.parts.recognizer) throw new SpeechUnavailableError('recognition');
    return this.parts.recognizer.recognize(pcm, locale);
  }

  async close(): Promise<void> {
    for (const synthesizer of this.parts.synthesizers) await synthesizer.close?.();
  }
}

/** Builds the speech service from the configuration: Azure when set, espeak-ng when installed, else none. */
export async function createSpeechService(settings: SpeechSettings, dataDir: string, log?: SpeechLogger): Promise<CompositeSpeechService> {
  const synthesizers: Synthesizer[] = [];
  let recognizer: Recognizer | undefined;
  if (settings.azure) {
    synthesizers.push(new AzureSynthesizer(settings.azure));
    recognizer = new AzureRecognizer(settings.azure);
  }
  if (settings.offline === 'espeak' && (await espeakAvailable())) synthesizers.push(new EspeakSynthesizer());
  const cache = synthesizers.length > 0 ? await SpeechCache.open(path.join(dataDir, SPEECH_CACHE_DIR), settings.cacheBytes, settings.cacheSealing) : undefined;
  const service = new CompositeSpeechService({ synthesizers, recognizer, cache, log });
  log?.info({ synthesis: service.synthesis, recognition: service.recognition.engine, fallback: synthesizers[1]?.engine }, 'speech service ready');
  return service;
}
