import { describe, expect, it } from 'vitest';
import { createLogger, safeError, scrubDigits, scrubErrorText } from '../../src/log.js';

const NAME = '张三';
const ID_NUMBER = '11010519491231002X';
const PHONE = '13812345678';
const ADDRESS = '天津市北辰区果园新村街道富锦路12号3门101';

function bufferLogger() {
  const lines: string[] = [];
  const log = createLogger('trace', { write: (line: string) => { lines.push(line); } });
  return { log, lines, text: () => lines.join('') };
}

describe('the log redacts personal data', () => {
  it('censors personal keys at any depth, activities and records whole', () => {
    const { log, text, lines } = bufferLogger();
    log.info({
      text: NAME,
      activity: { text: NAME, from: { id: 'u1', name: NAME } },
      turn: { detail: { answers: { 'plaintiff.name': NAME }, idNumber: ID_NUMBER, phone: PHONE, address: ADDRESS, nested: { deeper: { name: NAME } } } },
      from: { id: 'u1', name: NAME },
      From: `+86${PHONE}`,
      conversationId: 'conv-1',
    }, 'turn');
    expect(text()).not.toContain(NAME);
    expect(text()).not.toContain(ID_NUMBER);
    expect(text()).not.toContain(PHONE);
    expect(text()).not.toContain('富锦路');
    const line = JSON.parse(lines[0]!) as Record<string, any>;
    expect(line.conversationId).toBe('conv-1');
    expect(line.from).toEqual({ id: 'u1', name: '[redacted]' });
    expect(line.activity).toBe('[redacted]');
    expect(line.msg).toBe('turn');
  });

  it('keeps an error\'s type, code and frames but scrubs what its message quotes', () => {
    const { log, lines } = bufferLogger();
    let parseError: unknown;
    try {
      JSON.parse(`{"name": "${NAME}", "id": ${ID_NUMBER}}`);
    } catch (error) {
      parseError = error;
    }
    const failure = Object.assign(new Error(`no draft for ${NAME} (${PHONE})`, { cause: parseError }), { code: 'E_DRAFT' });
    log.error({ err: failure, conversation: 'c-1' }, 'turn failed');
    log.warn({ err: { name: 'SsmlError', message: `bad <say-as> near "${ADDRESS}"`, stack: 'SsmlError: …\n    at parse (/srv/src/speech/markup.ts:56:11)' } }, 'speech request failed');
    log.warn({ err: `timeout reading ${ID_NUMBER}` }, 'engine failed');
    const all = lines.join('');
    for (const secret of [NAME, ID_NUMBER, PHONE, '富锦路', '19491231']) expect(all).not.toContain(secret);
    const first = JSON.parse(lines[0]!) as { err: { name: string; code: string; stack: string; cause: { name: string } } };
    expect(first.err).toMatchObject({ name: 'Error', code: 'E_DRAFT', cause: { name: 'SyntaxError' } });
    expect(first.err.stack).toMatch(/at .*log\.test\.ts/);
    expect(JSON.parse(lines[1]!).err).toMatchObject({ name: 'SsmlError', stack: expect.stringContaining('markup.ts:56:11') });
  });

  it('masks ID, phone and account numbers in any string, and in the message, but not ids or times', () => {
    expect(scrubDigits(`ID ${ID_NUMBER}, phone 138 1234 5678, landline 022-26881234, card 6222020200112233445`)).toBe(
      'ID [digits], phone [digits], landline [digits], card [digits]',
    );
    const ids = 'conversation 8f14e45f-ceea-467a-9af2-123456789012 call CA0123456789012345678901234567890a at 2026-11-28T09:00:00.000Z port 3978';
    expect(scrubDigits(ids)).toBe(ids);
    expect(scrubErrorText(`Unexpected token '${NAME}', "${ADDRESS}" is not valid JSON`)).toBe('Unexpected token \'…\', "…" is not valid JSON');
    expect(safeError('plain string')).toBe('plain string');
    const { log, text } = bufferLogger();
    log.warn({}, `caller ${PHONE} could not be reached`);
    expect(text()).toContain('caller [digits] could not be reached');
  });

  it('censors the known personal keys in a child logger\'s bindings', () => {
    // pino formats a child's bindings without the root's formatters; the redact paths still apply.
    const { log, text } = bufferLogger();
    log.child({ conversation: 'c-2', name: NAME, activity: { text: ADDRESS } }).info({ phone: PHONE }, 'hello');
    for (const secret of [NAME, PHONE, '富锦路']) expect(text()).not.toContain(secret);
    expect(text()).toContain('"conversation":"c-2"');
  });
});
