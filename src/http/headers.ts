import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeaderOptions {
  /** PUBLIC_URL is https: browsers are told to come back over https only (HSTS). */
  https: boolean;
}

/**
 * helmet on every response, mounted first. Its defaults stay (nosniff, no-referrer, same-origin
 * opener and resources, SAMEORIGIN framing, …) except two. The CSP: every response that sets
 * none of its own (JSON, TwiML, audio, files, 404s) is no page, so nothing may load, run,
 * submit or frame; helmet's default would allow inline styles and https: images. Pages replace
 * it with their own, each as strict as the page allows: /chat (src/web), /kiosk
 * (src/web/kiosk), /clerk (src/clerk/console.ts), documents (src/documents/routes.ts). HSTS
 * only when the public address is https, for a year without subdomains, because the court's
 * other hosts are not ours to force onto https.
 */
export function securityHeaders(options: SecurityHeaderOptions): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 365 * 86_400, includeSubDomains: false } : false,
  });
}
