import { fill, LOCALES, type Localized } from '../i18n.js';
import { evaluate } from '../interview/plan.js';
import type { CaseSpec, Messages } from '../interview/spec.js';
import type { ComplaintRecord } from '../store/types.js';

/**
 * What to bring to the filing window: the identity papers every case needs, the case
 * type's own evidence (its spec's `checklist:`, and the blocks it uses), and the copies
 * of the complaint (one for the court, one per defendant). Wording lives in the specs and
 * in dialogs/messages.yaml; this only decides which items apply.
 */
export function buildChecklist(
  spec: Pick<CaseSpec, 'checklist'>,
  record: Pick<ComplaintRecord, 'answers' | 'groups'>,
  messages: Pick<Messages, 'checklistId' | 'checklistOrgPapers' | 'checklistDefendantOrg' | 'checklistCopies'>,
  today: string,
): Localized[] {
  const { answers } = record;
  const items: Localized[] = [];
  items.push(answers['plaintiff.kind'] === 'organization' ? messages.checklistOrgPapers : messages.checklistId);

  const defendants = defendantCount(record);
  const anyOrganization = Array.from({ length: defendants }, (_, i) => answers[`defendant[${i}].kind`]).includes('organization');
  if (anyOrganization) items.push(messages.checklistDefendantOrg);

  for (const item of spec.checklist) {
    if (evaluate(item.when, { answers, today })) items.push(item.text);
  }

  const count = String(defendants + 1);
  items.push(Object.fromEntries(LOCALES.map((l) => [l, fill(messages.checklistCopies[l], { count, defendants })])) as Localized);
  return items;
}

/** Defendants on the draft: the group count when the interview kept one, else the answers present. */
export function defendantCount(record: Pick<ComplaintRecord, 'answers' | 'groups'>): number {
  const counted = record.groups['defendant'];
  if (typeof counted === 'number' && counted > 0) return Math.floor(counted);
  let max = -1;
  for (const key of Object.keys(record.answers)) {
    const m = /^defendant\[(\d+)\]\./.exec(key);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return Math.max(1, max + 1);
}
