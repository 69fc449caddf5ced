import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/*
 * What the app answers when no router answered an error itself (src/http/errors.ts). Found by
 * test/fuzz/http.test.ts: a path that is not valid percent-encoding got express's default
 * page, which shows the stack trace outside production.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('errors no router answers', () => {
  it('are a short bilingual 400 for a path that is not valid percent-encoding, without the stack', async () => {
    for (const path of ['/documents/%/complaint.html', '/documents/%E0%A4%A/complaint.pdf', '/kiosk/%', '/kiosk/pictograms/%ZZ']) {
      const res = await fetch(server.baseUrl + path);
      const body = await res.text();
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/plain/);
      expect(body, path).toContain('请求有误');
      expect(body, path).toContain('The request is not valid');
      expect(body, path).not.toMatch(/URIError|node_modules|\.js:\d+/);
    }
  });

  it('leave the routes that answer for themselves alone', async () => {
    const missing = await fetch(`${server.baseUrl}/documents/${'A'.repeat(43)}/complaint.html`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('找不到这份文书');
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });
});
