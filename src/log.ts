import { pino, type Logger } from 'pino';

/**
 * Field names that may carry a filer's personal data anywhere in a log object. The bot
 * logs ids and error names, not answers; this is the net under that rule.
 */
const PERSONAL_PATHS = [
  'text', 'speak', 'answers', 'value', 'utterance', 'name', 'idNumber', 'phone', 'address', 'password', 'token', 'authorization',
  '*.text', '*.speak', '*.answers', '*.value', '*.utterance', '*.name', '*.idNumber', '*.phone', '*.address', '*.password', '*.token', '*.authorization',
  'req.headers.authorization', 'req.headers.cookie',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: PERSONAL_PATHS, censor: '[redacted]' }, base: undefined });
}

export type { Logger };
