import { describe, expect, it } from 'vitest';
import { CodeGuard } from '../../src/bot/code-guard.js';

const MINUTE = 60_000;

function guardAt(clock: { now: number }, options: Partial<ConstructorParameters<typeof CodeGuard>[0]> = {}) {
  const lockouts: string[] = [];
  const guard = new CodeGuard({
    triesPerClient: 3, triesOverall: 5, windowMs: 10 * MINUTE, now: () => clock.now, onLockout: (scope) => lockouts.push(scope), ...options,
  });
  return { guard, lockouts };
}

const outside = (key: string) => ({ key, court: false });

describe('CodeGuard', () => {
  it('holds a client after its tries, until the oldest leaves the sliding window', () => {
    const clock = { now: 0 };
    const { guard, lockouts } = guardAt(clock);
    const a = outside('a');
    guard.failed(a);
    clock.now = 2 * MINUTE;
    guard.failed(a);
    expect(guard.lockedUntil(a)).toBeUndefined();
    clock.now = 4 * MINUTE;
    guard.failed(a);
    expect(lockouts).toEqual(['client']);
    // The first wrong try was at 0: the window frees a place at 10 minutes.
    expect(guard.lockedUntil(a)).toBe(10 * MINUTE);
    expect(guard.minutesUntil(10 * MINUTE)).toBe(6);
    expect(guard.lockedUntil(outside('b'))).toBeUndefined();
    clock.now = 10 * MINUTE;
    expect(guard.lockedUntil(a)).toBeUndefined();
    // One more wrong try fills it again, until the second one (at 2 minutes) leaves.
    guard.failed(a);
    expect(guard.lockedUntil(a)).toBe(12 * MINUTE);
  });

  it('counts everyone outside the court together, and clients it cannot name by that count alone', () => {
    const clock = { now: 0 };
    const { guard, lockouts } = guardAt(clock);
    for (const key of ['a', 'b', 'c', 'd']) guard.failed(outside(key));
    guard.failed(undefined);
    expect(lockouts).toEqual(['overall']);
    expect(guard.lockedUntil(outside('fresh'))).toBe(10 * MINUTE);
    expect(guard.lockedUntil(undefined)).toBe(10 * MINUTE);
    // The court's own machines are neither counted nor held.
    expect(guard.lockedUntil({ key: 'hall', court: true })).toBeUndefined();
  });

  it('never counts the court\'s machines', () => {
    const clock = { now: 0 };
    const { guard } = guardAt(clock);
    const hall = { key: 'hall', court: true };
    for (let i = 0; i < 50; i += 1) guard.failed(hall);
    expect(guard.lockedUntil(hall)).toBeUndefined();
    expect(guard.lockedUntil(outside('a'))).toBeUndefined();
    expect(guard.trackedClients).toBe(0);
  });

  it('remembers a bounded number of addresses, forgetting quiet ones first', () => {
    const clock = { now: 0 };
    const { guard } = guardAt(clock, { triesOverall: 1_000_000, maxClients: 100 });
    for (let i = 0; i < 100; i += 1) guard.failed(outside(`old-${i}`));
    clock.now = 11 * MINUTE;
    const busy = outside('busy');
    guard.failed(busy);
    guard.failed(busy);
    // Still within bounds: the old ones, quiet for a whole window, went first.
    expect(guard.trackedClients).toBe(1);
    for (let i = 0; i < 500; i += 1) guard.failed(outside(`flood-${i}`));
    expect(guard.trackedClients).toBeLessThanOrEqual(100);
  });

  it('refuses nonsense options', () => {
    expect(() => new CodeGuard({ triesPerClient: 0, triesOverall: 1, windowMs: 1 })).toThrow(/triesPerClient/);
  });
});
