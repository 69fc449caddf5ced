import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import {
  FIELD_TYPE_NAMES, fieldTypes, getFieldType, type FieldContext, type FieldOptions, type FieldTypeName,
} from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const CHOICES: FieldOptions['choices'] = [
  { value: 'cash', title: { 'zh-CN': '现金', 'en-US': 'Cash' } },
  { value: 'transfer', title: { 'zh-CN': '银行转账', 'en-US': 'Bank transfer' } },
];

/** Inputs a kiosk, a phone recognizer or a curious visitor may send. */
const HOSTILE: string[] = [
  '',
  '   ',
  '\n\t\r',
  'a'.repeat(5000),
  '五'.repeat(5000),
  '1'.repeat(5000),
  '一万'.repeat(2500),
  '😀👍🏽🇨🇳',
  '<script>alert(1)</script>',
  '<b>王小明</b>',
  '{{constructor.constructor("return process")()}}',
  '{{> partial}}',
  '\u0000\u0001\u0007\u001b[31m\u007f\u0085',
  '\uD800\uDC00\uD800',
  '\u202Eevil\u202C',
  '<speak><break time="99999s"/></speak>',
  ']]><!--',
  '&amp;&lt;&#0;',
  "'; DROP TABLE complaints; --",
  '${process.exit(1)}',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1.2.3.4',
  '点点点',
  '零零零',
  '万亿亿万',
  '第',
  '年月日',
  '99999999999999999999999',
  '13812345678<br>',
  '120113195203140028 & 11010519491231002X',
];

const NOT_STRINGS: unknown[] = [undefined, null, 42, {}, [], true];

const CJK = /[\u4E00-\u9FFF]/;

function optionsFor(name: FieldTypeName): FieldOptions {
  return name === 'choice' ? { choices: CHOICES } : {};
}
function ctx(name: FieldTypeName, locale: Locale, extra: FieldOptions = {}): FieldContext {
  return { locale, today: '2024-06-15', options: { ...optionsFor(name), ...extra } };
}

describe('field registry', () => {
  it('has one field type per CONTRACT §3 name', () => {
    expect(Object.keys(fieldTypes).sort()).toEqual([...FIELD_TYPE_NAMES].sort());
    for (const name of FIELD_TYPE_NAMES) {
      expect(getFieldType(name).name).toBe(name);
      expect(fieldTypes[name]).toBe(getFieldType(name));
    }
  });
  it('returns undefined for an unknown name', () => {
    expect(getFieldType('signature')).toBeUndefined();
    expect(getFieldType('__proto__')).toBeUndefined();
  });
});

describe.each(FIELD_TYPE_NAMES)('%s never throws and never leaks markup', (name) => {
  const type = getFieldType(name);
  for (const locale of ['zh-CN', 'en-US'] as Locale[]) {
    it(`parses hostile input in ${locale} into a value or a kind re-ask in that language`, () => {
      for (const input of HOSTILE) {
        const started = performance.now();
        const r = type.parse(input, ctx(name, locale));
        expect(performance.now() - started).toBeLessThan(200);
        if (r.ok) {
          expect(['string', 'number', 'boolean']).toContain(typeof r.value);
          expect(type.validate(r.value, ctx(name, locale))).toBeNull();
          const spoken = type.speak(r.value, locale, optionsFor(name));
          expect(checkWellFormed(spoken, { fragment: true })).toBeNull();
          expect(spoken).not.toMatch(/<(?!break time="\d+ms"\/>)/);
          expect(typeof type.format(r.value, locale, optionsFor(name))).toBe('string');
        } else {
          expect(r.error.length).toBeGreaterThan(5);
          if (locale === 'zh-CN') expect(r.error).toMatch(CJK);
          else expect(r.error).not.toMatch(CJK);
          // A re-ask never repeats the filer's raw input (which could be markup).
          expect(r.error).not.toContain('<script');
          expect(r.error).not.toContain('{{');
        }
      }
    });
  }

  it('survives non-string input, a broken context and odd stored values', () => {
    for (const input of NOT_STRINGS) {
      const r = type.parse(input as string, ctx(name, 'zh-CN'));
      expect(typeof r.ok).toBe('boolean');
      expect(typeof type.validate(input, ctx(name, 'en-US'))).toMatch(/string|object/);
      expect(typeof type.format(input as string, 'zh-CN')).toBe('string');
      expect(checkWellFormed(type.speak(input as string, 'en-US'), { fragment: true })).toBeNull();
    }
    const broken = type.parse('1', { locale: 'xx' as Locale, today: 'not a date', options: undefined as unknown as FieldOptions });
    expect(typeof broken.ok).toBe('boolean');
    for (const odd of ['<x>&', Number.NaN, -1, '\u0000']) {
      expect(checkWellFormed(type.speak(odd as string, 'zh-CN', optionsFor(name)), { fragment: true })).toBeNull();
    }
  });
});

describe('a 5,000-character answer is handled quickly for every type', () => {
  it('stays well under the time budget', () => {
    const long = '我借给他五万块钱，'.repeat(600);
    const started = performance.now();
    for (const name of FIELD_TYPE_NAMES) {
      for (const locale of ['zh-CN', 'en-US'] as Locale[]) getFieldType(name).parse(long, ctx(name, locale));
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
