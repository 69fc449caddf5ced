import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  checkFeeSettings, DEFAULT_FEE_SETTINGS, estimateFee, fenToYuan, propertyFee, propertyFeeFen, sumAnswersFen, toFen,
} from '../../src/fees/index.js';
import { checkWellFormed } from '../../src/speech/ssml.js';

describe('property cases: Decree 481 Art. 13 (一), cumulative bands', () => {
  it('meets the checks in DOMAIN.md exactly', () => {
    expect(propertyFee(50_000)).toBe(1_050);
    expect(propertyFee(100_000)).toBe(2_300);
    expect(propertyFee(200_000)).toBe(4_300);
    expect(propertyFee(500_000)).toBe(8_800);
    expect(propertyFee(1_000_000)).toBe(13_800);
  });

  it.each([
    // claim, fee: each band edge, counted by hand from the article
    [0, 50],
    [1, 50],
    [10_000, 50],
    [10_000.01, 50], // 0.01 × 2.5% is a quarter of a fen: rounds away
    [10_040, 51], // 40 × 2.5% = 1
    [100_000, 2_300], // 50 + 90,000 × 2.5%
    [100_001, 2_300.02],
    [200_000, 4_300], // + 100,000 × 2%
    [500_000, 8_800], // + 300,000 × 1.5%
    [1_000_000, 13_800], // + 500,000 × 1%
    [2_000_000, 22_800], // + 1,000,000 × 0.9%
    [5_000_000, 46_800], // + 3,000,000 × 0.8%
    [10_000_000, 81_800], // + 5,000,000 × 0.7%
    [20_000_000, 141_800], // + 10,000,000 × 0.6%
    [30_000_000, 191_800], // + 10,000,000 × 0.5%
  ])('a claim of %d yuan costs %d yuan', (claim, fee) => {
    expect(propertyFee(claim)).toBe(fee);
  });

  it('is exact to the fen, without float drift', () => {
    // 12,345.67: 50 + 2,345.67 × 2.5% = 108.64175 → 108.64
    expect(propertyFee(12_345.67)).toBe(108.64);
    // 0.1 + 0.2 style sums stay exact in fen
    expect(sumAnswersFen(['a', 'b'], { a: 0.1, b: 0.2 })).toBe(30n);
    expect(propertyFeeFen(toFen(123_456.78))).toBe(276_914n); // 2,300 + 23,456.78 × 2% = 2,769.1356 → 2,769.14
    expect(fenToYuan(276_914n)).toBe(2_769.14);
    expect(fenToYuan(-150n)).toBe(-1.5);
  });

  it('sums the answers the spec names, subtracting "-" terms, counting missing answers as 0, never below 0', () => {
    expect(sumAnswersFen(['loan.amount', '-loan.repaidPrincipal'], { 'loan.amount': 50_000, 'loan.repaidPrincipal': 10_000 })).toBe(4_000_000n);
    expect(sumAnswersFen(['loan.amount', '-loan.repaidPrincipal'], { 'loan.amount': 50_000 })).toBe(5_000_000n);
    expect(sumAnswersFen(['loan.amount', '-loan.repaidPrincipal'], { 'loan.amount': 5_000, 'loan.repaidPrincipal': 9_000 })).toBe(0n);
    expect(sumAnswersFen(['x'], { x: 'not a number' })).toBe(0n);
  });
});

describe('estimateFee by rule', () => {
  const loan = { rule: 'property' as const, claim: ['loan.amount', '-loan.repaidPrincipal'] };

  it('a 40,000 loan claim: 50 + 2.5% of 30,000 = 800, half 400 under the summary procedure, paid in advance', () => {
    const fee = estimateFee(loan, { 'loan.amount': 50_000, 'loan.repaidPrincipal': 10_000 });
    expect(fee).toMatchObject({ rule: 'property', amount: 800, halfIfSummary: 400, payInAdvance: true, exempt: false, claim: 40_000 });
    expect(fee.explanation['zh-CN']).toContain('40,000元');
    expect(fee.explanation['zh-CN']).toContain('800元');
    expect(fee.explanation['zh-CN']).toContain('第十三条');
    expect(fee.explanation['zh-CN']).toContain('简易程序');
    expect(fee.explanation['zh-CN']).toContain('400元');
    expect(fee.explanation['zh-CN']).toContain('预交');
    expect(fee.explanation['en-US']).toMatch(/CNY 40,000.*CNY 800.*Article 13.*summary procedure.*CNY 400.*Article 16/);
    // Spoken as people say amounts, and well-formed SSML.
    expect(fee.speech['zh-CN']).toContain('四万元');
    expect(fee.speech['zh-CN']).toContain('八百元');
    expect(fee.speech['zh-CN']).not.toContain('40,000');
    expect(fee.speech['en-US']).toContain('800 yuan');
    for (const ssml of Object.values(fee.speech)) expect(checkWellFormed(ssml, { fragment: true })).toBeNull();
  });

  it('a property case with nothing claimed yet still names the 50 yuan minimum', () => {
    const fee = estimateFee(loan, {});
    expect(fee.amount).toBe(50);
    expect(fee.halfIfSummary).toBe(25);
    expect(fee.explanation['zh-CN']).toContain('不超过1万元');
  });

  it('summary procedure halves to the fen', () => {
    const fee = estimateFee({ rule: 'property', claim: ['x'] }, { x: 10_040.4 }); // 50 + 40.4 × 2.5% = 51.01
    expect(fee.amount).toBe(51.01);
    expect(fee.halfIfSummary).toBe(25.51); // 25.505 rounds half up
  });

  it('divorce: the province figure (default 300) and nothing more up to 200,000 of property', () => {
    const fee = estimateFee({ rule: 'divorce', property: ['divorce.propertyValue'] }, { 'divorce.propertyValue': 200_000 });
    expect(fee).toMatchObject({ amount: 300, halfIfSummary: 150, payInAdvance: true, exempt: false, propertyValue: 200_000 });
    expect(fee.explanation['zh-CN']).toContain('50元到300元');
    expect(estimateFee({ rule: 'divorce' }, {}).amount).toBe(300);
  });

  it('divorce: plus 0.5% of the property above 200,000', () => {
    const fee = estimateFee({ rule: 'divorce', property: ['divorce.propertyValue'] }, { 'divorce.propertyValue': 500_000 });
    expect(fee.amount).toBe(1_800); // 300 + 300,000 × 0.5%
    expect(fee.halfIfSummary).toBe(900);
    expect(fee.explanation['zh-CN']).toContain('1,500元');
    expect(fee.explanation['zh-CN']).toContain('0.5%');
    expect(fee.explanation['en-US']).toContain('CNY 1,800');
    const cheaper = estimateFee({ rule: 'divorce', property: ['p'] }, { p: 500_000 }, { ...DEFAULT_FEE_SETTINGS, divorceFee: 50 });
    expect(cheaper.amount).toBe(1_550);
  });

  it('labor disputes: 10 yuan, and a wage claim need not be paid in advance (Art. 20)', () => {
    const fee = estimateFee({ rule: 'labor' }, { 'wage.owedAmount': 35_000 });
    expect(fee).toMatchObject({ amount: 10, halfIfSummary: 5, payInAdvance: false, exempt: false });
    expect(fee.explanation['zh-CN']).toContain('第二十条');
    expect(fee.explanation['zh-CN']).toContain('不预交');
    expect(fee.explanation['en-US']).toContain('Article 20');
  });

  it('support claims are exempt (Art. 45)', () => {
    const fee = estimateFee({ rule: 'support' }, {});
    expect(fee).toMatchObject({ amount: 0, halfIfSummary: 0, payInAdvance: false, exempt: true });
    expect(fee.explanation['zh-CN']).toContain('免交');
    expect(fee.explanation['zh-CN']).toContain('第四十五条');
    expect(fee.explanation['en-US']).toContain('Article 45');
  });

  it('other non-property cases: the configured figure (default 100)', () => {
    expect(estimateFee({ rule: 'non-property' }, {})).toMatchObject({ amount: 100, halfIfSummary: 50, payInAdvance: true });
    expect(estimateFee({ rule: 'non-property' }, {}, { ...DEFAULT_FEE_SETTINGS, nonPropertyFee: 50 }).amount).toBe(50);
  });

  it('an unknown rule, or no fee spec at all, leaves the figure to the court', () => {
    for (const fee of [estimateFee({ rule: 'unknown' }, {}), estimateFee(undefined, {})]) {
      expect(fee).toMatchObject({ rule: 'unknown', amount: null, halfIfSummary: null });
      expect(fee.explanation['zh-CN']).toContain('法院立案时核定');
    }
  });
});

describe('fee settings', () => {
  it('default to the top of each range and come from DIVORCE_FEE and NON_PROPERTY_FEE', () => {
    expect(loadConfig({}, '/tmp').fees).toEqual(DEFAULT_FEE_SETTINGS);
    expect(loadConfig({ DIVORCE_FEE: '200', NON_PROPERTY_FEE: '80' }, '/tmp').fees).toEqual({ divorceFee: 200, nonPropertyFee: 80 });
  });

  it('refuse figures outside what Art. 13 allows, naming the variable', () => {
    expect(() => loadConfig({ DIVORCE_FEE: '400' }, '/tmp')).toThrow(ConfigError);
    expect(() => loadConfig({ DIVORCE_FEE: '400' }, '/tmp')).toThrow(/DIVORCE_FEE/);
    expect(() => loadConfig({ NON_PROPERTY_FEE: '20' }, '/tmp')).toThrow(/NON_PROPERTY_FEE/);
    expect(checkFeeSettings(DEFAULT_FEE_SETTINGS)).toBeNull();
    expect(checkFeeSettings({ divorceFee: 301, nonPropertyFee: 100 })).toMatch(/divorce/);
  });
});
