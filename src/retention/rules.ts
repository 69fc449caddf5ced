import type { HandoffSummary } from '../handoff/index.js';
import type { ComplaintRecord } from '../store/types.js';
import type { VisitBooking } from '../visits/service.js';

/** RETENTION_DRAFT_DAYS and RETENTION_ARCHIVED_DAYS. */
export interface RetentionPolicy {
  draftDays: number;
  archivedDays: number;
}

export type PurgeAction = 'draft-purged' | 'complaint-purged';

export type RetentionVerdict =
  | { purge: true; action: PurgeAction }
  | { purge: false; reason: 'kept-until-archived' | 'open-handoff' | 'future-visit' | 'recent' };

/** What else is known about a record: its handoffs and its home-visit bookings. */
export interface RetentionContext {
  handoffs: readonly HandoffSummary[];
  visits: readonly Pick<VisitBooking, 'status' | 'end' | 'updatedAt'>[];
}

const DAY_MS = 86_400_000;

/** The latest of the given ISO times, in ms; NaN when none parses, so a broken record is never judged old. */
function latest(times: readonly (string | undefined)[]): number {
  let found = Number.NaN;
  for (const time of times) {
    const at = time ? Date.parse(time) : Number.NaN;
    if (!Number.isNaN(at) && !(at <= found)) found = at;
  }
  return found;
}

function olderThan(at: number, days: number, now: Date): boolean {
  return now.getTime() - at >= days * DAY_MS;
}

/**
 * Whether a record is due for deletion now. Finished and filed complaints stay until a clerk
 * archives them. Nothing is deleted while a clerk has the filer in the queue, or while a home
 * visit for it is still to come. A draft is abandoned when neither it, its handoffs nor its
 * visits changed for `draftDays` (a booked visit counts as activity until it has happened); an
 * archived complaint goes `archivedDays` after it was archived.
 */
export function judgeRetention(
  record: Pick<ComplaintRecord, 'status' | 'updatedAt' | 'archivedAt'>,
  context: RetentionContext,
  policy: RetentionPolicy,
  now: Date,
): RetentionVerdict {
  if (record.status === 'finished' || record.status === 'filed') return { purge: false, reason: 'kept-until-archived' };
  if (context.handoffs.some((h) => h.state === 'queued' || h.state === 'accepted')) return { purge: false, reason: 'open-handoff' };
  if (context.visits.some((v) => v.status === 'booked' && Date.parse(v.end) > now.getTime())) return { purge: false, reason: 'future-visit' };
  if (record.status === 'archived') {
    const archived = latest([record.archivedAt ?? record.updatedAt]);
    return olderThan(archived, policy.archivedDays, now) ? { purge: true, action: 'complaint-purged' } : { purge: false, reason: 'recent' };
  }
  const lastActivity = latest([
    record.updatedAt,
    ...context.handoffs.flatMap((h) => [h.createdAt, h.acceptedAt, h.closedAt]),
    ...context.visits.flatMap((v) => [v.updatedAt, v.status === 'booked' ? v.end : undefined]),
  ]);
  return olderThan(lastActivity, policy.draftDays, now) ? { purge: true, action: 'draft-purged' } : { purge: false, reason: 'recent' };
}

/**
 * Whether a cheap look at the record alone says it may be due; only those are looked at
 * closely (handoffs, visits), so a run over many records does little work for the recent ones.
 */
export function mayBeDue(record: Pick<ComplaintRecord, 'status' | 'updatedAt' | 'archivedAt'>, policy: RetentionPolicy, now: Date): boolean {
  if (record.status === 'draft') return olderThan(latest([record.updatedAt]), policy.draftDays, now);
  if (record.status === 'archived') return olderThan(latest([record.archivedAt ?? record.updatedAt]), policy.archivedDays, now);
  return false;
}
