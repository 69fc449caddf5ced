import type { Locale } from '../i18n.js';
import { getFieldType } from './fields/index.js';
import type { FieldValue } from './fields/types.js';
import type { LoadedSpecs } from './spec.js';

export type FormatAnswer = (fieldId: string, value: FieldValue, locale: Locale) => string;

/**
 * Formats any stored answer by its field id for documents and the clerk's view, using the
 * field's own type and choice titles from whichever spec defines it.
 */
export function createAnswerFormatter(specs: LoadedSpecs): FormatAnswer {
  return (fieldId, value, locale) => {
    if (fieldId === 'caseType') {
      const spec = specs.cases.find((c) => c.caseType === value);
      return spec ? spec.title[locale] : String(value);
    }
    for (const spec of specs.cases) {
      const field = spec.fields.get(fieldId);
      if (field) return getFieldType(field.type).format(value, locale, field.options);
    }
    return String(value);
  };
}
