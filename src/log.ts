import { pino, type DestinationStream, type Logger } from 'pino';

/*
 * The log never holds a filer's personal data. Call sites log ids, counts and error names,
 * never answers, texts or records; this module is the net under that rule, in three layers:
 *
 * 1. Keys that carry personal data are censored at any depth (pino's `redact` paths below
 *    cover the known places, and the walk in `formatters.log` catches them deeper down).
 * 2. Errors keep their name, code and stack frames; their message is scrubbed, because
 *    library messages quote the input they choked on (JSON.parse quotes the text).
 * 3. Every string is scrubbed of digit runs shaped like ID, phone and bank numbers.
 */

const CENSOR = '[redacted]';

/** Keys whose value may be a filer's words or data, whatever object they sit in. */
const PERSONAL_KEYS = [
  'text', 'speak', 'answers', 'answer', 'value', 'values', 'utterance', 'idNumber', 'phone', 'address', 'landmark', 'birthDate',
  'transcript', 'activity', 'activities', 'attachments', 'channelData', 'record', 'draft', 'booking', 'plaintiff', 'defendant',
  'content', 'body', 'password', 'token', 'authorization', 'cookie',
  // Twilio's webhook parameters: the caller's number and what they said or keyed.
  'From', 'To', 'Caller', 'Called', 'SpeechResult', 'Digits',
] as const;

/**
 * `name` is a person's name on a party, an account or an activity's `from`, but an error's
 * type on an error; it is censored everywhere except inside errors.
 */
const NAME_KEYS = ['name', 'displayName', 'orgName', 'representative'] as const;

const REDACT_PATHS = [
  ...PERSONAL_KEYS, ...NAME_KEYS,
  ...PERSONAL_KEYS.map((key) => `*.${key}`),
  'from.name', 'recipient.name', 'user.name', 'account.name', 'account.displayName', '*.from.name', '*.recipient.name',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
];

const PERSONAL = new Set<string>([...PERSONAL_KEYS, ...NAME_KEYS]);
const ERROR_KEYS = new Set(['err', 'error', 'apologyError']);
const MAX_DEPTH = 8;

/** Digit runs of 7 or more (with single spaces or dashes between groups): ID, phone and account numbers. */
const DIGIT_RUN = /(?<![0-9A-Za-z-])\d(?:[ -]?\d){5,}[ -]?[\dXx](?![0-9A-Za-z])/g;
/** CJK text: in an error message it can only have come from the data. */
const CJK_RUN = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+/g;
/** What a message quotes ("…" or '…'): the input a parser choked on. */
const QUOTED = /"[^"\n]{2,}"|'[^'\n]{2,}'/g;

/** Masks digit runs that look like ID, phone or account numbers. */
export function scrubDigits(text: string): string {
  return text.replace(DIGIT_RUN, '[digits]');
}

/** An error message or stack with anything that may have come from the data masked. */
export function scrubErrorText(text: string): string {
  return scrubDigits(text).replace(QUOTED, (quoted) => `${quoted[0]}…${quoted[0]}`).replace(CJK_RUN, '…');
}

/** An error as logged: its type, code and where it happened; the message scrubbed. */
export function safeError(error: unknown): unknown {
  if (typeof error === 'string') return scrubErrorText(error);
  if (typeof error !== 'object' || error === null) return error;
  const source = error as { name?: unknown; message?: unknown; code?: unknown; statusCode?: unknown; status?: unknown; stack?: unknown; cause?: unknown };
  const out: Record<string, unknown> = {};
  if (typeof source.name === 'string') out.name = source.name.slice(0, 100);
  if (typeof source.code === 'string' || typeof source.code === 'number') out.code = source.code;
  if (typeof source.statusCode === 'number') out.statusCode = source.statusCode;
  if (typeof source.status === 'number') out.status = source.status;
  if (typeof source.message === 'string') out.message = scrubErrorText(source.message);
  if (typeof source.stack === 'string') out.stack = scrubErrorText(source.stack);
  else if (Array.isArray(source.stack)) out.stack = source.stack.filter((l): l is string => typeof l === 'string').map(scrubErrorText);
  if (source.cause !== undefined && source.cause !== error) out.cause = safeError(source.cause);
  return out;
}

/** A copy of a log object with personal keys censored and every string scrubbed. */
export function scrubLogObject(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubDigits(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return safeError(value);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => scrubLogObject(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (PERSONAL.has(key)) out[key] = CENSOR;
    else if (ERROR_KEYS.has(key)) out[key] = safeError(item);
    else out[key] = scrubLogObject(item, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    formatters: { log: (object: Record<string, unknown>) => scrubLogObject(object) as Record<string, unknown> },
    serializers: { err: safeError, error: safeError },
    hooks: {
      // Messages are fixed sentences by rule; one built from an error's text is scrubbed too.
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...args: unknown[]) => void) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubDigits(arg) : arg)));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
