import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentRenderer, documentRoutes, newDocumentToken, type FormatAnswer } from '../../src/documents/index.js';
import type { ComplaintRecord } from '../../src/store/types.js';

const TEMPLATES = fileURLToPath(new URL('../../templates', import.meta.url));
const NOW = new Date('2026-11-28T04:00:00.000Z');
// Values as stored; the routes only need some formatter, the renderer tests cover wording.
const format: FormatAnswer = (_fieldId, value) => String(value);

function complaint(id: string, token: string, expiresAt: string, status: ComplaintRecord['status'] = 'finished'): ComplaintRecord {
  return {
    id,
    caseType: 'private-loan',
    status,
    locale: 'zh-CN',
    resumeCode: '654321',
    answers: {
      'plaintiff.name': '张三<script>alert(1)</script>',
      'defendant[0].name': '李四',
      'loan.amount': 50000,
      'loan.repaidPrincipal': 10000,
    },
    derived: [],
    skipped: [],
    groups: { defendant: 1 },
    clerkNeeds: [],
    documentToken: token,
    documentExpiresAt: expiresAt,
    createdAt: '2026-11-27T01:00:00.000Z',
    updatedAt: '2026-11-27T01:00:00.000Z',
  };
}

const valid = newDocumentToken();
const expired = newDocumentToken();
const draft = newDocumentToken();
const records = [
  complaint('c-valid', valid, '2026-12-28T04:00:00.000Z'),
  complaint('c-expired', expired, '2026-11-28T03:59:59.000Z'),
  complaint('c-draft', draft, '2026-12-28T04:00:00.000Z', 'draft'),
];
const lookups: string[] = [];

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(
    documentRoutes({
      complaints: {
        async findByDocumentToken(token) {
          lookups.push(token);
          return records.find((r) => r.documentToken === token);
        },
      },
      renderer: createDocumentRenderer({ templatesDir: TEMPLATES, format }),
      courtName: '天津市北辰区人民法院',
      today: () => '2026-11-28',
      format,
      now: () => NOW,
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function expectPrivate(res: Response): void {
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('document routes', () => {
  it('serves the complaint as HTML behind its token, privately', async () => {
    const res = await fetch(`${base}/documents/${valid}/complaint.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expectPrivate(res);
    const body = await res.text();
    expect(body).toContain('<h1>民事起诉状</h1>');
    expect(body).toContain('偿还原告借款本金40000');
    expect(body).toContain('天津市北辰区人民法院');
    expect(body).toContain('2026年11月28日');
    expect(body).toContain('张三&lt;script&gt;');
    expect(body).not.toContain('<script>');
  });

  it('serves the same complaint as plain text', async () => {
    const res = await fetch(`${base}/documents/${valid}/complaint.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expectPrivate(res);
    const body = await res.text();
    expect(body.startsWith('民事起诉状\n\n原告：')).toBe(true);
    expect(body).toContain('1. 判令被告李四偿还原告借款本金40000');
  });

  it('answers 404 with a short bilingual page for an unknown, expired or unfinished document', async () => {
    for (const token of [newDocumentToken(), expired, draft]) {
      const res = await fetch(`${base}/documents/${token}/complaint.html`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expectPrivate(res);
      const body = await res.text();
      expect(body).toContain('找不到这份文书');
      expect(body).toContain('Document not found');
      expect(body).not.toContain('张三');
    }
    const text = await fetch(`${base}/documents/${expired}/complaint.txt`);
    expect(text.status).toBe(404);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expectPrivate(text);
    expect(await text.text()).toMatch(/找不到这份文书[\s\S]*This document was not found/);
  });

  it('does not look up tokens that cannot be ones it issued', async () => {
    lookups.length = 0;
    const res = await fetch(`${base}/documents/${encodeURIComponent("' OR 1=1 --")}/complaint.html`);
    expect(res.status).toBe(404);
    expectPrivate(res);
    expect(lookups).toEqual([]);
  });

  it('issues tokens of 32 random bytes in base64url', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newDocumentToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });
});
