import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCjkFont } from '../../src/documents/index.js';
import { DirectLineTestClient, play, type Script } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

// The PDF needs Debian fonts-noto-cjk; CI has it (REQUIRE_SYSTEM_TOOLS=1), so there a
// missing font fails the PDF check instead of skipping it.
const hasFont = findCjkFont() !== undefined;
if (!hasFont) {
  if (process.env['REQUIRE_SYSTEM_TOOLS'] === '1') throw new Error('REQUIRE_SYSTEM_TOOLS=1: no CJK font; install fonts-noto-cjk');
  console.warn('SKIPPING the PDF checks of the fee scenarios: no CJK font; install fonts-noto-cjk');
}

interface Complaint {
  id: string;
  caseType: string;
  documentUrl: string;
  pdfUrl?: string;
  reliefUrl?: string;
}

const loanParties: Script = {
  caseType: '借钱不还',
  'plaintiff.kind': '个人',
  'plaintiff.name': '张三',
  'plaintiff.idNumber': '11010519491231002X',
  'plaintiff.ethnicity': '汉族',
  'plaintiff.occupation': '退休',
  'plaintiff.address': '天津市北辰区富锦路12号',
  'plaintiff.phone': '13812345678',
  'defendant.kind': '个人',
  'defendant.name': '李四',
  'defendant.idNumber': '跳过',
  'defendant.gender': '男',
  'defendant.birthDate': '跳过',
  'defendant.ethnicity': '跳过',
  'defendant.occupation': '跳过',
  'defendant.address': '天津市河北区中山路8号',
  'defendant.phone': '跳过',
  'defendant.more': '没有',
};

describe('the end of an interview: fee, relief, checklist, documents', () => {
  it('zh-CN, hardship yes: tells the fee of a 40,000 claim, drafts the relief application, lists what to bring, serves a PDF', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      ...loanParties,
      'loan.amount': ['五万', '对'],
      'loan.date': '2024年3月5日',
      'loan.method': '银行转账',
      'loan.hasIou': '有',
      'loan.dueDate': '没有',
      'loan.hasInterest': '没有',
      'loan.repaidPrincipal': ['一万', '对'],
      'loan.demanded': '要过',
      'loan.hasGuarantee': '没有',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '有',
      'relief.reason': '我领低保',
      'relief.request': '免交',
      'relief.monthlyIncome': '一千二',
      'relief.explanation': '老伴生病，常年吃药',
      'review.confirm': '对',
    });
    // The hardship question explains waiving, reducing and deferring in one sentence.
    const hardship = client.received.find((a) => a.channelData?.ask?.field === 'relief.hardship')!;
    expect(hardship.text).toMatch(/免交.*减交.*缓交/);

    const confirmAt = client.received.findLastIndex((a) => a.channelData?.ask?.field === 'review.confirm');
    const end = client.received.slice(confirmAt + 1);
    expect(end).toHaveLength(3);
    const [fee, checklist, done] = end as [typeof end[0], typeof end[0], typeof end[0]];

    // 50 + 2.5% × 30,000 = 800 yuan; half under the summary procedure; paid in advance.
    expect(fee.text).toContain('40,000元');
    expect(fee.text).toContain('800元');
    expect(fee.text).toContain('第十三条');
    expect(fee.text).toContain('400元');
    expect(fee.text).toContain('预交');
    expect(fee.text).toContain('诉讼费免交（一分不交）');
    expect(fee.speak).toContain('八百元');
    expect(fee.speak).toMatch(/^<speak[^>]+xml:lang="zh-CN"/);

    expect(checklist.text).toMatch(/^立案时请带上：\n1\. 您的身份证原件/);
    expect(checklist.text).toContain('借条或欠条的原件和复印件');
    expect(checklist.text).toContain('转账记录');
    expect(checklist.text).toContain('司法救助申请书一份');
    expect(checklist.text).toContain('低保证');
    expect(checklist.text).toContain('起诉状2份：法院一份，每个被告各一份');
    expect(checklist.speak).toContain('第一，');
    expect(checklist.speak).toContain('<break');

    const complaint = done.channelData!.complaint as Complaint;
    expect(complaint.caseType).toBe('private-loan');
    expect(complaint.reliefUrl).toBe(complaint.documentUrl.replace(/complaint\.html$/, 'fee-relief.html'));
    expect(done.text).toContain(complaint.reliefUrl!);

    const relief = await (await fetch(complaint.reliefUrl!)).text();
    expect(relief).toContain('司法救助申请书');
    expect(relief).toContain('张三');
    expect(relief).toContain('请求免交本案诉讼费用');
    expect(relief).toContain('第四十五条第（三）项');
    expect(relief).toContain('1,200元');
    expect(relief).toContain('老伴生病，常年吃药');
    expect(relief).toContain('天津市北辰区人民法院');

    if (hasFont) {
      expect(complaint.pdfUrl).toBe(complaint.documentUrl.replace(/\.html$/, '.pdf'));
      expect(done.text).toContain(complaint.pdfUrl!);
      const res = await fetch(complaint.pdfUrl!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
  });

  it('en-US, a wage claim without hardship: 10 yuan, nothing in advance, and no relief document', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'my boss did not pay my wages',
      'wage.hasArbitration': 'no',
      'wage.hasWageIou': 'yes',
      'plaintiff.kind': 'a person',
      'plaintiff.name': 'Wang Xiaoming',
      'plaintiff.idNumber': '120113195203140028',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'builder',
      'plaintiff.address': '12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'a company',
      'defendant.orgName': 'Tianjin Example Construction Co., Ltd.',
      'defendant.creditCode': 'skip',
      'defendant.representative': 'Zhao Liu, manager',
      'defendant.address': '100 Jingjin Road, Beichen District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'wage.startDate': 'March 2023',
      'wage.position': 'bricklayer',
      'wage.monthlyWage': '6000',
      'wage.endReason': 'dismissed',
      'wage.endDate': 'June 2024',
      'wage.owedAmount': ['35000', 'yes'],
      'wage.owedFrom': 'January 2024',
      'wage.owedTo': 'June 2024',
      'wage.migrantWorker': 'yes',
      'mediation.willing': 'no',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const confirmAt = client.received.findLastIndex((a) => a.channelData?.ask?.field === 'review.confirm');
    const [fee, checklist, done] = client.received.slice(confirmAt + 1);
    expect(fee?.text).toContain('CNY 10');
    expect(fee?.text).toContain('Article 20');
    expect(fee?.text).toMatch(/need not pay anything in advance/);
    expect(fee?.speak).toMatch(/xml:lang="en-US"/);
    expect(checklist?.text).toMatch(/^When you file, please bring:\n1\. Your ID card/);
    expect(checklist?.text).toContain('wage IOU');
    expect(checklist?.text).toContain('registration details of the defendant organization');
    expect(checklist?.text).toContain('2 copies of the complaint');
    expect(checklist?.speak).toContain('First, ');

    const complaint = done!.channelData!.complaint as Complaint;
    expect(complaint.caseType).toBe('wage-arrears');
    expect(complaint.reliefUrl).toBeUndefined();
    expect(done!.text).not.toMatch(/application about the court fee/);
    const missing = await fetch(complaint.documentUrl.replace(/complaint\.html$/, 'fee-relief.html'));
    expect(missing.status).toBe(404);
  });
});
