import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient, play, documentOf } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const FACTS =
  '2024年5月，楼上302室装修，卫生间的水管漏水，把我家202室的天花板和墙泡坏了，地板也鼓了。我找过他三次，他说不是他家的事，' +
  '物业来看过，说就是302漏的。我自己花了两万三千元修好了，有发票。他一直不给钱，还说让我去告。';

describe('other disputes over Direct Line, zh-CN', () => {
  it('keeps the claims and the story word for word and flags the draft for a clerk', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '都不是，是别的事',
      'other.subject': '楼上漏水把我家泡了',
      'plaintiff.kind': '个人',
      'plaintiff.name': '王秀英',
      'plaintiff.idNumber': '11010519491231002X',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '退休',
      'plaintiff.address': '天津市北辰区某某小区5号楼1门202',
      'plaintiff.phone': '13812345678',
      'defendant.kind': '个人',
      'defendant.name': '赵六',
      'defendant.idNumber': '跳过',
      'defendant.gender': '男',
      'defendant.birthDate': '跳过',
      'defendant.ethnicity': '跳过',
      'defendant.occupation': '跳过',
      'defendant.address': '天津市北辰区某某小区5号楼1门302',
      'defendant.phone': '跳过',
      'defendant.more': '没有',
      'other.claims': '让楼上赔我修房子的钱两万三千元，再给我赔个礼。',
      'other.facts': FACTS,
      'other.evidence': '漏水的照片、维修发票、物业的证明',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('other');
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes('一字不改') && t.includes('工作人员'))).toBe(true);
    const record = await server.assembled.store.complaints.get(done.channelData!.complaint!.id);
    expect(record?.clerkNeeds).toEqual([expect.objectContaining({ reason: 'unsupported-case' })]);
    // The fee is left to the court; the evidence named is on the checklist.
    expect(texts.some((t) => t.includes('诉讼费'))).toBe(true);
    expect(texts.some((t) => t.includes('您说到的证据材料'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：王秀英，女，1949年12月31日出生');
    expect(text).toContain('被告：赵六，男，住天津市北辰区某某小区5号楼1门302。');
    expect(text).toContain('1. 让楼上赔我修房子的钱两万三千元，再给我赔个礼。');
    expect(text).toContain('2. 本案诉讼费用由被告承担。');
    expect(text).toContain('以下内容由原告口述，按原话记录');
    expect(text).toContain('纠纷概要：楼上漏水把我家泡了');
    expect(text).toContain(FACTS);
    expect(text).toContain('原告所说的证据：漏水的照片、维修发票、物业的证明');
    expect(text).toMatch(/附：本起诉状副本1份/);
  });
});

describe('other disputes over Direct Line, en-US', () => {
  it('keeps the filer\'s English words in both copies', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'none of these',
      'other.subject': 'The builder left the work unfinished',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Sun Li',
      'plaintiff.idNumber': '120113197809200047',
      'plaintiff.ethnicity': 'skip',
      'plaintiff.occupation': 'nurse',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'a company',
      'defendant.orgName': 'Tianjin Example Decoration Co., Ltd.',
      'defendant.creditCode': 'skip',
      'defendant.representative': 'skip',
      'defendant.address': '100 Jingjin Road, Beichen District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'other.claims': 'Give back the 30,000 yuan I paid for work they never did.',
      'other.facts': 'In April 2025 I paid 30,000 yuan to refit my kitchen. They came twice and stopped answering the phone.',
      'other.evidence': 'none',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('1. Give back the 30,000 yuan I paid for work they never did.');
    expect(text).toContain('(The plaintiff\'s own words, recorded as said, for the filing clerk to review.)');
    expect(text).toContain('In April 2025 I paid 30,000 yuan to refit my kitchen. They came twice and stopped answering the phone.');
    expect(text).not.toContain('原告所说的证据');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});

/**
 * Free words at the first question pick the right case type, and no spec steals another's
 * phrases. One conversation per language ("start over" between phrases) keeps clear of
 * the token endpoint's rate limit.
 */
describe('choosing the case from free words', () => {
  const phrases: Record<string, [string, string][]> = {
    'zh-CN': [
      ['借钱不还', 'private-loan'],
      ['他欠钱不还', 'private-loan'],
      ['老板拖欠工资', 'wage-arrears'],
      ['干了活不给钱', 'wage-arrears'],
      ['我要离婚', 'divorce'],
      ['跟老公感情破裂了', 'divorce'],
      ['被车撞了', 'traffic-accident'],
      ['出车祸了', 'traffic-accident'],
      ['撞车', 'traffic-accident'],
      ['业主不交物业费', 'property-fee'],
      ['儿子不给赡养费', 'support'],
      ['孩子爸爸不给抚养费', 'support'],
      ['买东西不给钱', 'sale-contract'],
      ['欠我货款', 'sale-contract'],
      ['租客不交房租', 'lease'],
      ['房东不退押金', 'lease'],
      ['其他纠纷', 'other'],
    ],
    'en-US': [
      ['someone borrowed money and never paid it back', 'private-loan'],
      ['unpaid wages', 'wage-arrears'],
      ['I want a divorce', 'divorce'],
      ['I was hit by a car', 'traffic-accident'],
      ['the owner will not pay the property management fee', 'property-fee'],
      ['my son refuses to give me support', 'support'],
      ['my ex-husband does not pay child support', 'support'],
      ['the buyer did not pay for the goods', 'sale-contract'],
      ["the tenant won't pay the rent", 'lease'],
      ['my landlord kept my deposit', 'lease'],
      ['something else', 'other'],
    ],
  };

  it.each(Object.keys(phrases))('%s', async (locale) => {
    const client = new DirectLineTestClient(server.baseUrl, locale);
    await client.start();
    const picked: [string, string | undefined][] = [];
    for (const [phrase] of phrases[locale]!) {
      const reply = await client.say(phrase);
      const code = /(?:续办码是|resume code is )(\d{6})/.exec(reply.map((a) => a.text ?? '').join('\n'))?.[1];
      const record = code ? await server.assembled.store.complaints.findByResumeCode(code) : undefined;
      picked.push([phrase, record?.caseType ?? undefined]);
      if (record) await client.say(locale === 'zh-CN' ? '重新开始' : 'start over');
      expect(client.lastAsk()?.field).toBe('caseType');
    }
    expect(picked).toEqual(phrases[locale]);
  });
});
