import { parseIdNumber } from '../interview/fields/index.js';
import type { ComplaintRecord } from '../store/types.js';

/** Who the court visits without asking a clerk first. */
export type VisitReason = 'age' | 'disability' | 'illness' | 'military' | 'other';

export const ELDERLY_AGE = 70;

/** Whole years on `today` for a 'YYYY-MM-DD' (or 'YYYY-MM') birth date. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number | undefined];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < (bd || 1)) ? 1 : 0);
}

/** The age read from a resident ID number, or undefined when the number is not valid. */
export function ageFromIdNumber(idNumber: string, today: string): number | undefined {
  const info = parseIdNumber(idNumber, today);
  return info.ok ? ageOn(info.birthDate, today) : undefined;
}

/** The plaintiff's age from the draft (ID number, else birth date), if the draft says. */
export function ageFromDraft(record: ComplaintRecord | undefined, today: string): number | undefined {
  const id = record?.answers['plaintiff.idNumber'];
  if (typeof id === 'string') {
    const age = ageFromIdNumber(id, today);
    if (age !== undefined) return age;
  }
  const birth = record?.answers['plaintiff.birthDate'];
  return typeof birth === 'string' && /^\d{4}-\d{2}/.test(birth) ? ageOn(birth, today) : undefined;
}

/** Every reason but "other" books a visit at once; "other" books it for a clerk to decide. */
export function needsReview(reason: VisitReason): boolean {
  return reason === 'other';
}
