import { dict, toHalfWidth } from './common.js';

/*
 * Reading and saying numbers, by hand. The Microsoft recognizers misread exactly the inputs
 * that matter here (一万零十二 → 10002; some date phrases throw), and a court amount must be
 * read right, so the rules are written out and tested.
 */

/** Digits as written in numbers, including the financial forms (壹贰叁) and 两/俩/仨. */
const CN_DIGIT: Record<string, number> = dict({
  零: 0, 〇: 0, 一: 1, 壹: 1, 幺: 1, 二: 2, 两: 2, 贰: 2, 俩: 2, 三: 3, 叁: 3, 仨: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
});
/** Radio-style digit names people use when reading a number out: only in digit-by-digit strings. */
const SPOKEN_DIGIT: Record<string, number> = dict({ ...CN_DIGIT, 洞: 0, 拐: 7, 勾: 9 });
const SMALL_UNIT: Record<string, number> = dict({ 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 });
const BIG_UNIT: Record<string, number> = dict({ 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 });

export const CN_NUMERAL_CHARS = '零〇一壹幺二两贰俩三叁仨四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿億';

const isCnDigit = (c: string | undefined): boolean => c !== undefined && c in CN_DIGIT;
const isAsciiDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAnyDigit = (c: string | undefined): boolean => isCnDigit(c) || isAsciiDigit(c);
const digitOf = (c: string): string => (isAsciiDigit(c) ? c : String(CN_DIGIT[c] ?? ''));

/** Removes floating-point noise (1.15 × 10000 = 11499.999999999998). */
export function tidy(n: number): number {
  return Number.isFinite(n) ? parseFloat(n.toPrecision(15)) : n;
}

type Tok =
  | { kind: 'num'; value: number; single: boolean }
  | { kind: 'zero' }
  | { kind: 'small'; unit: number }
  | { kind: 'big'; unit: number };

function tokenize(s: string): Tok[] | null {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '零' || c === '〇') {
      // A zero between units (一千零五) is a placeholder; 零 before 点 is a number (零点五).
      if (s[i + 1] !== '点' && s[i + 1] !== '.') {
        toks.push({ kind: 'zero' });
        i += 1;
        continue;
      }
    }
    if (isAnyDigit(c)) {
      let j = i;
      while (j < s.length && isAnyDigit(s[j])) j += 1;
      const intChars = s.slice(i, j);
      // Two Chinese digits side by side inside a unit expression (三五万) is a range, not a number.
      if (intChars.length > 1 && [...intChars].some((x) => isCnDigit(x))) return null;
      let frac = '';
      if (s[j] === '点' || s[j] === '.') {
        let k = j + 1;
        while (k < s.length && isAnyDigit(s[k])) k += 1;
        if (k === j + 1) return null;
        frac = [...s.slice(j + 1, k)].map(digitOf).join('');
        j = k;
      }
      const int = [...intChars].map(digitOf).join('');
      toks.push({ kind: 'num', value: Number(frac ? `${int}.${frac}` : int), single: intChars.length === 1 && !frac });
      i = j;
      continue;
    }
    if (c in SMALL_UNIT) {
      toks.push({ kind: 'small', unit: SMALL_UNIT[c] ?? 0 });
      i += 1;
      continue;
    }
    if (c in BIG_UNIT) {
      toks.push({ kind: 'big', unit: BIG_UNIT[c] ?? 0 });
      i += 1;
      continue;
    }
    return null;
  }
  return toks;
}

/**
 * Reads a Chinese (or mixed, 3.5万, 3千5) numeral: 三万五千 35000, 三万五 35000, 三千五 3500,
 * 一万零十二 10012, 一百二十万, 二点五, 二零二四 (digits only) 2024. Returns null for anything
 * that is not one number.
 */
export function parseChineseNumber(input: string): number | null {
  const s = toHalfWidth(String(input ?? '')).replace(/\s+/g, '');
  if (!s || s.length > 40) return null;
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return Number(s);
  // Digits read one by one (二零二四, 幺三八), optionally with a decimal part.
  const seq = /^([^点.]+)(?:[点.](.+))?$/.exec(s);
  if (seq && [...(seq[1] ?? '')].every(isAnyDigit) && [...(seq[2] ?? '')].every(isAnyDigit)) {
    const int = [...(seq[1] ?? '')].map(digitOf).join('');
    const frac = [...(seq[2] ?? '')].map(digitOf).join('');
    if (int.length > 0) return Number(frac ? `${int}.${frac}` : int);
  }
  const toks = tokenize(s);
  if (!toks || toks.length === 0) return null;

  let total = 0; // whole 亿 groups
  let wanPart = 0; // the 万 group within the current 亿
  let small = 0; // below 万
  let cur: { value: number; single: boolean } | null = null;
  let lastUnit = 0;
  let smallCap = Infinity; // 千 > 百 > 十 within one group: 三百四百 is not a number
  let zeroSince = false;
  let sawWan = false;
  let sawYi = false;
  for (const tok of toks) {
    switch (tok.kind) {
      case 'num':
        if (cur !== null) return null;
        cur = { value: tok.value, single: tok.single };
        break;
      case 'zero':
        if (cur !== null) return null;
        zeroSince = true;
        break;
      case 'small': {
        if (tok.unit >= smallCap) return null;
        small += (cur?.value ?? 1) * tok.unit;
        smallCap = tok.unit;
        cur = null;
        lastUnit = tok.unit;
        zeroSince = false;
        break;
      }
      case 'big': {
        if (tok.unit === 1e4) {
          if (sawWan || (small === 0 && cur === null)) return null;
          wanPart = (small + (cur?.value ?? 0)) * 1e4;
          sawWan = true;
        } else {
          const v = wanPart + small + (cur?.value ?? 0);
          if (sawYi || v === 0) return null;
          total = v * 1e8;
          wanPart = 0;
          sawWan = false;
          sawYi = true;
        }
        small = 0;
        cur = null;
        smallCap = Infinity;
        lastUnit = tok.unit;
        zeroSince = false;
        break;
      }
    }
  }
  // 一千零 stops in the middle of a number.
  if (zeroSince && cur === null) return null;
  if (cur !== null) {
    // 三千五 = 3500, 三万五 = 35000: a lone digit right after a unit (no 零) is the next unit down.
    if (cur.single && !zeroSince && lastUnit >= 100 && Number.isInteger(cur.value) && cur.value >= 1) {
      small += cur.value * (lastUnit / 10);
    } else {
      small += cur.value;
    }
  }
  return tidy(total + wanPart + small);
}

const EN_ONES: Record<string, number> = dict({
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
});
const EN_TEENS: Record<string, number> = dict({
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
});
const EN_TENS: Record<string, number> = dict({
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
});
const EN_SCALES: Record<string, number> = dict({ thousand: 1e3, million: 1e6, billion: 1e9 });

export function isEnglishNumberWord(w: string): boolean {
  return w in EN_ONES || w in EN_TEENS || w in EN_TENS || w in EN_SCALES || w === 'hundred';
}

/**
 * Reads English number words, possibly mixed with figures: "thirty five thousand",
 * "one hundred and five", "1.2 million", "3.5k", "two point five". Null if not one number.
 */
export function parseEnglishNumber(input: string): number | null {
  const words = String(input ?? '')
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .split(/[\s-]+/)
    .filter((w) => w && w !== 'and');
  if (words.length === 0 || words.length > 30) return null;
  if ((words[0] === 'a' || words[0] === 'an') && (words[1] === 'hundred' || (words[1] ?? '') in EN_SCALES)) words[0] = 'one';
  const pointAt = words.indexOf('point');
  const intWords = pointAt >= 0 ? words.slice(0, pointAt) : words;
  const fracWords = pointAt >= 0 ? words.slice(pointAt + 1) : [];
  let frac = '';
  for (const w of fracWords) {
    if (w in EN_ONES) frac += String(EN_ONES[w]);
    else if (w === 'oh') frac += '0';
    else if (/^\d+$/.test(w)) frac += w;
    else return null;
  }
  if (pointAt >= 0 && !frac) return null;

  let total = 0;
  let current = 0;
  let last: 'none' | 'ones' | 'teens' | 'tens' | 'hundred' | 'scale' | 'figure' = 'none';
  let lastScale = Infinity;
  for (const w of intWords) {
    const fig = /^(\d+(?:\.\d+)?)([kw])?$/.exec(w);
    if (fig) {
      if (last !== 'none' && last !== 'scale') return null;
      current += Number(fig[1]) * (fig[2] === 'k' ? 1e3 : fig[2] === 'w' ? 1e4 : 1);
      last = 'figure';
    } else if (w in EN_ONES) {
      const n = EN_ONES[w] ?? 0;
      if (n === 0) {
        if (intWords.length !== 1) return null;
      } else if (!(last === 'none' || last === 'tens' || last === 'hundred' || last === 'scale')) return null;
      current += n;
      last = 'ones';
    } else if (w in EN_TEENS) {
      if (!(last === 'none' || last === 'hundred' || last === 'scale')) return null;
      current += EN_TEENS[w] ?? 0;
      last = 'teens';
    } else if (w in EN_TENS) {
      if (!(last === 'none' || last === 'hundred' || last === 'scale')) return null;
      current += EN_TENS[w] ?? 0;
      last = 'tens';
    } else if (w === 'hundred') {
      if (!(last === 'ones' || last === 'teens' || last === 'tens' || last === 'figure')) return null;
      if (current >= 100) return null;
      current *= 100;
      last = 'hundred';
    } else if (w in EN_SCALES) {
      const scale = EN_SCALES[w] ?? 1;
      if (last === 'none' || last === 'scale' || scale >= lastScale || current === 0) return null;
      total += current * scale;
      current = 0;
      lastScale = scale;
      last = 'scale';
    } else {
      return null;
    }
  }
  if (last === 'none' && !frac) return null;
  const whole = total + current;
  if (frac) {
    // "two point five" only; "thousand point five" would be nonsense.
    if (total !== 0 || !Number.isInteger(current)) return null;
    return tidy(Number(`${whole}.${frac}`));
  }
  return tidy(whole);
}

const NUMERIC_RUN_CHARS = `0-9.${CN_NUMERAL_CHARS}点`;
const NUMERIC_RUN = new RegExp(`[${NUMERIC_RUN_CHARS}]+`, 'y');
const CN_NUM_CHAR = new RegExp(`[${CN_NUMERAL_CHARS}]`);

export interface NumberSpan {
  /** The words the number was read from. */
  text: string;
  /** The number, or null when the words look numeric but are not one number (三五万, 一点). */
  value: number | null;
  start: number;
  end: number;
}

const NOT_NUMBERS = new RegExp(
  `一共|一起|一下|一些|一直|一样|一定|一般|一切|一时|一会儿?|一边|唯一|统一|一点儿|(?<![${CN_NUMERAL_CHARS}0-9])一点(?![${CN_NUMERAL_CHARS}0-9])`,
  'g',
);

type RunTok = { type: 'cjk' | 'figure' | 'word' | 'space' | 'other'; text: string; start: number; end: number };

/**
 * Finds the numbers in an answer, Chinese or English, so that "我借给他五万块钱" or
 * "I lent him fifty thousand yuan" yields one number, and "借了两次一共五万" yields two
 * (the caller then asks for the amount alone). Thousands separators are removed; 3.5k and
 * 5w (网上写法, 万) are understood.
 */
export function numberSpans(input: string): NumberSpan[] {
  const s = toHalfWidth(String(input ?? ''))
    .toLowerCase()
    .replace(/(\d)[,，](?=\d{3}(?!\d))/g, '$1')
    // Everyday words built on 一 that are not numbers; blanked (same length) so they make no span.
    .replace(NOT_NUMBERS, (w) => ' '.repeat(w.length));
  const toks: RunTok[] = [];
  let i = 0;
  while (i < s.length) {
    NUMERIC_RUN.lastIndex = i;
    const run = NUMERIC_RUN.exec(s);
    if (run) {
      const text = run[0];
      toks.push({ type: CN_NUM_CHAR.test(text) ? 'cjk' : 'figure', text, start: i, end: i + text.length });
      i += text.length;
      continue;
    }
    const c = s[i] ?? '';
    if (/[a-z]/.test(c)) {
      let j = i;
      while (j < s.length && /[a-z]/.test(s[j] ?? '')) j += 1;
      toks.push({ type: 'word', text: s.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (/\s/.test(c)) {
      let j = i;
      while (j < s.length && /\s/.test(s[j] ?? '')) j += 1;
      toks.push({ type: 'space', text: s.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    toks.push({ type: 'other', text: c, start: i, end: i + 1 });
    i += 1;
  }

  // "5 万" as the recognizer writes it: join numerals split by spaces when one side is Chinese.
  const merged: RunTok[] = [];
  for (let k = 0; k < toks.length; k += 1) {
    const t = toks[k];
    if (!t) continue;
    const prev = merged[merged.length - 1];
    const next = toks[k + 1];
    if (t.type === 'space' && prev && next && (prev.type === 'cjk' || prev.type === 'figure') && (next.type === 'cjk' || next.type === 'figure') && (prev.type === 'cjk' || next.type === 'cjk')) {
      merged.pop();
      merged.push({ type: 'cjk', text: prev.text + next.text, start: prev.start, end: next.end });
      k += 1;
      continue;
    }
    if (t.type === 'cjk' && prev && (prev.type === 'cjk' || prev.type === 'figure') && prev.end === t.start) {
      merged.pop();
      merged.push({ type: 'cjk', text: prev.text + t.text, start: prev.start, end: t.end });
      continue;
    }
    merged.push(t);
  }

  const spans: NumberSpan[] = [];
  const significant = (from: number): RunTok | undefined => merged.slice(from).find((x) => x.type !== 'space' && x.text !== '-');
  let k = 0;
  while (k < merged.length) {
    const t = merged[k];
    if (!t) break;
    if (t.type === 'cjk') {
      const text = t.text.replace(/^[.点]+|[.点]+$/g, '');
      let end = t.end;
      let factor = 1;
      const suffix = merged[k + 1];
      if (suffix && suffix.type === 'word' && suffix.start === t.end && (suffix.text === 'k' || suffix.text === 'w')) {
        factor = suffix.text === 'k' ? 1e3 : 1e4;
        end = suffix.end;
        k += 1;
      }
      const v = text ? parseChineseNumber(text) : null;
      spans.push({ text: s.slice(t.start, end), value: v === null ? null : tidy(v * factor), start: t.start, end });
      k += 1;
      continue;
    }
    // English words and figures: gather the run, allowing spaces, hyphens, "and", "point", "a hundred".
    const startsRun = (x: RunTok): boolean => x.type === 'figure' || (x.type === 'word' && isEnglishNumberWord(x.text));
    const aBeforeScale = (x: RunTok, at: number): boolean => {
      if (x.type !== 'word' || (x.text !== 'a' && x.text !== 'an')) return false;
      const nx = significant(at + 1);
      return !!nx && nx.type === 'word' && (nx.text === 'hundred' || nx.text in EN_SCALES);
    };
    if (startsRun(t) || aBeforeScale(t, k)) {
      const parts: RunTok[] = [t];
      let m = k + 1;
      while (m < merged.length) {
        const x = merged[m];
        if (!x) break;
        if (x.type === 'space' || (x.type === 'other' && x.text === '-')) {
          m += 1;
          continue;
        }
        const joinable =
          startsRun(x) ||
          (x.type === 'word' && (x.text === 'k' || x.text === 'w') && (parts[parts.length - 1]?.end ?? -1) === x.start) ||
          (x.type === 'word' && (x.text === 'and' || x.text === 'point') && (() => {
            const nx = significant(m + 1);
            return !!nx && startsRun(nx);
          })());
        if (!joinable) break;
        parts.push(x);
        m += 1;
      }
      // "3.5 k" / "3.5k": fold the k into the figure before it.
      const words: string[] = [];
      for (const p of parts) {
        if (p.type === 'word' && (p.text === 'k' || p.text === 'w') && words.length > 0 && /^\d/.test(words[words.length - 1] ?? '')) words[words.length - 1] += p.text;
        else words.push(p.text.replace(/^\.+|\.+$/g, ''));
      }
      const first = parts[0];
      const lastPart = parts[parts.length - 1];
      if (first && lastPart) {
        const text = words.filter(Boolean).join(' ');
        const v = text ? parseEnglishNumber(text) : null;
        if (text) spans.push({ text: s.slice(first.start, lastPart.end), value: v, start: first.start, end: lastPart.end });
      }
      k = m;
      continue;
    }
    k += 1;
  }
  return spans.filter((sp) => sp.text.replace(/[.点\s]/g, '') !== '');
}

/**
 * Digit strings read out one by one (ID and phone numbers): Chinese digits including 幺 洞 拐 勾,
 * English digit words ("one three eight", "double five", "oh"). Other characters are kept
 * as they are for the caller to judge.
 */
export function spokenDigits(input: string): string {
  let s = toHalfWidth(String(input ?? '')).toLowerCase();
  const words: Record<string, string> = dict({ zero: '0', oh: '0', o: '0', ...Object.fromEntries(Object.entries(EN_ONES).map(([w, n]) => [w, String(n)])) });
  s = s.replace(/\b(double|triple)[\s-]+(zero|oh|o|one|two|three|four|five|six|seven|eight|nine|\d)\b/g, (_m, times: string, w: string) => {
    const d = /^\d$/.test(w) ? w : words[w] ?? '';
    return d.repeat(times === 'double' ? 2 : 3);
  });
  s = s.replace(/\b(zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b/g, (w) => words[w] ?? w);
  return [...s].map((c) => (c in SPOKEN_DIGIT ? String(SPOKEN_DIGIT[c]) : c)).join('');
}

const CN_READ = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

function readSection(v: number, leading: boolean): string {
  const digits = [Math.floor(v / 1000) % 10, Math.floor(v / 100) % 10, Math.floor(v / 10) % 10, v % 10];
  const units = ['千', '百', '十', ''];
  let out = '';
  let started = false;
  let zeroPending = false;
  digits.forEach((d, idx) => {
    const pos = 3 - idx;
    if (d === 0) {
      if (started) zeroPending = true;
      return;
    }
    if (zeroPending) out += '零';
    zeroPending = false;
    if (pos === 1 && d === 1 && !started && leading) out += '十';
    else out += (pos === 3 && d === 2 ? '两' : CN_READ[d] ?? '') + (units[idx] ?? '');
    started = true;
  });
  return out;
}

function readInteger(n: number): string {
  if (n === 0) return '零';
  const sections: number[] = [];
  let rest = n;
  while (rest > 0) {
    sections.push(rest % 10000);
    rest = Math.floor(rest / 10000);
  }
  const bigUnits = ['', '万', '亿', '万亿'];
  let out = '';
  let started = false;
  let gap = false;
  for (let i = sections.length - 1; i >= 0; i -= 1) {
    const sec = sections[i] ?? 0;
    if (sec === 0) {
      if (started) gap = true;
      continue;
    }
    if (started && (gap || sec < 1000)) out += '零';
    const read = sec === 2 && i > 0 ? '两' : readSection(sec, !started);
    out += read + (bigUnits[i] ?? '');
    started = true;
    gap = false;
  }
  return out;
}

/**
 * The natural Chinese reading of a number, for speech: 50000 五万, 35000 三万五千,
 * 10012 一万零一十二, 2.5 二点五, 2000 两千. Numbers beyond 万亿 are returned as figures.
 */
export function chineseNumber(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e16) return String(n);
  const negative = n < 0;
  const abs = Math.abs(n);
  let text = String(tidy(abs));
  if (/e/i.test(text)) text = abs.toFixed(10).replace(/\.?0+$/, '');
  const [intPart = '0', fracPart = ''] = text.split('.');
  let out = readInteger(Number(intPart));
  if (fracPart) out += '点' + [...fracPart].map((d) => CN_READ[Number(d)] ?? '').join('');
  return (negative ? '负' : '') + out;
}
