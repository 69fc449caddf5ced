import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenIssuer } from '../../src/channels/directline/tokens.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenIssuer.verify and its cache of verified tokens', () => {
  it('answers the same claims from the cache, and still refuses a token changed by one character', async () => {
    const issuer = new TokenIssuer(randomBytes(32), 60);
    const { token } = await issuer.issue({ conv: 'c1', user: 'u1', locale: 'en-US' });
    const first = await issuer.verify(token);
    const second = await issuer.verify(token);
    expect(second).toEqual({ conv: 'c1', user: 'u1', locale: 'en-US' });
    expect(second).toEqual(first);
    // A caller changing the claims it got must not change what the next caller gets.
    second.conv = 'other';
    expect((await issuer.verify(token)).conv).toBe('c1');

    const [head, body, signature] = token.split('.') as [string, string, string];
    const flipped = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(issuer.verify(flipped)).rejects.toMatchObject({ status: 403 });
    await expect(new TokenIssuer(randomBytes(32), 60).verify(token)).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a cached token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T08:00:00Z'));
    const issuer = new TokenIssuer(randomBytes(32), 60);
    const { token } = await issuer.issue({ conv: 'c1' });
    expect((await issuer.verify(token)).conv).toBe('c1');
    vi.setSystemTime(new Date('2026-11-28T08:01:01Z'));
    await expect(issuer.verify(token)).rejects.toMatchObject({ status: 403 });
  });
});

describe('TokenIssuer.issue', () => {
  it('keeps a token valid for at least expires_in, even when issued in the last millisecond of a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T08:00:00.999Z'));
    const key = randomBytes(32);
    const issuer = new TokenIssuer(key, 1);
    const { token, expires_in } = await issuer.issue({ conv: 'c1' });
    expect(expires_in).toBe(1);
    // Half a second later, checked by an issuer that has not cached it (the JWT's own expiry).
    vi.setSystemTime(new Date('2026-11-28T08:00:01.500Z'));
    const fresh = new TokenIssuer(key, 1);
    expect((await fresh.verify(token)).conv).toBe('c1');
    vi.setSystemTime(new Date('2026-11-28T08:00:03.000Z'));
    await expect(new TokenIssuer(key, 1).verify(token)).rejects.toMatchObject({ status: 403 });
    await expect(issuer.verify(token)).rejects.toMatchObject({ status: 403 });
  });
});
