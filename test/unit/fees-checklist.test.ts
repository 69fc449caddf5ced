import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildChecklist, defendantCount } from '../../src/fees/index.js';
import { loadSpecs, SpecError } from '../../src/interview/spec.js';

const DIALOGS = path.resolve(import.meta.dirname, '../../dialogs');
const specs = loadSpecs(DIALOGS);
const loan = specs.cases.find((c) => c.caseType === 'private-loan')!;
const wage = specs.cases.find((c) => c.caseType === 'wage-arrears')!;
const TODAY = '2026-11-28';

function checklist(spec: typeof loan, answers: Record<string, string | number | boolean>, groups: Record<string, number> = { defendant: 1 }) {
  return buildChecklist(spec, { answers, groups }, specs.messages, TODAY);
}

describe('the checklist: what to bring to the filing window', () => {
  it('starts with the ID card, adds the case evidence that applies, and ends with one copy per defendant plus the court', () => {
    const zh = checklist(loan, {
      'plaintiff.kind': 'person', 'defendant[0].kind': 'person', 'loan.hasIou': true, 'loan.method': 'cash', 'loan.demanded': false,
    }).map((i) => i['zh-CN']);
    expect(zh[0]).toContain('身份证');
    expect(zh.some((t) => t.includes('借条'))).toBe(true);
    expect(zh.some((t) => t.includes('转账'))).toBe(false);
    expect(zh.some((t) => t.includes('催要'))).toBe(false);
    expect(zh.at(-1)).toBe('起诉状2份：法院一份，每个被告各一份');
  });

  it('names the organization papers, the defendant organization, transfers, and the relief proof', () => {
    const items = checklist(loan, {
      'plaintiff.kind': 'organization', 'defendant[0].kind': 'person', 'defendant[1].kind': 'organization',
      'loan.method': 'transfer', 'loan.hasIou': false, 'relief.hardship': true, 'relief.reason': 'allowance', 'relief.request': 'exempt',
    }, { defendant: 2 });
    const zh = items.map((i) => i['zh-CN']);
    const en = items.map((i) => i['en-US']);
    expect(zh[0]).toContain('营业执照');
    expect(zh).toContain('被告单位的登记信息（窗口可以帮您查询打印）');
    expect(zh.some((t) => t.includes('转账记录'))).toBe(true);
    expect(zh.some((t) => t.includes('司法救助申请书'))).toBe(true);
    expect(zh.some((t) => t.includes('低保证'))).toBe(true);
    expect(zh.some((t) => t.includes('残疾证'))).toBe(false);
    expect(zh.at(-1)).toContain('起诉状3份');
    expect(en.at(-1)).toBe('3 copies of the complaint: one for the court and one for each defendant');
  });

  it('asks for no relief proof once the filer has said the fee is not hard after all', () => {
    const zh = checklist(loan, { 'relief.hardship': false, 'relief.reason': 'disabled' }).map((i) => i['zh-CN']);
    expect(zh.some((t) => t.includes('司法救助') || t.includes('残疾证'))).toBe(false);
  });

  it('wage cases: the award, or the wage IOU, and proof of the work', () => {
    const zh = checklist(wage, { 'wage.hasArbitration': true }).map((i) => i['zh-CN']);
    expect(zh.some((t) => t.includes('仲裁裁决书'))).toBe(true);
    expect(zh.some((t) => t.includes('工资欠条'))).toBe(false);
    expect(zh.some((t) => t.includes('劳动合同'))).toBe(true);
  });

  it('counts defendants from the group, or from the answers of an older draft', () => {
    expect(defendantCount({ answers: {}, groups: { defendant: 3 } })).toBe(3);
    expect(defendantCount({ answers: { 'defendant[1].name': 'x' }, groups: {} })).toBe(2);
    expect(defendantCount({ answers: {}, groups: {} })).toBe(1);
  });
});

describe('the fee and checklist parts of a spec', () => {
  it('load from the shipped specs, with the relief block in both', () => {
    expect(loan.fee).toEqual({ rule: 'property', claim: ['loan.amount', '-loan.repaidPrincipal'] });
    expect(wage.fee).toEqual({ rule: 'labor' });
    for (const spec of [loan, wage]) {
      for (const id of ['relief.hardship', 'relief.reason', 'relief.request', 'relief.monthlyIncome', 'relief.explanation']) {
        expect(spec.fields.has(id), `${spec.caseType} ${id}`).toBe(true);
      }
      expect(spec.fields.get('relief.hardship')!.required).toBe(false);
      expect(spec.fields.get('relief.reason')!.when).toEqual({ field: 'relief.hardship', equals: true });
      expect(spec.sections.at(-1)!.id).toBe('relief');
    }
    expect(loan.fields.get('relief.request')!.options.choices!.map((c) => c.value)).toEqual(['exempt', 'reduce', 'defer']);
  });

  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function errorOf(file: string, edit: (text: string) => string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fee-specs-'));
    temps.push(dir);
    cpSync(DIALOGS, dir, { recursive: true });
    const target = path.join(dir, file);
    writeFileSync(target, edit(readFileSync(target, 'utf8')));
    try {
      loadSpecs(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      return (error as Error).message;
    }
    throw new Error('the specs loaded');
  }

  it('stop start-up for a fee that counts a field the case lacks, or one that is not an amount', () => {
    expect(errorOf('private-loan.yaml', (t) => t.replace('-loan.repaidPrincipal]', '-loan.repaid]')))
      .toMatch(/^dialogs\/private-loan\.yaml: fee: counts "loan\.repaid", which is not a field/);
    expect(errorOf('private-loan.yaml', (t) => t.replace('claim: [loan.amount,', 'claim: [loan.date,')))
      .toMatch(/fee: counts "loan\.date", which is a date field, not an amount/);
  });

  it('stop start-up for a property rule without a claim, or an unknown rule', () => {
    expect(errorOf('private-loan.yaml', (t) => t.replace('  claim: [loan.amount, -loan.repaidPrincipal]\n', '')))
      .toMatch(/private-loan\.yaml: fee\.claim: a property case names the answers/);
    expect(errorOf('wage-arrears.yaml', (t) => t.replace('rule: labor', 'rule: wages'))).toMatch(/wage-arrears\.yaml: fee\.rule/);
  });

  it('stop start-up for a checklist condition on a missing field, or on one asked per defendant', () => {
    expect(errorOf('private-loan.yaml', (t) => t.replace('when: { field: loan.hasIou, equals: true }\n  - text', 'when: { field: loan.hasIOU, equals: true }\n  - text')))
      .toMatch(/private-loan\.yaml: checklist 1: when: refers to "loan\.hasIOU"/);
    expect(errorOf('private-loan.yaml', (t) => t.replace('when: { field: loan.hasIou, equals: true }\n  - text', 'when: { field: defendant.kind, equals: person }\n  - text')))
      .toMatch(/checklist 1: when: refers to "defendant\.kind", which is asked once per defendant/);
    expect(errorOf('blocks/relief.yaml', (t) => t.replace('{ field: relief.reason, equals: disabled }', '{ field: relief.why, equals: disabled }')))
      .toMatch(/checklist \d+: when: refers to "relief\.why"/);
  });
});
