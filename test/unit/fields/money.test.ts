import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, type FieldOptions, type ParseResult } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const money = getFieldType('money');
const ctx = (locale: Locale, options: FieldOptions = {}) => ({ locale, today: '2024-06-15', options });
const parse = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}): ParseResult => money.parse(s, ctx(locale, options));
const valueOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = parse(s, locale, options);
  return r.ok ? r.value : `error: ${r.error}`;
};
const errorOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = parse(s, locale, options);
  return r.ok ? `ok: ${String(r.value)}` : r.error;
};

describe('money: reading amounts', () => {
  it.each([
    ['五万', 50000],
    ['5万', 50000],
    ['3.5万', 35000],
    ['三万五千', 35000],
    ['三万五', 35000],
    ['三千五', 3500],
    ['五百块', 500],
    ['五百块钱', 500],
    ['50,000元', 50000],
    ['５０，０００元', 50000],
    ['¥2000', 2000],
    ['￥2000', 2000],
    ['2000.50', 2000.5],
    ['一百二十万', 1200000],
    ['两千', 2000],
    ['5 万元', 50000],
    ['人民币伍万元整', 50000],
    ['5w', 50000],
    ['三块五', 3.5],
    ['五元五角', 5.5],
    ['三千五百元五角五分', 3500.55],
    ['五元零五分', 5.05],
    ['我借给他五万块钱', 50000],
    ['借了两次，一共五万', 50000],
    ['2024年借给他5万', 50000],
    ['大概五万', 50000],
  ])('zh %s → %d', (text, n) => {
    expect(valueOf(text)).toBe(n);
  });

  it.each([
    ['fifty thousand', 50000],
    ['thirty five thousand', 35000],
    ['Thirty-five thousand yuan', 35000],
    ['3.5k', 3500],
    ['$500', 500],
    ['500 dollars', 500],
    ['50,000 yuan', 50000],
    ['RMB 2,000.50', 2000.5],
    ['I lent him one hundred and twenty thousand', 120000],
  ])('en %s → %d', (text, n) => {
    expect(valueOf(text, 'en-US')).toBe(n);
  });

  it('reads 一万零十二 as 10012, not 10002 as the recognizer does (STACK-NOTES)', () => {
    expect(valueOf('一万零十二')).toBe(10012);
    expect(valueOf('一万零一十二')).toBe(10012);
    expect(valueOf('10002')).toBe(10002);
  });
});

describe('money: refusing', () => {
  it('refuses negative amounts', () => {
    expect(errorOf('-500')).toContain('负数');
    expect(errorOf('负五百')).toContain('负数');
    expect(errorOf('minus 500', 'en-US')).toContain('negative');
  });
  it('refuses zero unless min is 0', () => {
    expect(errorOf('0')).toContain('大于零');
    expect(errorOf('zero', 'en-US')).toContain('more than zero');
    expect(valueOf('0', 'zh-CN', { min: 0 })).toBe(0);
    expect(valueOf('零', 'zh-CN', { min: 0 })).toBe(0);
  });
  it('refuses more than two decimals (amounts go down to the fen)', () => {
    expect(errorOf('2000.505')).toContain('小数点后两位');
    expect(errorOf('2000.505', 'en-US')).toContain('two places');
    expect(valueOf('1.2345万')).toBe(12345); // whole fen after the unit: fine
  });
  it('refuses amounts above max (default 1e10) and below min', () => {
    expect(errorOf('200亿')).toContain('太大');
    expect(errorOf('20 billion', 'en-US')).toContain('too large');
    expect(valueOf('100亿')).toBe(1e10);
    expect(errorOf('6万', 'zh-CN', { max: 50000 })).toContain('50,000元');
    expect(errorOf('50', 'en-US', { min: 100 })).toContain('at least 100 yuan');
  });
  it('refuses answers that are not numbers, kindly, in the filer\'s language', () => {
    expect(errorOf('不知道')).toMatch(/没听清金额.*五万元/);
    expect(errorOf('a lot', 'en-US')).toMatch(/did not catch the amount/);
    expect(errorOf('')).toContain('没听清金额');
  });
  it('refuses vague amounts (五万多, 几千) instead of guessing', () => {
    expect(errorOf('五万多')).toContain('确切');
    expect(errorOf('几千块')).toContain('确切');
    expect(errorOf('more than 5000', 'en-US')).toContain('exact');
  });
  it('asks for the amount alone when a sentence holds several candidates', () => {
    expect(errorOf('3000 or 4000', 'en-US')).toContain('several numbers');
    expect(errorOf('三千还是四千')).toContain('好几个数');
  });
});

describe('money: confirmation of large amounts', () => {
  it('asks to confirm at or above 10,000 by default', () => {
    expect(parse('9999')).toEqual({ ok: true, value: 9999 });
    expect(parse('10000')).toEqual({ ok: true, value: 10000, confirm: true });
    expect(parse('五万')).toEqual({ ok: true, value: 50000, confirm: true });
  });
  it('follows options.confirmAbove', () => {
    expect(parse('500', 'zh-CN', { confirmAbove: 100 })).toEqual({ ok: true, value: 500, confirm: true });
    expect(parse('50000', 'zh-CN', { confirmAbove: 1e6 })).toEqual({ ok: true, value: 50000 });
  });
});

describe('money: format, speak, validate', () => {
  it('formats for the document: zh figures with 元, en CNY', () => {
    expect(money.format(50000, 'zh-CN')).toBe('50,000元');
    expect(money.format(3500.5, 'zh-CN')).toBe('3,500.50元');
    expect(money.format(12, 'zh-CN')).toBe('12元');
    expect(money.format(50000, 'en-US')).toBe('CNY 50,000');
    expect(money.format(1234567.89, 'en-US')).toBe('CNY 1,234,567.89');
  });
  it('speaks the natural Chinese reading and English figures', () => {
    expect(money.speak(50000, 'zh-CN')).toBe('五万元');
    expect(money.speak(35000, 'zh-CN')).toBe('三万五千元');
    expect(money.speak(10012, 'zh-CN')).toBe('一万零一十二元');
    expect(money.speak(3500.5, 'zh-CN')).toBe('三千五百元五角');
    expect(money.speak(5.05, 'zh-CN')).toBe('五元零五分');
    expect(money.speak(2, 'zh-CN')).toBe('两元');
    expect(money.speak(50000, 'en-US')).toBe('50,000 yuan');
    for (const v of [0.01, 1e10, 3500.55]) expect(checkWellFormed(money.speak(v, 'zh-CN'), { fragment: true })).toBeNull();
  });
  it('validates stored values', () => {
    const zh = ctx('zh-CN');
    expect(money.validate(50000, zh)).toBeNull();
    expect(money.validate(3500.5, zh)).toBeNull();
    expect(money.validate('50000', zh)).toContain('金额');
    expect(money.validate(-1, zh)).toContain('负数');
    expect(money.validate(0.001, zh)).toContain('两位');
    expect(money.validate(Number.NaN, zh)).toBeTypeOf('string');
    expect(money.validate(2e10, ctx('en-US'))).toContain('too large');
  });
  it('round-trips: what format writes, parse reads back', () => {
    for (const v of [50000, 3500.5, 1234567.89, 12]) {
      expect(valueOf(money.format(v, 'zh-CN'))).toBe(v);
      expect(valueOf(money.format(v, 'en-US'), 'en-US')).toBe(v);
    }
  });
});
