import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import type { ComplaintRepository } from '../store/types.js';
import { buildDocumentModel, type FormatAnswer } from './model.js';
import { CJK_FONT_PACKAGE, type PdfRenderer } from './pdf.js';
import { hasReliefApplication, RELIEF_DOCUMENT } from './relief.js';
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
  /** Lays documents out as PDF; absent when no CJK font is installed, and the PDF links answer 503. */
  pdf?: PdfRenderer | null;
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

const NO_PDF_TEXT = [
  '现在无法生成PDF文件。请打开网页版打印，或者到诉讼服务大厅请工作人员帮您打印。',
  `The PDF cannot be made right now. Please print the web page version, or ask a staff member in the court's service hall to print it for you.`,
];

/** The server runs without a CJK font (the PDF would print empty boxes); say so kindly, and tell the operator which package. */
const NO_PDF_HTML = `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>暂时无法生成PDF / PDF not available</title>
<style>body{font:20px/1.7 system-ui,"Noto Sans CJK SC",sans-serif;max-width:36em;margin:3em auto;padding:0 1em}</style>
</head>
<body>
<main>
<h1>暂时无法生成PDF</h1>
<p>${NO_PDF_TEXT[0]}</p>
<h1 lang="en-US">PDF not available</h1>
<p lang="en-US">${NO_PDF_TEXT[1]}</p>
<p lang="en-US"><small>For the operator: install the Debian package ${CJK_FONT_PACKAGE} and restart the server.</small></p>
</main>
</body>
</html>
`;

type ServeMode = RenderMode | 'pdf';

const CONTENT_TYPES: Record<ServeMode, string> = {
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  pdf: 'application/pdf',
};

/**
 * Whoever holds the link may read the complaint, so the page must not be cached by a shared
 * browser at a kiosk, leak the link to other sites, or be indexed. Set on every answer,
 * including 404s, and the CSP keeps any markup that slipped into an answer inert.
 */
function secure(res: Response, mode: ServeMode): void {
  res.set({
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    'Content-Type': CONTENT_TYPES[mode],
  });
}

/**
 * GET /documents/:token/complaint.{html,txt,pdf}: the finished complaint behind its capability
 * link; …/fee-relief.{html,txt,pdf}: the application for fee relief, when the filer asked for it.
 */
export function documentRoutes(options: DocumentRoutesOptions): Router {
  const { complaints, renderer, courtName, courtNameEn, format } = options;
  const pdf = options.pdf ?? null;
  const today = typeof options.today === 'function' ? options.today : () => options.today as string;
  const now = options.now ?? (() => new Date());
  const router = Router();
  // Laying out a PDF with an embedded CJK font takes a few hundred milliseconds of CPU;
  // a filer and the clerk often open the same one several times, so recent ones are kept.
  const recentPdfs = new Map<string, Buffer>();
  const PDF_CACHE_SIZE = 32;

  const notFound = (res: Response, mode: ServeMode): void => {
    // A missing PDF is explained as a page, which every browser shows.
    if (mode === 'pdf') secure(res, 'html');
    res.status(404).send(mode === 'text' ? `${NOT_FOUND_TEXT.join('\n')}\n` : NOT_FOUND_HTML);
  };

  const serve = (mode: ServeMode, document?: string) => async (req: { params: Record<string, string | undefined> }, res: Response) => {
    secure(res, mode);
    const token = req.params['token'] ?? '';
    const record = TOKEN.test(token) ? await complaints.findByDocumentToken(token) : undefined;
    const expiresAt = record?.documentExpiresAt ? Date.parse(record.documentExpiresAt) : Number.NaN;
    // A record without a valid expiry never had a proper link; treat it as expired.
    if (!record || record.status !== 'finished' || record.documentToken !== token || !(expiresAt > now().getTime())) {
      notFound(res, mode);
      return;
    }
    if (document === RELIEF_DOCUMENT && !hasReliefApplication(record)) {
      notFound(res, mode);
      return;
    }
    const model = buildDocumentModel(record, { courtName, courtNameEn, today: today(), format });
    if (mode !== 'pdf') {
      res.status(200).send(renderer.render(model, mode, document));
      return;
    }
    if (!pdf) {
      secure(res, 'html');
      res.status(503).set('Retry-After', '3600').send(NO_PDF_HTML);
      return;
    }
    const cacheKey = `${record.id}|${document ?? 'complaint'}|${record.updatedAt}|${model.filedDate}`;
    let bytes = recentPdfs.get(cacheKey);
    if (bytes) {
      recentPdfs.delete(cacheKey);
    } else {
      bytes = Buffer.from(await pdf.render(renderer.layout(model, document)));
      if (recentPdfs.size >= PDF_CACHE_SIZE) recentPdfs.delete(recentPdfs.keys().next().value!);
    }
    recentPdfs.set(cacheKey, bytes);
    res.status(200).set('Content-Disposition', `inline; filename="${document ?? 'complaint'}.pdf"`).send(bytes);
  };

  router.get('/documents/:token/complaint.html', serve('html'));
  router.get('/documents/:token/complaint.txt', serve('text'));
  router.get('/documents/:token/complaint.pdf', serve('pdf'));
  router.get(`/documents/:token/${RELIEF_DOCUMENT}.html`, serve('html', RELIEF_DOCUMENT));
  router.get(`/documents/:token/${RELIEF_DOCUMENT}.txt`, serve('text', RELIEF_DOCUMENT));
  router.get(`/documents/:token/${RELIEF_DOCUMENT}.pdf`, serve('pdf', RELIEF_DOCUMENT));
  return router;
}
