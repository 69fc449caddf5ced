import type { TurnClient } from '../http/network.js';

export interface CodeGuardOptions {
  /** Wrong codes one client address may give within the window. */
  triesPerClient: number;
  /** Wrong codes everyone outside the court may give together within the window. */
  triesOverall: number;
  windowMs: number;
  now?: () => number;
  /** Told once when a client, or everyone, runs out of tries; never told who. */
  onLockout?: (scope: 'client' | 'overall') => void;
  /** Addresses remembered at most; the oldest are forgotten first (memory stays bounded under a flood). */
  maxClients?: number;
}

/**
 * Six-digit codes (resume codes, visit codes) are only 900,000 numbers, and what a guesser
 * wants is any draft, not a given one: with a thousand open drafts one guess in 900 hits.
 * Five tries per conversation stop nobody who opens a new conversation, so wrong codes are
 * also counted per client address and, for a guesser with many addresses, from everyone
 * together, over a sliding window. The court's own machines are left to the per-conversation
 * count (and to the clerks who see them), so a stranger's flood never locks out the hall.
 *
 * The counts live in memory only, on purpose: they are worth minutes, a restart forgives them
 * (rare, and still bounded by the per-conversation count and the second question asked before
 * a draft is read back), and keeping them would mean keeping who tried when.
 */
export class CodeGuard {
  /** Per client key: times of its last wrong codes, oldest first, at most triesPerClient. */
  private readonly clients = new Map<string, number[]>();
  private readonly overall: number[] = [];
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly options: CodeGuardOptions) {
    for (const [name, value] of Object.entries({ triesPerClient: options.triesPerClient, triesOverall: options.triesOverall, windowMs: options.windowMs })) {
      if (!Number.isFinite(value) || value < 1) throw new Error(`CodeGuard option ${name} must be a positive number.`);
    }
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? 100_000;
  }

  /**
   * When the client may try again (ms since the epoch), or undefined when it may try now.
   * A client the channel cannot name is held by the overall count alone.
   */
  lockedUntil(client: TurnClient | undefined): number | undefined {
    if (client?.court) return undefined;
    const now = this.now();
    const until = [this.until(this.overall, this.options.triesOverall, now)];
    if (client) until.push(this.until(this.clients.get(client.key), this.options.triesPerClient, now));
    const latest = Math.max(...until.map((t) => t ?? 0));
    return latest > 0 ? latest : undefined;
  }

  /** Counts a wrong code (or a wrong answer to the question asked after a right one). */
  failed(client: TurnClient | undefined): void {
    if (client?.court) return;
    const now = this.now();
    if (this.record(this.overall, this.options.triesOverall, now)) this.options.onLockout?.('overall');
    if (!client) return;
    let times = this.clients.get(client.key);
    if (times) {
      // Most recently seen last: the Map's order is then the order in which to forget.
      this.clients.delete(client.key);
    } else {
      times = [];
      if (this.clients.size >= this.maxClients) this.forgetOldest(now);
    }
    this.clients.set(client.key, times);
    if (this.record(times, this.options.triesPerClient, now)) this.options.onLockout?.('client');
  }

  /** Whole minutes until `until`, at least one: what a filer is told to wait. */
  minutesUntil(until: number): number {
    return Math.max(1, Math.ceil((until - this.now()) / 60_000));
  }

  /** How many client addresses are remembered (for tests and the bound). */
  get trackedClients(): number {
    return this.clients.size;
  }

  private until(times: number[] | undefined, limit: number, now: number): number | undefined {
    if (!times) return undefined;
    this.expire(times, now);
    // Full: the next try waits until the oldest wrong one leaves the window.
    return times.length >= limit ? times[0]! + this.options.windowMs : undefined;
  }

  /** Adds a try; true when this one used up the last. */
  private record(times: number[], limit: number, now: number): boolean {
    this.expire(times, now);
    times.push(now);
    // Only the last `limit` tries decide when the window frees up again.
    if (times.length > limit) times.splice(0, times.length - limit);
    return times.length === limit;
  }

  private expire(times: number[], now: number): void {
    let stale = 0;
    while (stale < times.length && times[stale]! + this.options.windowMs <= now) stale += 1;
    if (stale > 0) times.splice(0, stale);
  }

  private forgetOldest(now: number): void {
    for (const [key, times] of this.clients) {
      this.expire(times, now);
      if (times.length === 0) this.clients.delete(key);
    }
    // Still full after dropping the quiet ones: forget the longest unseen.
    while (this.clients.size >= this.maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
  }
}
