import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, replayJournal, type ComplaintRecord } from '../../src/store/index.js';
import { DirectLineTestClient, type BotActivity } from '../support/directline-client.js';
import { PRIVATE_LOAN_ZH } from '../support/scripts.js';
import { listeningPort, spawnServer, type ServerProcess } from '../support/server-process.js';

const FILERS = 30;
/** Two-character surnames, one filer each, so every draft can be told apart by its plaintiff. */
const SURNAMES = [...'赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜'];

const processes: ServerProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const server of processes.splice(0)) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

type Ask = NonNullable<NonNullable<BotActivity['channelData']>['ask']>;

/** The draft's key for an asked field: `defendant[1].name` inside a repeated group (as the store keeps it). */
function answerKey(ask: Ask): string {
  if (ask.index === undefined) return ask.field;
  const group = ask.field.slice(0, ask.field.indexOf('.'));
  return `${group}[${ask.index}]${ask.field.slice(group.length)}`;
}

/** Questions whose answer becomes an entry of the draft's answers (or of its skipped list). */
const isDraftField = (field: string) => /^(plaintiff|defendant|loan|mediation|preservation|relief)\./.test(field) && !field.endsWith('.more');

class Filer {
  readonly client: DirectLineTestClient;
  /** Answers whose next question reached the filer, with whether the bot moved on to another question. */
  readonly acknowledged: { key: string; field: string; movedOn: boolean }[] = [];
  readonly name: string;
  private readonly queues = new Map<string, string[]>();

  constructor(baseUrl: string, readonly index: number) {
    this.client = new DirectLineTestClient(baseUrl, 'zh-CN');
    this.name = `${SURNAMES[index]}小明`;
  }

  get finished(): { id: string } | undefined {
    return this.client.received.at(-1)?.channelData?.complaint;
  }

  get resumeCode(): string | undefined {
    for (const activity of this.client.received) {
      const code = /续办码是(\d{6})/.exec(activity.text ?? '')?.[1];
      if (code) return code;
    }
    return undefined;
  }

  /**
   * The script's answer to the question asked last. A read-back ("五万元，对吗？") is answered
   * by its confirmation, the amount question by the amount, whichever comes when: after a
   * crash the bot may ask either again.
   */
  answer(ask: Ask): string {
    const scriptKey = ask.index ? `${ask.field}#${ask.index}` : ask.field;
    if (scriptKey === 'plaintiff.name') return `我叫${this.name}`;
    const entry = PRIVATE_LOAN_ZH[scriptKey];
    if (entry === undefined) throw new Error(`filer ${this.index}: the script has no answer for ${scriptKey}`);
    if (typeof entry === 'string') return entry;
    if (ask.type === 'confirm' && entry.includes('对')) return '对';
    let queue = this.queues.get(scriptKey);
    if (!queue) this.queues.set(scriptKey, (queue = entry.filter((e) => e !== '对')));
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }

  /** Answers question after question until the complaint is finished or a request fails (the server died). */
  async drive(onAcknowledged: () => void): Promise<'finished' | 'cut off'> {
    try {
      if (!this.client.conversationId) await this.client.start();
      for (let turn = 0; turn < 150; turn += 1) {
        if (this.finished) return 'finished';
        const ask = this.client.lastAsk();
        if (!ask) throw new Error(`filer ${this.index}: nothing asked: ${this.client.received.at(-1)?.text}`);
        const replies = await this.client.say(this.answer(ask));
        const next = replies.findLast((a) => a.channelData?.ask)?.channelData?.ask;
        if (next || replies.some((a) => a.channelData?.complaint)) {
          this.acknowledged.push({ key: answerKey(ask), field: ask.field, movedOn: !next || answerKey(next) !== answerKey(ask) });
          onAcknowledged();
        }
      }
      throw new Error(`filer ${this.index}: the conversation did not end`);
    } catch (error) {
      if (error instanceof TypeError && /fetch failed/.test(error.message)) return 'cut off';
      throw error;
    }
  }
}

/**
 * Every JSON and JSON Lines file under the data folder must parse (temp files of writes the
 * kill cut short are not data: the store never reads them). Returns how many were read.
 */
async function expectEveryDataFileParses(dataDir: string): Promise<number> {
  let checked = 0;
  for (const entry of await readdir(dataDir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.jsonl?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    const documents = entry.name.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : [text];
    for (const document of documents) expect(() => JSON.parse(document), file).not.toThrow();
    checked++;
  }
  return checked;
}

async function drafts(dataDir: string): Promise<ComplaintRecord[]> {
  const store = await openStore(dataDir);
  try {
    return await store.complaints.list();
  } finally {
    await store.close();
  }
}

describe('kill -9 in the middle of many conversations', () => {
  it('loses no acknowledged answer, and every conversation goes on at its question after the restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crash-'));
    folders.push(dataDir);
    // One address drives every filer here, as a proxy might in a court: the per-address limits are lifted.
    const env = { PORT: '0', DATA_DIR: dataDir, LIMIT_TOKENS_ADDRESS: '1000', LIMIT_MESSAGES_ADDRESS: '1000000', LIMIT_MESSAGES_CONVERSATION: '1000' };
    const first = spawnServer(env);
    processes.push(first);
    const firstUrl = `http://127.0.0.1:${await listeningPort(first)}`;

    // Killed once this many answers were acknowledged: a random point a tenth to a third of the way in.
    const killAfter = FILERS * (4 + Math.floor(Math.random() * 12));
    let acknowledged = 0;
    const filers = Array.from({ length: FILERS }, (_, i) => new Filer(firstUrl, i));
    const outcomes = await Promise.all(filers.map((f) => f.drive(() => {
      acknowledged += 1;
      if (acknowledged === killAfter) first.child.kill('SIGKILL');
    })));
    const context = `killed after ${killAfter} acknowledged answers`;
    expect(await first.exited, context).toBeNull();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(outcomes.filter((o) => o === 'cut off').length, context).toBeGreaterThan(FILERS / 2);

    // What the kill left in the store's journal is written out to the record files, as the
    // next start-up does first; then every file must parse.
    await replayJournal(dataDir);
    expect(await expectEveryDataFileParses(dataDir)).toBeGreaterThan(FILERS);

    // Every answer a filer saw acknowledged (the next question came back) is in their draft.
    const byCode = new Map((await drafts(dataDir)).map((d) => [d.resumeCode, d]));
    for (const filer of filers) {
      if (filer.acknowledged.length === 0) continue;
      const draft = byCode.get(filer.resumeCode ?? '');
      expect(draft, `filer ${filer.index} (${context})`).toBeDefined();
      expect(draft!.caseType).toBe('private-loan');
      for (const { key, field, movedOn } of filer.acknowledged) {
        if (!movedOn || !isDraftField(field)) continue;
        const kept = draft!.answers[key] !== undefined || draft!.skipped.includes(key);
        expect(kept, `filer ${filer.index}: ${key} (${context})`).toBe(true);
      }
    }

    const second = spawnServer(env);
    processes.push(second);
    const secondUrl = `http://127.0.0.1:${await listeningPort(second)}`;
    // Each filer comes back as botframework-directlinejs does (GET the conversation with its
    // watermark and token; every other one with a refreshed token), reads what it missed and
    // answers what it sees last. One new filer runs the whole script beside them.
    const control = new Filer(secondUrl, FILERS);
    const ended = await Promise.all([
      control.drive(() => {}),
      ...filers.map(async (filer) => {
        filer.client.baseUrl = secondUrl;
        if (filer.client.conversationId) {
          if (filer.index % 2 === 0) expect(await filer.client.refresh(), `filer ${filer.index}`).toBe(200);
          expect((await filer.client.reconnect()).status, `filer ${filer.index}`).toBe(200);
          await filer.client.poll();
        }
        return filer.drive(() => {});
      }),
    ]);
    expect(ended.every((o) => o === 'finished'), context).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await expectEveryDataFileParses(dataDir);

    // Had a filer answered a question other than the bot's, an answer would sit in the wrong
    // field: every draft must hold exactly what the uninterrupted filer's does.
    const byId = new Map((await drafts(dataDir)).map((d) => [d.id, d]));
    const reference = byId.get(control.finished!.id)!;
    expect(reference.status).toBe('finished');
    for (const filer of filers) {
      const draft = byId.get(filer.finished!.id)!;
      expect(draft.status, `filer ${filer.index}`).toBe('finished');
      expect(draft.answers, `filer ${filer.index} (${context})`).toEqual({ ...reference.answers, 'plaintiff.name': filer.name });
      expect([...draft.skipped].sort(), `filer ${filer.index}`).toEqual([...reference.skipped].sort());
    }
  }, 90_000);
});
