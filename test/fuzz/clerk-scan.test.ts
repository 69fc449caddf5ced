import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { listRoutes, type AppRoute } from '../support/routes.js';
import { startTestServer, type TestServer } from '../support/server.js';

/*
 * Issue 9: a scan that every /api/clerk/ route refuses requests without a session. The routes
 * come from the app's own router, so a route added later is scanned without anyone listing it.
 */

const PASSWORD = 'correct horse battery';
const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];
const EVERY_METHOD = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

let server: TestServer;
let clerkRoutes: AppRoute[];

beforeAll(async () => {
  server = await startTestServer({ CLERK_LOGIN_ATTEMPTS: '100' });
  const staff = new StaffAccounts(await openAccounts(server.dataDir));
  await staff.add({ username: 'scan-admin', password: PASSWORD, role: 'admin', displayName: 'Scan' });
  await staff.add({ username: 'scan-clerk', password: PASSWORD, displayName: 'Scan clerk' });
  clerkRoutes = listRoutes(server.assembled.app).routes.filter((r) => r.path.startsWith('/api/clerk/'));
});

afterAll(async () => {
  await server?.stop();
});

/** A concrete URL for a route pattern: every `:param` gets a harmless made-up value. */
function urlOf(route: AppRoute): string {
  return server.baseUrl + route.path.replace(/:(\w+)/g, (_m, name: string) => `scan-${name}`).replace(/\{?\/?\*\w+\}?/g, '/scan');
}

/** The methods a route answers; `ALL` stands for every method. */
const methodsOf = (route: AppRoute): string[] => (route.methods.includes('ALL') ? EVERY_METHOD : route.methods);

interface Answer {
  status: number;
  error?: string;
}

async function request(method: string, url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // An event stream never ends by itself: the status and the first bytes are enough.
  const abort = new AbortController();
  const res = await fetch(url, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(hasBody ? { body: '{}' } : {}),
    signal: abort.signal,
  });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status };
  }
  const text = await res.text();
  let error: string | undefined;
  try {
    error = (JSON.parse(text) as { error?: string }).error;
  } catch {
    error = undefined;
  }
  return { status: res.status, ...(error !== undefined ? { error } : {}) };
}

async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${server.baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

describe('scan: every /api/clerk/ route', () => {
  it("finds the clerk API in the app's own router", () => {
    const paths = clerkRoutes.map((r) => r.path);
    // If the walk of the router broke, the scans below would pass on nothing.
    expect(clerkRoutes.length).toBeGreaterThan(25);
    for (const known of ['/api/clerk/login', '/api/clerk/me', '/api/clerk/queue', '/api/clerk/events', '/api/clerk/complaints/:id/answers', '/api/clerk/accounts/:username', '/api/clerk/visits/settings']) {
      expect(paths).toContain(known);
    }
  });

  it('answers 401 without a session, with a made-up one, and with one that was signed out, whatever the method', async () => {
    const ended = await signIn('scan-clerk');
    const logout = await request('POST', `${server.baseUrl}/api/clerk/logout`, { cookie: ended.cookie, 'x-csrf-token': ended.csrf });
    expect(logout.status).toBe(204);
    const cookies: (string | undefined)[] = [undefined, 'clerk_session=made-up-session-id', 'clerk_session=', ended.cookie, 'clerk_session=a; clerk_session=b'];
    let scanned = 0;
    for (const route of clerkRoutes) {
      // Sign-in is the one door; its other methods are as closed as the rest.
      const methods = route.path === '/api/clerk/login' ? EVERY_METHOD.filter((m) => m !== 'POST') : EVERY_METHOD;
      for (const method of methods) {
        for (const cookie of cookies) {
          const answer = await request(method, urlOf(route), cookie ? { cookie } : {});
          const what = `${method} ${route.path} with ${cookie ?? 'no cookie'}`;
          expect(answer.status, what).toBe(401);
          if (method !== 'HEAD') expect(answer.error, what).toBe('not-signed-in');
          scanned += 1;
        }
      }
    }
    expect(scanned).toBeGreaterThan(clerkRoutes.length * EVERY_METHOD.length * 4);
  });

  it('answers 403 to a change with a session but without its own CSRF token', async () => {
    const admin = await signIn('scan-admin');
    const other = await signIn('scan-clerk');
    let scanned = 0;
    for (const route of clerkRoutes) {
      if (route.path === '/api/clerk/login') continue;
      for (const method of methodsOf(route).filter((m) => STATE_CHANGING.includes(m))) {
        for (const token of [undefined, '', 'x'.repeat(43), other.csrf, admin.csrf.toUpperCase()]) {
          if (token === admin.csrf) continue;
          const answer = await request(method, urlOf(route), { cookie: admin.cookie, ...(token !== undefined ? { 'x-csrf-token': token } : {}) });
          const what = `${method} ${route.path} with CSRF token ${JSON.stringify(token)}`;
          expect(answer.status, what).toBe(403);
          expect(answer.error, what).toBe('csrf');
          scanned += 1;
        }
      }
    }
    expect(scanned).toBeGreaterThan(15 * 4);
    // The session itself survived every refused change.
    expect((await request('GET', `${server.baseUrl}/api/clerk/me`, { cookie: admin.cookie })).status).toBe(200);
  });
});
