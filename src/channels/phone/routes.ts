import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import twilio from 'twilio';
import { isLoopbackAddress } from '../azure/loopback.js';
import { PhoneLineClosedError, type PhoneLogger } from './adapter.js';
import type { PhoneLine, TwilioParams } from './line.js';

export interface PhoneRouteOptions {
  line: PhoneLine;
  /** TWILIO_AUTH_TOKEN; without it only requests from this machine are served. */
  authToken?: string;
  /** PUBLIC_URL: Twilio signs the URL it called, which is this plus the request's path and query. */
  publicUrl(): string;
  log: PhoneLogger;
}

/** Twilio's CallSid: "CA" and 32 hex digits; anything of that shape keeps bot storage keys clean. */
const CALL_SID = /^[A-Za-z0-9]{10,64}$/;

function refuse(res: Response, status: number, message: string): void {
  res.status(status).type('text/plain').send(message);
}

/**
 * The number's webhooks, mounted at /api/phone/twilio:
 * - POST /        the voice URL: a call comes in
 * - POST /gather  a question's answer (the <Gather> action)
 * - POST /dial    the end of a transfer to the clerk line (the <Dial> action)
 * - POST /end     after the finished complaint: hear the number again, or goodbye
 * - POST /status  the call status callback (frees the call's memory)
 * - GET  /audio/:token  synthesized replies for <Play> (unguessable, short-lived)
 */
export function phoneRoutes(options: PhoneRouteOptions): Router {
  const { line, authToken, log } = options;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 });

  const checked: RequestHandler = (req, res, next) => {
    if (authToken) {
      const signature = req.get('x-twilio-signature') ?? '';
      const url = `${options.publicUrl()}${req.originalUrl}`;
      const params = (req.body ?? {}) as Record<string, unknown>;
      if (!signature || !twilio.validateRequest(authToken, signature, url, params)) {
        log.warn({ path: req.path }, 'phone request refused: missing or wrong X-Twilio-Signature');
        refuse(res, 403, 'This request does not carry a valid Twilio signature.');
        return;
      }
    } else if (!isLoopbackAddress(req.ip ?? req.socket.remoteAddress)) {
      log.warn({ path: req.path }, 'phone request refused: TWILIO_AUTH_TOKEN is not set and the caller is not this machine');
      refuse(res, 403, 'TWILIO_AUTH_TOKEN is not set: the phone line only serves requests from this machine.');
      return;
    }
    next();
  };

  const twiml = (handler: (params: TwilioParams, sid: string, req: Request) => Promise<string>): RequestHandler => async (req, res) => {
    const params = (req.body ?? {}) as TwilioParams;
    const sid = params.CallSid;
    if (typeof sid !== 'string' || !CALL_SID.test(sid)) {
      refuse(res, 400, 'CallSid is missing or malformed.');
      return;
    }
    try {
      const xml = await handler(params, sid, req);
      res.status(200).type('text/xml').send(xml);
    } catch (error) {
      if (error instanceof PhoneLineClosedError) {
        res.setHeader('Retry-After', '5');
        refuse(res, 503, 'The assistant is restarting.');
        return;
      }
      // Ids and the error's name only: messages may quote what the caller said.
      log.error({ call: sid, path: req.path, err: (error as Error)?.name ?? typeof error }, 'phone webhook failed');
      try {
        res.status(200).type('text/xml').send(await line.apology(sid));
      } catch {
        if (!res.headersSent) refuse(res, 500, 'The request could not be processed.');
      }
    }
  };

  const seqOf = (req: Request): string | undefined => (typeof req.query.q === 'string' ? req.query.q : undefined);

  router.post('/', form, checked, twiml((p, sid) => line.incoming(p, sid)));
  router.post('/gather', form, checked, twiml((p, sid, req) => line.gather(p, sid, seqOf(req))));
  router.post('/dial', form, checked, twiml((p, sid) => line.dialed(p, sid)));
  router.post('/end', form, checked, twiml((p, sid) => line.ended(p, sid)));
  router.post('/status', form, checked, twiml(async (p, sid) => {
    line.status(p, sid);
    return new twilio.twiml.VoiceResponse().toString();
  }));
  router.get('/audio/:token', (req, res) => {
    const clip = line.clips.get(String(req.params.token));
    if (!clip) {
      refuse(res, 404, 'Not found.');
      return;
    }
    res.set({ 'Content-Type': clip.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.send(clip.audio);
  });
  // A form Twilio could not send, or one too large: the caller's mistake, never a 5xx Twilio retries.
  router.use((error: unknown, _req: Request, res: Response, next: (error?: unknown) => void) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if ((error as { type?: unknown } | undefined)?.type === 'entity.too.large') {
      refuse(res, 413, 'The request body is larger than a Twilio webhook ever sends.');
      return;
    }
    refuse(res, 400, 'The request body could not be read.');
  });
  return router;
}
