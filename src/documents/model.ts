import { LOCALES, type Locale } from '../i18n.js';
import type { FieldValue } from '../interview/fields/types.js';
import type { ComplaintRecord } from '../store/types.js';

/**
 * Formats one answer for the document, as the interview layer's field types do.
 * `fieldId` carries no group index ('defendant.gender', not 'defendant[1].gender').
 */
export type FormatAnswer = (fieldId: string, value: FieldValue, locale: Locale) => string;

/**
 * Answers nested by their dotted id. `_key` is the answer-key prefix of this node
 * ('plaintiff', 'defendant[1]', 'loan') so a template helper can find the field id of a
 * value it shows; field names start with a letter, so `_key` never collides with one.
 */
export interface AnswerTree {
  _key: string;
  [name: string]: FieldValue | AnswerTree | AnswerTree[] | undefined;
}

export interface DocumentModel {
  id: string;
  caseType: string;
  /** The filer's language; en-US adds an English reading copy after the Chinese text. */
  locale: Locale;
  court: string;
  /** The court's English name, for the English reading copy. */
  courtEn: string;
  /** 'YYYY-MM-DD': the day the complaint is printed and signed. */
  filedDate: string;
  plaintiff: AnswerTree;
  defendants: AnswerTree[];
  /** Copies of the complaint to attach: one per defendant. */
  copies: number;
  loan?: AnswerTree;
  wage?: AnswerTree;
  mediation?: AnswerTree;
  preservation?: AnswerTree;
  /**
   * Every answer already formatted in both languages, keyed by its full answer key
   * ('defendant[1].gender'), so templates and any other consumer (a PDF, a clerk's
   * preview) show values exactly as the interview read them back.
   */
  display: Record<Locale, Record<string, string>>;
  /** Photos and PDFs the filer sent, for the evidence list. */
  uploads: { name: string; isPdf: boolean }[];
  /** Further answer prefixes of other case types, nested the same way. */
  [section: string]: unknown;
}

export interface DocumentModelOptions {
  courtName: string;
  /** Defaults to courtName. */
  courtNameEn?: string;
  /** Today in the court's time zone, 'YYYY-MM-DD'. */
  today: string;
  format: FormatAnswer;
}

const RESERVED = new Set([
  'id', 'caseType', 'locale', 'court', 'courtEn', 'filedDate', 'plaintiff', 'defendant', 'defendants', 'copies', 'display', 'uploads',
]);
// Names that would reach Object.prototype through a plain object.
const UNSAFE_NAMES = new Set(['constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']);
const SEGMENT = /^([A-Za-z][A-Za-z0-9_-]*)(?:\[(\d{1,3})\])?$/;

interface Segment {
  name: string;
  index?: number;
}

function parseKey(key: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const part of key.split('.')) {
    const match = SEGMENT.exec(part);
    if (!match || UNSAFE_NAMES.has(match[1]!)) return null;
    segments.push(match[2] === undefined ? { name: match[1]! } : { name: match[1]!, index: Number(match[2]) });
  }
  return segments;
}

/**
 * Control characters would break the text output's line structure and bidi overrides can
 * make a printed name read differently from what was stored; neither belongs in a complaint.
 */
export function cleanText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function cleanValue(value: FieldValue): FieldValue {
  return typeof value === 'string' ? cleanText(value) : value;
}

function isTree(node: unknown): node is AnswerTree {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Places one answer in the tree; a key that clashes with an existing value is dropped. */
function place(root: AnswerTree, segments: Segment[], value: FieldValue): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const { name, index } = segments[i]!;
    const last = i === segments.length - 1;
    const key = node._key ? `${node._key}.${name}` : name;
    const existing = Object.hasOwn(node, name) ? node[name] : undefined;
    if (index === undefined) {
      if (last) {
        if (existing === undefined) node[name] = value;
        return;
      }
      if (existing === undefined) node[name] = { _key: key };
      const next = node[name];
      if (!isTree(next)) return;
      node = next;
      continue;
    }
    if (last) return; // a bare 'x[0]' has no field name; nothing to show
    if (existing === undefined) node[name] = [];
    const list = node[name];
    if (!Array.isArray(list)) return;
    list[index] ??= { _key: `${key}[${index}]` };
    node = list[index]!;
  }
}

/** Makes repeated groups dense: `groups` counts rule top-level groups (a removed entry may leave answers behind). */
function settleGroups(node: AnswerTree, counts: Record<string, number>, topLevel: boolean): void {
  for (const [name, child] of Object.entries(node)) {
    if (Array.isArray(child)) {
      const key = node._key ? `${node._key}.${name}` : name;
      const count = topLevel && typeof counts[name] === 'number' ? Math.max(0, Math.floor(counts[name]!)) : child.length;
      const dense: AnswerTree[] = [];
      for (let i = 0; i < count; i++) dense.push(child[i] ?? { _key: `${key}[${i}]` });
      node[name] = dense;
      for (const entry of dense) settleGroups(entry, counts, false);
    } else if (isTree(child)) {
      settleGroups(child, counts, false);
    }
  }
}

function stripIndexes(key: string): string {
  return key.replace(/\[\d+\]/g, '');
}

/** True when the key lies inside a top-level group entry that `groups` no longer counts. */
function outsideGroups(segments: Segment[], counts: Record<string, number>): boolean {
  const first = segments[0];
  if (first?.index === undefined) return false;
  const count = counts[first.name];
  return typeof count === 'number' && first.index >= count;
}

function formatSafely(format: FormatAnswer, fieldId: string, value: FieldValue, locale: Locale): string {
  // A field the interview no longer knows (an answer from an older spec) must not keep a
  // filer from getting the document; show the value as stored.
  try {
    return cleanText(format(fieldId, value, locale));
  } catch {
    return typeof value === 'string' ? value : String(value);
  }
}

/** Turns a finished record into the plain view model the templates render. */
export function buildDocumentModel(record: ComplaintRecord, options: DocumentModelOptions): DocumentModel {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) {
    throw new Error(`buildDocumentModel: today must be 'YYYY-MM-DD', got '${options.today}'`);
  }
  const answeredType = record.answers['caseType'];
  const caseType = record.caseType ?? (typeof answeredType === 'string' ? answeredType : null);
  if (!caseType) throw new Error(`Complaint ${record.id} has no case type; there is no document to render`);

  const tree: AnswerTree = { _key: '' };
  const display = Object.fromEntries(LOCALES.map((locale) => [locale, {} as Record<string, string>])) as Record<
    Locale,
    Record<string, string>
  >;
  for (const [key, raw] of Object.entries(record.answers)) {
    if (raw === undefined || raw === null) continue;
    const segments = parseKey(key);
    if (!segments || outsideGroups(segments, record.groups)) continue;
    const value = cleanValue(raw);
    if (value === '') continue;
    place(tree, segments, value);
    for (const locale of LOCALES) display[locale][key] = formatSafely(options.format, stripIndexes(key), value, locale);
  }
  for (const [name, count] of Object.entries(record.groups)) {
    if (count > 0 && !Object.hasOwn(tree, name) && parseKey(name)?.length === 1) tree[name] = [];
  }
  settleGroups(tree, record.groups, true);

  const plaintiff = isTree(tree['plaintiff']) ? tree['plaintiff'] : { _key: 'plaintiff' };
  const defendantList = tree['defendant'];
  const defendants = Array.isArray(defendantList) ? defendantList : [];

  const model: DocumentModel = {
    id: record.id,
    caseType,
    locale: record.locale,
    court: cleanText(options.courtName),
    courtEn: cleanText(options.courtNameEn ?? options.courtName),
    filedDate: options.today,
    plaintiff,
    defendants,
    copies: defendants.length,
    display,
    uploads: (record.evidence ?? []).map((file) => ({ name: cleanText(file.name), isPdf: file.contentType === 'application/pdf' })),
  };
  for (const [name, node] of Object.entries(tree)) {
    if (name === '_key' || RESERVED.has(name)) continue;
    model[name] = node;
  }
  return model;
}
