/**
 * The baseline: a bare botbuilder echo bot behind the same Direct Line server the assistant
 * uses (createDirectLine), so the benchmark can say how much the assistant itself costs.
 * Started by bench/run.ts as its own process; prints one JSON log line with the port.
 *
 *   DIRECT_LINE_SECRET=... DATA_DIR=/tmp/x tsx bench/echo-server.ts
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ActivityTypes, InputHints, type TurnContext } from 'botbuilder';
import express from 'express';
import { createDirectLine, DIRECT_LINE_BASE_PATH } from '../src/channels/directline/index.js';
import { DiskFileStore } from '../src/store/index.js';

async function echo(context: TurnContext): Promise<void> {
  if (context.activity.type === ActivityTypes.ConversationUpdate) {
    // The assistant greets first; so does the baseline, so both start a conversation alike.
    await context.sendActivity({ type: 'message', text: 'hello', inputHint: InputHints.ExpectingInput });
    return;
  }
  if (context.activity.type !== ActivityTypes.Message) return;
  await context.sendActivity({ type: 'message', text: context.activity.text ?? '', inputHint: InputHints.ExpectingInput });
}

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR;
  const secret = process.env.DIRECT_LINE_SECRET;
  if (!dataDir || !secret) throw new Error('DATA_DIR and DIRECT_LINE_SECRET must be set');
  const directLine = createDirectLine({
    secret,
    tokenKey: randomBytes(32),
    tokenTtlSeconds: 1800,
    bot: echo,
    files: await DiskFileStore.open(dataDir),
    log: { info: () => {}, warn: (obj, msg) => console.error(msg, obj), error: (obj, msg) => console.error(msg, obj) },
  });
  const app = express();
  app.use(DIRECT_LINE_BASE_PATH, directLine.router);
  app.use('/api', directLine.tokenRoute);
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    // The same line the assistant logs, so bench/run.ts starts both alike.
    console.log(JSON.stringify({ level: 30, port, msg: 'assistant is listening' }));
  });
  directLine.attach(server);
  const stop = () => {
    server.close();
    server.closeIdleConnections();
    void directLine.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
