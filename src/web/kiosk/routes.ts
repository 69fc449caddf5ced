import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { LOCALES, type Locale } from '../../i18n.js';
import type { LoadedSpecs } from '../../interview/spec.js';
import { KIOSK_LABELS, type KioskLabel } from './labels.js';
import { loadPictograms } from './pictograms.js';

export interface KioskRouteOptions {
  specs: LoadedSpecs;
  speech: { synthesis: 'azure' | 'espeak' | 'none'; recognition: { available: boolean } };
  idleSeconds: number;
  codeSeconds: number;
  /** The folder holding index.html, the scripts and pictograms/ (src/web/kiosk at the project root). */
  assetsDir: string;
}

/** Sentences the page says itself (from dialogs/messages.yaml). */
const SPOKEN = {
  stillThere: 'kioskStillThere',
  heard: 'kioskHeard',
  notHeard: 'kioskNotHeard',
  typeOrClerk: 'kioskTypeOrClerk',
  print: 'kioskPrint',
  voiceFailed: 'kioskVoiceFailed',
} as const;

/** The page's files, read once at start-up: small, and a kiosk must not wait on a disk. */
const ASSETS: Record<string, string> = {
  'kiosk.js': 'text/javascript; charset=utf-8',
  'directline.js': 'text/javascript; charset=utf-8',
  'voice.js': 'text/javascript; charset=utf-8',
  'recorder-worklet.js': 'text/javascript; charset=utf-8',
  'kiosk.css': 'text/css; charset=utf-8',
};

/**
 * Only our own origin; audio comes as blob: URLs; the document preview is a same-origin frame.
 * No inline script or style, so nothing a filer typed can ever run.
 */
const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "media-src 'self' blob:",
  "connect-src 'self'", "frame-src 'self'", "worker-src 'self'", "object-src 'none'", "base-uri 'none'",
  "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

function pageHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'microphone=(self), camera=(), geolocation=()',
  });
}

/**
 * `/kiosk` (mount the `page` router there): the page, its scripts and pictograms.
 * `/api/kiosk/config` (mount `api` at /api): timings, what the speech service can do, the
 * labels and the page's own sentences in both languages, and which pictograms exist.
 */
export function kioskRoutes(options: KioskRouteOptions): { page: Router; api: Router } {
  const dir = options.assetsDir;
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const assets = new Map(Object.entries(ASSETS).map(([file, type]) => [file, { type, body: readFileSync(path.join(dir, file)) }]));
  const pictograms = loadPictograms(path.join(dir, 'pictograms'));

  const labels = Object.fromEntries(LOCALES.map((locale) => [
    locale,
    Object.fromEntries((Object.keys(KIOSK_LABELS) as KioskLabel[]).map((key) => [key, KIOSK_LABELS[key][locale]])),
  ])) as Record<Locale, Record<KioskLabel, string>>;
  const spoken = Object.fromEntries(LOCALES.map((locale) => [
    locale,
    Object.fromEntries(Object.entries(SPOKEN).map(([name, key]) => [name, options.specs.messages[key][locale]])),
  ]));
  const config = {
    idleSeconds: options.idleSeconds,
    codeSeconds: options.codeSeconds,
    speech: { synthesis: options.speech.synthesis, recognition: options.speech.recognition.available },
    labels,
    spoken,
    pictograms: [...pictograms.keys()].sort(),
  };

  const page = express.Router();
  page.get('/', (_req: Request, res: Response) => {
    pageHeaders(res);
    res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.send(html);
  });
  page.get('/pictograms/:file', (req: Request, res: Response) => {
    const file = String(req.params.file ?? '');
    const svg = file.endsWith('.svg') ? pictograms.get(file.slice(0, -4)) : undefined;
    if (!svg) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    // SVG from our own folder, yet sandboxed all the same: a picture never runs script.
    res.set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=3600', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox", 'X-Content-Type-Options': 'nosniff' });
    res.send(svg);
  });
  page.get('/:file', (req: Request, res: Response) => {
    const asset = assets.get(String(req.params.file ?? ''));
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    res.send(asset.body);
  });

  const api = express.Router();
  api.get('/kiosk/config', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    res.json(config);
  });
  return { page, api };
}
