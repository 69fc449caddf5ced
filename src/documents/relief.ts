import type { ComplaintRecord } from '../store/types.js';

/**
 * The application for fee relief (司法救助申请书): a second document, from
 * templates/fee-relief.hbs, for a filer who said the fee is hard to pay
 * (dialogs/blocks/relief.yaml).
 */
export const RELIEF_DOCUMENT = 'fee-relief';

/** True when the filer asked for fee relief, so the application exists. */
export function hasReliefApplication(record: Pick<ComplaintRecord, 'answers'>): boolean {
  return record.answers['relief.hardship'] === true;
}
