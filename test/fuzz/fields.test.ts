import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../src/i18n.js';
import {
  FIELD_TYPE_NAMES, getFieldType, type FieldContext, type FieldOptions, type FieldType, type FieldTypeName,
} from '../../src/interview/fields/index.js';
import { fuzzRuns, garnished, hostileText, SSML_ELEMENTS, xmlElements, xmlProblem } from '../support/fuzz.js';

/*
 * Issue 9, hostile input: every field type's parse, validate, format and speak with random and
 * adversarial input. None may throw, each answers a value or a kind re-ask in the filer's
 * language, and whatever it speaks is well-formed SSML in which the filer's markup is text.
 */

const LOCALES: Locale[] = ['zh-CN', 'en-US'];
const CJK = /[\u4E00-\u9FFF]/;
const TODAY = '2024-06-15';

const CHOICES: FieldOptions['choices'] = [
  { value: 'cash', title: { 'zh-CN': '现金', 'en-US': 'Cash' }, synonyms: { 'zh-CN': ['给现金'], 'en-US': ['in cash'] } },
  { value: 'transfer', title: { 'zh-CN': '银行转账', 'en-US': 'Bank transfer' }, synonyms: { 'zh-CN': ['转账', '微信'] } },
  { value: 'other', title: { 'zh-CN': '其他方式', 'en-US': 'Another way' }, dtmf: '9' },
];

/** The settings the specs give field types, so the parsers run along each of their branches. */
function optionsFor(name: FieldTypeName): fc.Arbitrary<FieldOptions> {
  switch (name) {
    case 'choice':
      return fc.constant({ choices: CHOICES });
    case 'date':
      return fc.constantFrom<FieldOptions>({}, { past: true }, { future: true }, { past: true, allowMonth: true });
    case 'money':
      return fc.constantFrom<FieldOptions>({}, { min: 0 }, { max: 1000, confirmAbove: 100 });
    case 'number':
      return fc.constantFrom<FieldOptions>({}, { min: 0, max: 100 }, { integer: true, min: 1, max: 36 });
    case 'text':
    case 'name':
    case 'address':
      return fc.constantFrom<FieldOptions>({}, { maxLength: 20 });
    default:
      return fc.constant({});
  }
}

/** Answers each type takes, for the fuzz to garnish with hostile pieces. */
const GOOD_ANSWERS: Record<FieldTypeName, string[]> = {
  text: ['退休', '个体户，卖菜的', 'retired farmer'],
  name: ['张三', '我叫王小明', 'Zhang San', '阿依古丽·买买提', '天津某某建筑有限公司'],
  gender: ['男', '女的', 'female', '2'],
  date: ['2024年3月5日', '2018年10月', '上周五', 'March 5, 2024', '20240305', '去年十二月三十一号'],
  idNumber: ['11010519491231002X', '110105 19491231 002x', '120113195203140028', '一二零一一三一九五二零三一四零零二八'],
  phone: ['138 1234 5678', '13812345678', '022-26881234', '(022)26881234', '+86 138 1234 5678', '幺三八幺二三四五六七八'],
  money: ['五万', '50,000元', '3500.5', '三块五', '一万二千元', '¥ 1,000'],
  number: ['6', '百分之三点八五', '3.85%', 'twelve', '十二'],
  choice: ['银行转账', '第二个', '我是用微信转的', 'cash', '2', '9'],
  confirm: ['是的', '没有', 'yes', 'no', '1', '对'],
  address: ['天津市北辰区京津路100号', '我住在天津市河北区中山路8号', 'No. 12 Fujin Road, Beichen District, Tianjin'],
};

/** Hostile input, and real answers with hostile pieces in them. */
const answersFor = (name: FieldTypeName): fc.Arbitrary<string> => fc.oneof(hostileText, garnished(GOOD_ANSWERS[name]));

const context = (locale: Locale, options: FieldOptions): FieldContext => ({ locale, today: TODAY, options });

/**
 * The re-ask a field type gives when its own code threw: defineFieldType hides the throw from
 * the filer, so the fuzz must look for this text to see it. An utterance that cannot even be
 * turned into a string makes the wrapper answer it.
 */
function crashReask(type: FieldType, locale: Locale): string {
  const unprintable = { toString: () => { throw new Error('unprintable'); } };
  const r = type.parse(unprintable as unknown as string, context(locale, {}));
  if (r.ok) throw new Error(`${type.name} parsed an unprintable utterance`);
  return r.error;
}

/** Everything a spoken fragment must be: well-formed, and no element but the project's own breaks. */
function expectSafeSsml(fragment: string, what: string): void {
  const doc = `<speak>${fragment}</speak>`;
  expect(xmlProblem(doc), `${what}: ${JSON.stringify(fragment)}`).toBeNull();
  const foreign = xmlElements(doc).filter((name) => name !== 'speak' && name !== 'break');
  expect(foreign, `${what}: ${JSON.stringify(fragment)}`).toEqual([]);
  for (const name of xmlElements(doc)) expect(SSML_ELEMENTS.has(name)).toBe(true);
}

describe.each(FIELD_TYPE_NAMES)('fuzz: the %s field type', (name) => {
  const type = getFieldType(name);

  it.each(LOCALES)('reads hostile answers in %s into a value or a kind re-ask, never a crash', (locale) => {
    const crashed = crashReask(type, locale);
    fc.assert(
      fc.property(answersFor(name), optionsFor(name), (input, options) => {
        const ctx = context(locale, options);
        const started = performance.now();
        const result = type.parse(input, ctx);
        // A filer at a kiosk waits for every answer: no input may take long to read.
        expect(performance.now() - started).toBeLessThan(250);
        if (result.ok) {
          expect(['string', 'number', 'boolean']).toContain(typeof result.value);
          if (typeof result.value === 'number') expect(Number.isFinite(result.value)).toBe(true);
          // What the parser accepts, the same type accepts again when a draft is resumed.
          expect(type.validate(result.value, ctx)).toBeNull();
          expectSafeSsml(type.speak(result.value, locale, options), 'speak');
          const written = type.format(result.value, locale, options);
          expect(typeof written).toBe('string');
          // The document is printed: nothing invisible or reordering may reach it.
          expect(written).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/);
          for (const filled of Object.values(result.fills ?? {})) expect(['string', 'number', 'boolean']).toContain(typeof filled);
        } else {
          expect(result.error, 'the field type threw inside').not.toBe(crashed);
          expect(result.error.length).toBeGreaterThan(5);
          if (locale === 'zh-CN') expect(result.error).toMatch(CJK);
          else expect(result.error).not.toMatch(CJK);
          // A re-ask is the bot's own sentence: it never carries the filer's markup back.
          expect(result.error).not.toMatch(/[<>]|\{\{|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        }
      }),
      fuzzRuns(200),
    );
  });

  it('validates, formats and speaks any stored value without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.anything()), fc.constantFrom(...LOCALES), optionsFor(name), (value, locale, options) => {
        const problem = type.validate(value, context(locale, options));
        expect(problem === null || typeof problem === 'string').toBe(true);
        const stored = value as string;
        expect(typeof type.format(stored, locale, options)).toBe('string');
        const spoken = type.speak(stored, locale, options);
        expect(typeof spoken).toBe('string');
        expectSafeSsml(spoken, 'speak of a stored value');
      }),
      fuzzRuns(60),
    );
  });
});
