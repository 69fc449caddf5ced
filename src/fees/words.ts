import { LOCALES, type Locale, type Localized } from '../i18n.js';
import { formatMoney, getFieldType } from '../interview/fields/index.js';
import { escapeXml } from '../speech/ssml.js';
import { fenToYuan } from './fen.js';

/**
 * What the filer hears about the fee, in plain words with the article it rests on. Kept
 * beside the rules because each sentence states a rule; amounts are written as the
 * complaint writes them and spoken as the money field type speaks them (四万元, not 4-0-0-0-0).
 */
const MEASURES_ZH = '《诉讼费用交纳办法》';
const MEASURES_EN = 'the Measures on the Payment of Litigation Costs';

const TEXTS = {
  property: {
    'zh-CN': `诉讼费：按请求金额{claim}计算，约{amount}，以法院核定为准（${MEASURES_ZH}第十三条）。如果法院用简易程序审理，减半为{half}（第十六条）。立案时先预交，最后一般由败诉的一方负担。`,
    'en-US': `Court fee: for a claim of {claim}, about {amount}; the court fixes the exact figure (Article 13 of ${MEASURES_EN}). If the court uses the summary procedure, it is halved to {half} (Article 16). You pay it in advance when you file; in the end the losing side usually bears it.`,
  },
  propertyNoClaim: {
    'zh-CN': `诉讼费：按请求金额计算，不超过1万元的每件{amount}，以法院核定为准（${MEASURES_ZH}第十三条）。如果法院用简易程序审理，减半为{half}（第十六条）。立案时先预交。`,
    'en-US': `Court fee: it depends on the amount claimed; up to CNY 10,000 it is {amount} a case, and the court fixes the exact figure (Article 13 of ${MEASURES_EN}). If the court uses the summary procedure, it is halved to {half} (Article 16). You pay it in advance when you file.`,
  },
  divorce: {
    'zh-CN': `诉讼费：离婚案件每件50元到300元，由本省定标准，这里按{amount}估算（${MEASURES_ZH}第十三条）。财产不超过20万元的不另交。如果法院用简易程序审理，减半为{half}（第十六条）。立案时先预交。`,
    'en-US': `Court fee: a divorce case costs CNY 50 to 300, as the province sets it; this estimate uses {amount} (Article 13 of ${MEASURES_EN}). Property up to CNY 200,000 adds nothing. If the court uses the summary procedure, it is halved to {half} (Article 16). You pay it in advance when you file.`,
  },
  divorceProperty: {
    'zh-CN': `诉讼费：离婚案件每件50元到300元，由本省定标准，这里按{base}估算；要分的财产{property}，超过20万元的部分按0.5%另交{extra}，合计约{amount}（${MEASURES_ZH}第十三条）。如果法院用简易程序审理，减半为{half}（第十六条）。立案时先预交。`,
    'en-US': `Court fee: a divorce case costs CNY 50 to 300, as the province sets it; this estimate uses {base}. The property to divide is {property}; the part above CNY 200,000 adds 0.5%, that is {extra}, so about {amount} in all (Article 13 of ${MEASURES_EN}). If the court uses the summary procedure, it is halved to {half} (Article 16). You pay it in advance when you file.`,
  },
  labor: {
    'zh-CN': `诉讼费：劳动争议案件每件{amount}（${MEASURES_ZH}第十三条），用简易程序审理的减半为{half}（第十六条）。追索劳动报酬的案件，立案时可以不预交（第二十条）。`,
    'en-US': `Court fee: a labor dispute costs {amount} a case (Article 13 of ${MEASURES_EN}), halved to {half} under the summary procedure (Article 16). For a claim for unpaid pay you need not pay anything in advance when you file (Article 20).`,
  },
  nonProperty: {
    'zh-CN': `诉讼费：这类案件每件50元到100元，这里按{amount}估算，以法院核定为准（${MEASURES_ZH}第十三条）。如果法院用简易程序审理，减半为{half}（第十六条）。立案时先预交。`,
    'en-US': `Court fee: this kind of case costs CNY 50 to 100; this estimate uses {amount}, and the court fixes the exact figure (Article 13 of ${MEASURES_EN}). If the court uses the summary procedure, it is halved to {half} (Article 16). You pay it in advance when you file.`,
  },
  support: {
    'zh-CN': `诉讼费：追索赡养费、扶养费、抚育费的案件免交诉讼费（${MEASURES_ZH}第四十五条）。立案时请告诉窗口工作人员。`,
    'en-US': `Court fee: a claim for the support of parents, a spouse or children is free of court fees (Article 45 of ${MEASURES_EN}). Please tell the staff at the filing window.`,
  },
  unknown: {
    'zh-CN': '诉讼费：这类案件的诉讼费由法院立案时核定，窗口工作人员会告诉您数额。交费有困难的，可以申请减免。',
    'en-US': 'Court fee: for this kind of case the court sets the fee when you file, and the staff at the window will tell you the amount. If paying is hard for you, you can ask for it to be waived or reduced.',
  },
} satisfies Record<string, Localized>;

export type FeeWordsKey = keyof typeof TEXTS;

/** Fills a fee sentence in both languages, written and spoken; amounts are given in fen. */
export function feeWords(key: FeeWordsKey, amounts: Record<string, bigint>): { explanation: Localized; speech: Localized } {
  const money = getFieldType('money');
  const explanation = {} as Localized;
  const speech = {} as Localized;
  for (const locale of LOCALES) {
    const template = TEXTS[key][locale];
    explanation[locale] = fillAmounts(template, amounts, (yuan) => formatMoney(yuan, locale));
    speech[locale] = template
      .split(/(\{\w+\})/g)
      .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        const fen = name === undefined ? undefined : amounts[name];
        return fen === undefined ? escapeXml(part) : money.speak(fenToYuan(fen), locale as Locale);
      })
      .join('');
  }
  return { explanation, speech };
}

function fillAmounts(template: string, amounts: Record<string, bigint>, show: (yuan: number) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const fen = amounts[name];
    return fen === undefined ? whole : show(fenToYuan(fen));
  });
}
