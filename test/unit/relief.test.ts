import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDocumentModel, createDocumentRenderer, documentRoutes, hasReliefApplication, newDocumentToken, RELIEF_DOCUMENT,
} from '../../src/documents/index.js';
import type { FieldValue } from '../../src/interview/fields/types.js';
import { createAnswerFormatter } from '../../src/interview/format.js';
import { loadSpecs } from '../../src/interview/spec.js';
import type { ComplaintRecord } from '../../src/store/types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const format = createAnswerFormatter(loadSpecs(path.join(ROOT, 'dialogs')));
const renderer = createDocumentRenderer({ templatesDir: path.join(ROOT, 'templates'), format, documents: [RELIEF_DOCUMENT] });
const COURT = '天津市北辰区人民法院';

function record(answers: Record<string, FieldValue>, extra: Partial<ComplaintRecord> = {}): ComplaintRecord {
  return {
    id: 'c-relief',
    caseType: 'private-loan',
    status: 'finished',
    locale: 'zh-CN',
    resumeCode: '246810',
    answers: {
      'plaintiff.kind': 'person',
      'plaintiff.name': '张三',
      'plaintiff.gender': 'female',
      'plaintiff.birthDate': '1949-12-31',
      'plaintiff.idNumber': '11010519491231002X',
      'plaintiff.address': '天津市北辰区富锦路12号',
      'plaintiff.phone': '13812345678',
      'defendant[0].kind': 'person',
      'defendant[0].name': '李四',
      'loan.amount': 50_000,
      ...answers,
    },
    derived: [],
    skipped: [],
    groups: { defendant: 1 },
    clerkNeeds: [],
    createdAt: '2026-11-28T01:00:00.000Z',
    updatedAt: '2026-11-28T01:00:00.000Z',
    ...extra,
  };
}

function relief(answers: Record<string, FieldValue>, extra: Partial<ComplaintRecord> = {}, mode: 'text' | 'html' = 'text'): string {
  const model = buildDocumentModel(record({ 'relief.hardship': true, ...answers }, extra), { courtName: COURT, courtNameEn: 'Beichen District People\'s Court', today: '2026-11-28', format });
  return renderer.render(model, mode, RELIEF_DOCUMENT);
}

describe('the fee relief application (司法救助申请书)', () => {
  it('has the court format: title, applicant, request, facts and reasons with the article, proof, 此致, signature, date', () => {
    const text = relief({ 'relief.reason': 'disabled', 'relief.request': 'exempt', 'relief.monthlyIncome': 1500, 'relief.explanation': '老伴常年生病' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('司法救助申请书');
    expect(text).toContain('申请人：张三，女，1949年12月31日出生，住天津市北辰区富锦路12号，公民身份号码11010519491231002X，联系电话13812345678。');
    expect(text).toContain('请求事项\n请求免交本案诉讼费用。');
    expect(text).toContain('申请人因与李四民间借贷纠纷一案，向贵院提起诉讼。申请人是残疾人，没有固定生活来源。');
    expect(text).toContain('申请人家庭每月收入约1,500元。');
    expect(text).toContain('申请人自述：“老伴常年生病”。');
    expect(text).toContain('根据《诉讼费用交纳办法》第四十四条、第四十五条第（一）项的规定，特申请免交本案诉讼费用，请予批准。');
    expect(text).toContain('1. 申请人身份证复印件\n2. 残疾证复印件');
    expect(text).toMatch(/此致\n天津市北辰区人民法院\n\n申请人（签名或按指印）：_+\n2026年11月28日\n$/);
    // Only the Chinese text for a Chinese-speaking filer.
    expect(text).not.toContain('Applicant');
  });

  it.each([
    ['support', 'exempt', 'private-loan', '第四十五条第（二）项', '亲属关系证明'],
    ['allowance', 'exempt', 'private-loan', '第四十五条第（三）项', '最低生活保障证'],
    ['other', 'exempt', 'private-loan', '第四十五条第（五）项', '家庭收入或经济困难证明'],
    ['other', 'reduce', 'wage-arrears', '第四十六条第（四）项', '家庭收入或经济困难证明'],
    ['disabled', 'reduce', 'private-loan', '第四十四条、第四十六条的规定', '残疾证'],
    ['other', 'defer', 'traffic-accident', '第四十七条第（二）项', '家庭收入或经济困难证明'],
    ['allowance', 'defer', 'lease', '第四十七条的规定', '最低生活保障证'],
  ])('reason %s, asking to %s, in a %s case cites %s and asks for %s', (reason, request, caseType, article, proof) => {
    const text = relief({ 'relief.reason': reason, 'relief.request': request }, { caseType });
    expect(text).toContain(article);
    expect(text).toContain(proof);
    const verb = { exempt: '免交', reduce: '减交', defer: '缓交' }[request]!;
    expect(text).toContain(`请求${verb}本案诉讼费用。`);
  });

  it('names the cause of action of the case type', () => {
    expect(relief({ 'relief.reason': 'other', 'relief.request': 'defer' }, { caseType: 'traffic-accident' })).toContain('机动车交通事故责任纠纷一案');
    expect(relief({ 'relief.reason': 'other', 'relief.request': 'exempt' }, { caseType: 'wage-arrears' })).toContain('追索劳动报酬纠纷一案');
  });

  it('leaves out what was skipped, and says "none" for an income of zero', () => {
    const skipped = relief({ 'relief.reason': 'other', 'relief.request': 'exempt' });
    expect(skipped).not.toContain('每月收入');
    expect(skipped).not.toContain('自述');
    expect(relief({ 'relief.reason': 'other', 'relief.request': 'exempt', 'relief.monthlyIncome': 0 })).toContain('申请人家庭每月收入为零。');
  });

  it('adds the English reading copy for an English-speaking filer', () => {
    const text = relief({ 'relief.reason': 'disabled', 'relief.request': 'exempt', 'relief.explanation': 'My husband is ill' }, { locale: 'en-US' });
    expect(text.indexOf('司法救助申请书')).toBeLessThan(text.indexOf('Application for Judicial Aid with Court Fees'));
    expect(text).toContain('For your reference');
    expect(text).toContain('The applicant asks the court to waive the court fees of this case.');
    expect(text).toContain('Under Article 44 and Article 45, item (1) of the Measures on the Payment of Litigation Costs');
    expect(text).toContain('In the applicant\'s own words: "My husband is ill".');
    expect(text).toContain('Applicant (signature or fingerprint): ');
    expect(text).toContain('Beichen District People\'s Court (天津市北辰区人民法院)');
  });

  it('as HTML: titled for what it is, with the fingerprint box, and the filer\'s words escaped', () => {
    const html = relief({ 'relief.reason': 'other', 'relief.request': 'reduce', 'relief.explanation': '<script>alert(1)</script>' }, {}, 'html');
    expect(html).toContain('<title>司法救助申请书</title>');
    expect(html).toContain('<h1>司法救助申请书</h1>');
    expect(html).toContain('class="fingerprint"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('exists only when the filer said the fee is hard to pay', () => {
    expect(hasReliefApplication(record({ 'relief.hardship': true }))).toBe(true);
    expect(hasReliefApplication(record({ 'relief.hardship': false, 'relief.reason': 'disabled' }))).toBe(false);
    expect(hasReliefApplication(record({}))).toBe(false);
  });

  it('is not a case type of the renderer', () => {
    expect(renderer.caseTypes).not.toContain(RELIEF_DOCUMENT);
    expect(renderer.caseTypes).toContain('private-loan');
  });
});

describe('GET /documents/:token/fee-relief.{html,txt}', () => {
  const withRelief = newDocumentToken();
  const without = newDocumentToken();
  const records = [
    record({ 'relief.hardship': true, 'relief.reason': 'allowance', 'relief.request': 'exempt' }, { documentToken: withRelief, documentExpiresAt: '2099-01-01T00:00:00.000Z' }),
    record({ 'relief.hardship': false }, { id: 'c-2', documentToken: without, documentExpiresAt: '2099-01-01T00:00:00.000Z' }),
  ];
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(documentRoutes({
      complaints: { findByDocumentToken: async (token) => records.find((r) => r.documentToken === token) },
      renderer,
      courtName: COURT,
      today: '2026-11-28',
      format,
    }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves the application beside the complaint, with the same capability headers', async () => {
    const res = await fetch(`${base}/documents/${withRelief}/fee-relief.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('司法救助申请书');
    expect(html).toContain('第四十五条第（三）项');
    const text = await (await fetch(`${base}/documents/${withRelief}/fee-relief.txt`)).text();
    expect(text.startsWith('司法救助申请书\n')).toBe(true);
    // The complaint itself is still there.
    expect(await (await fetch(`${base}/documents/${withRelief}/complaint.txt`)).text()).toContain('民事起诉状');
  });

  it('answers 404 when no relief was asked for, or for an unknown token', async () => {
    const none = await fetch(`${base}/documents/${without}/fee-relief.html`);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('找不到这份文书');
    expect((await fetch(`${base}/documents/${newDocumentToken()}/fee-relief.txt`)).status).toBe(404);
  });
});
