import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BotAdapter,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { type Conversation, type ConversationRegistry, type WireActivity } from './conversations.js';
import { DirectLineClosedError, UnknownConversationError, describeError } from './errors.js';
import { apologyActivity } from './messages.js';

export type BotLogic = (context: TurnContext) => Promise<void>;

/** pino-like; the adapter only ever logs ids and errors, never what a filer said. */
export interface DirectLineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const CHANNEL_ID = 'directline';
export const BOT_ACCOUNT = Object.freeze({ id: 'bot', role: 'bot' });

/** botbuilder types `name` as required; on the wire an unnamed account simply has none. */
function account(id: string, role: 'bot' | 'user', name?: string): ChannelAccount {
  return { id, role, ...(name !== undefined ? { name } : {}) } as ChannelAccount;
}

// A bot asking for a longer pause than this is a bug; the filer's request would hang.
const MAX_DELAY_MS = 10_000;
/** Web Chat shows a typing indicator for about 5 s after each one; 2 s keeps it on through a long turn. */
export const DEFAULT_TYPING_INTERVAL_MS = 2000;

export interface DirectLineAdapterOptions {
  /** How often the bot's typing is renewed while it works on a filer's message. */
  typingIntervalMs?: number;
}

interface Hold {
  readonly conversationId: string;
  active: boolean;
}

/**
 * The Bot Framework adapter behind the self-hosted Direct Line: bot replies go into the
 * conversation's activity log, from which clients poll. Turns of one conversation run one at
 * a time in arrival order; turns of different conversations run side by side.
 */
export class DirectLineAdapter extends BotAdapter {
  /** Which conversations the current async call chain is running a turn for. */
  private readonly holds = new AsyncLocalStorage<readonly Hold[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;
  private readonly typingIntervalMs: number;
  private botTypingCount = 0;

  constructor(
    private readonly registry: ConversationRegistry,
    private readonly log: DirectLineLogger,
    options: DirectLineAdapterOptions = {},
  ) {
    super();
    this.typingIntervalMs = options.typingIntervalMs ?? DEFAULT_TYPING_INTERVAL_MS;
    if (!Number.isFinite(this.typingIntervalMs) || this.typingIntervalMs < 1) {
      throw new Error('Direct Line option typingIntervalMs must be a positive number.');
    }
  }

  get closed(): boolean {
    return this.closing;
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversation = this.conversationFor(context.activity.conversation?.id);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        const ms = typeof activity.value === 'number' && activity.value >= 0 ? activity.value : 1000;
        await sleep(Math.min(ms, MAX_DELAY_MS));
        responses.push({ id: '' });
      } else if (activity.type === 'trace' || activity.type === 'invokeResponse') {
        // Debugging and invoke plumbing are not for the filer's screen (as on hosted channels).
        responses.push({ id: '' });
      } else if (activity.type === 'typing') {
        // Shown like the channel's own typing and never logged, so a chatty bot cannot fill the
        // log with it; it lasts until the bot's next message or the end of the turn.
        responses.push({ id: this.botTyping(conversation, activity) });
      } else {
        responses.push({ id: this.appendBotActivity(conversation, activity) });
      }
    }
    // Inside a turn the replies go out now, not after the dialog state and the conversation
    // record are written: the filer's words are already durable (their activity, and the
    // draft before the bot answers), and the turn is marked open on disk until its end, so a
    // crash in between makes the bot ask its current question again after the restart.
    this.registry.showDuringTurn(conversation);
    return responses;
  }

  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse> {
    const conversation = this.conversationFor(activity.conversation?.id ?? context.activity.conversation?.id);
    const id = activity.id;
    if (id && this.registry.find(conversation, id) && !this.registry.isVisible(conversation, id)) {
      // Clients see the first version before its edit, as they would had it been sent earlier.
      await this.registry.save(conversation);
    }
    const existing = id ? this.registry.find(conversation, id) : undefined;
    if (!id || !existing) throw new Error(`Direct Line conversation ${conversation.id} has no activity ${String(id)}.`);
    const wire = toWire(activity);
    const updated: WireActivity = {
      ...wire,
      ...this.botEnvelope(conversation),
      id,
      type: typeof wire.type === 'string' ? wire.type : existing.type,
      timestamp: existing.timestamp,
    };
    const replyToId = wire.replyToId ?? existing.replyToId;
    if (typeof replyToId === 'string') updated.replyToId = replyToId;
    this.registry.replace(conversation, updated);
    await this.registry.save(conversation);
    return { id };
  }

  override async deleteActivity(context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    const conversation = this.conversationFor(reference.conversation?.id ?? context.activity.conversation?.id);
    const id = reference.activityId;
    if (!id || !this.registry.remove(conversation, id)) {
      throw new Error(`Direct Line conversation ${conversation.id} has no activity ${String(id)}.`);
    }
    await this.registry.save(conversation);
  }

  /**
   * Runs proactive logic (a clerk's message, a reminder) as a turn of that conversation, queued
   * behind the filer's own turns. Rejects with UnknownConversationError once the conversation
   * has expired, and with DirectLineClosedError after close().
   */
  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (revocableContext: TurnContext) => Promise<void>,
  ): Promise<void> {
    const conversation = this.conversationFor(reference.conversation?.id);
    await this.exclusive(conversation, async () => {
      const request = TurnContext.applyConversationReference(
        { type: 'event', name: 'continueConversation' },
        reference,
        true,
      );
      request.channelId = CHANNEL_ID;
      request.serviceUrl = conversation.serviceUrl;
      request.conversation = { ...reference.conversation, id: conversation.id } as Activity['conversation'];
      request.from = reference.user?.id ? reference.user : account(conversation.user.id, 'user', conversation.user.name);
      request.recipient = account(BOT_ACCOUNT.id, 'bot', reference.bot?.name);
      request.locale ??= conversation.locale;
      await this.registry.beginTurn(conversation);
      try {
        await this.runMiddleware(new TurnContext(this, request), logic);
      } finally {
        this.registry.setTyping(conversation, null);
        await this.registry.endTurn(conversation);
      }
    });
  }

  /**
   * After a restart, for a conversation whose turn a crash cut off: the bot's state may be
   * before or after that turn, so `logic` (the bot asking its current question again) runs as
   * a proactive turn, and the filer answers what they see last.
   */
  async resumeInterrupted(conversation: Conversation, logic: BotLogic): Promise<void> {
    const lastFromUser = conversation.log.findLast((a) => (a?.from as { role?: unknown } | undefined)?.role === 'user');
    const locale = typeof lastFromUser?.locale === 'string' ? lastFromUser.locale : conversation.locale;
    await this.continueConversation(
      {
        channelId: CHANNEL_ID,
        serviceUrl: conversation.serviceUrl,
        conversation: { id: conversation.id } as ConversationReference['conversation'],
        user: account(conversation.user.id, 'user', conversation.user.name),
        bot: account(BOT_ACCOUNT.id, 'bot'),
        locale,
      },
      logic,
    );
  }

  /** The newer proactive entry point; identity and audience mean nothing on a local channel. */
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

  /** Runs the `conversationUpdate` turn that makes the bot greet first. */
  async startConversation(conversation: Conversation, bot: BotLogic): Promise<void> {
    await this.exclusive(conversation, async () => {
      const user = account(conversation.user.id, 'user', conversation.user.name);
      const activity: Partial<Activity> = {
        type: 'conversationUpdate',
        timestamp: new Date(),
        channelId: CHANNEL_ID,
        serviceUrl: conversation.serviceUrl,
        conversation: { id: conversation.id } as Activity['conversation'],
        from: user,
        recipient: account(BOT_ACCOUNT.id, 'bot'),
        membersAdded: [account(BOT_ACCOUNT.id, 'bot'), user],
        locale: conversation.locale,
      };
      this.registry.touch(conversation);
      // The first save creates the conversation's record.
      await this.registry.beginTurn(conversation);
      try {
        await this.runTurn(conversation, activity, bot);
      } finally {
        await this.registry.endTurn(conversation);
      }
    });
  }

  /**
   * Appends the filer's activity to the log (the echo Web Chat waits for) and runs the bot's
   * turn for it. `incoming` must already be validated; the envelope is stamped here.
   * Resolves with the activity's id once the bot's turn has finished (its replies shown);
   * the activity itself is durable (and shown) before the bot sees it. The replies' own write
   * (endTurn) goes on under the conversation's lock after the answer: nothing the client sent
   * waits on it, and a failure of it is logged, the turn staying open on disk.
   */
  async receiveActivity(
    conversation: Conversation,
    incoming: Record<string, unknown> & { type: string },
    from: { id: string; name?: string },
    bot: BotLogic,
  ): Promise<string> {
    let answer: (id: string) => void = noop;
    const answered = new Promise<string>((resolve) => (answer = resolve));
    let wasAnswered = false;
    const whole = this.exclusive(conversation, async () => {
      const id = this.registry.nextActivityId(conversation);
      const timestamp = new Date();
      const echo: WireActivity = {
        ...incoming,
        id,
        timestamp: timestamp.toISOString(),
        channelId: CHANNEL_ID,
        serviceUrl: conversation.serviceUrl,
        conversation: { id: conversation.id },
        from: { ...from, role: 'user' },
        recipient: { ...BOT_ACCOUNT },
        locale: typeof incoming.locale === 'string' ? incoming.locale : conversation.locale,
      };
      this.registry.append(conversation, echo);
      try {
        await this.registry.beginTurn(conversation);
      } catch (error) {
        // Not durable, so not acknowledged: the client is told it failed and may send it again.
        this.registry.retract(conversation, echo);
        throw error;
      }
      const activity = { ...structuredClone(echo), timestamp } as unknown as Partial<Activity>;
      // Only a filer's message waits for an answer; typing and events get none.
      const stopTyping = echo.type === 'message' ? this.showTyping(conversation, id) : noop;
      try {
        await this.runTurn(conversation, activity, bot);
      } finally {
        stopTyping();
        wasAnswered = true;
        answer(id);
        await this.registry.endTurn(conversation);
      }
      return id;
    });
    whole.catch((error: unknown) => {
      if (wasAnswered) this.log.error({ conversationId: conversation.id, err: describeError(error) }, 'Direct Line: the replies of a turn could not be stored');
    });
    return Promise.race([answered, whole]);
  }

  /** Stops taking turns and waits for those already queued or running. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
    }
  }

  private async runTurn(conversation: Conversation, activity: Partial<Activity>, bot: BotLogic): Promise<void> {
    try {
      await this.runMiddleware(new TurnContext(this, activity), bot);
      this.registry.setTyping(conversation, null);
    } catch (error) {
      this.registry.setTyping(conversation, null);
      this.log.error(
        { conversationId: conversation.id, activityId: activity.id, activityType: activity.type, err: describeError(error) },
        'Direct Line bot turn failed',
      );
      // A typing signal is not something the filer said; apologising for it would confuse.
      if (activity.type === 'typing') return;
      try {
        this.appendBotActivity(conversation, { ...apologyActivity(activity.locale), replyToId: activity.id });
      } catch (apologyError) {
        this.log.error({ conversationId: conversation.id, err: describeError(apologyError) }, 'Direct Line apology failed');
      }
    }
  }

  /**
   * Shows the bot typing now and renews it every typingIntervalMs until the returned function
   * is called. Typing is never logged (see Conversation.typing); each renewal has its own id,
   * replying to the filer's message, so clients that upsert by id still see it as new.
   */
  private showTyping(conversation: Conversation, replyToId: string): () => void {
    let count = 0;
    const show = () => {
      const typing: WireActivity = {
        ...this.botEnvelope(conversation),
        type: 'typing',
        id: `${replyToId}-typing-${count++}`,
        timestamp: new Date().toISOString(),
        replyToId,
      };
      this.registry.setTyping(conversation, typing);
    };
    show();
    const timer = setInterval(show, this.typingIntervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.registry.setTyping(conversation, null);
    };
  }

  private botTyping(conversation: Conversation, activity: Partial<Activity>): string {
    const wire = toWire(activity);
    const id = `${this.registry.nextActivityId(conversation)}-typing-bot-${this.botTypingCount++}`;
    const typing: WireActivity = {
      ...wire,
      ...this.botEnvelope(conversation),
      id,
      type: 'typing',
      timestamp: new Date().toISOString(),
    };
    if (typeof wire.replyToId !== 'string') delete typing.replyToId;
    this.registry.setTyping(conversation, typing);
    return id;
  }

  private appendBotActivity(conversation: Conversation, activity: Partial<Activity>): string {
    const wire = toWire(activity);
    // Once the bot has said something the filer should read it, not wait; a turn still busy
    // two seconds later shows typing again at the next renewal.
    if (wire.type === undefined || wire.type === 'message') this.registry.setTyping(conversation, null);
    const id = this.registry.nextActivityId(conversation);
    const stamped: WireActivity = {
      ...wire,
      ...this.botEnvelope(conversation),
      id,
      type: typeof wire.type === 'string' ? wire.type : 'message',
      timestamp: new Date().toISOString(),
    };
    if (typeof wire.replyToId !== 'string') delete stamped.replyToId;
    this.registry.append(conversation, stamped);
    return id;
  }

  private botEnvelope(conversation: Conversation): Record<string, unknown> {
    return {
      channelId: CHANNEL_ID,
      serviceUrl: conversation.serviceUrl,
      conversation: { id: conversation.id },
      from: { ...BOT_ACCOUNT },
      recipient: { ...conversation.user, role: 'user' },
    };
  }

  private conversationFor(id: string | undefined): Conversation {
    const conversation = id ? this.registry.get(id) : undefined;
    if (!conversation) throw new UnknownConversationError(String(id));
    return conversation;
  }

  /**
   * Queues `fn` behind the conversation's earlier turns. A call made from inside a running turn
   * of the same conversation (the bot messaging its own conversation proactively) runs at once,
   * since waiting for the queue would wait for itself.
   */
  private exclusive<T>(conversation: Conversation, fn: () => Promise<T>): Promise<T> {
    const held = this.holds.getStore() ?? [];
    if (held.some((hold) => hold.active && hold.conversationId === conversation.id)) return fn();
    if (this.closing) return Promise.reject(new DirectLineClosedError());
    conversation.pending++;
    const hold: Hold = { conversationId: conversation.id, active: false };
    const run = async (): Promise<T> => {
      hold.active = true;
      try {
        return await this.holds.run([...held, hold], fn);
      } finally {
        // Timers the turn left behind keep this context; they must queue like anyone else.
        hold.active = false;
      }
    };
    const result = conversation.tail.then(run);
    const settled: Promise<void> = result
      .then(noop, noop)
      .finally(() => {
        conversation.pending--;
        this.inFlight.delete(settled);
      });
    conversation.tail = settled;
    this.inFlight.add(settled);
    return result;
  }
}

function noop(): void {}

/** Plain JSON: what the wire can carry, detached from objects the bot may still mutate. */
function toWire(activity: Partial<Activity>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;
}
