import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createApp, listen, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/log.js';

export interface TestServer {
  baseUrl: string;
  config: Config;
  assembled: App;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The real app on a free loopback port, with its data in a fresh temporary folder; or, with
 * `DATA_DIR` in `env`, in that folder, which stop() then leaves for the next start (restarts).
 */
export async function startTestServer(env: Record<string, string> = {}, options: { log?: Logger } = {}): Promise<TestServer> {
  const givenDataDir = env.DATA_DIR;
  const dataDir = givenDataDir ?? await mkdtemp(path.join(os.tmpdir(), 'court-assistant-'));
  const root = path.resolve(import.meta.dirname, '../..');
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, COURT_NAME: '天津市北辰区人民法院', ...env }, root);
  const assembled = await createApp(config, options.log ?? createLogger('silent'));
  const server: Server = await listen(assembled.app, 0, '127.0.0.1');
  assembled.directLine.attach(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  // Document links must point at this server.
  config.publicUrl = baseUrl;
  return {
    baseUrl,
    config,
    assembled,
    dataDir,
    async stop() {
      // Open Direct Line streams hold the server open; closing the app closes them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await assembled.close();
      await closed;
      if (givenDataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
