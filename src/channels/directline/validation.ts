import { DirectLineError } from './errors.js';

/** Activity types a Direct Line client may post; the rest (conversationUpdate, invoke, …) are the service's to send. */
const CLIENT_TYPES = new Set(['message', 'typing', 'event']);

/**
 * Fields copied from a posted activity. Everything else (ids, timestamps, recipient,
 * deliveryMode, callerId, …) is the service's to set, so a client cannot forge it.
 */
const PASSED_FIELDS = [
  'text',
  'textFormat',
  'locale',
  'localTimestamp',
  'localTimezone',
  'channelData',
  'value',
  'name',
  'attachments',
  'entities',
  'replyToId',
] as const;

const LOCALE_PATTERN = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,6}$/;
const MAX_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 128;

/**
 * Cards nest a dozen levels at most. A body nested thousands deep is no activity, and it
 * overflows the stack of every recursive copy (structuredClone) the turn makes of it.
 */
const MAX_NESTING = 64;

export type IncomingActivity = Record<string, unknown> & { type: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(message: string): DirectLineError {
  return new DirectLineError(400, 'BadArgument', message);
}

/** Whether JSON data nests objects or arrays deeper than `limit`; walked without recursion, for the same reason. */
export function nestedDeeperThan(root: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[root, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Length in characters as a person counts them (a CJK character or an emoji is one). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Checks a posted activity and keeps only what a client may say. Throws a 400 DirectLineError.
 * Text longer than maxTextLength is not refused (a filer who pasted a page would only see "send
 * failed"): it is cut to that length and marked `channelData.overlongText: { length, limit }`,
 * so the bot can ask for shorter parts in the filer's language. The request body limit still
 * refuses what no person types.
 */
export function parseIncomingActivity(body: unknown, maxTextLength: number): IncomingActivity {
  if (!isPlainObject(body)) throw bad('The activity must be a JSON object.');
  if (nestedDeeperThan(body, MAX_NESTING)) throw bad(`The activity is nested more than ${MAX_NESTING} levels deep.`);
  const { type } = body;
  if (type === undefined) throw new DirectLineError(400, 'MissingProperty', 'The activity has no type.');
  if (typeof type !== 'string' || !CLIENT_TYPES.has(type)) {
    throw bad('The activity type must be message, typing or event.');
  }
  const activity: IncomingActivity = { type };
  for (const field of PASSED_FIELDS) {
    if (body[field] !== undefined) activity[field] = body[field];
  }

  let overlong: { length: number; limit: number } | undefined;
  if (activity.text !== undefined) {
    if (typeof activity.text !== 'string') throw bad('The activity text must be a string.');
    const length = characterCount(activity.text);
    if (length > maxTextLength) {
      overlong = { length, limit: maxTextLength };
      activity.text = `${[...activity.text].slice(0, maxTextLength).join('')}…`;
    }
  }
  for (const field of ['textFormat', 'localTimestamp', 'localTimezone', 'name', 'replyToId'] as const) {
    if (activity[field] !== undefined && typeof activity[field] !== 'string') {
      throw bad(`The activity ${field} must be a string.`);
    }
  }
  if (activity.locale !== undefined && parseLocale(activity.locale) === undefined) {
    throw bad('The activity locale must be a language tag such as zh-CN or en-US.');
  }
  if (activity.channelData !== undefined) {
    if (!isPlainObject(activity.channelData)) throw bad('The activity channelData must be an object.');
    // What the upload route found out about files is the service's word; a client cannot
    // claim files it never uploaded (the bot may file them as evidence).
    const { uploads: _uploads, rejectedUploads: _rejected, overlongText: _overlong, ...rest } = activity.channelData;
    activity.channelData = rest;
  }
  if (overlong) activity.channelData = { ...(isPlainObject(activity.channelData) ? activity.channelData : {}), overlongText: overlong };
  for (const field of ['attachments', 'entities'] as const) {
    const list = activity[field];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isPlainObject))) {
      throw bad(`The activity ${field} must be a list of objects.`);
    }
  }
  if (body.from !== undefined && !isPlainObject(body.from)) throw bad('The activity from must be an object.');
  return activity;
}

/** The sender a client named in `from`, if well formed; the service decides whether to trust it. */
export function claimedSender(body: unknown): { id?: string; name?: string } {
  if (!isPlainObject(body) || !isPlainObject(body.from)) return {};
  const { id, name } = body.from;
  if (id !== undefined && parseUserId(id) === undefined) throw bad('The activity from.id must be a short string.');
  if (name !== undefined && parseUserName(name) === undefined) throw bad('The activity from.name must be a short string.');
  return {
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

export function parseLocale(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 35 && LOCALE_PATTERN.test(value) ? value : undefined;
}

export function parseUserId(value: unknown): string | undefined {
  // Control characters would end up in logs and documents; ids are labels, not text.
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && !/[\p{Cc}]/u.test(value)
    ? value
    : undefined;
}

export function parseUserName(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_NAME_LENGTH && !/[\p{Cc}]/u.test(value) ? value : undefined;
}

/**
 * `{ user: { id, name }, locale }` as start, generate and the court's token route accept it.
 * Absent parts are fine; malformed ones are a 400.
 */
export function parseStartBody(body: unknown): { userId?: string; userName?: string; locale?: string } {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw bad('The request body must be a JSON object.');
  const result: { userId?: string; userName?: string; locale?: string } = {};
  if (body.user !== undefined && body.user !== null) {
    if (!isPlainObject(body.user)) throw bad('user must be an object.');
    const { id, name } = body.user;
    if (id !== undefined && id !== null) {
      const userId = parseUserId(id);
      if (userId === undefined) throw bad('user.id must be a short string.');
      result.userId = userId;
    }
    if (name !== undefined && name !== null) {
      const userName = parseUserName(name);
      if (userName === undefined) throw bad('user.name must be a short string.');
      result.userName = userName;
    }
  }
  if (body.locale !== undefined && body.locale !== null) {
    const locale = parseLocale(body.locale);
    if (locale === undefined) throw bad('locale must be a language tag such as zh-CN or en-US.');
    result.locale = locale;
  }
  return result;
}

/** `watermark` as clients send it: absent or empty means from the start. */
export function parseWatermark(value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  throw bad('The watermark is not valid.');
}
