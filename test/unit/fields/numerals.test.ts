import { describe, expect, it } from 'vitest';
import { chineseNumber } from '../../../src/interview/fields/index.js';
import { numberSpans, parseChineseNumber, parseEnglishNumber, spokenDigits } from '../../../src/interview/fields/numerals.js';

describe('chineseNumber (natural reading for speech)', () => {
  it.each([
    [50000, '五万'],
    [35000, '三万五千'],
    [10012, '一万零一十二'],
    [2.5, '二点五'],
    [0, '零'],
    [7, '七'],
    [10, '十'],
    [12, '十二'],
    [20, '二十'],
    [105, '一百零五'],
    [110, '一百一十'],
    [200, '二百'],
    [1001, '一千零一'],
    [2000, '两千'],
    [3500, '三千五百'],
    [20000, '两万'],
    [22000, '两万两千'],
    [100000, '十万'],
    [110000, '十一万'],
    [1200000, '一百二十万'],
    [100000000, '一亿'],
    [100010000, '一亿零一万'],
    [100000005, '一亿零五'],
    [10000000000, '一百亿'],
    [3.85, '三点八五'],
    [0.5, '零点五'],
    [-3, '负三'],
  ])('%d → %s', (n, text) => {
    expect(chineseNumber(n)).toBe(text);
  });
  it('gives figures back for what it cannot read', () => {
    expect(chineseNumber(Number.NaN)).toBe('NaN');
    expect(chineseNumber(1e20)).toBe('100000000000000000000');
  });
});

describe('parseChineseNumber', () => {
  it.each([
    ['五万', 50000],
    ['三万五千', 35000],
    ['三万五', 35000],
    ['三千五', 3500],
    ['一百二', 120],
    ['十万五', 105000],
    ['一亿三', 130000000],
    ['一万零十二', 10012], // the Microsoft recognizer reads this as 10002
    ['一万零一十二', 10012],
    ['一万零五', 10005],
    ['一百零五', 105],
    ['十二', 12],
    ['两千', 2000],
    ['一百二十万', 1200000],
    ['壹拾贰万', 120000],
    ['二点五', 2.5],
    ['十二点五', 12.5],
    ['三点五万', 35000],
    ['零点五', 0.5],
    ['二零二四', 2024],
    ['幺三八', 138],
    ['3.5万', 35000],
    ['5万', 50000],
    ['3千5', 3500],
    ['1.15万', 11500], // no floating-point noise
  ])('%s → %d', (text, n) => {
    expect(parseChineseNumber(text)).toBe(n);
  });
  it.each(['', '三五万', '万', '三百四百', '一点', '十零', '五万万', 'abc', '一'.repeat(100)])('refuses %j', (text) => {
    expect(parseChineseNumber(text)).toBeNull();
  });
});

describe('parseEnglishNumber', () => {
  it.each([
    ['twelve', 12],
    ['fifty thousand', 50000],
    ['thirty five thousand', 35000],
    ['thirty-five thousand', 35000],
    ['one hundred and five', 105],
    ['a hundred', 100],
    ['one million two hundred thousand', 1200000],
    ['1.2 million', 1200000],
    ['3.5k', 3500],
    ['two point five', 2.5],
    ['zero', 0],
  ])('%s → %d', (text, n) => {
    expect(parseEnglishNumber(text)).toBe(n);
  });
  it.each(['one two', 'twenty thirty', 'thousand', 'hundred', 'five thousand thousand', 'banana', ''])('refuses %j', (text) => {
    expect(parseEnglishNumber(text)).toBeNull();
  });
});

describe('numberSpans', () => {
  const values = (s: string) => numberSpans(s).map((sp) => sp.value);
  it('finds the one number in a sentence', () => {
    expect(values('我借给他五万块钱')).toEqual([50000]);
    expect(values('I lent him fifty thousand yuan')).toEqual([50000]);
    expect(values('5 万元')).toEqual([50000]);
    expect(values('50,000元')).toEqual([50000]);
  });
  it('does not take everyday words for numbers', () => {
    expect(values('慢一点')).toEqual([]);
    expect(values('一共五万')).toEqual([50000]);
  });
  it('reports several numbers when there are several', () => {
    expect(values('借了两次，五万')).toEqual([2, 50000]);
  });
});

describe('spokenDigits', () => {
  it('maps spoken digits, including 幺 洞 拐 勾, and English digit words', () => {
    expect(spokenDigits('幺三八洞拐勾')).toBe('138079');
    expect(spokenDigits('one three eight oh double five')).toBe('1 3 8 0 55');
    expect(spokenDigits('１２３')).toBe('123');
  });
});
