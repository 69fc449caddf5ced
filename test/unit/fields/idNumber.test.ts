import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, idCheckChar, parseIdNumber } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const id = getFieldType('idNumber');
const TODAY = '2024-06-15';
const ctx = (locale: Locale) => ({ locale, today: TODAY, options: {} });
const errorOf = (s: string, locale: Locale = 'zh-CN') => {
  const r = id.parse(s, ctx(locale));
  return r.ok ? `ok: ${String(r.value)}` : r.error;
};

/** A valid 18-character number for a birth date and sequence, made with the GB 11643 rule. */
const make = (area: string, birth: string, seq: string) => `${area}${birth}${seq}${idCheckChar(`${area}${birth}${seq}`)}`;

describe('idNumber: the two documented valid numbers', () => {
  it('reads 11010519491231002X: born 1949-12-31, female (sequence 002 is even)', () => {
    expect(id.parse('11010519491231002X', ctx('zh-CN'))).toEqual({
      ok: true, value: '11010519491231002X', fills: { birthDate: '1949-12-31', gender: 'female' },
    });
  });
  it('reads 120113195203140028: born 1952-03-14, female', () => {
    expect(id.parse('120113195203140028', ctx('en-US'))).toEqual({
      ok: true, value: '120113195203140028', fills: { birthDate: '1952-03-14', gender: 'female' },
    });
  });
  it('gives male for an odd sequence digit', () => {
    const male = make('120113', '19800101', '013');
    const r = id.parse(male, ctx('zh-CN'));
    expect(r.ok && r.fills).toEqual({ birthDate: '1980-01-01', gender: 'male' });
  });
  it('does not reject unknown area codes', () => {
    const r = id.parse(make('999999', '19800101', '024'), ctx('zh-CN'));
    expect(r.ok).toBe(true);
  });
});

describe('idNumber: typed and spoken forms', () => {
  it.each([
    ['1101 0519 4912 3100 2x', '11010519491231002X'],
    ['110105-19491231-002X', '11010519491231002X'],
    ['１１０１０５１９４９１２３１００２Ｘ', '11010519491231002X'],
    ['一一零一零五一九四九一二三一零零二叉', '11010519491231002X'],
    ['幺幺洞幺洞五幺九四九幺二三幺洞洞二X', '11010519491231002X'],
    ['幺二零幺幺三 幺九五二零三幺四 零零二八', '120113195203140028'],
    ['我的身份证号是120113195203140028。', '120113195203140028'],
    ['身份证号码：120113195203140028', '120113195203140028'],
    ['my ID number is 11010519491231002x', '11010519491231002X'],
    ['one one zero one zero five one nine four nine one two three one zero zero two X', '11010519491231002X'],
  ])('%s → %s', (text, value) => {
    const r = id.parse(text, ctx('zh-CN'));
    expect(r.ok && r.value).toBe(value);
  });
});

describe('idNumber: legacy 15-digit numbers', () => {
  it('reads YYMMDD as 19YY and keeps the number as said', () => {
    expect(id.parse('120113520314002', ctx('zh-CN'))).toEqual({
      ok: true, value: '120113520314002', fills: { birthDate: '1952-03-14', gender: 'female' },
    });
    const r = id.parse('120113800101013', ctx('zh-CN'));
    expect(r.ok && r.fills).toEqual({ birthDate: '1980-01-01', gender: 'male' });
  });
  it('refuses an impossible birth date and an X in a 15-digit number', () => {
    expect(errorOf('120113520230002')).toContain('出生日期');
    expect(errorOf('12011352031400X')).toContain('X只会出现在');
  });
});

describe('idNumber: refusing, with a message that says what is wrong', () => {
  it('wrong check digit: says the last digit does not match', () => {
    expect(errorOf('120113195203140027')).toBe('身份证号码的最后一位校验码不对，可能有一位说错或听错了。请再核对一下，一位一位地说或输入。');
    expect(errorOf('11010519491231002Y', 'en-US')).toMatch(/digits|X/);
    expect(errorOf('110105194912310021', 'en-US')).toMatch(/last character.*does not match/);
  });
  it('impossible birth dates', () => {
    expect(errorOf(make('120113', '19520230', '002'))).toContain('出生日期（第7到14位）');
    expect(errorOf(make('120113', '19521301', '002'), 'en-US')).toContain('not a real date');
    expect(errorOf(make('120113', '18991231', '002'))).toContain('出生日期');
  });
  it('future births (after ctx.today)', () => {
    expect(errorOf(make('120113', '20240616', '002'))).toContain('在今天之后');
    expect(errorOf(make('120113', '20300101', '002'), 'en-US')).toContain('after today');
    expect(id.parse(make('120113', '20240615', '002'), ctx('zh-CN')).ok).toBe(true);
  });
  it('wrong length, saying how many digits were heard', () => {
    expect(errorOf('12011319520314002')).toContain('我听到的是17位');
    expect(errorOf('1201131952031400288', 'en-US')).toContain('I got 19 characters');
  });
  it('X anywhere but last', () => {
    expect(errorOf('1201131952031400X8')).toContain('最后一位');
  });
  it('letters and other text', () => {
    expect(errorOf('我不知道')).toContain('只说号码');
    expect(errorOf('abc', 'en-US')).toContain('only digits');
    expect(errorOf('')).toContain('没有听到号码');
  });
});

describe('parseIdNumber (reused to read age)', () => {
  it('returns normalized number, birth date and gender', () => {
    expect(parseIdNumber('11010519491231002x')).toEqual({ ok: true, normalized: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' });
  });
  it('returns { ok: false } for anything else, never throws', () => {
    expect(parseIdNumber('120113195203140027')).toEqual({ ok: false });
    expect(parseIdNumber('')).toEqual({ ok: false });
    expect(parseIdNumber(undefined as unknown as string)).toEqual({ ok: false });
    expect(parseIdNumber('1'.repeat(5000))).toEqual({ ok: false });
  });
  it('checks future births against the given today', () => {
    const n = make('120113', '20240616', '002');
    expect(parseIdNumber(n, '2024-06-15')).toEqual({ ok: false });
    expect(parseIdNumber(n, '2024-06-16').ok).toBe(true);
  });
});

describe('idNumber: speak, format, validate', () => {
  it('speaks digit by digit in groups 6-8-4 with 300 ms pauses, X as 叉 in Chinese', () => {
    const zh = id.speak('11010519491231002X', 'zh-CN');
    expect(zh).toBe('幺 幺 零 幺 零 五 <break time="300ms"/> 幺 九 四 九 幺 二 三 幺 <break time="300ms"/> 零 零 二 叉');
    expect(checkWellFormed(zh, { fragment: true })).toBeNull();
    const en = id.speak('120113195203140028', 'en-US');
    expect(en.split('<break time="300ms"/>')).toHaveLength(3);
    expect(en).toMatch(/^one two zero one one three /);
  });
  it('speaks a 15-digit number 6-6-3', () => {
    expect(id.speak('120113520314002', 'zh-CN').split('<break').length).toBe(3);
  });
  it('formats as stored', () => {
    expect(id.format('11010519491231002X', 'zh-CN')).toBe('11010519491231002X');
  });
  it('validates stored values', () => {
    expect(id.validate('11010519491231002X', ctx('zh-CN'))).toBeNull();
    expect(id.validate('11010519491231002x', ctx('zh-CN'))).toBeTypeOf('string'); // not normalized
    expect(id.validate('120113195203140027', ctx('zh-CN'))).toContain('校验码');
    expect(id.validate(120113195203140028, ctx('zh-CN'))).toBeTypeOf('string');
  });
});
