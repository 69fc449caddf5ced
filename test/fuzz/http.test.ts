import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { openAccounts } from '../../src/store/index.js';
import { DirectLineTestClient, play } from '../support/directline-client.js';
import { fuzzRuns, FUZZ_SEED, hostileText, xmlProblem } from '../support/fuzz.js';
import { listRoutes, type AppMount, type AppRoute } from '../support/routes.js';
import { PRIVATE_LOAN_ZH } from '../support/scripts.js';
import { startTestServer } from '../support/server.js';

/*
 * Issue 9, hostile input, at every HTTP endpoint: random methods, bodies (wrong JSON, huge,
 * deep, wrong content types and encodings), query strings, path parameters and headers. The
 * routes are read from the app's own router, so one added later is fuzzed too. The server
 * never answers 500, never echoes input unescaped into HTML or XML, and is still up after.
 */

const server = await startTestServer({ CLERK_LOGIN_ATTEMPTS: '100' });

/**
 * The Bot Framework connector an Emulator on this machine would be: /api/messages posts the
 * bot's replies here for a normal delivery. Keeps what it got, for the SSML check at the end.
 */
const connectorPosts: { speak?: unknown; text?: unknown }[] = [];
const connector = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      connectorPosts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { speak?: unknown });
    } catch {
      // Not an activity: nothing to check.
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `posted-${connectorPosts.length}` }));
  });
});
await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
const connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;

afterAll(async () => {
  await server.stop();
  await new Promise((resolve) => connector.close(resolve));
});

const PASSWORD = 'correct horse battery';
const staff = new StaffAccounts(await openAccounts(server.dataDir));
await staff.add({ username: 'fuzz-admin', password: PASSWORD, role: 'admin', displayName: 'Fuzz' });

/** A finished complaint, so fuzzed requests also reach past "not found". */
async function finishedComplaint(): Promise<{ id: string; documentUrl: string }> {
  const filer = new DirectLineTestClient(server.baseUrl, 'zh-CN');
  await filer.start();
  await play(filer, PRIVATE_LOAN_ZH);
  return filer.received.at(-1)!.channelData!.complaint!;
}
// Two: the clerk API may mark its one filed, which takes the other's documents offline.
const forDocuments = await finishedComplaint();
const forClerks = await finishedComplaint();
const documentToken = /\/documents\/([^/]+)\//.exec(forDocuments.documentUrl)?.[1] ?? '';
const live = new DirectLineTestClient(server.baseUrl, 'en-US');
await live.start();

const { routes, mounts } = listRoutes(server.assembled.app);

/** Values that are real on this server, by parameter name: the fuzz mixes them with hostile ones. */
const REAL_PARAMS: Record<string, string> = {
  conversationId: live.conversationId,
  token: documentToken,
  id: forClerks.id,
  username: 'fuzz-admin',
  file: 'kiosk.js',
};

/** Path segments that trip decoders and file servers. */
const ODD_SEGMENTS = [
  '%', '%E0%A4%A', '%00', '%ED%A0%80', '%C0%AE%C0%AE', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '..', '.', '%20', '~', 'index.html',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'a'.repeat(3000), '%F0%9F%98%80', 'constructor', '__proto__', '.env', '%5C..%5C',
];

/** Markup no page of ours contains: finding it in a response means input came back unescaped. */
const CANARIES = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '<a href="javascript:alert(1)">'];

const QUERY_KEYS = ['lang', 'view', 'locale', 'q', 'watermark', 't', 'date', 'page', 'pageSize', 'status', 'from', 'to', 'userId', 'actor', 'action', 'recordId', '__proto__', 'constructor'];

const BODY_KEYS = [
  'type', 'text', 'locale', 'value', 'name', 'channelData', 'attachments', 'from', 'user', 'id', 'serviceUrl', 'conversation', 'recipient', 'deliveryMode',
  'username', 'password', 'currentPassword', 'newPassword', 'ssml', 'rate', 'key', 'field', 'force', 'teamId', 'outcome', 'reason', 'disabled', 'role', 'displayName',
  'CallSid', 'From', 'To', 'Digits', 'SpeechResult', 'Confidence', 'CallStatus', '__proto__', 'constructor',
];

interface Body {
  contentType?: string;
  contentEncoding?: string;
  data: string | Uint8Array;
}

const jsonValue = fc.oneof(hostileText, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...CANARIES));

/** Shaped like a Bot Framework activity, mostly valid, so Direct Line and /api/messages take it to the bot. */
const activityLike = fc.record(
  {
    type: fc.oneof({ weight: 4, arbitrary: fc.constant('message') }, { weight: 1, arbitrary: fc.constantFrom('event', 'typing', 'conversationUpdate', 'invoke') }, { weight: 1, arbitrary: hostileText }),
    text: fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    value: fc.oneof(fc.record({ answer: fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 })) }), jsonValue),
    name: fc.oneof(fc.constantFrom('kiosk.leave', 'handoff.status'), hostileText),
    locale: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('zh-CN', 'en-US', 'en', 'zh-Hans-CN') }, { weight: 1, arbitrary: hostileText }),
    channelData: fc.oneof({ weight: 3, arbitrary: fc.dictionary(hostileText, jsonValue, { maxKeys: 3 }) }, { weight: 1, arbitrary: jsonValue }),
    attachments: fc.array(fc.record({ contentType: hostileText, contentUrl: fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', 'http://127.0.0.1:9/x') }), { maxLength: 2 }),
    entities: fc.array(fc.record({ type: fc.constantFrom('DTMF', 'mention', 'x'), text: hostileText }), { maxLength: 2 }),
    from: fc.oneof({ weight: 4, arbitrary: fc.constant({ id: 'fuzz-filer' }) }, { weight: 1, arbitrary: fc.record({ id: hostileText, name: hostileText }, { requiredKeys: [] }) }),
    // /api/messages answers in the response with expectReplies; a loopback serviceUrl is the Emulator's.
    deliveryMode: fc.constantFrom('expectReplies', 'expectReplies', 'normal'),
    serviceUrl: fc.constantFrom(connectorUrl, connectorUrl, 'https://example.invalid/', 'javascript:alert(1)'),
    channelId: fc.constantFrom('emulator', 'emulator', 'telephony', 'directline', 'x'),
    conversation: fc.record({ id: fc.oneof(fc.constantFrom('fuzz-conversation-1', 'fuzz-conversation-2'), hostileText) }),
    recipient: fc.constant({ id: 'bot' }),
  },
  { requiredKeys: ['type', 'text', 'locale', 'from', 'deliveryMode', 'serviceUrl', 'channelId', 'conversation'] },
).map((activity) => ({ contentType: 'application/json', data: JSON.stringify(activity) }));

/** A Twilio webhook: a call id, and the caller's keys and words as hostile as they come. */
const twilioForm = fc
  .record(
    {
      CallSid: fc.oneof(fc.constantFrom('CAfuzz0000000000000000000000000001', 'CAfuzz0000000000000000000000000002'), hostileText),
      From: fc.oneof(fc.constant('+8613812345678'), hostileText),
      Digits: fc.oneof(fc.constantFrom('1', '2', '9', '0', '*', '#', '110105194912310021#', '20240305#'), hostileText),
      SpeechResult: fc.oneof(hostileText, fc.constantFrom(...CANARIES)),
      Confidence: fc.oneof(fc.constant('0.9'), hostileText),
      CallStatus: fc.constantFrom('in-progress', 'completed', 'busy', '<x>'),
      DialCallStatus: fc.constantFrom('completed', 'no-answer', 'failed'),
    },
    { requiredKeys: ['CallSid'] },
  )
  .map((form) => ({ contentType: 'application/x-www-form-urlencoded', data: new URLSearchParams(form as Record<string, string>).toString() }));

/** A clerk's correction of a real answer, typed as hostile as a filer would. */
const clerkEdit = fc
  .record({
    key: fc.constantFrom('plaintiff.occupation', 'plaintiff.name', 'plaintiff.address', 'loan.amount', 'loan.date', 'defendant[0].name', 'review.confirm'),
    value: fc.oneof(hostileText.map((s) => s.slice(0, 2000)), fc.constantFrom(...CANARIES)),
  })
  .map((edit) => ({ contentType: 'application/json', data: JSON.stringify(edit) }));

const anyBody: fc.Arbitrary<Body | undefined> = fc.oneof(
  fc.constant(undefined),
  activityLike,
  twilioForm,
  fc.dictionary(fc.constantFrom(...BODY_KEYS), jsonValue, { maxKeys: 6 }).map((o) => ({ contentType: 'application/json', data: JSON.stringify(o) })),
  fc.jsonValue().map((v) => ({ contentType: 'application/json', data: JSON.stringify(v) })),
  fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.oneof(hostileText, fc.constantFrom(...CANARIES)), { maxKeys: 6 })
    .map((o) => ({ contentType: 'application/x-www-form-urlencoded', data: new URLSearchParams(o).toString() })),
  fc.constantFrom('{', '{"type":', '[1,', 'nul', '\u0000', '{"a":1}}', '"x"', '{"__proto__":{"polluted":1}}', '\uFEFF{}', '{"text":"\uD800"}')
    .map((data) => ({ contentType: 'application/json', data })),
  fc.constantFrom(3000, 30_000).map((depth) => ({ contentType: 'application/json', data: `{"text":"x","type":"message","value":${'['.repeat(depth)}${']'.repeat(depth)}}` })),
  fc.constantFrom(300_000, 1_000_000).map((size) => ({ contentType: 'application/json', data: `{"text":"${'x'.repeat(size)}"}` })),
  fc.tuple(
    fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'multipart/form-data', 'image/png', 'application/json; charset=utf-16', 'application/json; charset=bogus', 'audio/wav', '*/*', ''),
    fc.oneof(hostileText, fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'))),
  ).map(([contentType, data]) => ({ contentType, data })),
  fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown').map((contentEncoding) => ({ contentType: 'application/json', contentEncoding, data: '{"not":"compressed"}' })),
);

interface FuzzRequest {
  method: string;
  params: string[];
  query: [string, string][];
  body: Body | undefined;
  auth: 'none' | 'real' | 'hostile';
  clerk: 'none' | 'session' | 'session-and-csrf';
  header: string;
}

/** Most bodies in the shape the route reads, so the fuzz gets past its first check. */
function bodiesFor(path: string): fc.Arbitrary<Body | undefined> {
  if (/\/activities$|^\/api\/messages/.test(path)) return fc.oneof({ weight: 3, arbitrary: activityLike }, { weight: 1, arbitrary: anyBody });
  if (path.startsWith('/api/phone/')) return fc.oneof({ weight: 3, arbitrary: twilioForm }, { weight: 1, arbitrary: anyBody });
  if (path.endsWith('/answers')) return fc.oneof({ weight: 3, arbitrary: clerkEdit }, { weight: 1, arbitrary: anyBody });
  return anyBody;
}

function requestsFor(path: string, methods: string[]): fc.Arbitrary<FuzzRequest> {
  const own = methods.includes('ALL') ? ['GET', 'POST'] : methods;
  return fc.record({
    method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') }),
    params: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant('(real)') },
        { weight: 2, arbitrary: hostileText.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?').slice(0, 300))) },
        { weight: 1, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
      ),
      { minLength: 3, maxLength: 3 },
    ),
    // Short enough that the URL stays under the server's header limit (a 431 tests nothing).
    query: fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(hostileText.map((s) => s.slice(0, 300)), fc.constantFrom(...CANARIES))), { maxLength: 3 }),
    body: bodiesFor(path),
    auth: fc.constantFrom('none', 'real', 'real', 'hostile'),
    clerk: fc.constantFrom('none', 'session', 'session-and-csrf'),
    header: hostileText,
  });
}

/** Requests every route gets besides the random ones: broken escapes in every parameter, with and without credentials. */
function edgeCases(methods: string[]): [FuzzRequest][] {
  const method = methods.includes('ALL') ? 'POST' : methods[0] ?? 'GET';
  return ['%', '%E0%A4%A', '%00', '..%2F..'].flatMap((segment) => (['none', 'real'] as const).map((auth): [FuzzRequest] => [{
    method, params: [segment, segment, segment], query: [['lang', CANARIES[0]!]], body: undefined, auth, clerk: 'session-and-csrf', header: '',
  }]));
}

/** A header value fetch will send: Latin-1 only, no line breaks. */
function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7E]/g, '').slice(0, 500);
}

let clerkSession: { cookie: string; csrf: string } | undefined;
async function clerkSignIn(): Promise<{ cookie: string; csrf: string }> {
  const login = () => fetch(`${server.baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'fuzz-admin', password: PASSWORD }),
  });
  let res = await login();
  if (res.status !== 200) {
    // The fuzz may have changed the admin's own password, role or state through the API it fuzzes.
    await staff.update('fuzz-admin', { disabled: false, role: 'admin' }).catch(() => undefined);
    await staff.setPassword('fuzz-admin', PASSWORD);
    res = await login();
  }
  expect(res.status, 'the fuzz admin signs in').toBe(200);
  clerkSession = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  return clerkSession;
}

function fill(pattern: string, params: string[]): string {
  let at = 0;
  return pattern
    .replace(/:(\w+)/g, (_m, name: string) => {
      const given = params[at++ % params.length] ?? '(real)';
      return given === '(real)' ? encodeURIComponent(REAL_PARAMS[name] ?? 'x') : given;
    })
    .replace(/\{?\/?\*\w+\}?/g, () => `/${params[0] ?? 'x'}`);
}

const APOLOGY = /出了点问题|something went wrong/i;

/** Statuses that say "this service is off here", as documented: no CJK font for PDFs, no voice. */
const MAY_BE_UNAVAILABLE = /\.pdf$|^\/api\/speech\//;

async function send(path: string, request: FuzzRequest): Promise<void> {
  const url = new URL(server.baseUrl + path);
  for (const [key, value] of request.query) url.searchParams.append(key, value);
  const headers: Record<string, string> = { 'x-fuzz': headerSafe(request.header) };
  if (request.auth === 'real') headers.authorization = `Bearer ${live.token}`;
  if (request.auth === 'hostile') headers.authorization = `Bearer ${headerSafe(request.header) || 'x'}`;
  if (path.startsWith('/api/clerk') && request.clerk !== 'none') {
    const session = clerkSession ?? (await clerkSignIn());
    headers.cookie = session.cookie;
    if (request.clerk === 'session-and-csrf') headers['x-csrf-token'] = session.csrf;
  }
  const withBody = request.body && request.method !== 'GET' && request.method !== 'HEAD';
  if (withBody && request.body?.contentType) headers['content-type'] = request.body.contentType;
  if (withBody && request.body?.contentEncoding) headers['content-encoding'] = request.body.contentEncoding;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  let res: Response;
  try {
    res = await fetch(url, { method: request.method, headers, ...(withBody ? { body: request.body!.data } : {}), signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
  const what = `${request.method} ${url.pathname}${url.search.slice(0, 300)} (FUZZ_SEED=${FUZZ_SEED})`;
  const type = res.headers.get('content-type') ?? '';
  // An event stream stays open: its status and headers are the answer.
  const text = type.startsWith('text/event-stream') ? (abort.abort(), '') : await res.text().catch(() => '');
  // An invoke the bot does not handle gets 501 from botbuilder: the Bot Framework's own answer, which channels do not retry.
  const unhandledInvoke = res.status === 501 && url.pathname === '/api/messages' && typeof request.body?.data === 'string' && request.body.data.includes('"type":"invoke"');
  const allowed = res.status < 500 || (res.status === 503 && MAY_BE_UNAVAILABLE.test(url.pathname)) || unhandledInvoke;
  expect(allowed, `${what} → ${res.status} ${text.slice(0, 300)}`).toBe(true);
  // A 200 that carries the bot's apology is a turn that crashed inside.
  if (/json/.test(type)) expect(text, `${what}: the bot's turn failed`).not.toMatch(APOLOGY);
  // Hostile input must not make the server show its insides (express's default error page does, outside production).
  if (/html|json|text\/plain|xml/.test(type)) expect(text, `${what}: a stack trace`).not.toMatch(/node_modules[\\/]|\.(?:js|ts):\d+:\d+/);
  if (/html|xml/.test(type)) {
    for (const canary of CANARIES) expect(text, `${what} echoed ${canary}`).not.toContain(canary);
  }
  if (/xml/.test(type) && text) expect(xmlProblem(text), `${what}: ${text.slice(0, 300)}`).toBeNull();
  if (/json/.test(type) && text && request.method !== 'HEAD') expect(() => JSON.parse(text), what).not.toThrow();
  // A clerk request that signed the session out (logout, a password change) signs in again next time.
  if (path.startsWith('/api/clerk') && res.status === 401) clerkSession = undefined;
}

describe('fuzz: the routes come from the app itself', () => {
  it('finds every part of the server in its router', () => {
    const paths = routes.map((r) => r.path);
    // If the walk of the router broke, the fuzz below would pass on nothing.
    expect(routes.length).toBeGreaterThan(50);
    for (const part of ['/healthz', '/v3/directline/conversations/:conversationId/activities', '/api/messages', '/api/phone/twilio/gather', '/api/directline/token', '/api/speech/synthesize', '/kiosk/:file', '/api/clerk/login', '/chat', '/documents/:token/complaint.html']) {
      expect(paths).toContain(part);
    }
    expect(mounts.map((m) => m.path)).toContain('/chat/assets');
  });
});

describe.each(routes.map((r) => [`${r.methods.join(',')} ${r.path}`, r] as const))('fuzz: %s', (_name, route: AppRoute) => {
  it('never answers 500 and never echoes markup unescaped', async () => {
    await fc.assert(fc.asyncProperty(requestsFor(route.path, route.methods), (request) => send(fill(route.path, request.params), request)), { ...fuzzRuns(15), examples: edgeCases(route.methods) });
  });
});

describe.each(mounts.map((m) => [m.path, m] as const))('fuzz: files under %s', (_name, mount: AppMount) => {
  it('never answers 500 for any file name', async () => {
    await fc.assert(fc.asyncProperty(requestsFor(mount.path, ['GET']), (request) => send(`${mount.path}/${request.params.join('/')}`, request)), { ...fuzzRuns(15), examples: edgeCases(['GET']) });
  });
});

/** Opens a WebSocket and says how it went: the HTTP status of a refused upgrade, or 'open'. */
function upgrade(url: string, frames: (string | Buffer)[] = []): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      for (const frame of frames) socket.send(frame);
      // What the server makes of the frames shows within a moment: it reads none of them.
      setTimeout(() => {
        socket.terminate();
        resolve('open');
      }, 100);
    });
    socket.on('error', (error) => {
      if (socket.readyState !== WebSocket.OPEN) reject(error);
    });
  });
}

describe('fuzz: the Direct Line WebSocket stream (an upgrade, not an express route)', () => {
  const wsBase = server.baseUrl.replace(/^http/, 'ws');

  it('refuses hostile upgrades with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(live.conversationId, ...ODD_SEGMENTS),
        fc.oneof(hostileText.map((s) => s.slice(0, 300)), fc.constantFrom('', live.token)),
        fc.oneof(hostileText.map((s) => s.slice(0, 50)), fc.constantFrom('', '0', '-1', '99999999999999999999')),
        async (id, token, watermark) => {
          const query = new URLSearchParams({ t: token, watermark }).toString();
          const outcome = await upgrade(`${wsBase}/v3/directline/conversations/${id}/stream?${query}`);
          expect(outcome === 'open' || (outcome >= 400 && outcome < 500), `stream upgrade → ${outcome} (FUZZ_SEED=${FUZZ_SEED})`).toBe(true);
        },
      ),
      fuzzRuns(30),
    );
  });

  it('takes any frames a client sends on an open stream without harm', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(hostileText, fc.uint8Array({ maxLength: 6000 }).map((b) => Buffer.from(b))), { maxLength: 4 }),
        async (frames) => {
          const reconnect = await fetch(`${server.baseUrl}/v3/directline/conversations/${live.conversationId}`, { headers: { authorization: `Bearer ${live.token}` } });
          expect(reconnect.status).toBe(200);
          const { streamUrl } = (await reconnect.json()) as { streamUrl: string };
          expect(await upgrade(streamUrl, frames)).toBe('open');
        },
      ),
      fuzzRuns(10),
    );
  });
});

describe('fuzz: paths no route serves', () => {
  it('are a plain 404, never a 500', async () => {
    await fc.assert(fc.asyncProperty(requestsFor('/', ['GET', 'POST']), (request) => send(`/${request.params.join('/')}`, request)), fuzzRuns(30));
  });

  it('sent the connector only sound replies', () => {
    for (const posted of connectorPosts) {
      expect(posted.text, 'a reply to a fuzzed activity').not.toMatch(APOLOGY);
      if (typeof posted.speak === 'string') expect(xmlProblem(posted.speak), posted.speak).toBeNull();
    }
  });

  it('left the server up and answering', async () => {
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The filer's conversation still works after everything thrown at the server.
    const replies = await live.say('help');
    expect(replies.some((r) => r.type === 'message')).toBe(true);
  });
});
