import fc from 'fast-check';
import { SaxesParser } from 'saxes';

/*
 * Shared pieces of the fuzz tests (test/fuzz/): one seed for every property so a failure can
 * be replayed, the hostile inputs, and a strict XML reader for the bot's SSML.
 */

/**
 * Every fuzz property runs from this seed. fast-check prints it with the failing path
 * (`{ seed, path }`) on failure; `FUZZ_SEED=<n> npx vitest run test/fuzz` replays a run or
 * explores another.
 */
export const FUZZ_SEED = Number.parseInt(process.env['FUZZ_SEED'] ?? '', 10) || 20_240_615;

/** `FUZZ_SCALE=20` multiplies every property's runs, for a deeper search than the suite's. */
const FUZZ_SCALE = Math.max(1, Number.parseInt(process.env['FUZZ_SCALE'] ?? '', 10) || 1);

export function fuzzRuns(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: numRuns * FUZZ_SCALE };
}

/**
 * Pieces that have broken parsers, templates and speech engines elsewhere: emoji (ZWJ
 * families, flags, skin tones), HTML and script, Handlebars markup, SSML/XML meant to end or
 * hijack `<speak>`, entities, CDATA, control characters, bidi overrides, lone surrogates,
 * full-width digits, and the look-alikes of real answers they get glued to.
 */
export const HOSTILE_PIECES: readonly string[] = [
  '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇨🇳', '🇺🇸🇨🇳', '👍🏽', '😀', '\u200D', '\uFE0F', '𠀀',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<b>', '</b>', '"><svg onload=alert(1)>', "'", '"',
  'javascript:alert(1)', '<a href="javascript:alert(1)">x</a>', '<style>*{display:none}</style>',
  '{{constructor.constructor("return process")()}}', '{{{body}}}', '{{> layout}}', '{{#each this}}x{{/each}}', '{{', '}}', '{{{', '}}}',
  '</speak>', '<speak>', '<voice name="evil">', '</voice>', '<break time="99999s"/>', '<audio src="http://127.0.0.1/x.wav"/>',
  '<prosody rate="50">', '</prosody>', '<say-as interpret-as="characters">', '<mstts:express-as style="angry">',
  '&amp;', '&lt;', '&#0;', '&#x1F600;', '&bogus;', '&', '&#', '<![CDATA[x]]>', '<![CDATA[', ']]>', '<!--', '-->',
  '<?xml version="1.0"?>', '<!DOCTYPE speak [<!ENTITY x "y">]>', '&x;',
  '\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u001B[31m', '\u007F', '\u0085', '\u2028', '\u2029', '\r\n', '\t', '\n',
  '\uFEFF', '\uFFFE', '\uFFFF', '\u200B', '\u00AD',
  '\u202E', '\u202D', '\u202A', '\u2066', '\u2069', '\u061C', '\u200F',
  '\uD800', '\uDFFF', '\uDBFF', '\uDC00x',
  '１２３４５', '０', '５万', '１３８１２３４５６７８', '２０２４年３月５日', 'ｘ', '＜script＞', '｛｛x｝｝',
  '__proto__', 'constructor', 'hasOwnProperty', 'NaN', 'Infinity', '-1', '1e309', '0x10', '${x}', "'; DROP TABLE x; --", '%s%n', '../../etc/passwd',
  '五万', '13812345678', '11010519491231002X', '2024年3月5日', '2024-03-05', '是', '不是', '男', '女', '张三', 'Zhang San',
  '天津市北辰区京津路100号', '第二个', '6', '百分之六', '一万零十二', '三天后', '一月二十三', '五万多', '¥', '元', ' ', '，', '。',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((code) => String.fromCharCode(code));

/** Hostile pieces, random code points, graphemes and controls, glued together. */
const mixed = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
      { weight: 1, arbitrary: loneSurrogate },
      { weight: 1, arbitrary: controlChar },
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

/** Up to 10,000 characters of one piece repeated, or of random code points. */
const long = fc.oneof(
  fc
    .tuple(fc.constantFrom(...HOSTILE_PIECES, 'a', '五', '1', '万'), fc.integer({ min: 1000, max: 10_000 }))
    .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length)),
  fc.string({ unit: 'binary', minLength: 2000, maxLength: 10_000 }),
);

/** What a hostile or unlucky filer might send as an answer. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: mixed },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: long },
);

/**
 * A real answer with hostile pieces slipped in before, inside or after it, so the fuzz also
 * reaches the paths where a parser thinks it has found an ID number, an amount or a date.
 */
export function garnished(answers: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...answers),
      fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...HOSTILE_PIECES), loneSurrogate, controlChar)), { minLength: 1, maxLength: 3 }),
    )
    .map(([answer, insertions]) => {
      let out = answer;
      for (const [at, piece] of insertions) {
        const cut = at % (out.length + 1);
        out = out.slice(0, cut) + piece + out.slice(cut);
      }
      return out;
    });
}

/** Hostile text that a free-text field keeps as typed (markup but no controls): what a document must show as text. */
export const MARKUP_ANSWERS: readonly string[] = [
  '<script>alert("fz1")</script>',
  '{{fz2}} {{{fz3}}} {{> fz4}}',
  '</speak><voice name="fz5">x</voice>',
  '<img src=x onerror=alert(6)>&amp;&bogus;<![CDATA[fz7]]>',
];

/** The first problem a strict XML 1.0 parser finds in a document, or null. */
export function xmlProblem(xml: string): string | null {
  const parser = new SaxesParser({ xmlns: true });
  let problem: string | null = null;
  parser.on('error', (error) => {
    problem ??= error.message;
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    problem ??= (error as Error).message;
  }
  return problem;
}

/** The text an SSML document speaks, entities decoded, tags dropped. */
export function xmlText(xml: string): string {
  const parser = new SaxesParser({ xmlns: true });
  let text = '';
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('cdata', (t) => {
    text += t;
  });
  parser.on('error', () => undefined);
  try {
    parser.write(xml).close();
  } catch {
    // xmlProblem reports it; here only the words matter.
  }
  return text;
}

/** The elements the project's SSML uses: any other element in a reply came from a filer. */
export const SSML_ELEMENTS = new Set(['speak', 'voice', 'prosody', 'break', 'say-as', 'sub', 'emphasis', 'p', 's']);

/** Element names in an XML document, in order. */
export function xmlElements(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const names: string[] = [];
  parser.on('opentag', (tag) => {
    names.push(tag.local ?? tag.name);
  });
  parser.on('error', () => undefined);
  try {
    parser.write(xml).close();
  } catch {
    // xmlProblem reports it.
  }
  return names;
}
