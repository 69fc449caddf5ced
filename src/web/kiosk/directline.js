// @ts-check
/**
 * A small Direct Line 3.0 client for the kiosk: a token from the court's own endpoint, one
 * conversation, activities by REST polling (the page needs no WebSocket), and the token
 * refreshed well before it expires, so a slow filer is never cut off.
 */

const POLL_IDLE_MS = 1000;
const POLL_BUSY_MS = 250;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class DirectLineError extends Error {
  /** @param {string} message @param {number} status */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export class DirectLineConnection {
  /**
   * @param {{ locale: string,
   *   onActivities: (activities: any[]) => void,
   *   onConnection: (ok: boolean) => void,
   *   onLost: () => void }} options
   */
  constructor(options) {
    this.options = options;
    this.token = '';
    this.conversationId = '';
    this.watermark = '';
    this.closed = false;
    /** Until this time the loop polls fast: a reply is on its way. */
    this.busyUntil = 0;
    this.sequence = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.refreshTimer = undefined;
    /** Ids of activities this page sent, so their echoes are not taken for the bot's words. */
    this.sentIds = new Set();
    /** Ends the loop's current pause early (a message was just sent: its replies are there). */
    this.wake = () => {};
  }

  /** @param {number} ms */
  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });
  }

  /** @param {string} url @param {RequestInit} init */
  async request(url, init = {}) {
    const headers = { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
    const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers || {}) }, cache: 'no-store' });
    if (!res.ok) throw new DirectLineError(`${init.method || 'GET'} ${url}: ${res.status}`, res.status);
    return res.json();
  }

  async start() {
    const issued = await this.request('/api/directline/token', { method: 'POST', body: JSON.stringify({ locale: this.options.locale }) });
    this.token = issued.token;
    const started = await this.request('/v3/directline/conversations', { method: 'POST' });
    this.conversationId = started.conversationId;
    this.token = started.token || this.token;
    this.scheduleRefresh(Number(started.expires_in || issued.expires_in || 1800));
    this.busyUntil = Date.now() + 10_000;
    void this.loop();
  }

  /** Refreshes at half the lifetime; a failed refresh tries again a minute later. */
  /** @param {number} seconds */
  scheduleRefresh(seconds) {
    clearTimeout(this.refreshTimer);
    const delay = Math.max(30, Math.floor(seconds / 2)) * 1000;
    this.refreshTimer = setTimeout(async () => {
      if (this.closed) return;
      try {
        const refreshed = await this.request('/v3/directline/tokens/refresh', { method: 'POST' });
        this.token = refreshed.token;
        this.scheduleRefresh(Number(refreshed.expires_in || 1800));
      } catch {
        this.scheduleRefresh(120);
      }
    }, delay);
  }

  async loop() {
    let failures = 0;
    while (!this.closed) {
      try {
        const url = `/v3/directline/conversations/${encodeURIComponent(this.conversationId)}/activities?watermark=${encodeURIComponent(this.watermark)}`;
        const body = await this.request(url);
        if (this.closed) return;
        if (failures > 0) this.options.onConnection(true);
        failures = 0;
        this.watermark = body.watermark ?? this.watermark;
        const fromBot = (body.activities || []).filter((/** @type {any} */ a) => a.from?.role !== 'user' && !this.sentIds.has(a.id));
        if (fromBot.length > 0) this.options.onActivities(fromBot);
      } catch (error) {
        if (this.closed) return;
        const status = error instanceof DirectLineError ? error.status : 0;
        if (status === 403 || status === 404) {
          // The conversation is gone (server restarted, token revoked): start afresh.
          this.close();
          this.options.onLost();
          return;
        }
        failures += 1;
        this.options.onConnection(false);
        await sleep(Math.min(10_000, 1000 * failures));
        continue;
      }
      await this.pause(Date.now() < this.busyUntil ? POLL_BUSY_MS : POLL_IDLE_MS);
    }
  }

  /**
   * Posts one activity and polls fast for the reply. Returns the activity id (the bot's
   * replies carry it as replyToId).
   * @param {Record<string, unknown>} activity
   */
  async send(activity) {
    this.sequence += 1;
    const body = {
      from: { id: 'kiosk', role: 'user' },
      ...activity,
      channelData: { clientActivityID: `kiosk-${Date.now()}-${this.sequence}` },
    };
    this.busyUntil = Date.now() + 15_000;
    const result = await this.request(`/v3/directline/conversations/${encodeURIComponent(this.conversationId)}/activities`, {
      method: 'POST', body: JSON.stringify(body),
    });
    if (result.id) this.sentIds.add(result.id);
    // The server answers a post once the bot's turn is over: fetch the replies now.
    this.wake();
    return /** @type {string} */ (result.id);
  }

  /** A reply came: back to the calm pace after a moment. */
  settle() {
    this.busyUntil = Math.min(this.busyUntil, Date.now() + 1500);
  }

  close() {
    this.closed = true;
    clearTimeout(this.refreshTimer);
  }
}
