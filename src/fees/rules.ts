import type { Localized } from '../i18n.js';
import type { FieldValue } from '../interview/fields/types.js';
import { divRound, FEN_PER_YUAN, fenToYuan, toFen } from './fen.js';
import { feeWords } from './words.js';

/**
 * Court fees under the State Council's Measures on the Payment of Litigation Costs
 * (诉讼费用交纳办法, Decree 481). Everything is counted in whole fen with integer
 * arithmetic, so a fee never shows binary float noise (0.1 + 0.2) and rounds once, at the end.
 */

/** How a case type's fee is counted; a case spec names its rule under `fee.rule`. */
export const FEE_RULES = ['property', 'divorce', 'labor', 'non-property', 'support', 'unknown'] as const;
export type FeeRule = (typeof FEE_RULES)[number];

/** The `fee:` block of a case spec. */
export interface FeeSpec {
  rule: FeeRule;
  /** property: the amount claimed is the sum of these answers; '-field' subtracts. */
  claim?: string[];
  /** divorce: the value of the property to be divided, summed the same way. */
  property?: string[];
}

/** The figures a province fixes inside the ranges the Measures allow (Art. 13). */
export interface FeeSettings {
  /** A divorce case, 50–300 yuan. */
  divorceFee: number;
  /** Other non-property cases, 50–100 yuan. */
  nonPropertyFee: number;
}

/**
 * The top of each range, so an estimate never promises less than the court may ask;
 * DIVORCE_FEE and NON_PROPERTY_FEE set the province's own figures.
 */
export const DEFAULT_FEE_SETTINGS: FeeSettings = { divorceFee: 300, nonPropertyFee: 100 };

export interface FeeEstimate {
  rule: FeeRule;
  /** The fee in yuan (exact to the fen); null when the court fixes it at filing. */
  amount: number | null;
  /** The fee if the court hears the case under the summary procedure (Art. 16). */
  halfIfSummary: number | null;
  /** False for wage claims (Art. 20) and exempt cases. */
  payInAdvance: boolean;
  /** Support claims (Art. 45). */
  exempt: boolean;
  /** property: the amount claimed the fee was counted from, in yuan. */
  claim?: number;
  /** divorce: the value of the property to be divided, in yuan. */
  propertyValue?: number;
  /** Plain words for the filer, with the article. */
  explanation: Localized;
  /** The same as SSML fragments, amounts read the way people say them. */
  speech: Localized;
}

type Answers = Record<string, FieldValue | undefined>;

/** Rates are given in parts per 10,000 (2.5% = 250). */
const RATE_SCALE = 10_000n;

/** Art. 13 (一): up to 10,000 yuan a fixed 50 yuan, then each band at its own rate, cumulatively. */
const FIXED_UP_TO = 10_000n * FEN_PER_YUAN;
const FIXED_FEE = 50n * FEN_PER_YUAN;
const BANDS: readonly { upTo: bigint | null; rate: bigint }[] = [
  { upTo: 100_000n, rate: 250n },
  { upTo: 200_000n, rate: 200n },
  { upTo: 500_000n, rate: 150n },
  { upTo: 1_000_000n, rate: 100n },
  { upTo: 2_000_000n, rate: 90n },
  { upTo: 5_000_000n, rate: 80n },
  { upTo: 10_000_000n, rate: 70n },
  { upTo: 20_000_000n, rate: 60n },
  { upTo: null, rate: 50n },
].map((b) => ({ upTo: b.upTo === null ? null : b.upTo * FEN_PER_YUAN, rate: b.rate }));

/** Art. 13 (二) 1: divorce property above 200,000 yuan adds 0.5%. */
const DIVORCE_PROPERTY_FREE = 200_000n * FEN_PER_YUAN;
const DIVORCE_PROPERTY_RATE = 50n;
const LABOR_FEE = 10n * FEN_PER_YUAN;

/** The case acceptance fee of a property case (Art. 13 (一)), in fen. */
export function propertyFeeFen(claimFen: bigint): bigint {
  if (claimFen <= FIXED_UP_TO) return FIXED_FEE;
  let numerator = FIXED_FEE * RATE_SCALE;
  let lower = FIXED_UP_TO;
  for (const band of BANDS) {
    const upper = band.upTo === null || claimFen < band.upTo ? claimFen : band.upTo;
    if (upper > lower) numerator += (upper - lower) * band.rate;
    if (band.upTo === null || claimFen <= band.upTo) break;
    lower = band.upTo;
  }
  return divRound(numerator, RATE_SCALE);
}

/** The case acceptance fee of a property case, in yuan (exact to the fen). */
export function propertyFee(claimYuan: number): number {
  return fenToYuan(propertyFeeFen(toFen(Math.max(0, claimYuan))));
}

/** Art. 16: half under the summary procedure, rounded to the fen. */
export function halfFen(fen: bigint): bigint {
  return divRound(fen, 2n);
}

/** Sums the answers a spec names ('-id' subtracts); a question not answered counts 0. Never below 0. */
export function sumAnswersFen(terms: readonly string[] | undefined, answers: Answers): bigint {
  let total = 0n;
  for (const term of terms ?? []) {
    const negative = term.startsWith('-');
    const value = answers[negative ? term.slice(1) : term];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    total += negative ? -toFen(value) : toFen(value);
  }
  return total < 0n ? 0n : total;
}

/** The field ids a fee spec reads, without the '-' sign. */
export function feeFields(spec: FeeSpec | undefined): string[] {
  return [...(spec?.claim ?? []), ...(spec?.property ?? [])].map((t) => t.replace(/^-/, ''));
}

/**
 * The fee estimate for one draft: what the filer is told at the end and what the relief
 * application refers to. Without a spec the court sets the fee (`unknown`).
 */
export function estimateFee(spec: FeeSpec | undefined, answers: Answers, settings: FeeSettings = DEFAULT_FEE_SETTINGS): FeeEstimate {
  const rule = spec?.rule ?? 'unknown';
  switch (rule) {
    case 'property': {
      const claim = sumAnswersFen(spec?.claim, answers);
      const fee = propertyFeeFen(claim);
      const half = halfFen(fee);
      const words = feeWords(claim > 0n ? 'property' : 'propertyNoClaim', { claim, amount: fee, half });
      return { rule, amount: fenToYuan(fee), halfIfSummary: fenToYuan(half), payInAdvance: true, exempt: false, claim: fenToYuan(claim), ...words };
    }
    case 'divorce': {
      const base = toFen(settings.divorceFee);
      const property = sumAnswersFen(spec?.property, answers);
      const extra = property > DIVORCE_PROPERTY_FREE ? divRound((property - DIVORCE_PROPERTY_FREE) * DIVORCE_PROPERTY_RATE, RATE_SCALE) : 0n;
      const fee = base + extra;
      const half = halfFen(fee);
      const words = feeWords(extra > 0n ? 'divorceProperty' : 'divorce', { base, property, extra, amount: fee, half });
      return { rule, amount: fenToYuan(fee), halfIfSummary: fenToYuan(half), payInAdvance: true, exempt: false, propertyValue: fenToYuan(property), ...words };
    }
    case 'labor': {
      const half = halfFen(LABOR_FEE);
      return { rule, amount: fenToYuan(LABOR_FEE), halfIfSummary: fenToYuan(half), payInAdvance: false, exempt: false, ...feeWords('labor', { amount: LABOR_FEE, half }) };
    }
    case 'non-property': {
      const fee = toFen(settings.nonPropertyFee);
      const half = halfFen(fee);
      return { rule, amount: fenToYuan(fee), halfIfSummary: fenToYuan(half), payInAdvance: true, exempt: false, ...feeWords('nonProperty', { amount: fee, half }) };
    }
    case 'support':
      return { rule, amount: 0, halfIfSummary: 0, payInAdvance: false, exempt: true, ...feeWords('support', {}) };
    default:
      return { rule: 'unknown', amount: null, halfIfSummary: null, payInAdvance: true, exempt: false, ...feeWords('unknown', {}) };
  }
}

/** Checks the figures a court configures against the ranges of Art. 13; returns what is wrong, or null. */
export function checkFeeSettings(settings: FeeSettings): string | null {
  const { divorceFee, nonPropertyFee } = settings;
  if (!(divorceFee >= 50 && divorceFee <= 300)) return `the divorce fee must be 50 to 300 yuan (Art. 13); it is ${divorceFee}`;
  if (!(nonPropertyFee >= 50 && nonPropertyFee <= 100)) return `the non-property fee must be 50 to 100 yuan (Art. 13); it is ${nonPropertyFee}`;
  return null;
}
