import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const number = getFieldType('number');
const ctx = (locale: Locale, options: FieldOptions = {}) => ({ locale, today: '2024-06-15', options });
const valueOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = number.parse(s, ctx(locale, options));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('number: reading', () => {
  it.each([
    ['12', 12],
    ['十二', 12],
    ['一百零五', 105],
    ['两个', 2],
    ['三个孩子', 3],
    ['一点五', 1.5],
    ['1.5', 1.5],
    ['１２', 12],
    ['twelve', 12],
    ['one hundred and five', 105],
    ['two point five', 2.5],
    ['3.85%', 3.85],
    ['3.85％', 3.85],
    ['百分之三点八五', 3.85],
    ['年利率3.85%', 3.85],
    ['3.85 percent', 3.85],
    ['24%', 24],
    ['负三', -3],
    ['-3', -3],
    ['minus three', -3],
  ])('%s → %d', (text, n) => {
    expect(valueOf(text)).toBe(n);
  });
});

describe('number: options and refusals', () => {
  it('applies integer, min and max', () => {
    expect(valueOf('1.5', 'zh-CN', { integer: true })).toContain('整数');
    expect(valueOf('1.5', 'en-US', { integer: true })).toContain('whole number');
    expect(valueOf('0', 'zh-CN', { min: 1 })).toContain('不能小于1');
    expect(valueOf('101', 'en-US', { max: 100 })).toContain('cannot be more than 100');
    expect(valueOf('100', 'en-US', { max: 100, min: 100 })).toBe(100);
    expect(valueOf('-3', 'zh-CN', { min: 0 })).toContain('不能小于0');
  });
  it('refuses non-numbers, several numbers and vague numbers', () => {
    expect(valueOf('不知道')).toContain('没听清这个数');
    expect(valueOf('banana', 'en-US')).toContain('did not catch the number');
    expect(valueOf('3 or 4', 'en-US')).toContain('several numbers');
    expect(valueOf('十几个')).toContain('确切');
    expect(valueOf('')).toContain('没听清');
  });
});

describe('number: format, speak, validate', () => {
  it('formats figures, grouping long ones', () => {
    expect(number.format(3.85, 'zh-CN')).toBe('3.85');
    expect(number.format(12, 'en-US')).toBe('12');
    expect(number.format(1234567, 'en-US')).toBe('1,234,567');
  });
  it('speaks Chinese numbers naturally and English figures', () => {
    expect(number.speak(3.85, 'zh-CN')).toBe('三点八五');
    expect(number.speak(105, 'zh-CN')).toBe('一百零五');
    expect(number.speak(12, 'en-US')).toBe('12');
    expect(checkWellFormed(number.speak(Number.NaN, 'zh-CN'), { fragment: true })).toBeNull();
  });
  it('validates stored values with the options', () => {
    expect(number.validate(3, ctx('zh-CN', { integer: true }))).toBeNull();
    expect(number.validate(3.5, ctx('zh-CN', { integer: true }))).toContain('整数');
    expect(number.validate('3', ctx('en-US'))).toBeTypeOf('string');
    expect(number.validate(Number.POSITIVE_INFINITY, ctx('en-US'))).toBeTypeOf('string');
  });
});
