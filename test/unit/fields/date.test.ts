import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const date = getFieldType('date');
// A Saturday: last Friday is yesterday, 上周五 is the Friday of the week before.
const TODAY = '2024-06-15';
const ctx = (locale: Locale, options: FieldOptions = {}, today = TODAY) => ({ locale, today, options });
const valueOf = (s: string, options: FieldOptions = {}, locale: Locale = 'zh-CN', today = TODAY) => {
  const r = date.parse(s, ctx(locale, options, today));
  return r.ok ? r.value : `error: ${r.error}`;
};
const errorOf = (s: string, options: FieldOptions = {}, locale: Locale = 'zh-CN', today = TODAY) => {
  const r = date.parse(s, ctx(locale, options, today));
  return r.ok ? `ok: ${String(r.value)}` : r.error;
};

describe('date: absolute dates', () => {
  it.each([
    ['2024年3月5日', '2024-03-05'],
    ['2024年3月5号', '2024-03-05'],
    ['2024-03-05', '2024-03-05'],
    ['2024/3/5', '2024-03-05'],
    ['2024.3.5', '2024-03-05'],
    ['24.3.5', '2024-03-05'],
    ['２０２４年３月５日', '2024-03-05'],
    ['二零二四年三月五日', '2024-03-05'],
    ['二〇二四年三月五号', '2024-03-05'],
    ['二零零五年十二月三十一日', '2005-12-31'],
    ['2024年3月5日下午3点', '2024-03-05'],
    ['大概是2024年3月5日', '2024-03-05'],
    ['我是2024年3月5日借给他的', '2024-03-05'],
    ['3月5日', '2024-03-05'],
    ['一月二十三', '2024-01-23'], // the recognizer reads this as 2 January
    ['一月二十三日', '2024-01-23'],
  ])('zh %s → %s', (text, iso) => {
    expect(valueOf(text, { past: true })).toBe(iso);
  });

  it.each([
    ['March 5 2024', '2024-03-05'],
    ['March 5th, 2024', '2024-03-05'],
    ['5 March 2024', '2024-03-05'],
    ['the 5th of March, 2024', '2024-03-05'],
    ['on March fifth 2024', '2024-03-05'],
    ['Dec 31 2023', '2023-12-31'],
    ['2024-03-05', '2024-03-05'],
    ['March 5', '2024-03-05'],
    ['13/3/2024', '2024-03-13'],
    ['3/13/2024', '2024-03-13'],
  ])('en %s → %s', (text, iso) => {
    expect(valueOf(text, { past: true }, 'en-US')).toBe(iso);
  });

  it('puts a month and day without a year in this year, or last year when past and still ahead', () => {
    expect(valueOf('12月5日', {})).toBe('2024-12-05');
    expect(valueOf('12月5日', { past: true })).toBe('2023-12-05');
    expect(valueOf('December 5', { past: true }, 'en-US')).toBe('2023-12-05');
    expect(valueOf('12月5日', { past: true }, 'zh-CN', '2024-01-10')).toBe('2023-12-05');
    expect(valueOf('1月5日', { future: true }, 'zh-CN', '2024-06-15')).toBe('2025-01-05');
  });

  it('asks which is the month when 3/5/2024 could be either', () => {
    expect(errorOf('3/5/2024', {}, 'en-US')).toMatch(/month as a word/);
    expect(errorOf('3/5/2024')).toContain('年月日');
  });
});

describe('date: relative dates count from ctx.today', () => {
  it.each([
    ['今天', '2024-06-15'],
    ['昨天', '2024-06-14'],
    ['前天', '2024-06-13'],
    ['大前天', '2024-06-12'],
    ['三天前', '2024-06-12'],
    ['3天前', '2024-06-12'],
    ['3天以前', '2024-06-12'],
    ['两周前', '2024-06-01'],
    ['两个星期前', '2024-06-01'],
    ['半个月前', '2024-05-31'],
    ['三个月前', '2024-03-15'],
    ['一年前', '2023-06-15'],
    ['上个月5号', '2024-05-05'],
    ['上月5日', '2024-05-05'],
    ['这个月一号', '2024-06-01'],
    ['上周五', '2024-06-07'],
    ['上个星期五', '2024-06-07'],
    ['这周一', '2024-06-10'],
    ['周五', '2024-06-14'],
    ['星期六', '2024-06-15'],
    ['去年10月5日', '2023-10-05'],
    ['yesterday', '2024-06-14'],
    ['the day before yesterday', '2024-06-13'],
    ['3 days ago', '2024-06-12'],
    ['three days ago', '2024-06-12'],
    ['a week ago', '2024-06-08'],
    ['two weeks ago', '2024-06-01'],
    ['last Friday', '2024-06-14'],
    ['last Saturday', '2024-06-08'],
    ['this Monday', '2024-06-10'],
    ['the 5th of last month', '2024-05-05'],
  ])('%s → %s', (text, iso) => {
    expect(valueOf(text, { past: true })).toBe(iso);
  });

  it.each([
    ['三天后', '2024-06-18'],
    ['3天后', '2024-06-18'],
    ['3天以后', '2024-06-18'],
    ['明天', '2024-06-16'],
    ['后天', '2024-06-17'],
    ['下周一', '2024-06-17'],
    ['下个月10号', '2024-07-10'],
    ['next Monday', '2024-06-17'],
    ['in 3 days', '2024-06-18'],
    ['tomorrow', '2024-06-16'],
    ['周五', '2024-06-21'],
  ])('future %s → %s', (text, iso) => {
    expect(valueOf(text, { future: true })).toBe(iso);
  });

  it('clamps month arithmetic to the end of the month', () => {
    expect(valueOf('一个月前', {}, 'zh-CN', '2024-03-31')).toBe('2024-02-29');
    expect(valueOf('1 month ago', {}, 'en-US', '2023-03-31')).toBe('2023-02-28');
  });
});

describe('date: inputs that break the date-time recognizer (STACK-NOTES)', () => {
  it.each(['三天后', '3天后', '两周前', '2018年10月', '一月二十三', '明天下午三点', '上周五'])('%s never throws and gives a date or a kind re-ask', (text) => {
    for (const options of [{}, { past: true }, { future: true }, { allowMonth: true }] as FieldOptions[]) {
      for (const locale of ['zh-CN', 'en-US'] as Locale[]) {
        const r = date.parse(text, ctx(locale, options));
        if (r.ok) expect(r.value).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
        else expect(r.error.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('date: month only', () => {
  it('gives YYYY-MM when allowMonth', () => {
    expect(valueOf('2018年10月', { allowMonth: true })).toBe('2018-10');
    expect(valueOf('二零一八年十月', { allowMonth: true })).toBe('2018-10');
    expect(valueOf('October 2018', { allowMonth: true }, 'en-US')).toBe('2018-10');
    expect(valueOf('去年十月', { allowMonth: true })).toBe('2023-10');
    expect(valueOf('last October', { allowMonth: true }, 'en-US')).toBe('2023-10');
    expect(valueOf('10月', { allowMonth: true, past: true })).toBe('2023-10');
  });
  it('otherwise asks for the day, naming the month', () => {
    expect(errorOf('2018年10月')).toMatch(/2018年10月的哪一天.*2018年10月5日/);
    expect(errorOf('October 2018', {}, 'en-US')).toMatch(/Which day in October 2018\? For example "5 October 2018"/);
  });
  it('asks for month and day for a year alone', () => {
    expect(errorOf('去年')).toContain('2023年的几月几日');
    expect(errorOf('2020', {}, 'en-US')).toContain('Which month and day in 2020');
  });
});

describe('date: refusing', () => {
  it('refuses future dates for past fields, kindly, saying what was heard', () => {
    expect(errorOf('2030年1月1日', { past: true })).toMatch(/2030年1月1日.*不能晚于今天/);
    expect(errorOf('明天', { past: true })).toContain('2024年6月16日');
    expect(errorOf('next Monday', { past: true }, 'en-US')).toMatch(/17 June 2024.*not after today/);
    expect(errorOf('2030年1月', { past: true, allowMonth: true })).toContain('不能晚于今天');
  });
  it('refuses past dates for future fields', () => {
    expect(errorOf('昨天', { future: true })).toContain('今天或以后');
    expect(errorOf('yesterday', { future: true }, 'en-US')).toContain('today or a later day');
  });
  it('accepts today for both past and future fields', () => {
    expect(valueOf('今天', { past: true })).toBe(TODAY);
    expect(valueOf('today', { future: true }, 'en-US')).toBe(TODAY);
  });
  it('refuses impossible dates, saying why', () => {
    expect(errorOf('2月30日')).toBe('2024年2月没有30日。请再说一遍日期，比如“2024年3月5日”。');
    expect(errorOf('2023年2月29日')).toContain('2023年2月没有29日');
    expect(valueOf('2024年2月29日')).toBe('2024-02-29');
    expect(errorOf('February 30 2023', {}, 'en-US')).toContain('February 2023 has no day 30');
    expect(errorOf('2024年13月1日')).toContain('没有13月');
    expect(errorOf('1850年1月1日')).toContain('年份好像不对');
  });
  it('re-asks with examples when it cannot read the answer', () => {
    expect(errorOf('不记得了')).toMatch(/没听懂这个日期.*2024年3月5日/);
    expect(errorOf('some day', {}, 'en-US')).toMatch(/did not understand that date.*5 March 2024/);
    expect(errorOf('初五')).toContain('没听懂');
  });
});

describe('date: format, speak, validate', () => {
  it('formats zh 2024年3月5日 / 2018年10月, en 5 March 2024 / October 2018', () => {
    expect(date.format('2024-03-05', 'zh-CN')).toBe('2024年3月5日');
    expect(date.format('2018-10', 'zh-CN')).toBe('2018年10月');
    expect(date.format('2024-03-05', 'en-US')).toBe('5 March 2024');
    expect(date.format('2018-10', 'en-US')).toBe('October 2018');
  });
  it('speaks Chinese dates in words (year digit by digit) and English naturally', () => {
    expect(date.speak('2024-03-05', 'zh-CN')).toBe('二零二四年三月五日');
    expect(date.speak('2023-12-31', 'zh-CN')).toBe('二零二三年十二月三十一日');
    expect(date.speak('2018-10', 'zh-CN')).toBe('二零一八年十月');
    expect(date.speak('2024-03-05', 'en-US')).toBe('5 March 2024');
    expect(checkWellFormed(date.speak('<x>', 'zh-CN'), { fragment: true })).toBeNull();
  });
  it('round-trips: what format writes, parse reads back', () => {
    for (const iso of ['2024-03-05', '1999-12-31', '2000-02-29']) {
      expect(valueOf(date.format(iso, 'zh-CN'))).toBe(iso);
      expect(valueOf(date.format(iso, 'en-US'), {}, 'en-US')).toBe(iso);
    }
  });
  it('validates stored values with the same rules', () => {
    expect(date.validate('2024-03-05', ctx('zh-CN', { past: true }))).toBeNull();
    expect(date.validate('2030-03-05', ctx('zh-CN', { past: true }))).toContain('不能晚于今天');
    expect(date.validate('2024-02-30', ctx('zh-CN'))).toContain('没有30日');
    expect(date.validate('2018-10', ctx('zh-CN', { allowMonth: true }))).toBeNull();
    expect(date.validate('2018-10', ctx('en-US'))).toContain('specific day');
    expect(date.validate('March 5', ctx('en-US'))).toContain('A date is needed');
    expect(date.validate(20240305, ctx('zh-CN'))).toBeTypeOf('string');
  });
});
