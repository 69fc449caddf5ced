import type { Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/interview/fields/index.js';
import { askOf, botHarness, type BotHarness } from '../support/bot-harness.js';

let harness: BotHarness;
beforeEach(async () => {
  harness = await botHarness({ today: '2026-11-28' });
});
afterEach(async () => {
  await harness.close();
});

type VisitData = { code: string; start: string; end: string };
const visitOf = (a: Partial<Activity>) => (a.channelData as { visit?: VisitData } | undefined)?.visit;

function idNumber(birth: string): string {
  const first17 = `120113${birth.replace(/-/g, '')}123`;
  return `${first17}${idCheckChar(first17)}`;
}

describe('home visits in the conversation', () => {
  it('from the kiosk words 我走不动，去不了法院 to a booked visit', async () => {
    let booked: VisitData | undefined;
    await harness.adapter()
      .send('我走不动，去不了法院')
      .assertReply((a) => expect(a.text).toContain('您好'))
      .assertReply((a) => {
        expect(a.text).toContain('法院可以派工作人员');
        expect(askOf(a)).toMatchObject({ field: 'visit.idNumber', type: 'idNumber' });
      })
      .send(idNumber('1950-03-01'))
      .assertReply((a) => {
        expect(a.text).toContain('满70岁');
        expect(askOf(a)).toMatchObject({ field: 'visit.address', type: 'address' });
      })
      .send('天津市北辰区果园新村街道富锦园3号楼2门101')
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.landmark'))
      .send('小区门口有个超市')
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.phone'))
      .send('13812345678')
      .assertReply((a) => {
        expect(askOf(a)).toMatchObject({ field: 'visit.phoneConfirm', type: 'confirm' });
        expect(a.speak).toContain('幺 三 八');
      })
      .send('对')
      .assertReply((a) => {
        const ask = askOf(a);
        expect(ask).toMatchObject({ field: 'visit.slot', type: 'choice' });
        expect(ask?.choices?.map((c) => c.dtmf)).toEqual(['1', '2', '3', '4']);
        expect(a.text).toContain('后天上午');
        expect(a.text).toContain('下周二上午');
      })
      .send('1')
      .assertReply((a) => {
        booked = visitOf(a);
        expect(booked).toEqual({ code: expect.stringMatching(/^\d{6}$/), start: '2026-11-30T09:00:00+08:00', end: '2026-11-30T11:30:00+08:00' });
        expect(a.text).toContain(`预约码是${booked!.code}`);
        expect(a.speak).toContain('<speak');
        expect(a.text).toContain('后天上午');
      });
    const stored = await harness.visits.findByCode(booked!.code);
    expect(stored).toMatchObject({ reason: 'age', needsReview: false, landmark: '小区门口有个超市', phone: '13812345678' });
  });

  it('from inside the interview: another reason is booked for a clerk to decide, the draft goes with it, and the question comes back', async () => {
    await harness.adapter()
      .send('借钱不还').assertReply(() => {}).assertReply(() => {})
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.kind'))
      .send('腿脚不好')
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.idNumber'))
      .send('跳过')
      .assertReply((a) => expect(askOf(a)).toMatchObject({ field: 'visit.reason', type: 'choice' }))
      .send('其他原因')
      .assertReply((a) => {
        expect(a.text).toContain('工作人员决定');
        expect(askOf(a)?.field).toBe('visit.address');
      })
      .send('天津市北辰区天穆镇穆家庄村5号')
      .assertReply(() => {})
      .send('跳过').assertReply(() => {})
      .send('13812345678').assertReply(() => {})
      .send('是').assertReply(() => {})
      .send('2')
      .assertReply((a) => {
        expect(visitOf(a)?.start).toBe('2026-11-30T14:00:00+08:00');
        expect(a.text).toContain('会打电话告诉您');
        expect(a.text).toContain('接着写');
      })
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.kind'));
    const [visit] = await harness.visits.forDay('2026-11-30');
    expect(visit).toMatchObject({ reason: 'other', needsReview: true, complaintId: expect.any(String) });
  });

  it.each([['1', 'disability'], ['2', 'illness'], ['3', 'military']])('reason %s (%s) books without review', async (answer, reason) => {
    await harness.adapter('en-US')
      .send('home visit').assertReply(() => {})
      .assertReply((a) => expect(a.text).toContain('court staff can come'))
      .send('skip').assertReply(() => {})
      .send(answer)
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.address'))
      .send('12 Fujin Road, Guoyuan Xincun, Beichen District, Tianjin').assertReply(() => {})
      .send('skip').assertReply(() => {})
      .send('13812345678').assertReply(() => {})
      .send('yes')
      .assertReply((a) => expect(a.text).toContain('Monday morning'))
      .send('later')
      .assertReply((a) => expect(a.text).not.toContain('Monday morning (09'))
      .send('1')
      .assertReply((a) => expect(a.text).toContain('Your visit is booked'));
    const visits = await harness.visits.forDay('2026-12-01');
    expect(visits[0]).toMatchObject({ reason, needsReview: false, locale: 'en-US' });
  });

  it('an address outside the area is told which court to use', async () => {
    await harness.adapter()
      .send('上门立案').assertReply(() => {}).assertReply(() => {})
      .send('跳过').assertReply(() => {})
      .send('1').assertReply(() => {})
      .send('幸福小区5号楼3门201室')
      .assertReply((a) => {
        expect(a.text).toContain('哪个区');
        expect(askOf(a)?.field).toBe('visit.address');
      })
      .send('天津市河西区友谊路8号幸福小区5号楼')
      .assertReply((a) => {
        expect(a.text).toContain('天津市河西区人民法院');
        expect(askOf(a)).toBeUndefined();
      });
    expect(await harness.visits.forDay('2026-11-30')).toHaveLength(0);
  });

  it('cancels and moves a visit by its code', async () => {
    const booking = await harness.visits.book({ slot: { date: '2026-11-30', slotId: 'am' }, reason: 'age', address: '天津市北辰区北仓镇1号', phone: '13812345678', locale: 'zh-CN' });
    if (!booking.ok) throw new Error('not booked');
    const code = booking.booking.code;
    await harness.adapter()
      .send('改时间').assertReply(() => {})
      .assertReply((a) => expect(askOf(a)).toMatchObject({ field: 'visit.code', type: 'number' }))
      .send('000000')
      .assertReply((a) => expect(a.text).toContain('没有找到'))
      .send(code)
      .assertReply((a) => expect(a.text).not.toContain('后天上午'))
      .send('1')
      .assertReply((a) => {
        expect(a.text).toContain('改好了');
        expect(visitOf(a)).toEqual({ code, start: '2026-11-30T14:00:00+08:00', end: '2026-11-30T16:30:00+08:00' });
      });
    await harness.adapter('en-US')
      .send('cancel my visit').assertReply(() => {})
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.code'))
      .send(code)
      .assertReply((a) => expect(askOf(a)).toMatchObject({ field: 'visit.cancelConfirm', type: 'confirm' }))
      .send('yes')
      .assertReply((a) => expect(a.text).toContain('cancelled'));
    expect(await harness.visits.findByCode(code)).toBeUndefined();
  });
});

describe('leaving the visit flow', () => {
  it('"back" at its first question returns to the interrupted question with nothing booked', async () => {
    await harness.adapter()
      .send('借钱不还').assertReply(() => {}).assertReply(() => {}).assertReply(() => {})
      .send('个人').assertReply(() => {})
      .send('上门')
      .assertReply((a) => expect(askOf(a)?.field).toBe('visit.idNumber'))
      .send('上一步')
      .assertReply((a) => expect(a.text).toContain('先不预约上门了'))
      .assertReply((a) => expect(askOf(a)?.field).toBe('plaintiff.name'));
    for (let day = 28; day <= 30; day += 1) expect(await harness.services.visits!.forDay(`2026-11-${day}`)).toEqual([]);
    for (let day = 1; day <= 14; day += 1) expect(await harness.services.visits!.forDay(`2026-12-${String(day).padStart(2, '0')}`)).toEqual([]);
  });
});
