import { describe, expect, it } from 'vitest';
import { getFieldType, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const name = getFieldType('name');
const ctx = (locale: Locale, options: FieldOptions = {}) => ({ locale, today: '2024-06-15', options });
const valueOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = name.parse(s, ctx(locale, options));
  return r.ok ? r.value : `error: ${r.error}`;
};
const errorOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = name.parse(s, ctx(locale, options));
  return r.ok ? `ok: ${String(r.value)}` : r.error;
};

describe('name: reading', () => {
  it.each([
    ['王小明', '王小明'],
    ['  王小明。 ', '王小明'],
    ['我叫王小明', '王小明'],
    ['我的名字是王小明', '王小明'],
    ['名字叫王小明', '王小明'],
    ['他叫李四', '李四'],
    ['姓名：王小明', '王小明'],
    ['王 小 明', '王小明'],
    ['王小明啊', '王小明'],
    ['买买提.艾力', '买买提·艾力'],
    ['我们公司是天津市北辰区某某建筑有限公司', '天津市北辰区某某建筑有限公司'],
    ['天津市第一建筑工程公司（北辰分公司）', '天津市第一建筑工程公司(北辰分公司)'],
    ['My name is John Smith.', 'John Smith'],
    ["I'm Li Lei", 'Li Lei'],
    ['I’m Li Lei', 'Li Lei'],
    ['It is ACME Trading Co', 'ACME Trading Co'],
    ['  Mary   Ann  ', 'Mary Ann'],
    ['为民', '为民'],
    ['名字是为民', '为民'],
    ['叫王小明', '王小明'],
  ])('%s → %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('a one-character name is fine', () => {
    expect(valueOf('磊')).toBe('磊');
  });
});

describe('name: refusing, asking for only the name', () => {
  it('refuses empty answers', () => {
    expect(errorOf('')).toContain('没有听到名字');
    expect(errorOf('我叫', 'en-US')).toContain('did not hear a name');
    expect(errorOf('   ')).toContain('请只说名字');
  });
  it('refuses digits only', () => {
    expect(errorOf('12345')).toContain('一串数字');
    expect(errorOf('138 1234 5678', 'en-US')).toContain('sounds like a number');
  });
  it.each(['<b>王小明</b>', '王<小明', '王小明>', '{{王小明}}', '王{小}明', '王\u0007小明', '王\u202E小明', '王\u0000明', '😀', '王小明😀', '!!!'])('refuses %j with a kind message', (text) => {
    expect(errorOf(text)).toContain('请只说名字');
    expect(errorOf(text, 'en-US')).toContain('Please say only the name');
  });
  it('refuses names longer than options.maxLength (default 50)', () => {
    expect(valueOf('王'.repeat(50))).toBe('王'.repeat(50));
    expect(errorOf('王'.repeat(51))).toContain('最多50个字');
    expect(errorOf('王小明', 'en-US', { maxLength: 2 })).toContain('at most 2 characters');
    expect(errorOf('x'.repeat(5000))).toContain('太长');
  });
  it('counts a rare CJK character (outside the BMP) once', () => {
    expect(valueOf('𠀋小明', 'zh-CN', { maxLength: 3 })).toBe('𠀋小明');
  });
});

describe('name: speak, format, validate', () => {
  it('escapes markup when speaking a stored value', () => {
    expect(name.speak('Tom & Jerry', 'en-US')).toBe('Tom &amp; Jerry');
    expect(name.speak('<王>', 'zh-CN')).toBe('&lt;王&gt;');
  });
  it('formats as stored', () => {
    expect(name.format('王小明', 'zh-CN')).toBe('王小明');
  });
  it('validates stored values', () => {
    expect(name.validate('王小明', ctx('zh-CN'))).toBeNull();
    expect(name.validate('<script>', ctx('zh-CN'))).toContain('请只说名字');
    expect(name.validate('', ctx('en-US'))).toContain('name');
    expect(name.validate(42, ctx('zh-CN'))).toBeTypeOf('string');
  });
});

describe('name: company abbreviations', () => {
  it('keeps the full stop of "Co., Ltd." and "Inc." but drops a sentence\'s', () => {
    const name = getFieldType('name');
    const ctx = { locale: 'en-US' as const, today: '2026-11-28', options: {} };
    expect(name.parse('Tianjin Example Construction Co., Ltd.', ctx)).toEqual({ ok: true, value: 'Tianjin Example Construction Co., Ltd.' });
    expect(name.parse('Acme Inc.', ctx)).toEqual({ ok: true, value: 'Acme Inc.' });
    expect(name.parse('My name is Zhang San.', ctx)).toEqual({ ok: true, value: 'Zhang San' });
  });
});
