/**
 * Fills a data folder with a year's worth of records before the server starts: N finished
 * complaints and N abandoned drafts (each with its conversation state), written through the
 * store's own API so they are in whatever layout the store uses. The records are copies of a
 * complaint and a conversation state from the benchmark's first run (TEMPLATE_DIR), so their
 * size and shape are real.
 *
 *   tsx bench/preload.ts <dataDir> <templateDir> <count> <stateKey>
 *
 * stateKey names one conversation's state in the template (botbuilder's
 * `directline/conversations/<id>/`): Storage can only read keys it is given.
 */
import { openStore } from '../src/store/index.js';

/** Records created at once: each batch joins one group commit, and memory stays bounded. */
const BATCH = 1000;

async function main(): Promise<void> {
  const [dataDir, templateDir, countArg, stateKey] = process.argv.slice(2);
  const count = Number(countArg);
  if (!dataDir || !templateDir || !stateKey || !Number.isInteger(count) || count < 0) {
    throw new Error('usage: tsx bench/preload.ts <dataDir> <templateDir> <count> <stateKey>');
  }
  const template = await openStore(templateDir);
  const finished = (await template.complaints.list()).find((r) => r.status === 'finished');
  const state = (await template.botStorage.read([stateKey]))[stateKey] as Record<string, unknown> | undefined;
  await template.close();
  if (!finished) throw new Error(`no finished complaint in ${templateDir} to copy`);

  const store = await openStore(dataDir);
  const started = Date.now();
  const answerKeys = Object.keys(finished.answers);
  for (let done = 0; done < count; done += BATCH) {
    const size = Math.min(BATCH, count - done);
    await Promise.all(Array.from({ length: size }, async (_, i) => {
      const n = done + i;
      const complete = await store.complaints.create({ locale: 'zh-CN', caseType: finished.caseType });
      await store.complaints.update(complete.id, (r) => {
        r.answers = structuredClone(finished.answers);
        r.derived = [...finished.derived];
        r.skipped = [...finished.skipped];
        r.groups = { ...finished.groups };
        r.status = 'finished';
        r.documentToken = `preload-${n}-${complete.id}`;
        r.finishedAt = r.updatedAt;
      });
      // An abandoned draft stops somewhere in the middle of the interview.
      const draft = await store.complaints.create({ locale: 'zh-CN', caseType: finished.caseType });
      const kept = answerKeys.slice(0, (n % answerKeys.length) + 1);
      await store.complaints.update(draft.id, (r) => {
        for (const key of kept) r.answers[key] = structuredClone(finished.answers[key]!);
      });
    }));
    if (state) {
      const items: Record<string, object> = {};
      for (let i = 0; i < size; i += 1) {
        const { eTag: _eTag, ...rest } = state;
        items[`directline/conversations/preload-${done + i}`] = structuredClone(rest);
      }
      await store.botStorage.write(items);
    }
  }
  await store.close();
  console.log(JSON.stringify({ preloaded: count, ms: Date.now() - started }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
