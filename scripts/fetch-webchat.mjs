#!/usr/bin/env node
/**
 * Puts the official Bot Framework Web Chat bundle at vendor/webchat/webchat.js.
 *
 * Installing botframework-webchat as a dependency pulls about 480 MB (React, an old speech SDK,
 * a 147 MB stats.json) for one 3.9 MB file, so this script takes only that file: `npm pack`
 * fetches the package tarball (through npm's own registry settings, proxy and cache), the
 * tarball is checked against the registry's published integrity, and dist/webchat.js is read
 * out of it with a small streaming tar reader. The pinned hashes below mean a changed tarball or
 * a half-written file is never served.
 *
 * Runs as `postinstall`, and by hand as `npm run setup:webchat`. Idempotent: does nothing
 * when a valid copy is already there. Uses only Node's standard library and the npm client.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * What to fetch and what it must hash to. The server reads the same file (src/web/bundle.ts),
 * so the two never disagree about the version.
 */
const PIN = JSON.parse(readFileSync(path.join(ROOT, 'src', 'web', 'webchat-bundle.json'), 'utf8'));

export const WEBCHAT_PACKAGE = PIN.package;
export const WEBCHAT_VERSION = PIN.version;
/** `npm view botframework-webchat@4.18.1 dist.integrity`: the tarball's published hash. */
export const TARBALL_INTEGRITY = PIN.tarballIntegrity;
/** The one file taken from the tarball, and what it must be. */
export const BUNDLE_ENTRY = PIN.entry;
export const BUNDLE_SIZE = PIN.size;
export const BUNDLE_SHA512 = PIN.sha512;
export const SETUP_COMMAND = PIN.setupCommand;
export const BUNDLE_PATH = path.join(ROOT, ...PIN.target.split('/'));

function sha512(buffer) {
  return createHash('sha512').update(buffer).digest('base64');
}

/** True when the file is there and is exactly the pinned bundle. */
export function bundleIsValid(file = BUNDLE_PATH) {
  if (!existsSync(file)) return false;
  const content = readFileSync(file);
  return content.length === BUNDLE_SIZE && sha512(content) === BUNDLE_SHA512;
}

/** Runs `npm pack` for the pinned version into `dir` and returns the tarball's path. */
function npmPack(dir) {
  const spec = `${WEBCHAT_PACKAGE}@${WEBCHAT_VERSION}`;
  const args = ['pack', spec, '--pack-destination', dir, '--loglevel=error', '--ignore-scripts'];
  // Inside an npm lifecycle script npm_execpath points at the running npm's CLI: use the same npm.
  const execPath = process.env.npm_execpath;
  const result = execPath && /\.(c|m)?js$/.test(execPath)
    ? spawnSync(process.execPath, [execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: ROOT, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.error) throw new SetupError('network', `could not run npm: ${result.error.message}`);
  if (result.status !== 0) {
    // npm's first lines say what went wrong (code, and the request that failed); the rest is a stack.
    const lines = (result.stderr || result.stdout || '').trim().split('\n');
    const telling = lines.filter((l) => /npm (error|ERR!) (code|FetchError|\d{3}|404|network|request)/.test(l) || /FetchError|E[A-Z]{3,}/.test(l));
    const detail = (telling.length ? telling.slice(0, 2) : lines.slice(0, 3)).join('\n     ');
    throw new SetupError('network', `npm pack ${spec} failed${detail ? `:\n     ${detail}` : ''}`);
  }
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new SetupError('network', `npm pack ${spec} produced no tarball`);
  return path.join(dir, tarball);
}

/** Hashes the whole tarball file as the registry's `integrity` (sha512, base64). */
async function integrityOf(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Reads one regular file out of a .tgz without unpacking the rest (the tarball holds ~150 MB
 * we do not want on disk). Handles ustar prefixes, pax `path` records and GNU long names.
 */
export async function extractEntry(tarball, wanted) {
  const BLOCK = 512;
  let pending = Buffer.alloc(0);
  /** @type {{ name: string, size: number, type: string, remaining: number, padding: number, chunks: Buffer[] } | null} */
  let entry = null;
  let overrideName = null;
  let found = null;

  const parseOctal = (buf) => {
    // Sizes above 8 GB use base-256; npm tarballs never do, so refuse them rather than misread.
    if (buf[0] & 0x80) throw new SetupError('corrupt', 'unexpected base-256 size in tarball');
    const text = buf.toString('latin1').replace(/\0.*$/s, '').trim();
    return text ? parseInt(text, 8) : 0;
  };
  const cstring = (buf) => buf.toString('utf8').replace(/\0.*$/s, '');

  for await (const chunk of createReadStream(tarball).pipe(createGunzip())) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (true) {
      if (entry) {
        const take = Math.min(entry.remaining, pending.length - offset);
        if (entry.chunks) entry.chunks.push(pending.subarray(offset, offset + take));
        entry.remaining -= take;
        offset += take;
        if (entry.remaining > 0) break;
        const skip = Math.min(entry.padding, pending.length - offset);
        entry.padding -= skip;
        offset += skip;
        if (entry.padding > 0) break;
        const body = entry.chunks ? Buffer.concat(entry.chunks) : null;
        if (entry.type === 'x' && body) {
          const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
          if (match) overrideName = match[1];
        } else if (entry.type === 'L' && body) {
          overrideName = cstring(body);
        } else if (body && entry.name === wanted) {
          found = body;
        }
        entry = null;
        if (found) return found;
        continue;
      }
      if (pending.length - offset < BLOCK) break;
      const header = pending.subarray(offset, offset + BLOCK);
      offset += BLOCK;
      if (header.every((b) => b === 0)) continue; // end-of-archive blocks
      const size = parseOctal(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] || 0x30);
      const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar') ? cstring(header.subarray(345, 500)) : '';
      const baseName = cstring(header.subarray(0, 100));
      const name = overrideName ?? (prefix ? `${prefix}/${baseName}` : baseName);
      if (type !== 'x' && type !== 'L' && type !== 'g') overrideName = null;
      const keep = type === 'x' || type === 'L' || ((type === '0' || type === '\0') && name === wanted);
      entry = { name, size, type, remaining: size, padding: (BLOCK - (size % BLOCK)) % BLOCK, chunks: keep ? [] : null };
    }
    pending = pending.subarray(offset);
  }
  return found;
}

export class SetupError extends Error {
  /** @param {'network' | 'corrupt'} kind */
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** Makes sure vendor/webchat/webchat.js holds the pinned bundle. Returns what it did. */
export async function ensureWebChatBundle({ bundlePath = BUNDLE_PATH, log = console.log } = {}) {
  if (bundleIsValid(bundlePath)) return 'present';
  const work = mkdtempSync(path.join(os.tmpdir(), 'webchat-pack-'));
  try {
    log(`Fetching ${WEBCHAT_PACKAGE}@${WEBCHAT_VERSION} (dist/webchat.js only) …`);
    const tarball = npmPack(work);
    const integrity = await integrityOf(tarball);
    if (integrity !== TARBALL_INTEGRITY) {
      throw new SetupError('corrupt', `the downloaded tarball does not match the published integrity\n     expected ${TARBALL_INTEGRITY}\n     got      ${integrity}`);
    }
    const bundle = await extractEntry(tarball, BUNDLE_ENTRY);
    if (!bundle) throw new SetupError('corrupt', `${BUNDLE_ENTRY} is not in the tarball`);
    if (bundle.length !== BUNDLE_SIZE || sha512(bundle) !== BUNDLE_SHA512) {
      throw new SetupError('corrupt', `${BUNDLE_ENTRY} is ${bundle.length} bytes with sha512 ${sha512(bundle)}; expected ${BUNDLE_SIZE} bytes with ${BUNDLE_SHA512}`);
    }
    await mkdir(path.dirname(bundlePath), { recursive: true });
    // Write then rename, so a server never reads half a file.
    const partial = `${bundlePath}.${process.pid}.partial`;
    await writeFile(partial, bundle);
    await rename(partial, bundlePath);
    log(`Wrote ${path.relative(process.cwd(), bundlePath) || bundlePath} (${(bundle.length / 1e6).toFixed(1)} MB, verified).`);
    return 'fetched';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const duringInstall = process.env.npm_lifecycle_event === 'postinstall';
  try {
    const outcome = await ensureWebChatBundle();
    if (outcome === 'present') console.log(`Web Chat ${WEBCHAT_VERSION} bundle is present and verified.`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const lines = [
      '',
      `!! Could not set up the Web Chat bundle (${WEBCHAT_PACKAGE}@${WEBCHAT_VERSION}) for the /chat page:`,
      `   ${reason}`,
    ];
    if (error instanceof SetupError && error.kind === 'network') {
      lines.push('   Is this machine offline, or is the npm registry unreachable? Everything else works;');
      lines.push(`   the /chat page shows a notice until you run, once online:  ${SETUP_COMMAND}`);
    } else {
      lines.push(`   Nothing was written. Run it again with:  ${SETUP_COMMAND}`);
    }
    console.error(lines.join('\n') + '\n');
    // Offline, do not fail the whole `npm install` for one page; a tampered download always fails.
    const corrupt = error instanceof SetupError && error.kind === 'corrupt';
    process.exit(duringInstall && !corrupt ? 0 : 1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
