import type { Locale, Localized } from '../../i18n.js';

/** The field types of CONTRACT §3. */
export const FIELD_TYPE_NAMES = [
  'text', 'name', 'gender', 'date', 'idNumber', 'phone', 'money', 'number', 'choice', 'confirm', 'address',
] as const;
export type FieldTypeName = (typeof FIELD_TYPE_NAMES)[number];

/**
 * What an answer becomes once parsed. Stored as JSON in the draft, so only plain values:
 * - text, name, address: trimmed string
 * - gender: 'male' | 'female'
 * - date: 'YYYY-MM-DD', or 'YYYY-MM' when the filer only knows the month
 * - idNumber: 18 characters with upper-case X, or a legacy 15-digit number
 * - phone: digits only for mobiles ('13812345678'); landlines 'AREA-NUMBER' ('022-12345678')
 * - money: number of yuan (at most 2 decimals)
 * - number: number
 * - choice: the choice's `value`
 * - confirm: boolean
 */
export type FieldValue = string | number | boolean;

export interface ChoiceOption {
  value: string;
  title: Localized;
  /** Other words that pick this option (e.g. 转账, 微信, 支付宝 for transfer). */
  synonyms?: Partial<Localized<string[]>>;
  /** The phone key for this option; defaults to its 1-based position. */
  dtmf?: string;
}

/** Per-field settings from the spec that change how a type parses or checks. */
export interface FieldOptions {
  /** date: the date must not be after today. */
  past?: boolean;
  /** date: the date must not be before today. */
  future?: boolean;
  /** number, money: inclusive bounds. */
  min?: number;
  max?: number;
  /** number: only whole numbers. */
  integer?: boolean;
  /** text, name, address: longest accepted answer in characters. */
  maxLength?: number;
  /** money: amounts at or above this are read back for confirmation (default 10000). */
  confirmAbove?: number;
  /** choice: the options. */
  choices?: ChoiceOption[];
  /** date: allow an answer that names only the month ('2018年10月'). */
  allowMonth?: boolean;
}

export interface FieldContext {
  locale: Locale;
  /** Today in the court's time zone, 'YYYY-MM-DD'; relative dates count from it. */
  today: string;
  options: FieldOptions;
}

export type ParseResult =
  | {
      ok: true;
      value: FieldValue;
      /** The value should be read back and confirmed before it is kept (large amounts). */
      confirm?: boolean;
      /**
       * Sibling fields this answer settles, by their last id segment: an ID number gives
       * { birthDate: '1949-12-31', gender: 'female' }.
       */
      fills?: Record<string, FieldValue>;
    }
  | {
      ok: false;
      /** A specific, kind re-ask in the filer's language, saying what was wrong and what works. */
      error: string;
    };

export interface FieldType {
  name: FieldTypeName;
  /** Reads an utterance (typed, spoken, or a phone key) into a value; also validates it. */
  parse(utterance: string, ctx: FieldContext): ParseResult;
  /** Checks a value that did not come through parse (a resumed draft, a clerk's edit). Returns an error text or null. */
  validate(value: unknown, ctx: FieldContext): string | null;
  /** The value as written in the complaint and in on-screen read-backs, in the given language. */
  format(value: FieldValue, locale: Locale, options?: FieldOptions): string;
  /** The value as an SSML fragment (already escaped), e.g. digits one by one, amounts read naturally. */
  speak(value: FieldValue, locale: Locale, options?: FieldOptions): string;
}
