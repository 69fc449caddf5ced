import { AsyncLocalStorage } from 'node:async_hooks';
import { BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import { apologyActivity } from '../apology.js';
import type { Call, CallRegistry } from './calls.js';

export type BotLogic = (context: TurnContext) => Promise<void>;

/** pino-like; the phone line logs call ids and error names, never what a caller said or their number. */
export interface PhoneLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The channel id of phone conversations (the clerk queue knows it as one of its own channels). */
export const PHONE_CHANNEL_ID = 'twilio-voice';
export const PHONE_BOT = Object.freeze({ id: 'bot', role: 'bot' });

/** The caller's account: the call, not the number, so no phone number ends up in bot state keys. */
export function callerAccount(sid: string): { id: string; role: 'user' } {
  return { id: `caller-${sid}`, role: 'user' };
}

export class PhoneCallEndedError extends Error {
  constructor() {
    super('the phone call has ended');
    this.name = 'PhoneCallEndedError';
  }
}

export class PhoneLineClosedError extends Error {
  constructor() {
    super('the phone line is shutting down');
    this.name = 'PhoneLineClosedError';
  }
}

/**
 * The Bot Framework adapter of the phone line. A webhook request runs a turn; the bot's
 * replies collect in the call's outbox, and the route turns them into TwiML for the answer.
 * Messages sent between requests (a clerk's words, proactive turns) wait in the outbox for
 * the caller's next request. Turns and answers of one call run one at a time.
 */
export class PhoneAdapter extends BotAdapter {
  private readonly within = new AsyncLocalStorage<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly calls: CallRegistry, private readonly log: PhoneLogger) {
    super();
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const call = this.calls.get(context.activity.conversation?.id ?? '');
    if (!call) throw new PhoneCallEndedError();
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      // A pause or a typing signal means nothing on a line where the caller hears each reply
      // only once the turn is over; holding the webhook would only risk Twilio's timeout.
      if (activity.type === 'delay' || activity.type === 'typing' || activity.type === 'trace' || activity.type === 'invokeResponse') {
        responses.push({ id: '' });
        continue;
      }
      call.outbox.push(JSON.parse(JSON.stringify(activity)) as Partial<Activity>);
      responses.push({ id: `${call.sid}-${call.outbox.length}-${call.inputs}` });
    }
    return responses;
  }

  override async updateActivity(): Promise<ResourceResponse | void> {
    throw new Error('a phone call cannot take back what was said');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('a phone call cannot take back what was said');
  }

  /**
   * Runs proactive logic (a clerk's message, the bot taking over again) as a turn of that
   * call, queued behind the caller's own. Rejects with PhoneCallEndedError once the call is over.
   */
  override async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const call = this.calls.get(reference.conversation?.id ?? '');
    if (!call) throw new PhoneCallEndedError();
    await this.exclusive(call, async () => {
      const request = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
      request.channelId = PHONE_CHANNEL_ID;
      request.conversation = { ...reference.conversation, id: call.sid } as Activity['conversation'];
      request.from = callerAccount(call.sid) as Activity['from'];
      request.recipient = { ...PHONE_BOT } as Activity['recipient'];
      request.locale = call.locale;
      await this.calls.beginTurn(call);
      try {
        await this.runMiddleware(new TurnContext(this, request), logic);
      } finally {
        this.calls.endTurn(call);
      }
      // Nobody is on the line to take this answer: what the bot said waits in the stored outbox.
      await this.calls.save(call);
    });
  }

  override async continueConversationAsync(
    _botAppIdOrClaimsIdentity: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: ((context: TurnContext) => Promise<void>) | string,
    maybeLogic?: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new TypeError('continueConversationAsync needs a logic function.');
    await this.continueConversation(reference, logic);
  }

  /**
   * Runs one turn of the call. A failed turn leaves an apology in the outbox rather than silence.
   * The call is stored as in a turn before the bot acts; the webhook's answer stores its end.
   */
  async run(call: Call, activity: Partial<Activity>, bot: BotLogic): Promise<void> {
    await this.calls.beginTurn(call);
    try {
      await this.runMiddleware(new TurnContext(this, activity), bot);
    } catch (error) {
      this.log.error({ call: call.sid, activityType: activity.type, err: (error as Error)?.name ?? typeof error }, 'phone turn failed');
      call.outbox.push(apologyActivity(activity.locale, { voiceOnly: true }));
    } finally {
      this.calls.endTurn(call);
    }
  }

  /**
   * Queues `fn` behind the call's earlier work. Called from inside work of the same call (the
   * bot reaching its own conversation proactively), it runs at once instead of waiting for itself.
   */
  exclusive<T>(call: Call, fn: () => Promise<T>): Promise<T> {
    if (this.within.getStore() === call.sid) return fn();
    if (this.closing) return Promise.reject(new PhoneLineClosedError());
    const result = call.tail.then(() => this.within.run(call.sid, fn));
    const settled = result.then(noop, noop);
    call.tail = settled;
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return result;
  }

  /** Stops taking work and waits for what is queued or running. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

function noop(): void {}
