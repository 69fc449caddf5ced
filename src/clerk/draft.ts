import type { Localized } from '../i18n.js';
import { specText } from '../interview/engine.js';
import { getFieldType } from '../interview/fields/index.js';
import type { FieldTypeName, FieldValue } from '../interview/fields/types.js';
import { planSteps } from '../interview/plan.js';
import type { CaseSpec, FieldDef, LoadedSpecs } from '../interview/spec.js';
import type { ComplaintRecord, ComplaintStatus } from '../store/types.js';

/** One question of the draft as the clerk sees and edits it. */
export interface DraftField {
  /** Where the answer lives: 'plaintiff.name', 'defendant[1].phone'. */
  key: string;
  /** The field id of CONTRACT §4, without the group index. */
  fieldId: string;
  index?: number;
  section: { id: string; title: Localized };
  label: Localized;
  type: FieldTypeName;
  required: boolean;
  /** For choice, confirm and gender: what the clerk can pick; `value` is a word the type reads. */
  choices?: { value: string; title: Localized }[];
  value?: FieldValue;
  /** The value as written in the complaint, in each language. */
  display?: Localized;
  /** Filled from another answer (birth date and sex from the ID number). */
  derived: boolean;
  /** The filer said "don't know" to this optional question. */
  skipped: boolean;
}

export interface DraftView {
  id: string;
  caseType: string | null;
  caseTitle?: Localized;
  status: ComplaintStatus;
  locale: ComplaintRecord['locale'];
  resumeCode: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  archivedAt?: string;
  fields: DraftField[];
  /** Keys of required questions that still have no answer. */
  missing: string[];
  clerkNeeds: ComplaintRecord['clerkNeeds'];
}

const YES_NO = [
  { value: 'yes', title: { 'zh-CN': '是', 'en-US': 'Yes' } },
  { value: 'no', title: { 'zh-CN': '否', 'en-US': 'No' } },
];
const GENDERS = [
  { value: 'male', title: { 'zh-CN': '男', 'en-US': 'Male' } },
  { value: 'female', title: { 'zh-CN': '女', 'en-US': 'Female' } },
];

function both(fn: (locale: 'zh-CN' | 'en-US') => string): Localized {
  return { 'zh-CN': fn('zh-CN'), 'en-US': fn('en-US') };
}

function choicesOf(field: FieldDef): DraftField['choices'] {
  if (field.type === 'confirm') return YES_NO;
  if (field.type === 'gender') return GENDERS;
  if (field.type === 'choice') return (field.options.choices ?? []).map((c) => ({ value: c.value, title: c.title }));
  return undefined;
}

/** The questions that apply to this draft now, including those an ID number answered. */
function fieldSteps(spec: CaseSpec, record: ComplaintRecord, today: string) {
  // With no derived keys the planner keeps birth date and sex, so the clerk sees and can correct them.
  return planSteps(spec, { answers: record.answers, derived: [], groups: record.groups }, today).flatMap((step) =>
    step.kind === 'field' ? [step] : [],
  );
}

export class DraftViews {
  readonly #cases: Map<string, CaseSpec>;

  constructor(specs: LoadedSpecs, private readonly today: () => string) {
    this.#cases = new Map(specs.cases.map((c) => [c.caseType, c]));
  }

  spec(record: Pick<ComplaintRecord, 'caseType'>): CaseSpec | undefined {
    return record.caseType ? this.#cases.get(record.caseType) : undefined;
  }

  caseTitle(caseType: string | null | undefined): Localized | undefined {
    return caseType ? this.#cases.get(caseType)?.title : undefined;
  }

  view(record: ComplaintRecord): DraftView {
    const spec = this.spec(record);
    const fields: DraftField[] = [];
    const missing: string[] = [];
    for (const step of spec ? fieldSteps(spec, record, this.today()) : []) {
      const { field, key, index } = step;
      const value = record.answers[key];
      const type = getFieldType(field.type);
      const choices = choicesOf(field);
      const skipped = record.skipped.includes(key);
      fields.push({
        key,
        fieldId: field.id,
        ...(index !== undefined ? { index } : {}),
        section: { id: step.section.id, title: both((l) => specText(step.section.title[l], step.section.vars, index, l)) },
        label: both((l) => specText(field.label[l], field.vars, index, l)),
        type: field.type,
        required: field.required,
        ...(choices ? { choices } : {}),
        ...(value !== undefined ? { value, display: both((l) => type.format(value, l, field.options)) } : {}),
        derived: record.derived.includes(key),
        skipped,
      });
      if (field.required && value === undefined && !skipped) missing.push(key);
    }
    return {
      id: record.id,
      caseType: record.caseType,
      ...(spec ? { caseTitle: spec.title } : {}),
      status: record.status,
      locale: record.locale,
      resumeCode: record.resumeCode,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
      ...(record.archivedAt ? { archivedAt: record.archivedAt } : {}),
      fields,
      missing,
      clerkNeeds: record.clerkNeeds,
    };
  }

  /** The field a key names in this draft now, or undefined (unknown key, or a question that does not apply). */
  field(record: ComplaintRecord, key: string): { field: FieldDef; key: string } | undefined {
    const spec = this.spec(record);
    const step = spec ? fieldSteps(spec, record, this.today()).find((s) => s.key === key) : undefined;
    return step && { field: step.field, key: step.key };
  }

  /**
   * Reads what the clerk typed as the filer would have said it, with the field's own type (in
   * the draft's language first, then the other, since clerks write either). Returns the change
   * to apply to the record, or the type's error in both languages.
   */
  parseEdit(record: ComplaintRecord, key: string, utterance: string):
    | { ok: true; apply: (r: ComplaintRecord) => void }
    | { ok: false; reason: 'unknown-field' }
    | { ok: false; reason: 'invalid'; error: Localized } {
    const found = this.field(record, key);
    if (!found) return { ok: false, reason: 'unknown-field' };
    const { field } = found;
    const type = getFieldType(field.type);
    const parse = (locale: 'zh-CN' | 'en-US') => type.parse(utterance, { locale, today: this.today(), options: field.options });
    const other = record.locale === 'zh-CN' ? 'en-US' : 'zh-CN';
    const first = parse(record.locale);
    const result = first.ok ? first : parse(other);
    if (!result.ok) {
      const errors = { [record.locale]: first.ok ? '' : first.error, [other]: result.error } as Localized;
      return { ok: false, reason: 'invalid', error: errors };
    }
    const spec = this.spec(record)!;
    const parent = key.slice(0, key.lastIndexOf('.'));
    const fieldParent = field.id.slice(0, field.id.lastIndexOf('.'));
    return {
      ok: true,
      apply: (r) => {
        // The same bookkeeping as the interview's own commit: the answer replaces a skip and any
        // value derived before, and an ID number settles its siblings (birth date, sex) again.
        r.answers[key] = result.value;
        r.skipped = r.skipped.filter((k) => k !== key);
        r.derived = r.derived.filter((k) => k !== key);
        if (field.type === 'idNumber') clearDerived(r, parent);
        for (const [name, filled] of Object.entries(result.fills ?? {})) {
          if (!spec.fields.has(`${fieldParent}.${name}`)) continue;
          const sibling = parent ? `${parent}.${name}` : name;
          r.answers[sibling] = filled;
          r.skipped = r.skipped.filter((k) => k !== sibling);
          if (!r.derived.includes(sibling)) r.derived.push(sibling);
        }
      },
    };
  }
}

/** Removes the answers an earlier ID number filled in this party (a new number fills them anew). */
function clearDerived(record: ComplaintRecord, parent: string): void {
  const prefix = parent ? `${parent}.` : '';
  const own = (k: string) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.');
  for (const key of record.derived.filter(own)) delete record.answers[key];
  record.derived = record.derived.filter((k) => !own(k));
}
