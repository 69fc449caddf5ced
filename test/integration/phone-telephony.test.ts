import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TurnContext } from 'botbuilder';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureChannel, type AzureChannel } from '../../src/channels/azure/index.js';
import { loadSpecs } from '../../src/interview/spec.js';
import { checkWellFormed } from '../../src/speech/ssml.js';

/*
 * The Azure Telephony channel's conventions on /api/messages, with a small bot that asks a
 * choice, an ID number and a name: voice names in speak, barge-in hints, DTMF tones read as
 * on the Twilio line, and transfers as handoff.initiate with TargetPhoneNumber.
 */

const messages = loadSpecs(path.resolve(import.meta.dirname, '../../dialogs')).messages;
const SPEAK = (text: string) => `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN"><prosody rate="1">${text}</prosody></speak>`;

/** What the bot received, per turn: the words and the tapped value. */
const heard: { text?: string; value?: unknown }[] = [];
let officeOpen = true;

async function bot(context: TurnContext): Promise<void> {
  const { text, value } = context.activity;
  heard.push({ ...(text !== undefined ? { text } : {}), ...(value !== undefined ? { value } : {}) });
  if (text === '转人工') {
    await context.sendActivity({ type: 'message', text: '好的。', speak: SPEAK('好的。'), inputHint: 'acceptingInput', locale: 'zh-CN' });
    await context.sendActivity({ type: 'event', name: 'handoff.initiate', value: { handoffId: 'h1' } });
    return;
  }
  const step = heard.length;
  if (step === 1) {
    await context.sendActivity({
      type: 'message', text: '钱是怎么给的？', speak: SPEAK('钱是怎么给的？'), inputHint: 'expectingInput', locale: 'zh-CN',
      channelData: { ask: { field: 'loan.method', type: 'choice', required: true, choices: [{ value: 'cash', title: '现金', dtmf: '1' }, { value: 'transfer', title: '银行转账', dtmf: '2' }] } },
    });
  } else {
    await context.sendActivity({ type: 'message', text: '好的。', speak: SPEAK('好的。'), inputHint: 'acceptingInput', locale: 'zh-CN' });
    await context.sendActivity({
      type: 'message', text: '身份证号码是多少？', speak: SPEAK('身份证号码是多少？'), inputHint: 'expectingInput', locale: 'zh-CN',
      channelData: { ask: { field: 'plaintiff.idNumber', type: 'idNumber', required: true } },
    });
  }
}

let server: Server;
let channel: AzureChannel;
let base: string;

beforeAll(async () => {
  channel = createAzureChannel({
    credentials: { type: 'MultiTenant' },
    bot,
    log: { info() {}, warn() {}, error() {} },
    telephony: { voices: { 'zh-CN': 'zh-CN-XiaoxiaoNeural', 'en-US': 'en-US-JennyNeural' }, messages, clerkLine: '+862212368000', officeOpen: () => officeOpen },
  });
  const app = express();
  app.use('/api/messages', channel.router);
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await channel.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let count = 0;
/** One activity from the Telephony channel, answered in the response (expectReplies). */
async function send(text: string, dtmf: boolean, channelId = 'telephony'): Promise<Record<string, any>[]> {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: `t-${++count}`, channelId, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
      conversation: { id: `call-${channelId}` }, from: { id: '+8613812345678', role: 'user' }, recipient: { id: 'bot', role: 'bot' }, locale: 'zh-CN',
      text, ...(dtmf ? { entities: [{ type: 'DTMF' }] } : {}),
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { activities: Record<string, any>[] }).activities;
}

describe('the Azure Telephony channel', () => {
  it('names the voice, reads options option-first and lets only questions be interrupted by speech', async () => {
    const replies = await send('你好', false);
    const [question] = replies;
    expect(checkWellFormed(question!.speak)).toBeNull();
    expect(question!.speak).toContain('<voice name="zh-CN-XiaoxiaoNeural">');
    expect(question!.speak).toContain('现金，请按1；银行转账，请按2。</voice></speak>');
    expect(question!.inputHint).toBe('expectingInput');
  });

  it('reads tones: an option by key, numbers until #, with * for X', async () => {
    const replies = await send('2', true);
    expect(heard.at(-1)).toEqual({ text: '银行转账', value: { answer: 'transfer' } });
    const statement = replies.find((a) => a.text === '好的。');
    expect(statement!.inputHint).toBe('ignoringSpeechInput');
    expect(statement!.speak).toContain('<voice name="zh-CN-XiaoxiaoNeural">');

    const turns = heard.length;
    for (const tone of '11010519491231002*') expect(await send(tone, true)).toEqual([]);
    expect(heard).toHaveLength(turns);
    await send('#', true);
    expect(heard.at(-1)).toEqual({ text: '11010519491231002X' });
  });

  it('transfers with TargetPhoneNumber on 0 in office hours, and not outside them', async () => {
    officeOpen = true;
    // A lone 0, ended with #, asks for a person even at a number question.
    await send('0', true);
    const replies = await send('#', true);
    expect(heard.at(-1)).toEqual({ text: '转人工' });
    const transfer = replies.find((a) => a.type === 'event');
    expect(transfer).toMatchObject({ name: 'handoff.initiate', value: { handoffId: 'h1', TargetPhoneNumber: '+862212368000' } });

    officeOpen = false;
    const later = await send('转人工', false);
    expect(later.some((a) => a.type === 'event')).toBe(false);
  });

  it('leaves other channels alone', async () => {
    const replies = await send('9', false, 'emulator');
    expect(heard.at(-1)).toEqual({ text: '9' });
    for (const reply of replies) expect(reply.speak ?? '').not.toContain('<voice');
  });
});
