import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import { ComplaintBot } from './bot/bot.js';
import { HandoffDesk, handoffWords } from './bot/handoff-desk.js';
import { PersistentHandoffService } from './handoff/index.js';
import type { BotServices } from './bot/services.js';
import { isOfficeOpen, todayIn, type Config } from './config.js';
import { CONVERSATIONS_COLLECTION, CONVERSATIONS_FILE, createDirectLine, type DirectLine } from './channels/directline/index.js';
import { createAzureChannel, type AzureChannel } from './channels/azure/index.js';
import { CALLS_COLLECTION, CALLS_FILE, createPhoneChannel, PHONE_BASE_PATH, PHONE_CHANNEL_ID, type PhoneChannel } from './channels/phone/index.js';
import {
  buildDocumentModel, CJK_FONT_PACKAGE, createDocumentRenderer, createPdfRenderer, documentRoutes, hasReliefApplication, newDocumentToken, RELIEF_DOCUMENT,
} from './documents/index.js';
import { createClerk, SESSIONS_COLLECTION, SESSIONS_FILE } from './clerk/index.js';
import { createAnswerFormatter } from './interview/format.js';
import { loadSpecs } from './interview/spec.js';
import { CodeGuard } from './bot/code-guard.js';
import { LIMIT_TEXT_KEYS } from './bot/limit-texts.js';
import { finalErrorHandler } from './http/errors.js';
import { securityHeaders } from './http/headers.js';
import { CourtNetwork } from './http/network.js';
import type { Logger } from './log.js';
import { normalizeLocale } from './i18n.js';
import { openStore } from './store/index.js';
import { AesGcmCipher } from './store/cipher.js';
import { markServerRunning } from './store/running.js';
import type { Store } from './store/types.js';
import { createWebChatRoutes } from './web/index.js';
import { createSpeechService, speechRoutes, type CompositeSpeechService } from './speech/index.js';
import { kioskAssetsDir, kioskRoutes } from './web/kiosk/index.js';
import { VisitService } from './visits/service.js';
import { VISIT_TEXT_KEYS } from './visits/messages.js';
import { RetentionService } from './retention/index.js';

export interface App {
  app: express.Express;
  store: Store;
  directLine: DirectLine;
  azure: AzureChannel;
  /** The phone line (Twilio webhooks at /api/phone/twilio). */
  phone: PhoneChannel;
  handoff: PersistentHandoffService;
  /** Voice out (Azure, espeak-ng, cached) and in (Azure); the kiosk uses it over /api/speech. */
  speech: CompositeSpeechService;
  /** Home visits (上门立案): calendar and bookings. */
  visits: VisitService;
  /** Purges abandoned drafts and archived complaints (RETENTION_*_DAYS), at start-up and hourly. */
  retention: RetentionService;
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
  const specs = loadSpecs(config.dialogsDir, { requiredTexts: { visits: VISIT_TEXT_KEYS, limits: LIMIT_TEXT_KEYS } });
  const network = new CourtNetwork(config.network);
  const { limits } = config;
  const format = createAnswerFormatter(specs);
  const renderer = createDocumentRenderer({
    templatesDir: config.templatesDir, format, caseTypes: specs.cases.map((c) => c.template), documents: [RELIEF_DOCUMENT],
  });
  // Without a CJK font a PDF would print empty boxes: run on, serve HTML and text, and say which package is missing.
  const pdf = await createPdfRenderer();
  if (!pdf) log.warn({ package: CJK_FONT_PACKAGE }, `no CJK font found: PDF documents are off until the Debian package ${CJK_FONT_PACKAGE} is installed`);
  // With DATA_KEY every record, upload and cached read-back is sealed (AES-256-GCM) at rest.
  const cipher = config.dataKeys ? new AesGcmCipher(config.dataKeys) : undefined;
  // Tells `npm run data-key -- rotate` that this folder is in use.
  const unmarkRunning = await markServerRunning(config.dataDir);
  const store = await openStore(config.dataDir, {
    ...(cipher ? { cipher } : {}),
    // Nothing is lost (the journal keeps the records and retries), but a disk that refuses
    // the record files needs someone's attention.
    onBackgroundError: (error) => log.error({ err: error }, 'store: the journal could not be written out to the record files; it is kept and retried'),
  });
  const today = () => todayIn(config.court.timeZone);
  let visits: VisitService;
  try {
    await copyFile(config.visitsCalendarSeed, config.visitsCalendar, fsConstants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    // A bad calendar stops start-up with the file and the problem, like a bad spec.
    visits = await VisitService.open({
      store, calendarFile: config.visitsCalendar, timeZone: config.court.timeZone, today, complaints: store.complaints,
    });
  } catch (error) {
    await Promise.all([store.close(), pdf?.close()]);
    throw error;
  }
  const { key: speechKey, region: speechRegion, host: speechHost, voices, offline, cacheMb } = config.speech;
  const speech = await createSpeechService({
    ...(speechKey || speechHost ? { azure: { key: speechKey, region: speechRegion, host: speechHost, voices } } : {}),
    offline,
    cacheBytes: cacheMb * 1024 * 1024,
    ...(cipher ? { cacheSealing: { cipher, nameKey: cipher.deriveKey('speech cache names') } } : {}),
  }, config.dataDir, log);

  // The queue reaches filers through their channel's adapter and hands them back to the
  // bot; both exist only further down, so the service looks them up when it acts.
  let directLine: DirectLine | undefined;
  let phone: PhoneChannel | undefined;
  let bot: ComplaintBot | undefined;
  const handoff = await PersistentHandoffService.open(store, {
    complaints: store.complaints,
    words: handoffWords(specs.messages),
    async deliver(record, activity) {
      // A caller hears the clerk's words at their next answer; one who hung up is not reachable.
      if (record.channelId === PHONE_CHANNEL_ID && phone) {
        await phone.deliver(record.reference, activity);
        return;
      }
      if (record.channelId !== 'directline' || !directLine) {
        log.warn({ handoff: record.id, channel: record.channelId }, 'no way to reach this filer from the clerk console');
        return;
      }
      await directLine.adapter.continueConversation(record.reference, async (context) => {
        await context.sendActivity(activity);
      });
    },
    async returnToBot(record, field) {
      if (record.channelId === PHONE_CHANNEL_ID && phone && bot) {
        const phoneBot = bot;
        await phone.continueCall(record.reference, (context) => phoneBot.returnFromClerk(context, record.locale, field));
        return;
      }
      if (record.channelId !== 'directline' || !directLine || !bot) return;
      const theBot = bot;
      await directLine.adapter.continueConversation(record.reference, (context) => theBot.returnFromClerk(context, record.locale, field));
    },
  });
  const services: BotServices = {
    complaints: store.complaints,
    files: store.files,
    specs,
    cases: new Map(specs.cases.map((c) => [c.caseType, c])),
    today,
    clerk: config.clerk,
    fees: config.fees,
    visits,
    codeGuard: new CodeGuard({
      triesPerClient: limits.codeTriesPerAddress,
      triesOverall: limits.codeTriesOverall,
      windowMs: limits.codeWindowMinutes * 60_000,
      // Who tried stays out of the log; that someone did is for the operators to see.
      onLockout: (scope) => log.warn({ scope }, 'too many wrong resume or visit codes: further codes are refused for a while'),
    }),
    handoff: new HandoffDesk({
      service: handoff,
      complaints: store.complaints,
      messages: specs.messages,
      clerk: config.clerk,
      today,
      officeOpen: () => isOfficeOpen(config.clerk.schedule, config.court.timeZone),
    }),
    async finishComplaint(complaintId) {
      const now = new Date();
      const record = await store.complaints.update(complaintId, (r) => {
        r.status = 'finished';
        r.finishedAt = now.toISOString();
        r.documentToken ??= newDocumentToken();
        r.documentExpiresAt = new Date(now.getTime() + config.documentLinkDays * 86_400_000).toISOString();
      });
      const base = `${config.publicUrl}/documents/${record.documentToken}`;
      return {
        record,
        documentUrl: `${base}/complaint.html`,
        ...(pdf ? { pdfUrl: `${base}/complaint.pdf` } : {}),
        ...(hasReliefApplication(record) ? { reliefUrl: `${base}/${RELIEF_DOCUMENT}.html` } : {}),
      };
    },
  };
  bot = new ComplaintBot(store.botStorage, services, log);
  const theBot = bot;
  directLine = createDirectLine({
    secret: config.directLine.secret,
    tokenKey: await tokenKey(config),
    tokenTtlSeconds: config.directLine.tokenTtlSeconds,
    maxTextLength: config.maxMessageLength,
    bot: (context) => theBot.run(context),
    log,
    files: store.files,
    maxUploadBytes: config.maxUploadMb * 1024 * 1024,
    maxBodyBytes: limits.maxBodyBytes,
    network,
    tokenOrigins: config.network.corsOrigins,
    tokenRateLimit: { limit: limits.tokensPerAddress },
    rateLimits: {
      messages: { perConversation: limits.messagesPerConversation, perAddress: limits.messagesPerAddress },
      uploads: { perConversation: limits.uploadsPerConversation, perAddress: limits.uploadsPerAddress },
    },
    conversations: await store.openCollection(CONVERSATIONS_FILE, CONVERSATIONS_COLLECTION),
    // After a crash cut a turn off, the bot says its current question again (see README).
    resume: (context) => theBot.returnFromClerk(context, normalizeLocale(context.activity.locale)),
  });
  const azure = createAzureChannel({
    credentials: config.microsoftApp,
    bot: (context) => theBot.run(context),
    maxTextLength: config.maxMessageLength,
    maxBodyBytes: limits.maxBodyBytes,
    messagesPerConversation: limits.messagesPerConversation,
    log,
    telephony: {
      voices: config.speech.voices,
      messages: specs.messages,
      ...(config.phone.clerkLine ? { clerkLine: config.phone.clerkLine } : {}),
      officeOpen: () => isOfficeOpen(config.clerk.schedule, config.court.timeZone),
    },
  });
  phone = createPhoneChannel({
    bot: (context) => theBot.run(context),
    messages: specs.messages,
    complaints: store.complaints,
    handoffs: handoff,
    officeOpen: () => isOfficeOpen(config.clerk.schedule, config.court.timeZone),
    today,
    ...(config.phone.clerkLine ? { clerkLine: config.phone.clerkLine } : {}),
    ...(config.phone.twilioAuthToken ? { authToken: config.phone.twilioAuthToken } : {}),
    courtName: { 'zh-CN': config.court.name, 'en-US': config.court.nameEn },
    voices: config.phone.voices,
    speechRate: config.phone.speechRate,
    publicUrl: () => config.publicUrl,
    speech,
    log,
    calls: await store.openCollection(CALLS_FILE, CALLS_COLLECTION),
    resume: (context) => theBot.returnFromClerk(context, normalizeLocale(context.activity.locale)),
  });
  const ph = phone;

  const clerk = createClerk({
    store,
    specs,
    handoffs: handoff,
    today,
    finishComplaint: (id) => services.finishComplaint(id),
    renderDocument: (record) => renderer.render(buildDocumentModel(record, { courtName: config.court.name, courtNameEn: config.court.nameEn, today: today(), format }), 'html'),
    config,
    log,
    visits,
    sessions: await store.openCollection(SESSIONS_FILE, SESSIONS_COLLECTION),
  });

  const retention = new RetentionService({
    complaints: store.complaints,
    files: store.files,
    audit: store.audit,
    handoffs: handoff,
    visits,
    conversations: store.botStorage,
    forgetDeleted: () => store.forgetDeleted(),
    policy: config.retention,
    log,
  });
  retention.start();

  const dl = directLine;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.network.trustProxy);
  app.use(securityHeaders({ https: config.publicUrl.startsWith('https:') }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/v3/directline', dl.router);
  app.use('/api/messages', azure.router);
  app.use(PHONE_BASE_PATH, ph.router);
  app.use('/api', dl.tokenRoute);
  const speechHttp = speechRoutes(speech, { log, skipLimits: network.isCourtRequest });
  app.use('/api', speechHttp.router);
  const kiosk = kioskRoutes({
    specs, speech, idleSeconds: config.kiosk.idleSeconds, codeSeconds: config.kiosk.codeSeconds, assetsDir: kioskAssetsDir(),
  });
  app.use('/kiosk', kiosk.page);
  app.use('/api', kiosk.api);
  app.use('/api/clerk', clerk.api);
  app.use('/clerk', clerk.console);
  app.use(createWebChatRoutes({ clerkPhone: config.clerk.phone, log }));
  app.use(documentRoutes({
    complaints: store.complaints,
    renderer,
    courtName: config.court.name,
    courtNameEn: config.court.nameEn,
    today,
    format,
    pdf,
  }));
  app.use(finalErrorHandler(log));

  return {
    app,
    store,
    directLine: dl,
    azure,
    phone: ph,
    handoff,
    speech,
    visits,
    retention,
    async close() {
      clerk.close();
      await retention.stop();
      // Channels first: their turns in flight may still speak and write.
      await Promise.all([dl.close(), azure.close(), ph.close()]);
      await speechHttp.close();
      await speech.close();
      await Promise.all([handoff.close(), visits.close(), store.close(), pdf?.close()]);
      await unmarkRunning();
    },
  };
}

export function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
