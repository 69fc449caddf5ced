import type { Request } from 'express';

/**
 * `scheme://host` as the client reached us, for URLs handed back to that same client (stream
 * URLs, attachment links). Behind a TLS-terminating proxy the request arrives as plain http
 * with `X-Forwarded-Proto: https`; that header is honoured even from an untrusted hop because
 * whatever it says only shapes the answer to the one client that sent it.
 */
export function requestOrigin(req: Request): { scheme: 'http' | 'https'; host: string } {
  const forwarded = req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : req.protocol === 'https' ? 'https' : 'http';
  return { scheme, host: req.get('host') ?? 'localhost' };
}

/** The base of the Direct Line service as the client sees it, e.g. `https://court.example/v3/directline`. */
export function serviceBase(req: Request, websocket = false): string {
  const { scheme, host } = requestOrigin(req);
  const protocol = websocket ? (scheme === 'https' ? 'wss' : 'ws') : scheme;
  return `${protocol}://${host}${req.baseUrl}`;
}
