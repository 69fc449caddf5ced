import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpecs, SpecError } from '../../src/interview/spec.js';

const DIALOGS = path.resolve(import.meta.dirname, '../../dialogs');
const temps: string[] = [];

/** A copy of dialogs/ with one file changed by `edit`. */
function withEdited(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specs-'));
  temps.push(dir);
  cpSync(DIALOGS, dir, { recursive: true });
  const target = path.join(dir, file);
  writeFileSync(target, edit(readFileSync(target, 'utf8')));
  return dir;
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function errorOf(dir: string): string {
  try {
    loadSpecs(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message;
  }
  throw new Error('the specs loaded');
}

describe('the shipped specs', () => {
  it('load, expand the party block per role and keep CONTRACT §4 field ids', () => {
    const { cases, messages } = loadSpecs(DIALOGS);
    // CONTRACT §4: the case types there are.
    expect(cases.map((c) => c.caseType).sort()).toEqual(
      ['divorce', 'lease', 'other', 'private-loan', 'property-fee', 'sale-contract', 'support', 'traffic-accident', 'wage-arrears'],
    );
    const loan = cases.find((c) => c.caseType === 'private-loan')!;
    for (const id of ['plaintiff.kind', 'plaintiff.name', 'plaintiff.idNumber', 'plaintiff.gender', 'plaintiff.birthDate', 'defendant.orgName',
      'defendant.creditCode', 'defendant.representative', 'loan.date', 'loan.amount', 'loan.method', 'loan.dueDate', 'loan.hasInterest', 'loan.rate',
      'loan.rateUnit', 'loan.repaidPrincipal', 'loan.repaidInterest', 'loan.hasIou', 'loan.hasGuarantee', 'loan.guarantor']) {
      expect(loan.fields.has(id), id).toBe(true);
    }
    expect(loan.fields.get('plaintiff.idNumber')!.required).toBe(true);
    expect(loan.fields.get('defendant.idNumber')!.required).toBe(false);
    expect(loan.fields.get('defendant.name')!.group).toBe('defendant');
    expect(loan.fields.get('defendant.name')!.when).toEqual({ field: 'defendant.kind', equals: 'person' });
    expect(loan.fields.get('plaintiff.kind')!.prompt['zh-CN']).toContain('先说说您自己');
    const wage = cases.find((c) => c.caseType === 'wage-arrears')!;
    for (const id of ['wage.startDate', 'wage.endDate', 'wage.position', 'wage.monthlyWage', 'wage.owedAmount', 'wage.owedFrom', 'wage.owedTo',
      'wage.hasWageIou', 'wage.hasArbitration', 'wage.awardDate']) {
      expect(wage.fields.has(id), id).toBe(true);
    }
    expect(messages.greeting['en-US']).toMatch(/Hello/);
  });
});

describe('a bad spec stops start-up naming the file and the field', () => {
  it('a missing English prompt', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('          en-US: "How much money did you lend in total?"\n', ''));
    expect(errorOf(dir)).toMatch(/^dialogs\/private-loan\.yaml: field loan\.amount: prompt/);
  });

  it('an unknown field type', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('type: money', 'type: currency'));
    expect(errorOf(dir)).toMatch(/dialogs\/private-loan\.yaml: field loan\.amount: type/);
  });

  it('a condition on a field that does not exist', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('when: { field: loan.hasInterest, equals: true }', 'when: { field: loan.hasInterst, equals: true }'));
    expect(errorOf(dir)).toMatch(/dialogs\/private-loan\.yaml: field loan\.\w+: when: refers to "loan\.hasInterst"/);
  });

  it('a placeholder with no var behind it', () => {
    const dir = withEdited('wage-arrears.yaml', (t) => t.replace('"您干的是什么活？"', '"{whom}干的是什么活？"'));
    expect(errorOf(dir)).toMatch(/dialogs\/wage-arrears\.yaml: field wage\.position: the zh-CN text uses \{whom\}/);
  });

  it('a choice field without choices', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace(/(- id: loan\.method\n\s+type: )choice/, '$1text'));
    expect(errorOf(dir)).toMatch(/field loan\.method: choices: only choice fields have choices/);
  });

  it('a block that does not exist', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('  - use: requests', '  - use: requestz'));
    expect(errorOf(dir)).toMatch(/dialogs\/private-loan\.yaml: section requestz: uses the block "requestz"/);
  });

  it('an override for a field the block lacks', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('      idNumber: { required: false }', '      idNumbr: { required: false }'));
    expect(errorOf(dir)).toMatch(/section defendant: overrides\.idNumbr/);
  });

  it('broken YAML', () => {
    const dir = withEdited('wage-arrears.yaml', (t) => t.replace('caseType: wage-arrears', 'caseType: [wage-arrears'));
    expect(errorOf(dir)).toMatch(/^dialogs\/wage-arrears\.yaml: is not valid YAML/);
  });

  it('a message missing one language', () => {
    const dir = withEdited('messages.yaml', (t) => t.replace(/skipped:\n  zh-CN: .*\n  en-US: .*\n/, 'skipped:\n  zh-CN: "好的"\n'));
    expect(errorOf(dir)).toMatch(/^dialogs\/messages\.yaml: skipped/);
  });

  it('the same field twice', () => {
    const dir = withEdited('private-loan.yaml', (t) => t.replace('- id: loan.dueDate', '- id: loan.date'));
    expect(errorOf(dir)).toMatch(/field loan\.date: the field id is used twice/);
  });
});

describe('texts of flows outside the interview', () => {
  it('are loaded by area, and a missing key the code needs stops start-up naming the file and the key', async () => {
    const { VISIT_TEXT_KEYS } = await import('../../src/visits/messages.js');
    const loaded = loadSpecs(DIALOGS, { requiredTexts: { visits: VISIT_TEXT_KEYS } });
    expect(loaded.texts['visits']?.['intro']?.['zh-CN']).toContain('来不了法院');
    const dir = withEdited('texts/visits.yaml', (t) => t.replace(/^ageEligible:\n  zh-CN: .*\n  en-US: .*\n/m, ''));
    try {
      loadSpecs(dir, { requiredTexts: { visits: VISIT_TEXT_KEYS } });
      throw new Error('loaded');
    } catch (error) {
      expect((error as Error).message).toBe('dialogs/texts/visits.yaml: ageEligible: is missing (both zh-CN and en-US are needed)');
    }
  });
});
