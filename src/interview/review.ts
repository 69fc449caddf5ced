import type { Spoken } from '../bot/reply.js';
import type { Locale } from '../i18n.js';
import { escapeXml } from '../speech/ssml.js';
import type { ComplaintRecord } from '../store/types.js';
import { getFieldType } from './fields/index.js';
import { planSteps } from './plan.js';
import type { CaseSpec, Messages } from './spec.js';

/**
 * The read-back before review.confirm: one plain sentence group per section (and per
 * defendant), written and spoken, with each value in its own type's words.
 * Optional questions left out are not read, so the filer hears only what the court gets.
 */
export function readBack(spec: CaseSpec, record: ComplaintRecord, today: string, locale: Locale, messages: Messages): Spoken[] {
  const steps = planSteps(spec, { ...record, derived: [] }, today);
  const separator = locale === 'zh-CN' ? '；' : '; ';
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const out: Spoken[] = [];
  for (const section of spec.sections) {
    const count = section.repeat ? Math.max(1, record.groups[section.id] ?? 1) : 1;
    for (let index = 0; index < count; index += 1) {
      const parts: Spoken[] = [];
      for (const step of steps) {
        if (step.kind !== 'field' || step.section.id !== section.id) continue;
        if (section.repeat && step.index !== index) continue;
        const value = record.answers[step.key];
        if (value === undefined) {
          if (step.field.required) {
            const missing = messages.notAnswered[locale];
            parts.push({ text: `${step.field.label[locale]}${colon}${missing}`, speak: `${escapeXml(step.field.label[locale])}${colon}${escapeXml(missing)}` });
          }
          continue;
        }
        const type = getFieldType(step.field.type);
        const label = step.field.label[locale].replace(/\{(\w+)\}/g, (_, name: string) => step.field.vars[name]?.[locale] ?? '');
        parts.push({
          text: `${label}${colon}${type.format(value, locale, step.field.options)}`,
          speak: `${escapeXml(label)}${colon}${type.speak(value, locale, step.field.options)}`,
        });
      }
      if (parts.length === 0) continue;
      const title = section.title[locale] + (count > 1 ? (locale === 'zh-CN' ? `（第${index + 1}个）` : ` (${index + 1})`) : '');
      out.push({
        text: `${title}${colon}${parts.map((p) => p.text).join(separator)}${locale === 'zh-CN' ? '。' : '.'}`,
        speak: `${escapeXml(title)}${colon}${parts.map((p) => p.speak).join(escapeXml(separator))}`,
      });
    }
  }
  return out;
}
