import { describe, expect, it } from 'vitest';
import { getFieldType, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const address = getFieldType('address');
const ctx = (locale: Locale, options: FieldOptions = {}) => ({ locale, today: '2024-06-15', options });
const valueOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = address.parse(s, ctx(locale, options));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('address', () => {
  it.each([
    ['天津市北辰区京津路123号', '天津市北辰区京津路123号'],
    ['我住在天津市北辰区京津路123号。', '天津市北辰区京津路123号'],
    ['我家住天津市北辰区京津路１２３号', '天津市北辰区京津路123号'],
    ['地址是：河北省某县某乡某村', '河北省某县某乡某村'],
    ['天津市北辰区\u0007京津路\n123号', '天津市北辰区京津路 123号'],
    ['My address is 123 Jingjin Road, Beichen District, Tianjin', '123 Jingjin Road, Beichen District, Tianjin'],
    ['I live at 5 Main Street, Tianjin', '5 Main Street, Tianjin'],
  ])('%s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });
  it('asks for street and number when the answer is very short', () => {
    expect(valueOf('天津')).toMatch(/不够详细.*门牌号/);
    expect(valueOf('天津市北辰区')).toMatch(/不够详细/);
    expect(valueOf('Tianjin', 'en-US')).toMatch(/not detailed enough.*street.*number/);
  });
  it('refuses HTML-ish markup kindly', () => {
    expect(valueOf('<script>alert(1)</script>天津市北辰区京津路123号')).toContain('请只说地址');
    expect(valueOf('天津市{{x}}京津路123号', 'en-US')).toContain('Please say only the address');
  });
  it('refuses empty, digits only and too long', () => {
    expect(valueOf('')).toContain('没有听到地址');
    expect(valueOf('12345678')).toContain('一串数字');
    expect(valueOf(`天津市${'很'.repeat(200)}路1号`)).toContain('最多200个字');
    expect(valueOf('天津市北辰区京津路123号', 'en-US', { maxLength: 8 })).toContain('at most 8 characters');
  });
  it('speaks escaped, formats as stored, validates stored values', () => {
    expect(address.speak('A & B Road 1', 'en-US')).toBe('A &amp; B Road 1');
    expect(address.format('天津市北辰区京津路123号', 'zh-CN')).toBe('天津市北辰区京津路123号');
    expect(address.validate('天津市北辰区京津路123号', ctx('zh-CN'))).toBeNull();
    expect(address.validate('天津', ctx('zh-CN'))).toContain('不够详细');
    expect(address.validate(null, ctx('en-US'))).toBeTypeOf('string');
  });
});
