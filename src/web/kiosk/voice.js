// @ts-check
/**
 * The kiosk's voice and ears. Out: SSML or plain sentences become audio from the server
 * (POST /api/speech/synthesize), played one after another; when the server has no voice or
 * fails, the browser's own speech synthesis reads the words. In: one answer recorded from
 * the microphone as 16 kHz mono WAV and sent to POST /api/speech/recognize.
 */

/** Plain words from SSML, for the browser's voice. */
/** @param {string} ssml */
export function ssmlText(ssml) {
  const doc = new DOMParser().parseFromString(ssml, 'application/xml');
  if (doc.querySelector('parsererror')) return ssml.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return (doc.documentElement.textContent || '').replace(/\s+/g, ' ').trim();
}

/** The rate multiplier the bot put into its SSML (`<prosody rate="0.85">`), if any. */
/** @param {string} ssml */
export function ssmlRate(ssml) {
  const m = /<prosody[^>]*\srate="([0-9.]+)"/.exec(ssml || '');
  const rate = m ? Number(m[1]) : NaN;
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

/**
 * @typedef {{ key: string, audio: Promise<Blob | null>, text: string, locale: string, rate: number }} Clip
 */

export class Voice {
  /**
   * @param {{ synthesis: string, onSpeakingChange?: (speaking: boolean) => void }} options
   */
  constructor(options) {
    this.synthesis = options.synthesis;
    this.onSpeakingChange = options.onSpeakingChange || (() => {});
    this.element = new Audio();
    /** @type {Clip[]} */
    this.queue = [];
    /** Clips of the latest turn, for "repeat". */
    /** @type {Clip[]} */
    this.last = [];
    /** Short, impersonal clips (digits, labels) kept for the session. */
    /** @type {Map<string, Promise<Blob | null>>} */
    this.shortClips = new Map();
    /** @type {Map<Blob, string>} */
    this.urls = new Map();
    this.playing = false;
    this.generation = 0;
    this.rate = 1;
    /** @type {(() => void) | undefined} */
    this.stopCurrent = undefined;
  }

  get speaking() {
    return this.playing || this.queue.length > 0;
  }

  /**
   * @param {{ ssml?: string, text?: string }} what
   * @param {string} locale
   * @param {number} [rate]
   * @returns {Promise<Blob | null>}
   */
  async fetchAudio(what, locale, rate) {
    if (this.synthesis === 'none') return null;
    try {
      const body = what.ssml ? { ssml: what.ssml, locale } : { text: what.text, locale, rate };
      const res = await fetch('/api/speech/synthesize', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store',
      });
      if (!res.ok) return null;
      return await res.blob();
    } catch {
      return null;
    }
  }

  /** A new turn: what follows is what "repeat" replays. */
  startTurn() {
    this.last = [];
  }

  /**
   * Says the bot's SSML after whatever is queued.
   * @param {string} ssml @param {string} locale
   */
  sayBot(ssml, locale) {
    const rate = ssmlRate(ssml);
    if (rate !== undefined) this.rate = rate;
    const clip = { key: '', audio: this.fetchAudio({ ssml }, locale), text: ssmlText(ssml), locale, rate: rate ?? 1 };
    this.last.push(clip);
    this.enqueue(clip);
  }

  /**
   * Says a sentence of the page's own, at the filer's rate.
   * @param {string} text @param {string} locale
   * @param {{ remember?: boolean, keep?: boolean }} [options] keep: cache for the session (never for a filer's words)
   */
  sayText(text, locale, options = {}) {
    const clip = { key: '', audio: this.textAudio(text, locale, !!options.keep), text, locale, rate: this.rate };
    if (options.remember) this.last.push(clip);
    this.enqueue(clip);
  }

  /** @param {string} text @param {string} locale @param {boolean} keep */
  textAudio(text, locale, keep) {
    if (!keep) return this.fetchAudio({ text }, locale, this.rate);
    const key = `${locale}|${this.rate}|${text}`;
    let audio = this.shortClips.get(key);
    if (!audio) {
      audio = this.fetchAudio({ text }, locale, this.rate);
      this.shortClips.set(key, audio);
    }
    return audio;
  }

  /** Fetches short clips ahead (the digits of the number pad), so each key answers at once. */
  /** @param {string[]} texts @param {string} locale */
  prefetch(texts, locale) {
    for (const text of texts) void this.textAudio(text, locale, true);
  }

  /** Stops at once what is playing and drops the queue: the filer acted. */
  stop() {
    this.generation += 1;
    this.queue = [];
    this.stopCurrent?.();
    if ('speechSynthesis' in window) window.speechSynthesis.cancel();
  }

  /** Says the latest turn again. Returns false when there is nothing to say. */
  replay() {
    if (this.last.length === 0) return false;
    this.stop();
    for (const clip of this.last) this.enqueue(clip);
    return true;
  }

  /** Forgets everything a filer may have heard: for the next person. */
  forget() {
    this.stop();
    this.last = [];
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
    this.shortClips.clear();
    this.rate = 1;
    this.element.removeAttribute('src');
  }

  /** @param {Clip} clip */
  enqueue(clip) {
    this.queue.push(clip);
    if (!this.playing) void this.drain();
  }

  async drain() {
    const generation = this.generation;
    this.playing = true;
    this.onSpeakingChange(true);
    try {
      while (this.queue.length > 0 && generation === this.generation) {
        const clip = /** @type {Clip} */ (this.queue.shift());
        const blob = await clip.audio;
        if (generation !== this.generation) break;
        if (blob) await this.playBlob(blob);
        else await this.speakInBrowser(clip);
      }
    } finally {
      this.playing = false;
      // Clips queued after a stop() belong to a newer turn: play them now.
      if (this.queue.length > 0) void this.drain();
      else this.onSpeakingChange(false);
    }
  }

  /** @param {Blob} blob */
  playBlob(blob) {
    let url = this.urls.get(blob);
    if (!url) {
      url = URL.createObjectURL(blob);
      this.urls.set(blob, url);
    }
    const element = this.element;
    return new Promise((resolve) => {
      const done = () => {
        element.onended = null;
        element.onerror = null;
        this.stopCurrent = undefined;
        resolve(undefined);
      };
      this.stopCurrent = () => {
        element.pause();
        done();
      };
      element.onended = done;
      element.onerror = done;
      element.src = /** @type {string} */ (url);
      element.play().catch(done);
    });
  }

  /** @param {Clip} clip */
  speakInBrowser(clip) {
    if (!('speechSynthesis' in window) || !clip.text) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(clip.text);
      utterance.lang = clip.locale;
      utterance.rate = clip.rate;
      // Some browsers never fire 'end' without a voice: do not hold the queue for long.
      const timer = setTimeout(() => finish(), 2000 + clip.text.length * 400);
      const finish = () => {
        clearTimeout(timer);
        this.stopCurrent = undefined;
        resolve(undefined);
      };
      this.stopCurrent = () => {
        window.speechSynthesis.cancel();
        finish();
      };
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }
}

/** @param {Float32Array[]} chunks @param {number} fromRate */
function toPcm16k(chunks, fromRate) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const ratio = fromRate / 16000;
  const outLength = Math.floor(total / ratio);
  const out = new Int16Array(outLength);
  const all = new Float32Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  for (let i = 0; i < outLength; i += 1) {
    // Averaging the samples that fall into one output sample is a simple low-pass filter.
    const start = Math.floor(i * ratio);
    const end = Math.min(total, Math.max(start + 1, Math.floor((i + 1) * ratio)));
    let sum = 0;
    for (let j = start; j < end; j += 1) sum += all[j] ?? 0;
    const v = Math.max(-1, Math.min(1, sum / (end - start)));
    out[i] = v < 0 ? v * 0x8000 : v * 0x7fff;
  }
  return out;
}

/** @param {Int16Array} pcm */
function wavBlob(pcm) {
  const buffer = new ArrayBuffer(44 + pcm.length * 2);
  const view = new DataView(buffer);
  const text = (/** @type {number} */ at, /** @type {string} */ s) => { for (let i = 0; i < s.length; i += 1) view.setUint8(at + i, s.charCodeAt(i)); };
  text(0, 'RIFF');
  view.setUint32(4, 36 + pcm.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true);
  view.setUint32(28, 32000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, pcm.length * 2, true);
  new Int16Array(buffer, 44).set(pcm);
  return new Blob([buffer], { type: 'audio/wav' });
}

/** Whether this browser can record here (a secure context with a microphone API). */
export function canRecord() {
  return !!(window.isSecureContext && navigator.mediaDevices?.getUserMedia && window.AudioWorkletNode);
}

/**
 * Records one answer. Ends when `stop()` is called (the filer touches the button again), after
 * a pause once speech was heard, or after `maxMs`. Resolves with a 16 kHz WAV, or null when
 * nothing loud enough was heard.
 */
export class Recording {
  /** @param {{ maxMs?: number, silenceMs?: number }} [options] */
  constructor(options = {}) {
    this.maxMs = options.maxMs ?? 15000;
    this.silenceMs = options.silenceMs ?? 1500;
    /** @type {() => void} */
    this.stopNow = () => {};
  }

  stop() {
    this.stopNow();
  }

  /** @returns {Promise<Blob | null>} */
  async record() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const context = new AudioContext();
    try {
      await context.audioWorklet.addModule('/kiosk/recorder-worklet.js');
      const source = context.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(context, 'kiosk-recorder');
      const mute = context.createGain();
      mute.gain.value = 0;
      source.connect(node).connect(mute).connect(context.destination);
      /** @type {Float32Array[]} */
      const chunks = [];
      let heard = false;
      let quietSince = 0;
      const started = performance.now();
      await new Promise((resolve) => {
        const finish = () => {
          node.port.onmessage = null;
          clearTimeout(timer);
          resolve(undefined);
        };
        const timer = setTimeout(finish, this.maxMs);
        this.stopNow = finish;
        node.port.onmessage = (event) => {
          const samples = /** @type {Float32Array} */ (event.data);
          chunks.push(samples);
          let sum = 0;
          for (let i = 0; i < samples.length; i += 1) sum += (samples[i] ?? 0) ** 2;
          const loud = Math.sqrt(sum / Math.max(1, samples.length)) > 0.015;
          const now = performance.now();
          if (loud) {
            heard = true;
            quietSince = 0;
          } else if (heard) {
            quietSince ||= now;
            if (now - quietSince > this.silenceMs) finish();
          } else if (now - started > 8000) {
            finish();
          }
        };
      });
      if (!heard || chunks.length === 0) return null;
      return wavBlob(toPcm16k(chunks, context.sampleRate));
    } finally {
      for (const track of stream.getTracks()) track.stop();
      void context.close();
    }
  }
}

/**
 * The text of a recorded answer ('' when nothing was understood).
 * @param {Blob} wav @param {string} locale
 */
export async function recognize(wav, locale) {
  const res = await fetch(`/api/speech/recognize?locale=${encodeURIComponent(locale)}`, {
    method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav, cache: 'no-store',
  });
  if (!res.ok) throw new Error(`recognition: ${res.status}`);
  const body = await res.json();
  return typeof body.text === 'string' ? body.text : '';
}
