import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** What scripts/fetch-webchat.mjs fetches; the server reads the same pin so both agree. */
export interface WebChatPin {
  package: string;
  version: string;
  tarballIntegrity: string;
  entry: string;
  size: number;
  sha512: string;
  /** Where the bundle lives, relative to the project root, with forward slashes. */
  target: string;
  setupCommand: string;
}

/**
 * The folder holding package.json. src/web/ runs from the source tree (tsx, vitest) and from
 * dist/src/web/ (`npm start`); both must find vendor/ and src/web/public/ at the project root.
 */
export function findProjectRoot(start: string = import.meta.dirname): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function readPin(projectRoot: string): WebChatPin {
  const file = path.join(projectRoot, PIN_FILE);
  return JSON.parse(readFileSync(file, 'utf8')) as WebChatPin;
}

/** The pin, relative to the project root (scripts/fetch-webchat.mjs reads it too). */
export const PIN_FILE = path.join('src', 'web', 'webchat-bundle.json');

export type BundleState = 'ready' | 'missing' | 'invalid';

/**
 * Checks the vendored Web Chat bundle. The hash is computed once per file version (size and
 * mtime), so a bundle fetched or replaced while the server runs is noticed without a restart.
 */
export class WebChatBundle {
  readonly file: string;
  private verified: string | undefined;

  constructor(projectRoot: string, readonly pin: WebChatPin) {
    this.file = path.join(projectRoot, ...pin.target.split('/'));
  }

  /** The URL the page loads it from: versioned, so it can be cached for a year. */
  get url(): string {
    return `/vendor/webchat-${this.pin.version}.js`;
  }

  async state(): Promise<BundleState> {
    let info;
    try {
      info = await stat(this.file);
    } catch {
      return 'missing';
    }
    if (!info.isFile() || info.size !== this.pin.size) return 'invalid';
    const key = `${info.size}:${info.mtimeMs}`;
    if (this.verified === key) return 'ready';
    const digest = createHash('sha512').update(await readFile(this.file)).digest('base64');
    if (digest !== this.pin.sha512) return 'invalid';
    this.verified = key;
    return 'ready';
  }
}
