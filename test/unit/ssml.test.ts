import { describe, expect, it } from 'vitest';
import { checkWellFormed, digitsSsml, escapeXml, pause, speakDocument, textSsml } from '../../src/speech/ssml.js';

const HOSTILE = [
  '<speak><voice name="x">hi</voice></speak>',
  '</prosody></speak><speak>',
  'a & b < c > d " e \' f',
  '<![CDATA[ x ]]>',
  '<!-- comment -->',
  '&amp; &lt; &#60; &#x3C; &bogus;',
  '{{constructor.constructor("x")()}}',
  '<script>alert(1)</script>',
  '\u0000\u0001\u0007\u001b[31m',
  '\uD800 lone high, \uDC00 lone low',
  '\uFFFE\uFFFF',
  '😀👍🏽 emoji 王小明',
  'x'.repeat(5000),
];

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;');
  });
  it('escapes an ampersand even when it already looks like an entity, so text stays text', () => {
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });
  it('drops characters XML cannot carry at all but keeps CJK, emoji, tabs and line breaks', () => {
    expect(escapeXml('王\u0000小\u0007明\uD800')).toBe('王小明');
    expect(escapeXml('😀\t\n好')).toBe('😀\t\n好');
  });
  it('textSsml is the same escape', () => {
    expect(textSsml('1 < 2')).toBe('1 &lt; 2');
  });
  it.each(HOSTILE)('leaves no markup from hostile text: %#', (text) => {
    const out = escapeXml(text);
    expect(out).not.toMatch(/[<>]/);
    expect(checkWellFormed(out, { fragment: true })).toBeNull();
    expect(checkWellFormed(speakDocument(out, 'zh-CN'))).toBeNull();
  });
});

describe('pause', () => {
  it('makes a break element in milliseconds', () => {
    expect(pause(300)).toBe('<break time="300ms"/>');
  });
  it('clamps nonsense to a short, valid break', () => {
    expect(pause(-5)).toBe('<break time="0ms"/>');
    expect(pause(99999)).toBe('<break time="5000ms"/>');
    expect(pause(Number.NaN)).toBe('<break time="0ms"/>');
    expect(pause(12.7)).toBe('<break time="13ms"/>');
  });
});

describe('digitsSsml', () => {
  it('reads a Chinese ID number 6-8-4 with pauses, one word per digit, 1 as 幺 and X as 叉', () => {
    const out = digitsSsml('11010519491231002X', 'zh-CN', [6, 8, 4]);
    expect(out).toBe(
      '幺 幺 零 幺 零 五 <break time="300ms"/> 幺 九 四 九 幺 二 三 幺 <break time="300ms"/> 零 零 二 叉',
    );
    expect(checkWellFormed(out, { fragment: true })).toBeNull();
  });
  it('can read 1 as 一 when asked', () => {
    expect(digitsSsml('121', 'zh-CN', [], { oneAsYao: false })).toBe('一 二 一');
  });
  it('reads English digits as words and X as X', () => {
    expect(digitsSsml('1380X', 'en-US', [3])).toBe('one three eight <break time="300ms"/> zero X');
  });
  it('puts what the groups leave over in a last group and ignores spaces and dashes', () => {
    expect(digitsSsml('138-1234 5678', 'zh-CN', [3, 4])).toBe('幺 三 八 <break time="300ms"/> 幺 二 三 四 <break time="300ms"/> 五 六 七 八');
  });
  it('ignores bad group sizes and handles an empty string', () => {
    expect(digitsSsml('123', 'en-US', [0, -2, 1.5])).toBe('one two three');
    expect(digitsSsml('', 'zh-CN', [3])).toBe('');
  });
  it('escapes characters that are not digits', () => {
    const out = digitsSsml('12<b>&', 'en-US', [2]);
    expect(out).toContain('&lt;');
    expect(out).toContain('&amp;');
    expect(checkWellFormed(out, { fragment: true })).toBeNull();
  });
});

describe('speakDocument', () => {
  it('wraps the fragment in speak and prosody with the locale', () => {
    expect(speakDocument('你好', 'zh-CN')).toBe(
      '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN"><prosody rate="1">你好</prosody></speak>',
    );
    expect(speakDocument('Hi', 'en-US')).toContain('xml:lang="en-US"');
  });
  it('slows down on request: slow 0.85, slower 0.7 (relative multipliers)', () => {
    expect(speakDocument('x', 'zh-CN', { rate: 'slow' })).toContain('<prosody rate="0.85">');
    expect(speakDocument('x', 'zh-CN', { rate: 'slower' })).toContain('<prosody rate="0.7">');
  });
  it('adds a voice element only when a voice is named, escaping the name', () => {
    expect(speakDocument('x', 'zh-CN')).not.toContain('<voice');
    const doc = speakDocument('x', 'zh-CN', { voice: 'zh-CN-XiaoxiaoNeural' });
    expect(doc).toContain('<voice name="zh-CN-XiaoxiaoNeural"><prosody rate="1">x</prosody></voice>');
    const odd = speakDocument('x', 'zh-CN', { voice: '"><evil/>' });
    expect(checkWellFormed(odd)).toBeNull();
    expect(odd).not.toContain('<evil');
  });
  it('keeps a well-formed fragment with markup as it is', () => {
    const fragment = `金额 ${pause(300)} ${digitsSsml('123', 'zh-CN', [])}`;
    expect(speakDocument(fragment, 'zh-CN')).toContain(fragment);
  });
  it('speaks a broken fragment as plain text instead of sending broken SSML', () => {
    const doc = speakDocument('您好 <b>粗体 & </prosody> 完', 'zh-CN');
    expect(checkWellFormed(doc)).toBeNull();
    expect(doc).toContain('您好');
    expect(doc).toContain('完');
    expect(doc).not.toContain('</prosody></prosody>');
  });
});

describe('checkWellFormed', () => {
  it('accepts well-formed documents and fragments', () => {
    expect(checkWellFormed('<speak a="1" b=\'2\'><p>x &amp; y<break time="3ms"/></p></speak>')).toBeNull();
    expect(checkWellFormed('text <break time="1ms"/> more', { fragment: true })).toBeNull();
    expect(checkWellFormed('&#20320;&#x597D;', { fragment: true })).toBeNull();
  });
  it.each([
    ['<a><b></a></b>', 'crossed tags'],
    ['<a>', 'unclosed'],
    ['</a>', 'stray end tag'],
    ['<a>1 < 2</a>', 'bare <'],
    ['<a>Tom & Jerry</a>', 'bare &'],
    ['<a>&bogus;</a>', 'unknown entity'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x=1/>', 'unquoted attribute'],
    ['<a x="<"/>', '< in attribute'],
    ['<a/><b/>', 'two roots'],
    ['text<a/>', 'text outside the root'],
    ['<!-- c --><a/>', 'comment'],
    ['<a>\u0001</a>', 'control character'],
    ['', 'empty document'],
  ])('rejects %s (%s)', (xml) => {
    expect(checkWellFormed(xml)).not.toBeNull();
  });
  it('allows several top-level nodes only in fragment mode', () => {
    expect(checkWellFormed('<a/><b/>', { fragment: true })).toBeNull();
    expect(checkWellFormed('<a/><b/>')).not.toBeNull();
  });
});
