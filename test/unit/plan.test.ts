import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerKey, evaluate, fieldSteps, planSteps, splitAnswerKey } from '../../src/interview/plan.js';
import { loadSpecs } from '../../src/interview/spec.js';

const { cases } = loadSpecs(path.resolve(import.meta.dirname, '../../dialogs'));
const loan = cases.find((c) => c.caseType === 'private-loan')!;
const wage = cases.find((c) => c.caseType === 'wage-arrears')!;
const empty = { answers: {}, derived: [], groups: {} };
const today = '2026-11-28';

describe('answer keys', () => {
  it('carry the group index and split back', () => {
    expect(answerKey('defendant.name', 'defendant', 1)).toBe('defendant[1].name');
    expect(answerKey('loan.amount', undefined, undefined)).toBe('loan.amount');
    expect(splitAnswerKey('defendant[1].name')).toEqual({ fieldId: 'defendant.name', group: 'defendant', index: 1 });
    expect(splitAnswerKey('loan.amount')).toEqual({ fieldId: 'loan.amount' });
  });
});

describe('planning the interview', () => {
  it('asks interest details only when interest was agreed', () => {
    const without = planSteps(loan, { ...empty, answers: { 'loan.hasInterest': false } }, today).map((s) => s.key);
    expect(without).not.toContain('loan.rate');
    const withInterest = planSteps(loan, { ...empty, answers: { 'loan.hasInterest': true } }, today).map((s) => s.key);
    expect(withInterest).toContain('loan.rate');
    expect(withInterest).toContain('loan.rateUnit');
  });

  it('asks person or organization fields by the party kind, per defendant', () => {
    const record = { answers: { 'defendant[0].kind': 'person', 'defendant[1].kind': 'organization' }, derived: [], groups: { defendant: 2 } };
    const keys = planSteps(loan, record, today).map((s) => s.key);
    expect(keys).toContain('defendant[0].name');
    expect(keys).not.toContain('defendant[0].orgName');
    expect(keys).toContain('defendant[1].orgName');
    expect(keys).not.toContain('defendant[1].name');
    expect(keys.filter((k) => k === 'defendant.more')).toHaveLength(1);
    expect(keys.indexOf('defendant.more')).toBeGreaterThan(keys.indexOf('defendant[1].phone'));
  });

  it('leaves out fields another answer settled', () => {
    const keys = planSteps(loan, { answers: { 'plaintiff.kind': 'person' }, derived: ['plaintiff.gender', 'plaintiff.birthDate'], groups: {} }, today).map((s) => s.key);
    expect(keys).not.toContain('plaintiff.gender');
    expect(keys).not.toContain('plaintiff.birthDate');
    expect(keys).toContain('plaintiff.idNumber');
  });

  it('stops offering more defendants at the maximum', () => {
    const keys = planSteps(loan, { ...empty, groups: { defendant: 10 } }, today).map((s) => s.key);
    expect(keys).not.toContain('defendant.more');
  });

  it('puts the arbitration gate of wage claims before the parties', () => {
    const steps = planSteps(wage, { ...empty, answers: { 'wage.hasArbitration': false, 'wage.hasWageIou': false } }, today);
    const keys = steps.map((s) => s.key);
    expect(keys.indexOf('wage-gate.arbitration-first')).toBeLessThan(keys.indexOf('plaintiff.kind'));
    const withIou = planSteps(wage, { ...empty, answers: { 'wage.hasArbitration': false, 'wage.hasWageIou': true } }, today).map((s) => s.key);
    expect(withIou).not.toContain('wage-gate.arbitration-first');
  });

  it('counts days for the 15-day award notice', () => {
    expect(evaluate({ field: 'wage.awardDate', olderThanDays: 15 }, { answers: { 'wage.awardDate': '2026-11-01' }, today })).toBe(true);
    expect(evaluate({ field: 'wage.awardDate', olderThanDays: 15 }, { answers: { 'wage.awardDate': '2026-11-20' }, today })).toBe(false);
    expect(evaluate({ field: 'wage.awardDate', olderThanDays: 15 }, { answers: {}, today })).toBe(false);
  });

  it('evaluates all / any / not / in / answered', () => {
    const answers = { a: 'x', b: true };
    const scope = { answers, today };
    expect(evaluate({ all: [{ field: 'a', in: ['x', 'y'] }, { field: 'b', equals: true }] }, scope)).toBe(true);
    expect(evaluate({ any: [{ field: 'a', equals: 'z' }, { not: { field: 'c', answered: true } }] }, scope)).toBe(true);
    expect(evaluate({ field: 'c', answered: false }, scope)).toBe(true);
  });

  it('counts the questions for progress without notices', () => {
    const steps = planSteps(loan, empty, today);
    expect(fieldSteps(steps).every((s) => s.kind !== 'notice')).toBe(true);
    expect(fieldSteps(steps).length).toBeGreaterThan(15);
  });
});
