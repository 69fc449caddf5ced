/**
 * What a simulated filer says, by field id (`defendant.name#1` for the second defendant):
 * a zh-CN private-loan complaint with the slips real filers make (a wrong ID check digit,
 * "重复", confirmations of spoken amounts), as in test/scenarios/private-loan.test.ts.
 */
export type { Script } from '../test/support/directline-client.js';
export { PRIVATE_LOAN_ZH } from '../test/support/scripts.js';
import type { Script } from '../test/support/directline-client.js';

/** The answer a script gives the next time `key` is asked, or undefined when it has none left. */
export function scriptCursor(script: Script): (key: string) => string | undefined {
  const queues = new Map(Object.entries(script).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  return (key) => {
    const queue = queues.get(key);
    if (!queue || queue.length === 0) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  };
}
