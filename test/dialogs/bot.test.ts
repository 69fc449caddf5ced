import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComplaintBot } from '../../src/bot/bot.js';
import type { BotServices } from '../../src/bot/services.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/types.js';
import { askOf, botHarness, type BotHarness } from '../support/bot-harness.js';

let harness: BotHarness;
let store: Store;
let services: BotServices;

beforeEach(async () => {
  harness = await botHarness();
  store = harness.store;
  services = harness.services;
});

afterEach(async () => {
  await harness.close();
});

function adapterFor(bot: ComplaintBot, locale = 'zh-CN'): TestAdapter {
  return harness.adapter(locale, bot);
}

const ask = askOf;

describe('ComplaintBot through botbuilder\'s TestAdapter', () => {
  it('greets when the filer joins, before they type', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const adapter = adapterFor(bot);
    await adapter
      .send({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user', name: 'user' }], recipient: { id: 'bot', name: 'bot' } } as Partial<Activity>)
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => {
        expect(ask(a)?.field).toBe('caseType');
        expect(a.inputHint).toBe('expectingInput');
        expect(ask(a)?.choices?.map((c) => c.value)).toEqual(expect.arrayContaining(['private-loan', 'wage-arrears', 'resume', 'other']));
        expect(ask(a)?.choices?.[0]?.dtmf).toBe('1');
      });
  });

  it('picks the case from a sentence, fills birth date and sex from the ID number', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const adapter = adapterFor(bot);
    await adapter
      .send('他借了我的钱一直不还')
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => expect(a.text).toContain('民间借贷'))
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.kind'))
      .send('1')
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.name'))
      .send('张三')
      .assertReply((a) => expect(ask(a)?.type).toBe('idNumber'))
      .send('1101 0519 4912 3100 2x')
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.ethnicity'));
    const [record] = await store.complaints.list();
    expect(record?.answers).toMatchObject({ 'plaintiff.idNumber': '11010519491231002X', 'plaintiff.birthDate': '1949-12-31', 'plaintiff.gender': 'female' });
    expect(record?.derived.sort()).toEqual(['plaintiff.birthDate', 'plaintiff.gender']);
  });

  it('answers in the locale of each activity', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const adapter = adapterFor(bot, 'en-US');
    await adapter
      .send('unpaid wages')
      .assertReply((a) => expect(a.text).toMatch(/^Hello/))
      .assertReply((a) => expect(a.text).toMatch(/Unpaid wages/))
      .assertReply((a) => {
        expect(ask(a)?.field).toBe('wage.hasArbitration');
        expect(a.speak).toContain('xml:lang="en-US"');
      });
  });

  it('asks back large amounts and stores them only when confirmed', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const [record0] = [await store.complaints.create({ locale: 'zh-CN', caseType: 'private-loan' })];
    // Everything before the loan section is already answered in this draft.
    await store.complaints.update(record0!.id, (r) => {
      Object.assign(r.answers, {
        'plaintiff.kind': 'person', 'plaintiff.name': '张三', 'plaintiff.idNumber': '11010519491231002X', 'plaintiff.ethnicity': '汉族',
        'plaintiff.occupation': '退休', 'plaintiff.address': '天津市北辰区富锦路12号', 'plaintiff.phone': '13812345678',
        'defendant[0].kind': 'person', 'defendant[0].name': '李四', 'defendant[0].gender': 'male', 'defendant[0].address': '天津市河北区中山路8号',
        'defendant.more': false,
      });
      Object.assign(r.answers, { 'plaintiff.birthDate': '1949-12-31', 'plaintiff.gender': 'female' });
      r.derived.push('plaintiff.birthDate', 'plaintiff.gender');
      r.skipped.push('defendant[0].idNumber', 'defendant[0].birthDate', 'defendant[0].ethnicity', 'defendant[0].occupation', 'defendant[0].phone');
    });
    const adapter = adapterFor(bot);
    await adapter
      .send(record0!.resumeCode)
      .assertReply((a) => expect(a.text).toContain('您好'))
      // The draft has a phone number: its last 4 digits open it.
      .assertReply((a) => expect(ask(a)?.field).toBe('resume.phone'))
      .send('5678')
      .assertReply((a) => expect(a.text).toContain('找到了您的草稿'))
      .assertReply((a) => expect(ask(a)?.field).toBe('loan.amount'))
      .send('3.5万')
      .assertReply((a) => {
        expect(a.text).toBe('35,000元，对吗？');
        expect(a.speak).toContain('三万五千');
        expect(ask(a)).toMatchObject({ field: 'loan.amount', type: 'confirm' });
      })
      .send('不对')
      .assertReply((a) => expect(a.text).toContain('请再说一遍'))
      .send('三万')
      .assertReply((a) => expect(a.text).toContain('30,000元'))
      .send('对')
      .assertReply((a) => expect(ask(a)?.field).toBe('loan.date'));
    expect((await store.complaints.get(record0!.id))?.answers['loan.amount']).toBe(30000);
  });

  it('a failing turn apologizes and keeps the filer where they were', async () => {
    const broken: BotServices = { ...services, complaints: { ...services.complaints, create: async () => { throw new Error('disk full'); } } };
    const bot = new ComplaintBot(store.botStorage, broken, createLogger('silent'));
    const adapter = adapterFor(bot);
    await adapter
      .send('借钱')
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => expect(a.text).toContain('出了点问题'));
  });
});

describe('evidence sent as files', () => {
  it('keeps uploaded files with the draft, asks the same question again, and explains refusals', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const photo = await store.files.save({ bytes: Buffer.from([0xff, 0xd8, 0xff]), contentType: 'image/jpeg', name: '借条.jpg' });
    const adapter = adapterFor(bot);
    await adapter
      .send('借钱不还')
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => expect(a.text).toContain('续办码'))
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.kind'))
      .send({
        type: 'message', text: '',
        channelData: {
          uploads: [{ fileId: photo.id, name: 'x.jpg', contentType: 'image/jpeg', size: 3 }, { fileId: '00000000-0000-0000-0000-000000000000', name: 'forged.jpg' }],
          rejectedUploads: [{ name: 'setup.exe', reason: 'type' }],
        },
      } as Partial<Activity>)
      .assertReply((a) => expect(a.text).toContain('收到了1个文件'))
      .assertReply((a) => expect(a.text).toContain('“setup.exe”这种文件收不了'))
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.kind'));
    const [record] = await store.complaints.list();
    expect(record?.evidence).toEqual([expect.objectContaining({ fileId: photo.id, name: '借条.jpg', contentType: 'image/jpeg' })]);
  });

  it('holds files sent before the case is chosen and adds them to the new draft', async () => {
    const bot = new ComplaintBot(store.botStorage, services, createLogger('silent'));
    const pdf = await store.files.save({ bytes: Buffer.from('%PDF-1.4'), contentType: 'application/pdf', name: 'slip.pdf' });
    const adapter = adapterFor(bot, 'en-US');
    await adapter
      .send({ type: 'message', text: '', channelData: { uploads: [{ fileId: pdf.id, name: 'slip.pdf' }] } } as Partial<Activity>)
      .assertReply((a) => expect(a.text).toMatch(/^Hello/))
      .assertReply((a) => expect(a.text).toMatch(/Once you choose/))
      .assertReply((a) => expect(ask(a)?.field).toBe('caseType'))
      .send('a loan')
      .assertReply((a) => expect(a.text).toMatch(/resume code/))
      .assertReply((a) => expect(ask(a)?.field).toBe('plaintiff.kind'));
    const [record] = await store.complaints.list();
    expect(record?.evidence?.map((e) => e.name)).toEqual(['slip.pdf']);
  });
});
