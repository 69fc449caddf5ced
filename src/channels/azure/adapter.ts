import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { apologyActivity } from '../apology.js';

/** pino-like; this channel logs ids and error names only, never what a filer said. */
export interface AzureLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The bot's Azure identity (config.ts reads it from MicrosoftAppId and friends). */
export interface AzureAppCredentials {
  id?: string;
  password?: string;
  tenantId?: string;
  type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
}

/**
 * What a log line may say about an error: its name, a code or status, and where it was
 * thrown. Not its message: messages of connector errors quote request and response bodies,
 * and those hold what the filer said.
 */
export function describeFailure(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const extra = error as { code?: unknown; statusCode?: unknown };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 10)
    .map((line) => line.trim());
  return {
    name: error.name,
    ...(typeof extra.code === 'string' || typeof extra.code === 'number' ? { code: extra.code } : {}),
    ...(typeof extra.statusCode === 'number' ? { statusCode: extra.statusCode } : {}),
    ...(frames.length > 0 ? { stack: frames } : {}),
  };
}

/** Ids that let an operator find a turn without reading it. */
export function turnIds(activity: Partial<Activity> | undefined): Record<string, unknown> {
  return {
    channelId: activity?.channelId,
    conversationId: activity?.conversation?.id,
    activityId: activity?.id,
    activityType: activity?.type,
  };
}

/** What to answer the HTTP request with once a turn is done. */
export interface TurnAnswer {
  status: number;
  /** The replies for `deliveryMode: "expectReplies"`, or an invoke's response body. */
  body?: unknown;
}

/**
 * The SDK's CloudAdapter with the SDK's own authentication: with an app id every request must
 * carry a Bot Framework (or Emulator) token; without one the SDK accepts anything, which is why
 * the route in front of it only lets loopback traffic through in that mode.
 *
 * `handle` is `CloudAdapter.process` minus its HTTP plumbing: the same `processActivity`
 * (authentication, connector, turn, expectReplies/invoke results), but a refused token is
 * answered here and logged through our logger. `process` writes every refusal to
 * console.error with a stack, which anyone on the internet could use to flood the logs.
 */
export class AzureAdapter extends CloudAdapter {
  async handle(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<TurnAnswer> {
    try {
      const result = await this.processActivity(authorization, withDates(activity), logic);
      return { status: result?.status ?? 200, ...(result?.body !== undefined ? { body: result.body } : {}) };
    } catch (error) {
      // The SDK's AuthenticationError (401, sometimes 400/403) carries its status; other errors are ours.
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) return { status };
      throw error;
    }
  }
}

/** As the SDK's validateAndFixActivity: wire timestamps become Dates, the raw strings are kept. */
function withDates(activity: Activity): Activity {
  const fixed = activity as Activity & Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const value = fixed[field];
    if (typeof value === 'string') {
      fixed[raw] = value;
      fixed[field] = new Date(value);
    }
  }
  return fixed;
}

export function createCloudAdapter(credentials: AzureAppCredentials, log: AzureLogger): AzureAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...(credentials.id ? { MicrosoftAppId: credentials.id } : {}),
    ...(credentials.password ? { MicrosoftAppPassword: credentials.password } : {}),
    ...(credentials.tenantId ? { MicrosoftAppTenantId: credentials.tenantId } : {}),
    MicrosoftAppType: credentials.type,
  });
  const adapter = new AzureAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ ...turnIds(context.activity), err: describeFailure(error) }, 'Azure bot turn failed');
    // A typing signal is not something the filer said; apologising for it would confuse.
    if (context.activity.type === 'typing') return;
    try {
      await context.sendActivity(apologyActivity(context.activity.locale));
    } catch (apologyError) {
      // The connector itself may be what failed; the HTTP answer still goes out, the server stays up.
      log.error({ ...turnIds(context.activity), err: describeFailure(apologyError) }, 'Azure apology could not be sent');
    }
  };
  return adapter;
}
