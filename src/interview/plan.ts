import type { ComplaintRecord } from '../store/types.js';
import type { FieldValue } from './fields/types.js';
import type { CaseSpec, Condition, FieldDef, NoticeDef, SectionDef } from './spec.js';

/**
 * One thing the interview does next: ask a field, tell a notice, or ask whether a
 * repeated group has another entry. `key` is where the answer lives in the draft.
 */
export type Step =
  | { kind: 'field'; key: string; field: FieldDef; section: SectionDef; index?: number }
  | { kind: 'notice'; key: string; notice: NoticeDef; section: SectionDef; index?: number }
  | { kind: 'more'; key: string; section: SectionDef; index: number };

export type Answers = ComplaintRecord['answers'];

/** 'defendant.name' in group 'defendant' at index 1 → 'defendant[1].name'. */
export function answerKey(fieldId: string, group: string | undefined, index: number | undefined): string {
  if (!group || index === undefined) return fieldId;
  return `${group}[${index}]${fieldId.slice(group.length)}`;
}

/** The inverse of answerKey: 'defendant[1].name' → { fieldId: 'defendant.name', index: 1 }. */
export function splitAnswerKey(key: string): { fieldId: string; group?: string; index?: number } {
  const match = /^([^.[\]]+)\[(\d+)\](.*)$/.exec(key);
  if (!match) return { fieldId: key };
  return { fieldId: `${match[1]}${match[3]}`, group: match[1], index: Number(match[2]) };
}

export function moreKey(group: string): string {
  return `${group}.more`;
}

function daysBetween(fromIso: string, toIso: string): number {
  const from = Date.parse(fromIso.length === 7 ? `${fromIso}-01` : fromIso);
  const to = Date.parse(toIso);
  return Math.floor((to - from) / 86_400_000);
}

export interface ConditionScope {
  answers: Answers;
  /** Index within the repeated group the condition's item belongs to. */
  group?: string;
  index?: number;
  today: string;
}

export function evaluate(cond: Condition | undefined, scope: ConditionScope): boolean {
  if (!cond) return true;
  if ('all' in cond) return cond.all.every((c) => evaluate(c, scope));
  if ('any' in cond) return cond.any.some((c) => evaluate(c, scope));
  if ('not' in cond) return !evaluate(cond.not, scope);
  const inGroup = scope.group !== undefined && cond.field.startsWith(`${scope.group}.`);
  const value: FieldValue | undefined = scope.answers[answerKey(cond.field, inGroup ? scope.group : undefined, inGroup ? scope.index : undefined)];
  if ('equals' in cond) return value === cond.equals;
  if ('in' in cond) return value !== undefined && cond.in.includes(value);
  if ('answered' in cond) return (value !== undefined) === cond.answered;
  return typeof value === 'string' && daysBetween(value, scope.today) > cond.olderThanDays;
}

/**
 * Every step that applies to this draft now, in order. Fields whose conditions fail, and
 * fields already settled by another answer (birth date from the ID number), are left out.
 */
export function planSteps(spec: CaseSpec, record: Pick<ComplaintRecord, 'answers' | 'derived' | 'groups'>, today: string): Step[] {
  const steps: Step[] = [];
  const derived = new Set(record.derived);
  for (const section of spec.sections) {
    const group = section.repeat ? section.id : undefined;
    const count = group ? Math.max(1, record.groups[group] ?? 1) : 1;
    let lastEntryAsked = false;
    for (let i = 0; i < count; i += 1) {
      const index = group ? i : undefined;
      lastEntryAsked = false;
      for (const item of section.items) {
        if (!evaluate(item.when, { answers: record.answers, group, index, today })) continue;
        if (item.kind === 'notice') {
          steps.push({ kind: 'notice', key: answerKey(`${section.id}.${item.id}`, group, index), notice: item, section, index });
          continue;
        }
        const key = answerKey(item.id, group, index);
        lastEntryAsked = true;
        if (derived.has(key)) continue;
        steps.push({ kind: 'field', key, field: item, section, index });
      }
    }
    // "Is there another?" only follows an entry that had something to ask (a divorce with
    // no children asks nothing about children, so not about more of them either).
    if (group && section.repeat && count < section.repeat.max && lastEntryAsked) {
      steps.push({ kind: 'more', key: moreKey(group), section, index: count - 1 });
    }
  }
  return steps;
}

/**
 * Answers as they will most likely be, for counting questions ahead of time: a yes/no or
 * choice question not answered yet is taken as "yes" or its first choice. Only for
 * progress and "about N questions"; never stored.
 */
export function likelyAnswers(spec: CaseSpec, record: Pick<ComplaintRecord, 'answers' | 'groups'>): Answers {
  const likely: Answers = { ...record.answers };
  for (const field of spec.fields.values()) {
    const guess = field.type === 'confirm' ? true : field.type === 'choice' ? field.options.choices?.[0]?.value : undefined;
    if (guess === undefined) continue;
    const count = field.group ? Math.max(1, record.groups[field.group] ?? 1) : 1;
    for (let i = 0; i < count; i += 1) {
      const key = answerKey(field.id, field.group, field.group ? i : undefined);
      if (!(key in likely)) likely[key] = guess;
    }
  }
  return likely;
}

/** The questions a draft will most likely have in all, for "about N questions" and progress. */
export function likelySteps(spec: CaseSpec, record: Pick<ComplaintRecord, 'answers' | 'derived' | 'groups'>, today: string): Step[] {
  return fieldSteps(planSteps(spec, { ...record, answers: likelyAnswers(spec, record) }, today));
}

export function isSettled(step: Step, record: Pick<ComplaintRecord, 'answers' | 'skipped'>, noticesShown: readonly string[]): boolean {
  if (step.kind === 'notice') return noticesShown.includes(step.key);
  return step.key in record.answers || record.skipped.includes(step.key);
}

export function fieldSteps(steps: Step[]): Step[] {
  return steps.filter((s) => s.kind !== 'notice');
}
