/** The speech service: synthesis (Azure, offline espeak-ng, on-disk cache), recognition (Azure), HTTP routes. */
export { createSpeechService, CompositeSpeechService, type SpeechSettings, type SpeechLogger } from './service.js';
export { speechRoutes, type SpeechRouteOptions } from './routes.js';
export { SpeechCache, cacheKey, SPEECH_CACHE_DIR, type CacheSealing } from './cache.js';
export { AzureRecognizer, AzureSynthesizer, RECOGNITION_SAMPLE_RATE, type AzureSpeechSettings } from './azure.js';
export { EspeakSynthesizer, espeakAvailable, toPinyin, wordsPerMinute, ESPEAK_VOICES } from './espeak.js';
export { parseSsml, ssmlToText, ssmlRate, rateValue, azureSsml, SsmlError, MAX_SSML_LENGTH } from './markup.js';
export { readWav, wavSeconds, pcmToWav, WavError } from './wav.js';
export {
  SpeechEngineError, SpeechUnavailableError,
  type RecognitionInfo, type Recognizer, type SpeechService, type SynthesisOptions, type SynthesisResult, type Synthesizer,
} from './types.js';
