import path from 'node:path';
import express, { type Response, type Router } from 'express';
import { findProjectRoot } from '../web/bundle.js';

/**
 * No inline script or style anywhere in the console; scripts, styles and API calls only from
 * this origin, and no framing (the console holds filers' personal data).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(res: Response): void {
  res.set({
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    // A shared counter computer must not show yesterday's console from its cache.
    'Cache-Control': 'no-store',
  });
}

/** `GET /clerk` and its assets (src/web/clerk), to be mounted at /clerk. */
export function clerkConsoleRoutes(projectRoot: string = findProjectRoot()): Router {
  const dir = path.join(projectRoot, 'src', 'web', 'clerk');
  const router = express.Router({ strict: false });
  router.use((_req, res, next) => {
    secure(res);
    next();
  });
  router.get('/', (_req, res) => {
    res.sendFile(path.join(dir, 'index.html'));
  });
  router.use(express.static(dir, { index: false, redirect: false, dotfiles: 'deny', fallthrough: true, cacheControl: false }));
  router.use((_req, res) => {
    res.status(404).type('text/plain; charset=utf-8').send('找不到这个页面。/ This page was not found.\n');
  });
  return router;
}
