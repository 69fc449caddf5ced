/**
 * The clerk API as the console calls it: sign in for a session cookie and CSRF token, then
 * JSON requests that carry both (or neither, to test refusals).
 */
export interface ClerkSignIn {
  /** `clerk_session=…`, ready for a Cookie header. */
  cookie: string;
  csrf: string;
  /** The whole Set-Cookie header, for tests of its attributes. */
  setCookie: string;
}

export interface ClerkApiAnswer {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

export async function clerkLogin(baseUrl: string, username: string, password: string): Promise<ClerkSignIn> {
  const res = await fetch(`${baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, setCookie };
}

/** A caller of `/api/clerk…` as `who` (no session when absent); changes carry the CSRF token unless a header overrides it. */
export function clerkApi(baseUrl: string, who?: Pick<ClerkSignIn, 'cookie' | 'csrf'>) {
  return async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ClerkApiAnswer> => {
    const res = await fetch(`${baseUrl}/api/clerk${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(who ? { cookie: who.cookie } : {}),
        ...(who && method !== 'GET' ? { 'x-csrf-token': who.csrf } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}
