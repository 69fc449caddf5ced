import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import { ComplaintBot } from './bot/bot.js';
import type { BotServices } from './bot/services.js';
import { todayIn, type Config } from './config.js';
import { createDirectLine, type DirectLine } from './channels/directline/index.js';
import { createDocumentRenderer, documentRoutes, newDocumentToken } from './documents/index.js';
import { createAnswerFormatter } from './interview/format.js';
import { loadSpecs } from './interview/spec.js';
import type { Logger } from './log.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface App {
  app: express.Express;
  store: Store;
  directLine: DirectLine;
  /** Finishes turns in flight and flushes the store. */
  close(): Promise<void>;
}

const TOKEN_KEY_FILE = 'directline.key';

/**
 * The key that signs Direct Line tokens: derived from DIRECT_LINE_SECRET when set, else a
 * random key kept in DATA_DIR (readable by the server's user only) so tokens survive a restart.
 */
async function tokenKey(config: Config): Promise<Uint8Array> {
  if (config.directLine.secret) {
    const { createHash } = await import('node:crypto');
    return createHash('sha256').update(`directline-token-key:${config.directLine.secret}`).digest();
  }
  const file = path.join(config.dataDir, TOKEN_KEY_FILE);
  try {
    const stored = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (stored.length >= 32) return stored;
    throw new Error(`${file} holds a key shorter than 32 bytes; delete it to make a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return key;
}

/** The composition root: config → store → specs → documents → bot → channels → HTTP. */
export async function createApp(config: Config, log: Logger): Promise<App> {
  const specs = loadSpecs(config.dialogsDir);
  const format = createAnswerFormatter(specs);
  const renderer = createDocumentRenderer({ templatesDir: config.templatesDir, format, caseTypes: specs.cases.map((c) => c.template) });
  const store = await openStore(config.dataDir);
  const today = () => todayIn(config.court.timeZone);

  const services: BotServices = {
    complaints: store.complaints,
    files: store.files,
    specs,
    cases: new Map(specs.cases.map((c) => [c.caseType, c])),
    today,
    clerk: config.clerk,
    async finishComplaint(complaintId) {
      const now = new Date();
      const record = await store.complaints.update(complaintId, (r) => {
        r.status = 'finished';
        r.finishedAt = now.toISOString();
        r.documentToken ??= newDocumentToken();
        r.documentExpiresAt = new Date(now.getTime() + config.documentLinkDays * 86_400_000).toISOString();
      });
      return { record, documentUrl: `${config.publicUrl}/documents/${record.documentToken}/complaint.html` };
    },
  };
  const bot = new ComplaintBot(store.botStorage, services, log);
  const directLine = createDirectLine({
    secret: config.directLine.secret,
    tokenKey: await tokenKey(config),
    tokenTtlSeconds: config.directLine.tokenTtlSeconds,
    maxTextLength: config.maxMessageLength,
    bot: (context) => bot.run(context),
    log,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/v3/directline', directLine.router);
  app.use('/api', directLine.tokenRoute);
  app.use(documentRoutes({
    complaints: store.complaints,
    renderer,
    courtName: config.court.name,
    courtNameEn: config.court.nameEn,
    today,
    format,
  }));

  return {
    app,
    store,
    directLine,
    async close() {
      await directLine.close();
      await store.close();
    },
  };
}

export function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
