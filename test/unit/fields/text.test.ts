import { describe, expect, it } from 'vitest';
import { checkWellFormed } from '../../../src/speech/ssml.js';
import { getFieldType, type FieldOptions } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const text = getFieldType('text');
const ctx = (locale: Locale, options: FieldOptions = {}) => ({ locale, today: '2024-06-15', options });
const valueOf = (s: string, locale: Locale = 'zh-CN', options: FieldOptions = {}) => {
  const r = text.parse(s, ctx(locale, options));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('text', () => {
  it('trims, collapses whitespace and strips control characters', () => {
    expect(valueOf('  他借了钱\n\n  一直不还。 ')).toBe('他借了钱 一直不还。');
    expect(valueOf('a\u0000b\u0007c\u202Ed\u200Be')).toBe('abcde');
    expect(valueOf('tab\there')).toBe('tab here');
  });
  it('keeps HTML and template syntax as text (the templates escape it)', () => {
    expect(valueOf('<b>他</b> {{x}} & 我')).toBe('<b>他</b> {{x}} & 我');
  });
  it('keeps emoji', () => {
    expect(valueOf('还钱😀')).toBe('还钱😀');
  });
  it('refuses empty answers, in both languages', () => {
    expect(valueOf('')).toContain('没有听到内容');
    expect(valueOf(' \n\u0000 ', 'en-US')).toContain('did not catch anything');
  });
  it('refuses text over options.maxLength (default 2000), counting characters', () => {
    expect(valueOf('字'.repeat(2000))).toBe('字'.repeat(2000));
    expect(valueOf('字'.repeat(2001))).toContain('最多2000个字');
    expect(valueOf('abcdef', 'en-US', { maxLength: 5 })).toContain('at most 5 characters');
    expect(valueOf('😀'.repeat(5), 'zh-CN', { maxLength: 5 })).toBe('😀'.repeat(5));
  });
  it('speak escapes markup so SSML stays well-formed', () => {
    const s = text.speak('<speak>1 < 2 & 3</speak>', 'zh-CN');
    expect(s).toBe('&lt;speak&gt;1 &lt; 2 &amp; 3&lt;/speak&gt;');
    expect(checkWellFormed(s, { fragment: true })).toBeNull();
  });
  it('format returns the text; validate checks stored values', () => {
    expect(text.format('<b>x</b>', 'zh-CN')).toBe('<b>x</b>');
    expect(text.validate('一些话', ctx('zh-CN'))).toBeNull();
    expect(text.validate('', ctx('zh-CN'))).toContain('没有听到内容');
    expect(text.validate(5, ctx('en-US'))).toBeTypeOf('string');
  });
});
