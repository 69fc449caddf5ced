import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import type { ComplaintRepository } from '../store/types.js';
import { buildDocumentModel, type FormatAnswer } from './model.js';
import type { DocumentRenderer, RenderMode } from './renderer.js';

export interface DocumentRoutesOptions {
  complaints: Pick<ComplaintRepository, 'findByDocumentToken'>;
  renderer: DocumentRenderer;
  courtName: string;
  courtNameEn?: string;
  /** Today in the court's time zone, 'YYYY-MM-DD'; the date the filer signs a printed copy. */
  today: string | (() => string);
  format: FormatAnswer;
  /** The clock that decides whether a link has expired. */
  now?: () => Date;
}

/** The capability in a document link: 32 random bytes, base64url (43 characters). */
export function newDocumentToken(): string {
  return randomBytes(32).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const NOT_FOUND_TEXT = [
  '找不到这份文书，或者链接已经过期。',
  '请到法院诉讼服务大厅，或拨打法院电话，工作人员会帮您重新取得。',
  '',
  'This document was not found, or its link has expired.',
  "Please come to the court's service hall or call the court; a staff member will help you get it again.",
];

const NOT_FOUND_HTML = `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>找不到文书 / Document not found</title>
<style>body{font:20px/1.7 system-ui,"Noto Sans CJK SC",sans-serif;max-width:36em;margin:3em auto;padding:0 1em}</style>
</head>
<body>
<main>
<h1>找不到这份文书</h1>
<p>${NOT_FOUND_TEXT[0]}${NOT_FOUND_TEXT[1]}</p>
<h1 lang="en-US">Document not found</h1>
<p lang="en-US">${NOT_FOUND_TEXT[3]} ${NOT_FOUND_TEXT[4]}</p>
</main>
</body>
</html>
`;

/**
 * Whoever holds the link may read the complaint, so the page must not be cached by a shared
 * browser at a kiosk, leak the link to other sites, or be indexed. Set on every answer,
 * including 404s, and the CSP keeps any markup that slipped into an answer inert.
 */
function secure(res: Response, mode: RenderMode): void {
  res.set({
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    'Content-Type': mode === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
  });
}

/** GET /documents/:token/complaint.html and …/complaint.txt: the finished complaint behind its capability link. */
export function documentRoutes(options: DocumentRoutesOptions): Router {
  const { complaints, renderer, courtName, courtNameEn, format } = options;
  const today = typeof options.today === 'function' ? options.today : () => options.today as string;
  const now = options.now ?? (() => new Date());
  const router = Router();

  const serve = (mode: RenderMode) => async (req: { params: Record<string, string | undefined> }, res: Response) => {
    secure(res, mode);
    const token = req.params['token'] ?? '';
    const record = TOKEN.test(token) ? await complaints.findByDocumentToken(token) : undefined;
    const expiresAt = record?.documentExpiresAt ? Date.parse(record.documentExpiresAt) : Number.NaN;
    // A record without a valid expiry never had a proper link; treat it as expired.
    if (!record || record.status !== 'finished' || record.documentToken !== token || !(expiresAt > now().getTime())) {
      res.status(404).send(mode === 'html' ? NOT_FOUND_HTML : `${NOT_FOUND_TEXT.join('\n')}\n`);
      return;
    }
    const model = buildDocumentModel(record, { courtName, courtNameEn, today: today(), format });
    res.status(200).send(renderer.render(model, mode));
  };

  router.get('/documents/:token/complaint.html', serve('html'));
  router.get('/documents/:token/complaint.txt', serve('text'));
  return router;
}
