import {
  AudioConfig, AudioInputStream, AudioStreamFormat, CancellationDetails, ResultReason, SpeechConfig, SpeechRecognizer,
  SpeechSynthesisOutputFormat, SpeechSynthesizer, type SpeechRecognitionResult, type SpeechSynthesisResult,
} from 'microsoft-cognitiveservices-speech-sdk';
import type { Localized, Locale } from '../i18n.js';
import { azureSsml, parseSsml } from './markup.js';
import { SpeechEngineError, type Recognizer, type SynthesisOptions, type SynthesisResult, type Synthesizer } from './types.js';

/*
 * Azure Speech through the official SDK, in the cloud (key + region) or in an on-premises
 * container (SPEECH_HOST). The key stays on the server: pages get audio and recognized text
 * from our routes, never a credential.
 */

export interface AzureSpeechSettings {
  key?: string;
  region?: string;
  /** ws(s)://host:port of a speech container; see STACK-NOTES: fromHost, never fromEndpoint with an empty path. */
  host?: string;
  voices: Localized;
}

/** Long enough for a long read-back from a busy service; short enough that a kiosk falls back to text. */
const TIMEOUT_MS = 20_000;

/** 24 kHz 16-bit mono WAV: every browser plays it, and the SDK writes the RIFF header itself. */
const OUTPUT_FORMAT = SpeechSynthesisOutputFormat.Riff24Khz16BitMonoPcm;

/** What the kiosk records and sends: 16 kHz, 16-bit, mono PCM (the SDK's default input format). */
export const RECOGNITION_SAMPLE_RATE = 16_000;

function speechConfig(settings: AzureSpeechSettings): SpeechConfig {
  if (settings.host) return SpeechConfig.fromHost(new URL(settings.host), settings.key);
  if (!settings.key || !settings.region) throw new SpeechEngineError('Azure Speech needs SPEECH_KEY and SPEECH_REGION, or SPEECH_HOST');
  return SpeechConfig.fromSubscription(settings.key, settings.region);
}

/** Runs one SDK call with a deadline; `close` always runs (it ends the WebSocket). */
function withDeadline<T>(start: (resolve: (value: T) => void, reject: (error: unknown) => void) => void, close: () => void, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SpeechEngineError(`Azure Speech ${what} timed out`)), TIMEOUT_MS);
    try {
      start(
        (value) => { clearTimeout(timer); resolve(value); },
        (error) => { clearTimeout(timer); reject(error instanceof Error ? error : new SpeechEngineError(`Azure Speech ${what} failed: ${String(error)}`)); },
      );
    } catch (error) {
      clearTimeout(timer);
      reject(error);
    }
  }).finally(close);
}

export class AzureSynthesizer implements Synthesizer {
  readonly engine = 'azure' as const;

  constructor(private readonly settings: AzureSpeechSettings) {}

  voiceFor(locale: Locale): string {
    return this.settings.voices[locale];
  }

  async synthesize(ssml: string, options: SynthesisOptions): Promise<SynthesisResult> {
    const voice = this.voiceFor(options.locale);
    const document = azureSsml(parseSsml(ssml), voice, options.locale, options.rate);
    const config = speechConfig(this.settings);
    config.speechSynthesisOutputFormat = OUTPUT_FORMAT;
    config.speechSynthesisVoiceName = voice;
    const synthesizer = new SpeechSynthesizer(config, null);
    const result = await withDeadline<SpeechSynthesisResult>(
      (resolve, reject) => synthesizer.speakSsmlAsync(document, resolve, (e) => reject(new SpeechEngineError(`Azure Speech synthesis failed: ${e}`))),
      () => synthesizer.close(),
      'synthesis',
    );
    if (result.reason !== ResultReason.SynthesizingAudioCompleted) {
      throw new SpeechEngineError(`Azure Speech synthesis was not completed: ${result.errorDetails || ResultReason[result.reason]}`);
    }
    const audio = Buffer.from(result.audioData);
    if (audio.length <= 44) throw new SpeechEngineError('Azure Speech returned no audio');
    return { audio, contentType: 'audio/wav' };
  }
}

export class AzureRecognizer implements Recognizer {
  constructor(private readonly settings: AzureSpeechSettings) {}

  /** The text of one utterance in 16 kHz 16-bit mono PCM; '' when nothing was understood. */
  async recognize(pcm: Buffer, locale: Locale): Promise<string> {
    const config = speechConfig(this.settings);
    config.speechRecognitionLanguage = locale;
    const stream = AudioInputStream.createPushStream(AudioStreamFormat.getWaveFormatPCM(RECOGNITION_SAMPLE_RATE, 16, 1));
    // A copy: the SDK keeps the ArrayBuffer, and a Buffer may be a view into a shared pool.
    stream.write(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength) as ArrayBuffer);
    stream.close();
    const recognizer = new SpeechRecognizer(config, AudioConfig.fromStreamInput(stream));
    const result = await withDeadline<SpeechRecognitionResult>(
      (resolve, reject) => recognizer.recognizeOnceAsync(resolve, (e) => reject(new SpeechEngineError(`Azure Speech recognition failed: ${e}`))),
      () => recognizer.close(),
      'recognition',
    );
    if (result.reason === ResultReason.RecognizedSpeech) return result.text.trim();
    if (result.reason === ResultReason.NoMatch) return '';
    const details = result.reason === ResultReason.Canceled ? CancellationDetails.fromResult(result).errorDetails : ResultReason[result.reason];
    throw new SpeechEngineError(`Azure Speech recognition was not completed: ${details}`);
  }
}
