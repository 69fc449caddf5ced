import path from 'node:path';
import type { Localized } from './i18n.js';

/**
 * Every environment variable the assistant reads, parsed and checked here and nowhere
 * else. A wrong value stops start-up with a message naming the variable.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Base of links handed to filers (document URLs); defaults to the listening address. */
  publicUrl: string;
  directLine: { secret?: string; tokenTtlSeconds: number };
  court: { name: string; nameEn: string; timeZone: string };
  clerk: { phone: string; hours: Localized };
  documentLinkDays: number;
  maxMessageLength: number;
  logLevel: string;
  /** The folders holding the interview specs and the complaint templates. */
  dialogsDir: string;
  templatesDir: string;
}

export class ConfigError extends Error {}

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
  return {
    port,
    host,
    dataDir: path.resolve(projectRoot, env.DATA_DIR || 'data'),
    publicUrl,
    directLine: { secret, tokenTtlSeconds: int(env, 'DIRECT_LINE_TOKEN_TTL', 1800, 60, 86_400) },
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
    },
    documentLinkDays: int(env, 'DOCUMENT_LINK_DAYS', 30, 1, 3650),
    maxMessageLength: int(env, 'MAX_MESSAGE_LENGTH', 5000, 100, 100_000),
    logLevel: env.LOG_LEVEL || 'info',
    dialogsDir: path.resolve(projectRoot, env.DIALOGS_DIR || 'dialogs'),
    templatesDir: path.resolve(projectRoot, env.TEMPLATES_DIR || 'templates'),
  };
}

/** Today's date in the court's time zone, 'YYYY-MM-DD'. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
