import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, listen } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { SpecError } from './interview/spec.js';
import { createLogger } from './log.js';

/** The folder holding package.json, whether we run from src/ (tsx) or dist/src/. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

async function main(): Promise<void> {
  const root = projectRoot();
  let config;
  try {
    config = loadConfig(process.env, root);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  let assembled;
  try {
    assembled = await createApp(config, log);
  } catch (error) {
    // A bad interview spec or an unreadable data file: say which, and do not start.
    const reason = error instanceof SpecError ? `Interview spec error: ${error.message}` : `Cannot start: ${(error as Error).message}`;
    log.fatal({}, reason);
    console.error(reason);
    process.exit(1);
  }
  if (!process.env.COURT_NAME) log.warn({}, 'COURT_NAME is not set: complaints will be addressed to "人民法院"');
  if (!process.env.DIRECT_LINE_SECRET) log.info({}, 'DIRECT_LINE_SECRET is not set: Direct Line accepts tokens from /api/directline/token only');
  if (config.microsoftApp.id) {
    log.info({ appType: config.microsoftApp.type }, 'Microsoft app id set: /api/messages takes only requests authenticated by Azure Bot Service');
  } else {
    log.info({}, 'no Microsoft app id: /api/messages only serves a local Emulator');
  }

  const server = await listen(assembled.app, config.port, config.host);
  // Direct Line WebSocket streams are upgrades on this server, not express routes.
  assembled.directLine.attach(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ host: config.host, port, dataDir: config.dataDir }, 'assistant is listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'finishing turns in flight, then stopping');
    server.close();
    server.closeIdleConnections();
    try {
      await assembled.close();
      log.info({}, 'stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'could not flush the store');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
