import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { normalizeLocale, type Locale } from '../i18n.js';
import { findProjectRoot, readPin, WebChatBundle } from './bundle.js';
import { renderChatPage, renderSetupErrorPage, type View } from './page.js';

export { findProjectRoot, WebChatBundle, type BundleState } from './bundle.js';
export { chatUrl, renderChatPage, renderSetupErrorPage, type View } from './page.js';

export interface WebChatRoutesOptions {
  /** The number filers are told to call for a person (config.clerk.phone). */
  clerkPhone: string;
  /** Where package.json, vendor/ and src/web/public/ are; found from this file when omitted. */
  projectRoot?: string;
  /** Told once at start-up when the bundle is missing, so whoever runs the server knows the fix. */
  log?: { warn(obj: object, msg: string): void };
}

const ASSETS_URL = '/chat/assets';
const YEAR_SECONDS = 365 * 86_400;
// A Host header we are willing to echo into the CSP (host name or IPv4/IPv6 literal, optional port).
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The website chat: `GET /chat` (the page around the official Web Chat), its own static
 * files under `/chat/assets/`, and the vendored Web Chat bundle under `/vendor/`.
 */
export function createWebChatRoutes(options: WebChatRoutesOptions): Router {
  const root = options.projectRoot ?? findProjectRoot();
  const bundle = new WebChatBundle(root, readPin(root));
  const publicDir = path.join(root, 'src', 'web', 'public');
  const router = express.Router();
  void bundle.state().then((state) => {
    if (state !== 'ready') {
      options.log?.warn({ bundle: bundle.file, state }, `Web Chat bundle ${state}: /chat shows a notice until you run ${bundle.pin.setupCommand}`);
    }
    // An unreadable file is reported by /chat itself, per request.
  }, () => undefined);

  router.get('/chat', async (req: Request, res: Response) => {
    const locale = localeOf(req);
    const view: View = req.query.view === 'large' ? 'large' : 'normal';
    securityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    const state = await bundle.state();
    if (state !== 'ready') {
      res.setHeader('Content-Security-Policy', ERROR_PAGE_CSP);
      res.status(503).type('html').send(renderSetupErrorPage({
        locale,
        setupCommand: bundle.pin.setupCommand,
        version: bundle.pin.version,
        clerkPhone: options.clerkPhone,
        assetsUrl: ASSETS_URL,
      }));
      return;
    }
    const styleNonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', chatPageCsp(req, styleNonce));
    res.type('html').send(renderChatPage({
      locale,
      view,
      styleNonce,
      clerkPhone: options.clerkPhone,
      bundleUrl: bundle.url,
      assetsUrl: ASSETS_URL,
    }));
  });

  router.get(bundle.url, async (_req: Request, res: Response) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if ((await bundle.state()) !== 'ready') {
      res.status(404).type('text/plain').send(`Web Chat bundle missing: run ${bundle.pin.setupCommand}\n`);
      return;
    }
    // The URL carries the version, so browsers may keep it for a year without asking again.
    res.sendFile(bundle.file, {
      headers: { 'Cache-Control': `public, max-age=${YEAR_SECONDS}, immutable`, 'Content-Type': 'text/javascript; charset=utf-8' },
      cacheControl: false,
    });
  });

  router.use(ASSETS_URL, express.static(publicDir, {
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    // Unversioned names: browsers revalidate (cheap, with ETag) so a fix reaches them at once.
    cacheControl: false,
    setHeaders: (res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  }));

  return router;
}

function localeOf(req: Request): Locale {
  const lang = req.query.lang;
  return normalizeLocale(typeof lang === 'string' ? lang : undefined);
}

function securityHeaders(res: Response): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Permissions-Policy', 'camera=(), geolocation=(), payment=(), usb=()');
}

/**
 * Only this origin. Web Chat injects its styles at run time (emotion) into <style> elements
 * that carry this response's nonce (chat.js hands it to Web Chat); the scroll container inside
 * it (react-scroll-to-bottom) makes its own without the nonce, empty, and fills it through the
 * CSSOM, which CSP does not govern, so the hash of empty text lets just that empty element in.
 * No 'unsafe-inline': markup that slipped into the page could not style it. It shows uploads as blob: and
 * icons as data: images, makes upload thumbnails in a Worker it builds from a blob: (its own
 * code; scripts still load from this origin only), and talks to Direct Line here, over HTTP and
 * over a WebSocket (ws: of the same host is spelled out for browsers older than CSP 3).
 */
function chatPageCsp(req: Request, styleNonce: string): string {
  const host = req.get('host');
  const sockets = host && SAFE_HOST.test(host) ? ` ${req.protocol === 'https' ? 'wss' : 'ws'}://${host}` : '';
  return [
    // Nothing by default: each kind of thing the page loads is named below.
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    `style-src 'self' 'nonce-${styleNonce}' '${EMPTY_STYLE_HASH}'`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "font-src 'self' data:",
    // blob: because Direct Line reads the chosen photo back from its blob: URL to upload it.
    `connect-src 'self'${sockets} blob:`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** sha256 of the empty string, as CSP writes hashes. */
const EMPTY_STYLE_HASH = 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

const ERROR_PAGE_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

