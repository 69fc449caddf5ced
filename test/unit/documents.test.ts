import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addAmounts, addDays, chineseOrdinal, finishText, formatDate } from '../../src/documents/helpers.js';
import {
  buildDocumentModel,
  createDocumentRenderer,
  type DocumentModel,
  type FormatAnswer,
} from '../../src/documents/index.js';
import type { Locale } from '../../src/i18n.js';
import type { FieldValue } from '../../src/interview/fields/types.js';
import type { ComplaintRecord } from '../../src/store/types.js';

const TEMPLATES = fileURLToPath(new URL('../../templates', import.meta.url));
const COURT = '天津市北辰区人民法院';
const TODAY = '2026-11-28';

// A plain stand-in for the interview's field types, which are written elsewhere at the same time.
const CHOICES: Record<string, Record<string, [string, string]>> = {
  gender: { male: ['男', 'male'], female: ['女', 'female'] },
  kind: { person: ['自然人', 'person'], organization: ['单位', 'organization'] },
  'loan.method': { cash: ['现金', 'cash'], transfer: ['银行转账', 'bank transfer'], other: ['其他', 'other'] },
  'loan.rateUnit': { year: ['年', 'year'], month: ['月', 'month'] },
};
const DATE_FIELDS = /(birthDate|\.date|dueDate|awardDate|startDate|endDate|owedFrom|owedTo)$/;
const MONEY_FIELDS = /(amount|Amount|repaidPrincipal|repaidInterest|monthlyWage)$/;

const format: FormatAnswer = (fieldId: string, value: FieldValue, locale: Locale) => {
  const zh = locale === 'zh-CN';
  if (typeof value === 'boolean') return zh ? (value ? '是' : '否') : value ? 'yes' : 'no';
  if (DATE_FIELDS.test(fieldId) && typeof value === 'string') return formatDate(value, locale);
  if (MONEY_FIELDS.test(fieldId) && typeof value === 'number') {
    const figure = value.toLocaleString('en-US', { maximumFractionDigits: 2 });
    return zh ? `${figure}元` : `${figure} yuan`;
  }
  const last = fieldId.split('.').pop() ?? fieldId;
  const choice = CHOICES[fieldId]?.[String(value)] ?? CHOICES[last]?.[String(value)];
  if (choice) return zh ? choice[0] : choice[1];
  return String(value);
};

function record(answers: Record<string, FieldValue>, extra: Partial<ComplaintRecord> = {}): ComplaintRecord {
  const caseType = typeof answers['caseType'] === 'string' ? answers['caseType'] : null;
  return {
    id: 'c-1',
    caseType,
    status: 'finished',
    locale: 'zh-CN',
    resumeCode: '123456',
    answers,
    derived: [],
    skipped: [],
    groups: { defendant: 1 },
    clerkNeeds: [],
    createdAt: '2026-11-28T01:00:00.000Z',
    updatedAt: '2026-11-28T01:00:00.000Z',
    ...extra,
  };
}

const PLAINTIFF = {
  'plaintiff.kind': 'person',
  'plaintiff.name': '张三',
  'plaintiff.gender': 'male',
  'plaintiff.birthDate': '1952-03-14',
  'plaintiff.ethnicity': '汉族',
  'plaintiff.occupation': '退休工人',
  'plaintiff.address': '天津市北辰区果园新村街道1号',
  'plaintiff.idNumber': '120113195203140028',
  'plaintiff.phone': '13812345678',
} satisfies Record<string, FieldValue>;

const ONE_DEFENDANT = {
  'defendant[0].kind': 'person',
  'defendant[0].name': '李四',
  'defendant[0].gender': 'male',
  'defendant[0].address': '天津市河北区建国道2号',
} satisfies Record<string, FieldValue>;

const LOAN = {
  caseType: 'private-loan',
  ...PLAINTIFF,
  ...ONE_DEFENDANT,
  'loan.date': '2023-05-01',
  'loan.amount': 50000,
  'loan.method': 'transfer',
  'loan.dueDate': '2024-04-30',
  'loan.hasInterest': true,
  'loan.rate': 6,
  'loan.rateUnit': 'year',
  'loan.repaidPrincipal': 10000,
  'loan.repaidInterest': 1000,
  'loan.hasIou': true,
  'loan.hasGuarantee': true,
  'loan.guarantor': '赵六',
  'loan.demanded': true,
  'mediation.willing': true,
  'preservation.requested': false,
} satisfies Record<string, FieldValue>;

const WAGE = {
  caseType: 'wage-arrears',
  ...PLAINTIFF,
  'defendant[0].kind': 'organization',
  'defendant[0].orgName': '天津某某建筑劳务有限公司',
  'defendant[0].creditCode': '91120113MA05ABCD1X',
  'defendant[0].representative': '王五，总经理',
  'defendant[0].address': '天津市北辰区北仓镇3号',
  'defendant[0].phone': '022-12345678',
  'wage.hasArbitration': true,
  'wage.awardDate': '2026-11-20',
  'wage.startDate': '2025-03-01',
  'wage.endDate': '2025-09-30',
  'wage.endReason': 'dismissed',
  'wage.position': '钢筋工',
  'wage.monthlyWage': 6000,
  'wage.owedAmount': 18000,
  'wage.owedFrom': '2025-07',
  'wage.owedTo': '2025-09',
  'wage.migrantWorker': true,
  'mediation.willing': false,
  'preservation.requested': true,
} satisfies Record<string, FieldValue>;

const renderer = createDocumentRenderer({ templatesDir: TEMPLATES, format, caseTypes: ['private-loan', 'wage-arrears'] });

function model(answers: Record<string, FieldValue>, extra: Partial<ComplaintRecord> = {}): DocumentModel {
  return buildDocumentModel(record(answers, extra), { courtName: COURT, today: TODAY, format });
}

const tags = /<\/?[a-z][^>]*>/i;

/** Asserts that the needles occur in this order, each after the previous one. */
function expectInOrder(haystack: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = haystack.indexOf(needle, from);
    expect(at, `"${needle}" after position ${from}`).toBeGreaterThanOrEqual(0);
    from = at + needle.length;
  }
}

describe('buildDocumentModel', () => {
  it('nests answers by field id, one entry per counted defendant, and formats every answer in both languages', () => {
    const m = model({ ...LOAN, 'defendant[1].name': '王五' }, { groups: { defendant: 2 } });
    expect(m.caseType).toBe('private-loan');
    expect(m.court).toBe(COURT);
    expect(m.filedDate).toBe(TODAY);
    expect(m.plaintiff['name']).toBe('张三');
    expect(m.defendants.map((d) => d['name'])).toEqual(['李四', '王五']);
    expect(m.copies).toBe(2);
    expect(m.loan?.['amount']).toBe(50000);
    expect(m.mediation?.['willing']).toBe(true);
    expect(m.display['zh-CN']['defendant[0].gender']).toBe('男');
    expect(m.display['en-US']['loan.method']).toBe('bank transfer');
  });

  it('follows the group count: a removed defendant disappears, a counted one without answers stays', () => {
    const dropped = model({ ...LOAN, 'defendant[1].name': '王五' }, { groups: { defendant: 1 } });
    expect(dropped.defendants).toHaveLength(1);
    expect(dropped.display['zh-CN']['defendant[1].name']).toBeUndefined();
    const padded = model(LOAN, { groups: { defendant: 2 } });
    expect(padded.defendants).toHaveLength(2);
    expect(padded.defendants[1]?._key).toBe('defendant[1]');
  });

  it('strips control and bidi characters from answers and ignores keys that could reach prototypes', () => {
    const m = model({ ...LOAN, 'plaintiff.name': '张\u0001三\u202e\n', '__proto__.polluted': 'x', 'constructor.x': 'y' });
    expect(m.plaintiff['name']).toBe('张 三');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.hasOwn(m, 'constructor')).toBe(false);
  });

  it('refuses a record without a case type and a malformed today', () => {
    expect(() => model({ ...PLAINTIFF })).toThrow(/no case type/);
    expect(() => buildDocumentModel(record(LOAN), { courtName: COURT, today: '28.11.2026', format })).toThrow(/YYYY-MM-DD/);
  });

  it('falls back to the stored value when the formatter does not know a field', () => {
    const throwing: FormatAnswer = () => {
      throw new Error('unknown field');
    };
    const m = buildDocumentModel(record(LOAN), { courtName: COURT, today: TODAY, format: throwing });
    expect(m.display['zh-CN']['loan.amount']).toBe('50000');
  });
});

describe('document helpers', () => {
  it('adds days, treating a month-only date as the last day of that month', () => {
    expect(addDays('2024-04-30', 1)).toBe('2024-05-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02', 1)).toBe('2024-03-01');
    expect(addDays('not a date', 1)).toBeUndefined();
  });

  it('formats dates in the court style and in English', () => {
    expect(formatDate('2026-11-28', 'zh-CN')).toBe('2026年11月28日');
    expect(formatDate('2026-11', 'zh-CN')).toBe('2026年11月');
    expect(formatDate('2026-11-28', 'en-US')).toBe('28 November 2026');
  });

  it('counts defendants in Chinese numerals and sums money without float noise', () => {
    expect([1, 2, 10, 12, 20, 21].map(chineseOrdinal)).toEqual(['一', '二', '十', '十二', '二十', '二十一']);
    expect(addAmounts([0.1, 0.2])).toBe(0.3);
    expect(addAmounts([50000.1, -10000.05])).toBe(40000.05);
  });

  it('turns marked text into single blank lines without indentation', () => {
    expect(finishText('\n  A\n\u0001\n\n\u0001\n  B \n\u0001\n')).toBe('A\n\nB\n');
  });
});

describe('private loan complaint', () => {
  const html = renderer.render(model(LOAN), 'html');
  const text = renderer.render(model(LOAN), 'text');

  it('keeps the court section order from title to date', () => {
    for (const out of [html, text]) {
      expectInOrder(out, [
        '民事起诉状',
        '原告：张三',
        '被告：李四',
        '诉讼请求',
        '事实和理由',
        '证据和证据来源，证人姓名和住所',
        '此致',
        COURT,
        '附：本起诉状副本1份',
        '起诉人（签名或按指印）',
        '2026年11月28日',
      ]);
    }
  });

  it('writes the party line in the court order and skips nothing that was given', () => {
    expect(text).toContain(
      '原告：张三，男，1952年3月14日出生，汉族，退休工人，住天津市北辰区果园新村街道1号，公民身份号码120113195203140028，联系电话13812345678。',
    );
    expect(text).toContain('被告：李四，男，住天津市河北区建国道2号。');
  });

  it('numbers the claims, computes the principal still owed and words agreed interest', () => {
    expect(text).toContain('1. 判令被告李四偿还原告借款本金40,000元；');
    expect(text).toContain(
      '2. 判令被告支付利息（以未还本金40,000元为基数，按年利率6%，自借款之日即2023年5月1日起计算至实际清偿之日止，被告已支付的利息1,000元予以扣除）；',
    );
    expect(text).toContain('3. 本案诉讼费用由被告承担。');
    expect(html).toMatch(/<li><span class="n">1\.<\/span> 判令被告李四偿还原告借款本金40,000元；<\/li>/);
  });

  it('tells the facts from the elements, with the guarantee and the demand', () => {
    expect(text).toContain('2023年5月1日，被告李四向原告张三借款50,000元。原告通过银行转账方式将借款交付被告。');
    expect(text).toContain('被告向原告出具了借条。');
    expect(text).toContain('双方约定还款日期为2024年4月30日。');
    expect(text).toContain('双方约定借款年利率为6%。');
    expect(text).toContain('赵六为该笔借款提供了担保。');
    expect(text).toContain('借款后，被告归还本金10,000元、支付利息1,000元。经原告催要，被告至今仍未还款。');
    expect(text).toContain('截至起诉之日，被告尚欠原告借款本金40,000元未还。');
  });

  it('lists the evidence that the answers imply, each with its source', () => {
    expect(text).toContain('1. 原告身份证复印件，证明原告的身份。来源：原告提供。');
    expect(text).toContain('2. 借条（欠条）');
    expect(text).toContain('3. 银行转账记录');
    expect(text).toContain('4. 催款记录');
  });

  it('states mediation and preservation in element-form wording', () => {
    expect(text).toContain('原告愿意在诉讼前先行调解。');
    expect(text).toContain('原告暂不申请财产保全。');
  });

  it('claims overdue interest at the LPR from the day after the due date when none was agreed', () => {
    const out = renderer.render(model({ ...LOAN, 'loan.hasInterest': false, 'loan.repaidInterest': 0 }), 'text');
    expect(out).toContain(
      '2. 判令被告支付逾期利息（以未还本金40,000元为基数，按全国银行间同业拆借中心公布的一年期贷款市场报价利率（LPR），自2024年5月1日起计算至实际清偿之日止）；',
    );
    expect(out).toContain('双方未约定借款利息。');
    expect(out).not.toContain('予以扣除');
  });

  it('words a monthly rate and a month-only due date', () => {
    const monthly = renderer.render(model({ ...LOAN, 'loan.rate': 1.5, 'loan.rateUnit': 'month' }), 'text');
    expect(monthly).toContain('按月利率1.5%');
    const monthOnly = renderer.render(model({ ...LOAN, 'loan.hasInterest': false, 'loan.dueDate': '2024-04' }), 'text');
    expect(monthOnly).toContain('自2024年5月1日起计算至实际清偿之日止');
  });

  it('claims no interest when none was agreed and no due date is known, and renumbers the costs claim', () => {
    const answers: Record<string, FieldValue> = { ...LOAN, 'loan.hasInterest': false };
    delete answers['loan.dueDate'];
    const out = renderer.render(model(answers), 'text');
    expect(out).not.toContain('利息（');
    expect(out).toContain('2. 本案诉讼费用由被告承担。');
  });

  it('treats a missing repayment as nothing repaid', () => {
    const answers: Record<string, FieldValue> = { ...LOAN };
    delete answers['loan.repaidPrincipal'];
    delete answers['loan.repaidInterest'];
    const out = renderer.render(model(answers), 'text');
    expect(out).toContain('1. 判令被告李四偿还原告借款本金50,000元；');
    expect(out).not.toContain('予以扣除');
    expect(out).not.toContain('借款后');
  });

  it('renders a sparse record without gaps, stray commas or placeholders', () => {
    const sparse = model({
      caseType: 'private-loan',
      'plaintiff.name': '张三',
      'defendant[0].name': '李四',
      'loan.amount': 3000,
    });
    for (const mode of ['html', 'text'] as const) {
      const out = renderer.render(sparse, mode);
      expect(out).toContain('原告：张三。');
      expect(out).toContain('被告：李四。');
      expect(out).toContain('被告李四向原告张三借款3,000元。');
      expect(out).not.toMatch(/，，|，。|undefined|NaN|null|\[object/);
      expect(out).not.toContain('先行调解和财产保全');
    }
  });

  it('gives each of several defendants its own block and attaches one copy for each', () => {
    const answers = {
      ...LOAN,
      'defendant[1].kind': 'organization',
      'defendant[1].orgName': '天津某某商贸有限公司',
      'defendant[1].creditCode': '91120113MA05XXXX1X',
      'defendant[1].representative': '王五，总经理',
      'defendant[1].address': '天津市北辰区北仓镇',
    };
    const out = renderer.render(model(answers, { groups: { defendant: 2 } }), 'text');
    expectInOrder(out, ['原告：', '被告一：李四，男', '被告二：天津某某商贸有限公司', '诉讼请求']);
    expect(out).toContain(
      '被告二：天津某某商贸有限公司，住所地天津市北辰区北仓镇，统一社会信用代码91120113MA05XXXX1X。\n\n法定代表人：王五，总经理。',
    );
    expect(out).toContain('判令被告李四、天津某某商贸有限公司偿还原告借款本金40,000元');
    expect(out).toContain('附：本起诉状副本2份');
    expect(out).not.toContain('被告：');
  });

  it('keeps hostile answers inert in HTML and literal in text', () => {
    const hostile = model({
      ...LOAN,
      'plaintiff.name': '<script>alert(1)</script>',
      'plaintiff.address': '{{7*7}} & <b>楼</b>',
      'loan.guarantor': '"><img src=x onerror=alert(1)>',
    });
    const out = renderer.render(hostile, 'html');
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('{{7*7}} &amp; &lt;b&gt;楼&lt;/b&gt;');
    expect(out).not.toContain('49');
    const plain = renderer.render(hostile, 'text');
    expect(plain).toContain('原告：<script>alert(1)</script>');
    expect(plain).toContain('{{7*7}} & <b>楼</b>');
    expect(plain).not.toContain('&amp;');
  });

  it('prints on A4 with a CJK serif font and leaves a fingerprint box beside the signature', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/@page \{ size: A4; margin: [^}]+\}/);
    expect(html).toContain('"Noto Serif CJK SC"');
    expect(html).toMatch(/起诉人（签名或按指印）：<\/span>\s*<span class="sign-line"[^>]*><\/span>\s*<span class="fingerprint"/);
  });

  it('writes clean plain text: no tags, no markers, one blank line between sections', () => {
    expect(text).not.toMatch(tags);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(text).not.toMatch(/\n\n\n/);
    expect(text).not.toMatch(/^[ \t]/m);
    expect(text).toContain('\n\n诉讼请求\n1. ');
    expect(text).toContain('。\n\n事实和理由\n');
  });

  it('gives a zh-CN filer the Chinese complaint only', () => {
    expect(html).not.toContain('For your reference');
    expect(html.match(/<article/g)).toHaveLength(1);
  });

  it('adds an English reading copy after the Chinese text for an en-US filer', () => {
    const en = model(LOAN, { locale: 'en-US' });
    for (const mode of ['html', 'text'] as const) {
      const out = renderer.render(en, mode);
      expectInOrder(out, [
        '民事起诉状',
        '判令被告李四偿还原告借款本金40,000元',
        '2026年11月28日',
        "For your reference; the Chinese text above is what the court receives.",
        'Civil Complaint',
        'Plaintiff: 张三, male, born 14 March 1952, ethnicity: 汉族',
        'Defendant: 李四',
        'Claims',
        'Order the defendant 李四 to repay the outstanding principal of 40,000 yuan;',
        'at the agreed annual rate of 6%, from the day of the loan (1 May 2023) until the day it is paid in full',
        'less the interest of 1,000 yuan already paid',
        'Facts and reasons',
        'Evidence, its sources, and witnesses',
        'Attached: 1 copy of this complaint',
        'Plaintiff (signature or fingerprint)',
        '28 November 2026',
      ]);
    }
    const html2 = renderer.render(en, 'html');
    expect(html2).toContain('<article lang="en-US" class="reading-copy">');
    const text2 = renderer.render(en, 'text');
    expect(text2).not.toMatch(tags);
    expect(text2).toContain('\n1. Order the defendant 李四 to repay');
    expect(text2).toContain('\n3. Order the defendant to bear the costs of this case.');
  });
});

describe('wage arrears complaint', () => {
  it('claims the wages owed for the period, then costs, with the employer as an organization', () => {
    const text = renderer.render(model(WAGE), 'text');
    expectInOrder(text, ['民事起诉状', '原告：张三', '被告：天津某某建筑劳务有限公司', '诉讼请求', '事实和理由', '证据和证据来源', '此致']);
    expect(text).toContain(
      '被告：天津某某建筑劳务有限公司，住所地天津市北辰区北仓镇3号，统一社会信用代码91120113MA05ABCD1X，联系电话022-12345678。',
    );
    expect(text).toContain('法定代表人：王五，总经理。');
    expect(text).toContain('1. 判令被告支付原告拖欠的工资18,000元（2025年7月至2025年9月）；');
    expect(text).toContain('2. 本案诉讼费用由被告承担。');
  });

  it('tells the employment facts and the arbitration with the fifteen-day suit', () => {
    const text = renderer.render(model(WAGE), 'text');
    expect(text).toContain('原告于2025年3月1日入职被告天津某某建筑劳务有限公司处，工作岗位为钢筋工，月工资6,000元。2025年9月30日，被告将原告辞退。');
    expect(text).toContain('被告拖欠原告2025年7月至2025年9月期间的工资共计18,000元，至今未支付。');
    expect(text).toContain('原告系农民工');
    expect(text).toContain('仲裁委员会已作出仲裁裁决，原告于2026年11月20日收到仲裁裁决书。原告不服该裁决，在收到仲裁裁决书之日起十五日内向贵院提起诉讼。');
    expect(text).toContain('原告不同意先行调解。');
    expect(text).toContain('原告申请财产保全，财产保全申请书另行提交。');
    expect(text).toContain('1. 原告身份证复印件');
    expect(text).toContain('2. 劳动仲裁裁决书');
    expect(text).toContain('3. 劳动合同（如有）');
    expect(text).toContain('4. 工资条或工资发放记录（如有）');
    expect(text).toContain('5. 考勤记录（如有）');
    expect(text).not.toContain('工资欠条');
  });

  it('sues directly on a wage IOU, for a worker still employed', () => {
    const answers: Record<string, FieldValue> = {
      ...WAGE,
      'wage.hasArbitration': false,
      'wage.hasWageIou': true,
      'wage.endReason': 'still-working',
      'wage.migrantWorker': false,
    };
    delete answers['wage.awardDate'];
    delete answers['wage.endDate'];
    const text = renderer.render(model(answers), 'text');
    expect(text).toContain('原告目前仍在被告处工作。');
    expect(text).toContain('被告向原告出具了工资欠条');
    expect(text).toContain('第十五条');
    expect(text).toContain('2. 工资欠条，证明被告确认拖欠原告工资的数额。');
    expect(text).not.toContain('仲裁裁决');
    expect(text).not.toContain('农民工');
  });

  it('reads the employment as ongoing when no end date was given', () => {
    const answers: Record<string, FieldValue> = { ...WAGE };
    delete answers['wage.endDate'];
    delete answers['wage.endReason'];
    expect(renderer.render(model(answers), 'text')).toContain('原告目前仍在被告处工作。');
  });

  it('has an English reading copy too', () => {
    const out = renderer.render(model(WAGE, { locale: 'en-US' }), 'html');
    expectInOrder(out, [
      '判令被告支付原告拖欠的工资18,000元',
      'For your reference',
      'Order the defendant to pay the plaintiff the unpaid wages of 18,000 yuan (July 2025 to September 2025);',
      'On 30 September 2025, the defendant dismissed the plaintiff.',
      'within fifteen days of receiving it',
      'The plaintiff does not agree to mediation first.',
    ]);
  });
});

describe('createDocumentRenderer start-up checks', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function templates(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'doc-templates-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return dir;
  }

  const layout = '{{#each copies}}{{body}}{{/each}}';

  it('names a missing layout', () => {
    const dir = templates({ 'x.hbs': 'x' });
    expect(() => createDocumentRenderer({ templatesDir: dir, format })).toThrow(join(dir, 'layout.hbs'));
  });

  it('names the template of a required case type that is missing', () => {
    const dir = templates({ 'layout.hbs': layout, 'private-loan.hbs': 'x' });
    expect(() => createDocumentRenderer({ templatesDir: dir, format, caseTypes: ['private-loan', 'divorce'] })).toThrow(
      join(dir, 'divorce.hbs'),
    );
  });

  it('names the file that uses a missing partial, and the partial file it expected', () => {
    const dir = templates({ 'layout.hbs': layout, 'divorce.hbs': '{{> header}}\n{{> children}}', 'partials/header.hbs': 'h' });
    expect(() => createDocumentRenderer({ templatesDir: dir, format })).toThrow(
      `${join(dir, 'divorce.hbs')} uses the partial "children", but ${join(dir, 'partials', 'children.hbs')} does not exist`,
    );
  });

  it('names the file and line of an unknown helper, and of a syntax error', () => {
    const unknown = templates({ 'layout.hbs': layout, 'lease.hbs': 'a\n{{#para}}{{money rent}}{{/para}}' });
    expect(() => createDocumentRenderer({ templatesDir: unknown, format })).toThrow(`${join(unknown, 'lease.hbs')}:2 calls the unknown helper "money"`);
    const broken = templates({ 'layout.hbs': layout, 'lease.hbs': '{{#if x}}open' });
    expect(() => createDocumentRenderer({ templatesDir: broken, format })).toThrow(join(broken, 'lease.hbs'));
  });

  it('accepts inline partials and reports a case type without a template at render time', () => {
    const dir = templates({ 'layout.hbs': layout, 'lease.hbs': '{{#*inline "x"}}X{{/inline}}{{> x}}' });
    const r = createDocumentRenderer({ templatesDir: dir, format });
    expect(r.caseTypes).toEqual(['lease']);
    const lease = model({ ...LOAN, caseType: 'lease' });
    expect(r.render(lease, 'text')).toBe('X\n');
    expect(() => r.render(model(LOAN), 'html')).toThrow(join(dir, 'private-loan.hbs'));
  });
});

describe('uploaded evidence', () => {
  const evidence = [
    { fileId: 'a', name: '借条照片.jpg', contentType: 'image/jpeg', size: 10, addedAt: '2026-11-28T01:00:00Z' },
    { fileId: 'b', name: 'bank <slip>.pdf', contentType: 'application/pdf', size: 10, addedAt: '2026-11-28T01:00:00Z' },
  ];

  it('lists the photos and PDFs the filer sent, numbered after the other evidence, escaped', () => {
    const text = renderer.render(model({ ...PLAINTIFF, ...ONE_DEFENDANT, ...LOAN }, { evidence }), 'text');
    expect(text).toMatch(/\d\. 原告提交的照片：借条照片\.jpg。来源：原告提供。/);
    expect(text).toContain('原告提交的文件：bank <slip>.pdf');
    const html = renderer.render(model({ ...PLAINTIFF, ...ONE_DEFENDANT, ...WAGE }, { evidence, locale: 'en-US' }), 'html');
    expect(html).toContain('A photo the plaintiff submitted: 借条照片.jpg');
    expect(html).not.toContain('<slip>');
    expect(html).toContain('bank &lt;slip&gt;.pdf');
  });
});
