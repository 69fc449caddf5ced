import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, type ChoiceOption, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const choice = getFieldType('choice');
const METHODS: ChoiceOption[] = [
  { value: 'cash', title: { 'zh-CN': '现金', 'en-US': 'Cash' } },
  {
    value: 'transfer',
    title: { 'zh-CN': '银行转账', 'en-US': 'Bank transfer' },
    synonyms: { 'zh-CN': ['转账', '微信', '支付宝', '打款'], 'en-US': ['wechat', 'alipay', 'wire'] },
  },
  { value: 'other', title: { 'zh-CN': '其他', 'en-US': 'Other' } },
];
const options: FieldOptions = { choices: METHODS };
const ctx = (locale: Locale, o: FieldOptions = options) => ({ locale, today: '2024-06-15', options: o });
const valueOf = (s: string, locale: Locale = 'zh-CN', o: FieldOptions = options) => {
  const r = choice.parse(s, ctx(locale, o));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('choice: by number, key or position', () => {
  it.each([
    ['1', 'cash'], ['2', 'transfer'], ['3', 'other'], ['１', 'cash'],
    ['第一个', 'cash'], ['第二项', 'transfer'], ['第三种', 'other'], ['选2', 'transfer'], ['二', 'transfer'], ['2号', 'transfer'],
    ['one', 'cash'], ['two', 'transfer'], ['the second one', 'transfer'], ['number 3', 'other'], ['option two', 'transfer'], ['first', 'cash'],
  ])('%s → %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('honours a custom dtmf key before positions', () => {
    const withKeys: FieldOptions = { choices: [{ ...METHODS[0]!, dtmf: '9' }, { ...METHODS[1]!, dtmf: '1' }] };
    expect(valueOf('1', 'zh-CN', withKeys)).toBe('transfer');
    expect(valueOf('9', 'zh-CN', withKeys)).toBe('cash');
    expect(valueOf('第一个', 'zh-CN', withKeys)).toBe('cash');
  });
  it('refuses a position beyond the list', () => {
    expect(valueOf('4')).toMatch(/^error:/);
    expect(valueOf('第五个')).toMatch(/^error:/);
  });
});

describe('choice: by words', () => {
  it.each([
    ['现金', 'cash'], ['cash', 'cash'], ['Cash', 'cash'], ['transfer', 'transfer'], ['银行转账', 'transfer'], ['Bank Transfer', 'transfer'],
    ['微信', 'transfer'], ['其他', 'other'], ['other', 'other'],
    ['我选银行转账', 'transfer'], ['是用微信转的', 'transfer'], ['给的现金', 'cash'], ['通过支付宝打款的', 'transfer'],
    ['by bank transfer', 'transfer'], ['I paid him in cash', 'cash'], ['through WeChat', 'transfer'],
    ['不是现金，是转账', 'transfer'], ['not cash, a wire', 'transfer'],
  ])('%s → %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('prefers the longer words: 银行转账 is transfer even though 转账 is also listed', () => {
    const overlapping: FieldOptions = {
      choices: [
        { value: 'bank', title: { 'zh-CN': '银行转账', 'en-US': 'Bank transfer' } },
        { value: 'any', title: { 'zh-CN': '转账', 'en-US': 'Transfer' } },
      ],
    };
    expect(valueOf('我是银行转账的', 'zh-CN', overlapping)).toBe('bank');
  });
});

describe('choice: re-asking', () => {
  it('lists the options when nothing matches (zh quotes, 也可以说序号)', () => {
    expect(valueOf('随便')).toBe('error: 没听清您选的是哪一项。请说“现金”、“银行转账”或“其他”，也可以说序号。');
    expect(valueOf('whatever', 'en-US')).toBe('error: I did not catch which one you chose. Please say "Cash", "Bank transfer" or "Other", or say its number.');
  });
  it('lists the options when two match', () => {
    expect(valueOf('现金和转账都有')).toContain('不止一项');
    expect(valueOf('cash and wechat', 'en-US')).toContain('more than one option');
  });
  it('says so when the spec gives no choices', () => {
    expect(valueOf('1', 'zh-CN', {})).toContain('人工');
    expect(valueOf('1', 'en-US', { choices: [] })).toContain('person');
  });
});

describe('choice: format, speak, validate', () => {
  it('formats and speaks the title in the locale', () => {
    expect(choice.format('transfer', 'zh-CN', options)).toBe('银行转账');
    expect(choice.format('transfer', 'en-US', options)).toBe('Bank transfer');
    expect(choice.speak('cash', 'zh-CN', options)).toBe('现金');
    expect(choice.format('unknown', 'zh-CN', options)).toBe('unknown');
  });
  it('escapes titles when speaking', () => {
    const odd: FieldOptions = { choices: [{ value: 'a', title: { 'zh-CN': 'A & <B>', 'en-US': 'A & <B>' } }] };
    const s = choice.speak('a', 'en-US', odd);
    expect(s).toBe('A &amp; &lt;B&gt;');
    expect(checkWellFormed(s, { fragment: true })).toBeNull();
  });
  it('validates stored values against the choices', () => {
    expect(choice.validate('cash', ctx('zh-CN'))).toBeNull();
    expect(choice.validate('card', ctx('zh-CN'))).toContain('现金');
    expect(choice.validate(1, ctx('en-US'))).toContain('Cash');
  });
});
