import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createApp, listen } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { normalizeLocale } from '../i18n.js';

/**
 * `npm run chat [-- --locale en-US] [--url http://host:port]`: talk to the assistant in a
 * terminal over the real Direct Line protocol. With a server already running at --url (or
 * the default address) it uses that one; otherwise it starts one in this process, so two
 * processes never write the same data files.
 */
interface Activity {
  type: string;
  text?: string;
  from?: { role?: string };
  channelData?: { ask?: { choices?: { title: string; dtmf: string }[]; progress?: { step: number; total: number } }; complaint?: { documentUrl: string } };
}

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { locale: { type: 'string', default: 'zh-CN' }, url: { type: 'string' } } });
  const locale = normalizeLocale(values.locale);
  const config = loadConfig();
  let base = values.url ?? `http://${config.host}:${config.port}`;
  let shutdown: (() => Promise<void>) | undefined;
  if (!(await reachable(base))) {
    if (values.url) throw new Error(`No assistant answers at ${values.url}`);
    const assembled = await createApp({ ...config, port: 0 }, createLogger('warn'));
    const server = await listen(assembled.app, 0, '127.0.0.1');
    assembled.directLine.attach(server);
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    shutdown = async () => {
      server.close();
      await assembled.close();
    };
  }

  const tokenRes = await fetch(`${base}/api/directline/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale }),
  });
  const { token } = (await tokenRes.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: auth });
  const { conversationId } = (await started.json()) as { conversationId: string };
  let watermark = '';

  const show = async () => {
    const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth });
    const body = (await res.json()) as { activities: Activity[]; watermark: string };
    watermark = body.watermark;
    for (const activity of body.activities) {
      if (activity.type !== 'message' || activity.from?.role === 'user') continue;
      const progress = activity.channelData?.ask?.progress;
      console.log(`\n🤖 ${progress ? `[${progress.step}/${progress.total}] ` : ''}${activity.text ?? ''}`);
      for (const choice of activity.channelData?.ask?.choices ?? []) console.log(`   ${choice.dtmf}. ${choice.title}`);
    }
  };

  await show();
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const prompt = locale === 'zh-CN' ? '您> ' : 'you> ';
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question(prompt);
      } catch {
        break;
      }
      if (line.trim() === '/quit') break;
      await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST', headers: auth,
        body: JSON.stringify({ type: 'message', text: line, locale, from: { id: 'terminal-user', role: 'user' } }),
      });
      await show();
    }
  } finally {
    rl.close();
    await shutdown?.();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
