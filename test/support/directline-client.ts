/**
 * A small Direct Line 3.0 client over fetch, speaking the REST protocol as Web Chat's
 * polling transport does. Tests use it to talk to the real server.
 */
export interface BotActivity {
  type: string;
  id?: string;
  text?: string;
  speak?: string;
  locale?: string;
  inputHint?: string;
  from?: { id: string; role?: string };
  channelData?: {
    clientActivityID?: string;
    ask?: {
      field: string; type: string; index?: number; required: boolean;
      choices?: { value: string; title: string; dtmf: string }[];
      progress?: { step: number; total: number };
    };
    handoff?: { state: string };
    complaint?: { id: string; caseType: string; documentUrl: string; pdfUrl?: string };
  };
  suggestedActions?: { actions: { title: string; value: string }[] };
}

export class DirectLineTestClient {
  conversationId = '';
  token = '';
  watermark = '';
  /** Every bot activity received, in order. */
  readonly received: BotActivity[] = [];
  private sequence = 0;

  /** `baseUrl` may be changed when the server comes back on another port (restart tests). */
  constructor(public baseUrl: string, readonly locale: string) {}

  /** Sent with every request, e.g. X-Forwarded-For to play a client at another address (the server trusts loopback proxies). */
  extraHeaders: Record<string, string> = {};

  private headers(): Record<string, string> {
    return { ...this.extraHeaders, authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
  }

  /** Gets a token from the court's own endpoint, starts the conversation, and returns the greeting. */
  async start(): Promise<BotActivity[]> {
    const tokenRes = await fetch(`${this.baseUrl}/api/directline/token`, {
      method: 'POST', headers: { ...this.extraHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ locale: this.locale }),
    });
    if (!tokenRes.ok) throw new Error(`token: ${tokenRes.status}`);
    this.token = ((await tokenRes.json()) as { token: string }).token;
    const res = await fetch(`${this.baseUrl}/v3/directline/conversations`, { method: 'POST', headers: this.headers() });
    if (res.status !== 201 && res.status !== 200) throw new Error(`start: ${res.status}`);
    const body = (await res.json()) as { conversationId: string; token: string };
    this.conversationId = body.conversationId;
    this.token = body.token;
    return this.poll();
  }

  /** New bot activities since the last poll. */
  async poll(): Promise<BotActivity[]> {
    const res = await fetch(`${this.baseUrl}/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, { headers: this.headers() });
    if (!res.ok) throw new Error(`poll: ${res.status}`);
    const body = (await res.json()) as { activities: BotActivity[]; watermark: string };
    this.watermark = body.watermark;
    const fromBot = body.activities.filter((a) => a.from?.role !== 'user');
    this.received.push(...fromBot);
    return fromBot;
  }

  /** Sends what the filer says and returns the bot's replies to it. */
  async say(text: string, extra: Record<string, unknown> = {}): Promise<BotActivity[]> {
    this.sequence += 1;
    const res = await fetch(`${this.baseUrl}/v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({
        type: 'message', text, locale: this.locale, from: { id: 'filer', role: 'user' },
        channelData: { clientActivityID: `test-${this.sequence}` }, ...extra,
      }),
    });
    if (!res.ok) throw new Error(`say ${JSON.stringify(text)}: ${res.status} ${await res.text()}`);
    return this.poll();
  }

  /**
   * What botframework-directlinejs does to reconnect (after a dropped socket or a restart):
   * GET the conversation with the watermark it holds, for a fresh token and stream URL.
   */
  async reconnect(): Promise<{ status: number; streamUrl?: string }> {
    const res = await fetch(`${this.baseUrl}/v3/directline/conversations/${this.conversationId}?watermark=${this.watermark}`, { headers: this.headers() });
    if (!res.ok) return { status: res.status };
    const body = (await res.json()) as { token: string; streamUrl?: string };
    this.token = body.token;
    return { status: res.status, ...(body.streamUrl ? { streamUrl: body.streamUrl } : {}) };
  }

  /** POST tokens/refresh, as clients do at half the token's life; the new token replaces the old. */
  async refresh(): Promise<number> {
    const res = await fetch(`${this.baseUrl}/v3/directline/tokens/refresh`, { method: 'POST', headers: this.headers() });
    if (res.ok) this.token = ((await res.json()) as { token: string }).token;
    return res.status;
  }

  lastAsk(): NonNullable<BotActivity['channelData']>['ask'] | undefined {
    for (let i = this.received.length - 1; i >= 0; i -= 1) {
      const ask = this.received[i]!.channelData?.ask;
      if (ask) return ask;
    }
    return undefined;
  }
}

export type Script = Record<string, string | string[]>;

/**
 * Plays a conversation scripted by field id (`defendant.name#1` for the second defendant).
 * A list gives the utterances for successive askings of that field, so retries, commands
 * and "对吗？" confirmations can be scripted. Stops when the complaint is finished, when the
 * bot stops asking, or when it asks something the script does not answer (then throws,
 * naming the field, so a test failure says where the conversation went).
 */
export async function play(client: DirectLineTestClient, script: Script, maxTurns = 200): Promise<BotActivity[]> {
  const queues = new Map(Object.entries(script).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  const used = new Map<string, number>();
  for (let turn = 0; turn < maxTurns; turn += 1) {
    const last = client.received.at(-1);
    if (last?.channelData?.complaint) return client.received;
    if (last?.inputHint !== 'expectingInput') return client.received;
    const ask = last.channelData?.ask;
    if (!ask) throw new Error(`a question without channelData.ask: ${last.text}`);
    const key = ask.index ? `${ask.field}#${ask.index}` : ask.field;
    const queue = queues.get(key);
    if (!queue || queue.length === 0) {
      const times = used.get(key) ?? 0;
      throw new Error(`the script has no ${times ? 'more answers' : 'answer'} for ${key} (asked: ${last.text})`);
    }
    used.set(key, (used.get(key) ?? 0) + 1);
    await client.say(queue.length > 1 ? queue.shift()! : queue[0]!);
    if (queue.length === 1 && (used.get(key) ?? 0) > 20) throw new Error(`${key} asked over and over: ${client.received.at(-1)?.text}`);
  }
  throw new Error('the conversation did not end');
}

/** The finished complaint the conversation ended with, as HTML and as plain text. */
export async function documentOf(client: DirectLineTestClient): Promise<{ html: string; text: string }> {
  const url = client.received.at(-1)!.channelData!.complaint!.documentUrl;
  const html = await (await fetch(url)).text();
  const text = await (await fetch(url.replace(/\.html$/, '.txt'))).text();
  return { html, text };
}
