import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDocumentModel, CJK_FONT_CANDIDATES, createDocumentRenderer, createPdfRenderer, documentRoutes, findCjkFont, newDocumentToken,
  RELIEF_DOCUMENT, type PdfRenderer,
} from '../../src/documents/index.js';
import type { FieldValue } from '../../src/interview/fields/types.js';
import { createAnswerFormatter } from '../../src/interview/format.js';
import { loadSpecs } from '../../src/interview/spec.js';
import type { ComplaintRecord } from '../../src/store/types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const format = createAnswerFormatter(loadSpecs(path.join(ROOT, 'dialogs')));
const renderer = createDocumentRenderer({ templatesDir: path.join(ROOT, 'templates'), format, documents: [RELIEF_DOCUMENT] });
const COURT = '天津市北辰区人民法院';

// The PDF needs a CJK font from the system (Debian fonts-noto-cjk). CI installs it and sets
// REQUIRE_SYSTEM_TOOLS=1, so a missing font fails there; elsewhere these tests skip, loudly.
const font = findCjkFont();
if (!font) {
  const why = `no CJK font found (looked for ${CJK_FONT_CANDIDATES.map((c) => c.file).join(', ')}); install the Debian package fonts-noto-cjk`;
  if (process.env['REQUIRE_SYSTEM_TOOLS'] === '1') throw new Error(`REQUIRE_SYSTEM_TOOLS=1: ${why}`);
  console.warn(`SKIPPING the PDF tests that need a font: ${why}`);
}

function record(answers: Record<string, FieldValue>, extra: Partial<ComplaintRecord> = {}): ComplaintRecord {
  return {
    id: 'c-pdf',
    caseType: 'private-loan',
    status: 'finished',
    locale: 'zh-CN',
    resumeCode: '135790',
    answers: {
      'plaintiff.kind': 'person', 'plaintiff.name': '张三', 'plaintiff.gender': 'female', 'plaintiff.birthDate': '1949-12-31',
      'plaintiff.idNumber': '11010519491231002X', 'plaintiff.address': '天津市北辰区富锦路12号', 'plaintiff.phone': '13812345678',
      'defendant[0].kind': 'person', 'defendant[0].name': '李四', 'defendant[0].address': '天津市河北区中山路8号',
      'defendant[1].kind': 'organization', 'defendant[1].orgName': '天津某某建筑有限公司',
      'loan.amount': 50_000, 'loan.repaidPrincipal': 10_000, 'loan.date': '2024-03-05', 'loan.method': 'transfer', 'loan.hasIou': true,
      'loan.hasInterest': true, 'loan.rateUnit': 'year', 'loan.rate': 6, 'loan.demanded': true,
      'mediation.willing': true, 'preservation.requested': false,
      ...answers,
    },
    derived: [],
    skipped: [],
    groups: { defendant: 2 },
    clerkNeeds: [],
    createdAt: '2026-11-28T01:00:00.000Z',
    updatedAt: '2026-11-28T01:00:00.000Z',
    ...extra,
  };
}

function model(rec: ComplaintRecord) {
  return buildDocumentModel(rec, { courtName: COURT, courtNameEn: 'Beichen District People\'s Court', today: '2026-11-28', format });
}

/** The text of each page, as a PDF reader extracts it (lines joined without spaces). */
async function pageTexts(pdf: Buffer): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i += 1) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await doc.destroy();
  return pages;
}

describe('the document layout the PDF is drawn from', () => {
  it('is the text output, tagged: title, sections, numbered claims, salutation, signature, date', () => {
    const { title, blocks } = renderer.layout(model(record({})));
    expect(title).toBe('民事起诉状');
    expect(blocks[0]).toEqual({ kind: 'heading', text: '民事起诉状', lang: 'zh-CN' });
    expect(blocks.filter((b) => b.kind === 'section').map((b) => b.text)).toContain('诉讼请求');
    const claims = blocks.filter((b) => b.kind === 'item');
    expect(claims[0]?.text).toBe('1. 判令被告李四、天津某某建筑有限公司偿还原告借款本金40,000元；');
    expect(blocks.find((b) => b.className === 'signature')?.text).toMatch(/^起诉人（签名或按指印）：_+$/);
    expect(blocks.find((b) => b.className === 'date')?.text).toBe('2026年11月28日');
    // Same words as the plain text, nothing more.
    const text = renderer.render(model(record({})), 'text');
    for (const block of blocks.filter((b) => b.kind !== 'blank')) expect(text).toContain(block.text);
  });

  it('marks the English reading copy, without the text output\'s rule line', () => {
    const { blocks } = renderer.layout(model(record({}, { locale: 'en-US' })));
    const firstEnglish = blocks.findIndex((b) => b.lang === 'en-US');
    expect(firstEnglish).toBeGreaterThan(0);
    expect(blocks[firstEnglish]?.className).toBe('reference-note');
    expect(blocks.some((b) => /^═+$/.test(b.text))).toBe(false);
    expect(blocks.filter((b) => b.kind === 'heading').map((b) => [b.text, b.lang])).toEqual([['民事起诉状', 'zh-CN'], ['Civil Complaint', 'en-US']]);
  });
});

describe('without a usable CJK font', () => {
  it('makes no renderer, so the server runs without PDFs', async () => {
    expect(findCjkFont([{ file: '/nonexistent/font.ttc', postscriptName: 'X' }])).toBeUndefined();
    expect(await createPdfRenderer([{ file: '/nonexistent/font.ttc', postscriptName: 'X' }])).toBeNull();
  });

  it.skipIf(!font)('skips a font file that does not hold the named font', async () => {
    expect(await createPdfRenderer([{ file: font!.file, postscriptName: 'NoSuchFont-Regular' }])).toBeNull();
  });
});

describe.skipIf(!font)('the PDF', () => {
  let pdf: PdfRenderer;
  let zh: Buffer;
  let zhPages: string[];
  beforeAll(async () => {
    pdf = (await createPdfRenderer())!;
    expect(pdf).not.toBeNull();
    zh = await pdf.render(renderer.layout(model(record({}))));
    zhPages = await pageTexts(zh);
  });

  it('is a PDF with the CJK font embedded, not merely named', () => {
    expect(zh.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = zh.toString('latin1');
    expect(raw).toMatch(/\/FontFile[23]? \d+ 0 R/);
    expect(raw).toContain(font!.postscriptName);
    expect(raw).toContain('/ToUnicode');
  });

  it('has text a reader can extract: the names, the amounts, the court', () => {
    const all = zhPages.join('');
    for (const expected of ['民事起诉状', '张三', '李四', '天津某某建筑有限公司', '40,000元', '50,000元', COURT, '11010519491231002X', '诉讼请求', '事实和理由']) {
      expect(all, expected).toContain(expected);
    }
    expect(all).toContain('1. 判令被告');
    expect(all).toContain('按指印处');
    expect(all).toContain('2026年11月28日');
  });

  it('numbers every page "第 N 页 / 共 M 页"', () => {
    expect(zhPages.length).toBeGreaterThanOrEqual(2);
    zhPages.forEach((text, i) => expect(text).toContain(`第 ${i + 1} 页 / 共 ${zhPages.length} 页`));
  });

  it('starts the English reading copy on a page of its own, and renders the relief application', async () => {
    const rec = record({ 'relief.hardship': true, 'relief.reason': 'disabled', 'relief.request': 'exempt' }, { locale: 'en-US' });
    const pages = await pageTexts(await pdf.render(renderer.layout(model(rec))));
    const english = pages.findIndex((p) => p.includes('Civil Complaint'));
    expect(english).toBeGreaterThan(0);
    expect(pages[english]).not.toContain('民事起诉状');
    expect(pages[english]).toContain(`Page ${english + 1} of ${pages.length}`);
    expect(pages.join('')).toContain('fingerprint');

    const relief = await pageTexts(await pdf.render(renderer.layout(model(rec), RELIEF_DOCUMENT)));
    const all = relief.join('');
    expect(all).toContain('司法救助申请书');
    expect(all).toContain('第四十五条第（一）项');
    expect(all).toContain('张三');
    expect(all).toContain('Application for Judicial Aid');
  });

  it('is laid out in its own thread: the server\'s event loop keeps turning meanwhile', async () => {
    let turns = 0;
    let rendering = true;
    const spin = (): void => {
      turns += 1;
      if (rendering) setImmediate(spin);
    };
    setImmediate(spin);
    const rendered = pdf.render(renderer.layout(model(record({}))));
    const bytes = await rendered.finally(() => {
      rendering = false;
    });
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // On the event loop itself pdfkit's layout would run in one piece between two turns.
    expect(turns).toBeGreaterThan(20);
  });

  it('fails what was waiting when closed, and starts afresh at the next render', async () => {
    const own = (await createPdfRenderer())!;
    const waiting = own.render(renderer.layout(model(record({}))));
    await own.close();
    await expect(waiting).rejects.toThrow(/closed/);
    const again = await own.render(renderer.layout(model(record({}))));
    expect(again.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await own.close();
  });
});

describe('GET /documents/:token/*.pdf', () => {
  const token = newDocumentToken();
  const noRelief = newDocumentToken();
  const records = [
    record({ 'relief.hardship': true, 'relief.reason': 'other', 'relief.request': 'defer' }, { documentToken: token, documentExpiresAt: '2099-01-01T00:00:00.000Z' }),
    record({}, { documentToken: noRelief, documentExpiresAt: '2099-01-01T00:00:00.000Z' }),
  ];
  const servers: Server[] = [];
  async function serve(pdf: PdfRenderer | null): Promise<string> {
    const app = express();
    app.use(documentRoutes({
      complaints: { findByDocumentToken: async (t) => records.find((r) => r.documentToken === t) },
      renderer, courtName: COURT, today: '2026-11-28', format, pdf,
    }));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('answers 503 with a kind, bilingual page when the server has no CJK font', async () => {
    const base = await serve(null);
    const res = await fetch(`${base}/documents/${token}/complaint.pdf`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('暂时无法生成PDF');
    expect(html).toContain('PDF not available');
    expect(html).toContain('fonts-noto-cjk');
    // The HTML and text still work.
    expect((await fetch(`${base}/documents/${token}/complaint.html`)).status).toBe(200);
  });

  it('answers 404 for an unknown token or a relief document nobody asked for, even without a font', async () => {
    const base = await serve(null);
    expect((await fetch(`${base}/documents/${newDocumentToken()}/complaint.pdf`)).status).toBe(404);
    expect((await fetch(`${base}/documents/${noRelief}/fee-relief.pdf`)).status).toBe(404);
  });

  it.skipIf(!font)('serves the complaint and the relief application as application/pdf, with the capability headers', async () => {
    const base = await serve(await createPdfRenderer());
    const res = await fetch(`${base}/documents/${token}/complaint.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const relief = await fetch(`${base}/documents/${token}/fee-relief.pdf`);
    expect(relief.status).toBe(200);
    expect((await pageTexts(Buffer.from(await relief.arrayBuffer()))).join('')).toContain('请求缓交本案诉讼费用');
  });
});
