import type Handlebars from 'handlebars';
import type { HelperOptions } from 'handlebars';
import type { Locale } from '../i18n.js';
import type { FieldValue } from '../interview/fields/types.js';
import type { FormatAnswer } from './model.js';

export type RenderMode = 'html' | 'text';
type HandlebarsEnv = typeof Handlebars;

/**
 * Text output is built from line-oriented pieces, and the template's own indentation and
 * line breaks are noise. Helpers therefore emit every meaningful line between newlines and
 * mark wanted blank lines with U+0001, which cannot occur in the model (cleanText strips
 * control characters) and, unlike a form feed, is not whitespace to String.trim;
 * finishText then drops everything else.
 */
const MARK = '\u0001';
const BLANK = `\n${MARK}\n`;

/**
 * For the PDF, text output can carry what each line is (title, section heading, paragraph,
 * numbered item, a line with a class) as a tag in front of it: U+0002 kind[:class] U+0003.
 * Like MARK, these cannot occur in the model, so the wording stays the text output's own.
 */
const TAG = '\u0002';
const TAG_END = '\u0003';

export interface RenderData {
  mode: RenderMode;
  lang: Locale;
  root: unknown;
  /** Text mode only: tag every line with its kind, for layout in the PDF. */
  tagged?: boolean;
  /** Filled while rendering: the document's first heading, for the page title. */
  meta?: { title?: string };
}

/** What a line of tagged text output is. */
export type BlockKind = 'heading' | 'section' | 'para' | 'line' | 'item' | 'blank';

export interface TextBlock {
  kind: BlockKind;
  text: string;
  /** The class the template gave a para or line ('salutation', 'date', 'signature'…). */
  className?: string;
}

function tag(data: RenderData, kind: BlockKind, className?: string): string {
  return data.tagged ? `${TAG}${kind}${className ? `:${className}` : ''}${TAG_END}` : '';
}

function extraClass(options: HelperOptions): string | undefined {
  const extra = options.hash['class'];
  return typeof extra === 'string' && /^[a-z][a-z0-9 -]*$/.test(extra) ? extra : undefined;
}

function dataOf(options: HelperOptions): RenderData {
  const data = options.data as Partial<RenderData> | undefined;
  if (!data || (data.mode !== 'html' && data.mode !== 'text') || !data.lang) {
    throw new Error('Document helpers need the render data { mode, lang }; render through createDocumentRenderer');
  }
  return data as RenderData;
}

function optionsOf(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const options = args[args.length - 1] as HelperOptions;
  return { params: args.slice(0, -1), options };
}

/**
 * Line breaks in the template source are only layout: Chinese runs on without a space,
 * English joins with one. Collapsing here also keeps browsers from showing a stray space
 * between Chinese characters.
 */
function collapse(content: string, lang: Locale): string {
  return content.replace(/\s*\n\s*/g, lang === 'zh-CN' ? '' : ' ').trim();
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Sums and differences of money in yuan must not show binary float noise (0.1 + 0.2). */
function decimals(n: number): number {
  const text = String(n);
  const dot = text.indexOf('.');
  return dot < 0 || /e/i.test(text) ? 0 : text.length - dot - 1;
}

function toAmount(value: unknown, helper: string): number {
  if (isMissing(value)) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  // A wrong figure in a claim is worse than no document: fail loudly.
  if (!Number.isFinite(n)) throw new Error(`{{${helper}}} got a value that is not a number: ${String(value)}`);
  return n;
}

function toComparable(value: unknown): number {
  if (isMissing(value) || typeof value === 'boolean') return Number.NaN;
  return typeof value === 'number' ? value : Number(value);
}

export function addAmounts(values: number[]): number {
  const scale = 10 ** Math.min(6, Math.max(0, ...values.map(decimals)));
  return values.reduce((sum, v) => sum + Math.round(v * scale), 0) / scale;
}

const DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;
const EN_MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** 'YYYY-MM-DD' or 'YYYY-MM' in the court's style (2026年11月28日) or in English (28 November 2026). */
export function formatDate(value: string, lang: Locale): string {
  const m = DATE.exec(value);
  if (!m) return value;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (lang === 'zh-CN') return day === undefined ? `${year}年${month}月` : `${year}年${month}月${day}日`;
  const monthName = EN_MONTHS[month - 1] ?? String(month);
  return day === undefined ? `${monthName} ${year}` : `${day} ${monthName} ${year}`;
}

/**
 * Adds days to a date. A month-only date ('2024-03', the filer knew only the month) counts
 * as its last day, so "the day after it" is the first day that is surely past it.
 */
export function addDays(value: string, days: number): string | undefined {
  const m = DATE.exec(value);
  if (!m || !Number.isInteger(days)) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const base =
    m[3] === undefined ? Date.UTC(year, month, 0) : Date.UTC(year, month - 1, Number(m[3]));
  return new Date(base + days * 86_400_000).toISOString().slice(0, 10);
}

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 12 → 十二, 21 → 二十一: for 被告一, 被告二 labels. */
export function chineseOrdinal(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  if (n < 10) return ZH_DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : ZH_DIGITS[tens]!}十${ones === 0 ? '' : ZH_DIGITS[ones]!}`;
}

const TAGGED_LINE = new RegExp(`^${TAG}([a-z]+)(?::([a-z0-9 -]+))?${TAG_END}(.*)$`);

/** Tagged text output → blocks; an untagged line (plain text in a template) is a 'line'. */
export function textBlocks(raw: string): TextBlock[] {
  return finishText(raw)
    .split('\n')
    .map((line): TextBlock => {
      if (line === '') return { kind: 'blank', text: '' };
      const m = TAGGED_LINE.exec(line);
      if (!m) return { kind: 'line', text: line.replaceAll(TAG, '').replaceAll(TAG_END, '') };
      return { kind: m[1] as BlockKind, text: m[3]!, ...(m[2] ? { className: m[2] } : {}) };
    });
}

/** Turns the helpers' marked output into clean plain text: no indentation noise, single blank lines between blocks. */
export function finishText(raw: string): string {
  const lines: string[] = [];
  for (const line of raw.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed === MARK) {
      if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
      continue;
    }
    lines.push(trimmed.replaceAll(MARK, ''));
  }
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

interface Collector {
  items: string[];
}

function collector(options: HelperOptions, name: string, helper: string): Collector {
  const found = (options.data as Record<string, unknown> | undefined)?.[name];
  if (!found) throw new Error(`{{#${helper}}} is only allowed inside its list block`);
  return found as Collector;
}

function withCollector(env: HandlebarsEnv, context: unknown, options: HelperOptions, name: string): string[] {
  const frame = env.createFrame(options.data) as Record<string, unknown>;
  const target: Collector = { items: [] };
  frame[name] = target;
  options.fn(context, { data: frame });
  return target.items;
}

function cssClass(options: HelperOptions, base: string): string {
  const extra = options.hash['class'];
  return typeof extra === 'string' && /^[a-z][a-z0-9 -]*$/.test(extra) ? `${base} ${extra}` : base;
}

/**
 * Registers the document helpers on one Handlebars environment. Each helper's output
 * depends on the render mode in `data`, so one template serves both the HTML and the
 * plain-text document; the per-language blocks let one template carry the Chinese
 * complaint and its English reading copy.
 */
export function registerDocumentHelpers(env: HandlebarsEnv, format: FormatAnswer): void {
  const esc = (text: string, mode: RenderMode): string => (mode === 'html' ? env.escapeExpression(text) : text);

  // Structure -------------------------------------------------------------------------
  env.registerHelper('heading', function (this: unknown, options: HelperOptions) {
    const data = dataOf(options);
    const { mode, lang } = data;
    const content = collapse(options.fn(this), lang);
    if (data.meta && data.meta.title === undefined) data.meta.title = content;
    return mode === 'html' ? `<h1>${content}</h1>\n` : `\n${tag(data, 'heading')}${content}${BLANK}`;
  });

  env.registerHelper('section', function (this: unknown, title: unknown, options: HelperOptions) {
    const data = dataOf(options);
    const { mode } = data;
    const heading = esc(String(title ?? ''), mode);
    const body = options.fn(this);
    return mode === 'html'
      ? `<section class="${cssClass(options, 'section')}">\n<h2>${heading}</h2>\n${body}</section>\n`
      : `\n${tag(data, 'section', extraClass(options))}${heading}\n${body}${BLANK}`;
  });

  env.registerHelper('para', function (this: unknown, options: HelperOptions) {
    const data = dataOf(options);
    const { mode, lang } = data;
    const content = collapse(options.fn(this), lang);
    if (content === '') return '';
    return mode === 'html' ? `<p class="${cssClass(options, 'para')}">${content}</p>\n` : `\n${tag(data, 'para', extraClass(options))}${content}${BLANK}`;
  });

  env.registerHelper('line', function (this: unknown, options: HelperOptions) {
    const data = dataOf(options);
    const { mode, lang } = data;
    const content = collapse(options.fn(this), lang);
    if (content === '') return '';
    return mode === 'html' ? `<p class="${cssClass(options, 'line')}">${content}</p>\n` : `\n${tag(data, 'line', extraClass(options))}${content}\n`;
  });

  env.registerHelper('gap', function (options: HelperOptions) {
    return dataOf(options).mode === 'html' ? '' : BLANK;
  });

  env.registerHelper('numbered', function (this: unknown, options: HelperOptions) {
    const data = dataOf(options);
    const { mode } = data;
    const items = withCollector(env, this, options, '_numbered');
    if (items.length === 0) return '';
    if (mode === 'text') return `\n${items.map((item, i) => `${tag(data, 'item')}${i + 1}. ${item}`).join('\n')}${BLANK}`;
    const rows = items.map((item, i) => `<li><span class="n">${i + 1}.</span> ${item}</li>`).join('\n');
    return `<ol class="${cssClass(options, 'numbered')}">\n${rows}\n</ol>\n`;
  });

  env.registerHelper('item', function (this: unknown, options: HelperOptions) {
    const target = collector(options, '_numbered', 'item');
    const content = collapse(options.fn(this), dataOf(options).lang);
    if (content !== '') target.items.push(content);
    return '';
  });

  env.registerHelper('joined', function (this: unknown, options: HelperOptions) {
    const sep = options.hash['sep'];
    const parts = withCollector(env, this, options, '_joined');
    return parts.join(typeof sep === 'string' ? esc(sep, dataOf(options).mode) : '，');
  });

  env.registerHelper('part', function (this: unknown, options: HelperOptions) {
    const target = collector(options, '_joined', 'part');
    const content = collapse(options.fn(this), dataOf(options).lang);
    if (content !== '') target.items.push(content);
    return '';
  });

  // Mode and language -----------------------------------------------------------------
  const onlyWhen = (test: (data: RenderData) => boolean) =>
    function (this: unknown, options: HelperOptions) {
      return test(dataOf(options)) ? options.fn(this) : options.inverse(this);
    };
  env.registerHelper('html', onlyWhen((d) => d.mode === 'html'));
  env.registerHelper('text', onlyWhen((d) => d.mode === 'text'));
  env.registerHelper('zh', onlyWhen((d) => d.lang === 'zh-CN'));
  env.registerHelper('en', onlyWhen((d) => d.lang === 'en-US'));

  env.registerHelper('t', function (zh: unknown, en: unknown, options: HelperOptions) {
    return String((dataOf(options).lang === 'zh-CN' ? zh : en) ?? '');
  });

  // Values ----------------------------------------------------------------------------
  env.registerHelper('fmt', function (fieldId: unknown, value: unknown, options: HelperOptions) {
    if (isMissing(value)) return '';
    if (typeof fieldId !== 'string') throw new Error('{{fmt}} needs a field id as its first argument');
    const id = fieldId.replace(/\[\d+\]/g, '');
    return format(id, value as FieldValue, dataOf(options).lang);
  });

  env.registerHelper('show', function (this: unknown, name: unknown, options: HelperOptions) {
    if (typeof name !== 'string') throw new Error('{{show}} needs a field name');
    const data = dataOf(options);
    const self = typeof this === 'object' && this !== null ? (this as Record<string, unknown>) : {};
    const prefix = typeof self['_key'] === 'string' && self['_key'] !== '' ? `${self['_key']}.` : '';
    const root = data.root as { display?: Record<string, Record<string, string>> } | undefined;
    return root?.display?.[data.lang]?.[`${prefix}${name}`] ?? '';
  });

  env.registerHelper('date', function (value: unknown, options: HelperOptions) {
    return typeof value === 'string' ? formatDate(value, dataOf(options).lang) : '';
  });

  /** English says "on 1 May 2023" but "in May 2023"; month-only dates need the other word. */
  env.registerHelper('monthOnly', (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}$/.test(value));

  env.registerHelper('addDays', function (value: unknown, days: unknown) {
    return typeof value === 'string' ? addDays(value, Number(days)) : undefined;
  });

  env.registerHelper('ordinal', function (n: unknown, options: HelperOptions) {
    const num = Number(n);
    return dataOf(options).lang === 'zh-CN' ? chineseOrdinal(num) : String(num);
  });

  env.registerHelper('add', (...args: unknown[]) => {
    const { params } = optionsOf(args);
    return addAmounts(params.map((p) => toAmount(p, 'add')));
  });

  env.registerHelper('sub', (...args: unknown[]) => {
    const { params } = optionsOf(args);
    const [first, ...rest] = params.map((p) => toAmount(p, 'sub'));
    return addAmounts([first ?? 0, ...rest.map((v) => -v)]);
  });

  // Logic -----------------------------------------------------------------------------
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  env.registerHelper('gt', (a: unknown, b: unknown) => toComparable(a) > toComparable(b));
  env.registerHelper('gte', (a: unknown, b: unknown) => toComparable(a) >= toComparable(b));
  env.registerHelper('lt', (a: unknown, b: unknown) => toComparable(a) < toComparable(b));
  env.registerHelper('and', (...args: unknown[]) => optionsOf(args).params.every(Boolean));
  env.registerHelper('or', (...args: unknown[]) => optionsOf(args).params.some(Boolean));
  env.registerHelper('not', (value: unknown) => !value);
  /** Tells a 'no' (false) apart from a skipped question (missing). */
  env.registerHelper('defined', (value: unknown) => !isMissing(value));
}
