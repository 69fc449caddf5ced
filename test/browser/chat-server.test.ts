/**
 * The /chat routes over plain HTTP (no browser): headers, locales, the vendored bundle, the
 * setup error page, and the setup script's tar reader and checks.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listen } from '../../src/app.js';
import { createWebChatRoutes, findProjectRoot, WebChatBundle } from '../../src/web/index.js';
import { PIN_FILE, readPin } from '../../src/web/bundle.js';
import { bundleIsValid, ensureWebChatBundle, extractEntry, SETUP_COMMAND } from '../../scripts/fetch-webchat.mjs';

const ROOT = findProjectRoot(import.meta.dirname);
const PIN = readPin(ROOT);

async function serve(projectRoot: string, warnings: string[] = []): Promise<{ base: string; server: Server }> {
  const app = express();
  app.use(createWebChatRoutes({ clerkPhone: '12368', projectRoot, log: { warn: (_obj, msg) => warnings.push(msg) } }));
  const server = await listen(app, 0, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { base: `http://127.0.0.1:${port}`, server };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A project root with the pin and the page's assets but no vendor/ folder: a fresh clone before setup. */
function rootWithoutBundle(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webchat-root-'));
  mkdirSync(path.join(dir, 'src', 'web', 'public'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{}');
  copyFileSync(path.join(ROOT, PIN_FILE), path.join(dir, PIN_FILE));
  for (const file of ['chat.css', 'chat.js']) {
    copyFileSync(path.join(ROOT, 'src', 'web', 'public', file), path.join(dir, 'src', 'web', 'public', file));
  }
  return dir;
}

describe('the Web Chat bundle', () => {
  it('is set up (vendor/webchat/webchat.js, verified against the pinned hash)', async () => {
    const state = await new WebChatBundle(ROOT, PIN).state();
    expect(state, `The Web Chat bundle is ${state}: run \`${SETUP_COMMAND}\` (it needs the npm registry once)`).toBe('ready');
    expect(bundleIsValid()).toBe(true);
    // Idempotent: a valid copy is kept without asking the registry.
    const lines: string[] = [];
    expect(await ensureWebChatBundle({ log: (line) => lines.push(line) })).toBe('present');
    expect(lines).toEqual([]);
  });

  it('is found from the compiled server too (dist/src/web), not only from the sources', () => {
    expect(findProjectRoot(path.join(ROOT, 'dist', 'src', 'web'))).toBe(ROOT);
    expect(findProjectRoot(path.join(ROOT, 'src', 'web'))).toBe(ROOT);
  });

  it('refuses a copy that differs from the pin', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'webchat-bad-'));
    try {
      const file = path.join(dir, 'webchat.js');
      writeFileSync(file, Buffer.alloc(PIN.size, 0x20));
      expect(bundleIsValid(file)).toBe(false);
      writeFileSync(file, 'window.WebChat = {};');
      expect(bundleIsValid(file)).toBe(false);
      expect(bundleIsValid(path.join(dir, 'absent.js'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads one file out of a .tgz, long names included, without unpacking the rest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'webchat-tar-'));
    try {
      const longDir = path.join('package', 'a'.repeat(60), 'b'.repeat(60));
      mkdirSync(path.join(dir, 'src', longDir), { recursive: true });
      mkdirSync(path.join(dir, 'src', 'package', 'dist'), { recursive: true });
      const big = Buffer.alloc(70_000, 'x');
      writeFileSync(path.join(dir, 'src', 'package', 'dist', 'stats.json'), big);
      writeFileSync(path.join(dir, 'src', 'package', 'dist', 'webchat.js'), 'window.WebChat = 1;\n');
      writeFileSync(path.join(dir, 'src', longDir, 'deep.js'), 'deep');
      const tarball = path.join(dir, 'p.tgz');
      execFileSync('tar', ['-czf', tarball, '-C', path.join(dir, 'src'), 'package']);

      expect((await extractEntry(tarball, 'package/dist/webchat.js'))?.toString()).toBe('window.WebChat = 1;\n');
      expect((await extractEntry(tarball, `${longDir.split(path.sep).join('/')}/deep.js`))?.toString()).toBe('deep');
      expect((await extractEntry(tarball, 'package/dist/stats.json'))?.equals(big)).toBe(true);
      expect(await extractEntry(tarball, 'package/dist/missing.js')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /chat', () => {
  let base = '';
  let server: Server;
  beforeAll(async () => {
    ({ base, server } = await serve(ROOT));
  });
  afterAll(async () => {
    await close(server);
  });

  it('serves the Chinese page with a strict CSP and no inline script', async () => {
    const res = await fetch(`${base}/chat`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe/);
    // Web Chat's styles by this response's nonce (also in the page for chat.js), none inline otherwise.
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'sha256-47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU='/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("img-src 'self' blob: data:");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(base).host} blob:`);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    const html = await res.text();
    expect(html).toContain(`<meta name="csp-nonce" content="${nonce}">`);
    // A fresh nonce every time, so one seen once is no key to the next page.
    expect((await fetch(`${base}/chat`)).headers.get('content-security-policy')).not.toContain(nonce);
    expect(html).toContain('<html lang="zh-CN"');
    expect(html).toContain('<title>起诉状助手');
    expect(html).toContain('class="skip-link" href="#webchat"');
    expect(html).toMatch(/<header[\s>]/);
    expect(html).toMatch(/<main[\s>]/);
    expect(html).toMatch(/<footer[\s>]/);
    expect(html).toContain(`src="/vendor/webchat-${PIN.version}.js"`);
    expect(html).toContain('href="/chat?lang=en-US"');
    expect(html).toContain('aria-current="page">中文');
    // Every script is a file from this origin: the CSP would block an inline one anyway.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBe(2);
    for (const tag of scripts) expect(tag).toMatch(/ src="\/[^"]+"/);
    expect(html).not.toMatch(/ on[a-z]+=/i);
    expect(html).not.toMatch(/ style=/);
  });

  it('speaks English with ?lang=en-US and keeps the larger view in the links', async () => {
    const html = await (await fetch(`${base}/chat?lang=en-US&view=large`)).text();
    expect(html).toContain('<html lang="en-US" class="view-large"');
    expect(html).toContain('<h1>Court complaint assistant</h1>');
    expect(html).toContain('Skip to the conversation');
    expect(html).toContain('href="/chat?lang=zh-CN&amp;view=large"');
    expect(html).toContain('aria-pressed="true"');
  });

  it('falls back to Chinese for other or malformed languages', async () => {
    for (const query of ['?lang=fr', '?lang[]=en-US', '?lang=%3Cscript%3E', '']) {
      const res = await fetch(`${base}/chat${query}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<html lang="zh-CN" class="view-normal"');
      expect(html).not.toContain('<script>');
    }
  });

  it('serves the bundle under a versioned URL, cached for a year', async () => {
    const res = await fetch(`${base}/vendor/webchat-${PIN.version}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(Number(res.headers.get('content-length'))).toBe(PIN.size);
    await res.arrayBuffer();
  });

  it('serves its own script and style, revalidated, and nothing outside the folder', async () => {
    const js = await fetch(`${base}/chat/assets/chat.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('no-cache');
    await js.text();
    const css = await fetch(`${base}/chat/assets/chat.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    await css.text();
    for (const probe of ['/chat/assets/../index.ts', '/chat/assets/%2e%2e/index.ts', '/chat/assets/']) {
      const res = await fetch(`${base}${probe}`);
      expect(res.status, probe).toBe(404);
      await res.arrayBuffer();
    }
  });
});

describe('GET /chat before the setup step', () => {
  let base = '';
  let server: Server;
  let root = '';
  const warnings: string[] = [];
  beforeAll(async () => {
    root = rootWithoutBundle();
    ({ base, server } = await serve(root, warnings));
  });

  it('tells whoever runs the server, once, how to fix it', async () => {
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
    expect(warnings[0]).toContain(SETUP_COMMAND);
  });
  afterAll(async () => {
    await close(server);
    rmSync(root, { recursive: true, force: true });
  });

  it('shows a bilingual page naming the setup command instead of a blank page', async () => {
    for (const [query, lang] of [['', 'zh-CN'], ['?lang=en-US', 'en-US']] as const) {
      const res = await fetch(`${base}/chat${query}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain(`<html lang="${lang}"`);
      expect(html).toContain(`<code>${SETUP_COMMAND}</code>`);
      expect(html).toContain('网上对话暂时不能用');
      expect(html).toContain('The web chat is not available yet');
      expect(html).toContain('<section lang="zh-CN">');
      expect(html).toContain('<section lang="en-US">');
      expect(html).not.toContain('<script');
    }
    const bundle = await fetch(`${base}/vendor/webchat-${PIN.version}.js`);
    expect(bundle.status).toBe(404);
    expect(await bundle.text()).toContain(SETUP_COMMAND);
  });

  it('notices a bundle that is the wrong file', async () => {
    mkdirSync(path.join(root, 'vendor', 'webchat'), { recursive: true });
    writeFileSync(path.join(root, 'vendor', 'webchat', 'webchat.js'), Buffer.alloc(PIN.size, 0x20));
    const res = await fetch(`${base}/chat`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(SETUP_COMMAND);
  });
});
