/**
 * How long a filer waits for their document: one zh-CN private-loan complaint is finished
 * over Direct Line on an in-process server (a fresh temporary DATA_DIR), then its capability
 * links are fetched many times: HTML and text (rendered from the template on every request)
 * and the PDF (laid out once, then served from the cache). A benchmark, not a test: it
 * prints figures and asserts nothing about time.
 *
 *   npm run bench:documents
 *   npm run bench:documents -- --rounds 50
 */
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { PRIVATE_LOAN_ZH } from './script.js';
import { DirectLineTestClient, play } from '../test/support/directline-client.js';
import { startTestServer } from '../test/support/server.js';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 200;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timeFetch(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { ms: performance.now() - started, bytes: body.length, status: res.status };
}

async function main(): Promise<void> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a whole number above 0');
  const server = await startTestServer();
  try {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, PRIVATE_LOAN_ZH);
    const complaint = client.received.at(-1)?.channelData?.complaint;
    if (!complaint) throw new Error('the loan script did not finish a complaint');
    const urls: Record<string, string> = {
      'complaint.html': complaint.documentUrl,
      'complaint.txt': complaint.documentUrl.replace(/\.html$/, '.txt'),
    };
    if (complaint.pdfUrl) urls['complaint.pdf'] = complaint.pdfUrl;
    console.log(`document benchmark: one finished private-loan complaint, ${rounds} requests per format, in-process server over loopback`);
    const figures: Record<string, number> = {};
    for (const [name, url] of Object.entries(urls)) {
      const first = await timeFetch(url);
      if (first.status !== 200) throw new Error(`${name}: HTTP ${first.status}`);
      const times: number[] = [];
      for (let i = 0; i < rounds; i += 1) times.push((await timeFetch(url)).ms);
      const p50 = percentile(times, 50);
      const p99 = percentile(times, 99);
      console.log(`${name.padEnd(16)} first ${first.ms.toFixed(1).padStart(7)} ms   then p50 ${p50.toFixed(2).padStart(6)} ms  p99 ${p99.toFixed(2).padStart(6)} ms   ${first.bytes} bytes`);
      figures[`${name.replace('complaint.', '')}_first_ms`] = Math.round(first.ms * 10) / 10;
      figures[`${name.replace('complaint.', '')}_p50_ms`] = Math.round(p50 * 100) / 100;
      figures[`${name.replace('complaint.', '')}_p99_ms`] = Math.round(p99 * 100) / 100;
    }
    if (!complaint.pdfUrl) console.log('complaint.pdf    not offered: no CJK font (apt-get install fonts-noto-cjk)');
    console.log(JSON.stringify(figures));
  } finally {
    await server.stop();
    await rm(server.dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
