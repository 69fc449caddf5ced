import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { renderWith, type CjkFont, type PdfWorkerReply } from './pdf.js';
import type { DocumentLayout } from './renderer.js';

/**
 * The PDF renderer's thread (see PdfWorkerRenderer in pdf.ts): reads the font once (the
 * collection is tens of megabytes and every PDF subsets it anew), then lays out each layout
 * it is sent, one at a time, and answers with the bytes or the error's message.
 */
const { font } = workerData as { font: CjkFont };
const fontBytes = readFileSync(font.file);
const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs only as a worker thread of the server.');

port.on('message', (request: { id: number; layout: DocumentLayout }) => {
  renderWith(fontBytes, font, request.layout).then(
    (pdf) => port.postMessage({ id: request.id, pdf } satisfies PdfWorkerReply),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies PdfWorkerReply),
  );
});
