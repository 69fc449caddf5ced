import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION, SESSIONS_FILE, type StoredSession } from '../../src/clerk/index.js';
import { LAST_SEEN_SAVE_MS, SessionStore } from '../../src/clerk/sessions.js';
import { openStore, type Store } from '../../src/store/index.js';

const MINUTE = 60_000;
const stores: Store[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The sessions collection of a fresh store; `reopen` gives the same folder as after a restart. */
async function sessionsCollection(dir?: string) {
  const dataDir = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'clerk-sessions-')));
  if (!dir) folders.push(dataDir);
  const store = await openStore(dataDir);
  stores.push(store);
  return { dataDir, store, collection: await store.openCollection<StoredSession>(SESSIONS_FILE, SESSIONS_COLLECTION) };
}

async function restart(dataDir: string, previous: Store) {
  stores.splice(stores.indexOf(previous), 1);
  await previous.close();
  return sessionsCollection(dataDir);
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');

describe('clerk sessions in the store', () => {
  it('survive a restart under the hash of their id, with the same CSRF token, until idle too long', async () => {
    let now = 1_000_000;
    const options = { idleMs: 30 * MINUTE, maxAgeMs: 12 * 60 * MINUTE, now: () => now };
    const first = await sessionsCollection();
    const session = await new SessionStore({ ...options, store: first.collection }).create('wang', 'stamp-1');
    expect([...first.collection.keys()]).toEqual([hashOf(session.id)]);
    expect(JSON.stringify([...first.collection.values()])).not.toContain(session.csrfToken);

    const second = await restart(first.dataDir, first.store);
    now += 10 * MINUTE;
    const restored = new SessionStore({ ...options, store: second.collection });
    expect(restored.get(session.id)).toMatchObject({ id: session.id, username: 'wang', stamp: 'stamp-1', csrfToken: session.csrfToken });
    expect(restored.get('another-cookie')).toBeUndefined();

    const third = await restart(second.dataDir, second.store);
    now += 31 * MINUTE;
    expect(new SessionStore({ ...options, store: third.collection }).get(session.id)).toBeUndefined();
    expect(third.collection.has(hashOf(session.id))).toBe(false);
  });

  it('write activity at most once a minute, and an ended session stays ended after a restart', async () => {
    let now = 5_000_000;
    const options = { idleMs: 30 * MINUTE, maxAgeMs: 12 * 60 * MINUTE, now: () => now };
    const first = await sessionsCollection();
    const sessions = new SessionStore({ ...options, store: first.collection });
    const kept = await sessions.create('wang', 'stamp');
    const other = await sessions.create('wang', 'stamp');
    const stored = () => first.collection.get(hashOf(kept.id))!.lastSeen;

    now += LAST_SEEN_SAVE_MS / 2;
    sessions.get(kept.id);
    expect(stored()).toBe(5_000_000);
    now += LAST_SEEN_SAVE_MS;
    sessions.get(kept.id);
    expect(stored()).toBe(now);

    await sessions.destroyUser('wang', kept.id);
    const second = await restart(first.dataDir, first.store);
    const restored = new SessionStore({ ...options, store: second.collection });
    expect(restored.get(other.id)).toBeUndefined();
    expect(restored.get(kept.id)?.username).toBe('wang');
    await restored.destroy(kept.id);
    const third = await restart(second.dataDir, second.store);
    expect(new SessionStore({ ...options, store: third.collection }).get(kept.id)).toBeUndefined();
  });
});
