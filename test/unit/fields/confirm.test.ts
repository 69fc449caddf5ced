import { describe, expect, it } from 'vitest';
import { confirmChoices, getFieldType } from '../../../src/interview/fields/index.js';
import type { Locale } from '../../../src/i18n.js';

const confirm = getFieldType('confirm');
const ctx = (locale: Locale) => ({ locale, today: '2024-06-15', options: {} });
const valueOf = (s: string, locale: Locale = 'zh-CN') => {
  const r = confirm.parse(s, ctx(locale));
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('confirm', () => {
  it.each([
    '是', '对', '对的', '好', '好的', '嗯', '嗯嗯', '可以', '有', '没错', '是的', '确定', '有的', '是的。', '对，没错', '是的，不过还了一部分',
    '我有借条', '有借条', '当然', '行', 'yes', 'Yes!', 'yeah', 'yep', 'y', 'ok', 'OK', 'okay', 'sure', 'right', 'correct', "that's right",
    'yes please', 'I have an IOU', '1', '１',
  ])('%s → true', (text) => {
    expect(valueOf(text)).toBe(true);
  });

  it.each([
    '不', '不是', '不对', '不要', '不用', '不用了', '没有', '没', '无', '否', '我不是', '没有借条', '没借条', '好像没有', '不是的',
    'no', 'No.', 'nope', 'n', 'nah', 'wrong', 'not really', "I don't", 'I have no IOU', "that's not right", 'no, thanks', '2',
  ])('%s → false', (text) => {
    expect(valueOf(text, 'en-US')).toBe(false);
  });

  it('lets 不 beat 是 inside a word (不是 → false) while 没错 and 不错 mean yes', () => {
    expect(valueOf('不是')).toBe(false);
    expect(valueOf('没错')).toBe(true);
    expect(valueOf('不错')).toBe(true);
  });

  it('re-asks kindly when the answer is unclear or unsure', () => {
    expect(valueOf('随便')).toContain('请说“是”或“不是”');
    expect(valueOf('banana', 'en-US')).toContain('Please say "yes" or "no"');
    expect(valueOf('不知道')).toContain('不确定也没关系');
    expect(valueOf('不确定')).toContain('不确定也没关系');
    expect(valueOf("I don't know", 'en-US')).toContain('not sure');
    expect(valueOf('maybe', 'en-US')).toContain('not sure');
    expect(valueOf('')).toContain('按1');
    expect(valueOf('3')).toMatch(/^error:/);
  });

  it('formats 是/否 and Yes/No, speaks the same, validates booleans', () => {
    expect(confirm.format(true, 'zh-CN')).toBe('是');
    expect(confirm.format(false, 'zh-CN')).toBe('否');
    expect(confirm.format(true, 'en-US')).toBe('Yes');
    expect(confirm.format(false, 'en-US')).toBe('No');
    expect(confirm.speak(false, 'zh-CN')).toBe('否');
    expect(confirm.validate(true, ctx('zh-CN'))).toBeNull();
    expect(confirm.validate('yes', ctx('zh-CN'))).toBeTypeOf('string');
  });

  it('offers yes/no choices on keys 1 and 2 whose titles parse back', () => {
    expect(confirmChoices.map((c) => c.dtmf)).toEqual(['1', '2']);
    for (const c of confirmChoices) {
      for (const locale of ['zh-CN', 'en-US'] as Locale[]) {
        expect(valueOf(c.title[locale], locale)).toBe(c.value === 'yes');
        expect(valueOf(c.value, locale)).toBe(c.value === 'yes');
      }
    }
  });
});

describe('confirm: answering with the verb', () => {
  const ctx = { locale: 'zh-CN' as const, today: '2026-11-28', options: {} };
  it('reads 催过 / 签了 / 交过了 as yes and 没催过 / 没签 as no', () => {
    for (const said of ['催过', '签了', '交过了', '要过了', '打过']) expect(confirm.parse(said, ctx), said).toEqual({ ok: true, value: true });
    for (const said of ['没催过', '没签', '没交过']) expect(confirm.parse(said, ctx), said).toEqual({ ok: true, value: false });
  });
});
