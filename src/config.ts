import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import type { Localized } from './i18n.js';
import { DataKeyError, DataKeys, parseDataKey } from './store/cipher.js';

/**
 * Every environment variable the assistant reads, parsed and checked here and nowhere
 * else. A wrong value stops start-up with a message naming the variable.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** DATA_KEY (and DATA_KEY_PREVIOUS during a rotation): encryption at rest; unset, data files are plain JSON. */
  dataKeys?: DataKeys;
  /** Base of links handed to filers (document URLs); defaults to the listening address. */
  publicUrl: string;
  directLine: { secret?: string; tokenTtlSeconds: number };
  /** Azure Bot Service credentials for /api/messages; without an id only a local Emulator is served. */
  microsoftApp: MicrosoftAppSettings;
  court: { name: string; nameEn: string; timeZone: string };
  clerk: { phone: string; hours: Localized; schedule: OfficeSchedule };
  documentLinkDays: number;
  /**
   * How long records are kept: a draft nobody touched for draftDays is deleted, and so is a
   * complaint archivedDays after a clerk archived it (RETENTION_DRAFT_DAYS, RETENTION_ARCHIVED_DAYS).
   */
  retention: { draftDays: number; archivedDays: number };
  /** Court fees the province fixes within Decree 481 Art. 13's ranges (yuan per case). */
  fees: { divorceFee: number; nonPropertyFee: number };
  /** The clerk console's sign-in: session lifetime and how many failed sign-ins are allowed. */
  staff: { sessionIdleMinutes: number; sessionMaxHours: number; loginAttempts: number; loginWindowMinutes: number };
  maxMessageLength: number;
  /** Largest photo or PDF a filer may upload (MAX_UPLOAD_MB), in megabytes. */
  maxUploadMb: number;
  /** Whom the server believes about a client's address, and which addresses are the court's own. */
  network: NetworkConfig;
  /** How much one client or conversation may ask of the server (src/http, Direct Line limits, the code guard). */
  limits: LimitsConfig;
  logLevel: string;
  /** The folders holding the interview specs and the complaint templates. */
  dialogsDir: string;
  templatesDir: string;
  /** The home-visit calendar (VISITS_CALENDAR), checked at start-up and edited by an admin. */
  visitsCalendar: string;
  /** The court's reference calendar in the repository, copied to visitsCalendar on first start. */
  visitsCalendarSeed: string;
  speech: SpeechSettingsConfig;
  kiosk: KioskConfig;
  /** The phone line (Twilio Programmable Voice, POST /api/phone/twilio). */
  phone: PhoneConfig;
}

/** Voice in and out: Azure Speech when a key or a container host is set, else espeak-ng offline. */
export interface SpeechSettingsConfig {
  key?: string;
  region?: string;
  /** An on-premises speech container, ws(s)://host:port. */
  host?: string;
  /** Azure voice names per locale. */
  voices: Localized;
  /** 'espeak' (default) speaks offline with espeak-ng when installed; 'off' leaves the voice to the browser. */
  offline: 'espeak' | 'off';
  /** Bound of the on-disk audio cache in DATA_DIR/speech-cache, in MB. */
  cacheMb: number;
}

export interface PhoneConfig {
  /** TWILIO_AUTH_TOKEN checks X-Twilio-Signature; unset, only requests from this machine are served. */
  twilioAuthToken?: string;
  /** CLERK_LINE: the number a caller asking for a person is put through to (<Dial>) in office hours. */
  clerkLine?: string;
  /** Twilio <Say> voices (TWILIO_VOICE_ZH, TWILIO_VOICE_EN). */
  voices: Localized;
  /** TWILIO_SPEECH_RATE: percent of the voice's normal speed; slower than normal suits elderly callers. */
  speechRate: number;
}

function phone(env: Env): PhoneConfig {
  const token = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
  const rawLine = env.CLERK_LINE?.trim() || undefined;
  // Spaces and dashes as people write numbers; what is dialled is digits with an optional +.
  const clerkLine = rawLine?.replace(/[\s()-]/g, '');
  if (clerkLine !== undefined && !/^\+?[0-9]{3,15}$/.test(clerkLine)) {
    throw new ConfigError(`CLERK_LINE must be a phone number such as +862212345678; it is "${rawLine}"`);
  }
  return {
    ...(token ? { twilioAuthToken: token } : {}),
    ...(clerkLine ? { clerkLine } : {}),
    voices: {
      'zh-CN': env.TWILIO_VOICE_ZH?.trim() || 'Polly.Zhiyu-Neural',
      'en-US': env.TWILIO_VOICE_EN?.trim() || 'Polly.Joanna-Neural',
    },
    speechRate: int(env, 'TWILIO_SPEECH_RATE', 90, 50, 150),
  };
}

export interface KioskConfig {
  /** Seconds without a touch before the kiosk asks "are you still there?", and again before it leaves. */
  idleSeconds: number;
  /** Seconds the resume code stays on screen after the kiosk leaves, before the start screen. */
  codeSeconds: number;
}

export class ConfigError extends Error {}

/** When clerks are on duty, in the court's time zone: ISO weekdays (1 = Monday) and minutes of the day. */
export interface OfficeSchedule {
  days: number[];
  startMinute: number;
  endMinute: number;
}

function officeSchedule(env: Env): OfficeSchedule {
  const daysRaw = env.OFFICE_DAYS || '1-5';
  const days = new Set<number>();
  for (const part of daysRaw.split(',')) {
    const range = /^\s*([1-7])\s*(?:-\s*([1-7]))?\s*$/.exec(part);
    if (!range) throw new ConfigError(`OFFICE_DAYS must list weekdays 1-7 (1 = Monday), like "1-5" or "1-5,7"; it is "${daysRaw}"`);
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    for (let d = from; d <= to; d += 1) days.add(d);
  }
  const timeRaw = env.OFFICE_TIME || '09:00-17:00';
  const time = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(timeRaw);
  const startMinute = time ? Number(time[1]) * 60 + Number(time[2]) : NaN;
  const endMinute = time ? Number(time[3]) * 60 + Number(time[4]) : NaN;
  if (!time || !(startMinute < endMinute) || endMinute > 24 * 60) {
    throw new ConfigError(`OFFICE_TIME must be like "09:00-17:00"; it is "${timeRaw}"`);
  }
  return { days: [...days].sort(), startMinute, endMinute };
}

/** Whether clerks are on duty now at the court. */
export function isOfficeOpen(schedule: OfficeSchedule, timeZone: string, now: Date = new Date()): boolean {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  const minute = Number(get('hour')) * 60 + Number(get('minute'));
  return schedule.days.includes(weekday) && minute >= schedule.startMinute && minute < schedule.endMinute;
}

export const MICROSOFT_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
export type MicrosoftAppType = (typeof MICROSOFT_APP_TYPES)[number];

/** The bot's Azure identity, under the environment names Azure's own templates use. */
export interface MicrosoftAppSettings {
  id?: string;
  password?: string;
  tenantId?: string;
  type: MicrosoftAppType;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}"`);
  }
  return value;
}

/**
 * MicrosoftAppId/Password/TenantId/Type, checked here so that a half-filled set stops start-up
 * instead of failing on the first reply (the SDK only notices when it asks for a token).
 */
function microsoftApp(env: Env): MicrosoftAppSettings {
  const id = env.MicrosoftAppId?.trim() || undefined;
  const password = env.MicrosoftAppPassword || undefined;
  const tenantId = env.MicrosoftAppTenantId?.trim() || undefined;
  const rawType = env.MicrosoftAppType?.trim() || 'MultiTenant';
  // Azure's templates and the SDK spell the managed identity type "UserAssignedMsi".
  const type = MICROSOFT_APP_TYPES.find((t) => t.toLowerCase() === rawType.toLowerCase());
  if (!type) {
    throw new ConfigError(`MicrosoftAppType must be ${MICROSOFT_APP_TYPES.join(', ')}; it is "${rawType}"`);
  }
  if (!id) {
    if (password || tenantId || type !== 'MultiTenant') {
      throw new ConfigError('MicrosoftAppId must be set when MicrosoftAppPassword, MicrosoftAppTenantId or a MicrosoftAppType other than MultiTenant is');
    }
    return { type };
  }
  if (type === 'UserAssignedMSI') {
    if (!tenantId) throw new ConfigError('MicrosoftAppType UserAssignedMSI needs MicrosoftAppTenantId');
    if (password) throw new ConfigError('MicrosoftAppPassword must not be set with MicrosoftAppType UserAssignedMSI');
    return { id, tenantId, type };
  }
  if (!password) throw new ConfigError(`MicrosoftAppType ${type} needs MicrosoftAppPassword`);
  if (type === 'SingleTenant') {
    if (!tenantId) throw new ConfigError('MicrosoftAppType SingleTenant needs MicrosoftAppTenantId');
    return { id, password, tenantId, type };
  }
  if (tenantId) {
    // A tenant with MultiTenant is ignored by the SDK; it almost always means SingleTenant was meant.
    throw new ConfigError('MicrosoftAppTenantId is only used with MicrosoftAppType SingleTenant or UserAssignedMSI; set MicrosoftAppType');
  }
  return { id, password, type };
}

function speech(env: Env): SpeechSettingsConfig {
  const key = env.SPEECH_KEY?.trim() || undefined;
  const region = env.SPEECH_REGION?.trim() || undefined;
  const host = env.SPEECH_HOST?.trim() || undefined;
  if (host) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw new ConfigError(`SPEECH_HOST must be a URL such as ws://localhost:5000; it is "${host}"`);
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
      throw new ConfigError(`SPEECH_HOST must be a ws://, wss://, http:// or https:// URL; it is "${host}"`);
    }
  } else if (key && !region) {
    throw new ConfigError('SPEECH_KEY needs SPEECH_REGION (for example eastasia), or set SPEECH_HOST for a speech container');
  } else if (region && !key) {
    throw new ConfigError('SPEECH_REGION needs SPEECH_KEY');
  }
  const offline = (env.SPEECH_OFFLINE?.trim() || 'espeak').toLowerCase();
  if (offline !== 'espeak' && offline !== 'off') throw new ConfigError(`SPEECH_OFFLINE must be espeak or off; it is "${env.SPEECH_OFFLINE}"`);
  return {
    ...(key ? { key } : {}),
    ...(region ? { region } : {}),
    ...(host ? { host } : {}),
    voices: {
      'zh-CN': env.SPEECH_VOICE_ZH?.trim() || 'zh-CN-XiaoxiaoNeural',
      'en-US': env.SPEECH_VOICE_EN?.trim() || 'en-US-JennyNeural',
    },
    offline,
    cacheMb: int(env, 'SPEECH_CACHE_MB', 200, 1, 100_000),
  };
}

/** DATA_KEY, and DATA_KEY_PREVIOUS as a comma-separated list; errors name the variable, never the value. */
function dataKeys(env: Env): DataKeys | undefined {
  const current = env.DATA_KEY?.trim();
  const previous = (env.DATA_KEY_PREVIOUS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (!current) {
    if (previous.length > 0) throw new ConfigError('DATA_KEY_PREVIOUS is set without DATA_KEY: set the new key as DATA_KEY');
    return undefined;
  }
  try {
    return new DataKeys(
      parseDataKey(current, 'DATA_KEY'),
      previous.map((k, i) => parseDataKey(k, previous.length > 1 ? `DATA_KEY_PREVIOUS (entry ${i + 1})` : 'DATA_KEY_PREVIOUS')),
    );
  } catch (error) {
    if (error instanceof DataKeyError) throw new ConfigError(error.message);
    throw error;
  }
}

export interface NetworkConfig {
  /**
   * TRUST_PROXY: which hops may say who the client is (X-Forwarded-For), as express's
   * "trust proxy" takes it: a number of hops, or addresses, ranges and the names loopback,
   * linklocal, uniquelocal. Per-address limits are only as good as this.
   */
  trustProxy: number | string[];
  /**
   * COURT_ADDRESSES: the court's own machines (the hall's kiosks, or the NAT they share), never
   * limited per address; this machine (loopback) unless set, "none" for no address at all.
   */
  courtAddresses: string[];
  /** CORS_ORIGINS: the court's websites on another origin, which may get Direct Line tokens for Web Chat. */
  corsOrigins: string[];
}

export interface LimitsConfig {
  /** MAX_BODY_KB: the largest activity (Direct Line, its token route, Azure) read, in bytes. */
  maxBodyBytes: number;
  /** Activities posted per minute: by one conversation, and by one client address over all its conversations. */
  messagesPerConversation: number;
  messagesPerAddress: number;
  /** Upload requests per minute, likewise. */
  uploadsPerConversation: number;
  uploadsPerAddress: number;
  /** New conversations (tokens from /api/directline/token) per address and minute. */
  tokensPerAddress: number;
  /** Wrong resume or visit codes allowed within codeWindowMinutes: per client address, and from everyone outside the court. */
  codeTriesPerAddress: number;
  codeTriesOverall: number;
  codeWindowMinutes: number;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((part) => part.trim()).filter(Boolean);
}

/** An address or a CIDR range, as BlockList takes them; undefined when it is neither. */
export function addressRange(entry: string): { address: string; prefix?: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family };
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function network(env: Env): NetworkConfig {
  const rawProxy = env.TRUST_PROXY?.trim() || 'loopback';
  let trustProxy: number | string[];
  if (/^\d+$/.test(rawProxy)) {
    trustProxy = int(env, 'TRUST_PROXY', 0, 0, 10);
  } else if (rawProxy === 'none') {
    trustProxy = [];
  } else {
    trustProxy = list(rawProxy);
    const wrong = trustProxy.find((entry) => !PROXY_NAMES.has(entry) && !addressRange(entry));
    if (wrong !== undefined) {
      throw new ConfigError(`TRUST_PROXY must be a number of hops, "none", or addresses, ranges (10.0.0.0/8) and loopback, linklocal, uniquelocal; "${wrong}" is none of these`);
    }
  }
  // Loopback is this machine: an operator's chat, a health check, the benchmark. A proxy on it
  // that passes X-Forwarded-For (TRUST_PROXY) shows the real client instead.
  const rawCourt = env.COURT_ADDRESSES?.trim() || '127.0.0.0/8,::1';
  const courtAddresses = rawCourt === 'none' ? [] : list(rawCourt);
  const check = new BlockList();
  for (const entry of courtAddresses) {
    const range = addressRange(entry);
    if (!range) throw new ConfigError(`COURT_ADDRESSES must list addresses or ranges such as 10.8.0.0/16; "${entry}" is neither`);
    if (range.prefix === undefined) check.addAddress(range.address, range.family);
    else check.addSubnet(range.address, range.prefix, range.family);
  }
  const corsOrigins = list(env.CORS_ORIGINS).map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    // An origin is scheme, host and port only: a path or a trailing slash would never match a browser's Origin header.
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry) {
      throw new ConfigError(`CORS_ORIGINS must list origins such as https://www.court.example (no path, no trailing slash); "${entry}" is not one`);
    }
    return url.origin;
  });
  return { trustProxy, courtAddresses, corsOrigins };
}

function limits(env: Env): LimitsConfig {
  return {
    maxBodyBytes: int(env, 'MAX_BODY_KB', 256, 16, 10_240) * 1024,
    messagesPerConversation: int(env, 'LIMIT_MESSAGES_CONVERSATION', 120, 10, 100_000),
    messagesPerAddress: int(env, 'LIMIT_MESSAGES_ADDRESS', 300, 10, 1_000_000),
    uploadsPerConversation: int(env, 'LIMIT_UPLOADS_CONVERSATION', 10, 1, 10_000),
    uploadsPerAddress: int(env, 'LIMIT_UPLOADS_ADDRESS', 30, 1, 100_000),
    tokensPerAddress: int(env, 'LIMIT_TOKENS_ADDRESS', 20, 1, 100_000),
    codeTriesPerAddress: int(env, 'CODE_TRIES_ADDRESS', 10, 1, 1000),
    codeTriesOverall: int(env, 'CODE_TRIES_ALL', 100, 1, 100_000),
    codeWindowMinutes: int(env, 'CODE_TRIES_WINDOW_MINUTES', 60, 1, 1440),
  };
}

function timeZone(env: Env): string {
  const zone = env.COURT_TIMEZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(`COURT_TIMEZONE "${zone}" is not a time zone this Node.js knows`);
  }
  return zone;
}

export function loadConfig(env: Env = process.env, projectRoot = process.cwd()): Config {
  const port = int(env, 'PORT', 3978, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL; it is "${env.PUBLIC_URL}"`);
  }
  const secret = env.DIRECT_LINE_SECRET || undefined;
  if (secret !== undefined && secret.length < 16) {
    throw new ConfigError('DIRECT_LINE_SECRET must be at least 16 characters long');
  }
  const keys = dataKeys(env);
  return {
    port,
    host,
    dataDir: path.resolve(projectRoot, env.DATA_DIR || 'data'),
    ...(keys ? { dataKeys: keys } : {}),
    publicUrl,
    directLine: { secret, tokenTtlSeconds: int(env, 'DIRECT_LINE_TOKEN_TTL', 1800, 60, 86_400) },
    microsoftApp: microsoftApp(env),
    court: {
      name: env.COURT_NAME || '人民法院',
      nameEn: env.COURT_NAME_EN || "People's Court",
      timeZone: timeZone(env),
    },
    clerk: {
      // 12368 is the national court litigation service hotline.
      phone: env.CLERK_PHONE || '12368',
      hours: {
        'zh-CN': env.OFFICE_HOURS_ZH || '工作日上午9点到下午5点',
        'en-US': env.OFFICE_HOURS_EN || 'weekdays, 9 a.m. to 5 p.m.',
      },
      schedule: officeSchedule(env),
    },
    documentLinkDays: int(env, 'DOCUMENT_LINK_DAYS', 30, 1, 3650),
    retention: {
      draftDays: int(env, 'RETENTION_DRAFT_DAYS', 30, 1, 3650),
      archivedDays: int(env, 'RETENTION_ARCHIVED_DAYS', 365, 1, 36_500),
    },
    // Art. 13: divorce 50-300 yuan, other non-property cases 50-100; the top of each range
    // by default, so an estimate never promises less than the province may ask.
    fees: { divorceFee: int(env, 'DIVORCE_FEE', 300, 50, 300), nonPropertyFee: int(env, 'NON_PROPERTY_FEE', 100, 50, 100) },
    staff: {
      sessionIdleMinutes: int(env, 'CLERK_SESSION_IDLE_MINUTES', 480, 5, 1440),
      sessionMaxHours: int(env, 'CLERK_SESSION_MAX_HOURS', 12, 1, 72),
      loginAttempts: int(env, 'CLERK_LOGIN_ATTEMPTS', 5, 1, 100),
      loginWindowMinutes: int(env, 'CLERK_LOGIN_WINDOW_MINUTES', 15, 1, 1440),
    },
    maxMessageLength: int(env, 'MAX_MESSAGE_LENGTH', 5000, 100, 100_000),
    maxUploadMb: int(env, 'MAX_UPLOAD_MB', 10, 1, 100),
    network: network(env),
    limits: limits(env),
    logLevel: env.LOG_LEVEL || 'info',
    dialogsDir: path.resolve(projectRoot, env.DIALOGS_DIR || 'dialogs'),
    templatesDir: path.resolve(projectRoot, env.TEMPLATES_DIR || 'templates'),
    // The live calendar sits with the other runtime data, so an admin's edits never change
    // a file under version control; the committed reference seeds it on first start.
    visitsCalendar: path.resolve(projectRoot, env.VISITS_CALENDAR || path.join(env.DATA_DIR || 'data', 'visits-calendar.json')),
    visitsCalendarSeed: path.resolve(projectRoot, 'data/reference/visits.json'),
    speech: speech(env),
    kiosk: {
      idleSeconds: int(env, 'KIOSK_IDLE_SECONDS', 90, 10, 3600),
      codeSeconds: int(env, 'KIOSK_CODE_SECONDS', 30, 5, 600),
    },
    phone: phone(env),
  };
}

/** Today's date in the court's time zone, 'YYYY-MM-DD'. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  let format = DAY_FORMATS.get(timeZone);
  if (!format) {
    // Building a formatter costs more than using one, and every turn asks for today.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    DAY_FORMATS.set(timeZone, format);
  }
  return format.format(now);
}

const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();
