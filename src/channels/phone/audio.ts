import { randomBytes } from 'node:crypto';

/**
 * Synthesized replies waiting for Twilio to fetch them (<Play>). The audio speaks a caller's
 * answers back (names, numbers), so each clip sits behind an unguessable token, lives only
 * minutes, and goes when its call ends. Twilio fetches media without a signature.
 */
interface Clip {
  audio: Buffer;
  contentType: string;
  sid: string;
  expires: number;
}

const TTL_MS = 10 * 60 * 1000;
/** About 100 calls' worth of replies; the oldest go first beyond it. */
const MAX_CLIPS = 2000;

export class AudioClips {
  readonly #clips = new Map<string, Clip>();

  constructor(private readonly now: () => number = Date.now) {}

  put(sid: string, audio: Buffer, contentType: string): string {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    this.#clips.set(token, { audio, contentType, sid, expires: this.now() + TTL_MS });
    return token;
  }

  get(token: string): { audio: Buffer; contentType: string } | undefined {
    const clip = this.#clips.get(token);
    if (!clip || clip.expires < this.now()) return undefined;
    return { audio: clip.audio, contentType: clip.contentType };
  }

  forgetCall(sid: string): void {
    for (const [token, clip] of this.#clips) if (clip.sid === sid) this.#clips.delete(token);
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, clip] of this.#clips) if (clip.expires < now) this.#clips.delete(token);
    while (this.#clips.size >= MAX_CLIPS) {
      const first = this.#clips.keys().next();
      if (first.done) break;
      this.#clips.delete(first.value);
    }
  }
}
