/**
 * What a page's Content-Security-Policy refused, seen from inside the page: every
 * `securitypolicyviolation` event since it loaded, and every <style> element whose sheet the
 * browser dropped (a blocked inline style leaves its element without a sheet, silently).
 */
import type { Page } from 'playwright-core';

interface Watched {
  __cspViolations?: string[];
}

/** Call before the page loads (before `goto`); the listener is in place for every document the page opens. */
export async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const scope = globalThis as unknown as Watched & { document: { addEventListener(type: string, listener: (event: CspEvent) => void): void } };
    interface CspEvent { effectiveDirective: string; blockedURI: string; sample: string }
    scope.__cspViolations = [];
    scope.document.addEventListener('securitypolicyviolation', (event) => {
      scope.__cspViolations?.push(`${event.effectiveDirective} refused ${event.blockedURI || 'inline'}${event.sample ? `: ${event.sample}` : ''}`);
    });
  });
}

/** The refusals so far in the page's main frame; an empty list when its policy and its needs agree. */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const scope = globalThis as unknown as Watched & { document: { querySelectorAll(s: string): ArrayLike<{ sheet: unknown; getAttribute(n: string): string | null }> } };
    const unstyled = Array.from(scope.document.querySelectorAll('style'))
      .filter((style) => style.sheet === null)
      .map((style) => `style-src refused a <style> element${style.getAttribute('data-emotion') ? ` (${style.getAttribute('data-emotion')})` : ''}`);
    return [...(scope.__cspViolations ?? []), ...unstyled];
  });
}
