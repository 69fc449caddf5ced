import { TestAdapter, type Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { soundsLikeDanger } from '../../src/bot/danger.js';
import { askOf, botHarness, type BotHarness } from '../support/bot-harness.js';

let harness: BotHarness;
beforeEach(async () => {
  harness = await botHarness();
});
afterEach(async () => {
  await harness.close();
});

const clerk = { username: 'wang', displayName: '王书记员' };
const handoffOf = (a: Partial<Activity>) => (a.channelData as { handoff?: { state: string; position?: number } } | undefined)?.handoff;

describe('asking for a person', () => {
  it('with a clerk on duty: queued, told the place and wait, and the filer may go on answering', async () => {
    harness.handoff.setClerksOnline(1);
    await harness.adapter()
      .send('借钱不还')
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => expect(a.text).toContain('续办码'))
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.kind'))
      .send('我要转人工')
      .assertReply((a) => {
        expect(a.text).toContain('您前面还有0位');
        expect(handoffOf(a)).toEqual({ state: 'queued', position: 1 });
      })
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.kind'))
      .send('个人')
      .assertReply((a) => {
        expect(askOf(a)?.field).toBe('plaintiff.name');
        // Every reply while waiting carries the filer's place.
        expect(handoffOf(a)).toEqual({ state: 'queued', position: 1 });
      });
    const [entry] = await harness.handoff.queue();
    expect(entry).toMatchObject({ state: 'queued', reason: 'asked', priority: 'normal', field: 'plaintiff.kind', position: 1, caseType: 'private-loan' });
    // What the filer said while waiting reaches the clerk's transcript.
    const record = await harness.handoff.get(entry!.id);
    expect(record!.transcript.map((t) => t.text)).toEqual(expect.arrayContaining(['借钱不还', '我要转人工', '个人']));
  });

  it('with nobody on duty: says so, offers a call back on the number given, and still keeps the place', async () => {
    await harness.adapter()
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('个人').assertReply(() => {})
      .send('张三').assertReply(() => {})
      .send('11010519491231002X').assertReply(() => {})
      .send('汉族').assertReply(() => {})
      .send('退休').assertReply(() => {})
      .send('天津市北辰区富锦路12号').assertReply(() => {})
      .send('13812345678').assertReply(() => {})
      .send('人工')
      .assertReply((a) => {
        expect(a.text).toContain('没有工作人员在线');
        expect(a.text).toContain('13812345678');
        expect(a.text).toMatch(/续办码是\d{6}/);
        expect(a.speak).toContain('幺 三 八');
        expect(handoffOf(a)).toEqual({ state: 'unavailable' });
      });
    const queue = await harness.handoff.queue();
    // Born 1949: over 70, so an elderly filer goes before others.
    expect(queue).toEqual([expect.objectContaining({ priority: 'elderly', filerName: '张三' })]);
  });

  it('a clerk accepts, the conversation is relayed both ways, then the filer is given back at a chosen field', async () => {
    harness.handoff.setClerksOnline(1);
    const bot = harness.bot();
    const adapter = harness.adapter('zh-CN', bot);
    await adapter
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('转人工').assertReply(() => {}).assertReply(() => {});
    const [entry] = await harness.handoff.queue();
    await harness.handoff.accept(entry!.id, clerk);
    expect(harness.delivered.at(-1)!.activity.text).toContain('工作人员王书记员来了');
    await expect(harness.handoff.accept(entry!.id, { username: 'li', displayName: '李' })).rejects.toThrow(/no longer waiting/);

    // The filer's words now go to the clerk: the assistant says nothing.
    await adapter.send('我不知道他的身份证号').assertNoReply('relayed to the clerk', 300);
    const record = await harness.handoff.get(entry!.id);
    expect(record!.transcript.at(-1)).toMatchObject({ from: 'filer', text: '我不知道他的身份证号' });

    await harness.handoff.sendToFiler(entry!.id, clerk, '没关系，可以跳过。');
    expect(harness.delivered.at(-1)!.activity).toMatchObject({ text: '【王书记员】没关系，可以跳过。', channelData: { handoff: { state: 'accepted' }, clerk: { name: '王书记员' } } });
    expect(harness.delivered.at(-1)!.activity.speak).toContain('王书记员说：没关系');

    await harness.handoff.giveBack(entry!.id, clerk, 'plaintiff.name');
    expect(harness.delivered.at(-1)!.activity.text).toContain('交回给助手');
    expect(harness.returned.at(-1)).toMatchObject({ field: 'plaintiff.name' });
    expect(await harness.handoff.queue()).toEqual([]);
  });

  it('three failed answers to one question call a clerk', async () => {
    harness.handoff.setClerksOnline(1);
    await harness.adapter()
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('个人').assertReply(() => {})
      .send('张三').assertReply(() => {})
      .send('123').assertReply(() => {})
      .send('456').assertReply(() => {})
      .send('789')
      .assertReply((a) => expect(a.text).toContain('请工作人员来帮您'))
      .assertReply((a) => expect(handoffOf(a)?.state).toBe('queued'))
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.idNumber'));
    expect(await harness.handoff.queue()).toEqual([expect.objectContaining({ reason: 'repeated-failure', field: 'plaintiff.idNumber' })]);
  });
});

describe('words of danger', () => {
  it('are heard in both languages, without false alarms on ordinary answers', () => {
    for (const said of ['他家暴我', '我老公打我', '他威胁我', '我不想活了', 'my husband beats me', 'he threatened to kill me', 'I want to die']) {
      expect(soundsLikeDanger(said), said).toBe(true);
    }
    for (const said of ['借钱不还', '打款给他了', '他打电话说不还', 'shipping', 'I hit the button']) {
      expect(soundsLikeDanger(said), said).toBe(false);
    }
  });

  it('give emergency advice at once and put the filer first in the queue', async () => {
    harness.handoff.setClerksOnline(1);
    const other = harness.adapter();
    await other.send('拖欠工资').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('转人工').assertReply(() => {}).assertReply(() => {});
    await harness.adapter('en-US')
      .send('my husband beats me and I need a divorce')
      .assertReply((a) => expect(a.text).toMatch(/^Hello/))
      .assertReply((a) => expect(a.text).toMatch(/call 110/))
      .assertReply((a) => expect(handoffOf(a)).toEqual({ state: 'queued', position: 1 }));
    const queue = await harness.handoff.queue();
    expect(queue.map((q) => q.priority)).toEqual(['urgent', 'normal']);
  });
});

describe('Azure agent desks (the standard handoff protocol)', () => {
  it('a filer on an Azure channel also gets handoff.initiate with the transcript; handoff.status is told to them', async () => {
    harness.handoff.setClerksOnline(1);
    const bot = harness.bot();
    const adapter = new TestAdapter((context) => bot.run(context), {
      channelId: 'msteams', locale: 'zh-CN', conversation: { id: 'teams-1', isGroup: false, conversationType: 'personal', name: '' },
    });
    await adapter
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('转人工')
      .assertReply((a) => expect(handoffOf(a)?.state).toBe('queued'))
      .assertReply((a) => {
        expect(a.type).toBe('event');
        expect(a.name).toBe('handoff.initiate');
        expect((a.value as { reason: string }).reason).toBe('asked');
        const transcript = a.attachments?.[0]?.content as { activities: { text: string }[] };
        expect(transcript.activities.map((t) => t.text)).toEqual(expect.arrayContaining(['借钱不还', '转人工']));
      })
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.kind'))
      .send({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } } as Partial<Activity>)
      .assertReply((a) => {
        expect(a.text).toContain('工作人员');
        expect(handoffOf(a)?.state).toBe('accepted');
      });
  });
});

describe('the queue after a restart', () => {
  it('keeps the filer\'s place and still relays their words', async () => {
    harness.handoff.setClerksOnline(1);
    await harness.adapter()
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('转人工').assertReply(() => {}).assertReply(() => {});
    const [entry] = await harness.handoff.queue();
    await harness.handoff.close();
    const { PersistentHandoffService } = await import('../../src/handoff/index.js');
    const reopened = await PersistentHandoffService.open(harness.store, {
      complaints: harness.store.complaints, words: (await import('../../src/bot/handoff-desk.js')).handoffWords(harness.services.specs.messages),
      deliver: async () => {}, returnToBot: async () => {},
    });
    try {
      expect(reopened.position(entry!.id)).toBe(1);
      await reopened.accept(entry!.id, clerk);
      const record = await reopened.get(entry!.id);
      expect(await reopened.fromFiler(record!.conversationId, '您好')).toBe(true);
      expect((await reopened.get(entry!.id))!.transcript.at(-1)).toMatchObject({ from: 'filer', text: '您好' });
    } finally {
      await reopened.close();
    }
  });
});
