/**
 * What a simulated filer says, by field id (`defendant.name#1` for the second defendant):
 * a zh-CN private-loan complaint with the slips real filers make (a wrong ID check digit,
 * "重复", confirmations of spoken amounts), as in test/scenarios/private-loan.test.ts.
 */
export type Script = Record<string, string | string[]>;

export const PRIVATE_LOAN_ZH: Script = {
  caseType: '借钱不还',
  'plaintiff.kind': '个人',
  'plaintiff.name': '我叫张三',
  'plaintiff.idNumber': ['110105194912310021', '重复', '11010519491231002X'],
  'plaintiff.ethnicity': '汉族',
  'plaintiff.occupation': '退休',
  'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
  'plaintiff.phone': '138 1234 5678',
  'defendant.kind': '个人',
  'defendant.name': '李四',
  'defendant.idNumber': '跳过',
  'defendant.gender': '男的',
  'defendant.birthDate': '不知道',
  'defendant.ethnicity': '跳过',
  'defendant.occupation': '个体户',
  'defendant.address': '天津市河北区中山路8号',
  'defendant.phone': '022-26881234',
  'defendant.more': '有',
  'defendant.more#1': '没有',
  'defendant.kind#1': '公司',
  'defendant.orgName#1': '天津某某建筑有限公司',
  'defendant.creditCode#1': '跳过',
  'defendant.representative#1': '王五，总经理',
  'defendant.address#1': '天津市北辰区京津路100号',
  'defendant.phone#1': '不知道',
  'loan.amount': ['五万', '对'],
  'loan.date': '2024年3月5日',
  'loan.method': '我是用微信转的',
  'loan.hasIou': '有',
  'loan.dueDate': '2024年12月31日',
  'loan.hasInterest': '有',
  'loan.rateUnit': '按年',
  'loan.rate': '6',
  'loan.repaidPrincipal': ['一万', '对'],
  'loan.repaidInterest': '零',
  'loan.demanded': '是的',
  'loan.hasGuarantee': '没有',
  'mediation.willing': '愿意',
  'preservation.requested': '不要',
  'relief.hardship': '没有',
  'review.confirm': '对',
};

/** The answer a script gives the next time `key` is asked, or undefined when it has none left. */
export function scriptCursor(script: Script): (key: string) => string | undefined {
  const queues = new Map(Object.entries(script).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  return (key) => {
    const queue = queues.get(key);
    if (!queue || queue.length === 0) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  };
}
