import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FEE_RULES, type FeeSpec } from '../fees/rules.js';
import { LOCALES, type Localized } from '../i18n.js';
import { FIELD_TYPE_NAMES, type FieldOptions, type FieldTypeName, type ChoiceOption } from './fields/types.js';

/**
 * Interview specs: the YAML in dialogs/ is checked here once at start-up and turned into
 * plain definitions the engine walks. A mistake stops the server with the file and the
 * field named, so a bad edit never reaches a filer.
 */

const localized = z.object({ 'zh-CN': z.string().min(1), 'en-US': z.string().min(1) }).strict();
const localizedList = z.object({ 'zh-CN': z.array(z.string().min(1)), 'en-US': z.array(z.string().min(1)) }).strict();
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export type Condition =
  | { field: string; equals: string | number | boolean }
  | { field: string; in: (string | number | boolean)[] }
  | { field: string; answered: boolean }
  | { field: string; olderThanDays: number }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ field: z.string(), equals: scalar }).strict(),
    z.object({ field: z.string(), in: z.array(scalar).min(1) }).strict(),
    z.object({ field: z.string(), answered: z.boolean() }).strict(),
    z.object({ field: z.string(), olderThanDays: z.number().int().positive() }).strict(),
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
  ]),
);

const choiceSchema = z
  .object({
    value: z.string().regex(/^[a-z][a-z0-9-]*$/, 'choice values are lower-case words with dashes'),
    title: localized,
    synonyms: z.object({ 'zh-CN': z.array(z.string()).optional(), 'en-US': z.array(z.string()).optional() }).strict().optional(),
    dtmf: z.string().regex(/^[0-9]$/).optional(),
  })
  .strict();

const fieldSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z][\w-]*(\.[a-zA-Z][\w-]*)*$/, 'field ids are dotted words'),
    type: z.enum(FIELD_TYPE_NAMES),
    label: localized,
    prompt: localized,
    speak: localized.optional(),
    help: localized,
    required: z.boolean().default(true),
    when: condition.optional(),
    choices: z.array(choiceSchema).min(2).optional(),
    past: z.boolean().optional(),
    future: z.boolean().optional(),
    allowMonth: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    maxLength: z.number().int().positive().optional(),
    confirmAbove: z.number().positive().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.choices) ctx.addIssue({ code: 'custom', message: 'a choice field needs choices', path: ['choices'] });
    if (f.type !== 'choice' && f.choices) ctx.addIssue({ code: 'custom', message: 'only choice fields have choices', path: ['choices'] });
  });

const noticeSchema = z
  .object({
    notice: z.string().regex(/^[a-z][a-z0-9-]*$/),
    when: condition.optional(),
    message: localized,
    end: z.boolean().default(false),
    clerkNeed: z.enum(['arbitration-first', 'unsupported-case']).optional(),
  })
  .strict();

const itemSchema = z.union([noticeSchema, fieldSchema]);

const overrideSchema = z
  .object({ label: localized.partial(), prompt: localized.partial(), speak: localized.partial(), help: localized.partial(), required: z.boolean() })
  .partial()
  .strict();

/**
 * A repeated group (defendants, children). `max: 1` keeps the shape of a group (the
 * documents list defendants from it) without ever asking for another entry.
 */
const repeatSchema = z
  .object({ max: z.number().int().min(1).max(50), more: localized.optional(), moreHelp: localized.optional() })
  .strict()
  .superRefine((r, ctx) => {
    if (r.max > 1 && (!r.more || !r.moreHelp)) ctx.addIssue({ code: 'custom', message: 'a group that can grow needs "more" and "moreHelp"', path: ['more'] });
  });

const sectionSchema = z.union([
  z.object({ use: z.string(), id: z.undefined().optional() }).strict(),
  z
    .object({
      id: z.string().regex(/^[a-z][a-z0-9-]*$/),
      use: z.string().optional(),
      title: localized,
      vars: z.record(z.string(), localized).optional(),
      overrides: z.record(z.string(), overrideSchema).optional(),
      repeat: repeatSchema.optional(),
      fields: z.array(itemSchema).min(1).optional(),
    })
    .strict(),
]);

/** A term of a fee sum: a field id, or '-id' to subtract it. */
const feeTerm = z.string().regex(/^-?[a-zA-Z][\w-]*(\.[a-zA-Z][\w-]*)*$/, 'fee terms are field ids, with "-" in front to subtract');

const feeSchema = z
  .object({
    rule: z.enum(FEE_RULES),
    claim: z.array(feeTerm).min(1).optional(),
    property: z.array(feeTerm).min(1).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.rule === 'property' && !f.claim) ctx.addIssue({ code: 'custom', message: 'a property case names the answers that make up its claim', path: ['claim'] });
    if (f.rule !== 'property' && f.claim) ctx.addIssue({ code: 'custom', message: 'only the property rule counts a claim', path: ['claim'] });
    if (f.rule !== 'divorce' && f.property) ctx.addIssue({ code: 'custom', message: 'only the divorce rule counts property', path: ['property'] });
  });

/** One thing to bring to the filing window, shown when its condition holds. */
const checklistItemSchema = z.object({ text: localized, when: condition.optional() }).strict();

const caseSchema = z
  .object({
    caseType: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** Place in the list of case types offered to filers (lower first; the most asked-for first). */
    order: z.number().int().min(0).max(1000).default(100),
    template: z.string().regex(/^[a-z][a-z0-9-]*$/),
    title: localized,
    keywords: localizedList,
    fee: feeSchema.optional(),
    checklist: z.array(checklistItemSchema).optional(),
    sections: z.array(sectionSchema).min(1),
  })
  .strict();

const blockSchema = z.union([
  z
    .object({
      block: z.string(),
      id: z.string().regex(/^[a-z][a-z0-9-]*$/),
      title: localized,
      fields: z.array(itemSchema).min(1),
      // A whole-section block may add to the checklist of every case that uses it.
      checklist: z.array(checklistItemSchema).optional(),
    })
    .strict(),
  z.object({ block: z.string(), fields: z.array(itemSchema).min(1) }).strict(),
]);

type RawField = z.infer<typeof fieldSchema>;
type RawItem = z.infer<typeof itemSchema>;
type RawBlock = z.infer<typeof blockSchema>;

export interface FieldDef {
  kind: 'field';
  /** The field id of CONTRACT §4, without any group index: 'defendant.name'. */
  id: string;
  /** The repeated group this field belongs to ('defendant'), if any. */
  group?: string;
  sectionId: string;
  type: FieldTypeName;
  required: boolean;
  label: Localized;
  prompt: Localized;
  speak?: Localized;
  help: Localized;
  options: FieldOptions;
  when?: Condition;
  /** Placeholder values for prompts from the section ({who}, {whose}). */
  vars: Record<string, Localized>;
}

export interface NoticeDef {
  kind: 'notice';
  id: string;
  sectionId: string;
  group?: string;
  when?: Condition;
  message: Localized;
  end: boolean;
  clerkNeed?: 'arbitration-first' | 'unsupported-case';
  vars: Record<string, Localized>;
}

export type ItemDef = FieldDef | NoticeDef;

export interface SectionDef {
  id: string;
  title: Localized;
  items: ItemDef[];
  repeat?: { max: number; more?: Localized; moreHelp?: Localized };
  vars: Record<string, Localized>;
}

export interface ChecklistItem {
  text: Localized;
  when?: Condition;
}

export interface CaseSpec {
  caseType: string;
  order: number;
  template: string;
  title: Localized;
  keywords: Localized<string[]>;
  /** How the court fee is counted; absent means the court sets it at filing. */
  fee?: FeeSpec;
  /** What to bring, from the spec and then from the blocks it uses, in section order. */
  checklist: ChecklistItem[];
  sections: SectionDef[];
  /** Every field by id, for lookups when formatting answers. */
  fields: Map<string, FieldDef>;
  file: string;
}

export const MESSAGE_KEYS = [
  'greeting', 'caseTypePrompt', 'caseTypeHelp', 'resumeTitle', 'otherTitle',
  'resumeCodePrompt', 'resumeCodeHelp', 'resumeCodeInvalid', 'resumeNotFound', 'resumeLocked',
  'resumed', 'caseChosen', 'unsupportedCase', 'helpCommands', 'requiredNoSkip', 'skipped',
  'atFirstQuestion', 'slower', 'personUnavailableNoDraft', 'failedThrice', 'restarted',
  'confirmValue', 'confirmValueHelp', 'sayAgain', 'keepAnswer', 'currentAnswer', 'reviewIntro',
  'reviewConfirmPrompt', 'reviewConfirmHelp', 'reviewSectionPrompt', 'reviewSectionHelp',
  'reviewCorrecting', 'notAnswered', 'finished', 'finishedSpeak', 'afterEnd', 'stoppedHere', 'error',
  'evidenceSaved', 'evidenceHeld', 'uploadRejectedType', 'uploadRejectedSize', 'uploadRejectedCount',
  'handoffQueued', 'handoffNoClerk', 'handoffCallback', 'handoffCode', 'handoffAccepted', 'handoffGivenBack', 'handoffCompleted', 'dangerHelp',
  'feeRelief', 'checklistIntro', 'checklistId', 'checklistOrgPapers', 'checklistDefendantOrg', 'checklistCopies',
  'finishedPdf', 'finishedRelief',
  'kioskStillThere', 'kioskGoodbye', 'kioskHeard', 'kioskNotHeard', 'kioskTypeOrClerk', 'kioskPrint', 'kioskVoiceFailed',
  'phoneOtherLanguage', 'phoneKeys', 'phoneOption', 'phoneMore', 'phoneFirst', 'phoneNoSuchKey', 'phoneKeysId', 'phoneKeysNumber',
  'phoneKeysPhone', 'phoneKeysDate', 'phoneSayIt', 'phonePressKeys', 'phoneAskAgain', 'phoneOfferPerson', 'phoneTransfer',
  'phoneTransferFailed', 'phoneTransferEnded', 'phoneCallback', 'phoneCallbackNote', 'phoneWaitClerk', 'phoneFinished',
  'phoneCodeAgain', 'phoneGoodbye',
] as const;
export type MessageKey = (typeof MESSAGE_KEYS)[number];
export type Messages = Record<MessageKey, Localized>;

const messagesSchema = z.object(Object.fromEntries(MESSAGE_KEYS.map((k) => [k, localized])) as Record<MessageKey, typeof localized>).strict();

export interface LoadedSpecs {
  cases: CaseSpec[];
  messages: Messages;
  /**
   * Other bot sentences by area (`dialogs/texts/<area>.yaml`), e.g. texts.visits.intro:
   * flows outside the interview keep their words as data too.
   */
  texts: Record<string, Record<string, Localized>>;
}

export interface LoadOptions {
  /** Keys each text area must have, by the code that says them: { visits: ['intro', …] }. */
  requiredTexts?: Record<string, readonly string[]>;
}

const textsSchema = z.record(z.string().regex(/^[a-zA-Z][\w-]*$/, 'text keys are words'), localized);

function loadTexts(dir: string, required: Record<string, readonly string[]>): LoadedSpecs['texts'] {
  const textDir = path.join(dir, 'texts');
  let files: string[] = [];
  try {
    files = readdirSync(textDir).filter((f) => f.endsWith('.yaml')).sort();
  } catch {
    // No texts folder: only a problem when some area is required (below).
  }
  const texts: LoadedSpecs['texts'] = {};
  for (const name of files) {
    const label = `dialogs/texts/${name}`;
    texts[name.replace(/\.yaml$/, '')] = check(textsSchema, readYaml(path.join(textDir, name), label), label);
  }
  for (const [area, keys] of Object.entries(required)) {
    const label = `dialogs/texts/${area}.yaml`;
    const have = texts[area];
    if (!have) throw new SpecError(label, '', 'is missing');
    for (const key of keys) if (!have[key]) throw new SpecError(label, key, 'is missing (both zh-CN and en-US are needed)');
  }
  return texts;
}

/** Placeholders the engine fills itself; anything else must come from the section's vars. */
const ENGINE_VARS = new Set(['ordinal', 'n']);

export class SpecError extends Error {
  constructor(file: string, where: string, message: string) {
    super(`${file}: ${where ? `${where}: ` : ''}${message}`);
    this.name = 'SpecError';
  }
}

function readYaml(file: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SpecError(label, '', `cannot read the file (${(error as Error).message})`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new SpecError(label, '', `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Names the field a schema problem is in, so the message reads "field loan.rate: prompt.en-US: …". */
function describeIssuePath(raw: unknown, issuePath: PropertyKey[]): string {
  let node: unknown = raw;
  let where = '';
  const rest: string[] = [];
  for (const key of issuePath) {
    if (node && typeof node === 'object' && key in (node as object)) {
      node = (node as Record<PropertyKey, unknown>)[key];
      const n = node as { id?: unknown; notice?: unknown; use?: unknown } | null;
      if (n && typeof n === 'object' && !Array.isArray(n)) {
        if (typeof n.id === 'string') { where = `field ${n.id}`; rest.length = 0; continue; }
        if (typeof n.notice === 'string') { where = `notice ${n.notice}`; rest.length = 0; continue; }
      }
    } else {
      node = undefined;
    }
    rest.push(String(key));
  }
  return [where, rest.join('.')].filter(Boolean).join(': ');
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * A union (field or notice, block or section) reports only "Invalid input" at its own
 * level; the branch that got furthest says what is really wrong, so report that one.
 */
function deepestIssue(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FlatIssue {
  let best: FlatIssue | undefined;
  for (const issue of issues) {
    const here = [...prefix, ...issue.path];
    let candidate: FlatIssue = { path: here, message: issue.message };
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const inner = issue.errors.map((branch) => deepestIssue(branch, here));
      // On a tie the later branch wins: unions list their most common shape last.
      candidate = inner.reduce((a, b) => (b.path.length >= a.path.length ? b : a));
    }
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best ?? { path: prefix, message: 'is not valid' };
}

function check<T>(schema: z.ZodType<T>, raw: unknown, label: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = deepestIssue(result.error.issues);
  throw new SpecError(label, describeIssuePath(raw, issue.path), issue.message);
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

function mergeLocalized(base: Localized, patch: Partial<Localized> | undefined): Localized {
  return { ...base, ...(patch ?? {}) } as Localized;
}

function resolveCondition(cond: Condition, prefix: string | null): Condition {
  if ('all' in cond) return { all: cond.all.map((c) => resolveCondition(c, prefix)) };
  if ('any' in cond) return { any: cond.any.map((c) => resolveCondition(c, prefix)) };
  if ('not' in cond) return { not: resolveCondition(cond.not, prefix) };
  return { ...cond, field: prefix && !cond.field.includes('.') ? `${prefix}.${cond.field}` : cond.field };
}

export function conditionFields(cond: Condition | undefined): string[] {
  if (!cond) return [];
  if ('all' in cond) return cond.all.flatMap(conditionFields);
  if ('any' in cond) return cond.any.flatMap(conditionFields);
  if ('not' in cond) return conditionFields(cond.not);
  return [cond.field];
}

function toItem(raw: RawItem, sectionId: string, prefix: string | null, group: string | undefined,
  vars: Record<string, Localized>, overrides: Record<string, z.infer<typeof overrideSchema>> | undefined): ItemDef {
  if ('notice' in raw) {
    return {
      kind: 'notice', id: raw.notice, sectionId, group, message: raw.message, end: raw.end, clerkNeed: raw.clerkNeed, vars,
      when: raw.when ? resolveCondition(raw.when, prefix) : undefined,
    };
  }
  const field = raw as RawField;
  const over = overrides?.[field.id];
  const options: FieldOptions = {};
  for (const key of ['past', 'future', 'allowMonth', 'min', 'max', 'integer', 'maxLength', 'confirmAbove'] as const) {
    if (field[key] !== undefined) (options as Record<string, unknown>)[key] = field[key];
  }
  if (field.choices) options.choices = field.choices as ChoiceOption[];
  return {
    kind: 'field',
    id: prefix ? `${prefix}.${field.id}` : field.id,
    group,
    sectionId,
    type: field.type,
    required: over?.required ?? field.required,
    label: mergeLocalized(field.label, over?.label),
    prompt: mergeLocalized(field.prompt, over?.prompt),
    speak: field.speak || over?.speak ? mergeLocalized(field.speak ?? field.prompt, over?.speak) : undefined,
    help: mergeLocalized(field.help, over?.help),
    options,
    when: field.when ? resolveCondition(field.when, prefix) : undefined,
    vars,
  };
}

function loadBlocks(dir: string): Map<string, { block: RawBlock; file: string }> {
  const blocks = new Map<string, { block: RawBlock; file: string }>();
  const blockDir = path.join(dir, 'blocks');
  let files: string[] = [];
  try {
    files = readdirSync(blockDir).filter((f) => f.endsWith('.yaml')).sort();
  } catch {
    return blocks;
  }
  for (const name of files) {
    const label = `dialogs/blocks/${name}`;
    const block = check(blockSchema, readYaml(path.join(blockDir, name), label), label);
    if (blocks.has(block.block)) throw new SpecError(label, 'block', `the block "${block.block}" is defined twice`);
    blocks.set(block.block, { block, file: label });
  }
  return blocks;
}

function buildCase(raw: z.infer<typeof caseSchema>, label: string, blocks: Map<string, { block: RawBlock; file: string }>): CaseSpec {
  const sections: SectionDef[] = [];
  const checklist: ChecklistItem[] = [...(raw.checklist ?? [])];
  for (const rawSection of raw.sections) {
    const useName = rawSection.use;
    const used = useName ? blocks.get(useName) : undefined;
    if (useName && !used) throw new SpecError(label, `section ${rawSection.id ?? useName}`, `uses the block "${useName}", which is not in dialogs/blocks/`);
    if (!('title' in rawSection) || rawSection.title === undefined) {
      // A whole section taken from a block.
      const block = used!.block;
      if (!('id' in block)) throw new SpecError(label, `section ${useName}`, `the block "${useName}" holds fields only; give the section an id and a title`);
      sections.push({ id: block.id, title: block.title, vars: {}, items: block.fields.map((f) => toItem(f, block.id, null, undefined, {}, undefined)) });
      checklist.push(...(block.checklist ?? []));
      continue;
    }
    const sectionId = rawSection.id;
    const vars = rawSection.vars ?? {};
    const group = rawSection.repeat ? sectionId : undefined;
    let items: ItemDef[];
    if (used) {
      if ('id' in used.block) throw new SpecError(label, `section ${sectionId}`, `the block "${useName}" is a whole section; use it without id and title`);
      if (rawSection.fields) throw new SpecError(label, `section ${sectionId}`, 'a section takes either "use" or "fields", not both');
      const known = new Set(used.block.fields.map((f) => ('id' in f ? f.id : '')));
      for (const key of Object.keys(rawSection.overrides ?? {})) {
        if (!known.has(key)) throw new SpecError(label, `section ${sectionId}: overrides.${key}`, `the block "${useName}" has no field "${key}"`);
      }
      items = used.block.fields.map((f) => toItem(f, sectionId, sectionId, group, vars, rawSection.overrides));
    } else {
      if (!rawSection.fields) throw new SpecError(label, `section ${sectionId}`, 'a section needs "fields" or "use"');
      items = rawSection.fields.map((f) => toItem(f, sectionId, null, group, vars, rawSection.overrides));
    }
    sections.push({ id: sectionId, title: rawSection.title, items, repeat: rawSection.repeat, vars });
  }

  const fields = new Map<string, FieldDef>();
  const sectionIds = new Set<string>();
  for (const section of sections) {
    if (sectionIds.has(section.id)) throw new SpecError(label, `section ${section.id}`, 'the section id is used twice');
    sectionIds.add(section.id);
    for (const item of section.items) {
      if (item.kind !== 'field') continue;
      if (fields.has(item.id)) throw new SpecError(label, `field ${item.id}`, 'the field id is used twice');
      fields.set(item.id, item);
    }
  }
  for (const section of sections) {
    for (const item of section.items) {
      const where = item.kind === 'field' ? `field ${item.id}` : `notice ${item.id}`;
      for (const ref of conditionFields(item.when)) {
        if (!fields.has(ref)) throw new SpecError(label, `${where}: when`, `refers to "${ref}", which is not a field of this case type`);
      }
      const texts = item.kind === 'field' ? [item.prompt, item.help, item.label, item.speak] : [item.message];
      for (const text of texts) {
        if (!text) continue;
        for (const locale of LOCALES) {
          for (const name of placeholders(text[locale])) {
            const fromVars = item.vars[name];
            if (!fromVars && !ENGINE_VARS.has(name)) {
              throw new SpecError(label, where, `the ${locale} text uses {${name}}, but the section defines no such var`);
            }
          }
        }
      }
    }
  }
  for (const [i, item] of checklist.entries()) {
    for (const ref of conditionFields(item.when)) {
      if (!fields.has(ref)) throw new SpecError(label, `checklist ${i + 1}: when`, `refers to "${ref}", which is not a field of this case type`);
      if (fields.get(ref)!.group) throw new SpecError(label, `checklist ${i + 1}: when`, `refers to "${ref}", which is asked once per ${fields.get(ref)!.group}; the checklist can only look at single answers`);
    }
  }
  if (raw.fee) {
    for (const term of [...(raw.fee.claim ?? []), ...(raw.fee.property ?? [])]) {
      const id = term.replace(/^-/, '');
      const field = fields.get(id);
      if (!field) throw new SpecError(label, 'fee', `counts "${id}", which is not a field of this case type`);
      if (field.type !== 'money' && field.type !== 'number') throw new SpecError(label, 'fee', `counts "${id}", which is a ${field.type} field, not an amount`);
      if (field.group) throw new SpecError(label, 'fee', `counts "${id}", which is asked once per ${field.group}; a fee sums single answers`);
    }
  }
  return {
    caseType: raw.caseType, order: raw.order, template: raw.template, title: raw.title, keywords: raw.keywords, fee: raw.fee, checklist, sections, fields, file: label,
  };
}

/** Loads and checks every spec in `dir` (dialogs/). Throws SpecError naming the file and field. */
export function loadSpecs(dir: string, options: LoadOptions = {}): LoadedSpecs {
  const blocks = loadBlocks(dir);
  const messagesLabel = 'dialogs/messages.yaml';
  const messages = check(messagesSchema, readYaml(path.join(dir, 'messages.yaml'), messagesLabel), messagesLabel) as Messages;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'messages.yaml').sort();
  const cases: CaseSpec[] = [];
  for (const name of files) {
    const label = `dialogs/${name}`;
    const raw = check(caseSchema, readYaml(path.join(dir, name), label), label);
    const spec = buildCase(raw, label, blocks);
    if (cases.some((c) => c.caseType === spec.caseType)) throw new SpecError(label, 'caseType', `"${spec.caseType}" is defined twice`);
    cases.push(spec);
  }
  if (cases.length === 0) throw new SpecError('dialogs/', '', 'holds no case type specs');
  cases.sort((a, b) => a.order - b.order || a.caseType.localeCompare(b.caseType));
  return { cases, messages, texts: loadTexts(dir, options.requiredTexts ?? {}) };
}
