import { describe, expect, it } from 'vitest';
import { getFieldType } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const gender = getFieldType('gender');
const ctx = (locale: Locale) => ({ locale, today: '2024-06-15', options: {} });
const valueOf = (s: string, locale: Locale = 'zh-CN') => {
  const r = gender.parse(s, ctx(locale));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('gender', () => {
  it.each(['男', '男的', '男性', '先生', '我是男的', '他是男的。', 'male', 'Male', 'man', 'm', 'M', '1', '１', "I'm a man", 'he is male'])('%s → male', (text) => {
    expect(valueOf(text)).toBe('male');
  });
  it.each(['女', '女的', '女性', '女士', '我是女的', '她是女士', 'female', 'FEMALE', 'woman', 'f', '2', "I'm female", "I'm a woman", 'she is a woman'])('%s → female', (text) => {
    expect(valueOf(text, 'en-US')).toBe('female');
  });
  it('does not read the "male" inside "female"', () => {
    expect(valueOf('female')).toBe('female');
  });
  it('re-asks when both are said, or neither', () => {
    expect(valueOf('男女')).toContain('既有“男”也有“女”');
    expect(valueOf('male or female', 'en-US')).toContain('both');
    expect(valueOf('不知道')).toContain('请说“男”或“女”');
    expect(valueOf('3', 'en-US')).toContain('press 1 for male, 2 for female');
    expect(valueOf('')).toContain('按1');
  });
  it('does not guess from a negation', () => {
    expect(valueOf('不是男的')).toMatch(/^error:/);
    expect(valueOf('not male', 'en-US')).toMatch(/^error:/);
  });
  it('formats and speaks in the locale, validates stored values', () => {
    expect(gender.format('male', 'zh-CN')).toBe('男');
    expect(gender.format('female', 'zh-CN')).toBe('女');
    expect(gender.format('female', 'en-US')).toBe('Female');
    expect(gender.speak('male', 'en-US')).toBe('Male');
    expect(gender.validate('female', ctx('zh-CN'))).toBeNull();
    expect(gender.validate('F', ctx('zh-CN'))).toBeTypeOf('string');
  });
});
