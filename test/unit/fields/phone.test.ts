import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const phone = getFieldType('phone');
const ctx = (locale: Locale) => ({ locale, today: '2024-06-15', options: {} });
const valueOf = (s: string, locale: Locale = 'zh-CN') => {
  const r = phone.parse(s, ctx(locale));
  return r.ok ? r.value : `error: ${r.error}`;
};
const errorOf = (s: string, locale: Locale = 'zh-CN') => {
  const r = phone.parse(s, ctx(locale));
  return r.ok ? `ok: ${String(r.value)}` : r.error;
};

describe('phone: mobiles', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+86-13812345678', '13812345678'],
    ['0086 13812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['幺三八幺二三四五六七八', '13812345678'],
    ['一三八 一二三四 五六七八', '13812345678'],
    ['我的手机号是13812345678', '13812345678'],
    ['my phone number is one three eight one two three four five six seven eight', '13812345678'],
    ['19912345678', '19912345678'],
  ])('%s → %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('refuses a wrong length, saying how many digits were heard', () => {
    expect(errorOf('1381234567')).toContain('我听到的是10位，手机号码应该是11位');
    expect(errorOf('138123456789', 'en-US')).toContain('I got 12 digits');
  });
  it('refuses a second digit outside 3-9', () => {
    expect(errorOf('12812345678')).toContain('第二位应该是3到9');
    expect(errorOf('10012345678', 'en-US')).toContain('second digit');
  });
});

describe('phone: landlines', () => {
  it.each([
    ['022-12345678', '022-12345678'],
    ['(022)12345678', '022-12345678'],
    ['（022）12345678', '022-12345678'],
    ['02212345678', '022-12345678'],
    ['022 1234 5678', '022-12345678'],
    ['零二二一二三四五六七八', '022-12345678'],
    ['010-1234567', '010-1234567'],
    ['0315-1234567', '0315-1234567'],
    ['03151234567', '0315-1234567'],
    ['+86 22 12345678', '022-12345678'],
  ])('%s → %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('asks for the area code for a bare 7-8 digit number', () => {
    expect(errorOf('12345678')).toContain('请连同区号一起说');
    expect(errorOf('2345678', 'en-US')).toContain('with the area code');
  });
  it('refuses a landline that does not fit', () => {
    expect(errorOf('022-123')).toContain('座机号码对不上');
    expect(errorOf('022-0123456', 'en-US')).toContain('landline number does not fit');
  });
});

describe('phone: other answers', () => {
  it('refuses letters and empty answers kindly', () => {
    expect(errorOf('不知道')).toContain('只有数字');
    expect(errorOf('call me maybe', 'en-US')).toContain('only digits');
    expect(errorOf('')).toContain('没有听到号码');
    expect(errorOf('95588')).toContain('号码对不上');
  });
});

describe('phone: speak, format, validate', () => {
  it('speaks a mobile 3-4-4, digit by digit, 1 as 幺', () => {
    const s = phone.speak('13812345678', 'zh-CN');
    expect(s).toBe('幺 三 八 <break time="300ms"/> 幺 二 三 四 <break time="300ms"/> 五 六 七 八');
    expect(checkWellFormed(s, { fragment: true })).toBeNull();
    expect(phone.speak('13812345678', 'en-US')).toMatch(/^one three eight <break/);
  });
  it('speaks a landline as area code, pause, number in two groups', () => {
    const s = phone.speak('022-12345678', 'zh-CN');
    expect(s).toBe('零 二 二 <break time="300ms"/> 幺 二 三 四 <break time="300ms"/> 五 六 七 八');
  });
  it('formats as stored and validates stored values', () => {
    expect(phone.format('022-12345678', 'zh-CN')).toBe('022-12345678');
    expect(phone.validate('13812345678', ctx('zh-CN'))).toBeNull();
    expect(phone.validate('022-12345678', ctx('zh-CN'))).toBeNull();
    expect(phone.validate('02212345678', ctx('zh-CN'))).toBeTypeOf('string'); // not the stored shape
    expect(phone.validate('12345', ctx('en-US'))).toBeTypeOf('string');
    expect(phone.validate(13812345678, ctx('en-US'))).toBeTypeOf('string');
  });
});
