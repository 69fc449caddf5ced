import type { Locale } from '../i18n.js';

/** What a synthesizer is asked for besides the SSML. */
export interface SynthesisOptions {
  locale: Locale;
  /**
   * Speaking rate as a multiplier (1 = normal, 0.7 = slower). The bot already writes it into
   * the SSML as `<prosody rate>`; this is the rate the caller read from there (or chose for a
   * sentence of its own), so an engine that cannot read SSML prosody still honours it.
   */
  rate?: number;
}

export interface SynthesisResult {
  audio: Buffer;
  /** e.g. audio/wav */
  contentType: string;
}

/** Where recognition comes from, so a page knows whether to offer a microphone. */
export interface RecognitionInfo {
  available: boolean;
  /** 'azure' (cloud or on-premises container), or 'none' offline. */
  engine: 'azure' | 'none';
}

/** One engine that turns SSML into audio. */
export interface Synthesizer {
  /** 'azure' or 'espeak': part of the cache key, so switching engines never serves the other's audio. */
  readonly engine: 'azure' | 'espeak';
  /** The voice used for a locale (part of the cache key). */
  voiceFor(locale: Locale): string;
  synthesize(ssml: string, options: SynthesisOptions): Promise<SynthesisResult>;
  close?(): Promise<void>;
}

/** One engine that turns a recorded answer (16 kHz, 16-bit mono PCM) into text. */
export interface Recognizer {
  recognize(pcm: Buffer, locale: Locale): Promise<string>;
}

/**
 * The speech service the rest of the assistant sees: synthesis from whichever engine is
 * configured (through the cache), and recognition where an engine offers it.
 */
export interface SpeechService {
  /** Which voice answers: 'azure', 'espeak' or 'none' (the page then uses the browser's own voice). */
  readonly synthesis: 'azure' | 'espeak' | 'none';
  readonly recognition: RecognitionInfo;
  /** Throws SpeechUnavailableError when there is no voice at all. */
  synthesize(ssml: string, options: SynthesisOptions): Promise<SynthesisResult>;
  /** Throws SpeechUnavailableError when recognition is not available. */
  recognize(pcm: Buffer, locale: Locale): Promise<string>;
  close(): Promise<void>;
}

export class SpeechUnavailableError extends Error {
  constructor(what: 'synthesis' | 'recognition') {
    super(`speech ${what} is not available`);
    this.name = 'SpeechUnavailableError';
  }
}

/** An engine failed (timeout, refused connection, bad answer); the message never holds the text spoken. */
export class SpeechEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpeechEngineError';
  }
}
