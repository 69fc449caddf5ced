import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import PDFDocument from 'pdfkit';
import type { Locale } from '../i18n.js';
import type { DocumentBlock, DocumentLayout } from './renderer.js';

/**
 * Complaints and applications as print-ready A4 PDF. The wording is the template's own
 * text output (DocumentRenderer.layout), so the PDF says exactly what the HTML says; this
 * module only lays it out in the court's format: margins of GB/T 9704, a centred title,
 * numbered claims, a signature line with a fingerprint box, and 第 N 页 / 共 M 页.
 *
 * Chinese needs an embedded CJK font: a reader without one shows empty boxes. Debian's
 * fonts-noto-cjk provides it.
 */

export interface CjkFont {
  file: string;
  /** pdfkit takes a font out of a .ttc collection only by its PostScript name. */
  postscriptName: string;
}

/** Where Debian (fonts-noto-cjk, fonts-wqy-microhei) puts usable CJK fonts, best first. */
export const CJK_FONT_CANDIDATES: readonly CjkFont[] = [
  { file: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', postscriptName: 'WenQuanYiMicroHei' },
];

/** The Debian package that gives the PDF its font; named in warnings and the 503 page. */
export const CJK_FONT_PACKAGE = 'fonts-noto-cjk';

export interface PdfRenderer {
  readonly font: CjkFont;
  render(layout: DocumentLayout): Promise<Buffer>;
  /** Stops the worker thread; a later render starts a new one. */
  close(): Promise<void>;
}

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
/** GB/T 9704 margins for official papers: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm. */
const MARGINS = { top: 37 * MM, bottom: 35 * MM, left: 28 * MM, right: 26 * MM };
const BODY_SIZE = 16; // 三号
const TITLE_SIZE = 22; // 二号
const NOTE_SIZE = 11;
const FOOTER_SIZE = 10;
const LINE_GAP = 6;
/** One regular font keeps PDFs small and fast; titles get weight from a thin outline (faux bold). */
const BOLD_STROKE = 0.45;
const FINGERPRINT_BOX = 25 * MM;
const SIGN_LINE = 40 * MM;
const FONT = 'cjk';

const FINGERPRINT_LABEL: Record<Locale, string> = { 'zh-CN': '按指印处', 'en-US': 'fingerprint' };

type Doc = PDFKit.PDFDocument;

function pageNumber(page: number, total: number, lang: Locale): string {
  const zh = `第 ${page} 页 / 共 ${total} 页`;
  return lang === 'en-US' ? `${zh}  ·  Page ${page} of ${total}` : zh;
}

function bold(doc: Doc, write: () => void): void {
  doc.save();
  doc.lineWidth(BOLD_STROKE);
  write();
  doc.restore();
}

/** About how tall the closing blocks of one copy are: each line once, the signature with its box. */
function tailHeight(doc: Doc, blocks: readonly DocumentBlock[], width: number): number {
  const lang = blocks[0]?.lang;
  doc.fontSize(BODY_SIZE);
  let height = 0;
  for (const block of blocks) {
    if (block.lang !== lang) break;
    if (block.kind === 'blank') height += doc.currentLineHeight(true) * 0.4;
    else if (block.className === 'signature') height += FINGERPRINT_BOX + BODY_SIZE * 2 + LINE_GAP + 12;
    else height += doc.heightOfString(block.text, { width, lineGap: LINE_GAP });
  }
  // Never more than a page: a tail that long just flows.
  return Math.min(height, doc.page.height - doc.page.margins.top - doc.page.margins.bottom);
}

/** Keeps a block's first lines off the bottom edge: start a new page when too little room is left. */
function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function writeBlock(doc: Doc, block: DocumentBlock, width: number): void {
  const left = doc.page.margins.left;
  const indent = BODY_SIZE * 2;
  const text = block.text;
  doc.font(FONT);
  switch (block.kind) {
    case 'heading':
      doc.fontSize(TITLE_SIZE);
      ensureRoom(doc, TITLE_SIZE * 3);
      // No letter spacing (the HTML has some): readers would extract the title as 民 事 起 诉 状.
      bold(doc, () => doc.text(text, left, doc.y, { width, align: 'center', fill: true, stroke: true }));
      doc.moveDown(0.8);
      return;
    case 'section':
      doc.fontSize(BODY_SIZE);
      // A section heading never stands alone at the foot of a page.
      ensureRoom(doc, (BODY_SIZE + LINE_GAP) * 3);
      doc.moveDown(0.3);
      bold(doc, () => doc.text(text, left, doc.y, { width, lineGap: LINE_GAP, fill: true, stroke: true }));
      return;
    case 'blank':
      doc.fontSize(BODY_SIZE).moveDown(0.4);
      return;
    case 'item':
    case 'para':
      if (block.className === 'reference-note') {
        doc.fontSize(NOTE_SIZE);
        ensureRoom(doc, NOTE_SIZE * 4);
        doc.text(text, left, doc.y, { width, lineGap: 3 });
        doc.moveDown(0.8);
        return;
      }
      doc.fontSize(BODY_SIZE);
      ensureRoom(doc, BODY_SIZE + LINE_GAP);
      doc.text(text, left, doc.y, { width, indent, lineGap: LINE_GAP });
      return;
    case 'line':
    default:
      if (block.className === 'signature') return writeSignature(doc, block, width);
      doc.fontSize(BODY_SIZE);
      ensureRoom(doc, BODY_SIZE + LINE_GAP);
      if (block.className === 'date') {
        doc.text(text, left, doc.y, { width, align: 'right', lineGap: LINE_GAP });
      } else {
        const lineIndent = block.className === 'salutation' || block.className === 'attachment' ? indent : 0;
        doc.text(text, left, doc.y, { width, indent: lineIndent, lineGap: LINE_GAP });
      }
  }
}

/**
 * 起诉人（签名或按指印）：____ with a dashed box beside it, for a filer who cannot sign
 * (CPL Art. 123 lets them sue orally; the print still needs their mark).
 */
function writeSignature(doc: Doc, block: DocumentBlock, width: number): void {
  const left = doc.page.margins.left;
  const right = left + width;
  const label = block.text.replace(/[_\s]+$/, '');
  doc.fontSize(BODY_SIZE);
  const labelWidth = doc.widthOfString(label);
  const gap = 6;
  const rowFits = labelWidth + gap + SIGN_LINE + gap + FINGERPRINT_BOX <= width;
  ensureRoom(doc, FINGERPRINT_BOX + (rowFits ? 0 : BODY_SIZE + LINE_GAP) + 12);
  if (!rowFits) {
    doc.text(label, left, doc.y, { width, align: 'right', lineGap: LINE_GAP });
  }
  const top = doc.y + 4;
  const boxX = right - FINGERPRINT_BOX;
  doc.save();
  doc.lineWidth(0.8).dash(3, { space: 3 }).rect(boxX, top, FINGERPRINT_BOX, FINGERPRINT_BOX).stroke();
  doc.restore();
  doc.fontSize(9).fillColor('#333333');
  doc.text(FINGERPRINT_LABEL[block.lang], boxX, top + FINGERPRINT_BOX - 16, { width: FINGERPRINT_BOX, align: 'center', lineBreak: false });
  doc.fillColor('black').fontSize(BODY_SIZE);
  const baseline = top + FINGERPRINT_BOX / 2;
  const lineX = boxX - gap - SIGN_LINE;
  doc.moveTo(lineX, baseline + BODY_SIZE * 0.6).lineTo(lineX + SIGN_LINE, baseline + BODY_SIZE * 0.6).lineWidth(0.8).stroke();
  if (rowFits) {
    doc.text(label, lineX - gap - labelWidth, baseline - BODY_SIZE * 0.6, { width: labelWidth + 1, lineBreak: false });
  }
  doc.x = left;
  doc.y = top + FINGERPRINT_BOX + 8;
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** Lays the document out with pdfkit: a few hundred milliseconds of CPU, so the server runs it in PdfWorkerRenderer's thread. */
export async function renderWith(fontBytes: Buffer, font: CjkFont, layout: DocumentLayout): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: layout.title || '文书', Creator: '起诉状助手 (court complaint assistant)' },
  });
  const done = collect(doc);
  doc.registerFont(FONT, fontBytes, font.postscriptName);
  doc.font(FONT).fontSize(BODY_SIZE);
  const width = PAGE.width - MARGINS.left - MARGINS.right;
  const pageLang: Locale[] = ['zh-CN'];
  let lang: Locale = 'zh-CN';
  for (const block of layout.blocks) {
    if (block.lang !== lang) {
      // The reading copy starts on its own page, so the filed text prints apart from it.
      doc.addPage();
      lang = block.lang;
    }
    // Blank lines at the top of a page are noise.
    if (block.kind === 'blank' && doc.y <= doc.page.margins.top + 1) continue;
    // 此致 … court … signature … date stay on one page, so a signature never stands alone.
    if (block.className === 'salutation') ensureRoom(doc, tailHeight(doc, layout.blocks.slice(layout.blocks.indexOf(block)), width));
    writeBlock(doc, block, width);
    const pages = doc.bufferedPageRange().count;
    while (pageLang.length < pages) pageLang.push(lang);
  }
  const { start, count } = doc.bufferedPageRange();
  for (let i = 0; i < count; i += 1) {
    doc.switchToPage(start + i);
    // Writing inside the bottom margin would otherwise make pdfkit start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONT).fontSize(FOOTER_SIZE).fillColor('black');
    doc.text(pageNumber(i + 1, count, pageLang[i] ?? 'zh-CN'), MARGINS.left, PAGE.height - bottom / 2 - FOOTER_SIZE, {
      width, align: 'center', lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

/** The first candidate font file that exists, or undefined. */
export function findCjkFont(candidates: readonly CjkFont[] = CJK_FONT_CANDIDATES): CjkFont | undefined {
  return candidates.find((c) => existsSync(c.file));
}

/** What the worker thread answers for each layout it was sent (see pdf-worker.ts). */
export type PdfWorkerReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

/** The document checked with each candidate font before it is used. */
const PROBE: DocumentLayout = { title: '测试', blocks: [{ kind: 'heading', text: '测试 test', lang: 'zh-CN' }] };

/**
 * Renders in a worker thread. pdfkit's layout and font subsetting take 250–300 ms of CPU for
 * a complaint; on the server's own thread that would hold every filer's turn up for as long.
 * The worker reads the font itself and takes one layout at a time; if it dies, the layouts
 * waiting for it fail and the next render starts a new one.
 */
class PdfWorkerRenderer implements PdfRenderer {
  readonly font: CjkFont;
  #worker: Worker | null = null;
  readonly #waiting = new Map<number, { resolve: (pdf: Buffer) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  constructor(font: CjkFont) {
    this.font = font;
  }

  render(layout: DocumentLayout): Promise<Buffer> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, layout });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
    this.#failAll(new Error('The PDF renderer was closed.'));
  }

  #start(): Worker {
    const worker = startPdfWorker(this.font);
    // Idle, it must not keep the process alive; a request waiting for it keeps the server up anyway.
    worker.unref();
    worker.on('message', (reply: PdfWorkerReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id);
      if ('pdf' in reply) waiting.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      else waiting.reject(new Error(`The PDF could not be laid out: ${reply.error}`));
    });
    const stopped = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(error);
    };
    worker.on('error', (error) => stopped(error));
    worker.on('exit', (code) => stopped(new Error(`The PDF worker stopped (exit code ${code}).`)));
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { reject } of waiting) reject(error);
  }
}

/**
 * The worker runs pdf-worker.js beside this file. From the TypeScript sources (tsx, vitest)
 * it registers tsx's loader first, as the process that started it did.
 */
function startPdfWorker(font: CjkFont): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const entry = pathToFileURL(here.replace(/pdf\.ts$/, 'pdf-worker.ts')).href;
    return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData: { font } });
  }
  return new Worker(new URL('./pdf-worker.js', import.meta.url), { workerData: { font } });
}

/**
 * Returns a renderer with the first CJK font that really works (it exists and pdfkit can
 * take the named font out of it, tried in the renderer's worker), or null when none does;
 * then the server runs without PDFs and says why in its log.
 */
export async function createPdfRenderer(candidates: readonly CjkFont[] = CJK_FONT_CANDIDATES): Promise<PdfRenderer | null> {
  for (const font of candidates) {
    if (!existsSync(font.file)) continue;
    const renderer = new PdfWorkerRenderer(font);
    try {
      await renderer.render(PROBE);
    } catch {
      await renderer.close();
      continue;
    }
    return renderer;
  }
  return null;
}
